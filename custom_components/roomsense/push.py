"""What SwitchBot pushes by webhook, and how a pushed context maps onto status fields.

Webhook events name some fields differently from the status endpoint (reference §7):
`powerState` ON/OFF for `power` on/off, `LOCKED` for `lock`, `detectionState` for
`moveDetected`. Mapping pushes onto status names lets one parser serve both sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

# Device types (as `/devices` names them) that SwitchBot never reports by webhook.
NO_PUSH_DEVICE_TYPES: Final = frozenset(
    {
        "Hub", "Hub Plus", "Hub Mini", "AI Hub", "Plug", "Humidifier", "Blind Tilt",
        "Pan/Tilt Cam 2K", "Pan/Tilt Cam Plus 2K", "Pan/Tilt Cam Plus 3K", "Remote",
        "Keypad", "Keypad Touch", "Keypad Vision", "Keypad Vision Pro",
    }
)  # fmt: skip

# Context keys that describe the event rather than the device's state.
_ENVELOPE_KEYS: Final = frozenset({"deviceType", "deviceMac", "timeOfSample", "scale"})

_LOCK_STATES: Final = {"LOCKED": "lock", "UNLOCKED": "unlock", "JAMMED": "jammed"}
_DETECTION_TYPES_WITH_STATUS_INT: Final = frozenset({"Water Detector"})


def device_pushes(device_type: str) -> bool:
    """Whether the cloud sends webhook events for this device type."""
    return device_type not in NO_PUSH_DEVICE_TYPES


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
            if device_type in _DETECTION_TYPES_WITH_STATUS_INT:
                status["status"] = 1 if value in (1, "1", "DETECTED") else 0
            elif device_type == "Presence Sensor":
                # Its status endpoint says `Detected` (capital D), not `moveDetected`.
                status["Detected"] = str(value).upper() == "DETECTED"
            else:
                status["moveDetected"] = str(value).upper() == "DETECTED"
        else:
            status[key] = value
    return status
