"""`time_based` patterns: the same operation at about the same time of day on several days."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .const import MAX_CLUSTERS_PER_OPERATION, MINUTES_PER_DAY, PATTERN_TIME_BASED
from .detection import _beyond_chance, _confidence, _Detection, _pattern_id, _weekday_names
from .names import part_of_day
from .records import OperationPattern


@dataclass(slots=True)
class _Cluster:
    """Occurrences of something at about the same time of day."""

    center: int
    members: list[int]
    spread: float  # mean distance in minutes from the center
    # The day each occurrence counts for: its date, or the neighbouring one when it lies
    # across midnight from the center (23:50 belongs with the next day's 00:05 routine).
    days: set[int]


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


@dataclass(frozen=True, slots=True)
class _SlotOdds:
    """How likely one operation lands in a slot of the day by chance, from its other uses.

    A light switched on all day long is not a 7 o'clock routine because some of its uses land
    at 7.
    """

    uses: int  # the operation's records in the window
    span_days: int
    slot_share: float  # the slot's share of the day
    looks: int  # slots looked at over every operation, for the significance test

    def chance(self, in_slot: int) -> float:
        """The chance that its uses outside the slot land one in the slot on a given day."""
        background_per_day = (self.uses - in_slot) / self.span_days
        return 1.0 - math.exp(-background_per_day * self.slot_share)

    def significant(self, members: list[int], hit_days: set[int]) -> bool:
        """Whether a slot holding `members` on `hit_days` is more than chance."""
        # Over every day of the data: picking the weekdays after seeing them would make a
        # fluke on a few weekdays look significant.
        expected = self.chance(len(members)) * self.span_days
        return _beyond_chance(len(hit_days), expected, self.looks)


def _time_based(context: _Detection, min_days: int) -> list[OperationPattern]:
    examined = [
        op
        for op, rows in enumerate(context.by_op)
        if len(rows) >= min_days and len({row.day for row in rows}) >= min_days
    ]
    # Every operation examined, at every slot of the day it could have been found at.
    looks = len(examined) * math.ceil(MINUTES_PER_DAY / (2 * context.tolerance + 1))
    slot_share = (2 * context.tolerance + 1) / MINUTES_PER_DAY
    patterns: list[OperationPattern] = []
    for op in examined:
        rows = context.by_op[op]
        odds = _SlotOdds(len(rows), context.span_days, slot_share, looks)
        clusters = _time_clusters(
            [row.minute for row in rows],
            [row.day for row in rows],
            tolerance=context.tolerance,
            min_days=min_days,
            significant=odds.significant,
        )
        patterns.extend(
            _time_pattern(context, op, cluster, odds.chance(len(cluster.members)), min_days)
            for cluster in clusters
        )
    return patterns


def _time_pattern(
    context: _Detection, op: int, cluster: _Cluster, chance: float, min_days: int
) -> OperationPattern:
    """The pattern of one operation's slot of the day, `chance` its odds of landing there."""
    rows = context.by_op[op]
    members = sorted(cluster.members)  # rows are in time order: so are their indices
    hit_days = cluster.days
    # Regularity: the share of the days on its weekdays that it happened above chance, times
    # how tight the time is (an exact time scores 1, times spread over the whole slot 0.7).
    coverage = context.weekday_coverage(hit_days)
    above_chance = (coverage - chance) / (1.0 - chance) if chance < 1 else 0.0
    tightness = 1.0 - cluster.spread / context.tolerance
    regularity = above_chance * (0.7 + 0.3 * tightness)
    operations = [context.operations.describe(op)]
    time_of_day = _clock(cluster.center)
    return OperationPattern(
        pattern_id=_pattern_id(PATTERN_TIME_BASED, operations, part_of_day(time_of_day, "en")),
        pattern_type=PATTERN_TIME_BASED,
        operations=operations,
        frequency=len(hit_days),
        confidence=_confidence(
            len(hit_days), min_days, regularity, context.age_days(rows[members[-1]].ts)
        ),
        time_of_day=time_of_day,
        days=_weekday_names(hit_days),
        first_seen=context.moment(rows[members[0]].ts),
        last_seen=context.moment(rows[members[-1]].ts),
    )
