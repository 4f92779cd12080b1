"""Precision first: the words settle which device and which feature, or nothing is sent."""

from __future__ import annotations

import pytest

from custom_components.roomsense.fallback import FallbackParser

LOCK = "F8C9A1B2E3D4"
HUMIDIFIER = "B4E62D8F1A07"
BLIND = "C8B2E4A19F73"
AIRCON = "02-202404011230-10482736"


@pytest.mark.parametrize(
    "text",
    [
        "リビングの電気を30分後に消して",
        "エアコン1時間後に消して",
        "turn off the tv in 45 minutes",
        "turn the fan off after an hour",
        "run the fan for 30 minutes",
    ],
)
def test_a_request_for_later_sends_nothing_now(parser: FallbackParser, text: str) -> None:
    result = parser.parse(text)
    assert result.actions == ()
    assert result.intent == "delayed"


@pytest.mark.parametrize(
    ("text", "parameter"),
    [
        ("turn on the child lock", "true"),
        ("チャイルドロックをオンにして", "true"),
        ("加湿器のチャイルドロックを解除して", "false"),
    ],
)
def test_a_feature_word_binds_to_the_device_that_has_it(
    parser: FallbackParser, text: str, parameter: str
) -> None:
    result = parser.parse(text)
    assert [(a.device_id, a.command, a.parameter) for a in result.actions] == [
        (HUMIDIFIER, "setChildLock", parameter)
    ]


@pytest.mark.parametrize("text", ["エアコンのスイングをオンにして", "turn on the tv's timer"])
def test_a_feature_no_named_device_has_sends_nothing(parser: FallbackParser, text: str) -> None:
    result = parser.parse(text)
    assert result.actions == ()
    assert "didn't do anything" in result.reply or "何も操作していません" in result.reply


def test_opening_the_door_lock_is_an_unlock_to_confirm(parser: FallbackParser) -> None:
    result = parser.parse("open the door lock")
    assert [(a.device_id, a.command, a.dangerous) for a in result.actions] == [
        (LOCK, "unlock", True)
    ]
    assert result.needs_confirmation


@pytest.mark.parametrize(
    ("text", "command", "parameter"),
    [
        ("close the blinds facing up", "closeUp", "default"),
        ("ブラインドを上向きにして閉めて", "closeUp", "default"),
        ("ブラインド、下向きで40%開けて", "setPosition", "down;40"),
        ("close the blinds", "closeDown", "default"),
    ],
)
def test_the_blind_faces_the_way_it_was_asked(
    parser: FallbackParser, text: str, command: str, parameter: str
) -> None:
    result = parser.parse(text)
    assert [(a.device_id, a.command, a.parameter) for a in result.actions] == [
        (BLIND, command, parameter)
    ]


@pytest.mark.parametrize(
    ("text", "setting"),
    [
        ("エアコンを25度、いや、27度にして", "27,"),
        ("set the ac to twenty-three degrees on cool", "23,2,"),
        ("ac to 22, no wait, 24", "24,"),
    ],
)
def test_numbers_in_words_and_corrections_reach_the_air_conditioner(
    parser: FallbackParser, text: str, setting: str
) -> None:
    result = parser.parse(text)
    (action,) = result.actions
    assert (action.device_id, action.command) == (AIRCON, "setAll")
    assert str(action.parameter).startswith(setting)


def test_a_stretched_goodbye_runs_the_leaving_scene(parser: FallbackParser) -> None:
    assert parser.parse("いってきまーす").scene_id == parser.parse("いってきます").scene_id
    assert parser.parse("いってきまーす").scene_id is not None
