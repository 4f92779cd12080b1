"""The automation engine: rules, conditions, scheduler, proposals and scene learning."""

from __future__ import annotations

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.start import async_at_started

from ..tools import RoomSenseTools
from .api import AutomationAPI
from .engine import AutomationEngine
from .learning_store import LearningStore

# Transitional: read by bench/automation_scheduler.py until it moves to DATA_SHARED

__all__ = [
    "AutomationEngine",
    "LearningStore",
    "async_setup_automation",
]


async def async_setup_automation(hass: HomeAssistant, tools: RoomSenseTools) -> AutomationAPI:
    """Load rules and learning; rules run and recording starts once Home Assistant has.

    Learned scenes send their commands through `tools`. Returns the operations on both.
    """
    learning = LearningStore(hass, tools)
    await learning.async_load()
    # Learned scenes run wherever scenes run: the services, the agent, the rules.
    tools.learned_scene_runner = learning.async_run_scene
    engine = AutomationEngine(hass, tools)
    await engine.async_load()
    api = AutomationAPI(hass, engine, learning)

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
    return api
