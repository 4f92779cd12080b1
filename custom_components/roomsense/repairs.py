"""Repairs: take over SwitchBot's webhook slot from another application, when asked."""

from __future__ import annotations

from typing import Any

import probatio
from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .data import RoomSenseConfigEntry
from .switchbot_cloud import SwitchBotError
from .webhook import ISSUE_WEBHOOK_IN_USE


class ReplaceWebhookFlow(RepairsFlow):
    """Confirm, then remove the other URL and let RoomSense register its own."""

    def __init__(self, entry: RoomSenseConfigEntry | None) -> None:
        """Fix the issue of this entry."""
        self._entry = entry

    async def async_step_init(self, user_input: dict[str, str] | None = None) -> RepairsFlowResult:
        """Start with the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Replace the URL once the user agrees."""
        entry = self._entry
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        if user_input is None:
            return self.async_show_form(step_id="confirm", data_schema=probatio.Schema({}))
        client = entry.runtime_data.client
        if client is None:  # a Bluetooth-only device has no webhook
            return self.async_abort(reason="not_loaded")
        try:
            for url in await client.query_webhook_urls():
                await client.delete_webhook(url)
        except SwitchBotError:
            return self.async_abort(reason="cannot_connect")
        # Setting up again registers RoomSense's URL and clears the issue.
        self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return self.async_create_entry(data={})


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """The fix flow of a RoomSense repairs issue."""
    if issue_id.startswith(ISSUE_WEBHOOK_IN_USE) and data:
        return ReplaceWebhookFlow(hass.config_entries.async_get_entry(str(data["entry_id"])))
    return ConfirmRepairFlow()
