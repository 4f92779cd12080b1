"""Export a RoomSense rule as a Home Assistant automation (config and YAML).

The result uses Home Assistant's current keys (2024.10 and later): `triggers`, `conditions`,
`actions`, with `trigger:` / `condition:` / `action:` in each item. Nothing here does I/O:
the caller says which Home Assistant entity stands for a RoomSense device (`entity_for`).

What cannot be exported faithfully is reported in the returned warnings; a condition without
an entity is left out (and named in the automation's description) rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Any, Final

from homeassistant.util.yaml import dump

from .models import (
    ACTION_DEVICE_COMMAND,
    ACTION_NOTIFICATION,
    ACTION_SCENE,
    ACTION_SERVICE,
    DEFAULT_HUMIDITY_TOLERANCE,
    DEFAULT_TEMPERATURE_TOLERANCE,
    DEFAULT_TIME_TOLERANCE,
    SCHEDULE_DAILY,
    SCHEDULE_INTERVAL,
    SCHEDULE_ONCE,
    SCHEDULE_WEEKLY,
    ConditionType,
)

EntityLookup = Callable[[str, str], str | None]
"""`entity_for(device_id, kind)`: the entity id of a RoomSense device's reading, or None.

`kind` is "temperature", "humidity" or "state".
"""

KIND_STATE: Final = "state"
NOTIFY_FALLBACK: Final = "persistent_notification.create"
# A once-rule runs only within this many seconds of its instant (the trigger fires on time;
# the margin covers a slow event loop).
ONCE_WINDOW_SECONDS: Final = 60

_MINUTES_PER_DAY: Final = 24 * 60
# Intervals a time_pattern can express exactly: "/N" minutes for divisors of 60 below 60,
# "/H" hours for whole hours dividing the day (a whole day is "at 00:00").
_EXACT_INTERVALS: Final = tuple(
    sorted(
        [n for n in range(1, 60) if 60 % n == 0]
        + [n for n in range(60, _MINUTES_PER_DAY + 1, 60) if _MINUTES_PER_DAY % n == 0]
    )
)
_DEFAULT_NUMBER_TOLERANCE: Final[dict[str, float]] = {
    ConditionType.TEMPERATURE: DEFAULT_TEMPERATURE_TOLERANCE,
    ConditionType.HUMIDITY: DEFAULT_HUMIDITY_TOLERANCE,
}


def rule_to_automation(
    rule: Mapping[str, Any],
    *,
    entity_for: EntityLookup,
    time_zone: tzinfo | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """A Home Assistant automation config for `rule`, and warnings about what was lost.

    `time_zone` is Home Assistant's; a once-schedule's instant is turned into that zone's
    wall-clock time for its time trigger. Without it the instant's own offset is used, which
    is right when Home Assistant runs in the zone the rule was written in.
    """
    return _Exporter(entity_for, time_zone).export(rule)


def automation_yaml(config: Mapping[str, Any]) -> str:
    """The automation as YAML: one mapping (for the automation editor's YAML mode).

    For `automations.yaml`, which holds a list, indent it under a `- `.
    """
    return dump(dict(config))


class _Exporter:
    """One export: collects the warnings and the notes for the description."""

    def __init__(self, entity_for: EntityLookup, time_zone: tzinfo | None) -> None:
        self._entity_for = entity_for
        self._time_zone = time_zone
        self.warnings: list[str] = []
        self._notes: list[str] = []

    def export(self, rule: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
        name = str(rule.get("name") or rule.get("id") or "RoomSense rule")
        conditions_in: list[Mapping[str, Any]] = list(rule.get("conditions") or [])
        schedule: Mapping[str, Any] | None = rule.get("schedule")

        triggers: list[dict[str, Any]] = []
        conditions: list[dict[str, Any]] = []
        if schedule is not None:
            self._schedule(schedule, triggers, conditions)
        for index, condition in enumerate(conditions_in, start=1):
            exported = self._condition(index, condition)
            if exported is None:
                continue
            conditions.append(exported)
            if schedule is None:
                # Without a schedule the rule runs when its conditions become true.
                trigger = self._trigger_for(condition, exported)
                if trigger is not None and trigger not in triggers:
                    triggers.append(trigger)
        if not triggers:
            self._warn("nothing could be turned into a trigger: the automation never runs")

        actions: list[dict[str, Any]] = []
        for action in rule.get("actions") or []:
            actions.extend(self._action(action))

        config: dict[str, Any] = {
            "id": f"roomsense_{_slug(str(rule.get('id') or name))}",
            "alias": name,
            "description": self._description(rule),
            "mode": "single",
        }
        if rule.get("enabled", True) is False:
            # A rule switched off in RoomSense must not start acting once exported.
            config["initial_state"] = False
        config["triggers"] = triggers
        config["conditions"] = conditions
        config["actions"] = actions
        return config, self.warnings

    def _warn(self, text: str, *, note: bool = False) -> None:
        self.warnings.append(text)
        if note:
            self._notes.append(text)

    def _description(self, rule: Mapping[str, Any]) -> str:
        parts = [str(rule.get("description") or "").strip()]
        if rule.get("id"):
            parts.append(f"Exported from RoomSense rule {rule['id']}.")
        parts.extend(f"Not exported: {note}" for note in self._notes)
        return "\n".join(part for part in parts if part)

    # --- schedules ------------------------------------------------------------------------

    def _schedule(
        self,
        schedule: Mapping[str, Any],
        triggers: list[dict[str, Any]],
        conditions: list[dict[str, Any]],
    ) -> None:
        kind = schedule.get("type")
        if kind == SCHEDULE_DAILY:
            triggers.append({"trigger": "time", "at": _clock(schedule["time"])})
        elif kind == SCHEDULE_WEEKLY:
            triggers.append({"trigger": "time", "at": _clock(schedule["time"])})
            conditions.append({"condition": "time", "weekday": list(schedule["days"])})
        elif kind == SCHEDULE_INTERVAL:
            triggers.append(self._interval(int(schedule["minutes"]), schedule.get("start")))
        elif kind == SCHEDULE_ONCE:
            at = datetime.fromisoformat(str(schedule["at"]))
            wall = at.astimezone(self._time_zone) if self._time_zone is not None else at
            triggers.append({"trigger": "time", "at": wall.strftime("%H:%M:%S")})
            # The time trigger fires every day; only the run at the instant itself counts.
            conditions.append(
                {
                    "condition": "template",
                    "value_template": (
                        f"{{{{ (now() - as_datetime('{at.isoformat()}')).total_seconds() | abs"
                        f" < {ONCE_WINDOW_SECONDS} }}}}"
                    ),
                }
            )
        else:
            self._warn(f"unknown schedule type {kind!r}: left out", note=True)

    def _interval(self, minutes: int, start: str | None) -> dict[str, Any]:
        exact = min(_EXACT_INTERVALS, key=lambda candidate: (abs(candidate - minutes), candidate))
        if exact != minutes:
            self._warn(
                f"every {minutes} minutes cannot be a time pattern; exported as every {exact}"
                " minutes"
            )
        if start is not None:
            self._check_phase(exact, datetime.fromisoformat(start))
        if exact < 60:
            return {"trigger": "time_pattern", "minutes": f"/{exact}"}
        if exact < _MINUTES_PER_DAY:
            return {"trigger": "time_pattern", "hours": f"/{exact // 60}", "minutes": 0}
        # Hours run 0-23, so "/24" is not a pattern: once a day is midnight.
        return {"trigger": "time_pattern", "hours": 0, "minutes": 0}

    def _check_phase(self, minutes: int, start: datetime) -> None:
        """A time pattern counts from the clock's hour or midnight, not from `start`."""
        of_day = start.hour * 60 + start.minute
        if start.second or of_day % minutes:
            self._warn(
                f"the interval counted from {start.isoformat()} now follows the clock"
                f" (every {minutes} minutes from midnight)"
            )

    # --- conditions -----------------------------------------------------------------------

    def _condition(self, index: int, condition: Mapping[str, Any]) -> dict[str, Any] | None:
        kind = condition.get("type")
        if kind == ConditionType.TIME:
            return _time_condition(condition)
        if kind in (ConditionType.TEMPERATURE, ConditionType.HUMIDITY):
            entity = self._source(index, condition, str(kind))
            if entity is None:
                return None
            return {
                "condition": "numeric_state",
                "entity_id": entity,
                **self._bounds(index, condition),
            }
        if kind == ConditionType.DEVICE_STATE:
            entity = self._source(index, condition, KIND_STATE)
            if entity is None:
                return None
            state: dict[str, Any] = {
                "condition": "state",
                "entity_id": entity,
                "state": str(condition["value"]),
            }
            if condition.get("attribute"):
                state["attribute"] = condition["attribute"]
            if condition.get("operator", "equals") == "not_equals":
                return {"condition": "not", "conditions": [state]}
            return state
        self._warn(f"condition {index}: unknown type {kind!r}", note=True)
        return None

    def _source(self, index: int, condition: Mapping[str, Any], kind: str) -> str | None:
        """The entity a condition reads, or None (warned, and noted in the description)."""
        if condition.get("entity_id"):
            return str(condition["entity_id"])
        device_id = condition.get("device_id")
        what = _describe_condition(condition)
        if device_id:
            entity = self._entity_for(str(device_id), kind)
            if entity is None:
                self._warn(
                    f"condition {index} ({what}): no Home Assistant entity for the {kind} of"
                    f" RoomSense device {device_id}",
                    note=True,
                )
            return entity
        # RoomSense averages all its sensors of the kind; Home Assistant has no such entity.
        self._warn(
            f"condition {index} ({what}): reads the mean of every RoomSense {kind} sensor,"
            " which has no Home Assistant entity",
            note=True,
        )
        return None

    def _bounds(self, index: int, condition: Mapping[str, Any]) -> dict[str, float]:
        operator = condition.get("operator")
        value = condition["value"]
        if operator == "above":
            return {"above": float(value)}
        if operator == "below":
            return {"below": float(value)}
        if operator == "between":
            low, high = sorted(float(item) for item in value)
            return {"above": low, "below": high}
        # "equals": within the tolerance; numeric_state has no equality.
        default = _DEFAULT_NUMBER_TOLERANCE[str(condition["type"])]
        tolerance = float(condition.get("tolerance", default))
        if tolerance <= 0:
            self._warn(f"condition {index}: equality needs a tolerance; used ±{default}")
            tolerance = default
        return {"above": float(value) - tolerance, "below": float(value) + tolerance}

    def _trigger_for(
        self, condition: Mapping[str, Any], exported: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The trigger that fires when an exported condition becomes true."""
        kind = exported["condition"]
        if kind == "time":
            return {"trigger": "time", "at": _time_start(condition)}
        if kind == "numeric_state":
            return {"trigger": "numeric_state", **_without(exported, "condition")}
        if kind == "state":
            trigger = {"trigger": "state", **_without(exported, "condition", "state")}
            trigger["to"] = exported["state"]
            return trigger
        if kind == "not":
            # not_equals becomes true when the entity leaves the value.
            inner = exported["conditions"][0]
            trigger = {"trigger": "state", **_without(inner, "condition", "state")}
            trigger["from"] = inner["state"]
            return trigger
        return None

    # --- actions --------------------------------------------------------------------------

    def _action(self, action: Mapping[str, Any]) -> list[dict[str, Any]]:
        steps: list[dict[str, Any]] = []
        delay = float(action.get("delay") or 0)
        if delay > 0:
            steps.append({"delay": _duration(delay)})
        kind = action.get("type")
        if kind == ACTION_DEVICE_COMMAND:
            steps.append(
                {
                    "action": "roomsense.send_command",
                    "data": {
                        "device_id": action["device_id"],
                        "command": action["command"],
                        "parameter": action.get("parameter", "default"),
                        "command_type": action.get("command_type", "command"),
                    },
                }
            )
        elif kind == ACTION_SCENE:
            steps.append(
                {"action": "roomsense.execute_scene", "data": {"scene_id": action["scene_id"]}}
            )
        elif kind == ACTION_NOTIFICATION:
            data = {"message": action["message"]}
            if action.get("title"):
                data["title"] = action["title"]
            steps.append({"action": action.get("service") or NOTIFY_FALLBACK, "data": data})
        elif kind == ACTION_SERVICE:
            step: dict[str, Any] = {"action": action["service"]}
            if action.get("data"):
                step["data"] = dict(action["data"])
            if action.get("target"):
                step["target"] = dict(action["target"])
            steps.append(step)
        else:
            self._warn(f"unknown action type {kind!r}: left out", note=True)
            return []
        return steps


# --- helpers ------------------------------------------------------------------------------


def _time_condition(condition: Mapping[str, Any]) -> dict[str, Any]:
    """`condition: time`; a window whose end is before its start wraps midnight in HA."""
    operator = condition.get("operator")
    value = condition["value"]
    if operator == "between":
        return {"condition": "time", "after": _clock(value[0]), "before": _clock(value[1])}
    if operator == "before":
        return {"condition": "time", "before": _clock(value)}
    if operator == "after":
        return {"condition": "time", "after": _clock(value)}
    # "equals": within the tolerance either side (at least the minute itself).
    tolerance = float(condition.get("tolerance", DEFAULT_TIME_TOLERANCE))
    return {
        "condition": "time",
        "after": _shift(value, -tolerance),
        "before": _shift(value, max(tolerance, 1.0)),
    }


def _time_start(condition: Mapping[str, Any]) -> str:
    """When a time condition starts to hold: its time, its window's start, or midnight."""
    operator = condition.get("operator")
    value = condition["value"]
    if operator == "between":
        return _clock(value[0])
    if operator == "before":
        return "00:00:00"
    return _clock(value)


def _describe_condition(condition: Mapping[str, Any]) -> str:
    value = condition.get("value")
    if isinstance(value, list | tuple):
        value = "-".join(str(item) for item in value)
    return f"{condition.get('type')} {condition.get('operator', 'equals')} {value}"


def _without(mapping: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {key: item for key, item in mapping.items() if key not in keys}


def _clock(hhmm: str) -> str:
    """`HH:MM` as Home Assistant's `HH:MM:SS`."""
    hours, minutes = (int(part) for part in str(hhmm).split(":")[:2])
    return f"{hours:02d}:{minutes:02d}:00"


def _shift(hhmm: str, minutes: float) -> str:
    """A time of day moved by some minutes, around the clock."""
    hours, mins = (int(part) for part in str(hhmm).split(":")[:2])
    total = round((hours * 60 + mins + minutes) * 60) % (_MINUTES_PER_DAY * 60)
    hour, rest = divmod(total, 3600)
    minute, second = divmod(rest, 60)
    return f"{hour:02d}:{minute:02d}:{second:02d}"


def _duration(seconds: float) -> str:
    """Seconds as `HH:MM:SS` (with milliseconds when there are some)."""
    whole, millis = divmod(round(seconds * 1000), 1000)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    if millis:
        text += f".{millis:03d}".rstrip("0")
    return text


def _slug(text: str) -> str:
    """Lower-case letters, digits and underscores, for the automation's id."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "rule"
