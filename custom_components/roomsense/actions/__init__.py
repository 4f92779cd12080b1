"""RoomSense's operations, declared once (`registry.Action`), and their ways in.

`ACTIONS` is every operation. From it come the `roomsense.*` services (`services`), the
REST endpoints of the spec (`rest`), the tools of RoomSense's agent and Home Assistant's
LLM API (`llm_api`). To add an operation, add an `Action` to `home.py` or
`automation.py`, `edge.py` (or a new module listed here), with its service text in
`services.yaml`, `translations/*.json` and `icons.json`.
"""

from __future__ import annotations

from typing import Final

from homeassistant.core import HomeAssistant, callback

from .automation import AUTOMATION_ACTIONS
from .edge import EDGE_ACTIONS
from .home import HOME_ACTIONS
from .llm_api import async_register_llm_api
from .registry import Action
from .rest import async_register_action_views
from .services import async_register_action_services

ACTIONS: Final[tuple[Action, ...]] = (*HOME_ACTIONS, *AUTOMATION_ACTIONS, *EDGE_ACTIONS)


@callback
def async_setup_actions(hass: HomeAssistant) -> None:
    """Offer every action as a service, at its REST endpoints and as a tool."""
    async_register_action_services(hass, ACTIONS)
    async_register_action_views(hass, ACTIONS)
    async_register_llm_api(hass, ACTIONS)
