"""The coordinator of one SwitchBot account: one full read at start, then only what is due.

Home Assistant's own polling model (one interval for everything) would spend the 10,000
calls/day on devices that push their changes anyway. Here every physical device has its
own next poll time (`polling.py`): devices without webhook push are polled on an interval
stretched to fit a share of the daily quota, devices that push get a slow safety poll
(which also checks that pushes arrive, `push_health.py`), and infrared remotes (which have
no status) are never polled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .cloud_reach import CloudReach
from .commands import CommandQueue
from .const import (
    DEFAULT_POLLING_SHARE,
    DEFAULT_STALENESS,
    DOMAIN,
    LOGGER,
    OPT_POLLING_SHARE,
    OPT_STALENESS,
)
from .device_list import signal_first_status
from .device_state import DeviceState, pollable_ids
from .polling import (
    CONFIRM_DELAY,
    ISSUE_QUOTA_HIGH,
    POLL_TICK,
    SAFETY_POLL_INTERVAL,
    PollPlan,
    QuotaWarning,
    budgeted_poll_interval,
    now_seconds,
)
from .push import MomentaryReleases, device_pushes
from .push_health import PushHealth, missed_change
from .switchbot_cloud import (
    Device,
    DeviceList,
    DeviceStatus,
    SwitchBotAuthenticationError,
    SwitchBotCloudClient,
    SwitchBotError,
)

type DeviceListener = Callable[[], None]


class RoomSenseCoordinator(DataUpdateCoordinator[dict[str, DeviceState]]):
    """Status of every physical device of one SwitchBot account."""

    def __init__(
        self,
        hass: HomeAssistant,
        client: SwitchBotCloudClient | None,
        device_list: DeviceList,
        options: dict[str, Any],
        config_entry: Any = None,
    ) -> None:
        """Track the devices of `device_list`; nothing is read until the first refresh.

        Without a client (a Bluetooth-only device) nothing is ever read from the cloud:
        states come from advertisements alone, and polling never starts.
        """
        super().__init__(hass, LOGGER, config_entry=config_entry, name=DOMAIN, update_interval=None)
        self.client = client
        self.device_list = device_list
        self.devices = {device.device_id: device for device in device_list.devices}
        self.options = options
        self.push_active = False
        # The URL SwitchBot pushes to, while it does.
        self.push_url: str | None = None
        self._push_health = PushHealth(self, self._schedule_all)
        self.cloud_error: str | None = None
        # Devices of the list whose status was never read, with why: their entities are
        # there, unavailable, and they are polled until a read (or a push) fills them in.
        self.unread: dict[str, str] = {}
        self._quota_warning = QuotaWarning(hass)
        self._plan = PollPlan()
        self._device_listeners: dict[str, list[DeviceListener]] = {}
        self._unsub_tick: CALLBACK_TYPE | None = None
        # Set by the entry: whether the cloud answers, and where commands wait while not.
        self.reach: CloudReach | None = None
        self.command_queue: CommandQueue | None = None
        self._releases = MomentaryReleases(hass, self._release_moment)
        self._stale: set[str] = set()
        # Devices whose status says more than their ids; only these are polled.
        self._pollable: set[str] = set()
        # Set by the entry: whether a device was heard over Bluetooth lately (then not polled).
        self.heard_locally: Callable[[str], bool] = lambda _device_id: False
        # Set by an entry that started without the cloud: called when it answers again.
        self.on_cloud_back: Callable[[], None] | None = None
        # Set by the entry's device-list watch: a device id the list lacks was heard of.
        self.on_unknown_device: Callable[[str], None] | None = None

    @property
    def push_trusted(self) -> bool:
        """Whether pushes really arrive; a read that finds a change no push reported ends it."""
        return self._push_health.trusted

    @property
    def _cloud(self) -> SwitchBotCloudClient:
        """The account's client; only an account's coordinator polls or counts calls."""
        if self.client is None:
            raise RuntimeError("a Bluetooth-only device has no cloud")
        return self.client

    # --- reading ------------------------------------------------------------------------

    async def _async_update_data(self) -> dict[str, DeviceState]:
        """Read the status of every device once (the first refresh)."""
        if self.client is None:
            return dict(self.data or {})
        client = self.client
        results = await asyncio.gather(
            *(client.get_status(device_id) for device_id in self.devices),
            return_exceptions=True,
        )
        data: dict[str, DeviceState] = dict(self.data or {})
        now = dt_util.utcnow()
        errors: list[BaseException] = []
        for device_id, result in zip(self.devices, results, strict=True):
            if isinstance(result, SwitchBotAuthenticationError):
                raise result
            if isinstance(result, BaseException):
                errors.append(result)
                if device_id not in data:
                    LOGGER.debug("No first status of %s: %s", device_id, result)
                    self.unread[device_id] = str(result) or type(result).__name__
                continue
            data[device_id] = DeviceState(status=result, confirmed_at=now)
            self.unread.pop(device_id, None)
        if errors and not data:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"error": str(errors[0])},
            )
        # A body with nothing but ids is not worth a call a poll; an unread one is.
        self._pollable = pollable_ids(data) | self.unread.keys()
        self._schedule_all()
        return data

    @callback
    def async_start_offline(
        self, states: dict[str, tuple[DeviceStatus, datetime | None]], error: str
    ) -> None:
        """Start from the states the account last gave: the cloud does not answer now.

        Each keeps the time it was confirmed, so it turns stale as it would have; polls try
        the cloud on their schedule.
        """
        self.cloud_error = error
        data = {
            device_id: DeviceState(status=status, confirmed_at=confirmed_at)
            for device_id, (status, confirmed_at) in states.items()
            if device_id in self.devices
        }
        self.unread = {device_id: error for device_id in self.devices if device_id not in data}
        self._pollable = pollable_ids(data) | self.unread.keys()
        self.async_set_updated_data(data)
        self._schedule_all()

    def _schedule_all(self) -> None:
        self._plan.schedule_all(self._pollable, now_seconds(), self._interval_for)

    def _polling_share(self) -> float:
        return float(self.options.get(OPT_POLLING_SHARE, DEFAULT_POLLING_SHARE)) / 100

    def _poll_only_count(self) -> int:
        return sum(1 for device_id in self._pollable if not self._pushes(device_id))

    def _pushes(self, device_id: str) -> bool:
        return (
            self.push_active
            and self.push_trusted
            and device_pushes(self.devices[device_id].device_type)
        )

    def poll_interval(self) -> float:
        """Seconds between reads of a device that does not push, within the poll budget."""
        return budgeted_poll_interval(
            self._cloud.counter.daily_limit * self._polling_share(),
            len(self._pollable),
            self._poll_only_count(),
        )

    def _interval_for(self, device_id: str) -> float:
        # A device never read is read as one that does not push, until it is.
        if self._pushes(device_id) and device_id not in self.unread:
            return SAFETY_POLL_INTERVAL
        return self.poll_interval()

    @callback
    def async_set_push_active(self, url: str | None) -> None:
        """Where SwitchBot pushes to (None: nowhere); it decides which devices need polls."""
        self.push_active = url is not None
        self.push_url = url
        self._schedule_all()

    @callback
    def async_start_polling(self) -> CALLBACK_TYPE:
        """Start the poll scheduler; returns the function that stops it."""
        self._unsub_tick = async_track_time_interval(
            self.hass, self._async_poll_due, POLL_TICK, name=f"{DOMAIN} poll"
        )
        return self._stop_polling

    @callback
    def _stop_polling(self) -> None:
        if self._unsub_tick:
            self._unsub_tick()
            self._unsub_tick = None
        self._releases.cancel()
        self._push_health.cancel()

    def _budget_left(self) -> bool:
        """Whether polling may spend another call today (commands are never held back)."""
        counter = self._cloud.counter
        return self._plan.may_spend(
            dt_util.utcnow().date().isoformat(),
            counter.daily_limit * self._polling_share(),
            counter,
        )

    async def _async_poll_due(self, _when: datetime | None = None) -> None:
        """Read the devices whose time has come, oldest first."""
        self._check_quota()
        if self.cloud_error is not None:
            # Entities show their staleness, and turn unavailable past the allowed age.
            self.async_update_listeners()
        # A state that just turned stale makes its entities unavailable: show it now.
        stale = {device_id for device_id in self.data or {} if self.is_stale(device_id)}
        for device_id in stale - self._stale:
            self._store(device_id, self.data[device_id])
        self._stale = stale
        if self.reach is not None and not self.reach.reachable:
            return  # the reach's probe finds the cloud back; reads would only wait
        now = now_seconds()
        for device_id in self._plan.due(now):
            if self.heard_locally(device_id):
                # Its advertisements keep it fresh: the cloud is asked again next time.
                self._plan.next_poll[device_id] = now + self._interval_for(device_id)
                continue
            if not self._budget_left():
                return
            await self.async_poll_device(device_id)

    async def async_poll_device(self, device_id: str) -> None:
        """Read one device now and reschedule it."""
        safety_read = self._pushes(device_id)
        self._plan.next_poll[device_id] = now_seconds() + self._interval_for(device_id)
        self._plan.polls_today += 1
        read_at = now_seconds()
        try:
            status = await self._cloud.get_status(device_id)
        except SwitchBotAuthenticationError as err:
            self._set_cloud_error(err)
            if self.config_entry is not None:
                self.config_entry.async_start_reauth(self.hass)
            return
        except SwitchBotError as err:
            if device_id in self.unread:
                self.unread[device_id] = str(err) or type(err).__name__
            self._set_cloud_error(err)
            return
        self._clear_cloud_error()
        known = self.data.get(device_id) if self.data else None
        # An optimistic state was never confirmed: a difference says the command did not take.
        checkable = known is not None and not known.optimistic
        field_name = missed_change(known.status.raw, status.raw) if known and checkable else None
        if safety_read and field_name is not None:
            self._push_health.suspect(device_id, field_name, read_at)
        self._store(device_id, DeviceState(status=status, confirmed_at=dt_util.utcnow()))
        if self.unread.pop(device_id, None) is not None:
            self._first_status_read(device_id)

    def _first_status_read(self, device_id: str) -> None:
        """A device's first status: poll it on only if it says more than ids; announce it."""
        if not pollable_ids({device_id: self.data[device_id]}):
            self._pollable.discard(device_id)
            self._plan.next_poll.pop(device_id, None)
        else:  # on the interval of what it is now known to be
            self._plan.next_poll[device_id] = now_seconds() + self._interval_for(device_id)
        if self.config_entry is not None:
            async_dispatcher_send(
                self.hass, signal_first_status(self.config_entry.entry_id), {device_id}
            )

    @callback
    def async_schedule_confirm(self, device_id: str) -> None:
        """Read a device back soon after a command, unless its push will confirm it."""
        if (
            device_id in self._pollable
            and not self._pushes(device_id)
            and not self.heard_locally(device_id)
        ):
            self._plan.next_poll[device_id] = now_seconds() + CONFIRM_DELAY

    # --- the account's device list (read again by device_list.py) --------------------------

    def spend_list_reads(self, calls: int) -> bool:
        """Take `calls` list or status reads out of polling's share; False if it is spent.

        Nothing is read while the cloud is known to be away (polls find it back).
        """
        if self.cloud_error is not None or not self._budget_left():
            return False
        self._plan.polls_today += calls
        return True

    def forget_device(self, device_id: str) -> None:
        """A device that left the account: its state, polls and timers go."""
        self.devices.pop(device_id, None)
        self.data.pop(device_id, None)
        self._plan.next_poll.pop(device_id, None)
        self._pollable.discard(device_id)
        self.unread.pop(device_id, None)
        self._releases.cancel(device_id)

    def take_up_device(self, device: Device, status: DeviceStatus | BaseException) -> None:
        """A device that joined the account, with its first status or why it has none."""
        self.devices[device.device_id] = device
        if isinstance(status, BaseException):
            # As at setup: its entities wait, unavailable, for a poll to read it.
            self.unread[device.device_id] = str(status) or type(status).__name__
            self._pollable.add(device.device_id)
            return
        self.data[device.device_id] = state = DeviceState(status, dt_util.utcnow())
        self._pollable |= pollable_ids({device.device_id: state})

    def devices_changed(self) -> None:
        """Devices came or went: the budget is shared by another number, plan every poll."""
        self._schedule_all()

    @callback
    def async_unknown_device(self, device_id: str) -> None:
        """A push named a device the list lacks: it may be new (the watch reads the list)."""
        if device_id not in self.devices and self.on_unknown_device is not None:
            self.on_unknown_device(device_id)

    # --- writing ------------------------------------------------------------------------

    @callback
    def async_set_optimistic(self, device_id: str, fields: dict[str, Any]) -> None:
        """Show the expected result of a command before the cloud confirms it."""
        state = self.data.get(device_id) if self.data else None
        if state is None:
            return
        self._store(
            device_id,
            state.with_fields(
                fields,
                confirmed_at=state.confirmed_at,
                sample_time=state.sample_time,
                optimistic=True,
            ),
        )

    @callback
    def async_apply_push(
        self, device_id: str, fields: dict[str, Any], sample_time: int | None
    ) -> bool:
        """Apply a pushed change; False when it is older than what is already known."""
        self._push_health.arrived(device_id)
        if self.reach is not None:
            self.reach.async_push_arrived()
        state = self.data.get(device_id) if self.data else None
        if state is None:
            return self._first_push(device_id, fields, sample_time)
        if (
            sample_time is not None
            and state.sample_time is not None
            and sample_time < state.sample_time
        ):
            return False
        self._store(
            device_id,
            state.with_fields(
                fields,
                confirmed_at=dt_util.utcnow(),
                sample_time=sample_time if sample_time is not None else state.sample_time,
            ),
        )
        self._releases.after_push(device_id, fields)
        return True

    def _first_push(self, device_id: str, fields: dict[str, Any], sample_time: int | None) -> bool:
        """A push for a device never read fills in what it says; a read soon does the rest."""
        device = self.devices.get(device_id)
        if device is None or device_id not in self.unread or self.data is None:
            return False
        self._store(
            device_id, DeviceState.first(device_id, device.device_type, fields, sample_time)
        )
        self._plan.next_poll[device_id] = now_seconds()
        return True

    @callback
    def async_apply_local(self, device_id: str, fields: dict[str, Any], sample_time: int) -> bool:
        """Apply what the device itself said over Bluetooth; the newer reading wins.

        `sample_time` is in milliseconds since the epoch, as the webhook's `timeOfSample`.
        """
        state = self.data.get(device_id) if self.data else None
        if state is None:
            return False
        if state.sample_time is not None and sample_time < state.sample_time:
            return False
        known = state.status.raw
        if not state.optimistic and all(known.get(key) == value for key, value in fields.items()):
            # An advertisement repeats itself several times a second: only news is stored,
            # but the state is fresh again.
            state.confirmed_at = dt_util.utcnow()
            state.sample_time = sample_time
            return False
        self._store(
            device_id,
            state.with_fields(fields, confirmed_at=dt_util.utcnow(), sample_time=sample_time),
        )
        return True

    def _release_moment(self, device_id: str, fields: dict[str, Any]) -> None:
        if (state := self.data.get(device_id)) is not None:
            self._store(
                device_id,
                state.with_fields(
                    fields, confirmed_at=state.confirmed_at, sample_time=state.sample_time
                ),
            )

    def _store(self, device_id: str, state: DeviceState) -> None:
        self.data[device_id] = state
        for listener in list(self._device_listeners.get(device_id, ())):
            listener()

    @callback
    def async_reach_changed(self) -> None:
        """The cloud went away (entities show staleness) or came back."""
        if self.reach is not None and self.reach.error is not None:
            self._set_cloud_error(self.reach.error)
        else:
            self._clear_cloud_error()

    def _set_cloud_error(self, err: SwitchBotError | str) -> None:
        if self.cloud_error is None:
            LOGGER.warning("SwitchBot cloud unavailable, keeping last known states: %s", err)
            self.cloud_error = str(err)
            self.async_update_listeners()

    def _clear_cloud_error(self) -> None:
        if self.cloud_error is not None:
            LOGGER.info("SwitchBot cloud is back")
            self.cloud_error = None
            self.async_update_listeners()
            if self.on_cloud_back is not None:
                self.on_cloud_back()

    def _check_quota(self) -> None:
        """Raise a repairs issue at 90 % of the daily quota; clear it on a new day."""
        counter = self._cloud.counter
        issue_id = f"{ISSUE_QUOTA_HIGH}_{self.config_entry.entry_id if self.config_entry else ''}"
        self._quota_warning.check(counter, issue_id)

    # --- listeners ----------------------------------------------------------------------

    @callback
    def async_add_device_listener(self, device_id: str, listener: DeviceListener) -> CALLBACK_TYPE:
        """Call `listener` when this one device changes; a push updates no other entity."""
        self._device_listeners.setdefault(device_id, []).append(listener)

        @callback
        def remove() -> None:
            self._device_listeners[device_id].remove(listener)

        return remove

    def is_stale(self, device_id: str) -> bool:
        """Whether the last confirmed state is older than the staleness the user allows.

        A device whose pushes arrive is quiet while nothing changes: it is stale only once
        its safety read, too, is overdue.
        """
        state = self.data.get(device_id) if self.data else None
        if state is None or state.confirmed_at is None:
            return True
        limit = float(self.options.get(OPT_STALENESS, DEFAULT_STALENESS))
        limit += SAFETY_POLL_INTERVAL if self._pushes(device_id) else 0
        return dt_util.utcnow() - state.confirmed_at > timedelta(seconds=limit)
