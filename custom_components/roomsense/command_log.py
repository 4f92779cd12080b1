"""The command queue's write-ahead log: one JSON record per line, appended and synced to disk.

A `Store` rewrites its whole file, a moment after a change; a queue written that way loses
what happened since its last write when the power goes, which is how commands delivered
before a kill were sent again after it. This log is appended to instead, and every append
is on disk (fsync) before the caller goes on: a command is recorded as in flight before its
request leaves, and its end before the next one is sent.

Appends that arrive together are written together (one write, one fsync), in order. A last
line cut short by a crash is the record whose append never finished, so nothing was done on
its strength; it is dropped when the log is read. The log is rewritten, atomically, with
only what still waits when it is read at start and when it has grown long.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import STORAGE_DIR

from .const import DOMAIN, LOGGER

type LogRecord = dict[str, Any]

# Rewrite the log when it holds this many more lines than records still alive.
COMPACT_SLACK: Final = 2000


class CommandLog:
    """The append-only file of one account's command queue."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """The log of `entry_id` in `.storage/roomsense.<entry_id>.command_log`."""
        self.hass = hass
        self.path = Path(hass.config.path(STORAGE_DIR, log_file_name(entry_id)))
        self._buffer: list[bytes] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._writer: asyncio.Task[None] | None = None
        # One write or rewrite at a time: an append racing a rewrite could land in the
        # file being replaced, and be lost.
        self._io = asyncio.Lock()
        self.lines = 0

    async def async_read(self) -> list[LogRecord]:
        """Every whole record of the log, oldest first."""
        return await self.hass.async_add_executor_job(self._read)

    def _read(self) -> list[LogRecord]:
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        records: list[LogRecord] = []
        lines = text.split("\n")
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                # The last line: an append the crash cut short. Elsewhere: damage.
                last = number == len(lines) or (number == len(lines) - 1 and not lines[-1])
                LOGGER.log(
                    logging.INFO if last else logging.WARNING,
                    "Skipping %s line %d of %s: %s",
                    "the unfinished" if last else "an unreadable",
                    number,
                    self.path.name,
                    line[:80],
                )
                continue
            if isinstance(record, dict):
                records.append(record)
        self.lines = len(records)
        return records

    def append_later(self, *records: LogRecord) -> None:
        """Add records to the next write, without waiting for it."""
        self._buffer.extend(_encode(record) for record in records)
        self.lines += len(records)

    async def async_append(self, *records: LogRecord) -> None:
        """Add records (after any added before) and return once they are on disk."""
        self.append_later(*records)
        waiter: asyncio.Future[None] = self.hass.loop.create_future()
        self._waiters.append(waiter)
        if self._writer is None or self._writer.done():
            self._writer = self.hass.async_create_background_task(
                self._async_write_all(), f"{DOMAIN} command log"
            )
        await waiter

    async def async_flush(self) -> None:
        """Write what was added without waiting, if anything."""
        if self._buffer or self._writer is not None:
            await self.async_append()

    async def _async_write_all(self) -> None:
        while self._waiters:
            data, waiters = b"".join(self._buffer), self._waiters
            self._buffer, self._waiters = [], []
            try:
                if data:
                    async with self._io:
                        await self.hass.async_add_executor_job(self._write, data)
            except OSError as err:
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_exception(err)
                continue
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    def _write(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            _write_whole(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def needs_compaction(self, alive: int) -> bool:
        """Whether the log holds far more lines than the `alive` records it must keep."""
        return self.lines > alive + COMPACT_SLACK

    async def async_rewrite(self, records: Callable[[], Iterable[LogRecord]]) -> None:
        """Replace the log by what `records()` gives then, atomically.

        A crash leaves the old log or the new one; appends made meanwhile follow in the new.
        """
        await self.async_flush()
        async with self._io:
            data = b"".join(_encode(record) for record in records())
            await self.hass.async_add_executor_job(self._replace, data)
        self.lines = data.count(b"\n")

    def _replace(self, data: bytes) -> None:
        if not data:
            self.path.unlink(missing_ok=True)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _write_whole(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    async def async_remove(self) -> None:
        """Delete the log (its entry was removed)."""
        await self.hass.async_add_executor_job(self._replace, b"")


def log_file_name(entry_id: str) -> str:
    """The log's file name in `.storage`."""
    return f"{DOMAIN}.{entry_id}.command_log"


def _encode(record: LogRecord) -> bytes:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def _write_whole(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]
