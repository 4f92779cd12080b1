"""Whether SwitchBot's pushes really arrive, judged by what the safety reads find.

A device that pushes is read only now and then. When such a read finds a pushed field
changed and no push follows within `PUSH_GRACE`, pushes are lost: every device goes back
to budgeted polling, with a repairs issue, until a push arrives again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later

from .const import DOMAIN, LOGGER
from .polling import now_seconds

if TYPE_CHECKING:
    from .coordinator import RoomSenseCoordinator

ISSUE_PUSH_NOT_ARRIVING: Final = "push_not_arriving"
# A read that finds a change before its push arrives is a race, not a lost push: the push
# has this long to come.
PUSH_GRACE: Final = 60.0
# Status fields whose change SwitchBot pushes (reference §7, in status-endpoint names).
# Measurements that drift (temperature, humidity, light level, battery, power draw) are left
# out: a device may report them without pushing every step.
PUSHED_STATE_FIELDS: Final = frozenset(
    {
        "power", "lockState", "doorState", "openState", "moveDetected", "Detected", "status",
        "slidePosition", "color", "colorTemperature", "mode", "workingStatus", "switchStatus",
        "switch1Status", "switch2Status", "doorStatus", "fanSpeed", "oscillation", "nightStatus",
    }
)  # fmt: skip


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


class PushHealth:
    """The trust in one account's pushes, and the reads that put it in doubt."""

    def __init__(self, coordinator: RoomSenseCoordinator, reschedule: Callable[[], None]) -> None:
        """Judge the pushes of `coordinator`; `reschedule` when trust comes or goes."""
        self._coordinator = coordinator
        self._reschedule = reschedule
        self.trusted = True
        self._last_push: dict[str, float] = {}
        self._suspicions: dict[str, CALLBACK_TYPE] = {}

    def suspect(self, device_id: str, field_name: str, read_at: float) -> None:
        """A read found a change no push reported: unless its push comes soon, push is lost."""
        if device_id in self._suspicions:
            return

        @callback
        def check(_when: datetime) -> None:
            self._suspicions.pop(device_id, None)
            if self._last_push.get(device_id, 0.0) < read_at:
                self._distrust(device_id, field_name)

        self._suspicions[device_id] = async_call_later(self._coordinator.hass, PUSH_GRACE, check)

    def arrived(self, device_id: str) -> None:
        """A push came: pushes are trusted again if they were not."""
        self._last_push[device_id] = now_seconds()
        if self.trusted:
            return
        LOGGER.info("SwitchBot pushes arrive again; devices that push are no longer polled")
        self.trusted = True
        self._reschedule()
        ir.async_delete_issue(self._coordinator.hass, DOMAIN, self._issue_id())

    def cancel(self) -> None:
        """Stop waiting for the pushes of suspect reads."""
        for suspicion in self._suspicions.values():
            suspicion()
        self._suspicions.clear()

    def _issue_id(self) -> str:
        config_entry = self._coordinator.config_entry
        return f"{ISSUE_PUSH_NOT_ARRIVING}_{config_entry.entry_id if config_entry else ''}"

    def _distrust(self, device_id: str, field_name: str) -> None:
        """Pushes do not arrive: every device goes back to budgeted polling."""
        coordinator = self._coordinator
        if not self.trusted or not coordinator.push_active:
            return
        # The device may have left the account while the push was awaited.
        device = coordinator.devices.get(device_id)
        name = device.name if device is not None else device_id
        LOGGER.warning(
            "A read of %s found %s changed with no push from SwitchBot; polling every device",
            name,
            field_name,
        )
        self.trusted = False
        self._reschedule()
        ir.async_create_issue(
            coordinator.hass,
            DOMAIN,
            self._issue_id(),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_PUSH_NOT_ARRIVING,
            translation_placeholders={"device": name, "url": coordinator.push_url or ""},
        )
