"""Conflicts between rules: the same rule twice, or opposite commands at overlapping times."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import probatio

from ..models import WEEKDAYS, clock_time
from .const import SAME_TIME_MARGIN
from .home import _Home
from .values import _items, _number

type _Intervals = list[tuple[int, int]]
_ALL_DAYS: Final = frozenset(range(7))
_WHOLE_DAY: Final[tuple[tuple[int, int], ...]] = ((0, 24 * 60),)

# What a command does to its device, to tell opposite commands apart.
_DIRECTIONS: Final[dict[str, str]] = {
    "turnOn": "on", "turnOff": "off", "setBrightness": "on", "setColor": "on",
    "setColorTemperature": "on", "lock": "lock", "unlock": "unlock", "deadbolt": "unlock",
    "unlatch": "unlock", "fullyOpen": "open", "closeDown": "close", "closeUp": "close",
    "open": "open", "close": "close", "start": "start", "startClean": "start",
    "stop": "stop", "pause": "stop", "dock": "stop",
}  # fmt: skip
_OPPOSITE: Final = {
    "on": "off", "off": "on", "lock": "unlock", "unlock": "lock", "open": "close",
    "close": "open", "start": "stop", "stop": "start",
}  # fmt: skip


def _direction(action: Mapping[str, Any]) -> str | None:
    command = str(action.get("command", ""))
    if command == "setAll":
        power = str(action.get("parameter", "")).rsplit(",", 1)[-1].strip().lower()
        return power if power in ("on", "off") else None
    return _DIRECTIONS.get(command)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _clock_or_raw(value: Any) -> Any:
    try:
        return clock_time(value)
    except probatio.Invalid:
        return value


def _rule_signature(rule: Mapping[str, Any], *, exact: bool) -> tuple[str, str]:
    """(actions, trigger) of a rule, for telling duplicates.

    Exact: every value counts. Not exact (a proposal against saved rules): a threshold or a
    time window may differ, the rule still does the same thing on the same kind of trigger.
    """
    actions = []
    for action in _items(rule.get("actions")):
        kind = action.get("type")
        if kind == "device_command":
            actions.append(
                [
                    kind,
                    action.get("device_id"),
                    action.get("command"),
                    _canonical(action.get("parameter", "default")),
                ]
            )
        elif kind == "scene":
            actions.append([kind, action.get("scene_id")])
        elif kind == "service":
            actions.append([kind, action.get("service"), _canonical(action.get("data") or {})])
        else:
            actions.append([str(kind)])  # one notification is as good as another
    trigger = []
    for condition in _items(rule.get("conditions")):
        kind = condition.get("type")
        part = [kind, condition.get("device_id"), condition.get("entity_id")]
        part += [condition.get("attribute"), condition.get("operator", "equals")]
        if exact or kind == "device_state":
            value = condition.get("value")
            part.append(
                [_clock_or_raw(item) for item in value] if isinstance(value, list) else value
            )
        trigger.append(_canonical(part))
    schedule = rule.get("schedule")
    if isinstance(schedule, Mapping):
        described = {key: schedule.get(key) for key in ("type", "days", "minutes", "at")}
        if exact or schedule.get("type") != "daily":
            described["time"] = _clock_or_raw(schedule.get("time"))
        trigger.append(_canonical(described))
    return (_canonical(sorted(_canonical(item) for item in actions)), _canonical(sorted(trigger)))


def _around(minute: int, margin: float) -> _Intervals:
    return _wrap(math.floor(minute - margin), math.ceil(minute + margin))


def _wrap(start: int, end: int) -> _Intervals:
    """[start, end) minutes, split where it crosses midnight."""
    day = 24 * 60
    if end - start >= day:
        return list(_WHOLE_DAY)
    start %= day
    end %= day
    if start < end:
        return [(start, end)]
    return [(start, day), (0, end)] if end > 0 else [(start, day)]


def _intersect(first: _Intervals, second: _Intervals) -> _Intervals:
    return [(max(a, c), min(b, d)) for a, b in first for c, d in second if max(a, c) < min(b, d)]


def _minutes(value: Any) -> int | None:
    try:
        hours, minutes = clock_time(value).split(":")
    except probatio.Invalid:
        return None
    return int(hours) * 60 + int(minutes)


def _active(rule: Mapping[str, Any]) -> tuple[frozenset[int], _Intervals]:
    """The weekdays and the times of day a rule may act at."""
    days = _ALL_DAYS
    intervals: _Intervals = list(_WHOLE_DAY)
    schedule = rule.get("schedule")
    if isinstance(schedule, Mapping):
        kind = schedule.get("type")
        if kind in ("daily", "weekly") and (minute := _minutes(schedule.get("time"))) is not None:
            intervals = _around(minute, SAME_TIME_MARGIN)
            if kind == "weekly":
                days = frozenset(
                    WEEKDAYS.index(day) for day in schedule.get("days") or [] if day in WEEKDAYS
                )
        elif kind == "once":
            try:
                moment = datetime.fromisoformat(str(schedule.get("at")))
            except ValueError:
                moment = None
            if moment is not None:
                days = frozenset({moment.weekday()})
                intervals = _around(moment.hour * 60 + moment.minute, SAME_TIME_MARGIN)
    for condition in _items(rule.get("conditions")):
        if condition.get("type") != "time":
            continue
        operator, value = condition.get("operator"), condition.get("value")
        tolerance = _number(condition.get("tolerance")) or 0.0
        window: _Intervals | None = None
        if operator == "between" and isinstance(value, list | tuple) and len(value) == 2:
            start, end = _minutes(value[0]), _minutes(value[1])
            if start is not None and end is not None:
                window = _wrap(start, end if end > start else end + 24 * 60)
        elif (minute := _minutes(value)) is not None:
            if operator == "after":
                window = [(minute, 24 * 60)]
            elif operator == "before":
                window = [(0, minute)]
            elif operator == "equals":
                window = _around(minute, max(tolerance, 1.0))
        if window is not None:
            intervals = _intersect(intervals, window)
    return days, intervals


def _exclusive(first: Mapping[str, Any], second: Mapping[str, Any]) -> bool:
    """Whether two rules' conditions can never hold at once (a door open / closed)."""
    for one in _items(first.get("conditions")):
        for other in _items(second.get("conditions")):
            kind = one.get("type")
            source = ("device_id", "entity_id", "attribute")
            if kind != other.get("type") or any(one.get(k) != other.get(k) for k in source):
                continue
            if kind == "device_state":
                same = str(one.get("value")).casefold() == str(other.get("value")).casefold()
                operators = {one.get("operator", "equals"), other.get("operator", "equals")}
                if (operators == {"equals"} and not same) or (
                    operators == {"equals", "not_equals"} and same
                ):
                    return True
            elif kind in ("temperature", "humidity"):
                # "above 28" and "below 20" never hold together; two "above"s may.
                thresholds = {c.get("operator"): _number(c.get("value")) for c in (one, other)}
                above, below = thresholds.get("above"), thresholds.get("below")
                if above is not None and below is not None and above >= below:
                    return True
    return False


def _conflicts(
    workflow: Mapping[str, Any], rules: Sequence[Mapping[str, Any]], home: _Home
) -> list[dict[str, Any]]:
    conflicts: list[dict[str, Any]] = []
    signature = _rule_signature(workflow, exact=True)
    days, intervals = _active(workflow)
    commands = [
        action
        for action in _items(workflow.get("actions"))
        if action.get("type") == "device_command"
    ]
    for rule in rules:
        rule_id = str(rule.get("id", ""))
        label = str(rule.get("name") or rule_id)
        if _rule_signature(rule, exact=True) == signature:
            conflicts.append({"rule_id": rule_id, "reason": f'the same rule as "{label}"'})
            continue
        if rule.get("enabled", True) is False or _exclusive(workflow, rule):
            continue
        rule_days, rule_intervals = _active(rule)
        if not days & rule_days or not _intersect(intervals, rule_intervals):
            continue
        for action in commands:
            direction = _direction(action)
            if direction is None:
                continue
            clash = next(
                (
                    other
                    for other in _items(rule.get("actions"))
                    if other.get("type") == "device_command"
                    and other.get("device_id") == action.get("device_id")
                    and _direction(other) == _OPPOSITE.get(direction)
                ),
                None,
            )
            if clash is not None:
                device = home.name(str(action.get("device_id")))
                conflicts.append(
                    {
                        "rule_id": rule_id,
                        "reason": f'"{label}" sends {clash.get("command")} to {device} at an '
                        f"overlapping time; this sends {action.get('command')}",
                    }
                )
                break
    return conflicts
