"""Scene candidates: the patterns worth offering as a scene, filtered and ranked for a request."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ...home_model import DeviceKind
from .const import (
    DEFAULT_CANDIDATE_LIMIT,
    DEFAULT_MIN_CONFIDENCE,
    MAX_CANDIDATE_LIMIT,
    PART_OF_ROUTINE_MINUTES,
    PATTERN_TIME_BASED,
    TIME_AFFINITY_RANGE,
)
from .names import scene_name
from .records import OperationPattern, PatternType, _parameters_key
from .time_based import _circular_distance

_CLOCK: Final = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

type _OperationKey = tuple[str, str, str]  # device id, command, parameters as text
type _Identity = tuple[_OperationKey, ...]  # a scene's operations, sorted


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
    scored: list[tuple[float, SceneCandidate, _Identity]] = []
    for pattern in patterns:
        if not _worth_offering(pattern, query):
            continue
        identity = tuple(sorted(_operation_key(operation) for operation in pattern.operations))
        candidate = _candidate(pattern, identity, query.language, device_names, device_kinds)
        scored.append((_score(candidate, query.minute), candidate, identity))
    scored.sort(key=lambda item: (-item[0], -item[1].frequency, item[1].candidate_id))
    return _best_distinct([(candidate, identity) for _, candidate, identity in scored], query.limit)


def _worth_offering(pattern: OperationPattern, query: _CandidateQuery) -> bool:
    """Whether a pattern passes the request's filters and can be a scene at all."""
    operations = pattern.operations
    if not operations or pattern.confidence < query.min_confidence:
        return False
    # A single command is a scene only when it is a habit at a time of day.
    if len(operations) == 1 and pattern.pattern_type != PATTERN_TIME_BASED:
        return False
    return query.device_ids is None or any(
        operation["device_id"] in query.device_ids for operation in operations
    )


def _candidate(
    pattern: OperationPattern,
    identity: _Identity,
    language: str,
    device_names: Mapping[str, str] | None,
    device_kinds: Mapping[str, DeviceKind | str] | None,
) -> SceneCandidate:
    """A pattern as a candidate, its id from its operations whatever their order."""
    digest = hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode()).hexdigest()
    return SceneCandidate(
        candidate_id=digest[:16],
        name=scene_name(
            pattern.operations,
            time_of_day=pattern.time_of_day,
            language=language,
            device_names=device_names,
            device_kinds=device_kinds,
        ),
        operations=[dict(operation) for operation in pattern.operations],
        confidence=pattern.confidence,
        frequency=pattern.frequency,
        pattern_type=pattern.pattern_type,
        time_of_day=pattern.time_of_day,
    )


def _best_distinct(
    ranked: Sequence[tuple[SceneCandidate, _Identity]], limit: int
) -> list[SceneCandidate]:
    """Up to `limit` of the ranked candidates, each scene once and no step of a routine alone.

    The same operations make the same scene whatever the order or the time they were found at:
    the best-ranked one is kept.
    """
    seen: set[_Identity] = set()
    candidates: list[SceneCandidate] = []
    routines = [(candidate, set(identity)) for candidate, identity in ranked if len(identity) > 1]
    for candidate, identity in ranked:
        if identity in seen or (
            len(identity) == 1 and _step_of_routine(candidate, identity[0], routines)
        ):
            continue
        seen.add(identity)
        candidates.append(candidate)
        if len(candidates) >= limit:
            break
    return candidates


def _step_of_routine(
    candidate: SceneCandidate,
    operation: _OperationKey,
    routines: Sequence[tuple[SceneCandidate, set[_OperationKey]]],
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


def _operation_key(operation: Mapping[str, Any]) -> _OperationKey:
    parameters_key = _parameters_key(operation.get("parameters", "default"))
    return (str(operation["device_id"]), str(operation["command"]), parameters_key)


def _score(candidate: SceneCandidate, minute: int | None) -> float:
    """Confidence, raised up to twice for a candidate whose time is near the asked time."""
    if minute is None or candidate.time_of_day is None:
        return candidate.confidence
    distance = _circular_distance(_minute(candidate.time_of_day), minute)
    proximity = max(0.0, 1.0 - distance / TIME_AFFINITY_RANGE)
    return candidate.confidence * (1.0 + proximity)
