"""Humidifiers and air purifiers (§5.12), the radiator thermostat (§5.13) and fans (§5.14)."""

from __future__ import annotations

from typing import Any

from .. import params
from ..spec import CommandRequest, Effect, TypeSpec, WebhookSpec, copy, spelled, upper
from .common import one_of, power_commands, ranged

# --- Humidifier (original) ----------------------------------------------------------------

_HUMIDIFIER_PRESETS = {"101": 34, "102": 67, "103": 100}


def _humidifier_mode(request: CommandRequest) -> Effect:
    """`auto`, a preset 101/102/103 (34/67/100 %), or an atomisation level 0-100."""
    value = request.parameter
    if value == "auto":
        return Effect(status={"auto": True})
    if str(value) in _HUMIDIFIER_PRESETS:
        return Effect(
            status={"auto": False, "nebulizationEfficiency": _HUMIDIFIER_PRESETS[str(value)]}
        )
    return Effect(status={"auto": False, "nebulizationEfficiency": params.integer(value, 0, 100)})


HUMIDIFIER = TypeSpec(
    "Humidifier",
    status={
        "power": "off",
        "humidity": 45,
        "temperature": 22.5,
        "nebulizationEfficiency": 34,
        "auto": False,
        "childLock": False,
        "sound": True,
        "lackWater": False,
    },
    commands=power_commands() | {"setMode": _humidifier_mode},
    # The original Humidifier sends no webhooks (§7).
)

# --- Evaporative Humidifier (Humidifier2) -------------------------------------------------

_DRYING_MODE = 8


def _humidifier2_mode(request: CommandRequest) -> Effect:
    """`{"mode": 1-8, "targetHumidify": 0-100}`; `targetHumidify` may be left out."""
    spec = params.json_object(request.parameter)
    mode = params.integer(spec.get("mode"), 1, 8, name="mode")
    internal: dict[str, Any] = {}
    if "targetHumidify" in spec:
        internal["targetHumidify"] = params.integer(
            spec["targetHumidify"], 0, 100, name="targetHumidify"
        )
    return Effect(status={"mode": mode, "drying": mode == _DRYING_MODE}, internal=internal)


HUMIDIFIER2 = TypeSpec(
    "Humidifier2",
    status={
        "power": "off",
        "humidity": 45,
        "mode": 7,
        "drying": False,
        "childLock": False,
        "filterElement": {"effectiveUsageHours": 720, "usedHours": 120},
        "version": 2,
    },
    internal={"targetHumidify": 50},
    commands=power_commands()
    | {
        "setMode": _humidifier2_mode,
        "setChildLock": lambda request: Effect(
            status={"childLock": params.boolean(request.parameter)}
        ),
    },
    # Humidifier2 webhooks keep `power` (lowercase, like the README sample).
    webhook=WebhookSpec(
        "Humidifier2", {"power": copy("power"), "mode": copy("mode"), "drying": copy("drying")}
    ),
)

# --- Air purifiers ------------------------------------------------------------------------


def _purifier_mode(request: CommandRequest) -> Effect:
    """`{"mode": 1-4, "fanGear": 1-3}`; `fanGear` only matters (and is required) for mode 1."""
    spec = params.json_object(request.parameter)
    mode = params.integer(spec.get("mode"), 1, 4, name="mode")
    internal: dict[str, Any] = {}
    if mode == 1 or "fanGear" in spec:
        internal["fanGear"] = params.integer(spec.get("fanGear"), 1, 3, name="fanGear")
    return Effect(status={"mode": mode}, internal=internal)


def _air_purifier(device_type: str) -> TypeSpec:
    return TypeSpec(
        device_type,
        # The README writes this family's power as uppercase "ON"/"OFF".
        status={"power": "OFF", "version": "V1.0", "mode": 2, "childLock": 0},
        internal={"fanGear": 1},
        commands=power_commands(on="ON", off="OFF")
        | {
            "setMode": _purifier_mode,
            "setChildLock": lambda request: Effect(
                status={"childLock": params.integer(request.parameter, 0, 1)}
            ),
        },
        webhook=WebhookSpec(
            device_type,
            {"power": copy("power"), "mode": copy("mode"), "childLock": copy("childLock")},
        ),
    )


# --- Smart Radiator Thermostat ------------------------------------------------------------

_THERMOSTAT_OFF = 2
_THERMOSTAT_MANUAL = 1


def _thermostat_on(request: CommandRequest) -> Effect:
    """`turnOn` returns to the mode used before `turnOff` (manual by default)."""
    if request.status.get("mode") != _THERMOSTAT_OFF:
        return Effect()
    return Effect(status={"mode": int(request.internal.get("modeBeforeOff", _THERMOSTAT_MANUAL))})


def _thermostat_off(request: CommandRequest) -> Effect:
    mode = request.status.get("mode")
    if mode == _THERMOSTAT_OFF:
        return Effect()
    return Effect(status={"mode": _THERMOSTAT_OFF}, internal={"modeBeforeOff": mode})


def _thermostat_manual_temperature(request: CommandRequest) -> Effect:
    """4-35 °C. The status has only the measured `temperature`: the set point is internal."""
    celsius = params.number(request.parameter, 4, 35)
    return Effect(internal={"manualModeTemperature": celsius})


SMART_RADIATOR_THERMOSTAT = TypeSpec(
    "Smart Radiator Thermostat",
    status={"battery": 100, "mode": _THERMOSTAT_MANUAL, "temperature": 20.5, "version": "V1.0"},
    internal={"manualModeTemperature": 21.0, "modeBeforeOff": _THERMOSTAT_MANUAL},
    commands={
        "turnOn": _thermostat_on,
        "turnOff": _thermostat_off,
        "setMode": ranged("mode", 0, 5),
        "setManualModeTemperature": _thermostat_manual_temperature,
    },
    webhook=WebhookSpec(
        "Smart Radiator Thermostat", {"mode": copy("mode"), "battery": copy("battery")}
    ),
)

# --- Circulator fans ----------------------------------------------------------------------

_WIND_MODES = ("direct", "natural", "sleep", "baby")
_NIGHT_LIGHTS = ("1", "2")  # bright, dim (§5.14)


def _fan(
    device_type: str,
    webhook_type: str,
    *,
    battery: bool,
    night_lights: tuple[str, ...] = _NIGHT_LIGHTS,
) -> TypeSpec:
    status: dict[str, Any] = {
        "mode": "direct",
        "version": "V1.1",
        "power": "off",
        "nightStatus": "off",
        "oscillation": "off",
        "verticalOscillation": "off",
        "fanSpeed": 50,
    }
    fields = {
        "mode": copy("mode"),
        "version": copy("version"),
        "powerState": upper("power"),
        "nightStatus": copy("nightStatus"),
        "oscillation": copy("oscillation"),
        "verticalOscillation": copy("verticalOscillation"),
        "fanSpeed": copy("fanSpeed"),
    }
    if battery:
        status |= {"battery": 100, "chargingStatus": "uncharged"}
        if webhook_type == "WoFan2":
            # Only the Battery Circulator Fan's webhook carries the battery fields (§7).
            fields |= {"battery": copy("battery"), "chargingStatus": copy("chargingStatus")}
    return TypeSpec(
        device_type,
        status=status,
        internal={"closeDelay": None},
        commands=power_commands()
        | {
            "setNightLightMode": one_of("nightStatus", ("off", *night_lights)),
            "setWindMode": one_of("mode", _WIND_MODES),
            "setWindSpeed": ranged("fanSpeed", 1, 100),
            "closeDelay": ranged("closeDelay", 1, 36_000, internal=True),
        },
        webhook=WebhookSpec(webhook_type, fields),
    )


STANDING_CIRCULATOR_FAN = _fan("Standing Circulator Fan", "Standing Fan", battery=True)

# --- Smart Fan (legacy, documented in v1.0 only) ------------------------------------------


def _smart_fan_all(request: CommandRequest) -> Effect:
    """`setAllStatus` "power,fanMode,speed,shakeRange", e.g. "on,1,1,60"."""
    power, mode, speed, shake_range = params.fields(request.parameter, ",", 4)
    return Effect(
        status={
            "power": params.choice(power, ("on", "off"), name="power"),
            "mode": params.integer(mode, 1, 2, name="fanMode"),
            "speed": params.integer(speed, 1, 4, name="speed"),
            "shakeRange": params.integer(shake_range, 0, 120, name="shakeRange"),
        }
    )


SMART_FAN = TypeSpec(
    "Smart Fan",
    status={
        "power": "off",
        "mode": 1,
        "speed": 1,
        "shaking": False,
        "shakeCenter": 60,
        "shakeRange": 60,
    },
    commands=power_commands() | {"setAllStatus": _smart_fan_all},
)

TYPES = [
    HUMIDIFIER,
    HUMIDIFIER2,
    *(
        _air_purifier(device_type)
        for device_type in (
            "Air Purifier VOC",
            "Air Purifier Table VOC",
            "Air Purifier PM2.5",
            "Air Purifier Table PM2.5",
        )
    ),
    SMART_RADIATOR_THERMOSTAT,
    _fan("Battery Circulator Fan", "WoFan2", battery=True),
    _fan("Circulator Fan", "WoFan2", battery=False),
    STANDING_CIRCULATOR_FAN,
    # The cloud's list says "Standing Fan", as its webhook does (§4).
    spelled(STANDING_CIRCULATOR_FAN, "Standing Fan"),
    # Not in the reference: its night light is "0" bright and "1" dim, as Home Assistant's
    # own integration sends it; the webhook name is guessed [UNV].
    _fan(
        "Battery Circulator Fan 2 Pro",
        "Battery Circulator Fan 2 Pro",
        battery=True,
        night_lights=("0", "1"),
    ),
    SMART_FAN,
]
