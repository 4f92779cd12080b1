"""Turn an understood request into real SwitchBot Open API v1.1 commands per device type.

Each builder returns None when the device cannot do what was asked, so the parser can say
so instead of sending a command the cloud would reject (statusCode 160).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from .. import catalog
from ..catalog import Family
from ..home_model import Action, HomeDevice
from .lexicon import (
    AC_DEFAULT_TEMPERATURE,
    AC_FAN_CODES,
    AC_MAX_TEMPERATURE,
    AC_MIN_TEMPERATURE,
    AC_MODE_AUTO,
    BRIGHTNESS_STEP,
    BUTTON_SYNONYMS,
    CIRCULATOR_MODES,
    CIRCULATOR_SPEEDS,
    HUMIDIFIER2_LEVELS,
    HUMIDIFIER2_MODES,
    HUMIDIFIER_LEVELS,
    IR_FAN_COMMANDS,
    MUTE_WORDS,
    Op,
)

# Step buttons (§6.2): one press per step, on the remotes whose table has them.
_IR_STEP_COMMANDS: Final = {
    Op.VOLUME_UP: "volumeAdd",
    Op.VOLUME_DOWN: "volumeSub",
    Op.CHANNEL_UP: "channelAdd",
    Op.CHANNEL_DOWN: "channelSub",
}
_MUTE_BUTTON_NAMES: Final = frozenset(
    word for group in BUTTON_SYNONYMS if "mute" in group for word in group
) | frozenset(MUTE_WORDS)
# Standard vacuum run: "standard" suction, one pass; the demo scenes use the same values.
VACUUM_FAN_LEVEL: Final = 2
VACUUM_WATER_LEVEL: Final = 1

_POWER: Final = {Op.TURN_ON: "turnOn", Op.TURN_OFF: "turnOff"}
_POWER_OR_STOP: Final = {**_POWER, Op.STOP: "turnOff"}
_DOCK_OR_PAUSE: Final = {Op.DOCK: "dock", Op.STOP: "pause", Op.TURN_OFF: "pause"}
# The requests that are one command without a parameter, by family; a command the catalog
# does not list for the device's type (a plug's toggle, a lock's deadbolt) is not sent.
_PLAIN_COMMANDS: Final[dict[Family | None, dict[Op, str]]] = {
    # Opening a garage lets anyone in: the catalog has turnOn confirmed first.
    Family.GARAGE_DOOR_OPENER: {**_POWER, Op.OPEN: "turnOn", Op.CLOSE: "turnOff"},
    Family.BOT: {**_POWER, Op.PRESS: "press"},
    Family.PLUG: {**_POWER, Op.TOGGLE: "toggle"},
    Family.RELAY_SWITCH: {**_POWER, Op.TOGGLE: "toggle"},
    Family.CURTAIN: {Op.OPEN: "turnOn", Op.CLOSE: "turnOff", Op.STOP: "pause"},
    Family.BLIND_TILT: {Op.OPEN: "fullyOpen", Op.CLOSE: "closeDown"},
    Family.LOCK: {
        Op.LOCK: "lock",
        Op.CLOSE: "lock",
        Op.UNLOCK: "unlock",
        Op.OPEN: "unlock",
        Op.DEADBOLT: "deadbolt",
    },
    Family.SIMPLE_VACUUM: {
        Op.CLEAN: "start",
        Op.TURN_ON: "start",
        Op.STOP: "stop",
        Op.TURN_OFF: "stop",
        Op.DOCK: "dock",
    },
    Family.MOP_VACUUM: _DOCK_OR_PAUSE,
    Family.TASK_VACUUM: _DOCK_OR_PAUSE,
    Family.CIRCULATOR_FAN: _POWER_OR_STOP,
    Family.HUMIDIFIER: _POWER_OR_STOP,
    Family.EVAPORATIVE_HUMIDIFIER: _POWER_OR_STOP,
    Family.AIR_PURIFIER: _POWER_OR_STOP,
    Family.THERMOSTAT: _POWER,
}


@dataclass(frozen=True, slots=True)
class Request:
    """One understood operation with its values, not yet bound to a device."""

    op: Op
    percent: int | None = None
    rgb: str | None = None
    kelvin: int | None = None
    ac_mode: int | None = None
    setpoint: int | None = None
    fan_speed: str | None = None
    mop: bool = False
    button: str | None = None
    channel: int | None = None
    mode: str | None = None
    count: int = 1
    # "1度上げて": degrees up (+) or down (-) from the setpoint the device has now.
    setpoint_step: int | None = None


def _action(
    device: HomeDevice, command: str, parameter: str | dict[str, Any] = "default"
) -> tuple[Action, ...]:
    # Unlocking and opening the garage are confirmed first; the catalog says which those are.
    dangerous = catalog.is_dangerous_command(
        device.device_type, command, infrared=device.is_infrared
    )
    return (Action(device.device_id, command, parameter, "command", dangerous),)


def _family(device: HomeDevice) -> Family | None:
    return catalog.family_of(device.device_type, infrared=device.is_infrared)


def _supports(device: HomeDevice, command: str) -> bool:
    return catalog.supports(device.device_type, command, infrared=device.is_infrared)


def _is_off(device: HomeDevice) -> bool:
    """Whether the last known state says the device is switched off."""
    power = device.state.get("power")
    return isinstance(power, str) and power.lower() == "off"


def _lights(device: HomeDevice, request: Request) -> tuple[Action, ...] | None:
    setting = _light_setting(device, request)
    if setting is None or request.op in (Op.TURN_ON, Op.TURN_OFF, Op.TOGGLE):
        return setting
    if _is_off(device) and all(action.command != "turnOff" for action in setting):
        # A light that is off stays off on setColor/setBrightness: switch it on first.
        return (*_action(device, "turnOn"), *setting)
    return setting


def _light_setting(device: HomeDevice, request: Request) -> tuple[Action, ...] | None:
    match request.op:
        case Op.TURN_ON:
            return _action(device, "turnOn")
        case Op.TURN_OFF:
            return _action(device, "turnOff")
        case Op.TOGGLE:
            return _action(device, "toggle")
        case Op.BRIGHTNESS if request.percent is not None:
            if request.percent == 0:
                # "0 %" means off; 1-100 types reject setBrightness 0.
                return _action(device, "turnOff")
            return _action(device, "setBrightness", str(request.percent))
        case Op.BRIGHTER | Op.DIMMER:
            return _action(device, "setBrightness", str(_relative_brightness(device, request)))
        case Op.COLOR if request.rgb is not None:
            if _supports(device, "setColor"):
                return _action(device, "setColor", request.rgb)
            if request.rgb == "255:255:255" and _supports(device, "setColorTemperature"):
                # A white-only light still understands "white": neutral white.
                return _action(device, "setColorTemperature", "5000")
            return None
        case Op.COLOR_TEMPERATURE if request.kelvin is not None:
            if _supports(device, "setColorTemperature"):
                return _action(device, "setColorTemperature", str(request.kelvin))
            return None
    return None


def _relative_brightness(device: HomeDevice, request: Request) -> int:
    """Step the current brightness by 20 points; unknown brightness goes to 100 or 30."""
    current = device.state.get("brightness")
    if not isinstance(current, int | float) or isinstance(current, bool):
        return 100 if request.op is Op.BRIGHTER else 30
    step = BRIGHTNESS_STEP if request.op is Op.BRIGHTER else -BRIGHTNESS_STEP
    return max(1, min(100, int(current) + step))


def _ir_remote(device: HomeDevice, request: Request) -> tuple[Action, ...] | None:
    family = _family(device)
    if request.op is Op.CUSTOM and request.button in device.custom_buttons:
        return (Action(device.device_id, request.button, "default", "customize"),)
    if request.op is Op.MUTE:
        if _supports(device, "setMute"):
            return _action(device, "setMute")
        button = next(
            (name for name in device.custom_buttons if name.lower() in _MUTE_BUTTON_NAMES), None
        )
        return (
            None if button is None else (Action(device.device_id, button, "default", "customize"),)
        )
    if family is Family.CUSTOM_REMOTE:
        return None
    if request.op in _IR_STEP_COMMANDS:
        command = _IR_STEP_COMMANDS[request.op]
        # "音を3つ下げて": one press per step.
        return (
            _action(device, command) * max(1, request.count) if _supports(device, command) else None
        )
    if request.op is Op.CHANNEL:
        if _supports(device, "SetChannel") and request.channel is not None and request.channel > 0:
            return _action(device, "SetChannel", str(request.channel))
        return None
    if request.op is Op.TURN_ON:
        return _action(device, "turnOn")
    if request.op in (Op.TURN_OFF, Op.STOP):
        return _action(device, "turnOff")
    if family is Family.AIR_CONDITIONER_REMOTE and request.op in (
        Op.CLIMATE,
        Op.COOLER,
        Op.WARMER,
        Op.FAN_SPEED,
    ):
        return _air_conditioner(device, request)
    if family is Family.LIGHT_REMOTE and request.op in (Op.BRIGHTER, Op.DIMMER):
        return _action(device, "brightnessUp" if request.op is Op.BRIGHTER else "brightnessDown")
    if (
        family is Family.FAN_REMOTE
        and request.op is Op.FAN_SPEED
        and request.fan_speed in IR_FAN_COMMANDS
    ):
        return _action(device, IR_FAN_COMMANDS[request.fan_speed])
    return None


def _air_conditioner(device: HomeDevice, request: Request) -> tuple[Action, ...] | None:
    """Build setAll "temp,mode,fan,power"; missing parts come from the last known state."""
    state = device.state
    mode = request.ac_mode or _int_or_none(state.get("mode")) or AC_MODE_AUTO
    setpoint = request.setpoint or _int_or_none(state.get("temperature"))
    if request.setpoint_step is not None:
        if setpoint is None:
            return None  # no setpoint known to step from
        setpoint += request.setpoint_step
        if not AC_MIN_TEMPERATURE <= setpoint <= AC_MAX_TEMPERATURE:
            return None
    if setpoint is None:
        setpoint = AC_DEFAULT_TEMPERATURE[mode]
    if request.fan_speed is not None:
        if request.fan_speed not in AC_FAN_CODES:
            return None
        fan = AC_FAN_CODES[request.fan_speed]
    else:
        fan = _int_or_none(state.get("fanSpeed")) or AC_FAN_CODES["auto"]
    return _action(device, "setAll", f"{setpoint},{mode},{fan},on")


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _plain(device: HomeDevice, request: Request) -> tuple[Action, ...] | None:
    """The one command without a parameter that the request is for the device's family."""
    command = _PLAIN_COMMANDS.get(_family(device), {}).get(request.op)
    return None if command is None or not _supports(device, command) else _action(device, command)


def _covers(device: HomeDevice, request: Request) -> tuple[Action, ...] | None:
    """Positions in a Request are "percent open"; each family encodes them differently."""
    family = _family(device)
    open_percent = request.percent
    if request.op is Op.OPEN:
        open_percent = 100
    elif request.op is Op.CLOSE:
        open_percent = 0
    elif request.op is not Op.POSITION:
        open_percent = None
    if open_percent is None:
        return None
    if family is Family.CURTAIN:
        # Curtain positions are inverted: 0 = open, 100 = closed.
        return _action(device, "setPosition", f"0,ff,{100 - open_percent}")
    if family is Family.BLIND_TILT:
        # Blind Tilt wants an even position, 0 = closed, 100 = open.
        return _action(device, "setPosition", f"up;{open_percent // 2 * 2}")
    if family is Family.ROLLER_SHADE:
        return _action(device, "setPosition", str(100 - open_percent))
    return None


def _vacuums(device: HomeDevice, request: Request) -> tuple[Action, ...] | None:
    """A clean with a mop vacuum's or a task vacuum's settings."""
    if request.op not in (Op.CLEAN, Op.TURN_ON):
        return None
    family = _family(device)
    if family is Family.MOP_VACUUM:
        param = {
            "action": "sweep_mop" if request.mop else "sweep",
            "param": {"fanLevel": VACUUM_FAN_LEVEL, "waterLevel": VACUUM_WATER_LEVEL, "times": 1},
        }
        return _action(device, "startClean", param)
    if family is Family.TASK_VACUUM:
        param = {
            "action": "mop" if request.mop else "sweep",
            "param": {"fanLevel": VACUUM_FAN_LEVEL, "times": 1},
        }
        return _action(device, "startClean", param)
    return None


def _fans(device: HomeDevice, request: Request) -> tuple[Action, ...] | None:
    if _family(device) is not Family.CIRCULATOR_FAN:
        return None
    if request.op is Op.FAN_SPEED:
        if request.percent is not None and 1 <= request.percent <= 100:
            return _action(device, "setWindSpeed", str(request.percent))
        if request.fan_speed in CIRCULATOR_SPEEDS:
            return _action(device, "setWindSpeed", str(CIRCULATOR_SPEEDS[request.fan_speed]))
    if request.op is Op.MODE and request.mode in CIRCULATOR_MODES:
        return _action(device, "setWindMode", request.mode)
    return None


def _humidifiers(device: HomeDevice, request: Request) -> tuple[Action, ...] | None:
    family = _family(device)
    if family not in (Family.HUMIDIFIER, Family.EVAPORATIVE_HUMIDIFIER):
        return None
    if request.op is Op.HUMIDITY and request.percent is not None:
        # A humidifier that is off is switched on before it is given a target.
        power_on = _action(device, "turnOn") if _is_off(device) else ()
        if family is Family.EVAPORATIVE_HUMIDIFIER:
            # Mode 5 is the target-humidity mode; note the API's spelling "targetHumidify".
            target = {"mode": 5, "targetHumidify": request.percent}
            return (*power_on, *_action(device, "setMode", target))
        if family is Family.HUMIDIFIER:
            return (*power_on, *_action(device, "setMode", str(request.percent)))
    if request.op is Op.FAN_SPEED and request.percent is None and request.fan_speed:
        # 「加湿器を強に」: the output level.
        power_on = _action(device, "turnOn") if _is_off(device) else ()
        if family is Family.EVAPORATIVE_HUMIDIFIER and request.fan_speed in HUMIDIFIER2_LEVELS:
            level = {"mode": HUMIDIFIER2_LEVELS[request.fan_speed]}
            return (*power_on, *_action(device, "setMode", level))
        if family is Family.HUMIDIFIER and request.fan_speed in HUMIDIFIER_LEVELS:
            return (*power_on, *_action(device, "setMode", HUMIDIFIER_LEVELS[request.fan_speed]))
    if (
        request.op is Op.MODE
        and family is Family.EVAPORATIVE_HUMIDIFIER
        and request.mode in HUMIDIFIER2_MODES
    ):
        power_on = _action(device, "turnOn") if _is_off(device) else ()
        return (*power_on, *_action(device, "setMode", {"mode": HUMIDIFIER2_MODES[request.mode]}))
    return None


def _thermostat(device: HomeDevice, request: Request) -> tuple[Action, ...] | None:
    if _family(device) is not Family.THERMOSTAT:
        return None
    if request.op in (Op.CLIMATE, Op.WARMER, Op.COOLER) and request.setpoint is not None:
        return _action(device, "setManualModeTemperature", str(request.setpoint))
    return None


_CLOUD_BUILDERS: Final[tuple[Callable[[HomeDevice, Request], tuple[Action, ...] | None], ...]] = (
    _plain,
    _covers,
    _vacuums,
    _fans,
    _humidifiers,
    _thermostat,
)


def build_actions(device: HomeDevice, request: Request) -> tuple[Action, ...] | None:
    """The commands that carry out `request` on `device`, or None if it cannot."""
    if request.op is Op.VOLUME:
        # A volume level (a robot vacuum's voice): only where the API has setVolume.
        if request.percent is None or not _supports(device, "setVolume"):
            return None
        return _action(device, "setVolume", str(request.percent))
    if device.is_infrared:
        return _ir_remote(device, request)
    if _family(device) is Family.LIGHT:
        return _lights(device, request)
    for builder in _CLOUD_BUILDERS:
        if (actions := builder(device, request)) is not None:
            return actions
    return None
