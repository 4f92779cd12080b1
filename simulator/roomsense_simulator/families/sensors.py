"""Meters (§5.5), motion/contact/presence/water sensors (§5.8) and the climate panel (§5.13).

Apart from the Weather Station these take no commands; their state changes through physical
events injected with `POST /_sim/devices/{id}/event`.
"""

from __future__ import annotations

from typing import Any

from .. import params
from ..spec import (
    CommandHandler,
    CommandRequest,
    Effect,
    TypeSpec,
    WebhookSource,
    WebhookSpec,
    const,
    copy,
    detection,
    from_internal,
)

# --- Meters -------------------------------------------------------------------------------

_METER_STATUS = {"battery": 100, "version": "V2.7", "temperature": 22.3, "humidity": 48}
_METER_FIELDS = {
    "temperature": copy("temperature"),
    "scale": const("CELSIUS"),
    "humidity": copy("humidity"),
    "battery": copy("battery"),
}


def _meter(device_type: str, webhook_type: str, **extra_status: Any) -> TypeSpec:
    extra_fields = {key: copy(key) for key in extra_status}
    return TypeSpec(
        device_type,
        status=_METER_STATUS | extra_status,
        webhook=WebhookSpec(webhook_type, _METER_FIELDS | extra_fields),
    )


def _custom_text(key: str) -> CommandHandler:
    def handle(request: CommandRequest) -> Effect:
        return Effect(internal={key: params.text(request.parameter)})

    return handle


WEATHER_STATION = TypeSpec(
    "WeatherStation",
    status=_METER_STATUS,
    internal={"customQuote": None, "customPage": None},
    commands={
        "customQuote": _custom_text("customQuote"),
        "cancelCustom": lambda _request: Effect(internal={"customQuote": None, "customPage": None}),
        "customPage": _custom_text("customPage"),
    },
    webhook=WebhookSpec("WeatherStation", _METER_FIELDS),
)

# --- Sensors ------------------------------------------------------------------------------

MOTION_SENSOR = TypeSpec(
    "Motion Sensor",
    status={"battery": 100, "version": "V1.3", "moveDetected": False, "brightness": "dim"},
    webhook=WebhookSpec(
        "WoPresence",
        {"detectionState": detection("moveDetected"), "battery": copy("battery")},
    ),
)

CONTACT_SENSOR = TypeSpec(
    "Contact Sensor",
    status={
        "battery": 100,
        "version": "V1.4",
        "moveDetected": False,
        "openState": "close",
        "brightness": "dim",
    },
    # doorMode (IN_DOOR/OUT_DOOR: the direction someone passed) exists only in webhooks.
    internal={"doorMode": "OUT_DOOR"},
    webhook=WebhookSpec(
        "WoContact",
        {
            "detectionState": detection("moveDetected"),
            "doorMode": from_internal("doorMode", "OUT_DOOR"),
            "brightness": copy("brightness"),
            "openState": copy("openState"),
            "battery": copy("battery"),
        },
    ),
)

PRESENCE_SENSOR = TypeSpec(
    "Presence Sensor",
    # "Detected" with a capital D is how the README spells it.
    status={"battery": 100, "version": "V1.0", "lightLevel": 10, "Detected": False},
    webhook=WebhookSpec(
        "Presence Sensor",
        {
            "detectionState": detection("Detected"),
            "battery": copy("battery"),
            "lightLevel": copy("lightLevel"),
        },
    ),
)

WATER_DETECTOR = TypeSpec(
    "Water Detector",
    status={"battery": 100, "version": "V1.0", "status": 0},
    # The webhook's detectionState is the integer itself: 0 dry, 1 leak.
    webhook=WebhookSpec(
        "Water Detector", {"detectionState": copy("status"), "battery": copy("battery")}
    ),
)

# --- Home Climate Panel -------------------------------------------------------------------


def _bright_or_dim(source: WebhookSource) -> Any:
    """Status brightness is 1-100, the webhook says "bright"/"dim" (§5.13): split at 50."""
    level = source.status.get("brightness")
    if not isinstance(level, int | float):
        return level
    return "bright" if level >= 50 else "dim"


HOME_CLIMATE_PANEL = TypeSpec(
    "Home Climate Panel",
    status={
        "battery": 100,
        "version": "V1.0",
        "temperature": 22.0,
        "humidity": 45,
        "moveDetected": False,
        "brightness": 60,
    },
    webhook=WebhookSpec(
        "climate Panel",
        {
            "temperature": copy("temperature"),
            "humidity": copy("humidity"),
            "scale": const("CELSIUS"),
            "battery": copy("battery"),
            "detectionState": detection("moveDetected"),
            "brightness": _bright_or_dim,
        },
    ),
)

TYPES = [
    _meter("Meter", "WoMeter"),
    # Table "WoMeterPlus", sample "WoMeter" (a copy of the Meter's sample): the table is used.
    _meter("MeterPlus", "WoMeterPlus"),
    _meter("WoIOSensor", "WoIOSensor"),
    WEATHER_STATION,
    _meter("MeterPro", "MeterPro"),
    _meter("MeterPro(CO2)", "MeterPro(CO2)", CO2=620),
    MOTION_SENSOR,
    CONTACT_SENSOR,
    PRESENCE_SENSOR,
    WATER_DETECTOR,
    HOME_CLIMATE_PANEL,
]
