"""What every detector shares: the records as sorted rows, and how patterns are scored."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from .const import RECENCY_HALF_LIFE_DAYS, SIGNIFICANCE, WEEKDAY_NAMES
from .records import OperationRecord, Parameters, _parameters_key


class _Row(NamedTuple):
    """One record reduced to what detection needs; rows are kept sorted by `ts`."""

    ts: float
    op: int
    minute: int  # local minute of the day
    day: int  # local date ordinal


class _Operations:
    """Operations (device + command + parameters) numbered in the order first seen."""

    def __init__(self) -> None:
        self.index: dict[tuple[str, str, str], int] = {}
        self.keys: list[tuple[str, str, str]] = []
        self.parameters: list[Parameters] = []
        self.device: list[int] = []
        self._devices: dict[str, int] = {}

    def number(self, device_id: str, command: str, parameters: Parameters) -> int:
        key = (device_id, command, _parameters_key(parameters))
        op = self.index.get(key)
        if op is None:
            op = self.index[key] = len(self.keys)
            self.keys.append(key)
            self.parameters.append(parameters)
            self.device.append(self._devices.setdefault(device_id, len(self._devices)))
        return op

    def describe(self, op: int) -> dict[str, Any]:
        device_id, command, _ = self.keys[op]
        return {"device_id": device_id, "command": command, "parameters": self.parameters[op]}


def _rows(
    records: Iterable[OperationRecord],
    operations: _Operations,
    *,
    now: datetime,
    time_zone: tzinfo | None,
    window: timedelta | None,
) -> list[_Row]:
    """The records in the window as rows sorted by time: the one sort of the whole run."""
    now_ts = now.timestamp()
    start_ts = (now - window).timestamp() if window is not None else -math.inf
    number = operations.number
    rows: list[_Row] = []
    append = rows.append
    for record in records:
        moment = record.timestamp
        ts = moment.timestamp()
        if ts < start_ts or ts > now_ts:
            continue
        local = moment.astimezone(time_zone) if time_zone is not None else moment
        op = number(record.device_id, record.command, record.parameters)
        append(_Row(ts, op, local.hour * 60 + local.minute, local.toordinal()))
    rows.sort(key=lambda row: row.ts)
    return rows


@dataclass(slots=True)
class _Detection:
    """What every detector shares: the rows, their operations and the clock."""

    operations: _Operations
    rows: list[_Row]
    now: datetime
    time_zone: tzinfo | None
    tolerance: int  # minutes either side of a time of day
    by_op: list[list[_Row]] = field(init=False)
    first_day: int = field(init=False)
    last_day: int = field(init=False)

    def __post_init__(self) -> None:
        self.by_op = [[] for _ in self.operations.keys]
        for row in self.rows:
            self.by_op[row.op].append(row)
        self.first_day = min(row.day for row in self.rows)
        self.last_day = max(row.day for row in self.rows)

    @property
    def span_days(self) -> int:
        """Calendar days the data covers, first to last (at least one)."""
        return self.last_day - self.first_day + 1

    def moment(self, ts: float) -> datetime:
        """A row's time as an aware datetime in the home's zone (UTC without one)."""
        return datetime.fromtimestamp(ts, self.time_zone or UTC)

    def age_days(self, ts: float) -> float:
        """Days from `ts` to now."""
        return max(0.0, (self.now.timestamp() - ts) / 86_400)

    def eligible_days(self, weekdays: set[int]) -> int:
        """Days in the data's span that fall on one of `weekdays`."""
        full_weeks, rest = divmod(self.span_days, 7)
        first_weekday = date.fromordinal(self.first_day).weekday()
        extra = sum(1 for offset in range(rest) if (first_weekday + offset) % 7 in weekdays)
        return full_weeks * len(weekdays) + extra

    def weekday_coverage(self, days: set[int]) -> float:
        """The share of the days on `days`' weekdays that are in `days`.

        A weekday routine is not penalised for weekends.
        """
        return len(days) / max(len(days), self.eligible_days(_weekdays(days)))


def _confidence(repetitions: int, threshold: int, regularity: float, age_days: float) -> float:
    """How much to trust a pattern, 0..1: repetition x (0.7 regularity + 0.3 recency).

    - repetition: 1 - 0.5^(repetitions/threshold): the bare minimum of repetitions scores
      0.5, twice it 0.75, three times 0.875; it scales the rest, so a pattern seen only a
      few times never scores high;
    - regularity, per kind (0..1): how reliably it happens when it could (the share of its
      possible days it happened on, above chance for a time of day);
    - recency: halves for every 14 days since it was last seen.

    Without regularity a pattern scores at most 0.3, under the candidates' 0.5 threshold:
    repetition alone (something done all day long) makes no routine.
    """
    repetition: float = 1.0 - 0.5 ** (repetitions / threshold)
    recency: float = 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)
    regularity = min(1.0, max(0.0, regularity))
    return round(repetition * (0.7 * regularity + 0.3 * recency), 3)


def _beyond_chance(observed: int, expected: float, looks: int) -> bool:
    """Whether a count is too high to be chance among `looks` counts like it."""
    return _poisson_tail(observed, expected) * max(1, looks) < SIGNIFICANCE


def _poisson_tail(count: int, mean: float) -> float:
    """P(X >= count) for X ~ Poisson(mean), summed from `count` up (no 1 - tiny cancelling)."""
    if count <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if count <= mean:
        return 1.0  # at or below the mean: nothing unusual, whatever the exact tail
    term = math.exp(-mean + count * math.log(mean) - math.lgamma(count + 1))
    total = 0.0
    step = count
    while term > total * 1e-9 and step < count + 10_000:
        total += term
        step += 1
        term *= mean / step
    return min(1.0, total)


def _pattern_id(kind: str, operations: Sequence[dict[str, Any]], slot: str = "") -> str:
    """Stable across runs: the kind, the operations and (time_based) the part of the day."""
    described = [
        [
            operation["device_id"],
            operation["command"],
            _parameters_key(operation["parameters"]),
        ]
        for operation in operations
    ]
    text = json.dumps([kind, described, slot], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _weekdays(days: Iterable[int]) -> set[int]:
    """The weekdays (Monday 0) of date ordinals."""
    return {date.fromordinal(day).weekday() for day in days}


def _weekday_names(days: Iterable[int]) -> list[str]:
    return [WEEKDAY_NAMES[weekday] for weekday in sorted(_weekdays(days))]
