"""A fallback-parser snapshot of the simulator's demo home, with current readings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.roomsense.fallback import FallbackParser
from custom_components.roomsense.home_model import (
    AreaInfo,
    DeviceKind,
    HomeDevice,
    HomeSnapshot,
    SceneInfo,
)

DEMO_HOME = Path(__file__).parents[2] / "simulator" / "roomsense_simulator" / "homes" / "demo.json"

KIND_BY_TYPE = {
    "Hub 2": DeviceKind.SENSOR,
    "Meter": DeviceKind.SENSOR,
    "MeterPro(CO2)": DeviceKind.SENSOR,
    "Motion Sensor": DeviceKind.SENSOR,
    "Contact Sensor": DeviceKind.SENSOR,
    "Water Detector": DeviceKind.SENSOR,
    "Ceiling Light": DeviceKind.LIGHT,
    "Color Bulb": DeviceKind.LIGHT,
    "Plug Mini (JP)": DeviceKind.PLUG,
    "Bot": DeviceKind.BOT,
    "Curtain": DeviceKind.CURTAIN,
    "Blind Tilt": DeviceKind.BLIND,
    "Smart Lock Pro": DeviceKind.LOCK,
    "Circulator Fan": DeviceKind.FAN,
    "Humidifier2": DeviceKind.HUMIDIFIER,
    "Robot Vacuum Cleaner S10": DeviceKind.VACUUM,
    "Air Conditioner": DeviceKind.AIR_CONDITIONER,
    "TV": DeviceKind.TV,
}

AREAS = (
    AreaInfo("リビング", ("living room",)),
    AreaInfo("寝室", ("bedroom",)),
    AreaInfo("玄関", ("entrance", "front door")),
    AreaInfo("廊下", ("hall",)),
    AreaInfo("洗面所", ("wash room",)),
)

# Readings "now": a warm living room and a cool bedroom.
CURRENT_STATE: dict[str, dict[str, Any]] = {
    "EC1A3F9B2C10": {"temperature": 27.6, "humidity": 62, "lightLevel": 14},
    "D04E7A2B9C15": {"temperature": 19.4, "humidity": 45},
    "B0E9FE5C1A22": {"temperature": 27.8, "humidity": 61, "CO2": 1150},
    "F3A1C7E85B02": {"moveDetected": False, "brightness": "dim"},
    "E9D4B2A7C610": {"openState": "close", "moveDetected": False},
    "C4E7B1A95D38": {"status": 0, "battery": 100},
    "A4C1382B7E90": {"power": "on", "fanSpeed": 40},
    "B4E62D8F1A07": {"power": "off", "humidity": 41},
    "CF3A5E7B9D21": {"workingStatus": "ChargeDone", "battery": 100},
}


def _area_of(name: str) -> str | None:
    """Demo names start with their room: "リビングのカーテン", "玄関ドアの開閉センサー"."""
    return next((area.name for area in AREAS if name.startswith(area.name)), None)


def load_demo_snapshot() -> HomeSnapshot:
    """The demo home as the integration would describe it to the fallback parser."""
    home = json.loads(DEMO_HOME.read_text(encoding="utf-8"))
    devices: list[HomeDevice] = []
    for raw in home["devices"]:
        state = dict(raw.get("status", {}))
        state.update(CURRENT_STATE.get(raw["deviceId"], {}))
        devices.append(
            HomeDevice(
                device_id=raw["deviceId"],
                name=raw["deviceName"],
                kind=KIND_BY_TYPE.get(raw["deviceType"], DeviceKind.OTHER),
                device_type=raw["deviceType"],
                aliases=(raw["alias"],) if raw.get("alias") else (),
                area=_area_of(raw["deviceName"]),
                state=state,
            )
        )
    for raw in home["infraredRemotes"]:
        devices.append(
            HomeDevice(
                device_id=raw["deviceId"],
                name=raw["deviceName"],
                kind=KIND_BY_TYPE.get(raw["remoteType"], DeviceKind.OTHER),
                device_type=raw["remoteType"],
                aliases=(raw["alias"],) if raw.get("alias") else (),
                area=_area_of(raw["deviceName"]),
                is_infrared=True,
                state=dict(raw.get("state", {})),
                custom_buttons=tuple(raw.get("customButtons", ())),
            )
        )
    scenes = [
        SceneInfo(raw["sceneId"], raw["sceneName"], (raw["alias"],) if raw.get("alias") else ())
        for raw in home["scenes"]
    ]
    return HomeSnapshot(devices=devices, scenes=scenes, areas=AREAS)


@pytest.fixture(scope="session")
def demo_snapshot() -> HomeSnapshot:
    """The demo home snapshot, built once."""
    return load_demo_snapshot()


@pytest.fixture(scope="session")
def parser(demo_snapshot: HomeSnapshot) -> FallbackParser:
    """A parser over the demo home, built once."""
    return FallbackParser(demo_snapshot)
