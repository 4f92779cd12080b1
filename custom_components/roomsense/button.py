"""Buttons: a press button for every Bot, whatever its mode, and an art frame's next/previous."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
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

PARALLEL_UPDATES = UNLIMITED_ACTIONS


@dataclass(frozen=True, kw_only=True)
class RoomSenseButtonDescription(ButtonEntityDescription, RoomSenseEntityDescription):
    """A button of the device types it serves, and the command it sends."""

    command: str


BUTTONS: tuple[RoomSenseButtonDescription, ...] = (
    RoomSenseButtonDescription(
        key="press",
        translation_key="press",
        device_types=catalog.types_with(Family.BOT),
        command="press",
    ),
    RoomSenseButtonDescription(
        key="next_image",
        translation_key="next_image",
        device_types=catalog.types_with(Family.ART_FRAME),
        command="next",
    ),
    RoomSenseButtonDescription(
        key="previous_image",
        translation_key="previous_image",
        device_types=catalog.types_with(Family.ART_FRAME),
        command="previous",
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the press button of every Bot and the picture buttons of every art frame."""
    async_add_described_entities(entry, async_add_entities, BUTTONS, RoomSenseButton)


class RoomSenseButton(RoomSenseEntity, ButtonEntity):
    """A button that sends one command."""

    entity_description: RoomSenseButtonDescription

    async def async_press(self) -> None:
        """Send the command.

        A Bot in switchMode flips its on/off state with each press, so its switch is
        shown flipped at once; in the other modes a press changes no state. Which picture
        an art frame turns to only the cloud knows: its image follows the next read.
        """
        status = self.status
        optimistic = None
        pressing = self.entity_description.command == "press"
        if pressing and status.device_mode == "switchMode" and status.power is not None:
            optimistic = {"power": "off" if status.power else "on"}
        await self.async_send_device_command(self.entity_description.command, optimistic=optimistic)
