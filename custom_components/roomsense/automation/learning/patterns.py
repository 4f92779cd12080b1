"""Pattern detection: every detector over one sorted pass of the records, best first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo

from .const import (
    DEFAULT_MIN_DAYS,
    DEFAULT_MIN_FREQUENCY,
    DEFAULT_MIN_SEQUENCE_REPEATS,
    DEFAULT_SEQUENCE_GAP,
    DEFAULT_TIME_TOLERANCE,
    DEFAULT_WINDOW,
    PATTERN_FREQUENT,
    PATTERN_TYPES,
)
from .detection import _confidence, _Detection, _Operations, _pattern_id, _rows, _weekday_names
from .records import OperationPattern, OperationRecord
from .sequential import _sequential
from .time_based import _time_based


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
