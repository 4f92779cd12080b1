"""Diagnostics of a RoomSense entry, with secrets redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from .const import CONF_SECRET, CONF_TOKEN
from .data import RoomSenseConfigEntry
from .language_models.const import CONF_LLM_API_KEY
from .registry import devices_without_entities
from .shared import get_shared

# Every entry data and option key whose value is a secret. A test finds each password field
# of the config and options flows and fails unless it is listed here.
SECRET_KEYS = frozenset(
    {CONF_TOKEN, CONF_SECRET, CONF_LLM_API_KEY, CONF_WEBHOOK_ID, "encryption_key", "key_id"}
)
# The unique id is a hash of the token; the webhook URL carries the webhook id.
TO_REDACT = SECRET_KEYS | {"unique_id", "webhook_url"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: RoomSenseConfigEntry
) -> dict[str, Any]:
    """Return what support needs, never the credentials."""
    data = entry.runtime_data
    coordinator = data.coordinator
    edge = get_shared(hass).edge
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "api_calls": data.client.counter.as_dict() if data.client else None,
        "push_active": coordinator.push_active,
        "webhook_url": "**REDACTED**" if data.webhook_url else None,
        "poll_interval_seconds": round(coordinator.poll_interval()) if data.client else None,
        "cloud_error": coordinator.cloud_error,
        # Since when the cloud has not answered (commands wait meanwhile); None while it does.
        "cloud_away_since": coordinator.reach.away_since.isoformat()
        if coordinator.reach and coordinator.reach.away_since
        else None,
        # Devices whose entities wait, unavailable, for a first status: why it is missing.
        "devices_without_status": dict(coordinator.unread),
        "queued_commands": len(coordinator.command_queue.pending)
        if coordinator.command_queue
        else 0,
        "devices_without_entities": [
            {"name": device_entry.name, "model": device_entry.model}
            for device_entry in devices_without_entities(hass, entry)
        ],
        "devices": [
            {key: value for key, value in asdict(device).items() if key != "raw"}
            for device in data.devices.devices
        ],
        "infrared_remotes": [
            {key: value for key, value in asdict(remote).items() if key != "raw"}
            for remote in data.devices.infrared_remotes
        ],
        # Counts only: instructions and results can hold anything the owner wrote.
        "edge_devices": [
            {
                **{key: value for key, value in device.public().items() if key != "metadata"},
                "connected": edge.is_connected(device.device_id),
                "queued": edge.queue_length(device.device_id),
                "jobs": len(edge.device_jobs(device.device_id)),
            }
            for device in edge.devices.values()
        ],
        "edge_options": {
            "device_result_timeout": edge.result_timeout,
            "max_completed_jobs": edge.max_completed_jobs,
        },
    }
