"""The learner's tunables: pattern kinds, default thresholds and the bounds on its work."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

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
