"""The condition evaluator's edges: midnight, tolerance, missing and unavailable sensors."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import probatio
import pytest
from homeassistant.core import State

from custom_components.roomsense.automation.conditions import (
    ConditionEvaluator,
    SourceResolver,
    time_met,
)
from custom_components.roomsense.automation.models import CONDITION_SCHEMA

TOKYO = ZoneInfo("Asia/Tokyo")


def at(clock: str) -> datetime:
    hours, minutes = clock.split(":")
    return datetime(2026, 11, 23, int(hours), int(minutes), tzinfo=TOKYO)


def condition(**fields: Any) -> dict[str, Any]:
    return CONDITION_SCHEMA(fields)


@pytest.mark.parametrize(
    ("operator", "value", "now", "met"),
    [
        ("equals", "07:00", "07:00", True),
        ("equals", "07:00", "07:02", True),  # the default tolerance is 2 minutes
        ("equals", "07:00", "06:58", True),
        ("equals", "07:00", "07:03", False),
        ("equals", "00:00", "23:59", True),  # across midnight
        ("equals", "23:59", "00:01", True),
        ("before", "22:00", "21:59", True),
        ("before", "22:00", "22:02", True),
        ("before", "22:00", "22:03", False),
        ("after", "06:00", "05:58", True),
        ("after", "06:00", "05:57", False),
        ("between", ["09:00", "17:00"], "12:00", True),
        ("between", ["09:00", "17:00"], "17:02", True),
        ("between", ["09:00", "17:00"], "17:03", False),
        ("between", ["22:00", "06:00"], "23:30", True),  # a window across midnight
        ("between", ["22:00", "06:00"], "03:00", True),
        ("between", ["22:00", "06:00"], "06:02", True),
        ("between", ["22:00", "06:00"], "12:00", False),
        ("between", ["22:00", "06:00"], "21:57", False),
    ],
)
def test_time(operator: str, value: Any, now: str, met: bool) -> None:
    assert time_met(condition(type="time", operator=operator, value=value), at(now)) is met


def test_time_without_tolerance() -> None:
    exact = condition(type="time", operator="equals", value="07:00", tolerance=0)
    assert time_met(exact, at("07:00"))
    assert not time_met(exact, at("07:01"))


class FakeResolver(SourceResolver):
    """Sources without registries: entity ids as given, device ids mapped by a table."""

    def __init__(self, devices: dict[str, str], everything: list[str]) -> None:
        self.devices = devices
        self.everything = everything

    def entity_for(self, device_id: str, kind: str) -> str | None:
        return self.devices.get(f"{device_id}:{kind}")

    def all_of_kind(self, kind: str) -> list[str]:
        return [entity for entity in self.everything if kind in entity]


@pytest.fixture
def states() -> dict[str, State]:
    return {
        "sensor.bedroom_temperature": State("sensor.bedroom_temperature", "27.6"),
        "sensor.living_temperature": State("sensor.living_temperature", "29.0"),
        "sensor.bedroom_humidity": State("sensor.bedroom_humidity", "58"),
        "sensor.broken_temperature": State("sensor.broken_temperature", "unavailable"),
        "light.desk": State("light.desk", "on", {"brightness": 200}),
        "lock.front": State("lock.front", "unavailable"),
    }


@pytest.fixture
def evaluator(states: dict[str, State]) -> ConditionEvaluator:
    resolver = FakeResolver(
        {"METER:temperature": "sensor.bedroom_temperature", "DESK:state": "light.desk"},
        ["sensor.bedroom_temperature", "sensor.living_temperature", "sensor.broken_temperature"],
    )
    return ConditionEvaluator(resolver, states.get)


@pytest.mark.parametrize(
    ("fields", "met", "actual"),
    [
        ({"operator": "above", "value": 28, "device_id": "METER"}, True, 27.6),  # within 0.5
        ({"operator": "above", "value": 28, "device_id": "METER", "tolerance": 0}, False, 27.6),
        ({"operator": "below", "value": 27, "device_id": "METER"}, False, 27.6),
        ({"operator": "between", "value": [20, 27.2], "device_id": "METER"}, True, 27.6),
        (
            {"operator": "equals", "value": 28, "entity_id": "sensor.living_temperature"},
            False,
            29.0,
        ),
        # No source named: the mean of every sensor that reads (the broken one is left out).
        ({"operator": "above", "value": 28}, True, 28.3),
    ],
)
def test_temperature(
    evaluator: ConditionEvaluator, fields: dict[str, Any], met: bool, actual: float
) -> None:
    result = evaluator.evaluate_one(condition(type="temperature", **fields), at("12:00"))
    assert (result.met, result.actual) == (met, actual)


def test_humidity_tolerance_is_two_percent(evaluator: ConditionEvaluator) -> None:
    above_60 = condition(
        type="humidity", operator="above", value=60, entity_id="sensor.bedroom_humidity"
    )
    assert evaluator.evaluate_one(above_60, at("12:00")).met
    above_61 = {**above_60, "value": 61}
    assert not evaluator.evaluate_one(above_61, at("12:00")).met


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"type": "temperature", "operator": "above", "value": 1, "device_id": "NOPE"},
            "no_source",
        ),
        (
            {"type": "temperature", "operator": "above", "value": 1,
             "entity_id": "sensor.broken_temperature"},
            "unavailable",
        ),
        (
            {"type": "temperature", "operator": "above", "value": 1,
             "entity_id": "sensor.never_existed"},
            "unavailable",
        ),
        ({"type": "device_state", "value": "locked", "entity_id": "lock.front"}, "unavailable"),
    ],
)  # fmt: skip
def test_a_missing_source_is_not_met_and_says_why(
    evaluator: ConditionEvaluator, fields: dict[str, Any], reason: str
) -> None:
    result = evaluator.evaluate_one(condition(**fields), at("12:00"))
    assert (result.met, result.reason) == (False, reason)


def test_device_state(evaluator: ConditionEvaluator) -> None:
    on = condition(type="device_state", value="ON", device_id="DESK")
    assert evaluator.evaluate_one(on, at("12:00")).met
    off = condition(type="device_state", operator="not_equals", value="on", device_id="DESK")
    assert not evaluator.evaluate_one(off, at("12:00")).met
    bright = condition(type="device_state", value="200", attribute="brightness", device_id="DESK")
    assert evaluator.evaluate_one(bright, at("12:00")).met


def test_all_conditions_are_anded(evaluator: ConditionEvaluator) -> None:
    hot = condition(type="temperature", operator="above", value=28, device_id="METER")
    evening = condition(type="time", operator="after", value="18:00")
    assert not evaluator.evaluate([hot, evening], at("12:00")).met
    evaluation = evaluator.evaluate([hot, evening], at("19:00"))
    assert evaluation.met
    assert [result.met for result in evaluation.results] == [True, True]
    assert evaluator.evaluate([], at("12:00")).met


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "time", "operator": "equals", "value": "25:00"},
        {"type": "time", "operator": "between", "value": "07:00"},
        {"type": "time", "operator": "around", "value": "07:00"},
        {"type": "temperature", "operator": "above", "value": "hot"},
        {"type": "temperature", "operator": "between", "value": [1, 2, 3]},
        {"type": "device_state", "value": "on"},
        {"type": "weather", "operator": "equals", "value": "rain"},
    ],
)
def test_the_schema_rejects_bad_conditions(fields: dict[str, Any]) -> None:
    with pytest.raises(probatio.Invalid):
        CONDITION_SCHEMA(fields)


@pytest.mark.parametrize(
    ("operator", "value", "now", "met"),
    [
        ("equals", "07:00", "06:58", False),
        ("equals", "07:00", "07:00", True),
        ("equals", "07:00", "07:02", True),
        ("after", "06:00", "05:58", False),
        ("between", ["22:00", "06:00"], "21:58", False),
        ("between", ["22:00", "06:00"], "06:02", True),
    ],
)
def test_a_time_that_starts_a_rule_forgives_only_lateness(
    operator: str, value: Any, now: str, met: bool
) -> None:
    condition_ = condition(type="time", operator=operator, value=value)
    assert time_met(condition_, at(now), late_only=True) is met
