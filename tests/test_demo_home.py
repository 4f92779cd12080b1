"""The demo's rooms (`scripts/demo_support/home.py`), without running Home Assistant.

Every device of the simulator's demo home has a room; each room's Japanese name and English
aliases are words RoomSense's own parser knows for one and the same area, so an area made
from them is found by 「リビングの…」 and "the living room …" alike.
"""

from __future__ import annotations

import json
from pathlib import Path

import homeassistant.components.onboarding as onboarding
import pytest
from homeassistant.components.onboarding.const import DEFAULT_AREAS

from custom_components.roomsense.fallback.lexicon import AREA_WORDS
from scripts.demo_support.home import DEMO_HOME_FILE, ROOMS, UNNAMED_ROOMS, Room, device_rooms
from scripts.demo_support.settings import DemoError


def test_every_device_of_the_demo_home_has_its_room() -> None:
    home = json.loads(DEMO_HOME_FILE.read_text(encoding="utf-8"))
    things = [*home["devices"], *home["infraredRemotes"]]
    rooms = device_rooms()

    assert set(rooms) == {thing["deviceId"] for thing in things}
    names = {thing["deviceId"]: thing["deviceName"] for thing in things}
    assert {names[ident]: room for ident, room in rooms.items()} == {
        "リビングのハブ2": "リビング",
        "寝室のハブミニ": "寝室",
        "リビングのシーリングライト": "リビング",
        "寝室の電球": "寝室",
        "コーヒーメーカーのプラグ": "キッチン",
        "給湯器のボット": "キッチン",
        "リビングのカーテン": "リビング",
        "寝室のブラインド": "寝室",
        "玄関の鍵": "玄関",
        "玄関のキーパッド": "玄関",
        "寝室の温湿度計": "寝室",
        "リビングのCO2センサー": "リビング",
        "廊下の人感センサー": "廊下",
        "玄関ドアの開閉センサー": "玄関",
        "洗面所の水漏れセンサー": "洗面所",
        "リビングのサーキュレーター": "リビング",
        "寝室の加湿器": "寝室",
        "お掃除ロボット": "リビング",
        "リビングのエアコン": "リビング",
        "リビングのテレビ": "リビング",
        "寝室の照明リモコン": "寝室",
    }
    # Placed by hand only where the name says no room.
    assert all(not any(names[i].startswith(r.name) for r in ROOMS) for i in UNNAMED_ROOMS)


@pytest.mark.parametrize("room", ROOMS, ids=lambda room: room.name)
def test_a_rooms_name_and_aliases_are_one_area_to_the_parser(room: Room) -> None:
    assert room.aliases
    assert all(alias.isascii() for alias in room.aliases), "English aliases"
    groups = [group for group, words in AREA_WORDS.items() if room.name in words]
    assert len(groups) == 1, groups
    words = AREA_WORDS[groups[0]]
    assert set(room.aliases) <= set(words)
    # An area that onboarding made for the room, in either language, is that room.
    assert {name.casefold() for name in room.onboarding_names} <= set(words)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_area_onboarding_makes_becomes_a_room(language: str) -> None:
    """Onboarding makes a living room, kitchen and bedroom; none is left empty beside a room."""
    translations = Path(onboarding.__file__).parent / "translations" / f"{language}.json"
    made = json.loads(translations.read_text(encoding="utf-8"))["area"]
    assert set(made) == {area.key for area in DEFAULT_AREAS}
    known = {name for room in ROOMS for name in (room.name, *room.onboarding_names)}
    assert set(made.values()) <= known


def test_a_device_with_no_room_is_named(tmp_path: Path) -> None:
    home = tmp_path / "home.json"
    home.write_text(
        json.dumps(
            {
                "devices": [
                    {"deviceId": "A1", "deviceName": "リビングの電球"},
                    {"deviceId": "B2", "deviceName": "書斎の電球"},
                ],
                "infraredRemotes": [],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(DemoError, match=r"No room for 書斎の電球 \(B2\)"):
        device_rooms(home)
    home.write_text("{}", encoding="utf-8")
    with pytest.raises(DemoError, match="Cannot read the demo home"):
        device_rooms(home)
