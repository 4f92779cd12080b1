"""Advertisements of each model, as PySwitchbot reads them, in the Open API's own fields.

The advertisements are the Bluetooth simulator's (built byte for byte as the devices send
them); PySwitchbot 2.9.0 parses them; `ble.models` must give what the cloud's status would.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.roomsense import catalog
from custom_components.roomsense.ble.models import MODELS, address_of, device_id_of, model_for
from roomsense_simulator.ble import BleDevice, LockState, build_advertisement

from .simulator.test_ble_support import ENCRYPTION_KEY, KEY_ID, parse

CASES: list[tuple[str, str, str, dict[str, Any], dict[str, Any]]] = [
    # (Open API type, simulator product, advertised model, state, expected Open API fields)
    ("Bot", "bot", "WoHand", {"switchMode": True, "isOn": True, "battery": 80},
     {"power": "on", "deviceMode": "switchMode", "battery": 80}),
    ("Bot", "bot", "WoHand", {"switchMode": False, "battery": 55},
     {"deviceMode": "pressMode", "battery": 55}),
    ("Curtain", "curtain", "WoCurtain", {"position": 30, "inMotion": True, "battery": 70},
     {"slidePosition": 30, "moving": True, "calibrate": True, "battery": 70}),
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


def test_addresses_and_device_ids() -> None:
    assert address_of("f8c9a1b2e3d4") == "F8:C9:A1:B2:E3:D4"
    assert device_id_of("F8:C9:A1:B2:E3:D4") == "F8C9A1B2E3D4"
    assert address_of("02-202404011230-10482736") is None  # an infrared remote
    assert address_of("XYZ123456789") is None
    assert model_for("Indoor Cam") is None
