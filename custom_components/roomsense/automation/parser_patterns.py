"""The phrases the workflow parser recognises, in Japanese and English.

Kept for the names it has always offered; the code lives in the `parsing` package: `text`
(normalising and masking), `times` over `time_tables`, `conditions` over `condition_tables`
with `home_index`, and `requests` (notifications and request pieces).
"""

from __future__ import annotations

from .parsing.condition_tables import CONDITION_WORDS, AbstractState
from .parsing.conditions import (
    ConditionFinding,
    ConditionReader,
    condition_clauses,
    state_value,
)
from .parsing.defaults import (
    COLD_BELOW,
    DAY_WINDOW,
    DEFAULT_TIME,
    DRY_BELOW,
    HOT_ABOVE,
    HUMID_ABOVE,
    MAX_INTERVAL_MINUTES,
    NIGHT_WINDOW,
    PERIOD_TIMES,
    PERIOD_WINDOWS,
    WEEKDAY_SET,
    WEEKEND_SET,
    Period,
)
from .parsing.home_index import MEASURING_TYPES, HomeIndex, Mention
from .parsing.requests import Notification, action_pieces, find_notifications
from .parsing.text import (
    MASK,
    Masked,
    contains_any,
    content_size,
    english_number,
    prepare,
    without_spans,
)
from .parsing.times import Clock, TimeFacts, clock_text, find_times, resolve_hour

__all__ = [
    "COLD_BELOW",
    "CONDITION_WORDS",
    "DAY_WINDOW",
    "DEFAULT_TIME",
    "DRY_BELOW",
    "HOT_ABOVE",
    "HUMID_ABOVE",
    "MASK",
    "MAX_INTERVAL_MINUTES",
    "MEASURING_TYPES",
    "NIGHT_WINDOW",
    "PERIOD_TIMES",
    "PERIOD_WINDOWS",
    "WEEKDAY_SET",
    "WEEKEND_SET",
    "AbstractState",
    "Clock",
    "ConditionFinding",
    "ConditionReader",
    "HomeIndex",
    "Masked",
    "Mention",
    "Notification",
    "Period",
    "TimeFacts",
    "action_pieces",
    "clock_text",
    "condition_clauses",
    "contains_any",
    "content_size",
    "english_number",
    "find_notifications",
    "find_times",
    "prepare",
    "resolve_hour",
    "state_value",
    "without_spans",
]
