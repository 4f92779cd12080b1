"""What RoomSense keeps in `.storage`: delayed writes, and the records read back.

A burst of changes is written once, `delay` seconds after the first; Home Assistant also
writes what is pending when it stops. A stored record that no longer reads (an older
version wrote it, or a hand edit broke it) is dropped with a log line: one bad record must
not cost the others, or the integration.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import LOGGER

STORAGE_VERSION: Final = 1
# Long enough to make one write of a burst of changes, short enough to lose nothing that
# matters if the machine dies.
DEFAULT_SAVE_DELAY: Final = 1.0


class DelayedStore[DataT: Mapping[str, Any]]:
    """One `.storage` file, written from `data()` a moment after each change."""

    def __init__(
        self,
        hass: HomeAssistant,
        key: str,
        data: Callable[[], DataT],
        *,
        delay: float = DEFAULT_SAVE_DELAY,
    ) -> None:
        """Write `data()` under `key`; `save` waits `delay` seconds to coalesce changes."""
        self._store: Store[DataT] = Store(hass, STORAGE_VERSION, key)
        self.hass = hass
        self._data = data
        self._delay = delay
        # Writes started and finished by `async_write_now`, and the one running.
        self._started = self._finished = 0
        self._writing: asyncio.Future[None] | None = None

    async def async_load(self) -> DataT | None:
        """What was written last; None when nothing was."""
        return await self._store.async_load()

    def save(self) -> None:
        """Write soon; changes until then go in the same write."""
        self._store.async_delay_save(self._data, self._delay)

    async def async_flush(self) -> None:
        """Write now."""
        await self._store.async_save(self._data())

    async def async_write_now(self) -> None:
        """Return once what changed before this call is on disk (write ahead of acting).

        Calls that come while a write runs share the next one: a burst costs two writes,
        not one each, and `data()` is built once per write, not once per call (`Store`'s
        own `async_save` takes the data from each caller: for a queue of thousands of jobs
        that is a copy of the queue per job).
        """
        wanted = self._started + 1  # the first write that starts after this call
        while self._finished < wanted:
            if self._writing is not None:
                # Wait for it; if it failed, the loop starts another (whose failure is ours).
                await asyncio.shield(self._writing)
                continue
            self._started += 1
            number = self._started
            self._writing = writing = self.hass.loop.create_future()
            try:
                await self._store.async_save(self._data())
                self._finished = max(self._finished, number)
            finally:
                self._writing = None
                writing.set_result(None)


def readable_records[RecordT](
    raws: Iterable[Any],
    read: Callable[[Any], RecordT],
    errors: tuple[type[Exception], ...],
    message: str,
    *,
    level: int = logging.WARNING,
) -> Iterator[RecordT]:
    """Each stored record that `read` takes; the others are logged (`message` % error)."""
    for raw in raws:
        try:
            yield read(raw)
        except errors as err:
            LOGGER.log(level, message, err)
