"""Scene learning: patterns found in a synthetic week of a household, and scene candidates."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.roomsense.automation.learning import (
    OperationPattern,
    OperationRecord,
    SceneCandidate,
    detect_patterns,
    part_of_day,
    scene_candidates,
    scene_name,
)
from custom_components.roomsense.automation.models import WORKFLOW_SCHEMA
from custom_components.roomsense.home_model import DeviceKind

TOKYO = ZoneInfo("Asia/Tokyo")
MONDAY = datetime(2025, 6, 2, tzinfo=TOKYO)  # a Monday
NOW = datetime(2025, 6, 8, 23, 59, tzinfo=TOKYO)  # the Sunday night after

LIGHT, CURTAIN, AC, TV, FAN, COFFEE = "LIGHT", "CURTAIN", "AC", "TV", "FAN", "COFFEE"
NOISE_DEVICES = [f"NOISE-{number}" for number in range(8)]
NAMES = {
    LIGHT: "Living Light",
    CURTAIN: "Curtain",
    AC: "Living AC",
    TV: "TV",
    FAN: "Fan",
    COFFEE: "Coffee Maker",
}
NAMES_JA = {LIGHT: "リビングの電気", CURTAIN: "カーテン", AC: "エアコン", TV: "テレビ"}
KINDS = {
    LIGHT: DeviceKind.LIGHT,
    CURTAIN: DeviceKind.CURTAIN,
    AC: DeviceKind.AIR_CONDITIONER,
    TV: DeviceKind.TV,
}

MORNING = [
    (LIGHT, "turnOn", "default"),
    (CURTAIN, "turnOn", "default"),
    (AC, "setAll", "26,2,1,on"),
]
EVENING = [(TV, "turnOn", "default"), (LIGHT, "setBrightness", "30")]


def record(
    device_id: str, command: str, at: datetime, parameters: str | dict[str, object] = "default"
) -> OperationRecord:
    return OperationRecord(
        device_id=device_id, command=command, parameters=parameters, timestamp=at
    )


def steps(pattern: OperationPattern | SceneCandidate) -> list[tuple[str, str, object]]:
    return [(op["device_id"], op["command"], op["parameters"]) for op in pattern.operations]


def household_week(seed: int = 3) -> list[OperationRecord]:
    """A week: weekday mornings ~07:00, evenings ~20:30, coffee on weekdays ~06:30, a fan
    switched on at random times, and random noise on eight other devices."""
    rng = random.Random(seed)
    records: list[OperationRecord] = []
    for day in range(7):
        midnight = MONDAY + timedelta(days=day)
        if day < 5:
            at = midnight + timedelta(hours=7, minutes=rng.uniform(-8, 8))
            for device_id, command, parameters in MORNING:
                records.append(record(device_id, command, at, parameters))
                at += timedelta(seconds=rng.uniform(20, 80))
            coffee = midnight + timedelta(hours=6, minutes=30 + rng.uniform(-5, 5))
            records.append(record(COFFEE, "turnOn", coffee))
        at = midnight + timedelta(hours=20, minutes=30 + rng.uniform(-10, 10))
        for device_id, command, parameters in EVENING:
            records.append(record(device_id, command, at, parameters))
            at += timedelta(seconds=rng.uniform(10, 60))
    # The fan: often, at no particular time (a habit, not a routine).
    for hour in (1, 19, 40, 55, 77, 98, 120, 143):
        records.append(record(FAN, "turnOn", MONDAY + timedelta(hours=hour, minutes=17)))
    # Noise: each noise operation at most a few times, at random moments.
    for _ in range(24):
        at = MONDAY + timedelta(seconds=rng.uniform(0, 7 * 86_400 - 1))
        command = rng.choice(("turnOn", "turnOff", "toggle"))
        records.append(record(rng.choice(NOISE_DEVICES), command, at))
    rng.shuffle(records)
    return records


@pytest.fixture(scope="module")
def patterns() -> list[OperationPattern]:
    return detect_patterns(household_week(), now=NOW, time_zone=TOKYO)


def by_type(patterns: list[OperationPattern], kind: str) -> list[OperationPattern]:
    return [pattern for pattern in patterns if pattern.pattern_type == kind]


# --- records ------------------------------------------------------------------------------


def test_record_round_trips_through_json() -> None:
    original = OperationRecord(
        device_id="H1",
        command="setMode",
        parameters={"mode": 5, "targetHumidify": 50},
        timestamp=datetime(2025, 6, 2, 7, 0, tzinfo=TOKYO),
        user_id="user-1",
        source="state",
    )
    data = json.loads(json.dumps(original.to_dict()))
    assert data == {
        "device_id": "H1",
        "command": "setMode",
        "parameters": {"mode": 5, "targetHumidify": 50},
        "timestamp": "2025-06-02T07:00:00+09:00",
        "user_id": "user-1",
        "source": "state",
    }
    assert OperationRecord.from_dict(data) == original


def test_record_from_dict_defaults_and_camel_case() -> None:
    parsed = OperationRecord.from_dict(
        {"deviceId": "L1", "command": "turnOn", "timestamp": "2025-06-02T07:00:00Z"}
    )
    assert parsed.device_id == "L1"
    assert parsed.parameters == "default"
    assert parsed.user_id is None
    assert parsed.source == "command"
    assert parsed.timestamp == datetime(2025, 6, 2, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "data",
    [
        {"command": "turnOn", "timestamp": "2025-06-02T07:00:00+09:00"},
        {"device_id": "L1", "timestamp": "2025-06-02T07:00:00+09:00"},
        {"device_id": "L1", "command": "turnOn", "timestamp": "2025-06-02T07:00:00"},
        {"device_id": "L1", "command": "turnOn", "timestamp": "yesterday"},
        {"device_id": "L1", "command": "turnOn"},
        {"device_id": "L1", "command": "turnOn", "parameters": 5, "timestamp": "2025-06-02"},
    ],
)
def test_malformed_records_are_refused(data: dict[str, object]) -> None:
    with pytest.raises((ValueError, TypeError)):
        OperationRecord.from_dict(data)


def test_a_record_needs_an_aware_timestamp() -> None:
    with pytest.raises(ValueError, match="time zone"):
        OperationRecord(device_id="L1", command="turnOn", timestamp=datetime(2025, 6, 2, 7))


# --- patterns -----------------------------------------------------------------------------


def test_the_morning_routine_is_a_sequence(patterns: list[OperationPattern]) -> None:
    morning = [pattern for pattern in by_type(patterns, "sequential") if steps(pattern) == MORNING]
    assert len(morning) == 1
    pattern = morning[0]
    assert pattern.frequency == 5
    assert pattern.days == ["mon", "tue", "wed", "thu", "fri"]
    assert pattern.time_of_day is not None
    assert abs(part_minutes(pattern.time_of_day) - 7 * 60) <= 10
    assert 0.6 <= pattern.confidence <= 1
    assert pattern.first_seen is not None
    assert pattern.last_seen is not None
    assert pattern.first_seen.date() == MONDAY.date()
    assert pattern.last_seen.date() == (MONDAY + timedelta(days=4)).date()


def test_the_evening_routine_is_a_sequence(patterns: list[OperationPattern]) -> None:
    evening = [pattern for pattern in by_type(patterns, "sequential") if steps(pattern) == EVENING]
    assert len(evening) == 1
    assert evening[0].frequency == 7
    assert evening[0].days == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert abs(part_minutes(evening[0].time_of_day or "") - (20 * 60 + 30)) <= 15


def test_parts_of_a_routine_are_not_sequences_of_their_own(
    patterns: list[OperationPattern],
) -> None:
    sequences = [steps(pattern) for pattern in by_type(patterns, "sequential")]
    assert sorted(sequences) == sorted([MORNING, EVENING])


def test_time_based_habits(patterns: list[OperationPattern]) -> None:
    timed = {steps(pattern)[0]: pattern for pattern in by_type(patterns, "time_based")}
    coffee = timed[(COFFEE, "turnOn", "default")]
    assert coffee.frequency == 5
    assert coffee.days == ["mon", "tue", "wed", "thu", "fri"]
    assert abs(part_minutes(coffee.time_of_day or "") - (6 * 60 + 30)) <= 6
    air_conditioner = timed[(AC, "setAll", "26,2,1,on")]
    assert abs(part_minutes(air_conditioner.time_of_day or "") - 7 * 60) <= 10
    tv = timed[(TV, "turnOn", "default")]
    assert tv.frequency == 7
    assert len(tv.days) == 7
    # The fan is used at scattered times: frequent, but no time of day.
    assert (FAN, "turnOn", "default") not in timed


def test_frequent_operations(patterns: list[OperationPattern]) -> None:
    frequent = {steps(pattern)[0]: pattern for pattern in by_type(patterns, "frequent")}
    assert frequent[(FAN, "turnOn", "default")].frequency == 8
    assert frequent[(TV, "turnOn", "default")].frequency == 7
    assert frequent[(LIGHT, "turnOn", "default")].frequency == 5
    assert (COFFEE, "turnOn", "default") in frequent
    assert all(pattern.time_of_day is None for pattern in frequent.values())


def test_noise_is_not_a_pattern(patterns: list[OperationPattern]) -> None:
    touched = {op["device_id"] for pattern in patterns for op in pattern.operations}
    assert not touched & set(NOISE_DEVICES)


def test_patterns_are_ordered_and_serializable(patterns: list[OperationPattern]) -> None:
    confidences = [pattern.confidence for pattern in patterns]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0 <= confidence <= 1 for confidence in confidences)
    for pattern in patterns:
        data = json.loads(json.dumps(pattern.to_dict()))
        assert set(data) == {
            "pattern_id", "pattern_type", "operations", "frequency", "confidence",
            "time_of_day", "days", "first_seen", "last_seen",
        }  # fmt: skip
        assert OperationPattern.from_dict(data) == pattern
    assert len({pattern.pattern_id for pattern in patterns}) == len(patterns)


def test_pattern_ids_are_stable() -> None:
    first = detect_patterns(household_week(), now=NOW, time_zone=TOKYO)
    # Other random noise, the same routines: the routines keep their ids.
    second = detect_patterns(household_week(seed=11), now=NOW, time_zone=TOKYO)
    ids = {(p.pattern_type, str(steps(p))): p.pattern_id for p in first}
    shared = [p for p in second if (p.pattern_type, str(steps(p))) in ids]
    assert shared  # the routines are found both times, so there is something to compare
    for pattern in shared:
        assert ids[(pattern.pattern_type, str(steps(pattern)))] == pattern.pattern_id
    assert any(p.pattern_type == "sequential" and steps(p) == MORNING for p in second)


def test_a_more_regular_routine_is_more_confident() -> None:
    regular = [record(LIGHT, "turnOn", MONDAY + timedelta(days=day, hours=7)) for day in range(7)]
    sparse = [record(TV, "turnOn", MONDAY + timedelta(days=day, hours=21)) for day in (0, 3, 6)]
    patterns = detect_patterns(regular + sparse, now=NOW, time_zone=TOKYO)
    timed = {steps(p)[0][0]: p for p in by_type(patterns, "time_based")}
    assert timed[LIGHT].confidence > timed[TV].confidence


def test_recency_lowers_confidence() -> None:
    week = household_week()
    recent = detect_patterns(week, now=NOW, time_zone=TOKYO)
    later = detect_patterns(week, now=NOW + timedelta(days=20), time_zone=TOKYO)
    key = next(p for p in recent if p.pattern_type == "sequential" and steps(p) == MORNING)
    aged = next(p for p in later if p.pattern_id == key.pattern_id)
    assert aged.confidence < key.confidence


def test_empty_input() -> None:
    assert detect_patterns([], now=NOW) == []
    assert scene_candidates([], {}) == []


def test_one_day_gives_no_time_based_pattern() -> None:
    day = MONDAY + timedelta(days=2)
    records = [
        record(device_id, command, day + timedelta(hours=7, minutes=minute, seconds=20 * step), p)
        for minute in (0, 20, 40, 60, 80, 100)
        for step, (device_id, command, p) in enumerate(MORNING)
    ]
    patterns = detect_patterns(records, now=NOW, time_zone=TOKYO)
    assert not by_type(patterns, "time_based")
    # Still a sequence repeated six times, and frequent commands.
    assert [steps(p) for p in by_type(patterns, "sequential")] == [MORNING]
    assert len(by_type(patterns, "frequent")) == 3


def test_records_outside_the_window_are_ignored() -> None:
    old = [
        record(LIGHT, "turnOn", MONDAY - timedelta(days=60 - day, hours=-7)) for day in range(10)
    ]
    assert detect_patterns(old, now=NOW, time_zone=TOKYO) == []
    everything = detect_patterns(old, now=NOW, time_zone=TOKYO, window=None)
    assert {p.pattern_type for p in everything} == {"time_based", "frequent"}


def test_thresholds_can_be_tuned() -> None:
    week = household_week()
    strict = detect_patterns(week, now=NOW, time_zone=TOKYO, min_days=6, min_frequency=100)
    assert not by_type(strict, "frequent")
    assert {steps(p)[0][0] for p in by_type(strict, "time_based")} <= {TV, LIGHT}
    wide_gap = detect_patterns(week, now=NOW, time_zone=TOKYO, sequence_gap=timedelta(seconds=5))
    assert not by_type(wide_gap, "sequential")


# --- time zones ---------------------------------------------------------------------------


def utc_week() -> list[OperationRecord]:
    """Weekday 07:00 in Tokyo, stored in UTC (22:00 the day before)."""
    return [
        record(AC, "setAll", (MONDAY + timedelta(days=day, hours=7)).astimezone(UTC), "26,2,1,on")
        for day in range(5)
    ]


def test_times_of_day_are_read_in_the_home_time_zone() -> None:
    patterns = detect_patterns(utc_week(), now=NOW, time_zone=TOKYO)
    (timed,) = by_type(patterns, "time_based")
    assert timed.time_of_day == "07:00"
    assert timed.days == ["mon", "tue", "wed", "thu", "fri"]
    assert timed.first_seen == MONDAY + timedelta(hours=7)
    assert timed.first_seen is not None
    assert timed.first_seen.utcoffset() == timedelta(hours=9)


def test_without_a_time_zone_each_record_keeps_its_own_offset() -> None:
    (in_utc,) = by_type(detect_patterns(utc_week(), now=NOW), "time_based")
    assert in_utc.time_of_day == "22:00"
    assert in_utc.days == ["mon", "tue", "wed", "thu", "sun"]
    local = [record(r.device_id, r.command, r.timestamp.astimezone(TOKYO), "26,2,1,on")
             for r in utc_week()]  # fmt: skip
    (in_tokyo,) = by_type(detect_patterns(local, now=NOW), "time_based")
    assert in_tokyo.time_of_day == "07:00"


def test_a_routine_around_midnight_wraps() -> None:
    records = [
        record(
            LIGHT, "turnOff", MONDAY + timedelta(days=day, hours=23, minutes=50 + 10 * (day % 3))
        )
        for day in range(6)
    ]
    (timed,) = by_type(detect_patterns(records, now=NOW, time_zone=TOKYO), "time_based")
    assert timed.frequency == 6
    minute = part_minutes(timed.time_of_day or "")
    assert min(minute, 24 * 60 - minute) <= 10  # about midnight


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="time zone"):
        detect_patterns([], now=datetime(2025, 6, 8))


# --- candidates ---------------------------------------------------------------------------


def part_minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def test_candidates_are_the_routines(patterns: list[OperationPattern]) -> None:
    candidates = scene_candidates(patterns, {}, device_names=NAMES, device_kinds=KINDS)
    by_steps = {str(steps(candidate)): candidate for candidate in candidates}
    morning = by_steps[str(MORNING)]
    assert morning.name == "Morning: Living Light on, Curtain open, Living AC on 26°C"
    assert morning.pattern_type == "sequential"
    assert morning.frequency == 5
    assert morning.confidence >= 0.5
    evening = by_steps[str(EVENING)]
    assert evening.name == "Evening: TV on, Living Light 30%"
    coffee = by_steps[str([(COFFEE, "turnOn", "default")])]
    assert coffee.pattern_type == "time_based"
    assert coffee.name == "Morning: Coffee Maker on"
    # A single frequent command is no scene; a step of a routine is not offered alone.
    assert str([(FAN, "turnOn", "default")]) not in by_steps
    assert str([(AC, "setAll", "26,2,1,on")]) not in by_steps
    assert str([(TV, "turnOn", "default")]) not in by_steps
    assert len(candidates) == 3
    assert len({candidate.candidate_id for candidate in candidates}) == 3


def test_candidate_dicts_and_actions(patterns: list[OperationPattern]) -> None:
    candidates = scene_candidates(patterns, {}, device_names=NAMES)
    for candidate in candidates:
        data = json.loads(json.dumps(candidate.to_dict()))
        assert set(data) == {
            "candidate_id", "name", "operations", "confidence", "frequency", "pattern_type",
            "time_of_day",
        }  # fmt: skip
        workflow = WORKFLOW_SCHEMA(
            {"name": data["name"], "actions": candidate.actions(), "schedule": None,
             "conditions": [{"type": "time", "operator": "equals", "value": "07:00"}]}
        )  # fmt: skip
        assert len(workflow["actions"]) == len(candidate.operations)
    untimed = SceneCandidate("c", "n", [], 0.9, 3, "sequential")
    assert "time_of_day" not in untimed.to_dict()


def test_japanese_names(patterns: list[OperationPattern]) -> None:
    candidates = scene_candidates(patterns, {"language": "ja"}, device_names=NAMES_JA)
    names = {candidate.name for candidate in candidates}
    assert "朝: リビングの電気 オン、カーテン 開、エアコン オン 26℃" in names
    assert "夜: テレビ オン、リビングの電気 明るさ30%" in names


def test_names_guess_covers_from_their_names() -> None:
    operations = [
        {"device_id": "C1", "command": "turnOff", "parameters": "default"},
        {"device_id": "L1", "command": "turnOff", "parameters": "default"},
    ]
    names = {"C1": "Bedroom Curtain", "L1": "Bedroom Lamp"}
    assert scene_name(operations, device_names=names) == "Bedroom Curtain close, Bedroom Lamp off"
    assert scene_name(operations, time_of_day="23:30", device_names=names).startswith("Night: ")
    many = operations * 3
    assert scene_name(many, device_names=names).endswith("and 3 more")
    assert scene_name(operations[:1]) == "C1 off"


def test_parts_of_day() -> None:
    assert [part_of_day(t) for t in ("04:59", "05:00", "12:00", "17:00", "22:00")] == [
        "Night", "Morning", "Afternoon", "Evening", "Night",
    ]  # fmt: skip
    assert [part_of_day(t, "ja") for t in ("07:00", "12:00", "17:00", "20:00", "01:00")] == [
        "朝", "昼", "夕方", "夜", "深夜",
    ]  # fmt: skip


def test_context_time_ranks_near_candidates_first(patterns: list[OperationPattern]) -> None:
    evening_first = scene_candidates(patterns, {"time": "20:00"}, device_names=NAMES)
    assert steps(evening_first[0]) == EVENING
    morning_first = scene_candidates(patterns, {"time": "7:10"}, device_names=NAMES)
    assert steps(morning_first[0]) == MORNING


def test_context_device_filter(patterns: list[OperationPattern]) -> None:
    only_tv = scene_candidates(patterns, {"device_ids": [TV]})
    assert [steps(candidate) for candidate in only_tv] == [EVENING]
    assert scene_candidates(patterns, {"device_ids": ["NOPE"]}) == []


def test_context_confidence_and_limit(patterns: list[OperationPattern]) -> None:
    assert scene_candidates(patterns, {"min_confidence": 1}) == []
    loose = scene_candidates(patterns, {"min_confidence": 0})
    assert len(loose) >= 3
    assert len(scene_candidates(patterns, {"limit": 1})) == 1
    confidences = [candidate.confidence for candidate in loose]
    assert confidences == sorted(confidences, reverse=True)


@pytest.mark.parametrize(
    "context",
    [
        {"time": "25:00"},
        {"time": 700},
        {"device_ids": "TV"},
        {"min_confidence": 2},
        {"min_confidence": "high"},
        {"limit": 0},
        {"limit": True},
        {"language": "fr"},
    ],
)
def test_malformed_context_is_refused(
    patterns: list[OperationPattern], context: dict[str, object]
) -> None:
    with pytest.raises(ValueError, match=r"time|device_ids|min_confidence|limit|language"):
        scene_candidates(patterns, context)


def test_the_same_operations_make_one_candidate() -> None:
    forward = [
        {"device_id": "A", "command": "turnOn", "parameters": "default"},
        {"device_id": "B", "command": "turnOn", "parameters": {"x": 1, "y": 2}},
    ]
    backward = [
        {"device_id": "B", "command": "turnOn", "parameters": {"y": 2, "x": 1}},
        {"device_id": "A", "command": "turnOn", "parameters": "default"},
    ]
    patterns = [
        OperationPattern("p1", "sequential", forward, 4, 0.7, "07:00"),
        OperationPattern("p2", "sequential", backward, 6, 0.8, "19:00"),
    ]
    (candidate,) = scene_candidates(patterns, {})
    assert candidate.frequency == 6  # the better one is kept
    (near_morning,) = scene_candidates(patterns, {"time": "07:00"})
    assert near_morning.time_of_day == "07:00"


def test_a_single_time_based_habit_far_from_routines_is_a_candidate() -> None:
    single = [{"device_id": "A", "command": "turnOn", "parameters": "default"}]
    pair = [*single, {"device_id": "B", "command": "turnOn", "parameters": "default"}]
    patterns = [
        OperationPattern("p1", "time_based", single, 5, 0.8, "22:00"),
        OperationPattern("p2", "sequential", pair, 5, 0.8, "07:00"),
        OperationPattern("p3", "frequent", single, 30, 0.9),
    ]
    candidates = scene_candidates(patterns, {})
    assert sorted(len(candidate.operations) for candidate in candidates) == [1, 2]


# --- scale --------------------------------------------------------------------------------


def test_one_endless_burst_stays_cheap() -> None:
    """5,000 commands 5 s apart form one burst: bounded work, and one burst is no routine."""
    devices = [f"D{number}" for number in range(10)]
    records = [
        record(devices[index % 10], "turnOn", MONDAY + timedelta(seconds=5 * index))
        for index in range(5_000)
    ]
    started = time.perf_counter()
    patterns = detect_patterns(records, now=NOW, time_zone=TOKYO)
    assert time.perf_counter() - started < 10
    assert not by_type(patterns, "sequential")
