"""The edge jobs of the home: their queues, their deadlines and the waits on their results.

`JobBook` keeps every job with indexes so that a busy queue costs no scans: per device (in
creation order, which is also queue order), queued per device (FIFO), and finished ones in
the order they finished, for the rotation that keeps `max_completed_jobs` of them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.helpers.json import json_bytes
from homeassistant.util import dt as dt_util

from .models import REASON_EXPIRED, REASON_TIMEOUT, EdgeJob, JobStatus

# A queued job nobody fetched for a day is stale: "open the window" should not run tomorrow.
DEFAULT_JOB_TTL: Final = 86400
# Fired when a job ends, whatever way; automations trigger on it.
EVENT_EDGE_JOB_FINISHED: Final = "roomsense_edge_job_finished"
MAX_EVENT_RESULT_BYTES: Final = 16 * 1024


class JobBook:
    """Every job, by id, with the indexes of the queues and of the finished jobs."""

    def __init__(self) -> None:
        """No jobs yet."""
        # In creation order, which is also each device's queue order.
        self.jobs: dict[str, EdgeJob] = {}
        self._device_jobs: dict[str, dict[str, EdgeJob]] = {}
        self._queued: dict[str, dict[str, EdgeJob]] = {}
        self._finished: dict[str, EdgeJob] = {}
        self._last_finished: dict[str, EdgeJob] = {}

    def device_jobs(self, device_id: str) -> list[EdgeJob]:
        """The device's jobs, oldest first."""
        return list(self._device_jobs.get(device_id, {}).values())

    def queue_length(self, device_id: str) -> int:
        """Jobs waiting to be fetched."""
        return len(self._queued.get(device_id, ()))

    def last_finished(self, device_id: str) -> EdgeJob | None:
        """The job of the device that finished last."""
        return self._last_finished.get(device_id)

    def oldest_queued(self, device_id: str) -> EdgeJob | None:
        """The job the device gets next."""
        return next(iter(self._queued.get(device_id, {}).values()), None)

    def add(self, job: EdgeJob) -> None:
        """Keep a new job, or one read back from the store."""
        self.jobs[job.job_id] = job
        self._device_jobs.setdefault(job.device_id, {})[job.job_id] = job
        if job.status is JobStatus.QUEUED:
            self._queued.setdefault(job.device_id, {})[job.job_id] = job
        elif job.finished:
            self._finished[job.job_id] = job

    def order_finished(self) -> None:
        """After the store is read: finished jobs in the order they finished."""
        self._finished = dict(
            sorted(self._finished.items(), key=lambda item: item[1].finished_at or "")
        )
        for job in self._finished.values():
            self._last_finished[job.device_id] = job

    def remove(self, job: EdgeJob) -> None:
        """Forget a job."""
        self.jobs.pop(job.job_id, None)
        self._device_jobs.get(job.device_id, {}).pop(job.job_id, None)
        self._queued.get(job.device_id, {}).pop(job.job_id, None)
        self._finished.pop(job.job_id, None)
        if self._last_finished.get(job.device_id) is job:
            del self._last_finished[job.device_id]
        if not self._device_jobs.get(job.device_id, True):
            del self._device_jobs[job.device_id]

    def dequeue(self, job: EdgeJob) -> None:
        """The job left its queue (handed to its device)."""
        self._queued[job.device_id].pop(job.job_id, None)

    def requeue(self, job: EdgeJob) -> None:
        """The job goes back to the front of its queue (its device left before getting it)."""
        queue = self._queued.setdefault(job.device_id, {})
        self._queued[job.device_id] = {job.job_id: job, **queue}

    def mark_finished(self, job: EdgeJob) -> None:
        """The job ended: out of its queue, newest among the finished."""
        self._queued.get(job.device_id, {}).pop(job.job_id, None)
        self._finished[job.job_id] = job
        self._last_finished[job.device_id] = job

    def rotate(self, max_completed_jobs: int) -> bool:
        """Drop the oldest finished jobs past `max_completed_jobs`; True when any went."""
        excess = len(self._finished) - max_completed_jobs
        if excess <= 0:
            return False
        for job in list(self._finished.values())[:excess]:
            self.remove(job)
        return True


def job_deadline(job: EdgeJob, result_timeout: float) -> tuple[datetime, JobStatus, str] | None:
    """When a queued job expires, or a dispatched one times out, and how it then ends."""
    if job.status is JobStatus.QUEUED and job.expires_at:
        due = dt_util.parse_datetime(job.expires_at, raise_on_error=True)
        return due, JobStatus.EXPIRED, REASON_EXPIRED
    if job.status is JobStatus.DISPATCHED and job.dispatched_at:
        due = dt_util.parse_datetime(job.dispatched_at, raise_on_error=True) + timedelta(
            seconds=result_timeout
        )
        return due, JobStatus.FAILED, REASON_TIMEOUT
    return None


def finished_event_data(job: EdgeJob, device_name: str | None) -> dict[str, Any]:
    """What automations learn of a finished job; a large result stays in the job."""
    data: dict[str, Any] = {
        "job_id": job.job_id,
        "device_id": job.device_id,
        "device_name": device_name,
        "status": job.status.value,
        "reason": job.reason,
        "command": job.command,
        "instruction": job.instruction,
        "error": job.error,
    }
    # The bus is no place for a large result.
    if len(json_bytes(job.result)) <= MAX_EVENT_RESULT_BYTES:
        data["result"] = job.result
    else:
        data["result_truncated"] = True
    return data


class JobWaiters:
    """Requests waiting for jobs to finish."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        """Wait on `loop`."""
        self._loop = loop
        self._waiters: dict[str, list[asyncio.Future[EdgeJob]]] = {}

    async def async_wait(self, job: EdgeJob, seconds: float) -> EdgeJob:
        """The job once it finished, or as it is when `seconds` have passed."""
        future: asyncio.Future[EdgeJob] = self._loop.create_future()
        self._waiters.setdefault(job.job_id, []).append(future)
        try:
            async with asyncio.timeout(seconds):
                return await future
        except TimeoutError:
            return job
        finally:
            waiters = self._waiters.get(job.job_id, [])
            if future in waiters:
                waiters.remove(future)
            if not waiters:
                self._waiters.pop(job.job_id, None)

    def finished(self, job: EdgeJob) -> None:
        """The job ended: its waiters get it."""
        for future in self._waiters.pop(job.job_id, []):
            if not future.done():
                future.set_result(job)

    def release_all(self, jobs: dict[str, EdgeJob]) -> None:
        """Home Assistant stops: every waiter gets its job as it is."""
        for job_id, futures in self._waiters.items():
            for future in futures:
                if not future.done():
                    future.set_result(jobs[job_id])
