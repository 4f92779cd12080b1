"""Precision first: the words settle which device and which feature, or nothing is sent."""

from __future__ import annotations

from dataclasses import replace

import pytest

from custom_components.roomsense.fallback import FallbackParser
from custom_components.roomsense.home_model import HomeSnapshot

LOCK = "F8C9A1B2E3D4"
HUMIDIFIER = "B4E62D8F1A07"
BLIND = "C8B2E4A19F73"
AIRCON = "02-202404011230-10482736"
FAN = "A4C1382B7E90"


@pytest.mark.parametrize(
    "text",
    [
        "リビングの電気を30分後に消して",
        "エアコン1時間後に消して",
        "turn off the tv in 45 minutes",
        "turn the fan on in half an hour",
        "サーキュレーターを20時間後に消して",  # longer than the fan's timer takes
    ],
)
def test_a_request_for_later_sends_nothing_now(parser: FallbackParser, text: str) -> None:
    result = parser.parse(text)
    assert result.actions == ()
    assert result.intent == "delayed"


@pytest.mark.parametrize(
    ("text", "commands"),
    [
        ("turn the fan off after an hour", [("closeDelay", "3600")]),
        ("サーキュレーターを一時間半後に消して", [("closeDelay", "5400")]),
        ("run the fan for 30 minutes", [("turnOn", "default"), ("closeDelay", "1800")]),
        (
            "サーキュレーターをつけて、1時間で切れるようにタイマーかけて",
            [("turnOn", "default"), ("closeDelay", "3600")],
        ),
        ("circulator on for forty-five minutes", [("turnOn", "default"), ("closeDelay", "2700")]),
    ],
)
def test_an_offset_uses_the_devices_own_timer(
    parser: FallbackParser, text: str, commands: list[tuple[str, str]]
) -> None:
    result = parser.parse(text)
    assert result.intent == "timer"
    assert [(action.device_id, action.command, action.parameter) for action in result.actions] == [
        (FAN, command, parameter) for command, parameter in commands
    ]


def test_a_timer_reply_says_when_it_switches_off(parser: FallbackParser) -> None:
    assert parser.parse("run the fan for 90 minutes").reply == (
        "Turning on the living room circulator; it switches itself off in 1 hour 30 minutes."
    )
    assert parser.parse("サーキュレーターを30分後に消して").reply == (
        "リビングのサーキュレーターが30分後に切れるようにタイマーを設定します。"
    )


def test_a_timer_is_only_for_the_device_named(parser: FallbackParser) -> None:
    # The living room has the fan, but the words name its light: a one-shot rule, not the timer.
    assert parser.parse("リビングの電気を30分後に消して").intent == "delayed"
    assert parser.parse("turn off the fan and the light in 30 minutes").actions == ()


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


# --- Learned buttons, by their name or another -------------------------------------------------

LIGHT_REMOTE = "02-202405121910-77310542"
TV = "01-202404011235-55120943"
CEILING_LIGHT = "94A99021C3F4"
BEDROOM_LAMP = "6055F93A8B21"
VACUUM = "CF3A5E7B9D21"
SWEEP = {"action": "sweep", "param": {"fanLevel": 2, "waterLevel": 1, "times": 1}}


def _sent(result: object) -> list[tuple[str, str, object]]:
    return [(a.device_id, a.command, a.parameter) for a in result.actions]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "device", "button"),
    [
        ("寝室の照明を全灯にして", LIGHT_REMOTE, "全灯"),
        ("常夜灯つけて", LIGHT_REMOTE, "常夜灯"),
        ("Set the bedroom light remote to full", LIGHT_REMOTE, "全灯"),
        ("Press off on the bedroom light remote", LIGHT_REMOTE, "消灯"),
        ("Switch the bedroom ceiling light to night light mode", LIGHT_REMOTE, "常夜灯"),
        ("Open Netflix", TV, "Netflix"),
    ],
)
def test_a_learned_button_is_pressed_by_its_name_or_another(
    parser: FallbackParser, text: str, device: str, button: str
) -> None:
    assert _sent(parser.parse(text)) == [(device, button, "default")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Another meaning of a button's other name wins when a device is named.
        ("set the living room lights to full", [(CEILING_LIGHT, "setBrightness", "100")]),
        ("bedroom light off", [(BEDROOM_LAMP, "turnOff", "default")]),
        # "off" names the 消灯 button only with its remote: switching off is not pressing.
        ("turn off the night light", []),
    ],
)
def test_a_button_word_with_another_meaning_does_not_press(
    parser: FallbackParser, text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert [sent for sent in _sent(parser.parse(text)) if sent[0] == LIGHT_REMOTE] == []
    if expected:
        assert _sent(parser.parse(text)) == expected


# --- Requests the words make plain ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Can you switch the bedroom lamp on?", [(BEDROOM_LAMP, "turnOn", "default")]),
        ("Living room lights all the way up", [(CEILING_LIGHT, "setBrightness", "100")]),
        ("リビングの電気、いちばん暗くして", [(CEILING_LIGHT, "setBrightness", "1")]),
        ("Cool it to 26 with a low fan", [(AIRCON, "setAll", "26,2,2,on")]),
        ("Heat to 25, actually make it 26", [(AIRCON, "setAll", "26,5,1,on")]),
        ("Set the blinds to up 60", [(BLIND, "setPosition", "up;60")]),
        ("blinds down 40", [(BLIND, "setPosition", "down;40")]),
        ("Slow the fan down", [(FAN, "setWindSpeed", "25")]),
        ("Set the vacuum volume to 20", [("CF3A5E7B9D21", "setVolume", "20")]),
        ("お掃除ロボットの音量を30にして", [("CF3A5E7B9D21", "setVolume", "30")]),
        (
            "Have the robot refill the humidifier's water",
            [("CF3A5E7B9D21", "addWaterForHumi", "default")],
        ),
        ("Start the coffee maker, I need caffeine", [("7C87CE5A10B2", "turnOn", "default")]),
        ("Hit the water heater bot", [("E2F64B7A9C01", "press", "default")]),
        ("Switch on the hot water", [("E2F64B7A9C01", "press", "default")]),
        (
            "Set the AC to cool and turn on the fan",
            [(AIRCON, "setAll", "26,2,1,on"), (FAN, "turnOn", "default")],
        ),
        (
            "Fan on at speed 50 and the AC at 27",
            [(FAN, "setWindSpeed", "50"), (AIRCON, "setAll", "27,1,1,on")],
        ),
        (
            "テレビつけて、音量上げて",
            [(TV, "turnOn", "default"), (TV, "volumeAdd", "default")],
        ),
        (
            # The second request is not the curtain's: the light that is on brightens.
            "open the curtains and turn up the lights",
            [("D7A3C19E5B40", "turnOn", "default"), (CEILING_LIGHT, "setBrightness", "100")],
        ),
        ("turn the lights down", [(CEILING_LIGHT, "setBrightness", "60")]),
        ("sweep only, no mopping", [(VACUUM, "startClean", SWEEP)]),
        ("水拭きなしで掃除して", [(VACUUM, "startClean", SWEEP)]),
        (
            "加湿器を強にして",
            [(HUMIDIFIER, "turnOn", "default"), (HUMIDIFIER, "setMode", {"mode": 1})],
        ),
        (
            "put the humidifier on level 1",
            [(HUMIDIFIER, "turnOn", "default"), (HUMIDIFIER, "setMode", {"mode": 4})],
        ),
        ("the air in the bedroom is really dry", [(HUMIDIFIER, "turnOn", "default")]),
    ],
)
def test_requests_the_words_make_plain(
    parser: FallbackParser, text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert _sent(parser.parse(text)) == expected


@pytest.mark.parametrize("text", ["Goodnight, off to bed", "もう寝るね、おやすみなさい"])
def test_one_scene_said_twice_is_one_scene(parser: FallbackParser, text: str) -> None:
    result = parser.parse(text)
    assert result.scene_id == "T01-202404011305-56473829"
    assert result.actions == ()


def test_something_unknown_is_not_started(parser: FallbackParser) -> None:
    # "Start" alone starts the robot vacuum; "start the washing machine" names something else.
    assert parser.parse("Start the washing machine").actions == ()
    assert parser.parse("洗濯機をスタートして").actions == ()
    assert [a.command for a in parser.parse("スタートして").actions] == ["startClean"]


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Any water leaks in the wash room?", "No leak in the wash room: the sensor is dry."),
        ("洗面所は水漏れしてる？", "洗面所で水漏れは検知されていません。"),
        ("Is anyone moving in the hallway?", "No motion in the hall right now."),
        ("廊下に誰かいる？", "廊下で人の動きは検知されていません。"),
    ],
)
def test_leak_and_motion_questions_read_the_sensors(
    parser: FallbackParser, text: str, answer: str
) -> None:
    result = parser.parse(text)
    assert result.actions == ()
    assert result.answer == answer


def test_a_detected_leak_is_said(demo_snapshot: HomeSnapshot) -> None:
    wet = replace(
        demo_snapshot,
        devices=tuple(
            replace(device, state={**device.state, "status": 1})
            if device.device_id == "C4E7B1A95D38"
            else device
            for device in demo_snapshot.devices
        ),
    )
    assert FallbackParser(wet).parse("is there a leak?").answer == (
        "The wash room sensor detects water!"
    )


# --- "Which one?" and its answer ----------------------------------------------------------------


def test_an_ambiguous_request_asks_and_offers_the_choices(parser: FallbackParser) -> None:
    asked = parser.parse("電気つけて")
    assert asked.intent == "ambiguous"
    assert asked.actions == ()
    assert set(asked.choices) == {CEILING_LIGHT, BEDROOM_LAMP}


@pytest.mark.parametrize(
    ("answer", "devices"),
    [
        ("寝室の", [BEDROOM_LAMP]),
        ("リビング", [CEILING_LIGHT]),
        ("電球", [BEDROOM_LAMP]),
        ("the bedroom one", [BEDROOM_LAMP]),
        ("the ceiling light please", [CEILING_LIGHT]),
        ("両方", [CEILING_LIGHT, BEDROOM_LAMP]),
        ("both", [CEILING_LIGHT, BEDROOM_LAMP]),
        ("最初の方", [CEILING_LIGHT]),
        ("turn on the bedroom one", [BEDROOM_LAMP]),
    ],
)
def test_the_answer_picks_the_device(
    parser: FallbackParser, answer: str, devices: list[str]
) -> None:
    asked = parser.parse("電気つけて")
    chosen = parser.answer_choice("電気つけて", asked.choices, answer)
    assert chosen is not None
    assert [(a.device_id, a.command) for a in chosen.actions] == [
        (device, "turnOn") for device in sorted(devices, key=asked.choices.index)
    ]


@pytest.mark.parametrize(
    "answer", ["エアコンつけて", "turn off the bedroom lamp", "set it to 50", "never mind", "台所"]
)
def test_a_new_request_or_no_pick_is_no_answer(parser: FallbackParser, answer: str) -> None:
    asked = parser.parse("電気つけて")
    assert parser.answer_choice("電気つけて", asked.choices, answer) is None


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("寝室の湿度を教えて", "寝室の湿度は"),
        ("リビングの照明の明るさは？", "明るさ80%"),
    ],
)
def test_more_ways_to_ask(parser: FallbackParser, text: str, answer: str) -> None:
    result = parser.parse(text)
    assert result.actions == ()
    assert result.answer is not None
    assert answer in result.answer


def test_the_phrase_index_is_reused_while_the_names_stay(demo_snapshot: HomeSnapshot) -> None:
    # A snapshot is built every turn: a state change keeps the index, a rename rebuilds it.
    first = FallbackParser(demo_snapshot)
    warmer = replace(
        demo_snapshot,
        devices=tuple(
            replace(d, state={**d.state, "temperature": 30}) for d in demo_snapshot.devices
        ),
    )
    assert FallbackParser(warmer)._terms is first._terms
    renamed = replace(
        demo_snapshot,
        devices=tuple(
            replace(d, aliases=(*d.aliases, "reading lamp")) if d.device_id == BEDROOM_LAMP else d
            for d in demo_snapshot.devices
        ),
    )
    reparsed = FallbackParser(renamed)
    assert reparsed._terms is not first._terms
    assert [a.device_id for a in reparsed.parse("turn on the reading lamp").actions] == [
        BEDROOM_LAMP
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "電球を赤に、いや青にして",
            [(BEDROOM_LAMP, "turnOn", "default"), (BEDROOM_LAMP, "setColor", "0:0:255")],
        ),
        ("set the AC to 24 and cool, actually heat", [(AIRCON, "setAll", "24,5,1,on")]),
        ("リビングの、いや寝室の電気をつけて", [(BEDROOM_LAMP, "turnOn", "default")]),
        (
            "turn on the bedroom lamp, I mean the ceiling light",
            [(CEILING_LIGHT, "turnOn", "default")],
        ),
        ("エアコンつけて、いや、サーキュレーターつけて", [(FAN, "turnOn", "default")]),
        (
            "turn off the tv and turn on the AC, actually turn on the fan",
            [(TV, "turnOff", "default"), (FAN, "turnOn", "default")],
        ),
    ],
)
def test_what_was_taken_back_is_not_done(
    parser: FallbackParser, text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert _sent(parser.parse(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("コーヒー淹れて", [("7C87CE5A10B2", "turnOn", "default")]),
        ("brew some coffee", [("7C87CE5A10B2", "turnOn", "default")]),
        ("send the robot home", [(VACUUM, "dock", "default")]),
        (
            "make the bedroom lamp warmer",
            [(BEDROOM_LAMP, "turnOn", "default"), (BEDROOM_LAMP, "setColorTemperature", "2700")],
        ),
    ],
)
def test_an_appliance_by_its_job_and_other_everyday_words(
    parser: FallbackParser, text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert _sent(parser.parse(text)) == expected


@pytest.mark.parametrize("text", ["玄関の鍵閉めた？", "did I lock the front door?"])
def test_asked_after_the_fact_is_a_question(parser: FallbackParser, text: str) -> None:
    result = parser.parse(text)
    assert result.actions == ()
    assert result.intent == "question"


# --- Never the wrong device: what the words do not say is not done ------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "電子レンジで3分温めて",  # not the air conditioner's heating
        "お風呂場の換気扇回して",  # not the circulator, not the water heater
        "Turn on subtitles on the TV",  # not the TV's power
        "テレビの字幕をつけて",
        "Open the curtains at seven tomorrow morning",  # later: not 7 % now
        "明日の朝7時にカーテン開けて",
        "Leave the AC off",
    ],
)
def test_nothing_is_sent_for_what_the_home_cannot_do_now(parser: FallbackParser, text: str) -> None:
    assert parser.parse(text).actions == ()


@pytest.mark.parametrize(
    "text",
    [
        "Is the front door shut?",
        "Is the child lock on the humidifier on?",
        "加湿器のチャイルドロックってかかってる？",
    ],
)
def test_a_yes_no_question_never_acts(parser: FallbackParser, text: str) -> None:
    result = parser.parse(text)
    assert result.actions == ()
    assert result.intent == "question"


def test_a_feature_question_answers_from_the_status(demo_snapshot: HomeSnapshot) -> None:
    def with_child_lock(value: object) -> FallbackParser:
        devices = tuple(
            replace(d, state={**d.state, "childLock": value}) if d.device_id == HUMIDIFIER else d
            for d in demo_snapshot.devices
        )
        return FallbackParser(replace(demo_snapshot, devices=devices))

    question = "Is the child lock on the humidifier on?"
    assert with_child_lock(False).parse(question).answer == (
        "The bedroom humidifier's child lock is off."
    )
    assert with_child_lock(True).parse("加湿器のチャイルドロックってかかってる？").answer == (
        "寝室の加湿器のチャイルドロックはオンです。"
    )


def test_the_verb_lock_is_not_the_front_door_when_another_device_is_named(
    parser: FallbackParser,
) -> None:
    result = parser.parse("Lock the humidifier controls so the kids can't mess with it")
    assert _sent(result) == [(HUMIDIFIER, "setChildLock", "true")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("寒いから暖房20度にして", [(AIRCON, "setAll", "20,5,1,on")]),
        ("I'm freezing, put the heating on at 23", [(AIRCON, "setAll", "23,5,1,on")]),
        ("暖房23度…じゃなくて24度にして", [(AIRCON, "setAll", "24,5,1,on")]),
        ("Set the AC to 26, sorry, I meant 25", [(AIRCON, "setAll", "25,1,1,on")]),
        ("TV channel 12, no, 2", [(TV, "SetChannel", "2")]),
        ("チャンネルを十に変えて", [(TV, "SetChannel", "10")]),
        ("サーキュレーターを風速九十で", [(FAN, "setWindSpeed", "90")]),
        ("カーテンを四分の三まで閉めて", [("D7A3C19E5B40", "setPosition", "0,ff,75")]),
        ("Close the curtains, actually just halfway", [("D7A3C19E5B40", "setPosition", "0,ff,50")]),
        ("クーラーを24度でつけて", [(AIRCON, "setAll", "24,2,1,on")]),
        ("冷房、風は最強で26度", [(AIRCON, "setAll", "26,2,4,on")]),
        ("Clean the robot's mop", [(VACUUM, "selfClean", "1")]),
        ("掃除機のモップ乾燥して", [(VACUUM, "selfClean", "2")]),
        ("Lights out in the living room", [(CEILING_LIGHT, "turnOff", "default")]),
        ("リビング真っ暗にして", [(CEILING_LIGHT, "turnOff", "default")]),
        ("リビングのサーキュレーター回して", [(FAN, "turnOn", "default")]),
        ("Turn the TV down a notch", [(TV, "volumeSub", "default")]),
        ("Heat up the water heater", [("E2F64B7A9C01", "press", "default")]),
        ("Put the bedroom light on the night light setting", [(LIGHT_REMOTE, "常夜灯", "default")]),
    ],
)
def test_more_requests_the_words_make_plain(
    parser: FallbackParser, text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert _sent(parser.parse(text)) == expected


def test_a_scene_and_commands_in_one_sentence(parser: FallbackParser) -> None:
    result = parser.parse("I'm home, and put the TV on too")
    assert result.scene_id == "T01-202404011302-19283746"
    assert _sent(result) == [(TV, "turnOn", "default")]
    # A scene never comes with an unlock in one breath.
    assert parser.parse("行ってきます、それから鍵を開けて").actions == ()


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("エアコンの温度を1度上げて", 1),
        ("raise the AC by two degrees", 2),
        ("lower the temperature", -1),
    ],
)
def test_a_setpoint_step_counts_from_the_setpoint_known(
    demo_snapshot: HomeSnapshot, text: str, step: int
) -> None:
    devices = tuple(
        replace(d, state={**d.state, "temperature": 24, "mode": 2}) if d.device_id == AIRCON else d
        for d in demo_snapshot.devices
    )
    result = FallbackParser(replace(demo_snapshot, devices=devices)).parse(text)
    assert _sent(result) == [(AIRCON, "setAll", f"{24 + step},2,1,on")]


def test_no_step_without_a_setpoint_or_about_something_else(
    demo_snapshot: HomeSnapshot, parser: FallbackParser
) -> None:
    devices = tuple(
        replace(d, state={}) if d.device_id == AIRCON else d for d in demo_snapshot.devices
    )
    assert (
        FallbackParser(replace(demo_snapshot, devices=devices)).parse("エアコンを2度下げて").actions
        == ()
    )
    (fan_high,) = parser.parse("Turn the AC fan up to high").actions
    assert isinstance(fan_high.parameter, str)
    assert fan_high.parameter.endswith(",4,on")  # the fan, not the setpoint


def test_colloquial_chatte_is_a_request(parser: FallbackParser) -> None:
    assert _sent(parser.parse("カーテン全部閉めちゃって")) == [
        ("D7A3C19E5B40", "turnOff", "default")
    ]
