"""Where the edge devices and their jobs are kept: two `.storage` files, one written ahead.

`roomsense.edge` holds the devices, the finished jobs (with their results, up to 1 MiB
each) and the result timeout last applied; it is written a moment after a change, so a
burst is one write. `roomsense.edge.active` holds the jobs still queued or dispatched,
and the finished ones not yet in `roomsense.edge` (at most 20; then that is written at
once): it is written before a job's id is answered and before a device gets a job, so no
kill loses an accepted job or a result or hands a job out twice, and those writes stay
cheap however many results the history holds.

At start a job found in both files is read from the one that knows more: its finished
record if it has one, else its record in the active file (written ahead, so the newer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from homeassistant.core import HomeAssistant

from ..const import DOMAIN
from ..persisted import DelayedStore, readable_records
from .models import FINISHED_STATUSES, EdgeDevice, EdgeJob

STORAGE_KEY: Final = f"{DOMAIN}.edge"
ACTIVE_STORAGE_KEY: Final = f"{DOMAIN}.edge.active"

type Saved = Callable[[], dict[str, Any]]


class EdgeStore:
    """The edge manager's two files."""

    def __init__(self, hass: HomeAssistant, kept: Saved, active: Saved) -> None:
        """`kept()` gives the devices and finished jobs, `active()` the other jobs."""
        self._kept = DelayedStore(hass, STORAGE_KEY, kept)
        self._active = DelayedStore(hass, ACTIVE_STORAGE_KEY, active)

    async def async_load(self) -> tuple[list[EdgeDevice], list[EdgeJob], float | None]:
        """The devices, every job in creation order, and the result timeout last applied."""
        kept = await self._kept.async_load() or {}
        active = await self._active.async_load() or {}
        devices = list(
            readable_records(
                kept.get("devices", []),
                EdgeDevice.from_dict,
                (TypeError, ValueError),
                "Dropping an unreadable edge device record: %s",
            )
        )
        jobs: dict[str, EdgeJob] = {}
        # Releases before the active file kept every job in `roomsense.edge`.
        for raws in (kept.get("jobs", []), active.get("jobs", [])):
            for job in readable_records(
                raws,
                EdgeJob.from_dict,
                (KeyError, TypeError, ValueError),
                "Dropping an unreadable edge job record: %r",
            ):
                known = jobs.get(job.job_id)
                if known is None or known.status not in FINISHED_STATUSES:
                    jobs[job.job_id] = job
        timeout = kept.get("result_timeout")
        applied = float(timeout) if isinstance(timeout, int | float) and timeout > 0 else None
        return devices, sorted(jobs.values(), key=lambda job: job.created_at), applied

    def save(self) -> None:
        """Write both files soon."""
        self._kept.save()
        self._active.save()

    async def async_write_kept(self) -> None:
        """Return once the devices and finished jobs, as they are now, are on disk."""
        await self._kept.async_write_now()

    async def async_write_jobs_ahead(self) -> None:
        """Return once the queued and dispatched jobs, as they are now, are on disk."""
        await self._active.async_write_now()

    async def async_flush(self) -> None:
        """Write both files now."""
        await self._kept.async_flush()
        await self._active.async_flush()
