"""The physical devices (`deviceType`, reference §5), by family, and the cloud's other spellings.

A new SwitchBot device type is one more row here: in its family's group when it behaves like
the types already there, else a `spec(...)` of its own (with a command table in commands.py
when none fits).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from . import commands as c
from .commands import command
from .specs import Options, index, spec, specs
from .types import UNLOCKING_LOCK_COMMANDS, DeviceKind, DeviceSpec, Family, Feature, IntRange

_SENSOR: Final = DeviceKind.SENSOR
_OTHER: Final = DeviceKind.OTHER
_LOCKS: Final = ("lock", "binary_sensor", "sensor")
_VACUUMS: Final = ("vacuum", "sensor")
_BINARY_SENSORS: Final = ("binary_sensor", "sensor")
_SWITCH_SENSOR: Final = ("switch", "sensor")
_FAN_SELECT: Final = ("fan", "select")
_FAN_SELECT_SENSOR: Final = ("fan", "select", "sensor")
# Motorised covers report whether they are calibrated, and a battery.
_COVERS: Final = ("cover", "binary_sensor", "sensor")
_CLIMATE: Final = (Feature.CLIMATE_READINGS,)
_CLIMATE_AND_MOTION: Final = (Feature.CLIMATE_READINGS, Feature.MOTION)
_METER: Final[Options] = {"platforms": ("sensor",), "features": _CLIMATE}
_MIST: Final = ("humidifier", "sensor")
_WATER: Final[Options] = {"platforms": _VACUUMS, "features": (Feature.WATER_LEVEL,)}
# What the mini plugs share (kind, family, commands, platforms) and the relays (no platforms).
_PLUG_MINI: Final = (DeviceKind.PLUG, Family.PLUG, c.PLUG_MINI, _SWITCH_SENSOR)
_RELAY: Final = (DeviceKind.SWITCH, Family.RELAY_SWITCH, c.RELAY)


def _lights(
    type_strings: tuple[str, ...], low: int, *, color: bool = False, kelvin: bool = False
) -> tuple[DeviceSpec, ...]:
    """Lights alike but for their names.

    Their brightness goes from `low` (0 or 1) to 100; `color` and `kelvin`: whether they take
    a colour and a colour temperature.
    """
    table = (
        *c.LIGHT_BASE,
        command("setBrightness", IntRange(low, 100)),
        *((c.SET_COLOR,) if color else ()),
        *((c.SET_KELVIN,) if kelvin else ()),
    )
    return specs(type_strings, DeviceKind.LIGHT, Family.LIGHT, table, platforms=("light",))


PHYSICAL: Final = (
    # Hubs (§5.4): Hub 2 and Hub 3 measure the room.
    *specs(("Hub", "Hub Plus", "Hub Mini"), _OTHER, Family.HUB, pushes=False),
    spec("Hub 2", _SENSOR, Family.HUB, platforms=("sensor",), features=_CLIMATE),
    spec("Hub 3", _SENSOR, Family.HUB, platforms=_BINARY_SENSORS, features=_CLIMATE_AND_MOTION),
    spec("AI Hub", _OTHER, Family.HUB, pushes=False),
    # Meters (§5.5).
    *specs(("Meter", "MeterPlus", "WoIOSensor"), _SENSOR, Family.METER, **_METER),
    spec("WeatherStation", _SENSOR, Family.METER, c.WEATHER_STATION, **_METER),
    *specs(("MeterPro", "MeterPro(CO2)"), _SENSOR, Family.METER, **_METER),
    # Sensors (§5.8) and the climate panel (§5.13).
    *(
        spec(type_string, _SENSOR, family, platforms=_BINARY_SENSORS, features=features)
        for type_string, family, features in (
            ("Motion Sensor", Family.MOTION_SENSOR, (Feature.MOTION,)),
            # It has a motion detector of its own.
            ("Contact Sensor", Family.CONTACT_SENSOR, (Feature.CONTACT, Feature.MOTION)),
            ("Presence Sensor", Family.PRESENCE_SENSOR, (Feature.PRESENCE,)),
            ("Water Detector", Family.WATER_DETECTOR, (Feature.LEAK,)),
            ("Home Climate Panel", Family.CLIMATE_PANEL, _CLIMATE_AND_MOTION),
        )
    ),
    # Bot (§5.2): a switch in switch mode, a button in every mode.
    spec("Bot", DeviceKind.BOT, Family.BOT, c.BOT, platforms=("switch", "button", "sensor")),
    # Plugs, relays, garage (§5.10).
    spec("Plug", DeviceKind.PLUG, Family.PLUG, c.PLUG, platforms=("switch",), pushes=False),
    *(
        spec(type_string, kind, family, table, platforms=platforms, features=(feature,))
        for type_string, kind, family, table, platforms, feature in (
            ("Plug Mini (US)", *_PLUG_MINI, Feature.DECIAMP_CURRENT),
            ("Plug Mini (JP)", *_PLUG_MINI, Feature.DECIAMP_CURRENT),
            ("Plug Mini (EU)", *_PLUG_MINI, Feature.SWITCH_STATUS),
            ("Relay Switch 1PM", *_RELAY, _SWITCH_SENSOR, Feature.SWITCH_STATUS),
            ("Relay Switch 1", *_RELAY, ("switch",), Feature.SWITCH_STATUS),
        )
    ),
    # Each channel meters its own power, voltage, current and energy.
    spec(
        "Relay Switch 2PM",
        DeviceKind.SWITCH,
        Family.RELAY_SWITCH_2PM,
        c.RELAY_2PM,
        platforms=_SWITCH_SENSOR,
    ),
    spec(
        "Garage Door Opener",
        DeviceKind.SWITCH,
        Family.GARAGE_DOOR_OPENER,
        c.GARAGE_DOOR,
        # The door is a cover and, for the automations that want one, a door sensor too.
        platforms=("cover", "binary_sensor"),
        # turnOn opens the garage.
        unlocking=("turnOn",),
    ),
    # Curtains and shades (§5.3, §5.15). Curtain4 is not in the reference; Home Assistant's
    # own integration drives it as a Curtain3 [UNV].
    *specs(
        ("Curtain", "Curtain3", "Curtain4"),
        DeviceKind.CURTAIN,
        Family.CURTAIN,
        c.CURTAIN,
        platforms=_COVERS,
    ),
    # Its status table lists no battery; Home Assistant's own integration reads one [UNV].
    spec(
        "Blind Tilt",
        DeviceKind.BLIND,
        Family.BLIND_TILT,
        c.BLIND_TILT,
        platforms=_COVERS,
        pushes=False,
    ),
    spec(
        "Roller Shade", DeviceKind.CURTAIN, Family.ROLLER_SHADE, c.ROLLER_SHADE, platforms=_COVERS
    ),
    # Locks (§5.6); the other spellings the cloud reports are `ALIASES`.
    *(
        spec(
            type_string,
            DeviceKind.LOCK,
            Family.LOCK,
            commands,
            platforms=_LOCKS,
            unlocking=UNLOCKING_LOCK_COMMANDS,
        )
        for type_string, commands in (
            ("Smart Lock", (*c.LOCK, c.DEADBOLT)),
            ("Smart Lock Pro", (*c.LOCK, c.DEADBOLT)),
            ("Smart Lock Pro Wifi", (*c.LOCK, c.DEADBOLT, c.NIGHT_LATCH)),
            ("Smart Lock Ultra", (*c.LOCK, c.DEADBOLT)),
            # Not in the reference; Home Assistant's own integration opens it as the Ultra [UNV].
            ("Smart Lock Ultra Max", (*c.LOCK, c.DEADBOLT)),
            ("Lock Vision", (*c.LOCK, *c.KEYS)),
            ("Lock Vision Pro", (*c.LOCK, *c.KEYS)),
            # Its device-list section names deadbolt, its command section does not [INC].
            ("Lock Lite", c.LOCK),
        )
    ),
    # Keypads (§5.7): their webhooks carry passcode results only, never a state to show.
    *specs(
        ("Keypad", "Keypad Touch", "Keypad Vision", "Keypad Vision Pro"),
        _OTHER,
        Family.KEYPAD,
        c.KEYS,
        pushes=False,
    ),
    # Lights (§5.9): the newer types take brightness 0-100, the older 1-100.
    *_lights(("Color Bulb",), 1, color=True, kelvin=True),
    *_lights(("Strip Light",), 1, color=True),
    *_lights(("Ceiling Light", "Ceiling Light Pro"), 1, kelvin=True),
    *_lights(
        ("Floor Lamp", "Strip Light 3", "RGBICWW Strip Light", "RGBICWW Floor Lamp"),
        0,
        color=True,
        kelvin=True,
    ),
    *_lights(("RGBIC Neon Rope Light", "RGBIC Neon Wire Rope Light"), 0, color=True),
    *_lights(("Candle Warmer Lamp",), 0),
    # Not in the reference; Home Assistant's own integration gives it colour and white like
    # the RGBICWW lights [UNV].
    *_lights(("Permanent Outdoor Lights",), 0, color=True, kelvin=True),
    # Robot vacuums (§5.11).
    *specs(
        ("Robot Vacuum Cleaner S1", "Robot Vacuum Cleaner S1 Plus", "K10+", "K10+ Pro"),
        DeviceKind.VACUUM,
        Family.SIMPLE_VACUUM,
        c.SIMPLE_VACUUM,
        platforms=_VACUUMS,
    ),
    spec(
        "Robot Vacuum Cleaner K10+ Pro Combo",
        DeviceKind.VACUUM,
        Family.TASK_VACUUM,
        (*c.TASK_VACUUM_BASE, c.CHANGE_PARAM),
        platforms=_VACUUMS,
    ),
    *specs(
        ("Robot Vacuum Cleaner K20 Plus Pro", "Robot Vacuum Cleaner K11+"),
        DeviceKind.VACUUM,
        Family.TASK_VACUUM,
        (*c.TASK_VACUUM_BASE, c.CHANGE_PARAM_WATER),
        **_WATER,
    ),
    *specs(
        ("Robot Vacuum Cleaner S10", "Robot Vacuum Cleaner S20"),
        DeviceKind.VACUUM,
        Family.MOP_VACUUM,
        c.MOP_VACUUM,
        **_WATER,
    ),
    # Humidifiers and air purifiers (§5.12); purifiers are shown as fans.
    *(
        spec(type_string, DeviceKind.HUMIDIFIER, family, table, platforms=_MIST, pushes=pushes)
        for type_string, family, table, pushes in (
            ("Humidifier", Family.HUMIDIFIER, c.HUMIDIFIER, False),
            ("Humidifier2", Family.EVAPORATIVE_HUMIDIFIER, c.EVAPORATIVE_HUMIDIFIER, True),
        )
    ),
    *specs(
        (
            "Air Purifier VOC",
            "Air Purifier Table VOC",
            "Air Purifier PM2.5",
            "Air Purifier Table PM2.5",
        ),
        DeviceKind.HUMIDIFIER,
        Family.AIR_PURIFIER,
        c.AIR_PURIFIER,
        platforms=("fan",),
    ),
    # Climate (§5.13): the radiator thermostat counts with the air conditioners.
    spec(
        "Smart Radiator Thermostat",
        DeviceKind.AIR_CONDITIONER,
        Family.THERMOSTAT,
        c.THERMOSTAT,
        platforms=("climate", "sensor"),
    ),
    # Fans (§5.14); every one has a night light, only the battery and standing fans report a
    # battery.
    *(
        spec(type_string, DeviceKind.FAN, Family.CIRCULATOR_FAN, table, platforms=platforms)
        for type_string, table, platforms in (
            ("Battery Circulator Fan", c.CIRCULATOR_FAN, _FAN_SELECT_SENSOR),
            ("Circulator Fan", c.CIRCULATOR_FAN, _FAN_SELECT),
            ("Standing Circulator Fan", c.CIRCULATOR_FAN, _FAN_SELECT_SENSOR),
            # Not in the reference; Home Assistant's own integration shows it as a battery
            # fan [UNV].
            ("Battery Circulator Fan 2 Pro", c.CIRCULATOR_FAN_2_PRO, _FAN_SELECT_SENSOR),
        )
    ),
    # Documented by v1.0 only; nothing shows it yet.
    spec("Smart Fan", _OTHER, Family.SMART_FAN, c.SMART_FAN),
    # Cameras, doorbell, art frame, the handheld remote (§5.16).
    *specs(("Indoor Cam", "Pan/Tilt Cam"), _OTHER, Family.CAMERA),
    *specs(
        ("Pan/Tilt Cam 2K", "Pan/Tilt Cam Plus 2K", "Pan/Tilt Cam Plus 3K"),
        _OTHER,
        Family.CAMERA,
        pushes=False,
    ),
    spec(
        "Video Doorbell",
        _OTHER,
        Family.VIDEO_DOORBELL,
        c.VIDEO_DOORBELL,
        platforms=_BINARY_SENSORS,
        features=(Feature.DOORBELL_PRESS,),
    ),
    # The frame's status carries the URL of the picture it shows (§5.16).
    spec(
        "AI Art Frame",
        _OTHER,
        Family.ART_FRAME,
        c.ART_FRAME,
        platforms=("sensor", "button", "image"),
    ),
    spec("Remote", _OTHER, Family.HANDHELD_REMOTE, pushes=False),
)

DEVICES: Final = index(PHYSICAL)
"""The physical specs by `deviceType`; `register_local_commands` replaces entries."""

ALIASES: Final[Mapping[str, str]] = {
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
        if alias in DEVICES or type_string not in DEVICES:
            raise RuntimeError(f"alias {alias!r} must name a catalog type, not be one")


_check_aliases(ALIASES)
