"""Edge devices in Home Assistant: a device each, with connectivity, queue and last job.

The entities belong to the RoomSense account entry that holds the home's entities
(`shared.HomeOwner`), since a Home Assistant device needs an entry; the edge API itself works
without any.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.typing import StateType

from ..data import RoomSenseConfigEntry
from ..entity_ids import async_suggest_object_id
from ..shared import get_shared
from .manager import (
    SIGNAL_DEVICE_ADDED,
    EdgeManager,
    ha_identifier,
    signal_device_seen,
    signal_device_updated,
)
from .models import FINISHED_STATUSES

MODELS: Final = {
    "jetson": "NVIDIA Jetson",
    "raspberrypi4": "Raspberry Pi 4",
    "pico_w": "Raspberry Pi Pico W",
    "other": "Edge device",
}
# Results can be up to 1 MiB; an attribute shows only their start.
RESULT_PREVIEW_CHARS: Final = 255


@dataclass(frozen=True, kw_only=True)
class EdgeSensorDescription(SensorEntityDescription):
    """A sensor of an edge device and how to read it from the manager."""

    value_fn: Callable[[EdgeManager, str], StateType]
    attributes_fn: Callable[[EdgeManager, str], dict[str, Any] | None] = lambda _m, _d: None


def _last_job_status(manager: EdgeManager, device_id: str) -> StateType:
    job = manager.last_finished_job(device_id)
    return job.status.value if job else None


def _last_job_attributes(manager: EdgeManager, device_id: str) -> dict[str, Any] | None:
    job = manager.last_finished_job(device_id)
    if job is None:
        return None
    result = job.result
    if result is not None and not isinstance(result, str):
        result = json.dumps(result, ensure_ascii=False, default=str)
    if result is not None:
        result = result[:RESULT_PREVIEW_CHARS]
    return {
        "job_id": job.job_id,
        "instruction": job.instruction,
        "command": job.command,
        "finished_at": job.finished_at,
        "reason": job.reason,
        "error": job.error,
        "result": result,
    }


EDGE_SENSORS: Final = (
    EdgeSensorDescription(
        key="edge_queue_length",
        translation_key="edge_queue_length",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda manager, device_id: manager.queue_length(device_id),
    ),
    EdgeSensorDescription(
        key="edge_last_job",
        translation_key="edge_last_job",
        device_class=SensorDeviceClass.ENUM,
        options=sorted(str(status) for status in FINISHED_STATUSES),
        value_fn=_last_job_status,
        attributes_fn=_last_job_attributes,
    ),
)


class EdgeEntity(Entity):
    """An entity of one edge device, updated whenever the manager changes it."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, manager: EdgeManager, device_id: str, key: str) -> None:
        self.manager = manager
        self.edge_device_id = device_id
        device = manager.device(device_id)
        self._attr_unique_id = f"edge_{device_id}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={ha_identifier(device_id)},
            name=device.name,
            manufacturer="RoomSense",
            model=MODELS.get(device.device_type, device.device_type),
            sw_version=str(device.metadata.get("version") or "") or None,
        )

    async def async_prepare_to_add_to_hass(self) -> None:
        """Name a new entity of a device without a Latin name by its model (`has_latin_form`)."""
        await super().async_prepare_to_add_to_hass()
        if (device := self.manager.devices.get(self.edge_device_id)) is None:
            return
        async_suggest_object_id(
            self,
            ha_identifier(self.edge_device_id),
            device.name,
            MODELS.get(device.device_type, device.device_type),
            self.edge_device_id,
        )

    @property
    def available(self) -> bool:
        """Whether the device is still registered."""
        return self.edge_device_id in self.manager.devices

    async def async_added_to_hass(self) -> None:
        """Follow the device's changes."""
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_device_updated(self.edge_device_id), self._device_updated
            )
        )

    @callback
    def _device_updated(self) -> None:
        self.async_write_ha_state()


class EdgeConnectivitySensor(EdgeEntity, BinarySensorEntity):
    """On while the device long-polls, or was seen within two of its poll windows."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY

    def __init__(self, manager: EdgeManager, device_id: str) -> None:
        super().__init__(manager, device_id, "connectivity")
        self._unsub_expiry: CALLBACK_TYPE | None = None

    @property
    def is_on(self) -> bool:
        """Whether the device counts as connected now."""
        return self.manager.is_connected(self.edge_device_id)

    async def async_added_to_hass(self) -> None:
        """Follow the device and its polls, and re-check when its window closes."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_device_seen(self.edge_device_id), self._device_updated
            )
        )
        self.async_on_remove(self._cancel_expiry)
        self._schedule_expiry()

    @callback
    def _device_updated(self) -> None:
        self._schedule_expiry()
        super()._device_updated()

    @callback
    def _schedule_expiry(self) -> None:
        self._cancel_expiry()
        until = self.manager.connected_until(self.edge_device_id)
        if until is not None:
            self._unsub_expiry = async_track_point_in_utc_time(self.hass, self._expired, until)

    @callback
    def _expired(self, _now: datetime) -> None:
        self._unsub_expiry = None
        self.async_write_ha_state()

    @callback
    def _cancel_expiry(self) -> None:
        if self._unsub_expiry is not None:
            self._unsub_expiry()
            self._unsub_expiry = None


class EdgeSensor(EdgeEntity, SensorEntity):
    """The queue length or the last job of an edge device."""

    entity_description: EdgeSensorDescription

    def __init__(
        self, manager: EdgeManager, device_id: str, description: EdgeSensorDescription
    ) -> None:
        super().__init__(manager, device_id, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> StateType:
        """The value from the manager."""
        return self.entity_description.value_fn(self.manager, self.edge_device_id)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Details of the last job, where the sensor has any."""
        return self.entity_description.attributes_fn(self.manager, self.edge_device_id)


def async_setup_edge_entities(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddEntitiesCallback,
    factory: Callable[[EdgeManager, str], list[Entity]],
) -> None:
    """Add `factory`'s entities for every edge device now and every one registered later."""
    shared = get_shared(hass)
    manager = shared.edge
    if not shared.owner.owns(entry):
        return
    async_add_entities(
        [entity for device_id in manager.devices for entity in factory(manager, device_id)]
    )

    @callback
    def _added(device_id: str) -> None:
        if shared.owner.owns(entry) and device_id in manager.devices:
            async_add_entities(factory(manager, device_id))

    entry.async_on_unload(async_dispatcher_connect(hass, SIGNAL_DEVICE_ADDED, _added))


def connectivity_entities(manager: EdgeManager, device_id: str) -> list[Entity]:
    """The binary sensors of an edge device."""
    return [EdgeConnectivitySensor(manager, device_id)]


def sensor_entities(manager: EdgeManager, device_id: str) -> list[Entity]:
    """The sensors of an edge device."""
    return [EdgeSensor(manager, device_id, description) for description in EDGE_SENSORS]
