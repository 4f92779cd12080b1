"""What RoomSense can do with each SwitchBot model over Bluetooth, in the cloud's terms.

The catalog says which Open API types each local model drives (`catalog.bluetooth_model`);
this table joins the model to what it advertises (PySwitchbot's `SwitchbotModel` values)
and to PySwitchbot's device class. For each model it says how an advertisement reads as
Open API status fields (so the entities of a cloud device take it as it is) and which Open
API commands go out locally, each as a call on the PySwitchbot device. Those commands are
registered with the catalog, so their idempotency and danger are the cloud's.

Nothing here imports Home Assistant; PySwitchbot is imported by the caller.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from .. import catalog
from . import blind_tilt

type Parameter = str | dict[str, Any]
# A local command: the PySwitchbot device, the Open API parameter and the device's known
# status (Open API fields); True when the device answered that it did it.
type LocalCommand = Callable[[Any, Parameter, Mapping[str, Any]], Awaitable[bool]]
type StatusReader = Callable[[Mapping[str, Any]], dict[str, Any]]


class LocalParameterError(ValueError):
    """An Open API parameter that has no local equivalent."""


@dataclass(frozen=True, slots=True)
class LocalModel:
    """One SwitchBot model as RoomSense drives it over Bluetooth."""

    name: str
    # PySwitchbot's `SwitchbotModel` member names of what the device advertises.
    advertised_models: frozenset[str]
    status: StatusReader
    # The PySwitchbot class (an attribute of the `switchbot` module) that sends commands,
    # its extra arguments, and the commands; None for models that only advertise.
    device_class: str | None = None
    commands: Mapping[str, LocalCommand] = field(default_factory=dict)
    class_kwargs: Mapping[str, Any] = field(default_factory=dict)
    # Needs a key (key id and encryption key) to connect.
    encrypted: bool = False
    # Whether the advertisement carries every status field the cloud reports; only then
    # can it stand in for the cloud's reads (a plug's voltage, a bulb's colour, a
    # humidifier's temperature come from the cloud alone).
    advertises_everything: bool = True

    @property
    def connectable(self) -> bool:
        """Whether RoomSense ever connects to it (only to send commands)."""
        return bool(self.commands)


def _on_off(value: Any) -> str | None:
    return None if value is None else ("on" if value else "off")


def _one_zero(value: Any) -> int | None:
    """A yes or no as the Open API's 1 or 0."""
    return None if value is None else int(bool(value))


def _kept(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields the advertisement really carried (PySwitchbot gives None for the rest)."""
    return {key: value for key, value in fields.items() if value is not None}


def _int(parameter: Parameter, low: int, high: int) -> int:
    try:
        value = int(str(parameter))
    except ValueError as err:
        raise LocalParameterError(f"not a number: {parameter!r}") from err
    if not low <= value <= high:
        raise LocalParameterError(f"{value} is not within {low}-{high}")
    return value


def _brightness(status: Mapping[str, Any]) -> int:
    """The light's brightness now, for commands that set it along with the colour."""
    value = status.get("brightness")
    return value if isinstance(value, int) and 1 <= value <= 100 else 100


def _done(result: Any) -> bool:
    # Some PySwitchbot commands return nothing at all (the humidifier's): no news is success.
    return result is None or bool(result)


def _call(method: str, *, trust_result: bool = True) -> LocalCommand:
    async def run(device: Any, _parameter: Parameter, _status: Mapping[str, Any]) -> bool:
        result = await getattr(device, method)()
        return _done(result) if trust_result else True

    return run


async def _set_brightness(device: Any, parameter: Parameter, _status: Mapping[str, Any]) -> bool:
    return _done(await device.set_brightness(_int(parameter, 1, 100)))


async def _set_color(device: Any, parameter: Parameter, status: Mapping[str, Any]) -> bool:
    parts = str(parameter).split(":")
    if len(parts) != 3:
        raise LocalParameterError(f"not R:G:B: {parameter!r}")
    red, green, blue = (_int(part, 0, 255) for part in parts)
    return _done(await device.set_rgb(_brightness(status), red, green, blue))


async def _set_color_temperature(
    device: Any, parameter: Parameter, status: Mapping[str, Any]
) -> bool:
    kelvin = _int(parameter, 2700, 6500)
    return _done(await device.set_color_temp(_brightness(status), kelvin))


async def _set_curtain_position(
    device: Any, parameter: Parameter, _status: Mapping[str, Any]
) -> bool:
    # "index,mode,position": 0 open, 100 closed, the device's own (and the cloud's) sense.
    parts = str(parameter).split(",")
    if len(parts) != 3:
        raise LocalParameterError(f"not index,mode,position: {parameter!r}")
    return _done(await device.set_position(_int(parts[2], 0, 100)))


def _blind_tilt_of(parameter: Parameter) -> int:
    """PySwitchbot's tilt for a Blind Tilt `setPosition` "direction;position" ("up;60").

    The two scales are in `blind_tilt`.
    """
    parts = str(parameter).split(";")
    if len(parts) != 2 or parts[0] not in ("up", "down"):
        raise LocalParameterError(f"not up;position or down;position: {parameter!r}")
    position = _int(parts[1], 0, 100)
    if position % 2:
        raise LocalParameterError(f"the position must be even: {position}")
    return blind_tilt.tilt_of(parts[0], position)


async def _set_blind_tilt_position(
    device: Any, parameter: Parameter, _status: Mapping[str, Any]
) -> bool:
    return _done(await device.set_position(_blind_tilt_of(parameter)))


# --- how advertisements read as Open API status fields ------------------------------------


def _bot(data: Mapping[str, Any]) -> dict[str, Any]:
    # In press mode the Bot has no on/off state to report.
    power = _on_off(data.get("isOn")) if data.get("switchMode") else None
    mode = None
    if data.get("switchMode") is not None:
        mode = "switchMode" if data["switchMode"] else "pressMode"
    return _kept({"power": power, "battery": data.get("battery"), "deviceMode": mode})


def _renaming(**advertised: str) -> StatusReader:
    """The status of fields advertised as they are, only named otherwise.

    Each keyword is an Open API field, its value the advertisement's name for it.
    """

    def status(data: Mapping[str, Any]) -> dict[str, Any]:
        return _kept({field: data.get(name) for field, name in advertised.items()})

    return status


_meter: Final = _renaming(
    temperature="temperature", humidity="humidity", battery="battery", CO2="co2"
)
_hub2: Final = _renaming(temperature="temperature", humidity="humidity", lightLevel="lightLevel")


_LOCK_STATES: Final = {
    "LOCKED": "lock",
    "NOT_FULLY_LOCKED": "lock",
    "HALF_LOCKED": "lock",
    "UNLOCKED": "unlock",
    "LOCKING_STOP": "jammed",
    "UNLOCKING_STOP": "jammed",
}


def _lock(data: Mapping[str, Any]) -> dict[str, Any]:
    status = data.get("status")
    name = getattr(status, "name", None)
    door = data.get("door_open")
    return _kept(
        {
            # Locking and unlocking are moments on the way: the state before them stands.
            "lockState": _LOCK_STATES.get(name) if name else None,
            "doorState": None if door is None else ("open" if door else "close"),
            "calibrate": data.get("calibration"),
            "battery": data.get("battery"),
        }
    )


def _contact(data: Mapping[str, Any]) -> dict[str, Any]:
    state = None
    if data.get("contact_timeout"):
        state = "timeOutNotClose"
    elif data.get("contact_open") is not None:
        state = "open" if data["contact_open"] else "close"
    # It has a motion detector of its own: the rest is a motion sensor's.
    return _kept({"openState": state}) | _motion(data)


def _motion(data: Mapping[str, Any]) -> dict[str, Any]:
    light = data.get("is_light")
    return _kept(
        {
            "moveDetected": data.get("motion_detected"),
            "brightness": None if light is None else ("bright" if light else "dim"),
            "battery": data.get("battery"),
        }
    )


def _leak(data: Mapping[str, Any]) -> dict[str, Any]:
    return _kept({"status": _one_zero(data.get("leak")), "battery": data.get("battery")})


def _switched(field: str, advertised: str) -> StatusReader:
    """The status of a device that is on or off and reports one figure more."""

    def status(data: Mapping[str, Any]) -> dict[str, Any]:
        return _kept({"power": _on_off(data.get("isOn")), field: data.get(advertised)})

    return status


# The Open API reports the Plug Mini's draw in `weight` (watts, as observed).
_plug: Final = _switched("weight", "power")
_light: Final = _switched("brightness", "brightness")
_humidifier: Final = _switched("humidity", "humidity")


def _ceiling_light(data: Mapping[str, Any]) -> dict[str, Any]:
    fields = _light(data)
    if isinstance(data.get("cw"), int) and 2700 <= data["cw"] <= 6500:
        fields["colorTemperature"] = data["cw"]
    return fields


# What a motorised cover advertises beside its position.
_motor: Final = _renaming(moving="inMotion", calibrate="calibration", battery="battery")


def _curtain(data: Mapping[str, Any]) -> dict[str, Any]:
    return _kept({"slidePosition": data.get("position")}) | _motor(data)


def _blind_tilt(data: Mapping[str, Any]) -> dict[str, Any]:
    tilt = data.get("tilt")
    # Level slats lean no way (None): the direction last known (the cloud's too) stands.
    position, direction = blind_tilt.position_of(tilt) if isinstance(tilt, int) else (None, None)
    return _kept({"slidePosition": position, "direction": direction}) | _motor(data)


def _relay(data: Mapping[str, Any]) -> dict[str, Any]:
    return _kept({"switchStatus": _one_zero(data.get("isOn")), "power": data.get("power")})


_ON_OFF_COMMANDS: Final = {"turnOn": _call("turn_on"), "turnOff": _call("turn_off")}
# PySwitchbot 2.9.0's Plug Mini reports a successful turn_off as a failure.
_PLUG_COMMANDS: Final = {
    "turnOn": _call("turn_on"),
    "turnOff": _call("turn_off", trust_result=False),
}
_LIGHT_COMMANDS: Final = {**_ON_OFF_COMMANDS, "setBrightness": _set_brightness}

MODELS: Final[tuple[LocalModel, ...]] = (
    LocalModel(
        "bot",
        frozenset({"BOT"}),
        _bot,
        "Switchbot",
        {**_ON_OFF_COMMANDS, "press": _call("press")},
    ),
    LocalModel(
        "curtain",
        frozenset({"CURTAIN"}),
        _curtain,
        "SwitchbotCurtain",
        {
            "turnOn": _call("open"),
            "turnOff": _call("close"),
            "pause": _call("stop"),
            "setPosition": _set_curtain_position,
        },
        # Positions as the device and the Open API count them: 0 open, 100 closed.
        class_kwargs=MappingProxyType({"reverse_mode": False}),
    ),
    LocalModel(
        "blind_tilt",
        frozenset({"BLIND_TILT"}),
        _blind_tilt,
        "SwitchbotBlindTilt",
        {
            "fullyOpen": _call("open"),
            "closeUp": _call("close_up"),
            "closeDown": _call("close_down"),
            "setPosition": _set_blind_tilt_position,
        },
        # The tilt as the device advertises it: 0 shut downwards, 50 open, 100 shut upwards.
        class_kwargs=MappingProxyType({"reverse_mode": False}),
    ),
    LocalModel(
        "meter",
        frozenset({"METER", "IO_METER", "METER_PRO", "METER_PRO_C"}),
        _meter,
    ),
    LocalModel("hub2", frozenset({"HUB2"}), _hub2),
    LocalModel(
        "lock",
        frozenset({"LOCK", "LOCK_PRO", "LOCK_ULTRA", "LOCK_LITE"}),
        _lock,
        "SwitchbotLock",
        {
            "lock": _call("lock"),
            "unlock": _call("unlock"),
            "deadbolt": _call("unlock_without_unlatch"),
        },
        encrypted=True,
    ),
    LocalModel("contact", frozenset({"CONTACT_SENSOR"}), _contact),
    LocalModel("motion", frozenset({"MOTION_SENSOR"}), _motion),
    LocalModel("leak", frozenset({"LEAK"}), _leak),
    LocalModel(
        "plug_mini",
        frozenset({"PLUG_MINI"}),
        _plug,
        "SwitchbotPlugMini",
        _PLUG_COMMANDS,
        advertises_everything=False,
    ),
    LocalModel(
        "color_bulb",
        frozenset({"COLOR_BULB"}),
        _light,
        "SwitchbotBulb",
        {
            **_LIGHT_COMMANDS,
            "setColor": _set_color,
            "setColorTemperature": _set_color_temperature,
        },
        advertises_everything=False,
    ),
    LocalModel(
        "strip_light",
        frozenset({"LIGHT_STRIP"}),
        _light,
        "SwitchbotLightStrip",
        {**_LIGHT_COMMANDS, "setColor": _set_color},
        advertises_everything=False,
    ),
    LocalModel(
        "ceiling_light",
        frozenset({"CEILING_LIGHT"}),
        _ceiling_light,
        "SwitchbotCeilingLight",
        {**_LIGHT_COMMANDS, "setColorTemperature": _set_color_temperature},
    ),
    LocalModel(
        "humidifier",
        frozenset({"HUMIDIFIER"}),
        _humidifier,
        "SwitchbotHumidifier",
        _ON_OFF_COMMANDS,
        advertises_everything=False,
    ),
    LocalModel(
        "relay_switch",
        frozenset({"RELAY_SWITCH_1", "RELAY_SWITCH_1PM"}),
        _relay,
        "SwitchbotRelaySwitch",
        _ON_OFF_COMMANDS,
        encrypted=True,
        advertises_everything=False,
    ),
)

_BY_NAME: Final = {model.name: model for model in MODELS}

# Their local commands are the catalog's too: the gateway decides on idempotency and danger.
for _model in MODELS:
    for _type_string in catalog.bluetooth_types(_model.name):
        _spec = catalog.device_spec(_type_string, infrared=False)
        catalog.register_local_commands(
            _type_string, [name for name in _model.commands if _spec and _spec.supports(name)]
        )


def model_for(cloud_type: str) -> LocalModel | None:
    """The local model of an Open API `deviceType`, or None when it has no Bluetooth path."""
    name = catalog.bluetooth_model(cloud_type)
    return _BY_NAME.get(name) if name else None


def address_of(device_id: str) -> str | None:
    """The Bluetooth address of a cloud device id (its MAC without separators), if it is one."""
    if len(device_id) != 12:
        return None
    try:
        int(device_id, 16)
    except ValueError:
        return None
    upper = device_id.upper()
    return ":".join(upper[index : index + 2] for index in range(0, 12, 2))


def device_id_of(address: str) -> str:
    """The cloud device id of a Bluetooth address."""
    return address.replace(":", "").upper()
