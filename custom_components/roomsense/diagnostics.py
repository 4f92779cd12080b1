"""Diagnostics of a RoomSense entry, with secrets redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_SECRET, CONF_TOKEN
from .data import RoomSenseConfigEntry

TO_REDACT = {CONF_TOKEN, CONF_SECRET, "unique_id"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: RoomSenseConfigEntry
) -> dict[str, Any]:
    """Return what support needs, never the credentials."""
    data = entry.runtime_data
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "api_calls": data.client.counter.as_dict(),
        "devices": [
            {key: value for key, value in asdict(device).items() if key != "raw"}
            for device in data.devices.devices
        ],
        "infrared_remotes": [
            {key: value for key, value in asdict(remote).items() if key != "raw"}
            for remote in data.devices.infrared_remotes
        ],
    }
