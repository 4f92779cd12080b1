"""Binary sensors: what devices report, and whether the account's SwitchBot cloud answers.

Motion, contact, leaks, presence, doorbell presses, doors and calibration: doors are those of
locks and garage door openers; covers and locks say whether they are calibrated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import catalog
from .catalog import Family, Feature
from .cloud_reach import CloudReach
from .cover import garage_door_open
from .data import RoomSenseConfigEntry
from .edge.entity import async_setup_edge_entities, connectivity_entities
from .entity import (
    RoomSenseEntity,
    RoomSenseEntityDescription,
    account_device_info,
    async_add_described_entities,
)
from .lock import LOCK_TYPES
from .switchbot_cloud import DeviceStatus
from .switchbot_cloud.models import as_bool

# Read-only: the coordinator (and pushes) update every entity; nothing polls on its own.
PARALLEL_UPDATES = 0

# `timeOutNotClose` means left open too long: still open.
_CONTACT_OPEN_STATES = frozenset({"open", "timeoutnotclose"})
_DOOR_OPEN_STATES = frozenset({"open", "opened"})
_DOOR_CLOSED_STATES = frozenset({"close", "closed"})


def _has(field: str) -> Callable[[DeviceStatus], bool]:
    """Whether the status carries `field` (status-endpoint naming)."""

    def exists(status: DeviceStatus) -> bool:
        return field in status.raw

    return exists


def _contact_open(status: DeviceStatus) -> bool | None:
    open_state = status.open_state
    return None if open_state is None else open_state.lower() in _CONTACT_OPEN_STATES


def _door_open(status: DeviceStatus) -> bool | None:
    door_state = (status.door_state or "").lower()
    if door_state in _DOOR_OPEN_STATES:
        return True
    if door_state in _DOOR_CLOSED_STATES:
        return False
    return None


def _uncalibrated(status: DeviceStatus) -> bool | None:
    # A problem sensor: on when the device has lost its end positions (`calibrate` false).
    calibrated = as_bool(status.raw.get("calibrate"))
    return None if calibrated is None else not calibrated


def _doorbell_pressed(status: DeviceStatus) -> bool:
    # The status endpoint has no `press`; only webhook events carry it (reference §7).
    return status.raw.get("press") is True


@dataclass(frozen=True, kw_only=True)
class RoomSenseBinarySensorDescription(BinarySensorEntityDescription, RoomSenseEntityDescription):
    """A binary sensor of the device types it serves, read from the device status."""

    is_on_fn: Callable[[DeviceStatus], bool | None]


# The Contact Sensor has a motion detector of its own (reference §5.8).
MOTION = RoomSenseBinarySensorDescription(
    key="motion",
    device_class=BinarySensorDeviceClass.MOTION,
    device_types=catalog.types_with(features={Feature.MOTION}),
    is_on_fn=lambda status: status.move_detected,
    exists_fn=_has("moveDetected"),
)
# A mmWave presence sensor tells whether a room is occupied, not who is home.
PRESENCE = replace(
    MOTION,
    key="presence",
    device_class=BinarySensorDeviceClass.OCCUPANCY,
    device_types=catalog.types_with(features={Feature.PRESENCE}),
    exists_fn=_has("Detected"),
)


BINARY_SENSORS: tuple[RoomSenseBinarySensorDescription, ...] = (
    MOTION,
    RoomSenseBinarySensorDescription(
        key="contact",
        device_class=BinarySensorDeviceClass.OPENING,
        device_types=catalog.types_with(features={Feature.CONTACT}),
        is_on_fn=_contact_open,
        exists_fn=_has("openState"),
    ),
    RoomSenseBinarySensorDescription(
        key="leak",
        device_class=BinarySensorDeviceClass.MOISTURE,
        device_types=catalog.types_with(features={Feature.LEAK}),
        # A water detector reports `status` 0/1.
        is_on_fn=lambda status: as_bool(status.raw.get("status")),
        exists_fn=_has("status"),
    ),
    PRESENCE,
    RoomSenseBinarySensorDescription(
        key="doorbell",
        translation_key="doorbell",
        # Every doorbell can be pressed; the press only ever arrives by webhook.
        device_types=catalog.types_with(features={Feature.DOORBELL_PRESS}),
        is_on_fn=_doorbell_pressed,
    ),
    RoomSenseBinarySensorDescription(
        key="door",
        device_class=BinarySensorDeviceClass.DOOR,
        device_types=LOCK_TYPES,
        is_on_fn=_door_open,
        exists_fn=_has("doorState"),
    ),
    RoomSenseBinarySensorDescription(
        key="door",
        device_class=BinarySensorDeviceClass.DOOR,
        device_types=catalog.types_with(Family.GARAGE_DOOR_OPENER),
        is_on_fn=garage_door_open,
        exists_fn=_has("doorStatus"),
    ),
    RoomSenseBinarySensorDescription(
        key="calibration",
        translation_key="calibration",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        device_types=catalog.types_with(
            Family.CURTAIN, Family.ROLLER_SHADE, Family.BLIND_TILT, Family.LOCK
        ),
        is_on_fn=_uncalibrated,
        exists_fn=_has("calibrate"),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a binary sensor for every state a device reports, and the account's cloud link."""
    async_add_described_entities(entry, async_add_entities, BINARY_SENSORS, RoomSenseBinarySensor)
    if (reach := entry.runtime_data.coordinator.reach) is not None:
        async_add_entities([CloudConnectivitySensor(entry, reach)])
    async_setup_edge_entities(hass, entry, async_add_entities, connectivity_entities)


class RoomSenseBinarySensor(RoomSenseEntity, BinarySensorEntity):
    """An on/off state of a SwitchBot device."""

    entity_description: RoomSenseBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """The state from the last known status."""
        return self.entity_description.is_on_fn(self.status)


class CloudConnectivitySensor(BinarySensorEntity):
    """Whether the account's SwitchBot cloud answers; while it does not, commands wait."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_translation_key = "cloud"

    def __init__(self, entry: RoomSenseConfigEntry, reach: CloudReach) -> None:
        """Attach the sensor to the account's device."""
        self._reach = reach
        self._attr_unique_id = f"{entry.entry_id}_cloud"
        self._attr_device_info = account_device_info(entry)

    async def async_added_to_hass(self) -> None:
        """Follow the cloud going away and coming back."""
        self.async_on_remove(self._reach.async_add_listener(self.async_write_ha_state))

    @property
    def is_on(self) -> bool:
        """Connected: the cloud answered the last request (or was never found away)."""
        return self._reach.reachable

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Since when, and why, the cloud does not answer."""
        if (away_since := self._reach.away_since) is None:
            return None
        return {"away_since": away_since.isoformat(), "error": self._reach.error}
