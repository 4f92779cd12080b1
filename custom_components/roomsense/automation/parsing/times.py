"""When a sentence says a rule runs: one reader for every language, over its `TimeTable`.

The reader goes through the kinds of phrase in a fixed order (relative times, intervals,
windows, dates, days, clocks, periods) and takes each phrase out of the masked text, so a
later kind never reads what an earlier one understood ("7時から" is a window, not a clock).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from ...home_model import Language
from .defaults import DAY_WINDOW, NIGHT_WINDOW, WEEKDAY_SET, WEEKEND_SET, Period
from .text import Masked, english_number
from .time_tables import TIME_TABLES, Half, TimeTable


@dataclass(slots=True)
class Clock:
    """A time of day as said: the hour may still need its period ("7" in "夜7時")."""

    hour: int
    minute: int
    # "am" / "pm" when the sentence says which half of the day.
    half: Half | None = None
    period: Period | None = None
    phrase: str = ""


@dataclass(slots=True)
class TimeFacts:
    """Everything about *when* a sentence says, before it becomes a schedule or a condition."""

    clocks: list[Clock] = field(default_factory=list)
    periods: list[tuple[Period, bool, str]] = field(default_factory=list)  # (period, every, text)
    days: set[str] = field(default_factory=set)
    daily: bool = False
    date_offset: int | None = None
    relative_minutes: int | None = None
    interval_minutes: int | None = None
    # Explicit time conditions ("夜の間", "between 22:00 and 6:00", "after 23:00").
    windows: list[dict[str, Any]] = field(default_factory=list)
    phrases: list[tuple[int, str]] = field(default_factory=list)  # (start, text) for names

    def note(self, start: int, phrase: str) -> None:
        """Remember a phrase (for the rule's name) at its place in the sentence."""
        self.phrases.append((start, phrase))


def clock_text(hour: int, minute: int) -> str:
    """`HH:MM`."""
    return f"{hour:02d}:{minute:02d}"


def resolve_hour(clock: Clock, context: Period | None = None) -> tuple[int, int] | None:
    """The 24 h time of a clock, with its own period or the sentence's; None if impossible."""
    hour, minute = clock.hour, clock.minute
    if minute > 59 or hour > 24:
        return None
    if clock.half is not None:
        if hour > 12:
            return None
        hour = hour % 12 + (12 if clock.half == "pm" else 0)
        return hour, minute
    period = clock.period or context
    if hour == 24 or (period in ("morning", "midnight") and hour == 12):
        hour = 0
    elif (period in ("evening", "bedtime") and hour < 12) or (period == "noon" and 1 <= hour <= 6):
        hour += 12
    elif period == "night":
        if 5 <= hour < 12:
            hour += 12
        elif hour == 12:
            hour = 0
    return (hour, minute) if hour < 24 else None


def _group(match: re.Match[str], name: str) -> str | None:
    """A named group's text; None when it did not match or the pattern has no such group."""
    return match.group(name) if name in match.re.groupindex else None


def clock_from(match: re.Match[str], suffix: str, table: TimeTable) -> Clock | None:
    """A Clock from the named groups of one clock in a pattern (`h`, `m`, … + suffix)."""
    hour_text = _group(match, f"h{suffix}") or _group(match, f"hh{suffix}")
    if hour_text is None:
        return None
    minute_text = _group(match, f"m{suffix}") or _group(match, f"mm{suffix}")
    minute = 30 if _group(match, f"half{suffix}") else int(minute_text or 0)
    clock = Clock(english_number(hour_text), minute, phrase=match.group())
    # Japanese says the half or period before the hour (午後7時, 夜7時), English am / pm after.
    marker = (_group(match, f"p{suffix}") or _group(match, f"ap{suffix}") or "").replace(".", "")
    if marker in table.half_words:
        clock.half = table.half_words[marker]
    elif marker in table.period_words:
        clock.period = table.period_words[marker]
    return clock


def find_times(masked: Masked, language: Language) -> TimeFacts:
    """Every phrase about when: relative times, intervals, windows, dates, days, clocks."""
    table = TIME_TABLES[language]
    facts = TimeFacts()
    for read in _READERS:
        read(masked, facts, table)
    return facts


def _take(
    masked: Masked, facts: TimeFacts, match: re.Match[str], tail: re.Pattern[str] | None = None
) -> None:
    """Take a phrase (and what `tail` matches after it) out of the text; note it for the name."""
    end = match.end()
    if tail is not None:
        follows = tail.match(masked.text, end)
        end = follows.end() if follows else end
    facts.note(match.start(), masked.take(match.start(), end))


def _minutes(match: re.Match[str], fixed: dict[str, int], hour_units: frozenset[str]) -> int:
    """The minutes of "10 minutes", "1時間半", "half an hour" (a fixed amount's group)."""
    for name, minutes in fixed.items():
        if _group(match, name):
            return minutes
    per_unit = 60 if match.group("unit") in hour_units else 1
    minutes = english_number(match.group("n")) * per_unit
    if per_unit == 60 and _group(match, "extra"):
        minutes += 30
    return minutes


def _relative(masked: Masked, facts: TimeFacts, table: TimeTable) -> None:
    for match in masked.finditer(table.relative):
        facts.relative_minutes = _minutes(match, table.relative_fixed, table.hour_units)
        _take(masked, facts, match)


def _interval(masked: Masked, facts: TimeFacts, table: TimeTable) -> None:
    for match in masked.finditer(table.interval):
        facts.interval_minutes = _minutes(match, table.interval_fixed, table.hour_units)
        _take(masked, facts, match)


def _window(operator: str, value: str | list[str]) -> dict[str, Any]:
    return {"type": "time", "operator": operator, "value": value}


def _range(masked: Masked, facts: TimeFacts, table: TimeTable) -> None:
    for match in masked.finditer(table.range):
        opening, closing = clock_from(match, "a", table), clock_from(match, "b", table)
        if opening is None or closing is None:
            continue
        if (
            table.evening_before_morning_end
            and opening.half is None
            and closing.half == "am"
            and opening.hour <= 12
        ):
            opening.half = "pm"
        if _group(match, "night") and closing.half is None:
            opening.period, closing.period = "night", "morning"
        first = resolve_hour(opening)
        # "夜10時から6時まで": the second clock is in the first one's period.
        second = resolve_hour(closing, opening.period)
        if first is None or second is None:
            continue
        facts.windows.append(_window("between", [clock_text(*first), clock_text(*second)]))
        _take(masked, facts, match)


def _after_before(masked: Masked, facts: TimeFacts, table: TimeTable) -> None:
    for match in masked.finditer(table.after_before):
        clock = clock_from(match, "a", table)
        resolved = resolve_hour(clock) if clock is not None else None
        if resolved is None:
            continue
        side = "before" if match.group("side") in table.before_words else "after"
        facts.windows.append(_window(side, clock_text(*resolved)))
        _take(masked, facts, match)


def _named_windows(masked: Masked, facts: TimeFacts, table: TimeTable) -> None:
    for match in masked.finditer(table.named_windows):
        window = NIGHT_WINDOW if match.group("night") else DAY_WINDOW
        facts.windows.append(_window("between", list(window)))
        _take(masked, facts, match, table.named_window_tail)


def _dates(masked: Masked, facts: TimeFacts, table: TimeTable) -> None:
    for match in masked.finditer(table.date):
        word = match.group("word")
        facts.date_offset = table.date_offsets.get(word, 0)
        if word in table.date_periods:
            facts.periods.append((table.date_periods[word], False, word))
        _take(masked, facts, match)


def _days(masked: Masked, facts: TimeFacts, table: TimeTable) -> None:
    for match in masked.finditer(table.days):
        if match.group("daily"):
            facts.daily = True
        elif match.group("weekdays"):
            facts.days.update(WEEKDAY_SET)
        elif match.group("weekend"):
            facts.days.update(WEEKEND_SET)
        else:
            for word in table.day_word.findall(match.group("list")):
                facts.days.add(table.day_names[word])
        _take(masked, facts, match, table.days_tail)


def _clocks(masked: Masked, facts: TimeFacts, table: TimeTable) -> None:
    for match in masked.finditer(table.clock_alone):
        clock = _clock_alone(match, table)
        if clock is None:
            continue
        if _group(match, "p") in table.daily_period_words:
            facts.daily = True
        facts.clocks.append(clock)
        _take(masked, facts, match)


def _clock_alone(match: re.Match[str], table: TimeTable) -> Clock | None:
    """A clock on its own, or "half past 7"; in English not a bare number (see `_says_time`)."""
    if _group(match, "rel"):
        clock = _quarter_clock(match)
    else:
        parsed = clock_from(match, "", table)
        if parsed is None or not _says_time(match, table):
            return None
        clock = parsed
    part = _group(match, "part")
    if part and clock.half is None:
        clock.period = table.part_of_day[part]
    clock.phrase = match.group()
    return clock


def _quarter_clock(match: re.Match[str]) -> Clock:
    """A clock said as "half past 7" or "quarter to 8"."""
    hour = english_number(match.group("rh"))
    if match.group("dir") == "past":
        return Clock(hour, 30 if match.group("rel") == "half" else 15)
    return Clock((hour - 1) % 12 or 12, 45 if match.group("rel") == "quarter" else 30)


def _says_time(match: re.Match[str], table: TimeTable) -> bool:
    """Whether a number is a time: said with "at", a colon, am / pm or a part of the day."""
    if not table.needs_marker:
        return True
    lead = _group(match, "at")
    if not (lead or _group(match, "m") or _group(match, "ap") or _group(match, "part")):
        return False
    exact = _group(match, "m") or _group(match, "ap")
    # "up by two" is a step, not two o'clock; "heat at 21" is a set point.
    if lead == "by" and not exact:
        return False
    if exact or table.set_point_before is None:
        return True
    return not table.set_point_before.search(match.string[: match.start()])


def _periods(masked: Masked, facts: TimeFacts, table: TimeTable) -> None:
    for match in masked.finditer(table.period_alone):
        word = _group(match, "p") or match.group("p2")
        every = bool(_group(match, "every")) or word.startswith(table.every_prefixes)
        phrase = match.group(table.period_phrase_group)
        facts.periods.append((table.period_words[word], every, phrase))
        _take(masked, facts, match)


# In this order: a later reader never sees what an earlier one took.
_READERS: Final = (
    _relative,
    _interval,
    _range,
    _after_before,
    _named_windows,
    _dates,
    _days,
    _clocks,
    _periods,
)
