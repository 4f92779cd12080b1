"""Advertisements of each model, as PySwitchbot reads them, in the Open API's own fields.

The advertisements are the Bluetooth simulator's (built byte for byte as the devices send
them); PySwitchbot 2.9.0 parses them; `ble.models` must give what the cloud's status would.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.roomsense import catalog
from custom_components.roomsense.ble import models
from custom_components.roomsense.ble.models import (
    MODELS,
    LocalParameterError,
    address_of,
    device_id_of,
    model_for,
)
from roomsense_simulator.ble import BleDevice, LockState, build_advertisement

from .simulator.test_ble_support import ENCRYPTION_KEY, KEY_ID, import_switchbot, parse

CASES: list[tuple[str, str, str, dict[str, Any], dict[str, Any]]] = [
    # (Open API type, simulator product, advertised model, state, expected Open API fields)
    ("Bot", "bot", "WoHand", {"switchMode": True, "isOn": True, "battery": 80},
     {"power": "on", "deviceMode": "switchMode", "battery": 80}),
    ("Bot", "bot", "WoHand", {"switchMode": False, "battery": 55},
     {"deviceMode": "pressMode", "battery": 55}),
    ("Curtain", "curtain", "WoCurtain", {"position": 30, "inMotion": True, "battery": 70},
     {"slidePosition": 30, "moving": True, "calibrate": True, "battery": 70}),
    # The Blind Tilt's one tilt scale (0 shut down, 50 open, 100 shut up) as the cloud's
    # direction and openness (0 shut, 100 open); level slats lean neither way.
    ("Blind Tilt", "blind_tilt", "WoBlindTilt", {"tilt": 30, "inMotion": True, "battery": 70},
     {"slidePosition": 60, "direction": "down", "moving": True, "calibrate": True,
      "battery": 70}),
    ("Blind Tilt", "blind_tilt", "WoBlindTilt", {"tilt": 80, "calibration": False},
     {"slidePosition": 40, "direction": "up", "moving": False, "calibrate": False,
      "battery": 100}),
    ("Blind Tilt", "blind_tilt", "WoBlindTilt", {"tilt": 100},
     {"slidePosition": 0, "direction": "up", "moving": False, "calibrate": True, "battery": 100}),
    ("Blind Tilt", "blind_tilt", "WoBlindTilt", {"tilt": 0},
     {"slidePosition": 0, "direction": "down", "moving": False, "calibrate": True,
      "battery": 100}),
    ("Blind Tilt", "blind_tilt", "WoBlindTilt", {"tilt": 50},
     {"slidePosition": 100, "moving": False, "calibrate": True, "battery": 100}),
    ("MeterPlus", "meter_plus", "WoSensorTH", {"temperature": -3.4, "humidity": 61, "battery": 9},
     {"temperature": -3.4, "humidity": 61, "battery": 9}),
    ("MeterPro(CO2)", "meter_pro_co2", "WoTHPc", {"temperature": 24.1, "co2": 1234},
     {"temperature": 24.1, "humidity": 45, "battery": 100, "CO2": 1234}),
    ("Hub 2", "hub2", "WoHub2", {"temperature": 19.5, "humidity": 40, "lightLevel": 7},
     {"temperature": 19.5, "humidity": 40, "lightLevel": 7}),
    ("Smart Lock Pro", "lock_pro", "WoLockPro", {"status": LockState.UNLOCKED, "door_open": True},
     {"lockState": "unlock", "doorState": "open", "calibrate": True, "battery": 100}),
    ("Smart Lock", "lock", "WoLock", {"status": LockState.LOCKING_STOP},
     {"lockState": "jammed", "doorState": "close", "calibrate": True, "battery": 100}),
    ("Contact Sensor", "contact_sensor", "WoContact",
     {"contact_open": True, "is_light": True, "motion_detected": True},
     {"openState": "open", "moveDetected": True, "brightness": "bright", "battery": 100}),
    ("Contact Sensor", "contact_sensor", "WoContact", {"contact_timeout": True},
     {"openState": "timeOutNotClose", "moveDetected": False, "brightness": "dim",
      "battery": 100}),
    ("Motion Sensor", "motion_sensor", "WoPresence", {"motion_detected": True},
     {"moveDetected": True, "brightness": "dim", "battery": 100}),
    ("Water Detector", "leak_detector", "Leak Detector", {"leak": True, "battery": 90},
     {"status": 1, "battery": 90}),
    ("Plug Mini (JP)", "plug_mini_jp", "WoPlug", {"isOn": True, "power": 12.5},
     {"power": "on", "weight": 12.5}),
    ("Color Bulb", "color_bulb", "WoBulb", {"isOn": True, "brightness": 40},
     {"power": "on", "brightness": 40}),
    ("Ceiling Light", "ceiling_light", "WoCeiling", {"isOn": True, "brightness": 70, "cw": 3000},
     {"power": "on", "brightness": 70, "colorTemperature": 3000}),
    ("Relay Switch 1PM", "relay_switch_1pm", "Relay Switch 1PM", {"isOn": True, "power": 60.0},
     {"switchStatus": 1, "power": 60}),
]  # fmt: skip


@pytest.mark.parametrize(("cloud_type", "product", "advertised", "state", "expected"), CASES)
def test_an_advertisement_reads_as_the_cloud_status(
    cloud_type: str, product: str, advertised: str, state: dict[str, Any], expected: dict[str, Any]
) -> None:
    model = model_for(cloud_type)
    assert model is not None
    keys = {"key_id": KEY_ID, "encryption_key": ENCRYPTION_KEY} if model.encrypted else {}
    device = BleDevice("C0:FF:EE:00:00:01", advertised, product=product, state=state, **keys)
    parsed = parse(build_advertisement(device))
    assert parsed is not None
    assert parsed.data["modelName"].name in model.advertised_models
    assert model.status(parsed.data["data"]) == expected


def test_every_model_drives_only_commands_its_types_have() -> None:
    for model in MODELS:
        types = catalog.bluetooth_types(model.name)
        assert types, model.name
        for type_string in types:
            spec = catalog.device_spec(type_string, infrared=False)
            assert spec is not None
            # Registered with the catalog: what the type's cloud table also has.
            assert spec.local_commands == {name for name in model.commands if spec.supports(name)}
        assert model.connectable == (model.device_class is not None)


class RecordingDriver:
    """Stands in for a PySwitchbot device: records each call, answers that it did it."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        async def method(*args: Any) -> bool:
            self.calls.append((name, *args))
            return True

        return method


@pytest.mark.parametrize(
    ("command", "parameter", "expected"),
    [
        ("fullyOpen", "default", ("open",)),
        ("closeUp", "default", ("close_up",)),
        ("closeDown", "default", ("close_down",)),
        # PySwitchbot's tilt: 0 shut down, 50 open, 100 shut up (reverse_mode off).
        ("setPosition", "down;0", ("set_position", 0)),
        ("setPosition", "down;60", ("set_position", 30)),
        ("setPosition", "down;100", ("set_position", 50)),
        ("setPosition", "up;100", ("set_position", 50)),
        ("setPosition", "up;60", ("set_position", 70)),
        ("setPosition", "up;2", ("set_position", 99)),
        ("setPosition", "up;0", ("set_position", 100)),
    ],
)
async def test_blind_tilt_commands_in_pyswitchbot_terms(
    command: str, parameter: str, expected: tuple[Any, ...]
) -> None:
    model = model_for("Blind Tilt")
    assert model is not None
    assert (model.device_class, dict(model.class_kwargs)) == (
        "SwitchbotBlindTilt",
        {"reverse_mode": False},
    )
    driver = RecordingDriver()
    assert await model.commands[command](driver, parameter, {}) is True
    assert driver.calls == [expected]


@pytest.mark.parametrize(
    "parameter", ["up;61", "up;101", "left;40", "Up;40", "60", "up;x", "up;6;0"]
)
async def test_a_blind_tilt_position_the_cloud_would_refuse_is_not_sent(parameter: str) -> None:
    model = model_for("Blind Tilt")
    assert model is not None
    driver = RecordingDriver()
    with pytest.raises(LocalParameterError):
        await model.commands["setPosition"](driver, parameter, {})
    assert driver.calls == []


@pytest.mark.parametrize("direction", ["up", "down"])
async def test_a_blind_tilt_reads_back_the_position_it_was_sent(direction: str) -> None:
    """`setPosition` then the advertisement: the cloud's direction and position again."""
    model = model_for("Blind Tilt")
    assert model is not None
    for position in range(0, 101, 2):
        driver = RecordingDriver()
        await model.commands["setPosition"](driver, f"{direction};{position}", {})
        [(_name, tilt)] = driver.calls
        device = BleDevice("C0:FF:EE:00:00:01", "WoBlindTilt", state={"tilt": tilt})
        parsed = parse(build_advertisement(device))
        assert parsed is not None
        status = model.status(parsed.data["data"])
        assert status["slidePosition"] == position
        # Level slats lean neither way: the direction last known stands.
        assert status.get("direction") == (None if position == 100 else direction)


def test_addresses_and_device_ids() -> None:
    assert address_of("f8c9a1b2e3d4") == "F8:C9:A1:B2:E3:D4"
    assert device_id_of("F8:C9:A1:B2:E3:D4") == "F8C9A1B2E3D4"
    assert address_of("02-202404011230-10482736") is None  # an infrared remote
    assert address_of("XYZ123456789") is None
    assert model_for("Indoor Cam") is None


def test_every_discovered_model_has_a_cloud_twin_driven_by_that_model() -> None:
    # A Bluetooth-only device gets the entities of the Open API type its advertisement names.
    switchbot = import_switchbot()
    advertised = {name for model in models.MODELS for name in model.advertised_models}
    for name in advertised:
        device_type = catalog.discovered_type(name)
        assert device_type is not None, name
        model = models.model_for(device_type)
        assert model is not None, name
        assert name in model.advertised_models, name
        assert name in switchbot.SwitchbotModel.__members__


def test_every_type_of_a_local_model_is_driven_by_it() -> None:
    # Spelled as the catalog spells it, or `model_for` would miss it (aliases resolve first).
    for model in models.MODELS:
        for type_string in catalog.bluetooth_types(model.name):
            assert models.model_for(type_string) is model, type_string
