"""Scenes: the manual scenes of the SwitchBot account, run by the cloud."""

from __future__ import annotations

from typing import Any

from homeassistant.components.scene import Scene as SceneEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .automation.entities import async_add_learned_scenes
from .const import UNLIMITED_ACTIONS
from .data import RoomSenseConfigEntry
from .entity import account_device_info
from .gateway import Source
from .switchbot_cloud import Scene

PARALLEL_UPDATES = UNLIMITED_ACTIONS


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add one scene entity per manual scene (the entry read them), and learned scenes."""
    async_add_learned_scenes(hass, entry, async_add_entities)
    async_add_entities(RoomSenseScene(entry, scene) for scene in entry.runtime_data.scenes)


class RoomSenseScene(SceneEntity):
    """A SwitchBot manual scene; activating it asks the cloud to run it."""

    _attr_has_entity_name = True

    def __init__(self, entry: RoomSenseConfigEntry, scene: Scene) -> None:
        """Attach the scene to the service device that stands for the account."""
        self._gateway = entry.runtime_data.gateway
        self._scene = scene
        self._attr_unique_id = f"scene_{scene.scene_id}"
        self._attr_name = scene.name or scene.scene_id
        self._attr_device_info = account_device_info(entry)

    async def async_activate(self, **kwargs: Any) -> None:
        """Run the scene in the cloud, through the gateway as the user who acted."""
        await self._gateway.async_execute_scene(
            self._scene.scene_id,
            self._scene.name,
            source=Source.ENTITY,
            user_id=self._context.user_id if self._context else None,
        )
