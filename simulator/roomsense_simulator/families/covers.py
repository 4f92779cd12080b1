"""Curtains (§5.3), Blind Tilt and Roller Shade (§5.15).

Movements complete at once: `moving` stays false and the position is final right after the
command, which keeps tests deterministic.
"""

from __future__ import annotations

from typing import Any

from .. import params
from ..spec import CommandRequest, Effect, TypeSpec, WebhookSpec, copy
from .common import sets

# --- Curtain, Curtain3: slidePosition 0 = open ... 100 = closed ----------------------------

_CURTAIN_MODES = ("0", "1", "ff")  # performance, silent, default


def _curtain_position(request: CommandRequest) -> Effect:
    """`setPosition` "index,mode,position", e.g. "0,ff,80"."""
    index, mode, position = params.fields(request.parameter, ",", 3)
    params.integer(index, 0, 255, name="index")
    params.choice(mode.lower(), _CURTAIN_MODES, name="mode")
    return Effect(status={"slidePosition": params.integer(position, 0, 100, name="position")})


def _curtain_listing(device_id: str) -> dict[str, Any]:
    return {
        "curtainDevicesIds": [device_id],
        "calibrate": True,
        "group": False,
        "master": True,
        "openDirection": "left",
    }


def _curtain(device_type: str, webhook_type: str) -> TypeSpec:
    return TypeSpec(
        device_type,
        status={
            "calibrate": True,
            "group": False,
            "moving": False,
            "battery": 80,
            "version": "V4.3",
            "slidePosition": 100,
        },
        commands={
            "setPosition": _curtain_position,
            "turnOn": sets(slidePosition=0, moving=False),
            "turnOff": sets(slidePosition=100, moving=False),
            "pause": sets(moving=False),
        },
        webhook=WebhookSpec(
            webhook_type,
            {
                "calibrate": copy("calibrate"),
                "group": copy("group"),
                "slidePosition": copy("slidePosition"),
                "battery": copy("battery"),
            },
        ),
        listing=_curtain_listing,
        listing_from_status=("calibrate", "group"),
    )


# --- Blind Tilt: slidePosition 0 = closed ... 100 = open, always even ------------------------


def _blind_tilt_position(request: CommandRequest) -> Effect:
    """`setPosition` "direction;position", e.g. "up;60"; the position must be even."""
    direction, position = params.fields(request.parameter, ";", 2)
    params.choice(direction, ("up", "down"), name="direction")
    value = params.integer(position, 0, 100, name="position")
    if value % 2:
        raise params.InvalidParameterError(f"position must be even, got {value}")
    return Effect(status={"direction": direction, "slidePosition": value})


def _blind_tilt_listing(device_id: str) -> dict[str, Any]:
    return {"blindTiltDevicesIds": [device_id], "master": True}


BLIND_TILT = TypeSpec(
    "Blind Tilt",
    status={
        "version": 1,
        "calibrate": True,
        "group": False,
        "moving": False,
        "direction": "up",
        "slidePosition": 100,
        # Not in its status table; Home Assistant's own integration reads it [UNV].
        "battery": 90,
    },
    commands={
        "setPosition": _blind_tilt_position,
        "fullyOpen": sets(slidePosition=100),
        "closeUp": sets(direction="up", slidePosition=0),
        "closeDown": sets(direction="down", slidePosition=0),
    },
    # Blind Tilt sends no webhooks (§7).
    listing=_blind_tilt_listing,
    listing_from_status=("version", "calibrate", "group", "direction", "slidePosition"),
)

# --- Roller Shade: slidePosition 0 = open ... 100 = closed ----------------------------------


def _roller_shade_listing(device_id: str) -> dict[str, Any]:
    return {
        "bleVersion": 1,
        "groupingDevicesIds": [device_id],
        "group": False,
        "master": True,
        "groupName": "",
    }


ROLLER_SHADE = TypeSpec(
    "Roller Shade",
    status={
        "version": "V1.0",
        "calibrate": True,
        "battery": 100,
        "moving": False,
        "slidePosition": 100,
    },
    # Only setPosition is documented for the Roller Shade (§5.15).
    commands={
        "setPosition": lambda request: Effect(
            status={"slidePosition": params.integer(request.parameter, 0, 100)}
        ),
    },
    webhook=WebhookSpec(
        "WoRollerShade",
        {
            "calibrate": copy("calibrate"),
            "slidePosition": copy("slidePosition"),
            "battery": copy("battery"),
        },
    ),
    listing=_roller_shade_listing,
)

TYPES = [
    _curtain("Curtain", "WoCurtain"),
    _curtain("Curtain3", "WoCurtain3"),
    # Not in the reference: taken to be a Curtain3, its webhook name guessed alike [UNV].
    _curtain("Curtain4", "WoCurtain4"),
    BLIND_TILT,
    ROLLER_SHADE,
]
