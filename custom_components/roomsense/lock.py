"""Locks: the SwitchBot Smart Lock family."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.lock import LockEntity, LockEntityDescription, LockEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import catalog
from .catalog import Family
from .const import UNLIMITED_ACTIONS
from .data import RoomSenseConfigEntry
from .entity import (
    RoomSenseEntity,
    RoomSenseEntityDescription,
    async_add_described_entities,
)
from .switchbot_cloud import LockState

PARALLEL_UPDATES = UNLIMITED_ACTIONS

# Types whose command table has `deadbolt` (reference §5.6) can be opened, not only unlocked.
DEADBOLT_LOCK_TYPES = catalog.types_with(Family.LOCK, commands={"deadbolt"})
LOCK_TYPES = catalog.types_with(Family.LOCK)

# The latch bolt alone still keeps the door shut.
_LOCKED_STATES = frozenset({LockState.LOCKED, LockState.LATCH_BOLT_LOCKED})


@dataclass(frozen=True, kw_only=True)
class RoomSenseLockDescription(LockEntityDescription, RoomSenseEntityDescription):
    """The lock of the device types it serves."""


LOCKS = (RoomSenseLockDescription(key="lock", name=None, device_types=LOCK_TYPES),)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a lock for every SwitchBot lock."""
    async_add_described_entities(entry, async_add_entities, LOCKS, RoomSenseLock)


class RoomSenseLock(RoomSenseEntity, LockEntity):
    """A lock that sends lock, unlock and (where supported) deadbolt."""

    entity_description: RoomSenseLockDescription

    @property
    def supported_features(self) -> LockEntityFeature:
        """`open` only where the type has the deadbolt command."""
        if self.device.type_string in DEADBOLT_LOCK_TYPES:
            return LockEntityFeature.OPEN
        return LockEntityFeature(0)

    @property
    def is_locked(self) -> bool | None:
        """Locked, or latch-bolt locked; unknown while jammed or unreported."""
        lock_state = self.status.lock_state
        if lock_state is None or lock_state is LockState.JAMMED:
            return None
        return lock_state in _LOCKED_STATES

    @property
    def is_jammed(self) -> bool | None:
        """Jammed when the lock could not finish moving."""
        lock_state = self.status.lock_state
        return None if lock_state is None else lock_state is LockState.JAMMED

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock."""
        await self.async_send_device_command("lock", optimistic={"lockState": "lock"})

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock."""
        await self.async_send_device_command("unlock", optimistic={"lockState": "unlock"})

    async def async_open(self, **kwargs: Any) -> None:
        """Disengage the deadbolt/latch (`deadbolt`); the lock then reports unlocked."""
        await self.async_send_device_command("deadbolt", optimistic={"lockState": "unlock"})
