"""Commands issued while the SwitchBot cloud is unreachable, kept until it returns.

A queued command lives in a `Store`, so it survives a restart; it is retried with
backoff, expires after a TTL, and its outcome is fired as `roomsense_command_result`.
An idempotent command (sending it twice does what sending it once does) waits whatever
the transport error was; any other waits only if it provably never reached the cloud,
and a retry whose request may have arrived is never repeated: a `toggle` must not run
twice.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, EVENT_COMMAND_RESULT, LOGGER
from .switchbot_cloud import SwitchBotCloudClient, SwitchBotConnectionError, SwitchBotError

STORAGE_VERSION: Final = 1
FIRST_RETRY: Final = 5.0
MAX_RETRY: Final = 120.0

RESULT_SUCCEEDED: Final = "succeeded"
RESULT_FAILED: Final = "failed"
RESULT_EXPIRED: Final = "expired"


@dataclass
class QueuedCommand:
    """One command waiting for the cloud."""

    id: str
    device_id: str
    command: str
    parameter: str | dict[str, Any]
    command_type: str
    queued_at: str
    expires_at: str
    attempts: int = 0
    # Stored before idempotency was known: False, the cautious reading.
    idempotent: bool = False


class CommandQueue:
    """The commands of one account that wait for the cloud, oldest first."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, client: SwitchBotCloudClient, ttl: float
    ) -> None:
        """Keep the queue in `.storage/roomsense.<entry_id>.command_queue`."""
        self.hass = hass
        self._client = client
        self._ttl = timedelta(seconds=ttl)
        self._store = _queue_store(hass, entry_id)
        self.pending: list[QueuedCommand] = []
        self._delay = FIRST_RETRY
        self._unsub_retry: CALLBACK_TYPE | None = None
        # One pass at a time: two passes would both send the oldest command.
        self._lock = asyncio.Lock()
        self._closed = False

    async def async_load(self) -> None:
        """Restore what was queued before a restart and try it soon."""
        stored = await self._store.async_load() or []
        for item in stored:
            try:
                self.pending.append(QueuedCommand(**item))
            except TypeError:
                LOGGER.warning("Dropping an unreadable queued SwitchBot command: %s", item)
        if self.pending:
            self._schedule(FIRST_RETRY)

    async def async_enqueue(
        self,
        device_id: str,
        command: str,
        parameter: str | dict[str, Any],
        command_type: str,
        *,
        idempotent: bool = False,
    ) -> QueuedCommand:
        """Keep a command that could not reach the cloud."""
        now = dt_util.utcnow()
        queued = QueuedCommand(
            id=uuid.uuid4().hex,
            device_id=device_id,
            command=command,
            parameter=parameter,
            command_type=command_type,
            queued_at=now.isoformat(),
            expires_at=(now + self._ttl).isoformat(),
            idempotent=idempotent,
        )
        self.pending.append(queued)
        await self._async_save()
        # A pass under way picks the new command up itself.
        if self._unsub_retry is None and not self._lock.locked():
            self._delay = FIRST_RETRY
            self._schedule(self._delay)
        return queued

    @callback
    def async_shutdown(self) -> None:
        """Stop retrying (the queue itself stays in storage)."""
        self._closed = True
        if self._unsub_retry:
            self._unsub_retry()
            self._unsub_retry = None

    def _schedule(self, delay: float) -> None:
        if not self._closed:
            self._unsub_retry = async_call_later(self.hass, delay, self._async_retry)

    async def _async_retry(self, _now: datetime | None = None) -> None:
        self._unsub_retry = None
        await self.async_process()

    async def async_process(self) -> None:
        """Send what is due, in order; stop at the first sign that the cloud is still away."""
        async with self._lock:
            await self._async_process()

    async def _async_process(self) -> None:
        now = dt_util.utcnow()
        # A queue shut down (its entry unloaded or reloaded) leaves the rest to its successor.
        while self.pending and not self._closed:
            queued = self.pending[0]
            expires = dt_util.parse_datetime(queued.expires_at)
            if expires is None or expires <= now:
                self._finish(queued, RESULT_EXPIRED, "the cloud did not come back in time")
                continue
            queued.attempts += 1
            try:
                await self._client.send_command(
                    queued.device_id,
                    queued.command,
                    queued.parameter,
                    queued.command_type,
                    idempotent=queued.idempotent,
                )
            except SwitchBotConnectionError as err:
                if err.request_sent and not queued.idempotent:
                    # It may have run: sending it again could run it twice.
                    self._finish(queued, RESULT_FAILED, f"outcome unknown: {err}")
                    continue
                await self._async_save()
                self._delay = min(self._delay * 2, MAX_RETRY)
                self._schedule(self._delay)
                return
            except SwitchBotError as err:
                self._finish(queued, RESULT_FAILED, str(err))
                continue
            self._finish(queued, RESULT_SUCCEEDED, None)
        self._delay = FIRST_RETRY
        await self._async_save()

    def _finish(self, queued: QueuedCommand, result: str, error: str | None) -> None:
        self.pending.remove(queued)
        LOGGER.debug("Queued SwitchBot command %s %s: %s", queued.command, result, error or "")
        self.hass.bus.async_fire(
            EVENT_COMMAND_RESULT, {**asdict(queued), "result": result, "error": error}
        )

    async def _async_save(self) -> None:
        await self._store.async_save([asdict(queued) for queued in self.pending])


def _queue_store(hass: HomeAssistant, entry_id: str) -> Store[list[dict[str, Any]]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.command_queue")


async def async_remove_command_queue(hass: HomeAssistant, entry_id: str) -> None:
    """Forget a removed entry's queue (it is written at once, so nothing is pending)."""
    await _queue_store(hass, entry_id).async_remove()
