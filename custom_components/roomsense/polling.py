"""The coordinator's poll plan: when each device is read next, within the daily budget.

Every physical device has its own next poll time. Devices without webhook push are polled
on an interval stretched to fit a share of the daily quota; devices that push get a slow
safety poll. Spending is counted per UTC day, and a repairs issue warns near the quota.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .switchbot_cloud import CallCounter

POLL_TICK: Final = timedelta(seconds=15)
# Preferred interval of devices that do not push (with the tick, under 10 minutes stale);
# stretched when the budget requires.
PREFERRED_POLL_INTERVAL: Final = 540.0
# A device that pushes is still read now and then, in case an event was lost.
SAFETY_POLL_INTERVAL: Final = 6 * 3600.0
# After a command to a device that does not push, its status is read back this soon.
CONFIRM_DELAY: Final = 5.0
SECONDS_PER_DAY: Final = 86_400.0
QUOTA_WARNING_SHARE: Final = 0.9
# The account's device list is read again this often, so devices added to (or removed from)
# the account come (or go) without a reload; one call each time, out of the polling share.
DEVICE_LIST_INTERVAL: Final = timedelta(hours=1)
DEVICE_LIST_READS_PER_DAY: Final = SECONDS_PER_DAY / DEVICE_LIST_INTERVAL.total_seconds()
# A push from a device the list lacks asks for a read sooner, but not sooner than this after
# the last one (and once per device id).
UNKNOWN_DEVICE_COOLDOWN: Final = 600.0
ISSUE_QUOTA_HIGH: Final = "quota_high"


def now_seconds() -> float:
    """Seconds on Home Assistant's clock, which tests and benches can move."""
    return dt_util.utcnow().timestamp()


def budgeted_poll_interval(allowance: float, pollable: int, poll_only: int) -> float:
    """Seconds between reads of a device that does not push.

    `allowance` is the calls a day polling may spend; the safety polls of the `pollable`
    devices that push, and the reads of the device list, come out of it first.
    """
    budget = max(allowance, 1.0)
    safety_calls = (pollable - poll_only) * (SECONDS_PER_DAY / SAFETY_POLL_INTERVAL)
    poll_budget = max(budget - safety_calls - DEVICE_LIST_READS_PER_DAY, 1.0)
    needed = SECONDS_PER_DAY * poll_only / poll_budget
    return max(PREFERRED_POLL_INTERVAL, needed)


@dataclass
class PollPlan:
    """Each device's next poll (seconds on Home Assistant's clock) and today's spending."""

    next_poll: dict[str, float] = field(default_factory=dict)
    polls_today: int = 0
    day: str = ""

    def schedule_all(
        self, device_ids: Iterable[str], start: float, interval_for: Callable[[str], float]
    ) -> None:
        """Start every device's schedule afresh from `start`."""
        self.next_poll = {device_id: start + interval_for(device_id) for device_id in device_ids}

    def due(self, now: float) -> list[str]:
        """The devices whose poll time has come, the longest overdue first."""
        return [
            device_id
            for _when, device_id in sorted(
                (when, device_id) for device_id, when in self.next_poll.items() if when <= now
            )
        ]

    def may_spend(self, today: str, allowance: float, counter: CallCounter) -> bool:
        """Whether polling may spend another call today (the count restarts each day)."""
        if today != self.day:
            self.day = today
            self.polls_today = 0
        return self.polls_today < allowance and counter.remaining > 0


class QuotaWarning:
    """The repairs issue raised at 90 % of the daily quota, cleared on a new day."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing is raised until the first check."""
        self.hass = hass
        # None until first checked: an issue may be left over from before a restart.
        self._raised: bool | None = None

    def check(self, counter: CallCounter, issue_id: str) -> None:
        """Raise or clear the issue `issue_id` as today's calls stand."""
        high = counter.calls_today >= QUOTA_WARNING_SHARE * counter.daily_limit
        if high == self._raised:
            return  # raised (or cleared) already: no registry update on every tick
        self._raised = high
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
