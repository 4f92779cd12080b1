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

from .candidates import SceneCandidate, scene_candidates
from .const import (
    DEFAULT_CANDIDATE_LIMIT,
    MAX_CANDIDATE_LIMIT,
    PATTERN_FREQUENT,
    PATTERN_SEQUENTIAL,
    PATTERN_TIME_BASED,
    PATTERN_TYPES,
)
from .names import part_of_day, scene_name
from .patterns import detect_patterns
from .records import OperationPattern, OperationRecord, Parameters, PatternType

__all__ = [
    "DEFAULT_CANDIDATE_LIMIT",
    "MAX_CANDIDATE_LIMIT",
    "PATTERN_FREQUENT",
    "PATTERN_SEQUENTIAL",
    "PATTERN_TIME_BASED",
    "PATTERN_TYPES",
    "OperationPattern",
    "OperationRecord",
    "Parameters",
    "PatternType",
    "SceneCandidate",
    "detect_patterns",
    "part_of_day",
    "scene_candidates",
    "scene_name",
]
