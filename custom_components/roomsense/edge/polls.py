"""The long polls of edge devices: which are open, what wakes them, who counts as connected.

A device waits for its next job in a long poll; a job queued for it wakes the poll at
once. A device counts as connected while it waits in a poll, or when it was seen within
two of its poll windows (it is between two polls).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Final

from homeassistant.util import dt as dt_util

from .models import EdgeDevice

DEFAULT_POLL_WINDOW: Final = 25.0
# A device polling without waiting (the old five-second design) still counts as connected.
MIN_POLL_WINDOW: Final = 5.0


def connected_until(device: EdgeDevice) -> datetime | None:
    """When the device stops counting as connected, from when it was last seen."""
    if device.last_seen is None:
        return None
    window = DEFAULT_POLL_WINDOW if device.poll_window is None else device.poll_window
    window = max(window, MIN_POLL_WINDOW)
    return dt_util.parse_datetime(device.last_seen, raise_on_error=True) + timedelta(
        seconds=2 * window
    )


class LongPolls:
    """The long polls open now, per device, and the events that wake them."""

    def __init__(self) -> None:
        """No poll is open yet."""
        self._arrivals: dict[str, asyncio.Event] = {}
        self._open: dict[str, int] = {}

    def is_open(self, device_id: str) -> bool:
        """Whether the device waits in a long poll right now."""
        return bool(self._open.get(device_id))

    def opened(self, device_id: str) -> bool:
        """A poll of the device opened; True when it is its only one."""
        self._open[device_id] = self._open.get(device_id, 0) + 1
        return self._open[device_id] == 1

    def closed(self, device_id: str, *, registered: bool) -> int:
        """A poll of the device ended; the polls it still has open (a deleted one has none)."""
        still_open = self._open.pop(device_id, 1) - 1
        if registered and still_open:
            self._open[device_id] = still_open
        return still_open

    async def async_wait(self, device_id: str, seconds: float) -> bool:
        """Wait until something wakes the device's polls; False when `seconds` passed first."""
        event = self._arrivals.setdefault(device_id, asyncio.Event())
        try:
            async with asyncio.timeout(seconds):
                await event.wait()
        except TimeoutError:
            return False
        return True

    def wake(self, device_id: str) -> None:
        """A job arrived for the device (or it went): its open polls look again."""
        if (event := self._arrivals.pop(device_id, None)) is not None:
            event.set()

    def wake_all(self) -> None:
        """Home Assistant stops: every open poll looks again, and ends."""
        for event in self._arrivals.values():
            event.set()

    def forget(self, device_id: str) -> None:
        """The device was deleted: its open polls end."""
        self._open.pop(device_id, None)
        self.wake(device_id)
