"""The coordinator of one SwitchBot account: one full read at start, then only what is due.

Home Assistant's own polling model (one interval for everything) would spend the 10,000
calls/day on devices that push their changes anyway. Here every physical device has its
own next poll time: devices without webhook push are polled on an interval stretched to
fit a share of the daily quota, devices that push get a slow safety poll, and infrared
remotes (which have no status) are never polled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later, async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .commands import CommandQueue
from .const import (
    DEFAULT_POLLING_SHARE,
    DEFAULT_STALENESS,
    DOMAIN,
    LOGGER,
    OPT_POLLING_SHARE,
    OPT_STALENESS,
)
from .push import device_pushes
from .switchbot_cloud import (
    Device,
    DeviceList,
    DeviceStatus,
    SwitchBotAuthenticationError,
    SwitchBotCloudClient,
    SwitchBotError,
)

POLL_TICK = timedelta(seconds=15)
# Preferred interval of devices that do not push (with the tick, under 10 minutes stale);
# stretched when the budget requires.
PREFERRED_POLL_INTERVAL = 540.0
# A device that pushes is still read now and then, in case an event was lost.
SAFETY_POLL_INTERVAL = 6 * 3600.0
# After a command to a device that does not push, its status is read back this soon.
CONFIRM_DELAY = 5.0
SECONDS_PER_DAY = 86_400.0
QUOTA_WARNING_SHARE = 0.9
# Pushed fields that report a moment, not a state (a doorbell press): released after this.
MOMENTARY_FIELDS = ("press",)
MOMENTARY_SECONDS = 5.0
ISSUE_QUOTA_HIGH = "quota_high"
ISSUE_PUSH_NOT_ARRIVING = "push_not_arriving"
# A read that finds a change before its push arrives is a race, not a lost push: the push
# has this long to come.
PUSH_GRACE = 60.0
# Status fields whose change SwitchBot pushes (reference §7, in status-endpoint names).
# Measurements that drift (temperature, humidity, light level, battery, power draw) are left
# out: a device may report them without pushing every step.
PUSHED_STATE_FIELDS = frozenset(
    {
        "power", "lockState", "doorState", "openState", "moveDetected", "Detected", "status",
        "slidePosition", "color", "colorTemperature", "mode", "workingStatus", "switchStatus",
        "switch1Status", "switch2Status", "doorStatus", "fanSpeed", "oscillation", "nightStatus",
    }
)  # fmt: skip

type DeviceListener = Callable[[], None]

_ID_FIELDS = frozenset({"deviceId", "deviceType", "hubDeviceId", "version"})


def _now() -> float:
    """Seconds on Home Assistant's clock, which tests and benches can move."""
    return dt_util.utcnow().timestamp()


def missed_change(known: dict[str, Any], read: dict[str, Any]) -> str | None:
    """A pushed field whose value a read found different from what is known, if any."""
    for field_name in PUSHED_STATE_FIELDS & known.keys() & read.keys():
        if known[field_name] != read[field_name]:
            return field_name
    # Lights push their brightness (a number); a contact sensor's bright/dim drifts.
    old, new = known.get("brightness"), read.get("brightness")
    if isinstance(old, int) and isinstance(new, int) and old != new:
        return "brightness"
    return None


@dataclass
class DeviceState:
    """What is known of one device: its last status and when the cloud confirmed it."""

    status: DeviceStatus
    confirmed_at: datetime | None
    sample_time: int | None = None
    optimistic: bool = False

    def merged(self, fields: dict[str, Any]) -> DeviceStatus:
        """The status with some fields replaced."""
        return DeviceStatus.from_dict({**self.status.raw, **fields})


@dataclass
class _PollPlan:
    next_poll: dict[str, float] = field(default_factory=dict)
    polls_today: int = 0
    day: str = ""


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
        self.devices: dict[str, Device] = {
            device.device_id: device for device in device_list.devices
        }
        self.options = options
        self.push_active = False
        # The URL SwitchBot pushes to, while it does.
        self.push_url: str | None = None
        # Whether pushes really arrive; a read that finds a change no push reported ends it.
        self.push_trusted = True
        self._last_push: dict[str, float] = {}
        self._suspicions: dict[str, CALLBACK_TYPE] = {}
        self.cloud_error: str | None = None
        # Whether the quota issue is raised; None until first checked (it may be left over).
        self._quota_warned: bool | None = None
        self._plan = _PollPlan()
        self._device_listeners: dict[str, list[DeviceListener]] = {}
        self._unsub_tick: CALLBACK_TYPE | None = None
        # Set by the entry: where commands wait while the cloud is unreachable.
        self.command_queue: CommandQueue | None = None
        self._releases: dict[str, CALLBACK_TYPE] = {}
        # Devices whose status says more than their ids; only these are polled.
        self._pollable: set[str] = set()
        # Set by the entry when devices are also heard over Bluetooth: whether one was
        # heard lately. Such a device needs no cloud poll.
        self.heard_locally: Callable[[str], bool] = lambda _device_id: False
        # Set by an entry that started without the cloud: called when it answers again.
        self.on_cloud_back: Callable[[], None] | None = None

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
                continue
            data[device_id] = DeviceState(status=result, confirmed_at=now)
        if errors and not data:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"error": str(errors[0])},
            )
        # A body with nothing but ids (Hub Mini, keypads, cameras) is not worth a call a poll.
        self._pollable = {
            device_id for device_id, state in data.items() if state.status.raw.keys() - _ID_FIELDS
        }
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
        self._pollable = {
            device_id for device_id, state in data.items() if state.status.raw.keys() - _ID_FIELDS
        }
        self.async_set_updated_data(data)
        self._schedule_all()

    def _schedule_all(self) -> None:
        start = _now()
        self._plan.next_poll = {
            device_id: start + self._interval_for(device_id) for device_id in self._pollable
        }

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
        budget = max(self._cloud.counter.daily_limit * self._polling_share(), 1.0)
        safety_calls = (len(self._pollable) - self._poll_only_count()) * (
            SECONDS_PER_DAY / SAFETY_POLL_INTERVAL
        )
        poll_budget = max(budget - safety_calls, 1.0)
        needed = SECONDS_PER_DAY * self._poll_only_count() / poll_budget
        return max(PREFERRED_POLL_INTERVAL, needed)

    def _interval_for(self, device_id: str) -> float:
        return SAFETY_POLL_INTERVAL if self._pushes(device_id) else self.poll_interval()

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
        for release in self._releases.values():
            release()
        self._releases.clear()
        for suspicion in self._suspicions.values():
            suspicion()
        self._suspicions.clear()

    def _budget_left(self) -> bool:
        """Whether polling may spend another call today (commands are never held back)."""
        today = dt_util.utcnow().date().isoformat()
        if today != self._plan.day:
            self._plan.day = today
            self._plan.polls_today = 0
        return (
            self._plan.polls_today < self._cloud.counter.daily_limit * self._polling_share()
            and self._cloud.counter.remaining > 0
        )

    async def _async_poll_due(self, _when: datetime | None = None) -> None:
        """Read the devices whose time has come, oldest first."""
        self._check_quota()
        if self.cloud_error is not None:
            # Entities show their staleness, and turn unavailable past the allowed age.
            self.async_update_listeners()
        now = _now()
        due = sorted(
            (when, device_id) for device_id, when in self._plan.next_poll.items() if when <= now
        )
        for _due, device_id in due:
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
        self._plan.next_poll[device_id] = _now() + self._interval_for(device_id)
        self._plan.polls_today += 1
        read_at = _now()
        try:
            status = await self._cloud.get_status(device_id)
        except SwitchBotAuthenticationError as err:
            self._set_cloud_error(err)
            if self.config_entry is not None:
                self.config_entry.async_start_reauth(self.hass)
            return
        except SwitchBotError as err:
            self._set_cloud_error(err)
            return
        self._clear_cloud_error()
        known = self.data.get(device_id) if self.data else None
        # An optimistic state was never confirmed: a difference says the command did not take.
        checkable = known is not None and not known.optimistic
        field_name = missed_change(known.status.raw, status.raw) if known and checkable else None
        if safety_read and field_name is not None:
            self._suspect_push(device_id, field_name, read_at)
        self._store(device_id, DeviceState(status=status, confirmed_at=dt_util.utcnow()))

    # --- push health --------------------------------------------------------------------

    def _suspect_push(self, device_id: str, field_name: str, read_at: float) -> None:
        """A read found a change no push reported: unless its push comes soon, push is lost."""
        if device_id in self._suspicions:
            return

        @callback
        def check(_when: datetime) -> None:
            self._suspicions.pop(device_id, None)
            if self._last_push.get(device_id, 0.0) < read_at:
                self._distrust_push(device_id, field_name)

        self._suspicions[device_id] = async_call_later(self.hass, PUSH_GRACE, check)

    def _push_issue_id(self) -> str:
        return (
            f"{ISSUE_PUSH_NOT_ARRIVING}_{self.config_entry.entry_id if self.config_entry else ''}"
        )

    def _distrust_push(self, device_id: str, field_name: str) -> None:
        """Pushes do not arrive: every device goes back to budgeted polling."""
        if not self.push_trusted or not self.push_active:
            return
        device = self.devices[device_id]
        LOGGER.warning(
            "A read of %s found %s changed with no push from SwitchBot; polling every device",
            device.name,
            field_name,
        )
        self.push_trusted = False
        self._schedule_all()
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._push_issue_id(),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_PUSH_NOT_ARRIVING,
            translation_placeholders={"device": device.name, "url": self.push_url or ""},
        )

    def _push_arrived(self, device_id: str) -> None:
        self._last_push[device_id] = _now()
        if self.push_trusted:
            return
        LOGGER.info("SwitchBot pushes arrive again; devices that push are no longer polled")
        self.push_trusted = True
        self._schedule_all()
        ir.async_delete_issue(self.hass, DOMAIN, self._push_issue_id())

    @callback
    def async_schedule_confirm(self, device_id: str) -> None:
        """Read a device back soon after a command, unless its push will confirm it."""
        if (
            device_id in self._pollable
            and not self._pushes(device_id)
            and not self.heard_locally(device_id)
        ):
            self._plan.next_poll[device_id] = _now() + CONFIRM_DELAY

    # --- writing ------------------------------------------------------------------------

    @callback
    def async_set_optimistic(self, device_id: str, fields: dict[str, Any]) -> None:
        """Show the expected result of a command before the cloud confirms it."""
        state = self.data.get(device_id) if self.data else None
        if state is None:
            return
        self._store(
            device_id,
            DeviceState(
                status=state.merged(fields),
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
        self._push_arrived(device_id)
        state = self.data.get(device_id) if self.data else None
        if state is None:
            return False
        if (
            sample_time is not None
            and state.sample_time is not None
            and sample_time < state.sample_time
        ):
            return False
        self._store(
            device_id,
            DeviceState(
                status=state.merged(fields),
                confirmed_at=dt_util.utcnow(),
                sample_time=sample_time if sample_time is not None else state.sample_time,
            ),
        )
        if any(fields.get(name) is True for name in MOMENTARY_FIELDS):
            self._schedule_release(device_id)
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
            DeviceState(
                status=state.merged(fields),
                confirmed_at=dt_util.utcnow(),
                sample_time=sample_time,
            ),
        )
        return True

    def _schedule_release(self, device_id: str) -> None:
        """Turn a pushed moment (a press) back off shortly after, as the device would."""
        if cancel := self._releases.pop(device_id, None):
            cancel()

        @callback
        def release(_when: datetime) -> None:
            self._releases.pop(device_id, None)
            state = self.data.get(device_id)
            if state is not None:
                self._store(
                    device_id,
                    DeviceState(
                        status=state.merged(dict.fromkeys(MOMENTARY_FIELDS, False)),
                        confirmed_at=state.confirmed_at,
                        sample_time=state.sample_time,
                    ),
                )

        self._releases[device_id] = async_call_later(self.hass, MOMENTARY_SECONDS, release)

    def _store(self, device_id: str, state: DeviceState) -> None:
        self.data[device_id] = state
        for listener in list(self._device_listeners.get(device_id, ())):
            listener()

    def _set_cloud_error(self, err: SwitchBotError) -> None:
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
        high = counter.calls_today >= QUOTA_WARNING_SHARE * counter.daily_limit
        if high == self._quota_warned:
            return  # raised (or cleared) already: no registry update on every tick
        self._quota_warned = high
        if high:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_QUOTA_HIGH,
                translation_placeholders={
                    "calls": str(counter.calls_today),
                    "limit": str(counter.daily_limit),
                },
            )
        else:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)

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
        """Whether the last confirmed state is older than the staleness the user allows."""
        state = self.data.get(device_id) if self.data else None
        if state is None or state.confirmed_at is None:
            return True
        limit = timedelta(seconds=float(self.options.get(OPT_STALENESS, DEFAULT_STALENESS)))
        return dt_util.utcnow() - state.confirmed_at > limit
