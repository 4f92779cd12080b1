"""The automation engine: rules, conditions, scheduler, proposals and scene learning."""

from __future__ import annotations

from typing import Final

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.start import async_at_started
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from .engine import AutomationEngine

DATA_AUTOMATION: Final[HassKey[AutomationEngine]] = HassKey(f"{DOMAIN}_automation")

__all__ = ["DATA_AUTOMATION", "AutomationEngine", "async_setup_automation"]


async def async_setup_automation(hass: HomeAssistant) -> AutomationEngine:
    """Load the rules; they start running once Home Assistant has started."""
    engine = AutomationEngine(hass)
    await engine.async_load()
    hass.data[DATA_AUTOMATION] = engine

    @callback
    def _start(_hass: HomeAssistant) -> None:
        engine.async_start()

    @callback
    def _stop(_event: Event) -> None:
        engine.async_stop()

    async_at_started(hass, _start)
    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop)
    return engine
