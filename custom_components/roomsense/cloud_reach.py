"""Whether one account's SwitchBot cloud answers: known away at once, found back by a probe.

The first request that cannot reach the cloud (a command is tried once, a read up to three
times) marks the account away. While it is, nothing waits on the network: commands are queued (or
refused) at once, polls are skipped, and one cheap signed probe at a time looks for the cloud's
return. The probe comes 2 s after the failure, then twice as late each time, up to 8 s
while nothing reaches the cloud at all (a probe that finds no one costs no quota), and up
to 60 s while the cloud answers with errors (HTTP 5xx or 429), since each answered probe
may count against the 10,000 calls of the day. A webhook push, which only the cloud sends,
brings the next probe forward. Any answer marks the account reachable again; the queue
then drains. After 10 minutes away a repair issue says so, and goes when the cloud is back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .switchbot_cloud import SwitchBotCloudClient, SwitchBotConnectionError, SwitchBotError

FIRST_PROBE: Final = 2.0
# The longest wait between probes while nothing reaches the cloud: a probe then costs
# nothing, and the queue should start draining soon after the cloud is back.
MAX_PROBE_UNREACHED: Final = 8.0
# ... and while the cloud answers with errors: an answered probe may count against the quota.
MAX_PROBE_ANSWERED: Final = 60.0
REPAIR_AFTER: Final = timedelta(minutes=10)
ISSUE_CLOUD_UNREACHABLE: Final = "cloud_unreachable"

type ReachListener = Callable[[], None]


class CloudReach:
    """Whether the SwitchBot cloud of one account is reachable now."""

    def __init__(
        self, hass: HomeAssistant, client: SwitchBotCloudClient, entry_id: str, title: str
    ) -> None:
        """Follow what every request of `client` finds."""
        self.hass = hass
        self._client = client
        self._issue_id = f"{ISSUE_CLOUD_UNREACHABLE}_{entry_id}"
        self._title = title
        # When the cloud was found away, and why; None while it answers.
        self.away_since: datetime | None = None
        self.error: str | None = None
        self._delay = FIRST_PROBE
        self._unsub_probe: CALLBACK_TYPE | None = None
        self._unsub_repair: CALLBACK_TYPE | None = None
        self._probing = False
        self._closed = False
        self._listeners: list[ReachListener] = []
        client.reach_listener = self._heard

    @property
    def reachable(self) -> bool:
        """Whether requests should go out: the cloud was not found away since it last answered."""
        return self.away_since is None

    @callback
    def async_add_listener(self, listener: ReachListener) -> CALLBACK_TYPE:
        """Call `listener` when the cloud goes away or comes back."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_push_arrived(self) -> None:
        """A push from the cloud: it is probably back, so probe now rather than later."""
        if self.away_since is not None and not self._probing:
            self._schedule_probe(0)

    @callback
    def async_shutdown(self) -> None:
        """Stop probing (the entry unloads)."""
        self._closed = True
        self._client.reach_listener = None
        self._cancel_timers()

    @callback
    def _heard(self, error: SwitchBotConnectionError | None) -> None:
        if error is None:
            self._back()
        else:
            self._away(str(error), answered=error.answered)

    def _away(self, error: str, *, answered: bool) -> None:
        self.error = error
        if self.away_since is not None:
            return  # the probe already runs
        LOGGER.warning("The SwitchBot cloud is not reachable (%s); queueing commands", error)
        self.away_since = dt_util.utcnow()
        self._delay = FIRST_PROBE
        self._schedule_probe(self._delay)
        self._unsub_repair = async_call_later(
            self.hass, REPAIR_AFTER.total_seconds(), self._raise_issue
        )
        self._changed()

    def _back(self) -> None:
        if self.away_since is None:
            return
        LOGGER.info(
            "The SwitchBot cloud answers again after %s", dt_util.utcnow() - self.away_since
        )
        self.away_since = None
        self.error = None
        self._cancel_timers()
        ir.async_delete_issue(self.hass, DOMAIN, self._issue_id)
        self._changed()

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    def _schedule_probe(self, delay: float) -> None:
        if self._unsub_probe:
            self._unsub_probe()
        self._unsub_probe = None
        if not self._closed:
            self._unsub_probe = async_call_later(self.hass, delay, self._async_probe)

    async def _async_probe(self, _now: datetime) -> None:
        self._unsub_probe = None
        self._probing = True
        try:
            await self._client.probe()
        except SwitchBotConnectionError as err:
            # Still away (the client told `_heard`, which keeps the first failure's time).
            ceiling = MAX_PROBE_ANSWERED if err.answered else MAX_PROBE_UNREACHED
            self._delay = min(self._delay * 2, ceiling)
            if self.away_since is not None:
                self._schedule_probe(self._delay)
        except SwitchBotError:
            pass  # an answer, even an error: `_heard` marked the cloud back
        finally:
            self._probing = False

    @callback
    def _raise_issue(self, _now: datetime) -> None:
        self._unsub_repair = None
        if self.away_since is None:
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_CLOUD_UNREACHABLE,
            translation_placeholders={
                "account": self._title,
                "since": self.away_since.isoformat(timespec="seconds"),
                "error": self.error or "",
            },
        )

    def _cancel_timers(self) -> None:
        for unsub in (self._unsub_probe, self._unsub_repair):
            if unsub:
                unsub()
        self._unsub_probe = self._unsub_repair = None
