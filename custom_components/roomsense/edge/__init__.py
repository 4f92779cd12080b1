"""Edge devices: Jetsons, Raspberry Pis and Pico Ws that run jobs for the home."""

from __future__ import annotations

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback

from .manager import EdgeManager
from .views import async_register_edge_views

__all__ = ["EdgeManager", "async_setup_edge"]


async def async_setup_edge(hass: HomeAssistant) -> EdgeManager:
    """Load the devices and their jobs and serve the edge API; once per Home Assistant."""
    manager = EdgeManager(hass)
    await manager.async_load()
    async_register_edge_views(hass, manager)

    @callback
    def _stop(_event: Event) -> None:
        manager.async_stop()

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop)
    return manager
