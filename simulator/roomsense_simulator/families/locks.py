"""Locks (§5.6) and keypads (§5.7), including passcode management.

`createKey`/`deleteKey` are asynchronous on the real cloud: the reply only carries a
`commandId`, and the outcome (`success`/`failed`) arrives later as a webhook event with
`eventName`, `commandId` and `result`. A malformed parameter is still refused at once (190);
a duplicate name or an unknown passcode id is reported as `failed` through the webhook.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from typing import Any

from .. import params
from ..spec import (
    CommandHandler,
    CommandRequest,
    Effect,
    TypeSpec,
    WebhookSpec,
    copy,
    lock_state,
    spelled,
)
from .common import sets

_PASSCODE = re.compile(r"\d{6,12}")
_TIMED_KEY_TYPES = ("timeLimit", "disposable")
_SECONDS_RANGE = (1_000_000_000, 9_999_999_999)  # 10-digit epoch seconds


def _opaque_passcode(passcode: str) -> tuple[str, str]:
    """An encrypted-looking `password` and its `iv`.

    The real cloud encrypts with AES-128-CBC under a key derived from the developer secret;
    that derivation is undocumented, so the simulator stores an opaque digest instead.
    """
    iv = os.urandom(16)
    digest = hashlib.sha256(iv + passcode.encode()).digest()
    return base64.b64encode(digest).decode(), base64.b64encode(iv).decode()


def _key_event(name: str, request: CommandRequest, *, success: bool) -> dict[str, Any]:
    return {
        "eventName": name,
        "commandId": request.command_id,
        "result": "success" if success else "failed",
    }


def _create_key(key_types: tuple[str, ...]) -> CommandHandler:
    def handle(request: CommandRequest) -> Effect:
        spec = params.json_object(request.parameter)
        name = params.text(spec.get("name"), name="name")
        key_type = params.choice(spec.get("type"), key_types, name="type")
        passcode = spec.get("password")
        if not isinstance(passcode, str) or not _PASSCODE.fullmatch(passcode):
            raise params.InvalidParameterError("password must be 6-12 digits")
        start_time = end_time = None
        if key_type in _TIMED_KEY_TYPES or "startTime" in spec or "endTime" in spec:
            start_time = params.integer(spec.get("startTime"), *_SECONDS_RANGE, name="startTime")
            end_time = params.integer(spec.get("endTime"), *_SECONDS_RANGE, name="endTime")
            if end_time <= start_time:
                raise params.InvalidParameterError("endTime must be after startTime")

        reply = Effect(body={"commandId": request.command_id})
        keys: list[dict[str, Any]] = list(request.listing.get("keyList", []))
        if any(key.get("name") == name for key in keys):
            # Names must be unique per device; the cloud reports this asynchronously.
            reply.events.append(_key_event("createKey", request, success=False))
            return reply

        sealed, iv = _opaque_passcode(passcode)
        expired = end_time is not None and end_time * 1000 < request.now_ms
        entry: dict[str, Any] = {
            "id": max((int(key.get("id", 0)) for key in keys), default=0) + 1,
            "name": name,
            "type": key_type,
            "password": sealed,
            "iv": iv,
            "status": "expired" if expired else "normal",
            "createTime": request.now_ms,
        }
        if start_time is not None:
            entry |= {"startTime": start_time, "endTime": end_time}
        reply.listing["keyList"] = [*keys, entry]
        reply.events.append(_key_event("createKey", request, success=True))
        return reply

    return handle


def _delete_key(request: CommandRequest) -> Effect:
    spec = params.json_object(request.parameter)
    # The README types the id as an int in one table and a string in another: accept both.
    key_id = params.integer(spec.get("id"), 0, 2**53, name="id")
    keys: list[dict[str, Any]] = list(request.listing.get("keyList", []))
    remaining = [key for key in keys if int(key.get("id", -1)) != key_id]
    reply = Effect(body={"commandId": request.command_id})
    found = len(remaining) != len(keys)
    if found:
        reply.listing["keyList"] = remaining
    reply.events.append(_key_event("deleteKey", request, success=found))
    return reply


# --- Locks --------------------------------------------------------------------------------

_LOCK_COMMANDS: dict[str, CommandHandler] = {
    "lock": sets(lockState="lock"),
    "unlock": sets(lockState="unlock"),
    # "deadbolt" disengages the deadbolt/latch: the door ends up unlocked.
    "deadbolt": sets(lockState="unlock"),
}
_LOCK_STATUS = {
    "battery": 100,
    "version": "V2.1",
    "lockState": "lock",
    "doorState": "close",
    "calibrate": True,
}
_LOCK_WEBHOOK_FIELDS = {"lockState": lock_state, "battery": copy("battery")}
_VISION_KEY_TYPES = ("permanent", "timeLimit", "disposable")
_KEYPAD_KEY_TYPES = ("permanent", "timeLimit", "disposable", "urgent")


def _lock_group_listing(device_id: str) -> dict[str, Any]:
    return {"group": False, "master": True, "groupName": "", "lockDevicesIds": [device_id]}


def _key_listing(_device_id: str) -> dict[str, Any]:
    return {"keyList": []}


def _lock(
    device_type: str,
    webhook_type: str,
    *,
    status: dict[str, Any] = _LOCK_STATUS,
    commands: dict[str, CommandHandler] = _LOCK_COMMANDS,
    grouped: bool = True,
) -> TypeSpec:
    return TypeSpec(
        device_type,
        status=status,
        commands=commands,
        webhook=WebhookSpec(webhook_type, _LOCK_WEBHOOK_FIELDS),
        listing=_lock_group_listing if grouped else _key_listing,
    )


def _vision_lock(device_type: str, webhook_type: str) -> TypeSpec:
    return _lock(
        device_type,
        webhook_type,
        status=_LOCK_STATUS | {"onlineStatus": "online"},
        commands={
            "lock": _LOCK_COMMANDS["lock"],
            "unlock": _LOCK_COMMANDS["unlock"],
            "createKey": _create_key(_VISION_KEY_TYPES),
            "deleteKey": _delete_key,
        },
        grouped=False,
    )


LOCK_VISION = _vision_lock("Lock Vision", "W1141000")
LOCK_VISION_PRO = _vision_lock("Lock Vision Pro", "W1141001")
# Lock Lite: no doorState; its command section lists only lock/unlock (no deadbolt).
LOCK_LITE = _lock(
    "Lock Lite",
    "WoLockLite",
    status={"battery": 100, "version": "V1.0", "lockState": "lock", "calibrate": True},
    commands={"lock": _LOCK_COMMANDS["lock"], "unlock": _LOCK_COMMANDS["unlock"]},
)

# Where the README's webhook table and JSON sample disagree (§4 [INC]), the sample is used.
LOCKS = [
    _lock("Smart Lock", "WoLock"),
    _lock("Smart Lock Pro", "WoLockPro"),
    TypeSpec(
        "Smart Lock Pro Wifi",
        status=_LOCK_STATUS | {"onlineStatus": "online"},
        commands=_LOCK_COMMANDS | {"nightLatchUnlock": sets(lockState="unlock")},
        webhook=WebhookSpec("WoLockProWifi", _LOCK_WEBHOOK_FIELDS),
    ),
    # The status table names it "Lock Ultra"; the list's "Smart Lock Ultra" is used for both.
    _lock("Smart Lock Ultra", "Smart Lock Ultra"),
    # Not in the reference: taken to be an Ultra, pushing under its own name [UNV].
    _lock("Smart Lock Ultra Max", "Smart Lock Ultra Max"),
    LOCK_VISION,
    LOCK_VISION_PRO,
    LOCK_LITE,
    # The spellings the cloud's device list reports for the last three.
    spelled(LOCK_VISION, "Smart Lock Vision"),
    spelled(LOCK_VISION_PRO, "Smart Lock Vision Pro"),
    spelled(LOCK_LITE, "Smart Lock Lite"),
]

# --- Keypads ------------------------------------------------------------------------------


def _keypad_listing(_device_id: str) -> dict[str, Any]:
    return {"lockDeviceId": "", "keyList": []}


KEYPADS = [
    TypeSpec(
        device_type,
        status={},  # only deviceId, deviceType and hubDeviceId
        commands={"createKey": _create_key(_KEYPAD_KEY_TYPES), "deleteKey": _delete_key},
        webhook=WebhookSpec(webhook_type, {}),
        listing=_keypad_listing,
    )
    for device_type, webhook_type in (
        ("Keypad", "WoKeypad"),
        ("Keypad Touch", "WoKeypadTouch"),
        ("Keypad Vision", "Keypad Vision"),
        ("Keypad Vision Pro", "Keypad Vision Pro"),
    )
]

TYPES = [*LOCKS, *KEYPADS]
