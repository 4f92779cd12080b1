"""Every SwitchBot device type and infrared remote type RoomSense knows, as data.

Nothing else in the integration names a type string. Platforms, parsers, safety and the
command gateway ask this catalog what a type is (its kind and family), which Home Assistant
platforms show it, whether the cloud pushes its changes, and which commands it takes: with
what parameter, whether sending one twice is harmless, and whether it needs a yes first.
The facts come from the Open API v1.1 reference (§4-§7 of shared/reference). A type the
cloud spells more than one way has one spec; its other spellings are aliases of it, which
every query here answers for as for the type itself.

Pure Python, with no Home Assistant and nothing else of the package: the parsers, the tests
and a second (Bluetooth) transport can all read it alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

DIY_PREFIX: Final = "DIY "
"""Learned infrared remotes are listed as "DIY <type>" (reference §6.1)."""

COMMAND: Final = "command"
CUSTOMIZE: Final = "customize"
"""The `commandType` of learned infrared buttons; the command is the button's name."""

UNLOCKING_LOCK_COMMANDS: Final = frozenset({"unlock", "deadbolt", "nightLatchUnlock"})
"""What opens a lock, whether or not a lock model lists the command (safety reads all)."""


class DeviceKind(StrEnum):
    """What a device is, independent of its exact SwitchBot model."""

    LIGHT = "light"
    PLUG = "plug"
    SWITCH = "switch"
    BOT = "bot"
    CURTAIN = "curtain"
    BLIND = "blind"
    LOCK = "lock"
    AIR_CONDITIONER = "air_conditioner"
    TV = "tv"
    FAN = "fan"
    HUMIDIFIER = "humidifier"
    VACUUM = "vacuum"
    SENSOR = "sensor"
    OTHER = "other"


class Family(StrEnum):
    """Types that share a command table and a status layout; code selects types by these."""

    # Physical devices (`deviceType`).
    HUB = "hub"
    METER = "meter"
    MOTION_SENSOR = "motion_sensor"
    CONTACT_SENSOR = "contact_sensor"
    PRESENCE_SENSOR = "presence_sensor"
    WATER_DETECTOR = "water_detector"
    CLIMATE_PANEL = "climate_panel"
    BOT = "bot"
    PLUG = "plug"
    RELAY_SWITCH = "relay_switch"
    RELAY_SWITCH_2PM = "relay_switch_2pm"
    GARAGE_DOOR_OPENER = "garage_door_opener"
    CURTAIN = "curtain"
    BLIND_TILT = "blind_tilt"
    ROLLER_SHADE = "roller_shade"
    LOCK = "lock"
    KEYPAD = "keypad"
    LIGHT = "light"
    SIMPLE_VACUUM = "simple_vacuum"
    TASK_VACUUM = "task_vacuum"
    MOP_VACUUM = "mop_vacuum"
    HUMIDIFIER = "humidifier"
    EVAPORATIVE_HUMIDIFIER = "evaporative_humidifier"
    AIR_PURIFIER = "air_purifier"
    THERMOSTAT = "thermostat"
    CIRCULATOR_FAN = "circulator_fan"
    SMART_FAN = "smart_fan"
    CAMERA = "camera"
    VIDEO_DOORBELL = "video_doorbell"
    ART_FRAME = "art_frame"
    HANDHELD_REMOTE = "handheld_remote"
    # Virtual infrared remotes (`remoteType`).
    AIR_CONDITIONER_REMOTE = "air_conditioner_remote"
    TV_REMOTE = "tv_remote"
    PLAYER_REMOTE = "player_remote"
    SPEAKER_REMOTE = "speaker_remote"
    FAN_REMOTE = "fan_remote"
    LIGHT_REMOTE = "light_remote"
    APPLIANCE_REMOTE = "appliance_remote"
    CUSTOM_REMOTE = "custom_remote"


class Feature(StrEnum):
    """What a type reports beyond its family's common fields (reference §5, §7)."""

    CLIMATE_READINGS = "climate_readings"
    """Temperature and humidity."""
    MOTION = "motion"
    """`moveDetected` (status) / `detectionState` (webhook)."""
    PRESENCE = "presence"
    """`Detected` with a capital D (status) / `detectionState` (webhook)."""
    LEAK = "leak"
    """`status` 0/1 (status) / `detectionState` as an int (webhook)."""
    CONTACT = "contact"
    """`openState`."""
    DOORBELL_PRESS = "doorbell_press"
    """`press`, in webhooks only."""
    SWITCH_STATUS = "switch_status"
    """On/off as `switchStatus` 0/1 rather than `power`."""
    DECIAMP_CURRENT = "deciamp_current"
    """`electricCurrent` in about 0.1 A steps rather than mA."""
    WATER_LEVEL = "water_level"
    """A mopping vacuum: `changeParam` carries a `waterLevel`."""


# --- command parameters -----------------------------------------------------------------------

type Parameter = str | int | Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class NoParameter:
    """The command takes the literal "default"."""

    def accepts(self, parameter: Parameter) -> bool:
        """Whether the cloud would take this parameter."""
        return parameter == "default"


@dataclass(frozen=True, slots=True)
class IntRange:
    """An integer, sent as a string, within `low`-`high` inclusive."""

    low: int
    high: int

    def accepts(self, parameter: Parameter) -> bool:
        """Whether the cloud would take this parameter."""
        if isinstance(parameter, bool):
            return False
        if isinstance(parameter, str):
            if not re.fullmatch(r"-?\d+", parameter.strip()):
                return False
            parameter = int(parameter)
        return isinstance(parameter, int) and self.low <= parameter <= self.high


@dataclass(frozen=True, slots=True)
class Choice:
    """One of a few fixed strings."""

    values: tuple[str, ...]

    def accepts(self, parameter: Parameter) -> bool:
        """Whether the cloud would take this parameter."""
        return isinstance(parameter, str | int) and str(parameter) in self.values


@dataclass(frozen=True, slots=True)
class Pattern:
    """A string of a documented shape; `example` is the reference's own."""

    regex: str
    example: str

    def accepts(self, parameter: Parameter) -> bool:
        """Whether the cloud would take this parameter."""
        return isinstance(parameter, str) and re.fullmatch(self.regex, parameter) is not None


@dataclass(frozen=True, slots=True)
class JsonObject:
    """A JSON object (not a string) with these keys."""

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    def accepts(self, parameter: Parameter) -> bool:
        """Whether the cloud would take this parameter."""
        if not isinstance(parameter, Mapping):
            return False
        keys = set(parameter)
        return set(self.required) <= keys <= {*self.required, *self.optional}


type ParameterSpec = NoParameter | IntRange | Choice | Pattern | JsonObject

DEFAULT: Final = NoParameter()
FREE_TEXT: Final = Pattern(r"(?s).+", "Good morning")


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command a type takes.

    `idempotent`: sending it twice leaves the home as sending it once, so a retry or a
    repeated request is harmless. `dangerous`: it lets someone in and needs a yes first.
    """

    name: str
    parameter: ParameterSpec = DEFAULT
    idempotent: bool = True
    dangerous: bool = False


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    """Everything RoomSense knows about one `deviceType` or base `remoteType`."""

    type_string: str
    infrared: bool
    kind: DeviceKind
    family: Family
    platforms: frozenset[str]
    """Home Assistant platforms with an entity description for this type ("sensor": one
    reading the reference documents for it, e.g. battery)."""
    pushes: bool
    """Whether the cloud sends `changeReport` webhooks for it (§7)."""
    commands: Mapping[str, CommandSpec] = field(hash=False)
    features: frozenset[Feature] = frozenset()
    unlocking_commands: frozenset[str] = frozenset()
    """Commands that let someone in, listed or not: they need a yes, and night mode
    refuses them."""
    local_commands: frozenset[str] = frozenset()
    """Commands a local transport (Bluetooth) can send without the cloud; filled in by
    `register_local_commands`, empty until one does."""

    def supports(self, command: str) -> bool:
        """Whether the type's command table has this command."""
        return command in self.commands


def _command(name: str, parameter: ParameterSpec = DEFAULT) -> CommandSpec:
    """A command that sets an explicit state: sending it again changes nothing."""
    return CommandSpec(name, parameter, idempotent=True)


def _step(name: str, parameter: ParameterSpec = DEFAULT) -> CommandSpec:
    """A relative step, a toggle, a press, a new run: each one sent changes the home again."""
    return CommandSpec(name, parameter, idempotent=False)


# --- command tables (reference §5, §6) ----------------------------------------------------------

_ON_OFF: Final = (_command("turnOn"), _command("turnOff"))
_TOGGLE: Final = _step("toggle")
_PERCENT_FROM_ONE: Final = IntRange(1, 100)
_PERCENT: Final = IntRange(0, 100)
_KELVIN: Final = IntRange(2700, 6500)
_RGB: Final = Pattern(r"(25[0-5]|2[0-4]\d|1?\d?\d)(:(25[0-5]|2[0-4]\d|1?\d?\d)){2}", "122:80:20")

_BOT: Final = (
    # In press mode turnOn and turnOff are presses too, so none of the three is repeatable.
    _step("turnOn"),
    _step("turnOff"),
    _step("press"),
)
_PLUG: Final = _ON_OFF
_PLUG_MINI: Final = (*_ON_OFF, _TOGGLE)
# Relay modes: 0 toggle, 1 edge, 2 detached, 3 momentary.
_RELAY: Final = (*_ON_OFF, _TOGGLE, _command("setMode", IntRange(0, 3)))
_RELAY_CHANNEL: Final = Choice(("1", "2"))
_RELAY_2PM: Final = (
    _command("turnOn", _RELAY_CHANNEL),
    _command("turnOff", _RELAY_CHANNEL),
    _step("toggle", _RELAY_CHANNEL),
    _command("setMode", Pattern(r"[12];[0-3]", "1;0")),
    _command("setPosition", _PERCENT),
)
_GARAGE_DOOR: Final = _ON_OFF
_CURTAIN: Final = (
    *_ON_OFF,
    _command("pause"),
    _command("setPosition", Pattern(r"\d+,(0|1|ff),(100|[1-9]?\d)", "0,ff,80")),
)
_BLIND_TILT: Final = (
    _command("setPosition", Pattern(r"(up|down);(100|[1-9]?[02468])", "up;60")),
    _command("fullyOpen"),
    _command("closeUp"),
    _command("closeDown"),
)
_ROLLER_SHADE: Final = (_command("setPosition", _PERCENT),)
_LOCK: Final = (_command("lock"), _command("unlock"))
_DEADBOLT: Final = _command("deadbolt")
_NIGHT_LATCH: Final = _command("nightLatchUnlock")
_KEYS: Final = (
    # A second createKey may add a second passcode; a second deleteKey finds nothing to delete.
    _step("createKey", JsonObject(("name", "type", "password"), ("startTime", "endTime"))),
    _command("deleteKey", JsonObject(("id",))),
)
_WEATHER_STATION: Final = (
    _command("customQuote", FREE_TEXT),
    _command("cancelCustom"),
    _command("customPage", FREE_TEXT),
)
_LIGHT_BASE: Final = (*_ON_OFF, _TOGGLE)
_SET_COLOR: Final = _command("setColor", _RGB)
_SET_KELVIN: Final = _command("setColorTemperature", _KELVIN)
_SIMPLE_VACUUM: Final = (
    _command("start"),
    _command("stop"),
    _command("dock"),
    _command("PowLevel", IntRange(0, 3)),
)
_CLEAN: Final = JsonObject(("action", "param"))
_TASK_VACUUM_BASE: Final = (
    _command("startClean", _CLEAN),
    _command("pause"),
    _command("dock"),
    _command("setVolume", _PERCENT),
)
_CHANGE_PARAM: Final = _command("changeParam", JsonObject(("fanLevel", "times")))
_CHANGE_PARAM_WATER: Final = _command(
    "changeParam", JsonObject(("fanLevel", "waterLevel", "times"))
)
_MOP_VACUUM: Final = (
    *_TASK_VACUUM_BASE,
    _CHANGE_PARAM_WATER,
    # Refilling and washing start a run each time they are sent.
    _step("addWaterForHumi"),
    _step("selfClean", Choice(("1", "2", "3"))),
)
_HUMIDIFIER: Final = (
    *_ON_OFF,
    _command("setMode", Pattern(r"auto|10[0-3]|[1-9]?\d", "101")),
)
_EVAPORATIVE_HUMIDIFIER: Final = (
    *_ON_OFF,
    _command("setMode", JsonObject(("mode",), ("targetHumidify",))),
    _command("setChildLock", Choice(("true", "false"))),
)
_AIR_PURIFIER: Final = (
    *_ON_OFF,
    _command("setMode", JsonObject(("mode",), ("fanGear",))),
    _command("setChildLock", Choice(("0", "1"))),
)
_THERMOSTAT: Final = (
    *_ON_OFF,
    _command("setMode", IntRange(0, 5)),
    _command("setManualModeTemperature", IntRange(4, 35)),
)


def _circulator_fan(night_lights: tuple[str, ...]) -> tuple[CommandSpec, ...]:
    return (
        *_ON_OFF,
        _command("setNightLightMode", Choice(("off", *night_lights))),
        _command("setWindMode", Choice(("direct", "natural", "sleep", "baby"))),
        _command("setWindSpeed", _PERCENT_FROM_ONE),
        # A second send restarts the countdown, so the fan stops later than asked.
        _step("closeDelay", IntRange(1, 36000)),
    )


# Night lights: "1" bright and "2" dim (§5.14); the 2 Pro, undocumented, counts from "0" as
# Home Assistant's own integration sends it [UNV]. The choice lists off, bright, dim in that
# order, which is how the night light select names them.
_CIRCULATOR_FAN: Final = _circulator_fan(("1", "2"))
_CIRCULATOR_FAN_2_PRO: Final = _circulator_fan(("0", "1"))
_SMART_FAN: Final = (
    *_ON_OFF,
    # v1.0 only: "power,fanMode,speed,shakeRange", the whole state at once.
    _command("setAllStatus", Pattern(r"(on|off),[12],[1-4],(120|1[01]\d|[1-9]?\d)", "on,1,1,60")),
)
_VIDEO_DOORBELL: Final = (_command("enableMotionDetection"), _command("disableMotionDetection"))
_ART_FRAME: Final = (
    _step("next"),
    _step("previous"),
    _step("uploadImage", JsonObject((), ("imageUrl", "imageBase64"))),
)

# Infrared codes cannot tell on from off: the power buttons of most appliances send one
# toggling code, so only an air conditioner's full-state `setAll` and explicit values repeat.
_IR_POWER: Final = (_step("turnOn"), _step("turnOff"))
_IR_AIR_CONDITIONER: Final = (
    *_IR_POWER,
    # "temperature,mode,fan,power", e.g. "26,1,3,on" (§6.3).
    _command("setAll", Pattern(r"\d{1,2},[0-5],[1-4],(on|off)", "26,1,3,on")),
)
_IR_VOLUME: Final = (_step("volumeAdd"), _step("volumeSub"))
_IR_TV: Final = (
    *_IR_POWER,
    *_IR_VOLUME,
    _command("SetChannel", IntRange(1, 9999)),
    _step("channelAdd"),
    _step("channelSub"),
)
_IR_PLAYER: Final = (
    *_IR_POWER,
    _step("setMute"),
    _step("FastForward"),
    _step("Rewind"),
    _step("Next"),
    _step("Previous"),
    # Pause resumes on many players; Play and Stop are states of their own.
    _step("Pause"),
    _command("Play"),
    _command("Stop"),
)
_IR_FAN: Final = (
    *_IR_POWER,
    _step("swing"),
    _step("timer"),
    _command("lowSpeed"),
    _command("middleSpeed"),
    _command("highSpeed"),
)
_IR_LIGHT: Final = (*_IR_POWER, _step("brightnessUp"), _step("brightnessDown"))


# --- the catalog ------------------------------------------------------------------------------


def _spec(
    type_string: str,
    kind: DeviceKind,
    family: Family,
    commands: Iterable[CommandSpec] = (),
    *,
    platforms: Iterable[str] = (),
    pushes: bool = True,
    features: Iterable[Feature] = (),
    unlocking: Iterable[str] = (),
    infrared: bool = False,
) -> DeviceSpec:
    unlocking_commands = frozenset(unlocking)
    table = {
        command.name: replace(command, dangerous=command.name in unlocking_commands)
        for command in commands
    }
    return DeviceSpec(
        type_string=type_string,
        infrared=infrared,
        kind=kind,
        family=family,
        platforms=frozenset(platforms),
        pushes=pushes and not infrared,
        commands=MappingProxyType(table),
        features=frozenset(features),
        unlocking_commands=unlocking_commands,
    )


def _remote(
    type_string: str,
    kind: DeviceKind,
    family: Family,
    commands: Iterable[CommandSpec],
    platform: str = "remote",
) -> DeviceSpec:
    return _spec(type_string, kind, family, commands, platforms=(platform,), infrared=True)


_SENSOR: Final = DeviceKind.SENSOR
_LOCKS: Final = ("lock", "binary_sensor", "sensor")
_VACUUMS: Final = ("vacuum", "sensor")
_BINARY_SENSORS: Final = ("binary_sensor", "sensor")
# Motorised covers report whether they are calibrated, and a battery.
_COVERS: Final = ("cover", "binary_sensor", "sensor")
_CLIMATE: Final = (Feature.CLIMATE_READINGS,)

_PHYSICAL: Final = (
    # Hubs (§5.4): Hub 2 and Hub 3 measure the room.
    _spec("Hub", DeviceKind.OTHER, Family.HUB, pushes=False),
    _spec("Hub Plus", DeviceKind.OTHER, Family.HUB, pushes=False),
    _spec("Hub Mini", DeviceKind.OTHER, Family.HUB, pushes=False),
    _spec("Hub 2", _SENSOR, Family.HUB, platforms=("sensor",), features=_CLIMATE),
    _spec(
        "Hub 3",
        _SENSOR,
        Family.HUB,
        platforms=_BINARY_SENSORS,
        features=(Feature.CLIMATE_READINGS, Feature.MOTION),
    ),
    _spec("AI Hub", DeviceKind.OTHER, Family.HUB, pushes=False),
    # Meters (§5.5).
    _spec("Meter", _SENSOR, Family.METER, platforms=("sensor",), features=_CLIMATE),
    _spec("MeterPlus", _SENSOR, Family.METER, platforms=("sensor",), features=_CLIMATE),
    _spec("WoIOSensor", _SENSOR, Family.METER, platforms=("sensor",), features=_CLIMATE),
    _spec(
        "WeatherStation",
        _SENSOR,
        Family.METER,
        _WEATHER_STATION,
        platforms=("sensor",),
        features=_CLIMATE,
    ),
    _spec("MeterPro", _SENSOR, Family.METER, platforms=("sensor",), features=_CLIMATE),
    _spec("MeterPro(CO2)", _SENSOR, Family.METER, platforms=("sensor",), features=_CLIMATE),
    # Sensors (§5.8) and the climate panel (§5.13).
    _spec(
        "Motion Sensor",
        _SENSOR,
        Family.MOTION_SENSOR,
        platforms=_BINARY_SENSORS,
        features=(Feature.MOTION,),
    ),
    _spec(
        "Contact Sensor",
        _SENSOR,
        Family.CONTACT_SENSOR,
        platforms=_BINARY_SENSORS,
        # It has a motion detector of its own.
        features=(Feature.CONTACT, Feature.MOTION),
    ),
    _spec(
        "Presence Sensor",
        _SENSOR,
        Family.PRESENCE_SENSOR,
        platforms=_BINARY_SENSORS,
        features=(Feature.PRESENCE,),
    ),
    _spec(
        "Water Detector",
        _SENSOR,
        Family.WATER_DETECTOR,
        platforms=_BINARY_SENSORS,
        features=(Feature.LEAK,),
    ),
    _spec(
        "Home Climate Panel",
        _SENSOR,
        Family.CLIMATE_PANEL,
        platforms=_BINARY_SENSORS,
        features=(Feature.CLIMATE_READINGS, Feature.MOTION),
    ),
    # Bot (§5.2): a switch in switch mode, a button in every mode.
    _spec("Bot", DeviceKind.BOT, Family.BOT, _BOT, platforms=("switch", "button", "sensor")),
    # Plugs, relays, garage (§5.10).
    _spec("Plug", DeviceKind.PLUG, Family.PLUG, _PLUG, platforms=("switch",), pushes=False),
    _spec(
        "Plug Mini (US)",
        DeviceKind.PLUG,
        Family.PLUG,
        _PLUG_MINI,
        platforms=("switch", "sensor"),
        features=(Feature.DECIAMP_CURRENT,),
    ),
    _spec(
        "Plug Mini (JP)",
        DeviceKind.PLUG,
        Family.PLUG,
        _PLUG_MINI,
        platforms=("switch", "sensor"),
        features=(Feature.DECIAMP_CURRENT,),
    ),
    _spec(
        "Plug Mini (EU)",
        DeviceKind.PLUG,
        Family.PLUG,
        _PLUG_MINI,
        platforms=("switch", "sensor"),
        features=(Feature.SWITCH_STATUS,),
    ),
    _spec(
        "Relay Switch 1PM",
        DeviceKind.SWITCH,
        Family.RELAY_SWITCH,
        _RELAY,
        platforms=("switch", "sensor"),
        features=(Feature.SWITCH_STATUS,),
    ),
    _spec(
        "Relay Switch 1",
        DeviceKind.SWITCH,
        Family.RELAY_SWITCH,
        _RELAY,
        platforms=("switch",),
        features=(Feature.SWITCH_STATUS,),
    ),
    _spec(
        "Relay Switch 2PM",
        DeviceKind.SWITCH,
        Family.RELAY_SWITCH_2PM,
        _RELAY_2PM,
        # Each channel meters its own power, voltage, current and energy.
        platforms=("switch", "sensor"),
    ),
    _spec(
        "Garage Door Opener",
        DeviceKind.SWITCH,
        Family.GARAGE_DOOR_OPENER,
        _GARAGE_DOOR,
        # The door is a cover and, for the automations that want one, a door sensor too.
        platforms=("cover", "binary_sensor"),
        # turnOn opens the garage.
        unlocking=("turnOn",),
    ),
    # Curtains and shades (§5.3, §5.15).
    _spec("Curtain", DeviceKind.CURTAIN, Family.CURTAIN, _CURTAIN, platforms=_COVERS),
    _spec("Curtain3", DeviceKind.CURTAIN, Family.CURTAIN, _CURTAIN, platforms=_COVERS),
    # Not in the reference; Home Assistant's own integration drives it as a Curtain3 [UNV].
    _spec("Curtain4", DeviceKind.CURTAIN, Family.CURTAIN, _CURTAIN, platforms=_COVERS),
    # Its status table lists no battery; Home Assistant's own integration reads one [UNV].
    _spec(
        "Blind Tilt",
        DeviceKind.BLIND,
        Family.BLIND_TILT,
        _BLIND_TILT,
        platforms=_COVERS,
        pushes=False,
    ),
    _spec(
        "Roller Shade",
        DeviceKind.CURTAIN,
        Family.ROLLER_SHADE,
        _ROLLER_SHADE,
        platforms=_COVERS,
    ),
    # Locks (§5.6); the other spellings the cloud reports are `_ALIASES`.
    *(
        _spec(
            type_string,
            DeviceKind.LOCK,
            Family.LOCK,
            commands,
            platforms=_LOCKS,
            unlocking=UNLOCKING_LOCK_COMMANDS,
        )
        for type_string, commands in (
            ("Smart Lock", (*_LOCK, _DEADBOLT)),
            ("Smart Lock Pro", (*_LOCK, _DEADBOLT)),
            ("Smart Lock Pro Wifi", (*_LOCK, _DEADBOLT, _NIGHT_LATCH)),
            ("Smart Lock Ultra", (*_LOCK, _DEADBOLT)),
            # Not in the reference; Home Assistant's own integration opens it as the Ultra [UNV].
            ("Smart Lock Ultra Max", (*_LOCK, _DEADBOLT)),
            ("Lock Vision", (*_LOCK, *_KEYS)),
            ("Lock Vision Pro", (*_LOCK, *_KEYS)),
            # Its device-list section names deadbolt, its command section does not [INC].
            ("Lock Lite", _LOCK),
        )
    ),
    # Keypads (§5.7): their webhooks carry passcode results only, never a state to show.
    *(
        _spec(type_string, DeviceKind.OTHER, Family.KEYPAD, _KEYS, pushes=False)
        for type_string in ("Keypad", "Keypad Touch", "Keypad Vision", "Keypad Vision Pro")
    ),
    # Lights (§5.9): the newer types take brightness 0-100, the older 1-100.
    *(
        _spec(
            type_string,
            DeviceKind.LIGHT,
            Family.LIGHT,
            (
                *_LIGHT_BASE,
                _command("setBrightness", IntRange(low, 100)),
                *((_SET_COLOR,) if color else ()),
                *((_SET_KELVIN,) if kelvin else ()),
            ),
            platforms=("light",),
        )
        for type_string, low, color, kelvin in (
            ("Color Bulb", 1, True, True),
            ("Strip Light", 1, True, False),
            ("Ceiling Light", 1, False, True),
            ("Ceiling Light Pro", 1, False, True),
            ("Floor Lamp", 0, True, True),
            ("Strip Light 3", 0, True, True),
            ("RGBICWW Strip Light", 0, True, True),
            ("RGBICWW Floor Lamp", 0, True, True),
            ("RGBIC Neon Rope Light", 0, True, False),
            ("RGBIC Neon Wire Rope Light", 0, True, False),
            ("Candle Warmer Lamp", 0, False, False),
            # Not in the reference; Home Assistant's own integration gives it colour and
            # white like the RGBICWW lights [UNV].
            ("Permanent Outdoor Lights", 0, True, True),
        )
    ),
    # Robot vacuums (§5.11).
    *(
        _spec(
            type_string, DeviceKind.VACUUM, Family.SIMPLE_VACUUM, _SIMPLE_VACUUM, platforms=_VACUUMS
        )
        for type_string in (
            "Robot Vacuum Cleaner S1",
            "Robot Vacuum Cleaner S1 Plus",
            "K10+",
            "K10+ Pro",
        )
    ),
    _spec(
        "Robot Vacuum Cleaner K10+ Pro Combo",
        DeviceKind.VACUUM,
        Family.TASK_VACUUM,
        (*_TASK_VACUUM_BASE, _CHANGE_PARAM),
        platforms=_VACUUMS,
    ),
    *(
        _spec(
            type_string,
            DeviceKind.VACUUM,
            Family.TASK_VACUUM,
            (*_TASK_VACUUM_BASE, _CHANGE_PARAM_WATER),
            platforms=_VACUUMS,
            features=(Feature.WATER_LEVEL,),
        )
        for type_string in ("Robot Vacuum Cleaner K20 Plus Pro", "Robot Vacuum Cleaner K11+")
    ),
    *(
        _spec(
            type_string,
            DeviceKind.VACUUM,
            Family.MOP_VACUUM,
            _MOP_VACUUM,
            platforms=_VACUUMS,
            features=(Feature.WATER_LEVEL,),
        )
        for type_string in ("Robot Vacuum Cleaner S10", "Robot Vacuum Cleaner S20")
    ),
    # Humidifiers and air purifiers (§5.12); purifiers are shown as fans.
    _spec(
        "Humidifier",
        DeviceKind.HUMIDIFIER,
        Family.HUMIDIFIER,
        _HUMIDIFIER,
        platforms=("humidifier", "sensor"),
        pushes=False,
    ),
    _spec(
        "Humidifier2",
        DeviceKind.HUMIDIFIER,
        Family.EVAPORATIVE_HUMIDIFIER,
        _EVAPORATIVE_HUMIDIFIER,
        platforms=("humidifier", "sensor"),
    ),
    *(
        _spec(
            type_string,
            DeviceKind.HUMIDIFIER,
            Family.AIR_PURIFIER,
            _AIR_PURIFIER,
            platforms=("fan",),
        )
        for type_string in (
            "Air Purifier VOC",
            "Air Purifier Table VOC",
            "Air Purifier PM2.5",
            "Air Purifier Table PM2.5",
        )
    ),
    # Climate (§5.13): the radiator thermostat counts with the air conditioners.
    _spec(
        "Smart Radiator Thermostat",
        DeviceKind.AIR_CONDITIONER,
        Family.THERMOSTAT,
        _THERMOSTAT,
        platforms=("climate", "sensor"),
    ),
    # Fans (§5.14); every one has a night light, only the battery and standing fans report a
    # battery.
    _spec(
        "Battery Circulator Fan",
        DeviceKind.FAN,
        Family.CIRCULATOR_FAN,
        _CIRCULATOR_FAN,
        platforms=("fan", "select", "sensor"),
    ),
    _spec(
        "Circulator Fan",
        DeviceKind.FAN,
        Family.CIRCULATOR_FAN,
        _CIRCULATOR_FAN,
        platforms=("fan", "select"),
    ),
    _spec(
        "Standing Circulator Fan",
        DeviceKind.FAN,
        Family.CIRCULATOR_FAN,
        _CIRCULATOR_FAN,
        platforms=("fan", "select", "sensor"),
    ),
    # Not in the reference; Home Assistant's own integration shows it as a battery fan [UNV].
    _spec(
        "Battery Circulator Fan 2 Pro",
        DeviceKind.FAN,
        Family.CIRCULATOR_FAN,
        _CIRCULATOR_FAN_2_PRO,
        platforms=("fan", "select", "sensor"),
    ),
    # Documented by v1.0 only; nothing shows it yet.
    _spec("Smart Fan", DeviceKind.OTHER, Family.SMART_FAN, _SMART_FAN),
    # Cameras, doorbell, art frame, the handheld remote (§5.16).
    _spec("Indoor Cam", DeviceKind.OTHER, Family.CAMERA),
    _spec("Pan/Tilt Cam", DeviceKind.OTHER, Family.CAMERA),
    _spec("Pan/Tilt Cam 2K", DeviceKind.OTHER, Family.CAMERA, pushes=False),
    _spec("Pan/Tilt Cam Plus 2K", DeviceKind.OTHER, Family.CAMERA, pushes=False),
    _spec("Pan/Tilt Cam Plus 3K", DeviceKind.OTHER, Family.CAMERA, pushes=False),
    _spec(
        "Video Doorbell",
        DeviceKind.OTHER,
        Family.VIDEO_DOORBELL,
        _VIDEO_DOORBELL,
        platforms=_BINARY_SENSORS,
        features=(Feature.DOORBELL_PRESS,),
    ),
    # The frame's status carries the URL of the picture it shows (§5.16).
    _spec(
        "AI Art Frame",
        DeviceKind.OTHER,
        Family.ART_FRAME,
        _ART_FRAME,
        platforms=("sensor", "button", "image"),
    ),
    _spec("Remote", DeviceKind.OTHER, Family.HANDHELD_REMOTE, pushes=False),
)

_INFRARED: Final = (
    # Remote types without "DIY " (§6). The cloud's spellings vary, so each is listed.
    _remote(
        "Air Conditioner",
        DeviceKind.AIR_CONDITIONER,
        Family.AIR_CONDITIONER_REMOTE,
        _IR_AIR_CONDITIONER,
        "climate",
    ),
    _remote("TV", DeviceKind.TV, Family.TV_REMOTE, _IR_TV),
    _remote("IPTV", DeviceKind.TV, Family.TV_REMOTE, _IR_TV),
    _remote("Streamer", DeviceKind.TV, Family.TV_REMOTE, _IR_TV),
    # The reference's command-table spelling; it has never counted as a TV for permissions.
    _remote("IPTV/Streamer", DeviceKind.OTHER, Family.TV_REMOTE, _IR_TV),
    _remote("Set Top Box", DeviceKind.TV, Family.TV_REMOTE, _IR_TV),
    _remote("DVD", DeviceKind.OTHER, Family.PLAYER_REMOTE, _IR_PLAYER),
    _remote("DVD Player", DeviceKind.OTHER, Family.PLAYER_REMOTE, _IR_PLAYER),
    _remote("Speaker", DeviceKind.OTHER, Family.SPEAKER_REMOTE, (*_IR_PLAYER, *_IR_VOLUME)),
    _remote("Fan", DeviceKind.FAN, Family.FAN_REMOTE, _IR_FAN, "fan"),
    _remote("Light", DeviceKind.LIGHT, Family.LIGHT_REMOTE, _IR_LIGHT),
    _remote("Projector", DeviceKind.OTHER, Family.APPLIANCE_REMOTE, _IR_POWER),
    _remote("Camera", DeviceKind.OTHER, Family.APPLIANCE_REMOTE, _IR_POWER),
    _remote("Water Heater", DeviceKind.OTHER, Family.APPLIANCE_REMOTE, _IR_POWER),
    _remote("Vacuum Cleaner", DeviceKind.OTHER, Family.APPLIANCE_REMOTE, _IR_POWER),
    _remote("Robot Vacuum Cleaner", DeviceKind.OTHER, Family.APPLIANCE_REMOTE, _IR_POWER),
    _remote("Air Purifier", DeviceKind.HUMIDIFIER, Family.APPLIANCE_REMOTE, _IR_POWER),
    # Only learned buttons, sent with commandType "customize"; not even turnOn/turnOff.
    _remote("Others", DeviceKind.OTHER, Family.CUSTOM_REMOTE, ()),
)


def _index(specs: Iterable[DeviceSpec]) -> dict[str, DeviceSpec]:
    index: dict[str, DeviceSpec] = {}
    for spec in specs:
        if spec.type_string in index:
            raise RuntimeError(f"{spec.type_string!r} is in the catalog twice")
        index[spec.type_string] = spec
    return index


_DEVICES: Final = _index(_PHYSICAL)
_REMOTES: Final = _index(_INFRARED)

_ALIASES: Final[dict[str, str]] = {
    # The cloud's device list says "Smart Lock ..." where the reference says "Lock ..." (§4);
    # the reference itself notes "Smart Lock Lite".
    "Smart Lock Lite": "Lock Lite",
    "Smart Lock Vision": "Lock Vision",
    "Smart Lock Vision Pro": "Lock Vision Pro",
    # The Ultra's status table says "Lock Ultra", its list "Smart Lock Ultra" (§4 [INC]).
    "Lock Ultra": "Smart Lock Ultra",
    # The webhook's spellings (§4), which the cloud's list uses too.
    "Standing Fan": "Standing Circulator Fan",
    "K20+ Pro": "Robot Vacuum Cleaner K20 Plus Pro",
    # The reference's command tables say "S20" and its webhook sample "Robot Vacuum Cleaner
    # K11 Plus" (§4 [INC]); Home Assistant's own integration takes both from the cloud's list.
    "S20": "Robot Vacuum Cleaner S20",
    "Robot Vacuum Cleaner K11 Plus": "Robot Vacuum Cleaner K11+",
}
"""Other spellings of physical types: each names the same spec as the type it stands for."""


def _check_aliases(aliases: Mapping[str, str]) -> None:
    for alias, type_string in aliases.items():
        if alias in _DEVICES or type_string not in _DEVICES:
            raise RuntimeError(f"alias {alias!r} must name a catalog type, not be one")


_check_aliases(_ALIASES)


# --- queries ------------------------------------------------------------------------------------


def base_remote_type(remote_type: str) -> str:
    """A `remoteType` without the "DIY " of learned remotes."""
    return remote_type.removeprefix(DIY_PREFIX)


def canonical_type(device_type: str) -> str:
    """The catalog's spelling of a physical `deviceType`: an alias gives the type it names."""
    return _ALIASES.get(device_type, device_type)


def device_spec(type_string: str, *, infrared: bool) -> DeviceSpec | None:
    """The spec of a `deviceType` (or alias), or of a `remoteType` (with or without "DIY ")."""
    if infrared:
        return _REMOTES.get(base_remote_type(type_string))
    return _DEVICES.get(canonical_type(type_string))


def known_types(*, infrared: bool) -> frozenset[str]:
    """Every `deviceType` the catalog holds, aliases included, or every base `remoteType`."""
    return frozenset(_REMOTES) if infrared else frozenset({*_DEVICES, *_ALIASES})


def kind_of(type_string: str, *, infrared: bool = False) -> DeviceKind:
    """The kind of a type; OTHER for types the catalog does not know."""
    spec = device_spec(type_string, infrared=infrared)
    return DeviceKind.OTHER if spec is None else spec.kind


def family_of(type_string: str, *, infrared: bool = False) -> Family | None:
    """The family of a type; None for types the catalog does not know."""
    spec = device_spec(type_string, infrared=infrared)
    return None if spec is None else spec.family


def has_feature(device_type: str, feature: Feature) -> bool:
    """Whether a physical device type reports this."""
    spec = device_spec(device_type, infrared=False)
    return spec is not None and feature in spec.features


def pushes(device_type: str) -> bool:
    """Whether the cloud sends webhooks for a device type; unknown types are assumed to."""
    spec = device_spec(device_type, infrared=False)
    return True if spec is None else spec.pushes


def command_spec(type_string: str, command: str, *, infrared: bool = False) -> CommandSpec | None:
    """One command of a type's table; None when the type or the command is unknown."""
    spec = device_spec(type_string, infrared=infrared)
    return None if spec is None else spec.commands.get(command)


def supports(type_string: str, command: str, *, infrared: bool = False) -> bool:
    """Whether a type's command table has this command."""
    return command_spec(type_string, command, infrared=infrared) is not None


def is_dangerous_command(type_string: str, command: str, *, infrared: bool = False) -> bool:
    """Whether a command lets someone in and so needs the user's yes first."""
    spec = device_spec(type_string, infrared=infrared)
    return spec is not None and command in spec.unlocking_commands


def is_unlocking_command(type_string: str, command: str, *, infrared: bool = False) -> bool:
    """Whether night safe mode refuses a command: every dangerous command opens the home."""
    return is_dangerous_command(type_string, command, infrared=infrared)


def is_idempotent(
    type_string: str,
    command: str,
    *,
    infrared: bool = False,
    command_type: str = COMMAND,
) -> bool:
    """Whether sending a command twice leaves the home as sending it once.

    Learned buttons ("customize") and unknown types or commands are never taken to be.
    """
    if command_type != COMMAND:
        return False
    spec = command_spec(type_string, command, infrared=infrared)
    return spec is not None and spec.idempotent


def types_with(
    *families: Family,
    features: Iterable[Feature] = (),
    without: Iterable[Feature] = (),
    commands: Iterable[str] = (),
    lacking: Iterable[str] = (),
    platform: str | None = None,
    infrared: bool | None = None,
) -> frozenset[str]:
    """The type strings of any of `families` (of all when none is given) that match.

    They have every feature in `features` and none in `without`, every command in
    `commands` and none in `lacking`, show on `platform` when one is given, and are
    physical or infrared as `infrared` says (either when None). The aliases of a matching
    physical type come with it. Remote types come without "DIY ": compare them with
    `base_remote_type`.
    """
    wanted_families = frozenset(families)
    needed, excluded = frozenset(features), frozenset(without)
    present, absent = frozenset(commands), frozenset(lacking)

    def matching(specs: Iterable[DeviceSpec]) -> set[str]:
        return {
            spec.type_string
            for spec in specs
            if (infrared is None or spec.infrared is infrared)
            and (not wanted_families or spec.family in wanted_families)
            and needed <= spec.features
            and not excluded & spec.features
            and present <= spec.commands.keys()
            and not absent & spec.commands.keys()
            and (platform is None or platform in spec.platforms)
        }

    physical = matching(_DEVICES.values())
    aliases = {alias for alias, type_string in _ALIASES.items() if type_string in physical}
    return frozenset({*physical, *aliases, *matching(_REMOTES.values())})


def register_local_commands(device_type: str, commands: Iterable[str]) -> None:
    """Declare the commands a local transport (Bluetooth) can send to a physical type.

    Only commands of the type's cloud table qualify, so every command that can be sent has
    its idempotency and danger on record here. Registering again replaces the set, for the
    type and its aliases alike.
    """
    spec = device_spec(device_type, infrared=False)
    if spec is None:
        raise ValueError(f"unknown device type {device_type!r}")
    local = frozenset(commands)
    if unknown := local - spec.commands.keys():
        raise ValueError(f"{device_type!r} has no command {', '.join(sorted(unknown))}")
    _DEVICES[spec.type_string] = replace(spec, local_commands=local)


# --- Bluetooth -----------------------------------------------------------------------------------

# The Open API types that RoomSense also reaches over Bluetooth, by the local model that
# drives them (ble/models.py, PySwitchbot). A device of one of these types is listened for at
# its address (its cloud id) and driven locally first.
_BLUETOOTH_MODELS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "bot": ("Bot",),
        "curtain": ("Curtain", "Curtain3"),
        "blind_tilt": ("Blind Tilt",),
        "meter": ("Meter", "MeterPlus", "WoIOSensor", "MeterPro", "MeterPro(CO2)"),
        "hub2": ("Hub 2",),
        # "Lock Lite" as the catalog spells it (the list's "Smart Lock Lite" is an alias).
        "lock": ("Smart Lock", "Smart Lock Pro", "Smart Lock Ultra", "Lock Lite"),
        "contact": ("Contact Sensor",),
        "motion": ("Motion Sensor",),
        "leak": ("Water Detector",),
        "plug_mini": ("Plug Mini (US)", "Plug Mini (JP)"),
        "color_bulb": ("Color Bulb",),
        "strip_light": ("Strip Light",),
        "ceiling_light": ("Ceiling Light", "Ceiling Light Pro"),
        "humidifier": ("Humidifier",),
        "relay_switch": ("Relay Switch 1", "Relay Switch 1PM"),
    }
)
_BLUETOOTH_MODEL_OF: Final = {
    type_string: model for model, types in _BLUETOOTH_MODELS.items() for type_string in types
}


# The Open API type and the product name of a device by what it advertises (PySwitchbot's
# `SwitchbotModel` member names): a Bluetooth-only device gets the entities of its cloud twin.
_DISCOVERED: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "BOT": ("Bot", "Bot"),
        "CURTAIN": ("Curtain", "Curtain"),
        "BLIND_TILT": ("Blind Tilt", "Blind Tilt"),
        "METER": ("Meter", "Meter"),
        "IO_METER": ("WoIOSensor", "Outdoor Meter"),
        "METER_PRO": ("MeterPro", "Meter Pro"),
        "METER_PRO_C": ("MeterPro(CO2)", "Meter Pro CO2"),
        "HUB2": ("Hub 2", "Hub 2"),
        "LOCK": ("Smart Lock", "Lock"),
        "LOCK_PRO": ("Smart Lock Pro", "Lock Pro"),
        "LOCK_ULTRA": ("Smart Lock Ultra", "Lock Ultra"),
        "LOCK_LITE": ("Lock Lite", "Lock Lite"),
        "CONTACT_SENSOR": ("Contact Sensor", "Contact Sensor"),
        "MOTION_SENSOR": ("Motion Sensor", "Motion Sensor"),
        "LEAK": ("Water Detector", "Water Leak Detector"),
        "PLUG_MINI": ("Plug Mini (US)", "Plug Mini"),
        "COLOR_BULB": ("Color Bulb", "Color Bulb"),
        "LIGHT_STRIP": ("Strip Light", "Strip Light"),
        "CEILING_LIGHT": ("Ceiling Light", "Ceiling Light"),
        "HUMIDIFIER": ("Humidifier", "Humidifier"),
        "RELAY_SWITCH_1": ("Relay Switch 1", "Relay Switch 1"),
        "RELAY_SWITCH_1PM": ("Relay Switch 1PM", "Relay Switch 1PM"),
    }
)


def discovered_type(advertised_model: str) -> str | None:
    """The Open API type of a device heard over Bluetooth, by its advertised model."""
    found = _DISCOVERED.get(advertised_model)
    return found[0] if found else None


def product_name(advertised_model: str) -> str | None:
    """The product's name as SwitchBot sells it (the Open API type can be cryptic)."""
    found = _DISCOVERED.get(advertised_model)
    return found[1] if found else None


def bluetooth_model(device_type: str) -> str | None:
    """The local model of a physical type, or None when it has no Bluetooth path."""
    spec = device_spec(device_type, infrared=False)
    return _BLUETOOTH_MODEL_OF.get(spec.type_string) if spec else None


def bluetooth_types(model: str) -> tuple[str, ...]:
    """The Open API types one local model drives."""
    return _BLUETOOTH_MODELS.get(model, ())


# --- typical wattage of devices without a power meter -----------------------------------


@dataclass(frozen=True, slots=True)
class TypicalWattage:
    """What a device without a meter is taken to draw while it is on, and why."""

    watts: float
    source: str


_CLASS_ESTIMATE: Final = "RoomSense estimate for the product class, not a spec-sheet value: "
# Per Open API type. Every figure is an ESTIMATE of what a product of its class draws while on
# (lights at full brightness, fans at a middle speed, humidifiers misting without heat); none
# is taken from a SwitchBot spec sheet or measured here. It stands in for a device that does
# not report its own power, and a metered device never uses it.
_TYPICAL_WATTS: Final[Mapping[str, TypicalWattage]] = {
    type_string: TypicalWattage(watts, _CLASS_ESTIMATE + why)
    for type_string, watts, why in (
        ("Color Bulb", 9, "an 800 lm (60 W equivalent) LED bulb draws about 9 W"),
        ("Strip Light", 12, "a 5 m LED strip at full white"),
        ("Strip Light 3", 12, "a 5 m LED strip at full white"),
        ("RGBICWW Strip Light", 15, "a 5 m LED strip with white channels at full brightness"),
        ("Ceiling Light", 30, "an LED ceiling light for a 6-8 jō room"),
        ("Ceiling Light Pro", 40, "an LED ceiling light for an 8-12 jō room"),
        ("Floor Lamp", 12, "an LED floor lamp at full brightness"),
        ("RGBICWW Floor Lamp", 15, "an LED floor lamp with white channels at full brightness"),
        ("RGBIC Neon Rope Light", 10, "a 3-5 m LED neon rope"),
        ("RGBIC Neon Wire Rope Light", 10, "a 3-5 m LED neon rope"),
        ("Candle Warmer Lamp", 35, "a candle warmer lamp's halogen bulb (25-50 W)"),
        ("Permanent Outdoor Lights", 20, "a run of outdoor LED eave lights"),
        ("Battery Circulator Fan", 12, "a DC circulator fan at a middle speed, on mains"),
        ("Battery Circulator Fan 2 Pro", 15, "a DC circulator fan at a middle speed, on mains"),
        ("Circulator Fan", 15, "a DC circulator fan at a middle speed"),
        ("Standing Circulator Fan", 20, "a standing DC fan at a middle speed"),
        ("Humidifier", 25, "an ultrasonic humidifier misting, no heater"),
        ("Humidifier2", 15, "an evaporative humidifier: its fan and pump, no heater"),
        ("Air Purifier VOC", 25, "a room air purifier at a middle fan speed"),
        ("Air Purifier PM2.5", 25, "a room air purifier at a middle fan speed"),
        ("Air Purifier Table VOC", 15, "a table air purifier at a middle fan speed"),
        ("Air Purifier Table PM2.5", 15, "a table air purifier at a middle fan speed"),
    )
}


def typical_wattage(type_string: str) -> TypicalWattage | None:
    """The estimated draw of a physical type without a meter, if the catalog has one."""
    spec = device_spec(type_string, infrared=False)
    return _TYPICAL_WATTS.get(spec.type_string) if spec else None


def typical_wattages() -> Mapping[str, TypicalWattage]:
    """The whole table, by type (for the README and the tests)."""
    return _TYPICAL_WATTS
