"""What every part of a turn reaches: Home Assistant, the account's entry, the model."""

from __future__ import annotations

from dataclasses import dataclass, field

from homeassistant.core import HomeAssistant

from ..data import RoomSenseConfigEntry
from ..language_models import LLMAdapter
from ..shared import get_shared
from ..tools import RoomSenseTools

# What a turn answers, and whether it did what was asked.
type Reply = tuple[str, bool]


@dataclass
class AgentContext:
    """One agent's surroundings; the entity fills in `hass` and `adapter` once added."""

    entry: RoomSenseConfigEntry
    # Set when the entity is added to Home Assistant, before any turn.
    hass: HomeAssistant = field(init=False)
    adapter: LLMAdapter | None = None

    @property
    def tools(self) -> RoomSenseTools:
        """The actions the agent shares with the `roomsense.*` services."""
        return get_shared(self.hass).tools
