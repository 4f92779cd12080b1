"""The automation engine: rules, conditions, scheduler, proposals and scene learning."""

from __future__ import annotations

from typing import Final

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.start import async_at_started
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from ..tools import DATA_TOOLS
from .api import DATA_API, DATA_LEARNING, AutomationAPI
from .engine import AutomationEngine
from .learning_store import LearningStore
from .services import async_register_automation_services
from .views import async_register_automation_views

DATA_AUTOMATION: Final[HassKey[AutomationEngine]] = HassKey(f"{DOMAIN}_automation")

__all__ = [
    "DATA_API",
    "DATA_AUTOMATION",
    "DATA_LEARNING",
    "AutomationEngine",
    "LearningStore",
    "async_setup_automation",
]


async def async_setup_automation(hass: HomeAssistant) -> AutomationEngine:
    """Load rules and learning; rules run and recording starts once Home Assistant has."""
    learning = LearningStore(hass)
    await learning.async_load()
    # Learned scenes run wherever scenes run: the services, the agent, the rules.
    hass.data[DATA_TOOLS].learned_scene_runner = learning.async_run_scene
    engine = AutomationEngine(hass)
    await engine.async_load()
    hass.data[DATA_AUTOMATION] = engine
    hass.data[DATA_LEARNING] = learning
    api = AutomationAPI(hass, engine, learning)
    hass.data[DATA_API] = api
    async_register_automation_views(hass, api)
    async_register_automation_services(hass)

    @callback
    def _start(_hass: HomeAssistant) -> None:
        engine.async_start()
        learning.async_start_recording()

    @callback
    def _stop(_event: Event) -> None:
        engine.async_stop()
        learning.async_stop_recording()

    async_at_started(hass, _start)
    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop)
    return engine
