"""Selects: the night light of circulator fans (reference §5.14)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import catalog
from .catalog import Choice, Family
from .const import UNLIMITED_ACTIONS
from .coordinator import RoomSenseCoordinator
from .data import RoomSenseConfigEntry
from .entity import (
    RoomSenseEntity,
    RoomSenseEntityDescription,
    async_add_described_entities,
)
from .switchbot_cloud import Device

PARALLEL_UPDATES = UNLIMITED_ACTIONS

NIGHT_LIGHT_OPTIONS: Final = ("off", "bright", "dim")
"""The night light's settings, in the order the catalog's choice lists their codes."""


@dataclass(frozen=True, kw_only=True)
class RoomSenseSelectDescription(SelectEntityDescription, RoomSenseEntityDescription):
    """A status field of the device types it serves, set by one command.

    The options name the values of the command's choice in the catalog, in its order, so
    each model sends its own codes.
    """

    command: str
    status_field: str


SELECTS: tuple[RoomSenseSelectDescription, ...] = (
    RoomSenseSelectDescription(
        key="night_light",
        translation_key="night_light",
        entity_category=EntityCategory.CONFIG,
        options=list(NIGHT_LIGHT_OPTIONS),
        device_types=catalog.types_with(Family.CIRCULATOR_FAN, commands={"setNightLightMode"}),
        command="setNightLightMode",
        status_field="nightStatus",
    ),
)


def option_codes(device_type: str, description: RoomSenseSelectDescription) -> dict[str, str]:
    """The code the command takes for each option; empty when the catalog cannot say."""
    spec = catalog.command_spec(device_type, description.command)
    options = description.options or []
    if spec is None or not isinstance(spec.parameter, Choice):
        return {}
    if len(spec.parameter.values) != len(options):
        return {}
    return dict(zip(options, spec.parameter.values, strict=True))


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the night light of every circulator fan."""
    async_add_described_entities(entry, async_add_entities, SELECTS, _select)


def _select(
    coordinator: RoomSenseCoordinator, device: Device, description: RoomSenseSelectDescription
) -> RoomSenseSelect | None:
    """The setting of a device whose model's codes the catalog knows."""
    if codes := option_codes(device.device_type, description):
        return RoomSenseSelect(coordinator, device, description, codes)
    return None


class RoomSenseSelect(RoomSenseEntity, SelectEntity):
    """A setting shown as its option name and sent as the model's own code."""

    entity_description: RoomSenseSelectDescription

    def __init__(
        self,
        coordinator: RoomSenseCoordinator,
        device: Device,
        description: RoomSenseSelectDescription,
        codes: dict[str, str],
    ) -> None:
        """Know this model's codes."""
        super().__init__(coordinator, device, description)
        self._codes = codes

    @property
    def current_option(self) -> str | None:
        """The option whose code the device reports; unknown for any other value."""
        value = self.status.raw.get(self.entity_description.status_field)
        if value is None:
            return None
        # A pushed code may come as a number rather than the status's string.
        return next((option for option, code in self._codes.items() if code == str(value)), None)

    async def async_select_option(self, option: str) -> None:
        """Send the model's code for the option."""
        code = self._codes[option]
        await self.async_send_device_command(
            self.entity_description.command,
            code,
            optimistic={self.entity_description.status_field: code},
        )
