"""What SwitchBot pushes by webhook, and how a pushed context maps onto status fields.

Webhook events name some fields differently from the status endpoint (reference §7):
`powerState` ON/OFF for `power` on/off, `LOCKED` for `lock`, `detectionState` for
`moveDetected`. Mapping pushes onto status names lets one parser serve both sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from . import catalog
from .catalog import Feature

# Context keys that describe the event rather than the device's state.
_ENVELOPE_KEYS: Final = frozenset({"deviceType", "deviceMac", "timeOfSample", "scale"})

_LOCK_STATES: Final = {"LOCKED": "lock", "UNLOCKED": "unlock", "JAMMED": "jammed"}


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
