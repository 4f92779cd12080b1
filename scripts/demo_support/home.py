"""The demo home's rooms: the areas the demo makes and which device goes in which.

The simulator's `demo` home is a Japanese flat whose device names say their room first
(リビングのシーリングライト is in リビング). Each room becomes a Home Assistant area named
in Japanese, as the names say it, with English aliases for Assist in English; the three
devices whose names give no room are placed by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from .settings import ROOT, DemoError

DEMO_HOME_FILE: Final = ROOT / "simulator" / "roomsense_simulator" / "homes" / "demo.json"


@dataclass(frozen=True, slots=True)
class Room:
    """One room of the demo home, a Home Assistant area."""

    name: str
    aliases: tuple[str, ...]
    icon: str
    # The areas onboarding makes for this room (in English before the demo onboarded in
    # Japanese, in Japanese since): the demo renames such an area instead of adding a second
    # one for the same room.
    onboarding_names: tuple[str, ...] = ()


ROOMS: Final = (
    Room("リビング", ("living room", "lounge"), "mdi:sofa", ("Living Room", "リビングルーム")),
    Room("キッチン", ("kitchen",), "mdi:stove", ("Kitchen", "台所")),
    Room("寝室", ("bedroom",), "mdi:bed", ("Bedroom",)),
    Room("玄関", ("entrance", "front door"), "mdi:door"),
    Room("廊下", ("hall", "hallway"), "mdi:walk"),
    Room("洗面所", ("wash room", "washroom", "bathroom"), "mdi:faucet"),
)

# Devices whose names do not start with their room.
UNNAMED_ROOMS: Final = {
    "7C87CE5A10B2": "キッチン",  # コーヒーメーカーのプラグ, the coffee maker plug
    "E2F64B7A9C01": "キッチン",  # 給湯器のボット, the Bot on the water heater's panel
    "CF3A5E7B9D21": "リビング",  # お掃除ロボット, the robot vacuum, docked in the living room
}


def device_rooms(home_file: Path = DEMO_HOME_FILE) -> dict[str, str]:
    """The room of every device and infrared remote of the demo home, by SwitchBot id."""
    try:
        home = json.loads(home_file.read_text(encoding="utf-8"))
        devices = [*home["devices"], *home["infraredRemotes"]]
        names = {str(device["deviceId"]): str(device["deviceName"]) for device in devices}
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise DemoError(f"Cannot read the demo home {home_file}: {err}") from None
    # Longest first, so a room whose name starts with another's would still win.
    by_length = sorted((room.name for room in ROOMS), key=len, reverse=True)
    rooms: dict[str, str] = {}
    unplaced: list[str] = []
    for device_id, name in names.items():
        room = UNNAMED_ROOMS.get(device_id) or next(
            (room for room in by_length if name.startswith(room)), None
        )
        if room is None:
            unplaced.append(f"{name} ({device_id})")
        else:
            rooms[device_id] = room
    if unplaced:
        listed = ", ".join(unplaced)
        raise DemoError(f"No room for {listed}: add it to scripts/demo_support/home.py")
    return rooms
