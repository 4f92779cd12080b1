"""Edge devices and their jobs, as they are stored and as the views answer them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

DEVICE_TYPES: Final = ("jetson", "raspberrypi4", "pico_w", "other")
CAPABILITY_AGENT: Final = "agent"


class JobStatus(StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    DISPATCHED = "dispatched"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


ACTIVE_STATUSES: Final = frozenset({JobStatus.QUEUED, JobStatus.DISPATCHED})
FINISHED_STATUSES: Final = frozenset(set(JobStatus) - ACTIVE_STATUSES)

# Why a job ended other than by its device's own report.
REASON_TIMEOUT: Final = "timeout"
REASON_CANCELLED: Final = "cancelled"
REASON_DEVICE_DELETED: Final = "device_deleted"
REASON_EXPIRED: Final = "not_fetched_in_time"


@dataclass
class EdgeDevice:
    """A registered edge device; its token is kept only as a SHA-256 hash."""

    device_id: str
    name: str
    device_type: str
    capabilities: list[str]
    metadata: dict[str, Any]
    token_hash: str
    registered_at: str
    last_seen: str | None = None
    # The long-poll window the device asked for last, in seconds.
    poll_window: float | None = None

    def public(self) -> dict[str, Any]:
        """What the admin views show: everything but the token hash."""
        data = asdict(self)
        del data["token_hash"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EdgeDevice:
        """A device read back from the store; TypeError/ValueError when it does not parse."""
        device = cls(**data)
        _check_times(device.registered_at, device.last_seen)
        return device


@dataclass
class EdgeJob:
    """One job for one device: an English instruction, or a command with a payload."""

    job_id: str
    device_id: str
    status: JobStatus
    created_at: str
    instruction: str | None = None
    command: str | None = None
    payload: dict[str, Any] | list[Any] | str | int | float | bool | None = None
    expires_at: str | None = None
    dispatched_at: str | None = None
    finished_at: str | None = None
    result: Any = None
    error: str | None = None
    reason: str | None = None
    # Who asked for it: "http", "service" or "conversation"; shown in the history.
    source: str = "http"

    @property
    def finished(self) -> bool:
        """Whether the job can no longer change."""
        return self.status in FINISHED_STATUSES

    def public(self) -> dict[str, Any]:
        """The job as the views and services answer it."""
        data = asdict(self)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EdgeJob:
        """A job read back from the store; KeyError/TypeError/ValueError when it does not parse."""
        job = cls(**{**data, "status": JobStatus(data["status"])})
        _check_times(job.created_at, job.expires_at, job.dispatched_at, job.finished_at)
        return job


def _check_times(*values: str | None) -> None:
    """Every stored time must parse: the timers and the connectivity sensor read them."""
    for value in values:
        if value is not None:
            datetime.fromisoformat(value)
