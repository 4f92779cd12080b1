"""The edge devices of the home and their job queues, kept in `.storage` (`store.py`).

Every job, whatever its status, survives a restart; one accepted or handed out survives a
kill too.
Each device has a FIFO queue: a long-polling device gets its oldest queued job the moment
one arrives. A dispatched job whose device reports nothing within the result timeout fails
with reason `timeout`; a queued job that no device fetches before it expires becomes
`expired`. Finished jobs are kept for their history until `max_completed_jobs` of them exist,
then the oldest go. The jobs' own bookkeeping is `jobs.py`'s, the long polls' `polls.py`'s.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from ..const import DEFAULT_DEVICE_RESULT_TIMEOUT, DEFAULT_MAX_COMPLETED_JOBS, DOMAIN, LOGGER
from .errors import InvalidTokenError, JobConflictError, UnknownDeviceError, UnknownJobError
from .jobs import (
    DEFAULT_JOB_TTL,
    EVENT_EDGE_JOB_FINISHED,
    JobBook,
    JobWaiters,
    finished_event_data,
    job_deadline,
)
from .limits import EdgeRateLimits
from .models import (
    CAPABILITY_AGENT,
    REASON_CANCELLED,
    REASON_DEVICE_DELETED,
    EdgeDevice,
    EdgeJob,
    JobStatus,
)
from .polls import LongPolls, connected_until
from .store import EdgeStore


def signal_device_updated(device_id: str) -> str:
    """The dispatcher signal an edge device's entities listen to: its jobs changed."""
    return f"{DOMAIN}_edge_device_updated_{device_id}"


def signal_device_seen(device_id: str) -> str:
    """The signal of a long poll opening or closing: only connectivity changes."""
    return f"{DOMAIN}_edge_device_seen_{device_id}"


# A device registered: the platforms add its entities.
SIGNAL_DEVICE_ADDED: Final = f"{DOMAIN}_edge_device_added"

EDGE_ID_PREFIX: Final = "edge_"
# Finished jobs the active file carries before the main file is written at once: a steady
# stream of changes keeps putting the main file's delayed write off.
MAX_FINISHED_UNWRITTEN: Final = 20


def ha_identifier(device_id: str) -> tuple[str, str]:
    """The device registry identifier of an edge device."""
    return (DOMAIN, f"{EDGE_ID_PREFIX}{device_id}")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> str:
    return dt_util.utcnow().isoformat()


class EdgeManager:
    """The registered edge devices and every job, for all of Home Assistant."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Read nothing yet; `async_load` does."""
        self.hass = hass
        self._store = EdgeStore(hass, self._kept_data, self._active_data)
        self.rate_limits = EdgeRateLimits()
        self.devices: dict[str, EdgeDevice] = {}
        self._book = JobBook()
        self.result_timeout: float = DEFAULT_DEVICE_RESULT_TIMEOUT
        self.max_completed_jobs: int = DEFAULT_MAX_COMPLETED_JOBS
        self._polls = LongPolls()
        self._job_waiters = JobWaiters(hass.loop)
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self._stopping = False
        # Jobs finished since `roomsense.edge` was last written: the active file keeps them
        # meanwhile, as it may be written ahead of it (a kill must not lose a result).
        self._finished_unwritten: set[str] = set()
        self._writing_kept: asyncio.Task[None] | None = None

    @property
    def jobs(self) -> dict[str, EdgeJob]:
        """Every job by id, in creation order (also each device's queue order)."""
        return self._book.jobs

    # --- persistence --------------------------------------------------------------------

    async def async_load(self) -> None:
        """Read the store and re-arm the timers of jobs still queued or dispatched."""
        devices, jobs, applied = await self._store.async_load()
        self.devices = {device.device_id: device for device in devices}
        for job in jobs:
            if job.device_id in self.devices:
                self._book.add(job)
        # The timeout last applied: the owner entry applies its option later, and a job
        # dispatched before the restart must not time out by the default meanwhile.
        self.result_timeout = applied or self.result_timeout
        self._book.order_finished()
        for job in list(self.jobs.values()):
            self._arm_timer(job)

    def _kept_data(self) -> dict[str, Any]:
        self._finished_unwritten.clear()  # on their way to disk with this data
        return {
            "devices": [vars(device).copy() for device in self.devices.values()],
            "jobs": [job.public() for job in self.jobs.values() if job.finished],
            "result_timeout": self.result_timeout,
        }

    def _active_data(self) -> dict[str, Any]:
        return {
            "jobs": [
                job.public()
                for job in self.jobs.values()
                if not job.finished or job.job_id in self._finished_unwritten
            ]
        }

    async def async_flush(self) -> None:
        """Write pending changes now."""
        await self._store.async_flush()

    @callback
    def async_stop(self) -> None:
        """End open long polls (204) and waits for results (the job as it is); stop timers."""
        self._stopping = True
        self._polls.wake_all()
        self._job_waiters.release_all(self.jobs)
        for unsub in self._timers.values():
            unsub()
        self._timers.clear()

    def configure(self, *, result_timeout: float, max_completed_jobs: int) -> None:
        """Apply the options of the entry that holds the edge devices (`HomeOwner`).

        Dispatched jobs get the new result timeout.
        """
        changed = result_timeout != self.result_timeout
        self.result_timeout = result_timeout
        self.max_completed_jobs = max_completed_jobs
        if changed:
            for job in self.jobs.values():
                if job.status is JobStatus.DISPATCHED:
                    self._arm_timer(job)
        if self._book.rotate(self.max_completed_jobs) or changed:
            self._store.save()

    # --- devices ------------------------------------------------------------------------

    async def async_register(
        self,
        name: str,
        device_type: str,
        capabilities: list[str],
        metadata: dict[str, Any],
    ) -> tuple[EdgeDevice, str]:
        """A new device and its token, on disk before the token is handed out.

        Only the token's hash is kept.
        """
        token = secrets.token_urlsafe(32)
        device = EdgeDevice(
            device_id=uuid.uuid4().hex,
            name=name,
            device_type=device_type,
            capabilities=sorted(set(capabilities)),
            metadata=metadata,
            token_hash=_hash_token(token),
            registered_at=_now(),
        )
        self.devices[device.device_id] = device
        async_dispatcher_send(self.hass, SIGNAL_DEVICE_ADDED, device.device_id)
        await self._store.async_write_kept()
        return device, token

    async def async_rotate_token(self, device_id: str) -> tuple[EdgeDevice, str]:
        """A new token for the device; the old one stops working at once.

        Only the new token's hash is kept, and written before the answer: a token rotated
        because it leaked must not come back with a crash. The device's jobs stay queued;
        its long polls open with the old token end with a 401 (`async_next_job`).
        """
        device = self.device(device_id)
        token = secrets.token_urlsafe(32)
        device.token_hash = _hash_token(token)
        self._polls.wake(device_id)
        await self._store.async_flush()
        return device, token

    def device(self, device_id: str) -> EdgeDevice:
        """The device, or UnknownDeviceError."""
        if (device := self.devices.get(device_id)) is None:
            raise UnknownDeviceError(device_id)
        return device

    def authenticate(self, device_id: str, token: str | None) -> EdgeDevice:
        """The device, when the token is its own; compared in constant time."""
        device = self.device(device_id)
        presented = _hash_token(token or "")
        if not hmac.compare_digest(presented, device.token_hash) or not token:
            raise InvalidTokenError(device_id)
        return device

    def rename(self, device_id: str, name: str) -> EdgeDevice:
        """Rename the device here and in Home Assistant's device registry."""
        device = self.device(device_id)
        device.name = name
        registry = dr.async_get(self.hass)
        for entry in registry.async_get_devices(identifiers={ha_identifier(device_id)}):
            registry.async_update_device(entry.id, name=name)
        self._store.save()
        self._updated(device_id)
        return device

    def delete(self, device_id: str, *, remove_ha_device: bool = True) -> None:
        """Forget the device, its queue and its history; its open polls end."""
        self.device(device_id)
        for job in self.device_jobs(device_id):
            if not job.finished:
                # No rotation: these jobs go anyway, and must not push out other devices'.
                self._finish(job, JobStatus.CANCELLED, reason=REASON_DEVICE_DELETED, rotate=False)
            self._book.remove(job)
        del self.devices[device_id]
        self._polls.forget(device_id)
        if remove_ha_device:
            registry = dr.async_get(self.hass)
            for entry in registry.async_get_devices(identifiers={ha_identifier(device_id)}):
                registry.async_remove_device(entry.id)
        self._store.save()

    def agent_devices(self) -> list[EdgeDevice]:
        """Devices that take English instructions."""
        return [d for d in self.devices.values() if CAPABILITY_AGENT in d.capabilities]

    def find_device(self, name_or_id: str) -> EdgeDevice:
        """A device by its id, Home Assistant device id, or name (case-insensitive)."""
        if name_or_id in self.devices:
            return self.devices[name_or_id]
        registry_entry = dr.async_get(self.hass).async_get(name_or_id)
        if registry_entry is not None:
            for domain, key in registry_entry.identifiers:
                edge_id = key.removeprefix(EDGE_ID_PREFIX)
                if domain == DOMAIN and key.startswith(EDGE_ID_PREFIX) and edge_id in self.devices:
                    return self.devices[edge_id]
        wanted = name_or_id.casefold().strip()
        for device in self.devices.values():
            if device.name.casefold() == wanted:
                return device
        raise UnknownDeviceError(name_or_id)

    # --- what the entities show ----------------------------------------------------------

    def device_jobs(self, device_id: str) -> list[EdgeJob]:
        """The device's jobs, oldest first."""
        return self._book.device_jobs(device_id)

    def queue_length(self, device_id: str) -> int:
        """Jobs waiting to be fetched."""
        return self._book.queue_length(device_id)

    def last_finished_job(self, device_id: str) -> EdgeJob | None:
        """The job of the device that finished last."""
        return self._book.last_finished(device_id)

    def connected_until(self, device_id: str) -> datetime | None:
        """When the device stops counting as connected; None when it is not (or polls now)."""
        device = self.devices.get(device_id)
        return None if device is None else connected_until(device)

    def is_polling(self, device_id: str) -> bool:
        """Whether the device waits in a long poll right now."""
        return self._polls.is_open(device_id)

    def is_connected(self, device_id: str) -> bool:
        """Seen within two long-poll windows, or waiting in one right now."""
        if self.is_polling(device_id):
            return True
        until = self.connected_until(device_id)
        return until is not None and dt_util.utcnow() < until

    # --- jobs ---------------------------------------------------------------------------

    def job(self, job_id: str) -> EdgeJob:
        """The job, or UnknownJobError."""
        if (job := self.jobs.get(job_id)) is None:
            raise UnknownJobError(job_id)
        return job

    async def async_submit(
        self,
        device_id: str,
        *,
        instruction: str | None = None,
        command: str | None = None,
        payload: Any = None,
        ttl: float = DEFAULT_JOB_TTL,
        source: str = "http",
    ) -> EdgeJob:
        """Queue a job behind the device's other queued jobs.

        It is on disk before its id is given to anyone (a kill loses none).
        """
        self.device(device_id)
        now = dt_util.utcnow()
        job = EdgeJob(
            job_id=uuid.uuid4().hex,
            device_id=device_id,
            status=JobStatus.QUEUED,
            created_at=now.isoformat(),
            instruction=instruction,
            command=command,
            payload=payload,
            expires_at=(now + timedelta(seconds=ttl)).isoformat(),
            source=source,
        )
        self._book.add(job)
        self._arm_timer(job)
        self._store.save()
        self._polls.wake(device_id)
        self._updated(device_id)
        await self._store.async_write_jobs_ahead()
        return job

    def cancel(self, job_id: str) -> EdgeJob:
        """Cancel a queued job; one already dispatched or finished is a conflict."""
        job = self.job(job_id)
        if job.status is not JobStatus.QUEUED:
            raise JobConflictError(job.status.value)
        self._finish(job, JobStatus.CANCELLED, reason=REASON_CANCELLED)
        return job

    async def async_wait(self, job_id: str, seconds: float) -> EdgeJob:
        """The job once it finished, or as it is when `seconds` have passed."""
        job = self.job(job_id)
        if job.finished:
            return job
        return await self._job_waiters.async_wait(job, seconds)

    async def async_next_job(
        self,
        device_id: str,
        wait: float,
        still_listening: Callable[[], bool] = lambda: True,
    ) -> EdgeJob | None:
        """The device's oldest queued job, waiting up to `wait` s for one; None if none came.

        `still_listening` tells whether the device is still connected: a job is never handed
        to a request whose client has gone, where it would only wait out the result timeout.
        A poll opened with a token rotated since ends with InvalidTokenError, and no job.
        """
        device = self.device(device_id)
        token_hash = device.token_hash
        deadline = self.hass.loop.time() + wait
        self._seen(device, wait)
        if self._polls.opened(device_id):
            async_dispatcher_send(self.hass, signal_device_seen(device_id))
        try:
            while not self._stopping and device_id in self.devices:
                if not still_listening():
                    return None
                if device.token_hash != token_hash:
                    raise InvalidTokenError(device_id)
                if (job := self._book.oldest_queued(device_id)) is not None:
                    self._dispatch(job)
                    try:
                        # On disk as dispatched before the device has it: never handed out
                        # twice.
                        await self._store.async_write_jobs_ahead()
                    except asyncio.CancelledError:
                        self._undispatch(job)
                        raise
                    if still_listening():
                        return job
                    # The device left during the write: the job waits for its next poll.
                    self._undispatch(job)
                    return None
                remaining = deadline - self.hass.loop.time()
                if remaining <= 0:
                    return None
                if not await self._polls.async_wait(device_id, remaining):
                    return None
            if device_id not in self.devices:
                raise UnknownDeviceError(device_id)
            return None
        finally:
            registered = device_id in self.devices
            still_open = self._polls.closed(device_id, registered=registered)
            if registered:
                self._seen(device, wait)
                if not still_open:
                    async_dispatcher_send(self.hass, signal_device_seen(device_id))

    def report(
        self,
        device_id: str,
        job_id: str,
        status: JobStatus,
        result: Any = None,
        error: str | None = None,
    ) -> EdgeJob:
        """A device's result for a job dispatched to it; repeating the same report is fine."""
        device = self.device(device_id)
        job = self.jobs.get(job_id)
        if job is None or job.device_id != device_id:
            raise JobConflictError("not dispatched to this device")
        self._seen(device, device.poll_window)
        if job.status is status and job.reason is None and job.dispatched_at is not None:
            return job  # the device retried an upload that had arrived
        if job.status is not JobStatus.DISPATCHED:
            raise JobConflictError(job.status.value)
        job.result = result
        job.error = error
        self._finish(job, status)
        return job

    # --- inside -------------------------------------------------------------------------

    def _dispatch(self, job: EdgeJob) -> None:
        self._book.dequeue(job)
        job.status = JobStatus.DISPATCHED
        job.dispatched_at = _now()
        self._arm_timer(job)
        self._store.save()
        self._updated(job.device_id)

    def _undispatch(self, job: EdgeJob) -> None:
        self._book.requeue(job)
        job.status = JobStatus.QUEUED
        job.dispatched_at = None
        self._arm_timer(job)
        self._store.save()
        self._updated(job.device_id)

    def _finish(
        self, job: EdgeJob, status: JobStatus, *, reason: str | None = None, rotate: bool = True
    ) -> None:
        self._book.mark_finished(job)
        self._finished_unwritten.add(job.job_id)
        job.status = status
        job.reason = reason
        job.finished_at = _now()
        if (unsub := self._timers.pop(job.job_id, None)) is not None:
            unsub()
        self._job_waiters.finished(job)
        device = self.devices.get(job.device_id)
        self.hass.bus.async_fire(
            EVENT_EDGE_JOB_FINISHED, finished_event_data(job, device.name if device else None)
        )
        if rotate:
            self._book.rotate(self.max_completed_jobs)
        self._store.save()
        self._updated(job.device_id)
        writing = self._writing_kept
        if len(self._finished_unwritten) >= MAX_FINISHED_UNWRITTEN and (
            writing is None or writing.done()
        ):
            self._writing_kept = self.hass.async_create_background_task(
                self._store.async_write_kept(), "roomsense edge store"
            )

    def _arm_timer(self, job: EdgeJob) -> None:
        """Expire a queued job, or time out a dispatched one, at the right moment."""
        if (unsub := self._timers.pop(job.job_id, None)) is not None:
            unsub()
        if (deadline := job_deadline(job, self.result_timeout)) is None:
            return
        due, status, reason = deadline

        @callback
        def _due(_now: datetime) -> None:
            self._timers.pop(job.job_id, None)
            if self.jobs.get(job.job_id) is job and not job.finished:
                LOGGER.debug("Edge job %s of %s: %s", job.job_id, job.device_id, reason)
                self._finish(job, status, reason=reason)

        self._timers[job.job_id] = async_track_point_in_utc_time(self.hass, _due, due)

    def _seen(self, device: EdgeDevice, wait: float | None) -> None:
        device.last_seen = _now()
        device.poll_window = wait

    def _updated(self, device_id: str) -> None:
        async_dispatcher_send(self.hass, signal_device_updated(device_id))
