"""What SwitchBot pushes by webhook, and how a pushed context maps onto status fields.

Webhook events name some fields differently from the status endpoint (reference §7):
`powerState` ON/OFF for `power` on/off, `LOCKED` for `lock`, `detectionState` for
`moveDetected`. Mapping pushes onto status names lets one parser serve both sources.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from . import catalog
from .catalog import Feature

# Context keys that describe the event rather than the device's state.
_ENVELOPE_KEYS: Final = frozenset({"deviceType", "deviceMac", "timeOfSample", "scale"})

_LOCK_STATES: Final = {"LOCKED": "lock", "UNLOCKED": "unlock", "JAMMED": "jammed"}

# Pushed fields that report a moment, not a state (a doorbell press): released after this.
MOMENTARY_FIELDS: Final = ("press",)
MOMENTARY_SECONDS: Final = 5.0


def device_pushes(device_type: str) -> bool:
    """Whether the cloud sends webhook events for this device type."""
    return catalog.pushes(device_type)


def status_from_context(device_type: str, context: Mapping[str, Any]) -> dict[str, Any]:
    """Translate a `changeReport` context into status-endpoint field names and values."""
    status: dict[str, Any] = {}
    for key, value in context.items():
        if key in _ENVELOPE_KEYS:
            continue
        if key == "powerState":
            status["power"] = str(value).lower()
        elif key == "power" and isinstance(value, str):
            status["power"] = value.lower()
        elif key == "lockState":
            status["lockState"] = _LOCK_STATES.get(str(value).upper(), str(value).lower())
        elif key == "detectionState":
            if catalog.has_feature(device_type, Feature.LEAK):
                status["status"] = 1 if value in (1, "1", "DETECTED") else 0
            elif catalog.has_feature(device_type, Feature.PRESENCE):
                # Its status endpoint says `Detected` (capital D), not `moveDetected`.
                status["Detected"] = str(value).upper() == "DETECTED"
            else:
                status["moveDetected"] = str(value).upper() == "DETECTED"
        else:
            status[key] = value
    return status


class MomentaryReleases:
    """Turn a pushed moment (a press) back off shortly after, as the device would."""

    def __init__(self, hass: HomeAssistant, release: Callable[[str, dict[str, Any]], None]) -> None:
        """Call `release(device_id, fields)` with the moment's fields turned off."""
        self.hass = hass
        self._release = release
        self._timers: dict[str, CALLBACK_TYPE] = {}

    def after_push(self, device_id: str, fields: Mapping[str, Any]) -> None:
        """A push arrived: release its moments later (a new press restarts the wait)."""
        if not any(fields.get(name) is True for name in MOMENTARY_FIELDS):
            return
        self.cancel(device_id)

        @callback
        def release(_when: datetime) -> None:
            self._timers.pop(device_id, None)
            self._release(device_id, dict.fromkeys(MOMENTARY_FIELDS, False))

        self._timers[device_id] = async_call_later(self.hass, MOMENTARY_SECONDS, release)

    def cancel(self, device_id: str | None = None) -> None:
        """Forget the device's pending release, or every one."""
        for key in [device_id] if device_id is not None else list(self._timers):
            if (cancel := self._timers.pop(key, None)) is not None:
                cancel()
