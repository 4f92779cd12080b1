"""The device catalog: its answers, its agreement with the simulator and the platforms, and
that no other module of the integration names a device type."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from custom_components.roomsense import (
    binary_sensor,
    button,
    catalog,
    climate,
    cover,
    fan,
    humidifier,
    image,
    light,
    lock,
    remote,
    select,
    switch,
    vacuum,
)
from custom_components.roomsense.catalog import (
    DeviceKind,
    Family,
    Feature,
    IntRange,
    JsonObject,
    NoParameter,
    Pattern,
    device_spec,
    is_dangerous_command,
    is_idempotent,
    is_unlocking_command,
    kind_of,
    pushes,
)
from custom_components.roomsense.categories import device_kind, kind_of_type
from custom_components.roomsense.home_model import DeviceKind as FallbackKind
from custom_components.roomsense.home_model import DeviceKind as ModelKind
from custom_components.roomsense.switchbot_cloud import Device, InfraredRemote
from roomsense_simulator.families import DEVICE_TYPES
from roomsense_simulator.infrared import infrared_family, supported_remote_types

PACKAGE = Path(__file__).parents[1] / "custom_components" / "roomsense"

PHYSICAL = catalog.known_types(infrared=False)
REMOTES = catalog.known_types(infrared=True)
ALL_SPECS = [
    *(spec for t in sorted(PHYSICAL) if (spec := device_spec(t, infrared=False))),
    *(spec for t in sorted(REMOTES) if (spec := device_spec(t, infrared=True))),
]


# --- lookups ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_string", "infrared", "kind"),
    [
        ("Color Bulb", False, DeviceKind.LIGHT),
        ("Plug Mini (EU)", False, DeviceKind.PLUG),
        ("Garage Door Opener", False, DeviceKind.SWITCH),
        ("Relay Switch 2PM", False, DeviceKind.SWITCH),
        ("Bot", False, DeviceKind.BOT),
        ("Roller Shade", False, DeviceKind.CURTAIN),
        ("Blind Tilt", False, DeviceKind.BLIND),
        ("Lock Ultra", False, DeviceKind.LOCK),
        ("Smart Lock Ultra", False, DeviceKind.LOCK),
        ("Air Purifier PM2.5", False, DeviceKind.HUMIDIFIER),
        ("K10+", False, DeviceKind.VACUUM),
        ("Hub 3", False, DeviceKind.SENSOR),
        ("Hub Mini", False, DeviceKind.OTHER),
        ("Keypad", False, DeviceKind.OTHER),
        ("Smart Radiator Thermostat", False, DeviceKind.AIR_CONDITIONER),
        ("Standing Circulator Fan", False, DeviceKind.FAN),
        ("Air Conditioner", True, DeviceKind.AIR_CONDITIONER),
        ("DIY Air Conditioner", True, DeviceKind.AIR_CONDITIONER),
        ("Set Top Box", True, DeviceKind.TV),
        ("DIY TV", True, DeviceKind.TV),
        ("Light", True, DeviceKind.LIGHT),
        ("Fan", True, DeviceKind.FAN),
        ("Air Purifier", True, DeviceKind.HUMIDIFIER),
        ("Speaker", True, DeviceKind.OTHER),
        ("Others", True, DeviceKind.OTHER),
        ("Teleporter", False, DeviceKind.OTHER),
        ("Teleporter", True, DeviceKind.OTHER),
    ],
)
def test_kind_of(type_string: str, infrared: bool, kind: DeviceKind) -> None:
    assert kind_of(type_string, infrared=infrared) is kind


def test_device_spec_keeps_physical_and_infrared_apart() -> None:
    assert device_spec("TV", infrared=False) is None
    assert device_spec("Bot", infrared=True) is None
    assert device_spec("Teleporter", infrared=False) is None
    tv = device_spec("DIY TV", infrared=True)
    assert tv is not None
    assert tv == device_spec("TV", infrared=True)
    assert tv.infrared
    assert tv.family is Family.TV_REMOTE
    assert tv.platforms == {"remote"}
    assert not tv.pushes


def test_device_kind_reexported_where_it_always_was() -> None:
    assert FallbackKind is ModelKind is DeviceKind


def test_categories_wrappers_read_the_catalog() -> None:
    lock = Device.from_dict({"deviceId": "A", "deviceType": "Smart Lock Pro"})
    remote = InfraredRemote.from_dict({"deviceId": "B", "remoteType": "DIY Set Top Box"})
    assert device_kind(lock) is DeviceKind.LOCK
    assert device_kind(remote) is DeviceKind.TV
    assert kind_of_type("Ceiling Light") is DeviceKind.LIGHT


def test_pushes_as_before() -> None:
    silent = {spec.type_string for spec in ALL_SPECS if not spec.infrared and not spec.pushes}
    assert silent == {
        "Hub", "Hub Plus", "Hub Mini", "AI Hub", "Plug", "Humidifier", "Blind Tilt",
        "Pan/Tilt Cam 2K", "Pan/Tilt Cam Plus 2K", "Pan/Tilt Cam Plus 3K", "Remote",
        "Keypad", "Keypad Touch", "Keypad Vision", "Keypad Vision Pro",
    }  # fmt: skip
    assert pushes("Meter")
    assert not pushes("Hub Mini")
    # A type the catalog has never heard of is assumed to push, so it is not polled hard.
    assert pushes("Teleporter")
    assert all(not spec.pushes for spec in ALL_SPECS if spec.infrared)


# --- safety ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lock_type", sorted(catalog.types_with(Family.LOCK)))
def test_every_lock_asks_before_letting_anyone_in(lock_type: str) -> None:
    for command in ("unlock", "deadbolt", "nightLatchUnlock"):
        # Even where the model's table lacks the command (Lock Lite's deadbolt).
        assert is_dangerous_command(lock_type, command)
        assert is_unlocking_command(lock_type, command)
    assert not is_dangerous_command(lock_type, "lock")
    assert not is_unlocking_command(lock_type, "lock")


def test_dangerous_commands_as_safety_had_them() -> None:
    assert is_dangerous_command("Garage Door Opener", "turnOn")
    assert is_unlocking_command("Garage Door Opener", "turnOn")
    assert not is_dangerous_command("Garage Door Opener", "turnOff")
    assert not is_dangerous_command("Relay Switch 1", "turnOn")
    assert not is_dangerous_command("Teleporter", "unlock")
    assert not is_dangerous_command("Air Conditioner", "turnOn", infrared=True)
    dangerous = {
        (spec.type_string, name)
        for spec in ALL_SPECS
        for name, command in spec.commands.items()
        if command.dangerous
    }
    assert dangerous == {
        (spec.type_string, name)
        for spec in ALL_SPECS
        for name in spec.commands
        if is_dangerous_command(spec.type_string, name, infrared=spec.infrared)
    }
    assert {name for _type, name in dangerous} == {
        "unlock",
        "deadbolt",
        "nightLatchUnlock",
        "turnOn",
    }


# --- idempotency --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_string", "command", "infrared", "idempotent"),
    [
        ("Color Bulb", "turnOn", False, True),
        ("Color Bulb", "setBrightness", False, True),
        ("Color Bulb", "toggle", False, False),
        ("Plug Mini (JP)", "toggle", False, False),
        ("Relay Switch 2PM", "toggle", False, False),
        ("Relay Switch 1", "setMode", False, True),
        ("Bot", "press", False, False),
        ("Bot", "turnOn", False, False),
        ("Curtain", "setPosition", False, True),
        ("Blind Tilt", "fullyOpen", False, True),
        ("Smart Lock Pro", "unlock", False, True),
        ("Smart Lock Pro", "deadbolt", False, True),
        ("Lock Vision", "createKey", False, False),
        ("K10+", "start", False, True),
        ("Robot Vacuum Cleaner S10", "dock", False, True),
        ("Robot Vacuum Cleaner S10", "changeParam", False, True),
        ("Robot Vacuum Cleaner S10", "selfClean", False, False),
        ("Humidifier2", "setChildLock", False, True),
        ("Smart Radiator Thermostat", "setManualModeTemperature", False, True),
        ("Circulator Fan", "setNightLightMode", False, True),
        ("Circulator Fan", "setWindSpeed", False, True),
        ("Air Conditioner", "setAll", True, True),
        ("DIY Air Conditioner", "setAll", True, True),
        ("Air Conditioner", "turnOn", True, False),
        ("Air Conditioner", "turnOff", True, False),
        ("TV", "turnOn", True, False),
        ("TV", "SetChannel", True, True),
        ("TV", "volumeAdd", True, False),
        ("Set Top Box", "channelSub", True, False),
        ("Speaker", "setMute", True, False),
        ("Light", "brightnessUp", True, False),
        ("Light", "turnOff", True, False),
        ("Fan", "swing", True, False),
        ("Fan", "lowSpeed", True, True),
        # Unknown types and commands are never assumed safe to repeat.
        ("Teleporter", "turnOn", False, False),
        ("Color Bulb", "beamMeUp", False, False),
        ("Color Bulb", "setAll", False, False),
    ],
)
def test_is_idempotent(type_string: str, command: str, infrared: bool, idempotent: bool) -> None:
    assert is_idempotent(type_string, command, infrared=infrared) is idempotent


def test_learned_buttons_are_never_idempotent() -> None:
    assert is_idempotent("Air Conditioner", "setAll", infrared=True)
    assert not is_idempotent("Air Conditioner", "setAll", infrared=True, command_type="customize")
    assert not is_idempotent("Others", "Power", infrared=True, command_type="customize")


def test_idempotency_rules_hold_across_the_catalog() -> None:
    for spec in ALL_SPECS:
        for name, command in spec.commands.items():
            where = f"{spec.type_string}:{name}"
            # Blind Tilt's closeUp/closeDown name where it closes to, not a step.
            stepping = name.endswith(("Up", "Down", "Add", "Sub")) and not name.startswith("close")
            if name in ("press", "toggle") or stepping:
                assert not command.idempotent, where
            if spec.infrared and name in ("turnOn", "turnOff"):
                assert not command.idempotent, where
            if spec.infrared and name not in ("setAll", "SetChannel"):
                # Only explicit values repeat on infrared; "Play", "Stop", speeds are values.
                assert not command.idempotent or name in (
                    "Play",
                    "Stop",
                    "lowSpeed",
                    "middleSpeed",
                    "highSpeed",
                ), where


# --- the simulator's types ---------------------------------------------------------------------


@pytest.mark.parametrize("device_type", sorted(DEVICE_TYPES))
def test_every_simulated_type_has_its_commands(device_type: str) -> None:
    spec = device_spec(device_type, infrared=False)
    assert spec is not None
    assert set(spec.commands) == set(DEVICE_TYPES[device_type].commands)


def test_pushes_agree_with_the_simulator_but_for_known_choices() -> None:
    differing = {
        device_type
        for device_type, simulated in DEVICE_TYPES.items()
        if (simulated.webhook is not None) != pushes(device_type)
    }
    # Keypads push passcode results only, never a state; the v1.0 Smart Fan is kept polled
    # as seldom as a pushing type, as it always was.
    assert differing == {
        "Keypad",
        "Keypad Touch",
        "Keypad Vision",
        "Keypad Vision Pro",
        "Smart Fan",
    }


@pytest.mark.parametrize("remote_type", supported_remote_types())
def test_every_simulated_remote_type_has_its_commands(remote_type: str) -> None:
    simulated = infrared_family(remote_type)
    assert simulated is not None
    for spelling in (remote_type, f"DIY {remote_type}"):
        spec = device_spec(spelling, infrared=True)
        assert spec is not None, spelling
        assert set(spec.commands) == set(simulated.commands)


# --- selections -------------------------------------------------------------------------------


def test_types_with() -> None:
    assert catalog.types_with(
        Family.LIGHT, commands={"setColor"}, lacking={"setColorTemperature"}
    ) == {"Strip Light", "RGBIC Neon Rope Light", "RGBIC Neon Wire Rope Light"}
    assert catalog.types_with(Family.LOCK, lacking={"deadbolt"}) == {
        "Lock Lite",
        "Lock Vision",
        "Lock Vision Pro",
        "Smart Lock Lite",
        "Smart Lock Vision",
        "Smart Lock Vision Pro",
    }
    assert catalog.types_with(Family.LOCK, commands={"deadbolt"}) == {
        "Smart Lock",
        "Smart Lock Pro",
        "Smart Lock Pro Wifi",
        "Smart Lock Ultra",
        "Lock Ultra",
        "Smart Lock Ultra Max",
    }
    assert catalog.types_with(Family.PLUG, without={Feature.SWITCH_STATUS}) == {
        "Plug",
        "Plug Mini (US)",
        "Plug Mini (JP)",
    }
    assert catalog.types_with(Family.MOTION_SENSOR, Family.PRESENCE_SENSOR) == {
        "Motion Sensor",
        "Presence Sensor",
    }
    assert catalog.types_with(commands={"SetChannel"}) == {
        "TV",
        "IPTV",
        "Streamer",
        "IPTV/Streamer",
        "Set Top Box",
    }
    assert catalog.types_with(platform="climate", infrared=False) == {"Smart Radiator Thermostat"}
    assert catalog.types_with(platform="climate", infrared=True) == {"Air Conditioner"}
    assert catalog.types_with(Family.TASK_VACUUM, features={Feature.WATER_LEVEL}) == {
        "Robot Vacuum Cleaner K20 Plus Pro",
        "K20+ Pro",
        "Robot Vacuum Cleaner K11+",
        "Robot Vacuum Cleaner K11 Plus",
    }
    assert catalog.types_with(Family.CIRCULATOR_FAN) == {
        "Battery Circulator Fan",
        "Battery Circulator Fan 2 Pro",
        "Circulator Fan",
        "Standing Circulator Fan",
        "Standing Fan",
    }
    # An alias comes only with the type it names: not with a type of another family.
    assert "Standing Fan" not in catalog.types_with(Family.LOCK, Family.LIGHT)
    assert catalog.types_with(platform="image") == {"AI Art Frame"}


def test_water_level_feature_matches_change_param() -> None:
    for spec in ALL_SPECS:
        change = spec.commands.get("changeParam")
        carries_water = (
            change is not None
            and isinstance(change.parameter, JsonObject)
            and "waterLevel" in change.parameter.required
        )
        assert carries_water is (Feature.WATER_LEVEL in spec.features), spec.type_string


def test_brightness_ranges() -> None:
    ranges = {
        spec.type_string: spec.commands["setBrightness"].parameter
        for spec in ALL_SPECS
        if "setBrightness" in spec.commands
    }
    assert ranges["Color Bulb"] == IntRange(1, 100)
    assert ranges["Ceiling Light Pro"] == IntRange(1, 100)
    assert ranges["Candle Warmer Lamp"] == IntRange(0, 100)


def _platform_selections() -> Iterator[tuple[str, bool, frozenset[str]]]:
    """What each type-driven platform module selects, as (platform, infrared, types)."""

    def union(*groups: frozenset[str]) -> frozenset[str]:
        return frozenset().union(*groups)

    yield "light", False, union(*(d.device_types for d in light.LIGHTS))
    yield "switch", False, union(*(d.device_types for d in switch.SWITCHES))
    yield "button", False, union(*(d.device_types for d in button.BUTTONS))
    yield "image", False, union(*(d.device_types for d in image.IMAGES))
    yield "cover", False, union(*(d.device_types for d in cover.COVERS))
    yield "lock", False, union(*(d.device_types for d in lock.LOCKS))
    yield "binary_sensor", False, union(*(d.device_types for d in binary_sensor.BINARY_SENSORS))
    yield "select", False, union(*(d.device_types for d in select.SELECTS))
    yield "vacuum", False, union(*(d.device_types for d in vacuum.VACUUMS))
    yield "fan", False, fan.CIRCULATOR_FAN_TYPES | fan.AIR_PURIFIER_TYPES
    yield "fan", True, fan.INFRARED_FAN_TYPES
    yield "climate", False, climate.THERMOSTAT_TYPES
    yield "climate", True, climate.AIR_CONDITIONER_REMOTE_TYPES
    yield (
        "humidifier",
        False,
        union(humidifier.HUMIDIFIER.device_types, humidifier.EVAPORATIVE_HUMIDIFIER.device_types),
    )
    yield "remote", True, union(*(d.device_types for d in remote.REMOTES))
    yield "remote", False, frozenset()


def test_platforms_match_what_the_platform_modules_select() -> None:
    for platform, infrared, selected in _platform_selections():
        assert selected == catalog.types_with(platform=platform, infrared=infrared), platform


def test_one_description_per_type() -> None:
    for groups in (
        [d.device_types for d in light.LIGHTS],
        [d.device_types for d in image.IMAGES],
        [d.device_types for d in lock.LOCKS],
        [d.device_types for d in vacuum.VACUUMS],
        [d.device_types for d in remote.REMOTES],
    ):
        assert sum(len(group) for group in groups) == len(frozenset().union(*groups))
        assert all(groups)


# --- parameters and local commands ------------------------------------------------------------


def test_parameter_specs_accept_their_examples() -> None:
    for spec in ALL_SPECS:
        for command in spec.commands.values():
            parameter = command.parameter
            if isinstance(parameter, Pattern):
                assert parameter.accepts(parameter.example), (spec.type_string, command.name)
            if isinstance(parameter, NoParameter):
                assert parameter.accepts("default")
    set_position = catalog.command_spec("Blind Tilt", "setPosition")
    assert set_position is not None
    assert set_position.parameter.accepts("down;100")
    assert not set_position.parameter.accepts("up;61")  # positions must be even
    brightness = catalog.command_spec("Color Bulb", "setBrightness")
    assert brightness is not None
    assert brightness.parameter.accepts("1")
    assert not brightness.parameter.accepts("0")
    mode = catalog.command_spec("Humidifier2", "setMode")
    assert mode is not None
    assert mode.parameter.accepts({"mode": 5, "targetHumidify": 50})
    assert not mode.parameter.accepts('{"mode": 5}')


# --- aliases ----------------------------------------------------------------------------------

ALIASES = {
    "Smart Lock Lite": "Lock Lite",
    "Smart Lock Vision": "Lock Vision",
    "Smart Lock Vision Pro": "Lock Vision Pro",
    "Lock Ultra": "Smart Lock Ultra",
    "Standing Fan": "Standing Circulator Fan",
    "K20+ Pro": "Robot Vacuum Cleaner K20 Plus Pro",
    "S20": "Robot Vacuum Cleaner S20",
    "Robot Vacuum Cleaner K11 Plus": "Robot Vacuum Cleaner K11+",
}


@pytest.mark.parametrize(("alias", "type_string"), ALIASES.items())
def test_an_alias_is_its_type(alias: str, type_string: str) -> None:
    spec = device_spec(type_string, infrared=False)
    assert spec is not None
    # The very same spec, not a copy that could drift from it.
    assert device_spec(alias, infrared=False) is spec
    assert spec.type_string == type_string
    assert catalog.canonical_type(alias) == type_string
    assert catalog.canonical_type(type_string) == type_string
    assert kind_of(alias) is spec.kind
    assert catalog.family_of(alias) is spec.family
    assert pushes(alias) is spec.pushes
    for name in spec.commands:
        assert catalog.command_spec(alias, name) is spec.commands[name]
        assert is_idempotent(alias, name) is spec.commands[name].idempotent
        assert is_dangerous_command(alias, name) is spec.commands[name].dangerous
    assert all(catalog.has_feature(alias, feature) for feature in spec.features)
    assert alias in PHYSICAL
    # Every selection of the type selects its alias too, so every platform shows it.
    for platform in spec.platforms:
        assert alias in catalog.types_with(spec.family, platform=platform, infrared=False)
    assert device_spec(alias, infrared=True) is None


def test_aliases_are_exactly_these() -> None:
    spellings = {t for t in PHYSICAL if catalog.canonical_type(t) != t}
    assert {alias: catalog.canonical_type(alias) for alias in spellings} == ALIASES
    # One entry per product: no two catalog types share one spec.
    specs = [device_spec(t, infrared=False) for t in PHYSICAL - spellings]
    assert len({id(spec) for spec in specs}) == len(specs)


def test_the_cloud_spellings_of_core_types_are_known() -> None:
    # The types Home Assistant's own switchbot_cloud integration shows that RoomSense lacked.
    expected = {
        "Smart Lock Lite": ("lock", Family.LOCK),
        "Smart Lock Vision": ("lock", Family.LOCK),
        "Smart Lock Vision Pro": ("lock", Family.LOCK),
        "Smart Lock Ultra Max": ("lock", Family.LOCK),
        "Curtain4": ("cover", Family.CURTAIN),
        "Battery Circulator Fan 2 Pro": ("fan", Family.CIRCULATOR_FAN),
        "Standing Fan": ("fan", Family.CIRCULATOR_FAN),
        "Permanent Outdoor Lights": ("light", Family.LIGHT),
        "K20+ Pro": ("vacuum", Family.TASK_VACUUM),
        "S20": ("vacuum", Family.MOP_VACUUM),
        "Robot Vacuum Cleaner K11 Plus": ("vacuum", Family.TASK_VACUUM),
        "AI Art Frame": ("image", Family.ART_FRAME),
    }
    for type_string, (platform, family) in expected.items():
        spec = device_spec(type_string, infrared=False)
        assert spec is not None, type_string
        assert spec.family is family, type_string
        assert platform in spec.platforms, type_string
    frame = device_spec("AI Art Frame", infrared=False)
    assert frame is not None
    assert frame.platforms == {"sensor", "button", "image"}
    # The Ultra Max opens like the Ultra; the Lite and Visions have no deadbolt.
    assert catalog.supports("Smart Lock Ultra Max", "deadbolt")
    assert not catalog.supports("Smart Lock Lite", "deadbolt")
    assert is_dangerous_command("Smart Lock Vision Pro", "unlock")


def test_fan_night_lights_per_model() -> None:
    classic = catalog.command_spec("Standing Fan", "setNightLightMode")
    two_pro = catalog.command_spec("Battery Circulator Fan 2 Pro", "setNightLightMode")
    assert classic is not None
    assert two_pro is not None
    assert classic.parameter.accepts("2")
    assert not classic.parameter.accepts("0")
    assert two_pro.parameter.accepts("0")
    assert not two_pro.parameter.accepts("2")


def test_night_light_options_name_each_models_codes() -> None:
    (night_light,) = select.SELECTS
    classic = {"off": "off", "bright": "1", "dim": "2"}
    assert select.option_codes("Circulator Fan", night_light) == classic
    assert select.option_codes("Standing Fan", night_light) == classic
    assert select.option_codes("Battery Circulator Fan 2 Pro", night_light) == {
        "off": "off",
        "bright": "0",
        "dim": "1",
    }
    # A type without the command, or unknown, gets no select.
    assert select.option_codes("Smart Fan", night_light) == {}
    assert select.option_codes("Teleporter", night_light) == {}


def test_register_local_commands_reaches_the_aliases() -> None:
    try:
        catalog.register_local_commands("Smart Lock Lite", ["lock"])
        for spelling in ("Smart Lock Lite", "Lock Lite"):
            spec = device_spec(spelling, infrared=False)
            assert spec is not None
            assert spec.local_commands == {"lock"}
    finally:
        catalog.register_local_commands("Lock Lite", ())


def test_register_local_commands() -> None:
    before = device_spec("Bot", infrared=False)
    assert before is not None
    # What the Bluetooth transport registered when its models were imported.
    assert before.local_commands == {"press", "turnOn", "turnOff"}
    try:
        catalog.register_local_commands("Bot", ["press", "turnOn"])
        after = device_spec("Bot", infrared=False)
        assert after is not None
        assert after.local_commands == {"press", "turnOn"}
        with pytest.raises(ValueError, match="no command"):
            catalog.register_local_commands("Bot", ["selfDestruct"])
        with pytest.raises(ValueError, match="unknown device type"):
            catalog.register_local_commands("Teleporter", ["turnOn"])
    finally:
        catalog.register_local_commands("Bot", before.local_commands)
    restored = device_spec("Bot", infrared=False)
    assert restored is not None
    assert restored.local_commands == before.local_commands


# --- no type strings elsewhere --------------------------------------------------------------


def _type_strings() -> frozenset[str]:
    remotes = {*REMOTES, *(f"{catalog.DIY_PREFIX}{remote}" for remote in REMOTES)}
    return PHYSICAL | remotes


def test_no_module_but_the_catalog_names_a_device_type() -> None:
    type_strings = _type_strings()
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("catalog/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value in type_strings
            ):
                found.append(f"{relative}:{node.lineno}: {node.value!r}")
    assert not found, "device types named outside catalog/:\n" + "\n".join(found)
