"""A rule's schedule (and time-window conditions) from everything a sentence says about when."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as dt_time
from typing import Any

from ..models import WEEKDAYS
from .defaults import DEFAULT_TIME, MAX_INTERVAL_MINUTES, PERIOD_TIMES, PERIOD_WINDOWS
from .results import Reading
from .times import TimeFacts, clock_text, resolve_hour

type _Clock = tuple[int, int]


class _NoScheduleError(Exception):
    """The sentence says when, but no rule can run that way; the reading says why."""


def build_schedule(times: TimeFacts, reading: Reading, now: datetime) -> None:
    """Set `reading.schedule`, or note why the sentence's times make none."""
    # Time windows first: they read as the rule's frame ("at night, when the door …").
    reading.conditions[:0] = times.windows
    try:
        chosen = _time_of_day(times, reading)
        if times.relative_minutes is not None and times.interval_minutes is not None:
            raise _two_times(reading)
        reading.schedule = _schedule(times, reading, chosen, now)
    except _NoScheduleError:
        return


def _two_times(reading: Reading) -> _NoScheduleError:
    """Note that the sentence says two different times; the exception to raise."""
    reading.schedule_conflict = True
    return _NoScheduleError()


def _time_of_day(times: TimeFacts, reading: Reading) -> _Clock | None:
    """The one time of day the sentence says, from its clocks or else its periods."""
    context = times.periods[0][0] if times.periods else None
    clocks: set[_Clock] = set()
    for clock in times.clocks:
        resolved = resolve_hour(clock, context)
        if resolved is None:
            # "25時", "13 pm": better no rule than one at a time nobody said.
            reading.problems.append("bad_time:" + clock.phrase.strip(" 、,に"))
            raise _NoScheduleError
        clocks.add(resolved)
    if len(clocks) > 1:
        raise _two_times(reading)
    if clocks:
        return next(iter(clocks))
    return _period_time(times, reading) if times.periods else None


def _period_time(times: TimeFacts, reading: Reading) -> _Clock | None:
    """A period's time ("every morning": 07:00), or beside a condition the window it means."""
    periods = {period for period, _every, _text in times.periods}
    if "bedtime" in periods:
        periods = {"bedtime"}
    if len(periods) > 1:
        raise _two_times(reading)
    period = next(iter(periods))
    every = any(every for _period, every, _text in times.periods)
    anchored = every or times.days or times.daily or times.date_offset is not None
    has_condition = any(condition["type"] != "time" for condition in reading.conditions)
    if has_condition and not anchored and period in PERIOD_WINDOWS:
        # "夜に玄関のドアが開いたら": while it is night, not once at 21:00.
        start, end = PERIOD_WINDOWS[period]
        window = {"type": "time", "operator": "between", "value": [start, end]}
        reading.conditions.insert(0, window)
        return None
    return PERIOD_TIMES[period]


def _schedule(
    times: TimeFacts, reading: Reading, chosen: _Clock | None, now: datetime
) -> dict[str, Any] | None:
    """Once after a while, every so often, once on a date, or at a time of day."""
    if times.relative_minutes is not None:
        moment = (now + timedelta(minutes=times.relative_minutes)).replace(microsecond=0)
        return {"type": "once", "at": moment.isoformat()}
    if times.interval_minutes is not None:
        if not 1 <= times.interval_minutes <= MAX_INTERVAL_MINUTES:
            reading.problems.append(f"bad_interval:{times.interval_minutes}")
            return None
        return {"type": "interval", "minutes": times.interval_minutes}
    if times.date_offset is not None:
        return _once_on_date(times.date_offset, chosen or _default_time(reading), reading, now)
    if chosen is None and (times.days or times.daily):
        chosen = _default_time(reading)
    if chosen is None:
        return None
    return _daily_or_weekly(times, clock_text(*chosen))


def _default_time(reading: Reading) -> _Clock:
    """A day said without a time runs at 07:00 (and the user is told)."""
    reading.default_time = True
    return DEFAULT_TIME


def _once_on_date(
    offset: int, chosen: _Clock, reading: Reading, now: datetime
) -> dict[str, Any] | None:
    day: date = now.date() + timedelta(days=offset)
    moment = datetime.combine(day, dt_time(*chosen), tzinfo=now.tzinfo)
    if moment <= now:
        # "today at 6" said at 8: a rule that can never run is no rule.
        reading.problems.append(f"past:{moment:%H:%M}")
        return None
    return {"type": "once", "at": moment.isoformat()}


def _daily_or_weekly(times: TimeFacts, at: str) -> dict[str, Any]:
    days = set(times.days)
    if not days or times.daily or days == set(WEEKDAYS):
        return {"type": "daily", "time": at}
    return {
        "type": "weekly",
        "time": at,
        "days": [day_name for day_name in WEEKDAYS if day_name in days],
    }
