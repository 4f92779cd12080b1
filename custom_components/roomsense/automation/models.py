"""Automation rules: their conditions, actions and schedules, and the schemas that check them.

A rule is plain JSON-able data (it lives in a `Store` and travels through the HTTP API):

    {"id", "name", "description", "enabled", "conditions": [...], "actions": [...],
     "schedule": {...} | None, "created_by", "created_at", "updated_at",
     "execution_count", "last_executed"}

A *workflow* is what the parser makes of a sentence: the same fields without the id and the
bookkeeping, plus `confidence`, `suggestions`, `source` and `language`. Saving a workflow
makes it a rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

import probatio

# --- conditions ---------------------------------------------------------------------------


class ConditionType(StrEnum):
    """What a condition looks at: its `type`."""

    TIME = "time"
    TEMPERATURE = "temperature"
    HUMIDITY = "humidity"
    DEVICE_STATE = "device_state"


# time: "equals" a time (within the tolerance), "between" [from, to] (may wrap midnight),
# "before" / "after" a time. Numbers: "above"/"below" a threshold, "between" [low, high],
# "equals". Device state: "equals" / "not_equals" a state.
TIME_OPERATORS: Final = ("equals", "between", "before", "after")
NUMBER_OPERATORS: Final = ("above", "below", "between", "equals")
STATE_OPERATORS: Final = ("equals", "not_equals")

DEFAULT_TIME_TOLERANCE: Final = 2  # minutes
DEFAULT_TEMPERATURE_TOLERANCE: Final = 0.5  # °C
DEFAULT_HUMIDITY_TOLERANCE: Final = 2.0  # %

# --- actions ------------------------------------------------------------------------------

ACTION_DEVICE_COMMAND: Final = "device_command"
ACTION_SCENE: Final = "scene"
ACTION_NOTIFICATION: Final = "notification"
ACTION_SERVICE: Final = "service"
ACTION_TYPES: Final = (ACTION_DEVICE_COMMAND, ACTION_SCENE, ACTION_NOTIFICATION, ACTION_SERVICE)
MAX_ACTION_DELAY: Final = 86_400

# --- schedules ----------------------------------------------------------------------------

SCHEDULE_ONCE: Final = "once"
SCHEDULE_DAILY: Final = "daily"
SCHEDULE_WEEKLY: Final = "weekly"
SCHEDULE_INTERVAL: Final = "interval"
SCHEDULE_TYPES: Final = (SCHEDULE_ONCE, SCHEDULE_DAILY, SCHEDULE_WEEKLY, SCHEDULE_INTERVAL)
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

MAX_CONDITIONS: Final = 20
MAX_ACTIONS: Final = 20
MAX_HISTORY: Final = 50

_TIME_PATTERN: Final = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def clock_time(value: Any) -> str:
    """A time of day as `HH:MM` (24 h); `7:05` is accepted and padded."""
    if not isinstance(value, str):
        raise probatio.Invalid("a time of day is a string HH:MM")
    text = value.strip()
    if re.fullmatch(r"\d:[0-5]\d", text):
        text = f"0{text}"
    if not _TIME_PATTERN.match(text):
        raise probatio.Invalid(f"not a time of day (HH:MM): {value}")
    return text


_NUMBER = probatio.All(probatio.Coerce(float), probatio.Range(min=-1000, max=1000))
_ID = probatio.All(str, probatio.Strip, probatio.Length(min=1, max=128))
_ENTITY_ID = probatio.All(str, probatio.Match(r"^[a-z0-9_]+\.[a-z0-9_]+$", msg="not an entity id"))


def _pair(item: probatio.Schema | Any) -> Any:
    return probatio.All(probatio.ExactSequence([item, item]))


def _condition(data: Any) -> dict[str, Any]:
    """One condition, checked by its type."""
    if not isinstance(data, dict):
        raise probatio.Invalid("a condition is an object")
    kind = data.get("type")
    schema: Any
    if kind == ConditionType.TIME:
        schema = _time_condition_schema(data.get("operator"))
    elif kind in (ConditionType.TEMPERATURE, ConditionType.HUMIDITY):
        schema = _measure_condition_schema(kind, data.get("operator"))
    elif kind == ConditionType.DEVICE_STATE:
        schema = _DEVICE_STATE_CONDITION_SCHEMA
    else:
        raise probatio.Invalid(
            f"unknown condition type {kind!r}; one of {', '.join(ConditionType)}"
        )
    result: dict[str, Any] = schema(data)
    return result


def _time_condition_schema(operator: Any) -> probatio.Schema:
    """A time condition: one time of day, or a pair for "between"."""
    value_schema: Any = _pair(clock_time) if operator == "between" else clock_time
    return probatio.Schema(
        {
            probatio.Required("type"): ConditionType.TIME,
            probatio.Required("operator"): probatio.In(TIME_OPERATORS),
            probatio.Required("value"): value_schema,
            probatio.Optional("tolerance", default=DEFAULT_TIME_TOLERANCE): probatio.All(
                probatio.Coerce(float), probatio.Range(min=0, max=720)
            ),
        }
    )


def _measure_condition_schema(kind: str, operator: Any) -> probatio.Schema:
    """A temperature or humidity condition: one number, or a pair for "between"."""
    default_tolerance = (
        DEFAULT_TEMPERATURE_TOLERANCE
        if kind == ConditionType.TEMPERATURE
        else DEFAULT_HUMIDITY_TOLERANCE
    )
    return probatio.Schema(
        {
            probatio.Required("type"): kind,
            probatio.Required("operator"): probatio.In(NUMBER_OPERATORS),
            probatio.Required("value"): _pair(_NUMBER) if operator == "between" else _NUMBER,
            # The source: a sensor entity, or a RoomSense device (its reading), or
            # neither (the mean of every RoomSense sensor of that kind).
            probatio.Optional("entity_id"): _ENTITY_ID,
            probatio.Optional("device_id"): _ID,
            probatio.Optional("tolerance", default=default_tolerance): probatio.All(
                probatio.Coerce(float), probatio.Range(min=0, max=100)
            ),
        }
    )


_DEVICE_STATE_CONDITION_SCHEMA: Final = probatio.All(
    probatio.Schema(
        {
            probatio.Required("type"): ConditionType.DEVICE_STATE,
            probatio.Optional("operator", default="equals"): probatio.In(STATE_OPERATORS),
            probatio.Required("value"): probatio.All(
                probatio.Coerce(str), probatio.Length(min=1, max=255)
            ),
            probatio.Optional("entity_id"): _ENTITY_ID,
            probatio.Optional("device_id"): _ID,
            # Compare an attribute instead of the state.
            probatio.Optional("attribute"): probatio.All(str, probatio.Length(min=1, max=64)),
        }
    ),
    probatio.Any(
        probatio.Schema({probatio.Required("entity_id"): object}, extra=probatio.ALLOW_EXTRA),
        probatio.Schema({probatio.Required("device_id"): object}, extra=probatio.ALLOW_EXTRA),
        msg="a device_state condition needs an entity_id or a device_id",
    ),
)


_DELAY = probatio.All(probatio.Coerce(float), probatio.Range(min=0, max=MAX_ACTION_DELAY))
_SERVICE_NAME = probatio.All(str, probatio.Match(r"^[a-z0-9_]+\.[a-z0-9_]+$", msg="domain.service"))

_ACTION_SCHEMAS: Final[dict[str, probatio.Schema]] = {
    ACTION_DEVICE_COMMAND: probatio.Schema(
        {
            probatio.Required("type"): ACTION_DEVICE_COMMAND,
            probatio.Required("device_id"): _ID,
            probatio.Required("command"): probatio.All(str, probatio.Length(min=1, max=64)),
            probatio.Optional("parameter", default="default"): probatio.Any(
                dict, probatio.Coerce(str)
            ),
            probatio.Optional("command_type", default="command"): probatio.In(
                ["command", "customize"]
            ),
            probatio.Optional("delay", default=0): _DELAY,
        }
    ),
    ACTION_SCENE: probatio.Schema(
        {
            probatio.Required("type"): ACTION_SCENE,
            probatio.Required("scene_id"): _ID,
            probatio.Optional("delay", default=0): _DELAY,
        }
    ),
    ACTION_NOTIFICATION: probatio.Schema(
        {
            probatio.Required("type"): ACTION_NOTIFICATION,
            probatio.Required("message"): probatio.All(str, probatio.Length(min=1, max=1000)),
            probatio.Optional("title"): probatio.All(str, probatio.Length(max=200)),
            # A notify service (notify.mobile_app_phone); without one, a persistent notification.
            probatio.Optional("service"): _SERVICE_NAME,
            probatio.Optional("delay", default=0): _DELAY,
        }
    ),
    ACTION_SERVICE: probatio.Schema(
        {
            probatio.Required("type"): ACTION_SERVICE,
            probatio.Required("service"): _SERVICE_NAME,
            probatio.Optional("data", default=dict): dict,
            probatio.Optional("target", default=dict): dict,
            probatio.Optional("delay", default=0): _DELAY,
        }
    ),
}


def _by_type(
    data: dict[str, Any], what: str, schemas: Mapping[str, probatio.Schema]
) -> dict[str, Any]:
    """`data` checked by the schema of its type, one of the keys of `schemas`."""
    kind = data.get("type")
    schema = schemas.get(kind) if isinstance(kind, str) else None
    if schema is None:
        raise probatio.Invalid(f"unknown {what} type {kind!r}; one of {', '.join(schemas)}")
    result: dict[str, Any] = schema(data)
    return result


def _action(data: Any) -> dict[str, Any]:
    """One action, checked by its type."""
    if not isinstance(data, dict):
        raise probatio.Invalid("an action is an object")
    return _by_type(data, "action", _ACTION_SCHEMAS)


def _schedule(data: Any) -> dict[str, Any] | None:
    """A schedule, checked by its type; None means the rule runs on its conditions."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise probatio.Invalid("a schedule is an object")
    schemas: dict[str, probatio.Schema] = {
        # `at`: an ISO 8601 date and time with an offset.
        SCHEDULE_ONCE: probatio.Schema(
            {probatio.Required("type"): SCHEDULE_ONCE, probatio.Required("at"): _datetime}
        ),
        SCHEDULE_DAILY: probatio.Schema(
            {probatio.Required("type"): SCHEDULE_DAILY, probatio.Required("time"): clock_time}
        ),
        SCHEDULE_WEEKLY: probatio.Schema(
            {
                probatio.Required("type"): SCHEDULE_WEEKLY,
                probatio.Required("time"): clock_time,
                probatio.Required("days"): probatio.All(
                    [probatio.All(str, probatio.Lower, probatio.In(WEEKDAYS))],
                    probatio.Length(min=1, max=7),
                    lambda days: [day for day in WEEKDAYS if day in days],
                ),
            }
        ),
        # Every `minutes`, counted from `start` (default: when the rule was saved).
        SCHEDULE_INTERVAL: probatio.Schema(
            {
                probatio.Required("type"): SCHEDULE_INTERVAL,
                probatio.Required("minutes"): probatio.All(
                    probatio.Coerce(int), probatio.Range(min=1, max=10_080)
                ),
                probatio.Optional("start"): _datetime,
            }
        ),
    }
    return _by_type(data, "schedule", schemas)


def _datetime(value: Any) -> str:
    """An ISO 8601 date and time with its UTC offset, as given."""
    if not isinstance(value, str):
        raise probatio.Invalid("a date and time is an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise probatio.Invalid(f"not an ISO 8601 date and time: {value}") from err
    if parsed.tzinfo is None:
        raise probatio.Invalid("the date and time needs its UTC offset (e.g. +09:00)")
    try:
        # Timers work in UTC: a moment that has none (year 9999 at -12:00) is no moment.
        parsed.astimezone(UTC)
    except OverflowError as err:
        raise probatio.Invalid(f"out of range: {value}") from err
    return parsed.isoformat()


CONDITION_SCHEMA: Final = _condition
CONDITIONS_SCHEMA: Final = probatio.All([_condition], probatio.Length(max=MAX_CONDITIONS))

# What a person or the parser gives: everything but the bookkeeping.
RULE_FIELD_NAMES: Final = ("name", "description", "enabled", "conditions", "actions", "schedule")
RULE_FIELDS: Final = {
    probatio.Required("name"): probatio.All(str, probatio.Strip, probatio.Length(min=1, max=200)),
    probatio.Optional("description", default=""): probatio.All(str, probatio.Length(max=2000)),
    probatio.Optional("enabled", default=True): bool,
    probatio.Optional("conditions", default=list): CONDITIONS_SCHEMA,
    probatio.Required("actions"): probatio.All([_action], probatio.Length(min=1, max=MAX_ACTIONS)),
    probatio.Optional("schedule", default=None): _schedule,
}


def _runs_somehow(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule without a schedule runs when its conditions become true: it needs some."""
    if rule.get("schedule") is None and not rule.get("conditions"):
        raise probatio.Invalid("a rule needs a schedule or at least one condition")
    return rule


RULE_INPUT_SCHEMA: Final = probatio.All(probatio.Schema(RULE_FIELDS), _runs_somehow)
# A workflow from the parser may carry its extras; saving drops them.
WORKFLOW_SCHEMA: Final = probatio.All(
    probatio.Schema(
        {
            **RULE_FIELDS,
            probatio.Optional("confidence"): probatio.All(
                probatio.Coerce(float), probatio.Range(min=0, max=1)
            ),
            probatio.Optional("suggestions"): [str],
            probatio.Optional("source"): probatio.In(["model", "pattern"]),
            probatio.Optional("language"): probatio.In(["ja", "en"]),
        }
    ),
    _runs_somehow,
)
WORKFLOW_EXTRAS: Final = ("confidence", "suggestions", "source", "language")
