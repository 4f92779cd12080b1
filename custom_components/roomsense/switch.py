"""Switches: plugs, relay channels, and Bots in switch mode."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from homeassistant.components.switch import (
    SwitchDeviceClass,
    SwitchEntity,
    SwitchEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import catalog
from .catalog import Family, Feature
from .const import UNLIMITED_ACTIONS
from .data import RoomSenseConfigEntry
from .entity import (
    RoomSenseEntity,
    RoomSenseEntityDescription,
    async_add_described_entities,
)
from .switchbot_cloud import DeviceStatus, as_bool

PARALLEL_UPDATES = UNLIMITED_ACTIONS

# Plugs that report `power`; the rest report `switchStatus` 0/1 (reference §5.10).
PLUG_TYPES = catalog.types_with(Family.PLUG, without={Feature.SWITCH_STATUS})
SWITCH_STATUS_TYPES = catalog.types_with(features={Feature.SWITCH_STATUS})


def _channel_on(channel: int) -> Callable[[DeviceStatus], bool | None]:
    def is_on(status: DeviceStatus) -> bool | None:
        # A pushed value may be "on" as well as 1: anything else is unknown, never a crash.
        return as_bool(status.raw.get(f"switch{channel}Status"))

    return is_on


@dataclass(frozen=True, kw_only=True)
class RoomSenseSwitchDescription(SwitchEntityDescription, RoomSenseEntityDescription):
    """A switch of the device types it serves, with its commands and expected states."""

    is_on_fn: Callable[[DeviceStatus], bool | None] = lambda status: status.power
    parameter: str = "default"
    on_fields: dict[str, Any] = field(default_factory=lambda: {"power": "on"})
    off_fields: dict[str, Any] = field(default_factory=lambda: {"power": "off"})


SWITCHES: tuple[RoomSenseSwitchDescription, ...] = (
    RoomSenseSwitchDescription(
        key="plug",
        name=None,
        device_class=SwitchDeviceClass.OUTLET,
        device_types=PLUG_TYPES,
    ),
    RoomSenseSwitchDescription(
        key="switch",
        name=None,
        device_class=SwitchDeviceClass.SWITCH,
        device_types=SWITCH_STATUS_TYPES,
        on_fields={"switchStatus": 1},
        off_fields={"switchStatus": 0},
    ),
    *(
        RoomSenseSwitchDescription(
            key=f"channel_{channel}",
            translation_key="relay_channel",
            translation_placeholders={"channel": str(channel)},
            device_class=SwitchDeviceClass.SWITCH,
            device_types=catalog.types_with(Family.RELAY_SWITCH_2PM),
            is_on_fn=_channel_on(channel),
            parameter=str(channel),
            on_fields={f"switch{channel}Status": 1},
            off_fields={f"switch{channel}Status": 0},
        )
        for channel in (1, 2)
    ),
    RoomSenseSwitchDescription(
        key="bot",
        name=None,
        device_class=SwitchDeviceClass.SWITCH,
        device_types=catalog.types_with(Family.BOT),
        exists_fn=lambda status: status.device_mode == "switchMode",
    ),
)


class RoomSenseSwitch(RoomSenseEntity, SwitchEntity):
    """A switch that sends turnOn/turnOff."""

    entity_description: RoomSenseSwitchDescription

    @property
    def is_on(self) -> bool | None:
        """Whether the switch is on, as last known."""
        return self.entity_description.is_on_fn(self.status)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on."""
        description = self.entity_description
        await self.async_send_device_command(
            "turnOn", description.parameter, optimistic=description.on_fields
        )

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        description = self.entity_description
        await self.async_send_device_command(
            "turnOff", description.parameter, optimistic=description.off_fields
        )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches of plugs, relays and switch-mode Bots."""
    async_add_described_entities(entry, async_add_entities, SWITCHES, RoomSenseSwitch)
