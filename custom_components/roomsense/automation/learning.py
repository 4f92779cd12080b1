"""Scene learning: find the routines in what people do, and offer them as scenes.

Pure Python without Home Assistant: operation records in, patterns and scene candidates out.
Three kinds of pattern:

- `sequential`: commands on different devices, each within `sequence_gap` (120 s) of the
  previous one, repeated as the same ordered sequence in several separate bursts;
- `time_based`: the same operation at about the same time of day (±30 min) on several days;
- `frequent`: an operation done often in the window.

One pass buckets the records by operation and by burst after a single sort, so the cost is
about linear in the number of records (100,000 records well under 2 s).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Final, Literal, NamedTuple

from ..fallback.model import DeviceKind

type PatternType = Literal["sequential", "time_based", "frequent"]
type Parameters = str | dict[str, Any]

PATTERN_SEQUENTIAL: Final = "sequential"
PATTERN_TIME_BASED: Final = "time_based"
PATTERN_FREQUENT: Final = "frequent"
PATTERN_TYPES: Final = (PATTERN_SEQUENTIAL, PATTERN_TIME_BASED, PATTERN_FREQUENT)

DEFAULT_WINDOW: Final = timedelta(days=30)
DEFAULT_SEQUENCE_GAP: Final = timedelta(seconds=120)
DEFAULT_TIME_TOLERANCE: Final = timedelta(minutes=30)
DEFAULT_MIN_SEQUENCE_REPEATS: Final = 3
DEFAULT_MIN_DAYS: Final = 3
DEFAULT_MIN_FREQUENCY: Final = 5
DEFAULT_MIN_CONFIDENCE: Final = 0.5
DEFAULT_CANDIDATE_LIMIT: Final = 10
MAX_CANDIDATE_LIMIT: Final = 100

WEEKDAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY: Final = 1440

# Bounds that keep one busy burst (a party, a scripted flood) from costing more than it tells.
MAX_SEQUENCE_LENGTH: Final = 6
MAX_NEIGHBOURS: Final = 16
MAX_SEQUENCES_PER_BURST: Final = 512
MAX_STEPS_PER_BURST: Final = 4096
MAX_CLUSTERS_PER_OPERATION: Final = 4
# A sequence's time of day is given when this share of its runs fall in one ±30 min slot.
SEQUENCE_TIME_SHARE: Final = 0.6
# A part of a longer sequence is left out when the longer one accounts for at least half of
# its runs: it is that routine, not one of its own.
SUBSEQUENCE_COVERAGE: Final = 0.5
RECENCY_HALF_LIFE_DAYS: Final = 14.0
# How far (minutes) a context time still lifts a candidate: linearly down to nothing at 3 h.
TIME_AFFINITY_RANGE: Final = 180.0
MAX_NAMED_OPERATIONS: Final = 3
# A pair of steps, or a time of day, must happen more often than chance could explain given
# how often each operation is done at all: its Poisson tail probability, times the number of
# pairs or slots looked at (so many looks do not make a lucky one), under this.
SIGNIFICANCE: Final = 0.01
# A single time-based candidate within this many minutes of a longer candidate holding its
# operation is a step of that routine, not a scene of its own.
PART_OF_ROUTINE_MINUTES: Final = 60

_CLOCK: Final = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


# --- records --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationRecord:
    """One thing someone did to a device, as the learner sees it."""

    device_id: str
    command: str
    parameters: Parameters = "default"
    timestamp: datetime
    user_id: str | None = None
    # Where it came from: "command" (RoomSense sent it), "state" (seen changing), "api"...
    source: str = "command"

    def __post_init__(self) -> None:
        if self.timestamp.utcoffset() is None:
            raise ValueError("an operation's timestamp needs its time zone")

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-able data, its timestamp in ISO 8601 with the offset."""
        return {
            "device_id": self.device_id,
            "command": self.command,
            "parameters": self.parameters,
            "timestamp": self.timestamp.isoformat(),
            "user_id": self.user_id,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OperationRecord:
        """A record from `to_dict()` data (camelCase keys accepted); ValueError if malformed."""
        device_id = data.get("device_id", data.get("deviceId"))
        command = data.get("command")
        parameters = data.get("parameters", data.get("parameter", "default"))
        user_id = data.get("user_id", data.get("userId"))
        source = data.get("source", "command")
        if not isinstance(device_id, str) or not device_id:
            raise ValueError("an operation needs a device_id")
        if not isinstance(command, str) or not command:
            raise ValueError("an operation needs a command")
        if not isinstance(parameters, str | dict):
            raise TypeError("parameters are a string or an object")
        if user_id is not None and not isinstance(user_id, str):
            raise TypeError("user_id is a string")
        if not isinstance(source, str):
            raise TypeError("source is a string")
        return cls(
            device_id=device_id,
            command=command,
            parameters=parameters,
            timestamp=_parse_timestamp(data.get("timestamp")),
            user_id=user_id,
            source=source,
        )


def _parse_timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as err:
            raise ValueError(f"not an ISO 8601 timestamp: {value}") from err
    else:
        raise TypeError("an operation needs its ISO 8601 timestamp")
    if moment.utcoffset() is None:
        raise ValueError("an operation's timestamp needs its UTC offset")
    return moment


# --- patterns -------------------------------------------------------------------------------


@dataclass(slots=True)
class OperationPattern:
    """A routine found in the records."""

    pattern_id: str
    pattern_type: PatternType
    # [{"device_id", "command", "parameters"}], in the order they are done.
    operations: list[dict[str, Any]]
    # Sequential: bursts it was seen in; time_based: days it was seen on; frequent: records.
    frequency: int
    confidence: float
    # "HH:MM" in the home's time zone: always for time_based, for a sequential pattern when
    # most of its runs start at about the same time.
    time_of_day: str | None = None
    days: list[str] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """The pattern as JSON-able data."""
        return {
            "pattern_id": self.pattern_id,
            "pattern_type": self.pattern_type,
            "operations": [dict(operation) for operation in self.operations],
            "frequency": self.frequency,
            "confidence": self.confidence,
            "time_of_day": self.time_of_day,
            "days": list(self.days),
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OperationPattern:
        """A pattern from `to_dict()` data (for a cache kept in a Store)."""
        pattern_type = data["pattern_type"]
        if pattern_type not in PATTERN_TYPES:
            raise ValueError(f"unknown pattern type {pattern_type!r}")
        first_seen, last_seen = data.get("first_seen"), data.get("last_seen")
        return cls(
            pattern_id=str(data["pattern_id"]),
            pattern_type=pattern_type,
            operations=[dict(operation) for operation in data["operations"]],
            frequency=int(data["frequency"]),
            confidence=float(data["confidence"]),
            time_of_day=data.get("time_of_day"),
            days=list(data.get("days") or []),
            first_seen=_parse_timestamp(first_seen) if first_seen else None,
            last_seen=_parse_timestamp(last_seen) if last_seen else None,
        )


class _Row(NamedTuple):
    """One record reduced to what detection needs; rows are kept sorted by `ts`."""

    ts: float
    op: int
    minute: int  # local minute of the day
    day: int  # local date ordinal


@dataclass(slots=True)
class _Cluster:
    """Occurrences of something at about the same time of day."""

    center: int
    members: list[int]
    spread: float  # mean distance in minutes from the center
    # The day each occurrence counts for: its date, or the neighbouring one when it lies
    # across midnight from the center (23:50 belongs with the next day's 00:05 routine).
    days: set[int]


class _Operations:
    """Operations (device + command + parameters) numbered in the order first seen."""

    def __init__(self) -> None:
        self.index: dict[tuple[str, str, str], int] = {}
        self.keys: list[tuple[str, str, str]] = []
        self.parameters: list[Parameters] = []
        self.device: list[int] = []
        self._devices: dict[str, int] = {}

    def number(self, device_id: str, command: str, parameters: Parameters) -> int:
        canonical = parameters if isinstance(parameters, str) else _canonical(parameters)
        key = (device_id, command, canonical)
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


def _canonical(parameters: Mapping[str, Any]) -> str:
    # Prefixed so a dict never equals a string parameter that happens to spell the same JSON.
    return "json:" + json.dumps(parameters, sort_keys=True, separators=(",", ":"), default=str)


def detect_patterns(
    records: Iterable[OperationRecord],
    *,
    now: datetime | None = None,
    time_zone: tzinfo | None = None,
    window: timedelta | None = DEFAULT_WINDOW,
    sequence_gap: timedelta = DEFAULT_SEQUENCE_GAP,
    min_sequence_repeats: int = DEFAULT_MIN_SEQUENCE_REPEATS,
    time_tolerance: timedelta = DEFAULT_TIME_TOLERANCE,
    min_days: int = DEFAULT_MIN_DAYS,
    min_frequency: int = DEFAULT_MIN_FREQUENCY,
) -> list[OperationPattern]:
    """The routines in `records`, most confident first.

    Only records within `window` before `now` (default: the current time) count; None looks at
    all of them. Times of day and weekdays are read in `time_zone` (the home's zone); without
    one, in each record's own offset.
    """
    now = now or datetime.now(UTC)
    if now.utcoffset() is None:
        raise ValueError("now needs its time zone")
    operations = _Operations()
    rows = _rows(records, operations, now=now, time_zone=time_zone, window=window)
    if not rows:
        return []
    context = _Detection(
        operations=operations,
        rows=rows,
        now=now,
        time_zone=time_zone,
        tolerance=max(1, round(time_tolerance.total_seconds() / 60)),
    )
    patterns = [
        *_sequential(context, sequence_gap.total_seconds(), max(2, min_sequence_repeats)),
        *_time_based(context, max(1, min_days)),
        *_frequent(context, max(1, min_frequency)),
    ]
    patterns.sort(
        key=lambda pattern: (
            -pattern.confidence,
            -pattern.frequency,
            PATTERN_TYPES.index(pattern.pattern_type),
            pattern.pattern_id,
        )
    )
    return patterns


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
            operation["parameters"]
            if isinstance(operation["parameters"], str)
            else _canonical(operation["parameters"]),
        ]
        for operation in operations
    ]
    text = json.dumps([kind, described, slot], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _weekday_names(days: Iterable[int]) -> list[str]:
    weekdays = {date.fromordinal(day).weekday() for day in days}
    return [WEEKDAY_NAMES[weekday] for weekday in sorted(weekdays)]


# --- frequent -------------------------------------------------------------------------------


def _frequent(context: _Detection, min_frequency: int) -> list[OperationPattern]:
    patterns: list[OperationPattern] = []
    for op, rows in enumerate(context.by_op):
        if len(rows) < min_frequency:
            continue
        active_days = {row.day for row in rows}
        # Regularity: the share of days it was done at all; ten times in one day is no habit.
        regularity = len(active_days) / context.span_days
        operations = [context.operations.describe(op)]
        patterns.append(
            OperationPattern(
                pattern_id=_pattern_id(PATTERN_FREQUENT, operations),
                pattern_type=PATTERN_FREQUENT,
                operations=operations,
                frequency=len(rows),
                confidence=_confidence(
                    len(rows), min_frequency, regularity, context.age_days(rows[-1].ts)
                ),
                days=_weekday_names(active_days),
                first_seen=context.moment(rows[0].ts),
                last_seen=context.moment(rows[-1].ts),
            )
        )
    return patterns


# --- time based -----------------------------------------------------------------------------


def _circular_distance(first: int, second: int) -> int:
    difference = abs(first - second) % MINUTES_PER_DAY
    return min(difference, MINUTES_PER_DAY - difference)


def _densest_window(
    pool: Sequence[int], minutes: Sequence[int], days: Sequence[int], width: int
) -> list[int]:
    """The occurrences in the `width`-minute slot of the day that covers the most days.

    `pool` is sorted by minute; the day wraps (23:50 and 00:10 are 20 minutes apart), so
    the early occurrences are appended again as the previous day's late ones before the
    two-pointer sweep.
    """
    unrolled = [(minutes[index], days[index], index) for index in pool]
    unrolled += [
        (minute + MINUTES_PER_DAY, day - 1, index)
        for minute, day, index in unrolled
        if minute < width
    ]
    day_counts: dict[int, int] = {}  # a plain dict: Counter's deletions are slow here
    best: tuple[int, int, int] = (0, 0, -1)  # distinct days, left, right
    left = 0
    for right, (minute, day, _) in enumerate(unrolled):
        day_counts[day] = day_counts.get(day, 0) + 1
        while minute - unrolled[left][0] > width:
            leaving = unrolled[left][1]
            if day_counts[leaving] == 1:
                del day_counts[leaving]
            else:
                day_counts[leaving] -= 1
            left += 1
        if len(day_counts) > best[0]:
            best = (len(day_counts), left, right)
    _, left, right = best
    return [index for _, _, index in unrolled[left : right + 1]]


def _time_clusters(
    minutes: Sequence[int],
    days: Sequence[int],
    *,
    tolerance: int,
    min_days: int,
    max_clusters: int = MAX_CLUSTERS_PER_OPERATION,
    significant: Callable[[list[int], set[int]], bool] | None = None,
) -> list[_Cluster]:
    """Slots of the day (±`tolerance` around a typical time) hit on at least `min_days` days.

    The densest slot comes first; the search stops at the first that is not `significant`
    (given its members and days: no later one, covering fewer days, would be).
    """
    pool = sorted(range(len(minutes)), key=minutes.__getitem__)
    clusters: list[_Cluster] = []
    while pool and len(clusters) < max_clusters:
        densest = _densest_window(pool, minutes, days, 2 * tolerance)
        if len(densest) < min_days:
            break
        center = _circular_median([minutes[index] for index in densest])
        members = [
            index for index in pool if _circular_distance(minutes[index], center) <= tolerance
        ]
        member_days = {_routine_day(minutes[index], days[index], center) for index in members}
        if len(member_days) < min_days or (
            significant is not None and not significant(members, member_days)
        ):
            break
        spread = sum(_circular_distance(minutes[index], center) for index in members)
        clusters.append(_Cluster(center, members, spread / len(members), member_days))
        taken = set(members)
        pool = [index for index in pool if index not in taken]
    return clusters


def _routine_day(minute: int, day: int, center: int) -> int:
    """The day an occurrence counts for, around a routine at `center` (midnight wraps)."""
    offset = minute - center
    if offset > MINUTES_PER_DAY // 2:
        return day + 1  # 23:50 with a routine at 00:05: that next day's
    if offset < -(MINUTES_PER_DAY // 2):
        return day - 1  # 00:10 with a routine at 23:55: the previous day's
    return day


def _circular_median(minutes: Sequence[int]) -> int:
    """The median of minutes that lie within a few hours of each other, across midnight too."""
    anchor = minutes[0]
    # Unroll around the first value so 23:50 and 00:10 are neighbours, not a day apart.
    unrolled = sorted(
        anchor + ((minute - anchor + MINUTES_PER_DAY // 2) % MINUTES_PER_DAY) - MINUTES_PER_DAY // 2
        for minute in minutes
    )
    return unrolled[(len(unrolled) - 1) // 2] % MINUTES_PER_DAY


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _time_based(context: _Detection, min_days: int) -> list[OperationPattern]:
    patterns: list[OperationPattern] = []
    examined = [
        op
        for op, rows in enumerate(context.by_op)
        if len(rows) >= min_days and len({row.day for row in rows}) >= min_days
    ]
    # Every operation examined, at every slot of the day it could have been found at.
    looks = len(examined) * math.ceil(MINUTES_PER_DAY / (2 * context.tolerance + 1))
    slot_share = (2 * context.tolerance + 1) / MINUTES_PER_DAY
    for op in examined:
        rows = context.by_op[op]
        minutes = [row.minute for row in rows]
        days = [row.day for row in rows]

        def chance_of_slot(members: list[int], rows: list[_Row] = rows) -> float:
            # The chance that the operation, done at its other times as often as it is, falls
            # in this slot on a given day anyway; a light switched on all day long is not a
            # 7 o'clock routine because some of its uses land at 7.
            background_per_day = (len(rows) - len(members)) / context.span_days
            return 1.0 - math.exp(-background_per_day * slot_share)

        def significant(members: list[int], hit_days: set[int]) -> bool:
            # Over every day of the data: picking the weekdays after seeing them would make a
            # fluke on a few weekdays look significant.
            expected = chance_of_slot(members) * context.span_days
            return _beyond_chance(len(hit_days), expected, looks)

        for cluster in _time_clusters(
            minutes,
            days,
            tolerance=context.tolerance,
            min_days=min_days,
            significant=significant,
        ):
            members = sorted(cluster.members)  # rows are in time order: so are their indices
            hit_days = cluster.days
            weekdays = {date.fromordinal(day).weekday() for day in hit_days}
            eligible = max(len(hit_days), context.eligible_days(weekdays))
            chance = chance_of_slot(members)
            # Regularity: the share of the days on its weekdays that it happened (a weekday
            # routine is not penalised for weekends) above chance, times how tight the time
            # is (an exact time scores 1, times spread over the whole slot 0.7).
            coverage = len(hit_days) / eligible
            above_chance = (coverage - chance) / (1.0 - chance) if chance < 1 else 0.0
            tightness = 1.0 - cluster.spread / context.tolerance
            regularity = above_chance * (0.7 + 0.3 * tightness)
            operations = [context.operations.describe(op)]
            time_of_day = _clock(cluster.center)
            patterns.append(
                OperationPattern(
                    pattern_id=_pattern_id(
                        PATTERN_TIME_BASED, operations, part_of_day(time_of_day, "en")
                    ),
                    pattern_type=PATTERN_TIME_BASED,
                    operations=operations,
                    frequency=len(hit_days),
                    confidence=_confidence(
                        len(hit_days),
                        min_days,
                        regularity,
                        context.age_days(rows[members[-1]].ts),
                    ),
                    time_of_day=time_of_day,
                    days=[WEEKDAY_NAMES[weekday] for weekday in sorted(weekdays)],
                    first_seen=context.moment(rows[members[0]].ts),
                    last_seen=context.moment(rows[members[-1]].ts),
                )
            )
    return patterns


# --- sequential -----------------------------------------------------------------------------


def _bursts(rows: Sequence[_Row], gap: float) -> list[tuple[int, int]]:
    """[start, end) row ranges where each row follows the previous within `gap` seconds."""
    bursts: list[tuple[int, int]] = []
    start = 0
    for index in range(1, len(rows)):
        if rows[index].ts - rows[index - 1].ts > gap:
            if index - start > 1:
                bursts.append((start, index))
            start = index
    if len(rows) - start > 1:
        bursts.append((start, len(rows)))
    return bursts


def _next_steps(
    rows: Sequence[_Row], start: int, end: int, gap: float, device_of: Sequence[int]
) -> Iterable[tuple[int, int]]:
    """(row index, op) of the rows that may follow row `start` as the next step."""
    origin = rows[start]
    device = device_of[origin.op]
    for index in range(start + 1, min(end, start + 1 + MAX_NEIGHBOURS)):
        row = rows[index]
        if row.ts - origin.ts > gap:
            break
        if device_of[row.op] != device:
            yield index, row.op


def _sequential(context: _Detection, gap: float, min_repeats: int) -> list[OperationPattern]:
    rows, device_of = context.rows, context.operations.device
    bursts = _bursts(rows, gap)

    # Pass 1: ordered pairs that can be consecutive steps, counted once per burst. Only
    # frequent pairs may chain, which prunes the search of pass 2 to the real routines.
    pair_counts: Counter[tuple[int, int]] = Counter()
    for start, end in bursts:
        pairs = {
            (rows[index].op, op)
            for index in range(start, end)
            for _, op in _next_steps(rows, index, end, gap, device_of)
        }
        pair_counts.update(pairs)
    # Chance: how often a record of `second` follows one of `first` within the gap if both
    # were spread evenly over the data's time.
    duration = max(rows[-1].ts - rows[0].ts, gap)
    op_counts = [len(op_rows) for op_rows in context.by_op]
    successors: dict[int, set[int]] = {}
    for (first, second), count in pair_counts.items():
        expected = op_counts[first] * op_counts[second] * gap / duration
        if count >= min_repeats and _beyond_chance(count, expected, len(pair_counts)):
            successors.setdefault(first, set()).add(second)
    if not successors:
        return []

    # Pass 2: every ordered chain of frequent pairs in a burst, again once per burst.
    sequence_counts: Counter[tuple[int, ...]] = Counter()
    runs: dict[tuple[int, ...], list[int]] = {}  # sequence -> its first row in each burst
    for start, end in bursts:
        found = _burst_chains(context, start, end, gap, successors)
        for sequence, first_row in found.items():
            sequence_counts[sequence] += 1
            runs.setdefault(sequence, []).append(first_row)

    frequent = {seq: count for seq, count in sequence_counts.items() if count >= min_repeats}
    longest_first = sorted(frequent, key=len, reverse=True)
    patterns: list[OperationPattern] = []
    for sequence in longest_first:
        count = frequent[sequence]
        if any(
            len(longer) > len(sequence)
            and frequent[longer] >= SUBSEQUENCE_COVERAGE * count
            and _is_subsequence(sequence, longer)
            for longer in longest_first
        ):
            continue
        patterns.append(_sequence_pattern(context, sequence, count, runs[sequence], min_repeats))
    return patterns


def _burst_chains(
    context: _Detection, start: int, end: int, gap: float, successors: Mapping[int, set[int]]
) -> dict[tuple[int, ...], int]:
    """Every chain of frequent pairs in a burst, each device once: sequence -> its first row."""
    rows, device_of = context.rows, context.operations.device
    found: dict[tuple[int, ...], int] = {}
    budget = MAX_STEPS_PER_BURST
    for first in range(start, end):
        first_op = rows[first].op
        if first_op not in successors:
            continue
        stack: list[tuple[int, tuple[int, ...], frozenset[int]]] = [
            (first, (first_op,), frozenset((device_of[first_op],)))
        ]
        while stack and budget > 0 and len(found) < MAX_SEQUENCES_PER_BURST:
            budget -= 1
            index, sequence, devices = stack.pop()
            if len(sequence) >= 2:
                found.setdefault(sequence, first)
            follow = successors.get(sequence[-1])
            if not follow or len(sequence) >= MAX_SEQUENCE_LENGTH:
                continue
            for next_index, op in _next_steps(rows, index, end, gap, device_of):
                if op in follow and device_of[op] not in devices:
                    stack.append((next_index, (*sequence, op), devices | {device_of[op]}))
    return found


def _is_subsequence(short: Sequence[int], long: Sequence[int]) -> bool:
    remaining = iter(long)
    return all(item in remaining for item in short)


def _sequence_pattern(
    context: _Detection,
    sequence: tuple[int, ...],
    count: int,
    first_rows: list[int],
    min_repeats: int,
) -> OperationPattern:
    rows = context.rows
    starts = [rows[index] for index in first_rows]
    # Regularity: the share of the days on its weekdays that it was run on.
    run_days = {row.day for row in starts}
    weekdays = {date.fromordinal(day).weekday() for day in run_days}
    regularity = len(run_days) / max(len(run_days), context.eligible_days(weekdays))
    clusters = _time_clusters(
        [row.minute for row in starts],
        [row.day for row in starts],
        tolerance=context.tolerance,
        min_days=1,
        max_clusters=1,
    )
    time_of_day = None
    if clusters and len(clusters[0].members) >= SEQUENCE_TIME_SHARE * len(starts):
        time_of_day = _clock(clusters[0].center)
    operations = [context.operations.describe(op) for op in sequence]
    return OperationPattern(
        pattern_id=_pattern_id(PATTERN_SEQUENTIAL, operations),
        pattern_type=PATTERN_SEQUENTIAL,
        operations=operations,
        frequency=count,
        confidence=_confidence(
            count,
            min_repeats,
            regularity,
            context.age_days(starts[-1].ts),
        ),
        time_of_day=time_of_day,
        days=_weekday_names(row.day for row in starts),
        first_seen=context.moment(starts[0].ts),
        last_seen=context.moment(starts[-1].ts),
    )


# --- scene candidates -----------------------------------------------------------------------


@dataclass(slots=True)
class SceneCandidate:
    """A routine offered as a scene to save."""

    candidate_id: str
    name: str
    operations: list[dict[str, Any]]
    confidence: float
    frequency: int
    pattern_type: PatternType
    time_of_day: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The candidate as JSON-able data; `time_of_day` only when it has one."""
        data: dict[str, Any] = {
            "candidate_id": self.candidate_id,
            "name": self.name,
            "operations": [dict(operation) for operation in self.operations],
            "confidence": self.confidence,
            "frequency": self.frequency,
            "pattern_type": self.pattern_type,
        }
        if self.time_of_day is not None:
            data["time_of_day"] = self.time_of_day
        return data

    def actions(self) -> list[dict[str, Any]]:
        """The operations as `device_command` actions of a rule or workflow."""
        return [
            {
                "type": "device_command",
                "device_id": operation["device_id"],
                "command": operation["command"],
                "parameter": operation["parameters"],
            }
            for operation in self.operations
        ]


@dataclass(frozen=True, slots=True)
class _CandidateQuery:
    minute: int | None
    device_ids: frozenset[str] | None
    min_confidence: float
    limit: int
    language: str


def _query(context: Mapping[str, Any] | None) -> _CandidateQuery:
    """The candidate filters of an API request; ValueError names the first bad one."""
    context = context or {}
    minute = None
    if (text := context.get("time")) is not None:
        match = _CLOCK.match(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError("time is a time of day HH:MM")
        minute = int(match[1]) * 60 + int(match[2])
    device_ids = context.get("device_ids")
    if device_ids is not None and (
        not isinstance(device_ids, list | tuple | set | frozenset)
        or not all(isinstance(device_id, str) for device_id in device_ids)
    ):
        raise ValueError("device_ids is a list of device ids")
    min_confidence = context.get("min_confidence", DEFAULT_MIN_CONFIDENCE)
    if (
        not isinstance(min_confidence, int | float)
        or isinstance(min_confidence, bool)
        or not 0 <= min_confidence <= 1
    ):
        raise ValueError("min_confidence is a number from 0 to 1")
    limit = context.get("limit", DEFAULT_CANDIDATE_LIMIT)
    if not isinstance(limit, int) or isinstance(limit, bool) or not limit >= 1:
        raise ValueError("limit is a whole number of at least 1")
    language = context.get("language", "en")
    if language not in ("ja", "en"):
        raise ValueError('language is "ja" or "en"')
    return _CandidateQuery(
        minute=minute,
        device_ids=frozenset(device_ids) if device_ids is not None else None,
        min_confidence=float(min_confidence),
        limit=min(limit, MAX_CANDIDATE_LIMIT),
        language=language,
    )


def scene_candidates(
    patterns: Iterable[OperationPattern],
    context: Mapping[str, Any] | None = None,
    *,
    device_names: Mapping[str, str] | None = None,
    device_kinds: Mapping[str, DeviceKind | str] | None = None,
) -> list[SceneCandidate]:
    """The patterns worth saving as a scene, best first, filtered by an API `context`.

    `context`: `time` ("HH:MM": candidates near it rank higher), `device_ids` (only those
    touching one of them), `min_confidence` (0.5), `limit` (10), `language` ("en"/"ja", for
    the names). Names use `device_names`, and `device_kinds` to say "open" for a curtain.
    Raises ValueError for a malformed context.
    """
    query = _query(context)
    scored: list[tuple[float, SceneCandidate, tuple[tuple[str, str, str], ...]]] = []
    for pattern in patterns:
        operations = pattern.operations
        if not operations or pattern.confidence < query.min_confidence:
            continue
        # A single command is a scene only when it is a habit at a time of day.
        if len(operations) == 1 and pattern.pattern_type != PATTERN_TIME_BASED:
            continue
        if query.device_ids is not None and not any(
            operation["device_id"] in query.device_ids for operation in operations
        ):
            continue
        identity = tuple(sorted(_operation_key(operation) for operation in operations))
        candidate = SceneCandidate(
            candidate_id=hashlib.sha256(
                json.dumps(identity, ensure_ascii=False).encode()
            ).hexdigest()[:16],
            name=scene_name(
                operations,
                time_of_day=pattern.time_of_day,
                language=query.language,
                device_names=device_names,
                device_kinds=device_kinds,
            ),
            operations=[dict(operation) for operation in operations],
            confidence=pattern.confidence,
            frequency=pattern.frequency,
            pattern_type=pattern.pattern_type,
            time_of_day=pattern.time_of_day,
        )
        scored.append((_score(candidate, query.minute), candidate, identity))
    scored.sort(key=lambda item: (-item[0], -item[1].frequency, item[1].candidate_id))
    # The same operations make the same scene whatever the order or the time they were found
    # at: keep the best-ranked one.
    seen: set[tuple[tuple[str, str, str], ...]] = set()
    candidates: list[SceneCandidate] = []
    routines = [
        (candidate, set(identity)) for _, candidate, identity in scored if len(identity) > 1
    ]
    for _, candidate, identity in scored:
        if identity in seen or (
            len(identity) == 1 and _step_of_routine(candidate, identity[0], routines)
        ):
            continue
        seen.add(identity)
        candidates.append(candidate)
        if len(candidates) >= query.limit:
            break
    return candidates


def _step_of_routine(
    candidate: SceneCandidate,
    operation: tuple[str, str, str],
    routines: Sequence[tuple[SceneCandidate, set[tuple[str, str, str]]]],
) -> bool:
    """Whether a one-command candidate is a step of a longer candidate at about its time."""
    return any(
        operation in operations
        and (
            routine.time_of_day is None
            or candidate.time_of_day is None
            or _circular_distance(_minute(routine.time_of_day), _minute(candidate.time_of_day))
            <= PART_OF_ROUTINE_MINUTES
        )
        for routine, operations in routines
    )


def _minute(time_of_day: str) -> int:
    hour, _, minute = time_of_day.partition(":")
    return int(hour) * 60 + int(minute)


def _operation_key(operation: Mapping[str, Any]) -> tuple[str, str, str]:
    parameters = operation.get("parameters", "default")
    canonical = parameters if isinstance(parameters, str) else _canonical(parameters)
    return (str(operation["device_id"]), str(operation["command"]), canonical)


def _score(candidate: SceneCandidate, minute: int | None) -> float:
    """Confidence, raised up to twice for a candidate whose time is near the asked time."""
    if minute is None or candidate.time_of_day is None:
        return candidate.confidence
    distance = _circular_distance(_minute(candidate.time_of_day), minute)
    proximity = max(0.0, 1.0 - distance / TIME_AFFINITY_RANGE)
    return candidate.confidence * (1.0 + proximity)


# --- names ----------------------------------------------------------------------------------

# Parts of the day by the hour they start at, for names ("Morning: ...") and stable ids.
_PARTS_OF_DAY: Final[dict[str, tuple[tuple[int, str], ...]]] = {
    "en": ((5, "Morning"), (12, "Afternoon"), (17, "Evening"), (22, "Night")),
    "ja": ((5, "朝"), (11, "昼"), (16, "夕方"), (19, "夜"), (23, "深夜")),
}

_COVER_KINDS: Final = frozenset({DeviceKind.CURTAIN.value, DeviceKind.BLIND.value})
# Curtain, blind or shade by name, when no kind is known.
_COVER_WORDS: Final = ("curtain", "blind", "shade", "カーテン", "ブラインド", "シェード")

_COMMAND_LABELS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "turnOn": "on", "turnOff": "off", "toggle": "toggle", "press": "press",
        "lock": "lock", "unlock": "unlock", "start": "start cleaning",
        "startClean": "start cleaning", "stop": "stop", "pause": "pause", "dock": "dock",
        "fullyOpen": "open", "closeDown": "close", "closeUp": "close", "setMute": "mute",
        "volumeAdd": "volume up", "volumeSub": "volume down", "channelAdd": "channel up",
        "channelSub": "channel down", "setColor": "color", "setMode": "mode",
        "setPosition": "position", "brightnessUp": "brighter", "brightnessDown": "dimmer",
    },
    "ja": {
        "turnOn": "オン", "turnOff": "オフ", "toggle": "切り替え", "press": "押す",
        "lock": "施錠", "unlock": "解錠", "start": "掃除開始", "startClean": "掃除開始",
        "stop": "停止", "pause": "一時停止", "dock": "充電", "fullyOpen": "開",
        "closeDown": "閉", "closeUp": "閉", "setMute": "ミュート", "volumeAdd": "音量を上げる",
        "volumeSub": "音量を下げる", "channelAdd": "次のチャンネル",
        "channelSub": "前のチャンネル", "setColor": "色", "setMode": "モード",
        "setPosition": "位置", "brightnessUp": "明るく", "brightnessDown": "暗く",
    },
}  # fmt: skip
_COVER_LABELS: Final[dict[str, dict[str, str]]] = {
    "en": {"turnOn": "open", "turnOff": "close"},
    "ja": {"turnOn": "開", "turnOff": "閉"},
}
_TEXT: Final[dict[str, dict[str, str]]] = {
    "en": {
        "separator": ", ",
        "more": "and {count} more",
        "brightness": "{value}%",
        "color_temperature": "{value}K",
        "ac_on": "on {value}°C",
        "channel": "channel {value}",
        "speed": "speed {value}",
    },
    "ja": {
        "separator": "、",
        "more": "ほか{count}件",
        "brightness": "明るさ{value}%",
        "color_temperature": "{value}K",
        "ac_on": "オン {value}℃",
        "channel": "{value}チャンネル",
        "speed": "風量{value}",
    },
}


def part_of_day(time_of_day: str, language: str = "en") -> str:
    """The part of the day a "HH:MM" falls in: "Morning" / "朝", ..."""
    hour = int(time_of_day.partition(":")[0])
    parts = _PARTS_OF_DAY["ja" if language == "ja" else "en"]
    name = parts[-1][1]  # the last part runs past midnight
    for start, label in parts:
        if hour >= start:
            name = label
    return name


def scene_name(
    operations: Sequence[Mapping[str, Any]],
    *,
    time_of_day: str | None = None,
    language: str = "en",
    device_names: Mapping[str, str] | None = None,
    device_kinds: Mapping[str, DeviceKind | str] | None = None,
) -> str:
    """A readable scene name: "Morning: Living Light on, Curtain open" / "朝: 電気 オン、…"."""
    language = "ja" if language == "ja" else "en"
    text = _TEXT[language]
    names = device_names or {}
    parts = [
        _operation_label(operation, language, names, device_kinds or {})
        for operation in operations[:MAX_NAMED_OPERATIONS]
    ]
    if len(operations) > MAX_NAMED_OPERATIONS:
        parts.append(text["more"].format(count=len(operations) - MAX_NAMED_OPERATIONS))
    body = text["separator"].join(parts)
    if time_of_day is None:
        return body
    return f"{part_of_day(time_of_day, language)}: {body}"


def _operation_label(
    operation: Mapping[str, Any],
    language: str,
    device_names: Mapping[str, str],
    device_kinds: Mapping[str, DeviceKind | str],
) -> str:
    device_id = str(operation["device_id"])
    name = device_names.get(device_id, device_id)
    command = str(operation["command"])
    parameters = operation.get("parameters", "default")
    kind = device_kinds.get(device_id)
    is_cover = (
        str(kind) in _COVER_KINDS
        if kind is not None
        else any(word in name.lower() for word in _COVER_WORDS)
    )
    return f"{name} {_command_label(command, parameters, language, is_cover=is_cover)}"


def _command_label(command: str, parameters: Any, language: str, *, is_cover: bool) -> str:
    text = _TEXT[language]
    value = parameters if isinstance(parameters, str) else ""
    if is_cover and command in _COVER_LABELS[language]:
        return _COVER_LABELS[language][command]
    if command == "setBrightness" and value.isdigit():
        return text["brightness"].format(value=value)
    if command == "setColorTemperature" and value.isdigit():
        return text["color_temperature"].format(value=value)
    if command == "SetChannel" and value.isdigit():
        return text["channel"].format(value=value)
    if command == "setWindSpeed" and value.isdigit():
        return text["speed"].format(value=value)
    if command == "setAll":
        # An air conditioner's "temperature,mode,fan,power".
        fields = value.split(",")
        if len(fields) == 4 and fields[3].strip().lower() == "off":
            return _COMMAND_LABELS[language]["turnOff"]
        if len(fields) == 4 and fields[0].strip().lstrip("-").isdigit():
            return text["ac_on"].format(value=fields[0].strip())
    return _COMMAND_LABELS[language].get(command, command)
