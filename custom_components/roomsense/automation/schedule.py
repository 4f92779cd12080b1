"""When a schedule's next slot is: pure date arithmetic in the home's time zone.

A slot is the moment a scheduled rule is due. Slots are computed from the schedule alone
(never from when the last run happened to finish), so a slot has one identity, its time,
which the scheduler records to run every slot at most once, restarts included.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from .models import (
    SCHEDULE_DAILY,
    SCHEDULE_INTERVAL,
    SCHEDULE_ONCE,
    WEEKDAYS,
)


def _at(day: date, clock: str, like: datetime) -> datetime:
    """`clock` on `day` in the time zone of `like` (its offset as on that day)."""
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=like.tzinfo)


def next_slot(schedule: dict[str, Any], after: datetime, anchor: datetime) -> datetime | None:
    """The first slot strictly after `after`; None when there is none (a past `once`).

    `after` is timezone-aware local time; `anchor` is where interval slots count from
    when the schedule names no `start` (the rule's creation).
    """
    kind = schedule["type"]
    if kind == SCHEDULE_ONCE:
        moment = datetime.fromisoformat(schedule["at"])
        return moment if moment > after else None
    if kind == SCHEDULE_INTERVAL:
        start = datetime.fromisoformat(schedule["start"]) if schedule.get("start") else anchor
        step = timedelta(minutes=int(schedule["minutes"]))
        if start > after:
            return start
        # Whole steps from the start, so slots stay on their grid after any downtime.
        steps = (after - start) // step + 1
        return start + steps * step
    days = set(WEEKDAYS) if kind == SCHEDULE_DAILY else set(schedule["days"])
    for offset in range(8):
        day = after.date() + timedelta(days=offset)
        if WEEKDAYS[day.weekday()] not in days:
            continue
        moment = _at(day, schedule["time"], after)
        if moment > after:
            return moment
    return None
