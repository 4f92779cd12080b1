"""What the learner reads and writes: operation records in, patterns out, as JSON-able data."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from .const import PATTERN_TYPES

type PatternType = Literal["sequential", "time_based", "frequent"]
type Parameters = str | dict[str, Any]


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


def _parameters_key(parameters: Any) -> str:
    """An operation's parameters as comparable text: a string as it is, an object as JSON."""
    if isinstance(parameters, str):
        return parameters
    # Prefixed so a dict never equals a string parameter that happens to spell the same JSON.
    return "json:" + json.dumps(parameters, sort_keys=True, separators=(",", ":"), default=str)
