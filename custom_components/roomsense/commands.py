"""Commands issued while the SwitchBot cloud is away, delivered once when it is back.

The queue is a write-ahead log (`command_log.py`): a command is on disk before the caller
hears "queued", it is recorded as in flight before its request leaves, and its end is
recorded before the next one is sent. Whatever kills Home Assistant, at start a command
found in flight is sent again only if sending it twice does no harm (the catalog says it is
idempotent); any other ends as `outcome_unknown`, with the `roomsense_command_result` event
and a notification naming the device, since it may or may not have acted. Never twice,
never silently dropped.

A queued command waits until the cloud answers again (the account's `CloudReach` says so),
expires after a TTL, and its end is fired as `roomsense_command_result`. A non-idempotent
command waits only if it provably never reached the cloud.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from homeassistant.components import persistent_notification
from homeassistant.core import CALLBACK_TYPE, CoreState, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .command_log import CommandLog, LogRecord
from .const import DOMAIN, EVENT_COMMAND_RESULT, LOGGER
from .switchbot_cloud import SwitchBotCloudClient, SwitchBotConnectionError, SwitchBotError

RESULT_SUCCEEDED: Final = "succeeded"
RESULT_FAILED: Final = "failed"
RESULT_EXPIRED: Final = "expired"
RESULT_OUTCOME_UNKNOWN: Final = "outcome_unknown"


class _Op(StrEnum):
    """What a record of the log says of a command."""

    QUEUED = "queued"
    SENDING = "sending"  # its request is about to leave
    UNSENT = "unsent"  # the request failed; it waits again
    ENDED = "ended"


# The queue of releases before the write-ahead log: read once, then removed.
_OLD_STORE_VERSION: Final = 1


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
    device_name: str = ""

    @classmethod
    def from_dict(cls, data: Any) -> QueuedCommand:
        """Read a stored command; unknown keys (a newer release's) are ignored."""
        if not isinstance(data, dict):
            raise TypeError(f"not a command: {data!r}")
        known = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


type QueueListener = Callable[[], None]


class CommandQueue:
    """The commands of one account that wait for the cloud, oldest first."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        client: SwitchBotCloudClient,
        ttl: float,
        *,
        reachable: Callable[[], bool] = lambda: True,
    ) -> None:
        """Log the queue in `.storage/roomsense.<entry_id>.command_log`."""
        self.hass = hass
        self._entry_id = entry_id
        self._client = client
        self._ttl = ttl
        self._reachable = reachable
        self._log = CommandLog(hass, entry_id)
        self.pending: list[QueuedCommand] = []
        # Cut off by a crash and not sent again, until Home Assistant has started and said
        # so: they stay in the log as in flight, so a crash meanwhile cannot silence them.
        self._unannounced: list[QueuedCommand] = []
        self._listeners: dict[str, list[QueueListener]] = {}
        self._unsub_expiry: CALLBACK_TYPE | None = None
        # Announcements waiting for Home Assistant's start, each cancelled at close.
        self._unsub_started: list[CALLBACK_TYPE] = []
        self._drain: asyncio.Task[None] | None = None
        # One pass at a time: two passes would both send the oldest command.
        self._lock = asyncio.Lock()
        self._closed = False

    # --- start and stop ---------------------------------------------------------------------

    async def async_load(self) -> None:
        """Read the log; settle what was in flight when Home Assistant stopped."""
        in_flight: set[str] = set()
        by_id: dict[str, QueuedCommand] = {
            command.id: command for command in await self._async_read_old_store()
        }
        for record in await self._log.async_read():
            _replay(record, by_id, in_flight)
        self.pending = list(by_id.values())
        for queued in [queued for queued in self.pending if queued.id in in_flight]:
            if queued.idempotent:
                LOGGER.info(
                    "Sending %s to %s again: it was on its way", queued.command, queued.device_id
                )
            else:
                self.pending.remove(queued)
                self._unannounced.append(queued)
        if self._unannounced:
            self._once_started(self._async_announce_cut_off)
        await self._log.async_rewrite(self._records)
        self._schedule_expiry()
        if self.pending:
            self.async_start_drain()

    async def _async_read_old_store(self) -> list[QueuedCommand]:
        store: Store[list[dict[str, Any]]] = Store(
            self.hass, _OLD_STORE_VERSION, old_store_key(self._entry_id)
        )
        stored = await store.async_load()
        if stored is None:
            return []
        commands: list[QueuedCommand] = []
        for item in stored:
            try:
                commands.append(QueuedCommand.from_dict(item))
            except TypeError:
                LOGGER.warning("Dropping an unreadable queued SwitchBot command: %s", item)
        # Into the log first (async_load rewrites it), then the old file goes.
        await self._log.async_append(*(_queued_record(command) for command in commands))
        await store.async_remove()
        return commands

    async def async_close(self) -> None:
        """Stop sending; a request under way ends (and is logged) first."""
        self._closed = True
        if self._unsub_expiry:
            self._unsub_expiry()
            self._unsub_expiry = None
        while self._unsub_started:
            self._unsub_started.pop()()
        async with self._lock:
            await self._log.async_flush()

    # --- queueing ---------------------------------------------------------------------------

    async def async_enqueue(
        self,
        device_id: str,
        command: str,
        parameter: str | dict[str, Any],
        command_type: str,
        *,
        idempotent: bool = False,
        device_name: str = "",
    ) -> QueuedCommand:
        """Keep a command for the cloud's return; it is on disk when this returns."""
        now = dt_util.utcnow()
        queued = QueuedCommand(
            id=uuid.uuid4().hex,
            device_id=device_id,
            command=command,
            parameter=parameter,
            command_type=command_type,
            queued_at=now.isoformat(),
            expires_at=dt_util.utc_from_timestamp(now.timestamp() + self._ttl).isoformat(),
            idempotent=idempotent,
            device_name=device_name,
        )
        # Pending first: a rewrite of the log meanwhile keeps it.
        self.pending.append(queued)
        try:
            await self._log.async_append(_queued_record(queued))
        except OSError:
            self.pending.remove(queued)
            raise
        self._schedule_expiry()
        self._changed(device_id)
        self.async_start_drain()
        return queued

    def has_pending(self, device_id: str) -> bool:
        """Whether commands for the device wait: a new one goes behind them."""
        return any(queued.device_id == device_id for queued in self.pending)

    def latest_for(self, device_id: str) -> QueuedCommand | None:
        """The device's newest waiting command, if any."""
        return next(
            (queued for queued in reversed(self.pending) if queued.device_id == device_id), None
        )

    @callback
    def async_add_listener(self, device_id: str, listener: QueueListener) -> CALLBACK_TYPE:
        """Call `listener` whenever a command for the device is queued or ends."""
        self._listeners.setdefault(device_id, []).append(listener)
        return lambda: self._listeners[device_id].remove(listener)

    def _changed(self, device_id: str) -> None:
        for listener in list(self._listeners.get(device_id, ())):
            listener()

    # --- draining ---------------------------------------------------------------------------

    @callback
    def async_start_drain(self) -> None:
        """Send what waits, now, if the cloud is thought reachable and no pass is under way."""
        if self._closed or not self.pending or not self._reachable():
            return
        if self._drain is None or self._drain.done():
            self._drain = self.hass.async_create_task(
                self.async_process(), f"{DOMAIN} command queue", eager_start=False
            )

    async def async_process(self) -> None:
        """Send what is due, in order; stop at the first sign that the cloud is away."""
        async with self._lock:
            await self._async_process()
            await self._async_tidy()

    async def _async_process(self) -> None:
        while self.pending and not self._closed and self._reachable():
            queued = self.pending[0]
            if _expired(queued, dt_util.utcnow()):
                self._end(queued, RESULT_EXPIRED, "the cloud did not come back in time")
                continue
            queued.attempts += 1
            # Written with the previous command's end: both are on disk before this leaves.
            await self._log.async_append({"op": _Op.SENDING, "id": queued.id})
            try:
                await self._client.send_command(
                    queued.device_id,
                    queued.command,
                    queued.parameter,
                    queued.command_type,
                    idempotent=queued.idempotent,
                    attempts=1,  # a failure means the cloud went away again: wait for it
                )
            except SwitchBotConnectionError as err:
                if err.request_sent and not queued.idempotent:
                    # It may have run: sending it again could run it twice.
                    self._end(queued, RESULT_OUTCOME_UNKNOWN, str(err))
                    continue
                # The cloud is away again (its reach now says so): wait for its return.
                self._log.append_later({"op": _Op.UNSENT, "id": queued.id})
                return
            except SwitchBotError as err:
                self._end(queued, RESULT_FAILED, str(err))
                continue
            self._end(queued, RESULT_SUCCEEDED, None)

    async def _async_tidy(self) -> None:
        """Write the ends of the pass; rewrite the log once it holds nothing more, or too much."""
        if not self.pending or self._log.needs_compaction(len(self.pending)):
            await self._log.async_rewrite(self._records)
        else:
            await self._log.async_flush()

    def _records(self) -> list[LogRecord]:
        """What a rewritten log holds: the commands still waiting, and those cut off."""
        cut_off = [
            record
            for queued in self._unannounced
            for record in (_queued_record(queued), {"op": _Op.SENDING, "id": queued.id})
        ]
        return [_queued_record(queued) for queued in self.pending] + cut_off

    # --- expiry -----------------------------------------------------------------------------

    def _schedule_expiry(self) -> None:
        """Wake at the oldest command's expiry, to end it then even if the cloud is away."""
        if self._unsub_expiry:
            self._unsub_expiry()
            self._unsub_expiry = None
        times = [_expiry(queued) for queued in self.pending]
        if self._closed or not times:
            return
        self._unsub_expiry = async_track_point_in_utc_time(
            self.hass, self._async_expire_due, min(times)
        )

    async def _async_expire_due(self, now: datetime) -> None:
        self._unsub_expiry = None
        async with self._lock:
            for queued in [queued for queued in self.pending if _expired(queued, now)]:
                self._end(queued, RESULT_EXPIRED, "the cloud did not come back in time")
            await self._async_tidy()
        self._schedule_expiry()

    # --- ends -------------------------------------------------------------------------------

    def _once_started(self, announce: Callable[[HomeAssistant], Any]) -> None:
        """Run `announce` now, or once Home Assistant has started if it has not yet.

        During start-up automations may not listen yet; while Home Assistant stops (a
        command under way may end then) it never starts again, so that is not waited for.
        """
        if self.hass.state in (CoreState.not_running, CoreState.starting):
            self._unsub_started.append(async_at_started(self.hass, announce))
        else:
            self.hass.async_run_hass_job(HassJob(announce), self.hass)

    def _end(self, queued: QueuedCommand, result: str, error: str | None) -> None:
        """Take a command out of the queue; log its end and tell whoever listens."""
        self.pending.remove(queued)
        self._log_end(queued, result, error)

    def _log_end(self, queued: QueuedCommand, result: str, error: str | None) -> None:
        """Log a command's end (written with the next append) and tell whoever listens."""
        self._log.append_later({"op": _Op.ENDED, "id": queued.id, "result": result})
        LOGGER.debug("Queued SwitchBot command %s %s: %s", queued.command, result, error or "")
        data = {**asdict(queued), "result": result, "error": error}

        @callback
        def announce(hass: HomeAssistant) -> None:
            hass.bus.async_fire(EVENT_COMMAND_RESULT, data)
            if result == RESULT_OUTCOME_UNKNOWN:
                self._notify_unknown(queued)

        self._once_started(announce)
        self._changed(queued.device_id)

    async def _async_announce_cut_off(self, _hass: HomeAssistant) -> None:
        """Say which commands a crash cut off; then their ends go in the log."""
        announced, self._unannounced = self._unannounced, []
        for queued in announced:
            self._log_end(
                queued, RESULT_OUTCOME_UNKNOWN, "Home Assistant stopped while it was sent"
            )
        await self._log.async_flush()

    def _notify_unknown(self, queued: QueuedCommand) -> None:
        device = queued.device_name or queued.device_id
        persistent_notification.async_create(
            self.hass,
            f"{device} may or may not have done `{queued.command}`: it was on its way to the "
            "SwitchBot cloud when the connection or Home Assistant stopped. RoomSense does not "
            "send it again, because sending it twice could run it twice. Check the device.",
            title="RoomSense: a command may not have run",
            notification_id=f"{DOMAIN}_outcome_unknown_{queued.id}",
        )


def _replay(record: LogRecord, by_id: dict[str, QueuedCommand], in_flight: set[str]) -> None:
    """Apply one log record to the commands read so far."""
    match record.get("op"):
        case _Op.QUEUED:
            try:
                queued = QueuedCommand.from_dict(record.get("command"))
            except TypeError as err:
                LOGGER.warning("Dropping an unreadable queued SwitchBot command: %s", err)
                return
            by_id[queued.id] = queued
        case _Op.SENDING if (queued_or_none := by_id.get(str(record.get("id")))) is not None:
            queued_or_none.attempts += 1
            in_flight.add(queued_or_none.id)
        case _Op.UNSENT:
            in_flight.discard(str(record.get("id")))
        case _Op.ENDED:
            by_id.pop(str(record.get("id")), None)
            in_flight.discard(str(record.get("id")))


def _queued_record(queued: QueuedCommand) -> LogRecord:
    return {"op": _Op.QUEUED, "command": asdict(queued)}


def _expiry(queued: QueuedCommand) -> datetime:
    expires = dt_util.parse_datetime(queued.expires_at)
    # An unreadable expiry counts as expired.
    return expires if expires is not None else dt_util.utc_from_timestamp(0)


def _expired(queued: QueuedCommand, now: datetime) -> bool:
    return _expiry(queued) <= now


def old_store_key(entry_id: str) -> str:
    """The `.storage` key of the queue before the write-ahead log."""
    return f"{DOMAIN}.{entry_id}.command_queue"


async def async_remove_command_queue(hass: HomeAssistant, entry_id: str) -> None:
    """Forget a removed entry's queue."""
    await CommandLog(hass, entry_id).async_remove()
    await Store[Any](hass, _OLD_STORE_VERSION, old_store_key(entry_id)).async_remove()
