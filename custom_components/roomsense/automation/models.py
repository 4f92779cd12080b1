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
from datetime import UTC, datetime
from typing import Any, Final

import voluptuous as vol

# --- conditions ---------------------------------------------------------------------------

CONDITION_TIME: Final = "time"
CONDITION_TEMPERATURE: Final = "temperature"
CONDITION_HUMIDITY: Final = "humidity"
CONDITION_DEVICE_STATE: Final = "device_state"
CONDITION_TYPES: Final = (
    CONDITION_TIME,
    CONDITION_TEMPERATURE,
    CONDITION_HUMIDITY,
    CONDITION_DEVICE_STATE,
)

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
        raise vol.Invalid("a time of day is a string HH:MM")
    text = value.strip()
    if re.fullmatch(r"\d:[0-5]\d", text):
        text = f"0{text}"
    if not _TIME_PATTERN.match(text):
        raise vol.Invalid(f"not a time of day (HH:MM): {value}")
    return text


_NUMBER = vol.All(vol.Coerce(float), vol.Range(min=-1000, max=1000))
_ID = vol.All(str, vol.Strip, vol.Length(min=1, max=128))
_ENTITY_ID = vol.All(str, vol.Match(r"^[a-z0-9_]+\.[a-z0-9_]+$", msg="not an entity id"))


def _pair(item: vol.Schema | Any) -> Any:
    return vol.All(vol.ExactSequence([item, item]))


def _condition(data: Any) -> dict[str, Any]:
    """One condition, checked by its type."""
    if not isinstance(data, dict):
        raise vol.Invalid("a condition is an object")
    kind = data.get("type")
    schema: Any
    if kind == CONDITION_TIME:
        operator = data.get("operator")
        value_schema: Any = _pair(clock_time) if operator == "between" else clock_time
        schema = vol.Schema(
            {
                vol.Required("type"): CONDITION_TIME,
                vol.Required("operator"): vol.In(TIME_OPERATORS),
                vol.Required("value"): value_schema,
                vol.Optional("tolerance", default=DEFAULT_TIME_TOLERANCE): vol.All(
                    vol.Coerce(float), vol.Range(min=0, max=720)
                ),
            }
        )
    elif kind in (CONDITION_TEMPERATURE, CONDITION_HUMIDITY):
        operator = data.get("operator")
        default_tolerance = (
            DEFAULT_TEMPERATURE_TOLERANCE
            if kind == CONDITION_TEMPERATURE
            else DEFAULT_HUMIDITY_TOLERANCE
        )
        schema = vol.Schema(
            {
                vol.Required("type"): kind,
                vol.Required("operator"): vol.In(NUMBER_OPERATORS),
                vol.Required("value"): _pair(_NUMBER) if operator == "between" else _NUMBER,
                # The source: a sensor entity, or a RoomSense device (its reading), or
                # neither (the mean of every RoomSense sensor of that kind).
                vol.Optional("entity_id"): _ENTITY_ID,
                vol.Optional("device_id"): _ID,
                vol.Optional("tolerance", default=default_tolerance): vol.All(
                    vol.Coerce(float), vol.Range(min=0, max=100)
                ),
            }
        )
    elif kind == CONDITION_DEVICE_STATE:
        schema = vol.All(
            vol.Schema(
                {
                    vol.Required("type"): CONDITION_DEVICE_STATE,
                    vol.Optional("operator", default="equals"): vol.In(STATE_OPERATORS),
                    vol.Required("value"): vol.All(vol.Coerce(str), vol.Length(min=1, max=255)),
                    vol.Optional("entity_id"): _ENTITY_ID,
                    vol.Optional("device_id"): _ID,
                    # Compare an attribute instead of the state.
                    vol.Optional("attribute"): vol.All(str, vol.Length(min=1, max=64)),
                }
            ),
            vol.Any(
                vol.Schema({vol.Required("entity_id"): object}, extra=vol.ALLOW_EXTRA),
                vol.Schema({vol.Required("device_id"): object}, extra=vol.ALLOW_EXTRA),
                msg="a device_state condition needs an entity_id or a device_id",
            ),
        )
    else:
        raise vol.Invalid(f"unknown condition type {kind!r}; one of {', '.join(CONDITION_TYPES)}")
    result: dict[str, Any] = schema(data)
    return result


_DELAY = vol.All(vol.Coerce(float), vol.Range(min=0, max=MAX_ACTION_DELAY))
_SERVICE_NAME = vol.All(str, vol.Match(r"^[a-z0-9_]+\.[a-z0-9_]+$", msg="domain.service"))

_ACTION_SCHEMAS: Final[dict[str, vol.Schema]] = {
    ACTION_DEVICE_COMMAND: vol.Schema(
        {
            vol.Required("type"): ACTION_DEVICE_COMMAND,
            vol.Required("device_id"): _ID,
            vol.Required("command"): vol.All(str, vol.Length(min=1, max=64)),
            vol.Optional("parameter", default="default"): vol.Any(dict, vol.Coerce(str)),
            vol.Optional("command_type", default="command"): vol.In(["command", "customize"]),
            vol.Optional("delay", default=0): _DELAY,
        }
    ),
    ACTION_SCENE: vol.Schema(
        {
            vol.Required("type"): ACTION_SCENE,
            vol.Required("scene_id"): _ID,
            vol.Optional("delay", default=0): _DELAY,
        }
    ),
    ACTION_NOTIFICATION: vol.Schema(
        {
            vol.Required("type"): ACTION_NOTIFICATION,
            vol.Required("message"): vol.All(str, vol.Length(min=1, max=1000)),
            vol.Optional("title"): vol.All(str, vol.Length(max=200)),
            # A notify service (notify.mobile_app_phone); without one, a persistent notification.
            vol.Optional("service"): _SERVICE_NAME,
            vol.Optional("delay", default=0): _DELAY,
        }
    ),
    ACTION_SERVICE: vol.Schema(
        {
            vol.Required("type"): ACTION_SERVICE,
            vol.Required("service"): _SERVICE_NAME,
            vol.Optional("data", default=dict): dict,
            vol.Optional("target", default=dict): dict,
            vol.Optional("delay", default=0): _DELAY,
        }
    ),
}


def _action(data: Any) -> dict[str, Any]:
    """One action, checked by its type."""
    if not isinstance(data, dict):
        raise vol.Invalid("an action is an object")
    kind = data.get("type")
    schema = _ACTION_SCHEMAS.get(kind) if isinstance(kind, str) else None
    if schema is None:
        raise vol.Invalid(
            f"unknown action type {data.get('type')!r}; one of {', '.join(ACTION_TYPES)}"
        )
    result: dict[str, Any] = schema(data)
    return result


def _schedule(data: Any) -> dict[str, Any] | None:
    """A schedule, checked by its type; None means the rule runs on its conditions."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise vol.Invalid("a schedule is an object")
    kind = data.get("type")
    schemas: dict[str, vol.Schema] = {
        # `at`: an ISO 8601 date and time with an offset.
        SCHEDULE_ONCE: vol.Schema(
            {vol.Required("type"): SCHEDULE_ONCE, vol.Required("at"): _datetime}
        ),
        SCHEDULE_DAILY: vol.Schema(
            {vol.Required("type"): SCHEDULE_DAILY, vol.Required("time"): clock_time}
        ),
        SCHEDULE_WEEKLY: vol.Schema(
            {
                vol.Required("type"): SCHEDULE_WEEKLY,
                vol.Required("time"): clock_time,
                vol.Required("days"): vol.All(
                    [vol.All(str, vol.Lower, vol.In(WEEKDAYS))],
                    vol.Length(min=1, max=7),
                    lambda days: [day for day in WEEKDAYS if day in days],
                ),
            }
        ),
        # Every `minutes`, counted from `start` (default: when the rule was saved).
        SCHEDULE_INTERVAL: vol.Schema(
            {
                vol.Required("type"): SCHEDULE_INTERVAL,
                vol.Required("minutes"): vol.All(vol.Coerce(int), vol.Range(min=1, max=10_080)),
                vol.Optional("start"): _datetime,
            }
        ),
    }
    schema = schemas.get(kind) if isinstance(kind, str) else None
    if schema is None:
        raise vol.Invalid(f"unknown schedule type {kind!r}; one of {', '.join(SCHEDULE_TYPES)}")
    result: dict[str, Any] = schema(data)
    return result


def _datetime(value: Any) -> str:
    """An ISO 8601 date and time with its UTC offset, as given."""
    if not isinstance(value, str):
        raise vol.Invalid("a date and time is an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise vol.Invalid(f"not an ISO 8601 date and time: {value}") from err
    if parsed.tzinfo is None:
        raise vol.Invalid("the date and time needs its UTC offset (e.g. +09:00)")
    try:
        # Timers work in UTC: a moment that has none (year 9999 at -12:00) is no moment.
        parsed.astimezone(UTC)
    except OverflowError as err:
        raise vol.Invalid(f"out of range: {value}") from err
    return parsed.isoformat()


CONDITION_SCHEMA: Final = _condition
CONDITIONS_SCHEMA: Final = vol.All([_condition], vol.Length(max=MAX_CONDITIONS))

# What a person or the parser gives: everything but the bookkeeping.
RULE_FIELD_NAMES: Final = ("name", "description", "enabled", "conditions", "actions", "schedule")
RULE_FIELDS: Final = {
    vol.Required("name"): vol.All(str, vol.Strip, vol.Length(min=1, max=200)),
    vol.Optional("description", default=""): vol.All(str, vol.Length(max=2000)),
    vol.Optional("enabled", default=True): bool,
    vol.Optional("conditions", default=list): CONDITIONS_SCHEMA,
    vol.Required("actions"): vol.All([_action], vol.Length(min=1, max=MAX_ACTIONS)),
    vol.Optional("schedule", default=None): _schedule,
}


def _runs_somehow(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule without a schedule runs when its conditions become true: it needs some."""
    if rule.get("schedule") is None and not rule.get("conditions"):
        raise vol.Invalid("a rule needs a schedule or at least one condition")
    return rule


RULE_INPUT_SCHEMA: Final = vol.All(vol.Schema(RULE_FIELDS), _runs_somehow)
# A workflow from the parser may carry its extras; saving drops them.
WORKFLOW_SCHEMA: Final = vol.All(
    vol.Schema(
        {
            **RULE_FIELDS,
            vol.Optional("confidence"): vol.All(vol.Coerce(float), vol.Range(min=0, max=1)),
            vol.Optional("suggestions"): [str],
            vol.Optional("source"): vol.In(["model", "pattern"]),
            vol.Optional("language"): vol.In(["ja", "en"]),
        }
    ),
    _runs_somehow,
)
WORKFLOW_EXTRAS: Final = ("confidence", "suggestions", "source", "language")
