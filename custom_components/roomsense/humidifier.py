"""Humidifiers: the original Humidifier and the Evaporative Humidifier (reference §5.12)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, NoReturn

from homeassistant.components.humidifier import (
    HumidifierDeviceClass,
    HumidifierEntity,
    HumidifierEntityDescription,
)
from homeassistant.components.humidifier.const import (
    ATTR_HUMIDITY,
    MODE_AUTO,
    MODE_NORMAL,
    MODE_SLEEP,
    HumidifierEntityFeature,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from . import catalog
from .catalog import Family
from .const import DOMAIN, UNLIMITED_ACTIONS
from .data import RoomSenseConfigEntry
from .entity import (
    RoomSenseEntity,
    RoomSenseEntityDescription,
    async_add_described_entities,
    code_name,
)

PARALLEL_UPDATES = UNLIMITED_ACTIONS

HUMIDIFIER_TYPES = catalog.types_with(Family.HUMIDIFIER)
EVAPORATIVE_HUMIDIFIER_TYPES = catalog.types_with(Family.EVAPORATIVE_HUMIDIFIER)

# Humidifier2 `mode` codes (§5.12), named after Home Assistant's modes where one fits.
EVAPORATIVE_MODES = {
    "level_4": 1,
    "level_3": 2,
    "level_2": 3,
    "level_1": 4,
    "target_humidity": 5,
    MODE_SLEEP: 6,
    MODE_AUTO: 7,
    "drying": 8,
}
TARGET_HUMIDITY_MODE = EVAPORATIVE_MODES["target_humidity"]
# Sent when the humidity mode is picked before any target is known here.
DEFAULT_TARGET_HUMIDITY = 50


@dataclass(frozen=True, kw_only=True)
class RoomSenseHumidifierDescription(HumidifierEntityDescription, RoomSenseEntityDescription):
    """The humidifier of the device types that share a command table."""


HUMIDIFIER = RoomSenseHumidifierDescription(
    key="humidifier",
    name=None,
    translation_key="humidifier",
    device_class=HumidifierDeviceClass.HUMIDIFIER,
    device_types=HUMIDIFIER_TYPES,
)
EVAPORATIVE_HUMIDIFIER = replace(
    HUMIDIFIER,
    translation_key="evaporative_humidifier",
    device_types=EVAPORATIVE_HUMIDIFIER_TYPES,
)


def _raise_unknown_mode(mode: str, modes: list[str]) -> NoReturn:
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_humidifier_mode",
        translation_placeholders={"mode": mode, "modes": ", ".join(modes)},
    )


class RoomSenseHumidifierBase(RoomSenseEntity, HumidifierEntity):
    """On/off and the measured humidity, common to both humidifiers."""

    entity_description: RoomSenseHumidifierDescription
    _attr_supported_features = HumidifierEntityFeature.MODES

    @property
    def is_on(self) -> bool | None:
        """Whether the humidifier runs, as last known."""
        return self.status.power

    @property
    def current_humidity(self) -> float | None:
        """The humidity the humidifier measures."""
        return self.status.humidity

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start the humidifier."""
        await self.async_send_device_command("turnOn", optimistic={"power": "on"})

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop the humidifier."""
        await self.async_send_device_command("turnOff", optimistic={"power": "off"})


class RoomSenseHumidifier(RoomSenseHumidifierBase):
    """The original Humidifier: automatic mode, or a level 0-100 set with `setMode`.

    The level is reported back as `nebulizationEfficiency`, shown as the target.
    """

    @property
    def available_modes(self) -> list[str]:
        """Automatic mode and a set level."""
        return [MODE_NORMAL, MODE_AUTO]

    @property
    def mode(self) -> str:
        """Automatic, or normal (a set level)."""
        return MODE_AUTO if self.status.raw.get("auto") is True else MODE_NORMAL

    @property
    def target_humidity(self) -> float | None:
        """The level last set."""
        level = self.status.extra.get("nebulizationEfficiency")
        return level if isinstance(level, int) and not isinstance(level, bool) else None

    async def async_set_humidity(self, humidity: int) -> None:
        """Set the level; this leaves automatic mode."""
        await self.async_send_device_command(
            "setMode",
            str(humidity),
            optimistic={"auto": False, "nebulizationEfficiency": humidity},
        )

    async def async_set_mode(self, mode: str) -> None:
        """Switch to automatic mode, or back to the last level."""
        if mode == MODE_AUTO:
            await self.async_send_device_command("setMode", "auto", optimistic={"auto": True})
        elif mode == MODE_NORMAL:
            await self.async_set_humidity(int(self.target_humidity or DEFAULT_TARGET_HUMIDITY))
        else:
            _raise_unknown_mode(mode, self.available_modes or [])


class RoomSenseEvaporativeHumidifier(RoomSenseHumidifierBase, RestoreEntity):
    """The Evaporative Humidifier (Humidifier2): eight modes, one of them a target humidity.

    The status reports the mode but not the target, so the target is the one last set
    here, kept across restarts.
    """

    # Unknown until restored or set.
    _target: int | None = None

    @property
    def available_modes(self) -> list[str]:
        """The eight modes."""
        return list(EVAPORATIVE_MODES)

    async def async_added_to_hass(self) -> None:
        """Take up the target humidity from before the restart."""
        await super().async_added_to_hass()
        last_state = await self.async_get_last_state()
        if last_state is not None:
            target = last_state.attributes.get(ATTR_HUMIDITY)
            if isinstance(target, int | float) and not isinstance(target, bool):
                self._target = int(target)

    @property
    def mode(self) -> str | None:
        """The humidifier's mode."""
        return code_name(EVAPORATIVE_MODES, self.status.mode)

    @property
    def target_humidity(self) -> float | None:
        """The target humidity last set (used in the humidity mode)."""
        return self._target

    async def async_set_humidity(self, humidity: int) -> None:
        """Switch to the humidity mode with this target."""
        await self._async_set_target_mode(humidity)

    async def async_set_mode(self, mode: str) -> None:
        """Switch mode; the humidity mode gets the last target."""
        code = EVAPORATIVE_MODES.get(mode)
        if code is None:
            _raise_unknown_mode(mode, self.available_modes or [])
        elif code == TARGET_HUMIDITY_MODE:
            await self._async_set_target_mode(self._target or DEFAULT_TARGET_HUMIDITY)
        else:
            await self.async_send_device_command(
                "setMode", {"mode": code}, optimistic={"mode": code, "drying": mode == "drying"}
            )

    async def _async_set_target_mode(self, humidity: int) -> None:
        await self.async_send_device_command(
            "setMode",
            {"mode": TARGET_HUMIDITY_MODE, "targetHumidify": humidity},
            optimistic={"mode": TARGET_HUMIDITY_MODE, "drying": False},
        )
        self._target = humidity
        self.async_write_ha_state()


HUMIDIFIERS: dict[RoomSenseHumidifierDescription, type[RoomSenseHumidifierBase]] = {
    HUMIDIFIER: RoomSenseHumidifier,
    EVAPORATIVE_HUMIDIFIER: RoomSenseEvaporativeHumidifier,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a humidifier for every SwitchBot humidifier."""
    async_add_described_entities(entry, async_add_entities, HUMIDIFIERS, HUMIDIFIERS)
