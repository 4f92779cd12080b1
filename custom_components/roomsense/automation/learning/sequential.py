"""`sequential` patterns: the same ordered commands on different devices, burst after burst."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from .const import (
    MAX_NEIGHBOURS,
    MAX_SEQUENCE_LENGTH,
    MAX_SEQUENCES_PER_BURST,
    MAX_STEPS_PER_BURST,
    PATTERN_SEQUENTIAL,
    SEQUENCE_TIME_SHARE,
    SUBSEQUENCE_COVERAGE,
)
from .detection import _beyond_chance, _confidence, _Detection, _pattern_id, _Row, _weekday_names
from .records import OperationPattern
from .time_based import _clock, _time_clusters


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
    regularity = context.weekday_coverage(run_days)
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
        days=_weekday_names(run_days),
        first_seen=context.moment(starts[0].ts),
        last_seen=context.moment(starts[-1].ts),
    )
