"""Injected faults for `/v1.1` requests: server errors, latency and dropped connections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .spec import JsonObject

_BODY_KEYS = {"http_status", "count", "latency_ms", "outage", "paths"}

ERROR_MESSAGES = {
    429: "Too Many Requests",
    500: "Internal server error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Endpoint request timed out",
}


class FaultError(ValueError):
    """An invalid `POST /_sim/faults` body."""


@dataclass(slots=True)
class FaultPlan:
    """What to do to the next matching API requests."""

    http_status: int | None = None
    """Answer with this HTTP status instead of running the request."""
    latency_ms: int = 0
    """Delay before answering (or before the outage/error)."""
    outage: bool = False
    """Close the connection without any answer."""
    remaining: int | None = None
    """How many more requests are affected; None until cleared."""
    paths: tuple[str, ...] = ()
    """Only requests whose path starts with one of these; empty means all."""

    @classmethod
    def from_body(cls, body: Any) -> FaultPlan:
        """Parse and check a `POST /_sim/faults` body."""
        if not isinstance(body, dict) or not body:
            raise FaultError("body must be a non-empty JSON object")
        unknown = body.keys() - _BODY_KEYS
        if unknown:
            raise FaultError(f"unknown keys {sorted(unknown)}; allowed: {sorted(_BODY_KEYS)}")
        http_status = body.get("http_status")
        if http_status is not None and (
            not isinstance(http_status, int)
            or isinstance(http_status, bool)
            or not 400 <= http_status <= 599
        ):
            raise FaultError("http_status must be an HTTP error status (400-599)")
        count = body.get("count")
        if count is not None and (
            not isinstance(count, int) or isinstance(count, bool) or count < 1
        ):
            raise FaultError("count must be a positive integer")
        latency = body.get("latency_ms", 0)
        if not isinstance(latency, int | float) or isinstance(latency, bool) or latency < 0:
            raise FaultError("latency_ms must be a non-negative number")
        outage = body.get("outage", False)
        if not isinstance(outage, bool):
            raise FaultError("outage must be true or false")
        paths = body.get("paths", [])
        if isinstance(paths, str):
            paths = [paths]
        if not isinstance(paths, list) or not all(isinstance(path, str) for path in paths):
            raise FaultError("paths must be a path prefix or a list of them")
        if http_status is None and not outage and not latency:
            raise FaultError("give at least one of http_status, outage and latency_ms")
        return cls(
            http_status=http_status,
            latency_ms=int(latency),
            outage=outage,
            remaining=count,
            paths=tuple(paths),
        )

    def as_dict(self) -> JsonObject:
        """The plan as `GET /_sim/faults` shows it."""
        return {
            "http_status": self.http_status,
            "latency_ms": self.latency_ms,
            "outage": self.outage,
            "count": self.remaining,
            "paths": list(self.paths),
        }


class Faults:
    """The active fault plan, consumed request by request."""

    def __init__(self) -> None:
        self.plan: FaultPlan | None = None

    def set(self, plan: FaultPlan) -> None:
        """Replace the active plan."""
        self.plan = plan

    def clear(self) -> None:
        """Remove the active plan."""
        self.plan = None

    def take(self, path: str) -> FaultPlan | None:
        """The plan, if it applies to this request; uses up one of its `count`."""
        plan = self.plan
        if plan is None or (plan.paths and not path.startswith(plan.paths)):
            return None
        if plan.remaining is not None:
            plan.remaining -= 1
            if plan.remaining <= 0:
                self.plan = None
        return plan
