"""The vocabulary of the catalog: kinds, families, features, command parameters and specs.

Pure data types; the tables that use them are the package's other modules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
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


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command a type takes."""

    name: str
    parameter: ParameterSpec = DEFAULT
    idempotent: bool = True
    """Sending it twice leaves the home as sending it once, so a retry or a repeated
    request is harmless."""
    dangerous: bool = False
    """It lets someone in and needs a yes first."""
