"""The device's side of a GATT connection: the SwitchBot byte protocol.

A client writes a request to `cba20002-...` and the device answers with a notification of
`cba20003-...`. Requests start with the magic byte 0x57, then a header byte (bits 3-0 the
command: 0x01 action, 0x02 basic info, 0x03 settings, 0x0E notifications, 0x0F extended
command; bits 5-4 set when a Bot password follows) and the payload. Answers start with a
status byte (`Status`).

Encrypted devices (locks, relay switches) take `57 <key id> <2-byte header> <ciphertext>`;
the client first asks for a per-connection IV with the plain request
`57 00 00 00 0F 21 03 <key id>`, answered `01 00 <mode> 00 <IV>`. Encrypted answers are
`<status> 00 00 00 <ciphertext of the rest>`.

`GattPeer.connect()` opens a `GattSession`; `GattSession.write(data)` carries out one request
on the `BleDevice` (changing its state, logging it) and returns a `PeerReply`: the
notifications to send, how long to wait first, or that the link drops instead. It knows no
transport; `proxy.py` plugs it into bleak.
"""

from __future__ import annotations

import binascii
import hashlib
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import crypto
from .const import MAGIC, LockState, Status
from .model import BleDevice, ReceivedCommand


class DeviceUnreachableError(Exception):
    """A connection attempt fails: the device is out of range or does not accept one."""


@dataclass(slots=True)
class PeerReply:
    """What the device does after a write."""

    notifications: list[bytes] = field(default_factory=list)
    delay: float = 0.0
    """Seconds before the notifications go out."""
    drop: bool = False
    """The link drops instead of answering."""
    state_changed: bool = False
    """The device's advertised state changed."""


@dataclass(slots=True)
class Answer:
    """A decoded request and the device's plaintext answer to it."""

    decoded: tuple[Any, ...]
    status: int = Status.OK
    data: bytes = b""
    changed: bool = False
    events: list[bytes] = field(default_factory=list)
    """Further plaintext notifications after the answer (a lock's status report)."""

    @property
    def plaintext(self) -> bytes:
        """The answer as the device sends it before encryption: status, then data."""
        return bytes([self.status]) + self.data


def _unknown(command: bytes, status: int = Status.UNSUPPORTED) -> Answer:
    return Answer(("unknown", command.hex()), status)


def _u24(value: float) -> bytes:
    return struct.pack(">I", max(0, min(round(value), 0xFFFFFF)))[1:]


def _u16(value: float) -> bytes:
    return struct.pack(">H", max(0, min(round(value), 0xFFFF)))


def _fw(device: BleDevice) -> int:
    return max(0, min(round((device.firmware or 0) * 10), 0xFF))


def _battery(device: BleDevice) -> int:
    return int(device.state.get("battery", 100))


class GattPeer:
    """The device side of the connections to one simulated device."""

    def __init__(self, device: BleDevice) -> None:
        self.device = device
        self.connections = 0
        """Connections accepted so far."""

    def connect(self) -> GattSession:
        """Accept a connection, or raise `DeviceUnreachableError`."""
        device = self.device
        if device.faults.out_of_range:
            raise DeviceUnreachableError(f"{device.address} is out of range")
        if not device.connectable:
            raise DeviceUnreachableError(
                f"{device.address} ({device.spec.friendly_name}) only advertises"
            )
        self.connections += 1
        return GattSession(device, self.connections)


class GattSession:
    """One connection: its encryption IV and whether the client asked for status reports."""

    def __init__(self, device: BleDevice, number: int) -> None:
        self.device = device
        self.number = number
        self.iv: bytes | None = None
        self.notifications_enabled = False

    # --- framing ---------------------------------------------------------------------

    def write(self, data: bytes) -> PeerReply:
        """Carry out one request; never raises for any input."""
        data = bytes(data)
        device = self.device
        if device.faults.out_of_range:
            # Gone while connected: the request never arrives and the link drops.
            return PeerReply(drop=True)
        encrypted_frame = False
        try:
            if len(data) < 2 or data[0] != MAGIC:
                answer = _unknown(data)
                payload = data
            elif device.encrypted and data[1:4] != b"\x00\x00\x00":
                encrypted_frame = True
                payload, answer = self._encrypted_request(data)
            else:
                payload, answer = self._plain_request(data)
        except Exception as err:  # noqa: BLE001 - a malformed request must not crash the peer
            payload, answer = data, Answer(("error", type(err).__name__, data.hex()), Status.ERROR)
        drop = device.faults.take_drop(str(answer.decoded[0]))
        device.command_log.append(
            ReceivedCommand(
                decoded=answer.decoded,
                raw=data,
                payload=payload,
                answer=None if drop else answer.plaintext,
                encrypted=encrypted_frame,
            )
        )
        reply = PeerReply(state_changed=answer.changed, delay=device.faults.response_delay)
        if drop:
            reply.drop = True
            return reply
        if encrypted_frame:
            reply.notifications.append(self._seal(answer.plaintext))
            for event in answer.events:
                reply.notifications.append(self._seal(event))
            if device.encryption_mode == "gcm" and self.iv is not None:
                self.iv = crypto.increment_iv(self.iv)
        else:
            reply.notifications.append(answer.plaintext)
        return reply

    def _plain_request(self, data: bytes) -> tuple[bytes, Answer]:
        device = self.device
        if device.encrypted:
            command = data[4:]
            if command[:3] == b"\x0f\x21\x03" and len(command) >= 4:
                return command, self._iv_request(command)
            return command, _unknown(command, Status.ENCRYPTED)
        header = data[1]
        if header & 0x30:  # a Bot password (CRC32) follows the header
            crc, rest = data[2:6], data[6:]
            command = bytes([header & 0x0F]) + rest
            if device.password is None:
                return command, Answer(_decode_only(device, command), Status.UNENCRYPTED)
            expected = struct.pack(">I", binascii.crc32(device.password.encode("ascii")))
            if crc != expected:
                return command, Answer(_decode_only(device, command), Status.PASSWORD_ERROR)
            return command, _dispatch(self, command)
        command = data[1:]
        if device.password is not None:
            return command, Answer(_decode_only(device, command), Status.ENCRYPTED)
        return command, _dispatch(self, command)

    def _iv_request(self, command: bytes) -> Answer:
        device = self.device
        if command[3] != device.key_number:
            return Answer(("get_encryption_iv", f"{command[3]:02x}"), Status.PASSWORD_ERROR)
        gcm = device.encryption_mode == "gcm"
        seed = f"{device.address}|{device.key_id}|{self.number}".encode()
        self.iv = hashlib.sha256(seed).digest()[: 12 if gcm else 16]
        data = bytes([0x00, 0x01 if gcm else 0x00, 0x00]) + self.iv + (b"\x00" * 4 if gcm else b"")
        return Answer(("get_encryption_iv", device.key_id), Status.OK, data)

    def _encrypted_request(self, data: bytes) -> tuple[bytes, Answer]:
        device = self.device
        key = device.key_bytes
        key_id, header, ciphertext = data[1], data[2:4], data[4:]
        if self.iv is None:
            return b"", Answer(("no_session",), Status.PASSWORD_ERROR)
        if device.encryption_mode == "gcm":
            command = crypto.gcm_decrypt(key, self.iv, ciphertext)
            authentic = crypto.gcm_encrypt(key, self.iv, command)[1][:2] == header
        else:
            command = crypto.ctr(key, self.iv, ciphertext)
            authentic = header == self.iv[:2]
        if key_id != device.key_number or not authentic or device.faults.wrong_key:
            return command, Answer(("rejected", ciphertext.hex()), Status.PASSWORD_ERROR)
        answer = _dispatch(self, command)
        if answer.decoded[0] == "unknown" and (not command or command[0] not in _HEADERS):
            # What a wrong key makes of a request: not a SwitchBot command at all.
            answer = Answer(("rejected", ciphertext.hex()), Status.PASSWORD_ERROR)
        return command, answer

    def _seal(self, plaintext: bytes) -> bytes:
        """An encrypted answer: the status byte in clear, the rest encrypted."""
        device = self.device
        if len(plaintext) <= 1 or self.iv is None:
            return plaintext[:1] + b"\x00\x00\x00"
        key = device.key_bytes
        if device.encryption_mode == "gcm":
            body = crypto.gcm_encrypt(key, self.iv, plaintext[1:])[0]
        else:
            body = crypto.ctr(key, self.iv, plaintext[1:])
        return plaintext[:1] + b"\x00\x00\x00" + body


_HEADERS = {0x00, 0x01, 0x02, 0x03, 0x0E, 0x0F}
"""Command bytes a request can start with."""


# --- dispatch ------------------------------------------------------------------------------


def _dispatch(session: GattSession, command: bytes) -> Answer:
    device = session.device
    if not command:
        return _unknown(command)
    handler = _HANDLERS.get(device.spec.family)
    if handler is not None and (answer := handler(session, command)) is not None:
        return answer
    if command == b"\x02":
        return Answer(("get_basic_info",), Status.OK, bytes([_battery(device), _fw(device)]))
    if command[:2] == b"\x00\x03":
        return Answer(("get_version",), Status.OK, bytes([0x01, _fw(device), 0x00]))
    return _unknown(command)


def _decode_only(device: BleDevice, command: bytes) -> tuple[Any, ...]:
    """How a refused request reads (without carrying it out)."""
    if device.spec.family == "bot" and command[:1] == b"\x01" and len(command) >= 2:
        return (_BOT_ACTIONS.get(command[1], "unknown"),)
    return ("refused", command.hex())


# Bot ------------------------------------------------------------------------------------

_BOT_ACTIONS = {0: "press", 1: "turn_on", 2: "turn_off", 3: "hand_down", 4: "hand_up"}


def _bot(session: GattSession, command: bytes) -> Answer | None:
    device = session.device
    state = device.state
    if command[0] == 0x01 and len(command) >= 2 and command[1] in _BOT_ACTIONS:
        action = _BOT_ACTIONS[command[1]]
        changed = False
        if state["switchMode"]:
            target = {
                "press": not state["isOn"],
                "turn_on": True,
                "turn_off": False,
                "hand_down": True,
                "hand_up": False,
            }[action]
            changed = device.set_state(isOn=target)
        return Answer((action,), Status.OK, changed=changed)
    if command == b"\x02":
        internal = device.internal
        data = bytes(
            [
                _battery(device),
                _fw(device),
                int(internal["strength"]) & 0xFF,
                0,
                0,
                0,
                0,
                int(internal["timers"]) & 0xFF,
                (0x10 if state["switchMode"] else 0) | (0x01 if internal["inverse"] else 0),
                int(internal["holdSeconds"]) & 0xFF,
            ]
        )
        return Answer(("get_basic_info",), Status.OK, data)
    if command[0] == 0x03 and len(command) >= 3:
        switch_mode, inverse = bool(command[2] & 0xF0), bool(command[2] & 0x0F)
        device.set_internal(strength=command[1], inverse=inverse)
        changed = device.set_state(switchMode=switch_mode, isOn=state["isOn"] and switch_mode)
        return Answer(("set_switch_mode", switch_mode, command[1], inverse), changed=changed)
    if command[:2] == b"\x0f\x08" and len(command) >= 3:
        device.set_internal(holdSeconds=command[2])
        return Answer(("set_long_press", command[2]))
    return None


# Plug Mini ------------------------------------------------------------------------------


def _plug(session: GattSession, command: bytes) -> Answer | None:
    device = session.device
    if command[:3] == b"\x0f\x50\x01" and len(command) >= 5:
        if command[3] == 0x01:
            target = command[4] == 0x80
            name = "turn_on" if target else "turn_off"
        elif command[3] == 0x02:
            target, name = not device.state["isOn"], "toggle"
        else:
            return None
        power = float(device.internal["load_watts"]) if target else 0.0
        changed = device.set_state(isOn=target, power=power)
        return Answer((name,), Status.OK, bytes([0x80 if target else 0x00]), changed)
    if command[:3] == b"\x0f\x51\x01":
        return Answer(("get_state",), Status.OK, bytes([0x80 if device.state["isOn"] else 0]))
    return None


# Curtain, Curtain 3, Blind Tilt -----------------------------------------------------------


def _cover(session: GattSession, command: bytes) -> Answer | None:
    device = session.device
    state = device.state
    internal = device.internal
    curtain = device.spec.family == "curtain"
    if command[:3] == b"\x0f\x45\x01" and len(command) >= 5:
        sub = command[3]
        if sub == 0x00:
            return Answer(("stop",), Status.OK, changed=device.set_state(inMotion=False))
        if sub in (0x01, 0x05) and len(command) >= 6 and (sub == 0x05 or command[4] == 0x01):
            raw = max(0, min(command[5], 100))
            value = 100 - raw if curtain else raw
            field_name, verb = ("position", "set_position") if curtain else ("tilt", "set_tilt")
            decoded: tuple[Any, ...] = (verb, value) if sub == 0x01 else (verb, value, command[4])
            changed = device.set_state(**{field_name: value, "inMotion": False})
            return Answer(decoded, Status.OK, changed=changed)
        return None
    if command == b"\x02":
        raw = 100 - int(state["position"]) if curtain else int(state["tilt"])
        flags = (
            (0x80 if internal.get("openDirection") == "right_to_left" else 0)
            | (0x40 if internal.get("touchToOpen") else 0)
            | (0x20 if internal.get("light") else 0)
        )
        motion = (0x04 if state["calibration"] else 0) | (0x08 if internal["solarPanel"] else 0)
        if state["inMotion"]:
            motion |= 0x02
        data = bytes(
            [
                _battery(device),
                _fw(device),
                int(state.get("deviceChain", 1)),
                flags,
                motion,
                raw,
                int(internal["timers"]) & 0xFF,
            ]
        )
        return Answer(("get_basic_info",), Status.OK, data)
    if command == b"\x0f\x46\x04\x01":
        flags = (0x20 if internal.get("light") else 0) | (
            0x40 if internal.get("touchToOpen") else 0
        )
        if curtain and internal.get("openDirection") == "left_to_right":
            flags |= 0x10
        return Answer(("get_extended_info_summary",), Status.OK, bytes([flags, 0x00]))
    if command == b"\x0f\x46\x04\x02":
        charging = 1 if internal.get("solarPanel") else 0
        data = bytes([_battery(device), _fw(device), charging, 0x00, 0x00, 0x00])
        return Answer(("get_extended_info_adv",), Status.OK, data)
    return None


# Meter Pro / Meter Pro CO2 ----------------------------------------------------------------


def _meter_pro(session: GattSession, command: bytes) -> Answer | None:
    device = session.device
    internal = device.internal
    if command == b"\x0f\x69\x05\x06":
        offset = int(internal["time_offset"])
        data = bytes([0x80 if offset < 0 else 0x00]) + _u24(abs(offset))
        return Answer(("get_time_offset",), Status.OK, data)
    if command[:4] == b"\x0f\x68\x05\x06" and len(command) >= 8:
        magnitude = int.from_bytes(command[5:8], "big")
        offset = -magnitude if command[4] & 0x80 else magnitude
        device.set_internal(time_offset=offset)
        return Answer(("set_time_offset", offset))
    if command[:4] == b"\x0f\x68\x05\x05" and len(command) >= 5:
        twelve_hour = bool(command[4] & 0x80)
        device.set_internal(twelve_hour=twelve_hour)
        return Answer(("set_time_display_format", twelve_hour))
    if command == b"\x0f\x69\x01":
        shown = time.gmtime(time.time() + int(internal["time_offset"]))
        data = b"\x00\x00\x00\x00" + bytes([0x80 if internal["twelve_hour"] else 0x00])
        data += struct.pack(">H", shown.tm_year) + bytes(
            [shown.tm_mon, shown.tm_mday, shown.tm_hour, shown.tm_min, shown.tm_sec]
        )
        return Answer(("get_datetime",), Status.OK, data)
    if command[:3] == b"\x00\x05\x03" and len(command) >= 13:
        utc_hours = command[3] - 12
        timestamp = int.from_bytes(command[4:12], "big")
        return Answer(("set_datetime", timestamp, utc_hours, command[12]))
    return None


# Locks ------------------------------------------------------------------------------------


def _lock_report(device: BleDevice) -> bytes:
    """The lock's status bytes, as in its info answer and status notifications."""
    state = device.state
    status = int(state["status"])
    if device.spec.family == "lock_pro":
        data = bytearray(8)
        data[0] = (0x80 if state["calibration"] else 0) | (status & 0x0F) << 3
        data[1] = 0x10 if state["door_open"] else 0
        data[5] = (0x80 if state["unclosed_alarm"] else 0) | (
            0x40 if state["unlocked_alarm"] else 0
        )
        return bytes(data)
    data = bytearray(8)
    data[0] = (
        (0x80 if state["calibration"] else 0)
        | (status & 0x07) << 4
        | (0x04 if state.get("door_open") else 0)
    )
    data[1] = (0x20 if state.get("unclosed_alarm") else 0) | (
        0x10 if state["unlocked_alarm"] else 0
    )
    return bytes(data)


_LOCK_ACTIONS = {
    0x00: ("lock", LockState.LOCKED),
    0x80: ("unlock", LockState.UNLOCKED),
    0xA0: ("unlock_without_unlatch", LockState.UNLOCKED),
    0x08: ("half_lock", LockState.HALF_LOCKED),
}


def _lock(session: GattSession, command: bytes) -> Answer | None:
    device = session.device
    if command[:3] == b"\x0f\x4f\x81" and len(command) >= 4:
        return Answer(("get_lock_info",), Status.OK, _lock_report(device))
    if command[:4] == b"\x0f\x4e\x01\x01" and len(command) >= 6:
        action = _LOCK_ACTIONS.get(command[-1])
        if action is None or (action[0] == "half_lock" and device.spec.family != "lock_pro"):
            return None
        name, target = action
        if name == "unlock_without_unlatch" and device.state.get("night_latch"):
            # EU night-latch firmware: the bolt goes back, the latch stays in.
            target = LockState.NOT_FULLY_LOCKED
        changed = device.set_state(status=target)
        events = [b"\x0f" + _lock_report(device)] if session.notifications_enabled else []
        return Answer((name,), Status.OK, changed=changed, events=events)
    if command[:2] == b"\x0e\x01":
        session.notifications_enabled = True
        return Answer(("enable_notifications",))
    if command == b"\x0e\x00":
        session.notifications_enabled = False
        return Answer(("disable_notifications",))
    if command == b"\x02":
        data = bytes([_battery(device), _fw(device), 0, 0, 0, 0, 0, 0])
        return Answer(("get_basic_info",), Status.OK, data)
    return None


# Lights -----------------------------------------------------------------------------------


def _rgb_answer(device: BleDevice, *, cw_offset: int) -> bytes:
    state, internal = device.state, device.internal
    data = bytearray(10)
    data[0] = 0x80 if state["isOn"] else 0
    data[1] = int(state["brightness"]) & 0x7F
    data[2:5] = bytes([int(internal["r"]), int(internal["g"]), int(internal["b"])])
    data[cw_offset : cw_offset + 2] = _u16(int(internal["cw"]))
    data[9] = int(state["color_mode"]) & 0x0F
    return bytes(data)


def _light_common(
    device: BleDevice, sub: int, rest: bytes, *, rgb: int, color_temp: int, ct_mode: int
) -> Answer | None:
    if sub == 0x01 and not rest:
        return Answer(("turn_on",), changed=device.set_state(isOn=True))
    if sub == 0x02:
        return Answer(("turn_off",), changed=device.set_state(isOn=False))
    if sub == 0x14 and len(rest) >= 1:
        brightness = min(rest[0], 100)
        return Answer(
            ("set_brightness", brightness),
            changed=device.set_state(isOn=True, brightness=brightness),
        )
    if sub == rgb and len(rest) >= 4:
        brightness, red, green, blue = min(rest[0], 100), rest[1], rest[2], rest[3]
        device.set_internal(r=red, g=green, b=blue, effect=None)
        changed = device.set_state(isOn=True, brightness=brightness, color_mode=2)
        return Answer(("set_rgb", brightness, red, green, blue), changed=changed)
    if sub == color_temp and len(rest) >= 3:
        brightness, kelvin = min(rest[0], 100), int.from_bytes(rest[1:3], "big")
        device.set_internal(cw=kelvin, effect=None)
        changed = device.set_state(isOn=True, brightness=brightness, color_mode=ct_mode)
        return Answer(("set_color_temp", brightness, kelvin), changed=changed)
    return None


def _bulb(session: GattSession, command: bytes) -> Answer | None:
    device = session.device
    if command[:3] == b"\x0f\x47\x01" and len(command) >= 4:
        sub, rest = command[3], command[4:]
        if sub == 0x01 and len(rest) >= 2 and rest[0] == 0x03:
            device.set_internal(effect=rest[1])
            changed = device.set_state(isOn=True, color_mode=3)
            return Answer(("set_effect", rest[1]), changed=changed)
        return _light_common(device, sub, rest, rgb=0x12, color_temp=0x13, ct_mode=1)
    if command == b"\x0f\x48\x01":
        return Answer(("get_state",), Status.OK, _rgb_answer(device, cw_offset=5))
    return None


def _strip(session: GattSession, command: bytes) -> Answer | None:
    device = session.device
    if command[:3] == b"\x0f\x49\x01" and len(command) >= 4:
        return _light_common(device, command[3], command[4:], rgb=0x12, color_temp=0x11, ct_mode=6)
    if command[:3] == b"\x0f\x49\x07":
        changed = device.set_state(isOn=True, color_mode=3)
        return Answer(("set_effect_data", command[3:].hex()), changed=changed)
    if command == b"\x0f\x4a\x01":
        return Answer(("get_state",), Status.OK, _rgb_answer(device, cw_offset=6))
    return None


def _ceiling(session: GattSession, command: bytes) -> Answer | None:
    device = session.device
    state = device.state
    if command[:3] == b"\x0f\x54\x01" and len(command) >= 5:
        power, mode = command[3], command[4]
        brightness = command[6] if len(command) >= 7 and command[6] != 0xFF else None
        kelvin = None
        if len(command) >= 9 and command[7:9] != b"\xff\xff":
            kelvin = int.from_bytes(command[7:9], "big")
        if power == 0x02:
            return Answer(("turn_off",), changed=device.set_state(isOn=False))
        if power != 0x01:
            return None
        changes: dict[str, Any] = {"isOn": True}
        if brightness is not None:
            changes["brightness"] = min(brightness, 100)
        if kelvin is not None:
            changes["cw"] = kelvin
        if mode in (0x00, 0x01):
            device.set_internal(night_light=mode == 0x01)
            decoded: tuple[Any, ...] = ("set_night_light", mode == 0x01, brightness, kelvin)
        elif brightness is None and kelvin is None:
            decoded = ("turn_on",)
        else:
            decoded = ("set_brightness", brightness, kelvin)
        return Answer(decoded, changed=device.set_state(**changes))
    if command == b"\x0f\x55\x81":
        data = (
            bytes(
                [
                    (0x80 if state["isOn"] else 0)
                    | (0x40 if device.internal["night_light"] else 0),
                    int(state["brightness"]) & 0x7F,
                ]
            )
            + _u16(int(state["cw"]))
            + b"\x00"
        )
        return Answer(("get_state",), Status.OK, data)
    return None


# Humidifier -------------------------------------------------------------------------------


def _humidifier(session: GattSession, command: bytes) -> Answer | None:
    device = session.device
    if command[:4] == b"\x0f\x43\x81\x01" and len(command) >= 6:
        on, level = command[4] == 0x01, command[5]
        changed = device.set_state(isOn=on, level=level)
        return Answer(("turn_on" if on else "turn_off", level), changed=changed)
    if command[:3] == b"\x0f\x44\x81":
        state = device.state
        return Answer(
            ("get_state",), Status.OK, bytes([0x80 if state["isOn"] else 0, state["level"]])
        )
    return None


# Relay Switch 1 / 1PM / 2PM, Garage Door Opener, Plug Mini (EU) ----------------------------

_RELAY_CHANNEL_ACTIONS = {0b00: "turn_off", 0b01: "turn_on", 0b10: "toggle"}


def _relay_power(device: BleDevice, on: bool, channel: int) -> dict[str, Any]:
    if "power" not in device.state:
        return {}
    load_key = "load_watts" if channel == 1 else "channel2_load_watts"
    value = float(device.internal[load_key]) if on else 0.0
    return {"power" if channel == 1 else "channel2_power": value}


def _relay(session: GattSession, command: bytes) -> Answer | None:
    device = session.device
    state = device.state
    two_channels = "channel2_isOn" in state
    if command[:3] == b"\x0f\x70\x01" and len(command) >= 4:
        selector = command[3]
        changes: dict[str, Any] = {}
        names: list[tuple[Any, ...]] = []
        for channel, bits in ((1, selector & 0b11), (2, (selector >> 2) & 0b11)):
            if (channel == 2 and not two_channels) or bits == 0b11:
                continue
            key = "isOn" if channel == 1 else "channel2_isOn"
            name = _RELAY_CHANNEL_ACTIONS[bits]
            target = {"turn_off": False, "turn_on": True, "toggle": not state[key]}[name]
            changes[key] = target
            changes.update(_relay_power(device, target, channel))
            names.append((name, channel) if two_channels else (name,))
        if not names:
            return None
        decoded = names[0] if len(names) == 1 else ("set_channels", *names)
        return Answer(decoded, changed=device.set_state(**changes))
    if command[:3] == b"\x0f\x70\x11" and len(command) >= 4 and "door_open" in state:
        verb = {0x01: "open", 0x02: "close", 0x03: "press"}.get(command[3])
        if verb is None:
            return None
        target = {"open": True, "close": False, "press": not state["door_open"]}[verb]
        return Answer((verb,), changed=device.set_state(door_open=target))
    if command == b"\x0f\x71\x81":
        flags = (0x80 if state["isOn"] else 0) | (0x40 if state.get("channel2_isOn") else 0)
        if "door_open" in state and not state["door_open"]:
            flags |= 0x20
        basic = bytearray(16)
        basic[0] = int(state["sequence_number"]) & 0xFF
        basic[1] = flags
        basic[15] = _fw(device)
        return Answer(("get_basic_info",), Status.OK, bytes(basic))
    if command[:3] == b"\x0f\x71\x06" and len(command) >= 4:
        channel = 2 if command[3] == 0x01 else 1
        internal = device.internal
        prefix = "" if channel == 1 else "channel2_"
        on = bool(state.get(f"{prefix}isOn"))
        power = float(state.get(f"{prefix}power", 0.0)) if on else 0.0
        voltage = float(internal["voltage"])
        current = power / voltage if on and voltage else 0.0
        data = (
            _u24(float(internal["energy"]) * 60000)
            + _u24(float(internal["energy_yesterday"]) * 60000)
            + _u16(float(internal["use_time"]) * 60)
            + _u16(voltage * 10)
            + _u16(current * 1000)
            + _u16(power * 10)
        )
        return Answer(("get_channel_info", channel), Status.OK, data)
    return None


_HANDLERS: dict[str, Callable[[GattSession, bytes], Answer | None]] = {
    "bot": _bot,
    "plug": _plug,
    "curtain": _cover,
    "blind_tilt": _cover,
    "meter_pro": _meter_pro,
    "lock": _lock,
    "lock_pro": _lock,
    "lock_lite": _lock,
    "bulb": _bulb,
    "strip": _strip,
    "ceiling": _ceiling,
    "humidifier": _humidifier,
    "relay": _relay,
}
