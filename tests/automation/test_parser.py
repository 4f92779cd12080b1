"""Tests of the workflow parser: the corpus, model mode, confidence and suggestions."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from custom_components.roomsense.automation.models import WORKFLOW_SCHEMA
from custom_components.roomsense.automation.parser import WorkflowParser, WorkflowParseResult
from custom_components.roomsense.fallback import detect_language
from custom_components.roomsense.home_model import DeviceKind, HomeSnapshot
from custom_components.roomsense.language_models import (
    LLMAdapter,
    LLMConnectionError,
    LLMDelta,
    LLMResponse,
    Message,
    ToolSpec,
)

CORPUS_FILE = Path(__file__).parent / "workflows.json"
CORPUS: dict[str, Any] = json.loads(CORPUS_FILE.read_text(encoding="utf-8"))
NOW = datetime.fromisoformat(CORPUS["now"])
LIGHT = "94A99021C3F4"
AC = "02-202404011230-10482736"
TV = "01-202404011235-55120943"
LOCK = "F8C9A1B2E3D4"
CURTAIN = "D7A3C19E5B40"
DANGER_WORDS = ("解錠", "nlock")


# --- Comparing a result with a corpus case (also used by bench/workflow_parser_bench.py) ---


def _condition_key(condition: dict[str, Any]) -> str:
    """A condition without its tolerance, numbers as floats, for comparison."""
    key: dict[str, Any] = {"type": condition["type"], "operator": condition.get("operator")}
    if condition["type"] == "device_state":
        key["operator"] = condition.get("operator", "equals")
    value = condition["value"]
    if condition["type"] in ("temperature", "humidity"):
        value = [float(v) for v in value] if isinstance(value, list) else float(value)
    key["value"] = value
    if "device_id" in condition:
        key["device_id"] = condition["device_id"]
    return json.dumps(key, sort_keys=True)


def _action_key(action: dict[str, Any]) -> str:
    """An action by what it does: device and command, scene, or just "a notification"."""
    if action["type"] == "device_command":
        return json.dumps(
            [
                action["device_id"],
                action["command"],
                action.get("parameter", "default"),
                action.get("command_type", "command"),
            ],
            sort_keys=True,
        )
    if action["type"] == "scene":
        return f"scene {action['scene_id']}"
    return action["type"]


def mismatch(result: WorkflowParseResult, case: dict[str, Any]) -> str | None:
    """Why the result differs from the corpus case, or None when it matches exactly."""
    warned = any(word in text for text in result.suggestions for word in DANGER_WORDS)
    if case.get("dropped_dangerous") and not warned:
        return f"no word about the dropped dangerous action: {result.suggestions}"
    if case.get("success") is False:
        return f"should not succeed: {result.workflow}" if result.success else None
    if not result.success or result.workflow is None:
        return f"no workflow: {result.message}"
    workflow = result.workflow
    if workflow["schedule"] != case["schedule"]:
        return f"schedule {workflow['schedule']} != {case['schedule']}"
    got = sorted(map(_condition_key, workflow["conditions"]))
    want = sorted(map(_condition_key, case["conditions"]))
    if got != want:
        return f"conditions {got} != {want}"
    got = sorted(map(_action_key, workflow["actions"]))
    want = sorted(map(_action_key, case["actions"]))
    if got != want:
        return f"actions {got} != {want}"
    messages = [a["message"] for a in workflow["actions"] if a["type"] == "notification"]
    for action in case["actions"]:
        wanted = action.get("message_contains")
        if wanted and not any(wanted in message for message in messages):
            return f"no notification says {wanted!r}: {messages}"
    return None


# --- The corpus -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def parser(snapshot: HomeSnapshot) -> WorkflowParser:
    return WorkflowParser(snapshot)


def test_corpus_is_large_and_bilingual() -> None:
    languages = [case["lang"] for case in CORPUS["cases"]]
    assert languages.count("ja") >= 60
    assert languages.count("en") >= 60
    assert all(detect_language(case["text"]) == case["lang"] for case in CORPUS["cases"])
    texts = [case["text"] for case in CORPUS["cases"]]
    assert len(set(texts)) == len(texts)


# Cases the parser gets wrong carry "known_gap" and must keep failing until it learns them.
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            id=case["text"],
            marks=pytest.mark.xfail(strict=True) if case.get("known_gap") else (),
        )
        for case in CORPUS["cases"]
    ],
)
def test_corpus(parser: WorkflowParser, case: dict[str, Any]) -> None:
    result = parser.parse_patterns(case["text"], now=NOW)
    assert mismatch(result, case) is None, result.message
    if result.workflow is not None:
        # What the parser returns is already what the schema makes of it.
        assert WORKFLOW_SCHEMA(result.workflow) == result.workflow
        assert result.workflow["source"] == "pattern"
        assert result.workflow["language"] == case["lang"]
        assert result.workflow["description"] == case["text"]
        assert result.workflow["confidence"] == result.confidence
        assert result.workflow["suggestions"] == result.suggestions


# --- Results, messages, names -----------------------------------------------------------------


def test_japanese_rule_name_and_message(parser: WorkflowParser) -> None:
    result = parser.parse_patterns("毎朝7時にリビングの電気をつけて", now=NOW)
    assert result.success
    assert result.workflow is not None
    assert result.workflow["name"] == "毎朝7時 リビングの電気をつける"
    assert result.message == "毎日 07:00に、リビングのシーリングライトをつけます。"
    assert result.workflow["enabled"] is True


def test_english_rule_name_and_message(parser: WorkflowParser) -> None:
    result = parser.parse_patterns("Please turn off the TV at 11pm.", now=NOW)
    assert result.workflow is not None
    assert result.workflow["name"] == "Turn off the TV at 11pm"
    assert result.message == "Every day at 23:00: turning off the living room TV."


def test_in_n_minutes_counts_from_now_in_its_time_zone(parser: WorkflowParser) -> None:
    now = datetime(2025, 12, 31, 23, 50, 30, 123456, tzinfo=timezone(timedelta(hours=-5)))
    result = parser.parse_patterns("Turn off the TV in 20 minutes", now=now)
    assert result.workflow is not None
    assert result.workflow["schedule"] == {"type": "once", "at": "2026-01-01T00:10:30-05:00"}
    japanese = parser.parse_patterns("1時間半後にテレビを消して", now=now)
    assert japanese.workflow is not None
    assert japanese.workflow["schedule"] == {"type": "once", "at": "2026-01-01T01:20:30-05:00"}


def test_tomorrow_is_the_next_local_day(parser: WorkflowParser) -> None:
    now = datetime(2025, 2, 28, 23, 30, tzinfo=UTC)
    result = parser.parse_patterns("明日の朝6時半にカーテンを開けて", now=now)
    assert result.workflow is not None
    assert result.workflow["schedule"] == {"type": "once", "at": "2025-03-01T06:30:00+00:00"}


def test_a_time_already_past_today_makes_no_rule(parser: WorkflowParser) -> None:
    result = parser.parse_patterns("today at 6 turn on the TV", now=NOW)
    assert not result.success
    assert "already passed" in result.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("毎日25時に寝室の電気を消して", "25時"),
        ("at 13 pm turn on the TV", "13 pm"),
        ("every 0 minutes turn on the circulator", "interval"),
        ("毎朝7時と夜9時にテレビを消して", "1つ"),
        ("毎日14時にエアコンを冷房25度にして、暖房22度にして", "食い違う"),
    ],
)
def test_sentences_that_make_no_rule_say_why(parser: WorkflowParser, text: str, words: str) -> None:
    result = parser.parse_patterns(text, now=NOW)
    assert not result.success
    assert result.workflow is None
    assert words in result.message


def test_the_message_is_in_the_sentence_language(parser: WorkflowParser) -> None:
    japanese = parser.parse_patterns("テレビをつけて", now=NOW)
    english = parser.parse_patterns("turn on the TV", now=NOW)
    assert not japanese.success
    assert not english.success
    assert "いつ実行するか" in japanese.message
    assert "when the rule should run" in english.message


def test_an_unknown_condition_makes_no_rule(parser: WorkflowParser) -> None:
    # Acting without the condition would do the wrong thing at the wrong time.
    result = parser.parse_patterns("if I'm home turn on the living room light", now=NOW)
    assert not result.success
    assert "if i'm home" in result.message


def test_an_ambiguous_device_in_a_condition_makes_no_rule(parser: WorkflowParser) -> None:
    result = parser.parse_patterns("電気がついていたら22時にテレビを消して", now=NOW)
    assert not result.success
    assert "リビングのシーリングライト" in result.message
    assert "寝室の電球" in result.message


# --- Dangerous actions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "keeps"),
    [
        ("毎朝7時に鍵を開けてカーテンを開けて", [CURTAIN]),
        ("Every morning at 7 unlock the door and open the curtains", [CURTAIN]),
        ("7時に玄関の鍵を開けて", []),
        ("unlock the front door when motion is detected", []),
    ],
)
def test_dangerous_actions_never_go_into_a_rule(
    parser: WorkflowParser, text: str, keeps: list[str]
) -> None:
    result = parser.parse_patterns(text, now=NOW)
    assert result.success is bool(keeps)
    if result.workflow is not None:
        kept = [a["device_id"] for a in result.workflow["actions"]]
        assert kept == keeps
    assert LOCK not in json.dumps(result.workflow)
    assert any(word in result.message for word in DANGER_WORDS)
    assert any(word in text for text in result.suggestions for word in DANGER_WORDS)


def test_locking_is_not_dangerous(parser: WorkflowParser) -> None:
    result = parser.parse_patterns("毎晩10時に鍵を閉めて", now=NOW)
    assert result.workflow is not None
    assert result.workflow["actions"][0]["command"] == "lock"
    assert result.suggestions == []


# --- Confidence and suggestions -----------------------------------------------------------


LEFTOVERS = "毎朝7時にリビングの電気をつけて、ついでに洗濯物も取り込んで"


def test_confidence_follows_how_much_was_understood(parser: WorkflowParser) -> None:
    def confidence(text: str) -> float:
        return parser.parse_patterns(text, now=NOW).confidence

    complete = confidence("毎朝7時にリビングの電気をつけて")
    with_leftovers = confidence(LEFTOVERS)
    action_only = confidence("リビングの電気をつけて")
    trigger_only = confidence("毎朝7時に")
    nothing = confidence("こんにちは")
    assert complete > with_leftovers > action_only > trigger_only > nothing
    assert nothing > 0  # an utterance is never wholly without meaning: the floor is 0.05
    assert complete <= 1
    assert complete == confidence("Every day at 7 turn on the living room light")


def test_leftovers_are_named(parser: WorkflowParser) -> None:
    result = parser.parse_patterns(LEFTOVERS, now=NOW)
    assert result.success
    assert "洗濯物" in result.message


def test_air_conditioner_without_a_setpoint_is_suggested_one(parser: WorkflowParser) -> None:
    turned_on = parser.parse_patterns("暑かったらエアコンをつけて", now=NOW)
    assert turned_on.suggestions == [
        "エアコンの設定温度も指定すると効果的です（例: 「エアコンを26度の冷房にして」）"
    ]
    english = parser.parse_patterns("If it's hot, turn on the AC", now=NOW)
    assert english.suggestions[0].startswith("Set the air conditioner's target temperature")
    with_setpoint = parser.parse_patterns("暑かったらエアコンを冷房26度にして", now=NOW)
    assert with_setpoint.suggestions == []


def test_no_schedule_and_no_condition_suggests_when(parser: WorkflowParser) -> None:
    result = parser.parse_patterns("リビングの電気をつけて", now=NOW)
    assert result.suggestions == [
        "いつ実行するかを指定してください（例: 「毎朝7時に」「暑かったら」）"
    ]
    assert result.confidence < 0.5


def test_days_without_a_time_run_at_seven_and_say_so(parser: WorkflowParser) -> None:
    result = parser.parse_patterns("毎週月曜に掃除して", now=NOW)
    assert result.workflow is not None
    assert result.workflow["schedule"] == {"type": "weekly", "time": "07:00", "days": ["mon"]}
    assert any("7:00" in suggestion for suggestion in result.suggestions)
    assert result.confidence < parser.parse_patterns("毎週月曜の8時に掃除して", now=NOW).confidence


def test_a_temperature_condition_without_a_sensor_says_so(snapshot: HomeSnapshot) -> None:
    no_sensors = replace(
        snapshot,
        devices=[device for device in snapshot.devices if device.kind is not DeviceKind.SENSOR],
    )
    parser = WorkflowParser(no_sensors)
    result = parser.parse_patterns("If it gets hotter than 28, turn on the cooling", now=NOW)
    assert result.success
    assert any("no temperature sensor" in suggestion for suggestion in result.suggestions)
    japanese = parser.parse_patterns("湿度が60%を超えたら通知して", now=NOW)
    assert any("湿度を測るセンサーがない" in suggestion for suggestion in japanese.suggestions)
    with_sensor = WorkflowParser(snapshot).parse_patterns("湿度が60%を超えたら通知して", now=NOW)
    assert japanese.confidence < with_sensor.confidence


def test_notifications_say_what_happened(parser: WorkflowParser) -> None:
    door = parser.parse_patterns("玄関のドアが開いたら通知して", now=NOW)
    assert door.workflow is not None
    assert door.workflow["actions"][0]["message"] == "玄関ドアの開閉センサーが開きました。"
    hot = parser.parse_patterns("If it gets hotter than 30 degrees, notify me", now=NOW)
    assert hot.workflow is not None
    assert hot.workflow["actions"][0]["message"] == "The temperature is above 30 °C."
    quoted = parser.parse_patterns("毎朝7時に「薬を飲む」と通知して", now=NOW)
    assert quoted.workflow is not None
    assert quoted.workflow["actions"][0]["message"] == "薬を飲む"


# --- Model mode -------------------------------------------------------------------------------


class FakeModel(LLMAdapter):
    """Answers every call with a fixed text (or error) and records what it was asked."""

    provider = "fake"

    def __init__(self, answer: str | Exception) -> None:
        super().__init__(model="fake", timeout=5.0)
        self.answer = answer
        self.calls: list[tuple[list[Message], float | None]] = []

    async def _complete(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec],
        *,
        temperature: float | None = None,
    ) -> LLMResponse:
        self.calls.append((list(messages), temperature))
        if isinstance(self.answer, Exception):
            raise self.answer
        return LLMResponse(text=self.answer)

    async def _stream(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec],
        *,
        temperature: float | None = None,
    ) -> AsyncGenerator[LLMDelta]:
        raise AssertionError("the parser does not stream")
        yield LLMDelta()


MODEL_WORKFLOW = {
    "name": "夜の玄関ドア通知",
    "schedule": None,
    "conditions": [
        {"type": "time", "operator": "between", "value": ["22:00", "06:00"]},
        {"type": "device_state", "device_id": "E9D4B2A7C610", "value": "on"},
    ],
    "actions": [{"type": "notification", "message": "玄関のドアが開きました"}],
    "suggestions": ["通知先のスマホを指定することもできます"],
}
SENTENCE = "夜の間に玄関のドアが開いたら通知して"


async def test_model_answer_that_validates_is_used(snapshot: HomeSnapshot) -> None:
    model = FakeModel(json.dumps(MODEL_WORKFLOW, ensure_ascii=False))
    result = await WorkflowParser(snapshot, model).parse(SENTENCE, now=NOW)
    assert result.success
    assert result.confidence == 0.9
    assert result.workflow is not None
    assert result.workflow["source"] == "model"
    assert result.workflow["language"] == "ja"
    assert result.workflow["confidence"] == 0.9
    assert result.workflow["description"] == SENTENCE
    assert result.suggestions == ["通知先のスマホを指定することもできます"]
    assert "22:00〜06:00の間" in result.message
    ((messages, temperature),) = model.calls
    assert temperature == 0.1
    system, user = messages
    assert (system.role, user.role, user.content) == ("system", "user", SENTENCE)
    assert system.content is not None
    for expected in (
        "E9D4B2A7C610: 玄関ドアの開閉センサー",
        "T01-202404011305-56473829: おやすみ",
        "2025-06-02T08:00+09:00 (Monday)",
        '"type": "weekly"',
        "not_equals",
    ):
        assert expected in system.content


async def test_model_answer_in_a_json_fence_is_read(snapshot: HomeSnapshot) -> None:
    answer = "Here is the workflow:\n```json\n" + json.dumps(MODEL_WORKFLOW) + "\n```\nDone."
    result = await WorkflowParser(snapshot, FakeModel(answer)).parse(SENTENCE, now=NOW)
    assert result.workflow is not None
    assert result.workflow["source"] == "model"


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param("I think you want a notification.", id="no JSON"),
        pytest.param('{"name": "x", "actions": [', id="broken JSON"),
        pytest.param(json.dumps(["notification", 22]), id="not an object"),
        pytest.param(
            json.dumps({**MODEL_WORKFLOW, "conditions": [], "schedule": None}), id="never runs"
        ),
        pytest.param(
            json.dumps({**MODEL_WORKFLOW, "schedule": {"type": "daily", "time": "25:00"}}),
            id="schema error",
        ),
        pytest.param(
            json.dumps(
                {
                    **MODEL_WORKFLOW,
                    "actions": [
                        {"type": "device_command", "device_id": "NOPE", "command": "turnOn"}
                    ],
                }
            ),
            id="unknown device",
        ),
        pytest.param(
            json.dumps(
                {
                    **MODEL_WORKFLOW,
                    "conditions": [{"type": "device_state", "device_id": "NOPE", "value": "on"}],
                }
            ),
            id="unknown condition device",
        ),
        pytest.param(
            json.dumps({**MODEL_WORKFLOW, "actions": [{"type": "scene", "scene_id": "NOPE"}]}),
            id="unknown scene",
        ),
        pytest.param(LLMConnectionError("no server"), id="model error"),
    ],
)
async def test_unusable_model_answers_fall_back_to_patterns(
    snapshot: HomeSnapshot, answer: str | Exception
) -> None:
    result = await WorkflowParser(snapshot, FakeModel(answer)).parse(SENTENCE, now=NOW)
    patterns = WorkflowParser(snapshot).parse_patterns(SENTENCE, now=NOW)
    assert result.success
    assert result.workflow == patterns.workflow
    assert result.workflow is not None
    assert result.workflow["source"] == "pattern"
    assert result.confidence == patterns.confidence < 0.9
    assert result.message.startswith(patterns.message)
    assert "言語モデル" in result.message


async def test_model_cannot_put_an_unlock_into_a_rule(snapshot: HomeSnapshot) -> None:
    answer = {
        "name": "Morning",
        "schedule": {"type": "daily", "time": "07:00"},
        "conditions": [],
        "actions": [
            {"type": "device_command", "device_id": LOCK, "command": "unlock"},
            {"type": "service", "service": "lock.unlock", "target": {"entity_id": "lock.front"}},
            {"type": "device_command", "device_id": CURTAIN, "command": "turnOn"},
        ],
    }
    model = FakeModel(json.dumps(answer))
    result = await WorkflowParser(snapshot, model).parse("Every morning at 7 open up", now=NOW)
    assert result.workflow is not None
    assert [action.get("device_id") for action in result.workflow["actions"]] == [CURTAIN]
    assert "can't be automated" in result.message
    assert any("can't be automated" in suggestion for suggestion in result.suggestions)


async def test_parse_without_a_model_is_the_pattern_reading(snapshot: HomeSnapshot) -> None:
    parser = WorkflowParser(snapshot)
    text = "Every weekday at 8 am run the leaving scene"
    assert await parser.parse(text, now=NOW) == parser.parse_patterns(text, now=NOW)


@pytest.mark.parametrize(
    "text",
    [
        "リビングの電気を昼白色にして",
        "シーリングライトを昼光色にして",
        "寝室の照明を常夜灯にして",
        "お掃除ロボット一時停止",
        "turn the volume up by two on the TV",
        "turn on the coffee maker and set the AC to heat at 21",
        "リビングの電気をつけて",
        "what's the temperature",
    ],
)
def test_commands_for_now_say_no_time(parser: WorkflowParser, text: str) -> None:
    """Words that only look like times (昼白色, 常夜灯, 一時停止, "by two", "heat at 21")."""
    result = parser.parse_patterns(text, now=NOW)
    assert result.timing is False
    assert result.success is False


@pytest.mark.parametrize(
    "text",
    ["毎朝7時にリビングの電気をつけて", "暑かったらエアコンつけて", "turn on the TV at 7 pm",
     "毎朝7時に玄関の鍵を開けて"],
)  # fmt: skip
def test_rules_say_when(parser: WorkflowParser, text: str) -> None:
    assert parser.parse_patterns(text, now=NOW).timing is True
