"""Entities of the automation engine: learned scenes and the scene acceptance rate.

Like the edge devices, they belong to the account entry that holds the home's entities
(`shared.HomeOwner`).
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.scene import Scene as SceneEntity
from homeassistant.components.sensor import RestoreSensor, SensorEntity, SensorStateClass
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..data import RoomSenseConfigEntry
from ..entity import account_device_info, restored_figure
from ..shared import LEARNED_SCENE_PREFIX, SCENE_ACCEPTANCE_KEY, get_shared
from .learning_store import SIGNAL_ACCEPTANCE, SIGNAL_SCENE_LEARNED, LearningStore


def _owns_home_entities(hass: HomeAssistant, entry: RoomSenseConfigEntry) -> bool:
    return get_shared(hass).owner.owns(entry)


class LearnedScene(SceneEntity):
    """A scene RoomSense learned from what people do; activating it replays the commands."""

    _attr_has_entity_name = True

    def __init__(self, entry: RoomSenseConfigEntry, learning: LearningStore, scene_id: str) -> None:
        self._learning = learning
        self._scene_id = scene_id
        scene = learning.scenes[scene_id]
        self._attr_unique_id = f"{LEARNED_SCENE_PREFIX}{scene_id}"
        self._attr_name = scene["name"]
        self._attr_device_info = account_device_info(entry)
        self._attr_extra_state_attributes = {
            "learned": True,
            "confidence": scene["confidence"],
            "operations": len(scene["operations"]),
        }

    async def async_activate(self, **kwargs: Any) -> None:
        """Send the scene's commands, as the person who activated it."""
        user_id = self._context.user_id if self._context else None
        if await self._learning.async_run_scene(self._scene_id, user_id) is None:
            raise HomeAssistantError(f"the learned scene {self._scene_id} is gone")


class SceneAcceptanceSensor(RestoreSensor):
    """The share of scene candidates people approved, of those they decided on.

    The counts are stored; should they be gone (a new store), the sensor shows its last
    value from before the restart until the next decision.
    """

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_translation_key = "scene_acceptance_rate"
    _attr_native_unit_of_measurement = PERCENTAGE
    _attr_state_class = SensorStateClass.MEASUREMENT
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, entry: RoomSenseConfigEntry, learning: LearningStore) -> None:
        self._learning = learning
        self._attr_unique_id = f"{entry.entry_id}_{SCENE_ACCEPTANCE_KEY}"
        self._attr_device_info = account_device_info(entry)
        self._restored: float | None = None

    @property
    def native_value(self) -> float | None:
        """Approved ÷ (approved + rejected), in percent; else the last value restored.

        Unknown before any decision and without a value from before the restart.
        """
        rate = self._learning.acceptance_rate
        return self._restored if rate is None else rate

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The counts behind the rate."""
        return {
            "approved": self._learning.approved,
            "rejected": self._learning.rejected,
            "learned_scenes": len(self._learning.scenes),
        }

    async def async_added_to_hass(self) -> None:
        """Take the last value from before the restart, and update on every decision."""
        await super().async_added_to_hass()
        self._restored = restored_figure(
            await self.async_get_last_sensor_data(), self.native_unit_of_measurement
        )
        self.async_on_remove(
            async_dispatcher_connect(self.hass, SIGNAL_ACCEPTANCE, self.async_write_ha_state)
        )


@callback
def async_add_learned_scenes(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Learned scenes now, and each one approved later."""
    if not _owns_home_entities(hass, entry):
        return
    learning = get_shared(hass).learning
    async_add_entities(LearnedScene(entry, learning, scene_id) for scene_id in learning.scenes)

    @callback
    def _learned(scene_id: str) -> None:
        if _owns_home_entities(hass, entry) and scene_id in learning.scenes:
            async_add_entities([LearnedScene(entry, learning, scene_id)])

    entry.async_on_unload(async_dispatcher_connect(hass, SIGNAL_SCENE_LEARNED, _learned))


def acceptance_sensors(hass: HomeAssistant, entry: RoomSenseConfigEntry) -> list[SensorEntity]:
    """The acceptance-rate sensor, for the entry that shows the home's entities."""
    if not _owns_home_entities(hass, entry):
        return []
    return [SceneAcceptanceSensor(entry, get_shared(hass).learning)]
