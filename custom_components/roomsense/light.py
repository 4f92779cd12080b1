"""Lights: bulbs, strips, ceiling lights, floor lamps and the candle warmer (reference §5.9)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.light import (
    ATTR_BRIGHTNESS,
    ATTR_COLOR_TEMP_KELVIN,
    ATTR_RGB_COLOR,
    LightEntity,
    LightEntityDescription,
)
from homeassistant.components.light.const import ColorMode
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import catalog
from .catalog import Family
from .const import DOMAIN, UNLIMITED_ACTIONS
from .coordinator import RoomSenseCoordinator
from .data import RoomSenseConfigEntry
from .entity import (
    RoomSenseEntity,
    RoomSenseEntityDescription,
    async_add_described_entities,
)
from .switchbot_cloud import Device

PARALLEL_UPDATES = UNLIMITED_ACTIONS

MIN_KELVIN = 2700
MAX_KELVIN = 6500
# Both colour modes are reported side by side; a white colour means the white LEDs are in use.
_WHITE = (255, 255, 255)

_COLOR_AND_WHITE = frozenset({ColorMode.RGB, ColorMode.COLOR_TEMP})


def _level(brightness: int) -> int:
    """Home Assistant's 1-255 brightness as the light's `setBrightness` percent.

    `brightness_pct` arrives as round(pct * 255 / 100), so rounding back gives the percent
    asked for (50 % sends 50). Some types take 1-100, the newer ones 0-100 (§5.9), where 0
    would switch the light off: never below 1.
    """
    return max(1, min(100, round(brightness * 100 / 255)))


def _brightness(level: int) -> int:
    """The light's percent level on Home Assistant's 1-255 scale."""
    return max(1, min(255, round(level * 255 / 100)))


@dataclass(frozen=True, kw_only=True)
class RoomSenseLightDescription(LightEntityDescription, RoomSenseEntityDescription):
    """A light of the device types that share its colour modes."""

    color_modes: frozenset[ColorMode]


def _light(device_types: frozenset[str], *color_modes: ColorMode) -> RoomSenseLightDescription:
    """The light of the types with these colour modes: the main entity of its device."""
    return RoomSenseLightDescription(
        key="light", name=None, device_types=device_types, color_modes=frozenset(color_modes)
    )


LIGHTS: tuple[RoomSenseLightDescription, ...] = (
    _light(
        catalog.types_with(Family.LIGHT, commands={"setColor", "setColorTemperature"}),
        *_COLOR_AND_WHITE,
    ),
    _light(
        catalog.types_with(Family.LIGHT, commands={"setColor"}, lacking={"setColorTemperature"}),
        ColorMode.RGB,
    ),
    _light(
        catalog.types_with(Family.LIGHT, commands={"setColorTemperature"}, lacking={"setColor"}),
        ColorMode.COLOR_TEMP,
    ),
    _light(
        catalog.types_with(Family.LIGHT, lacking={"setColor", "setColorTemperature"}),
        ColorMode.BRIGHTNESS,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a light for every SwitchBot light."""
    async_add_described_entities(entry, async_add_entities, LIGHTS, RoomSenseLight)


class RoomSenseLight(RoomSenseEntity, LightEntity):
    """A SwitchBot light: on/off, brightness, and the colour modes of its type."""

    entity_description: RoomSenseLightDescription

    def __init__(
        self,
        coordinator: RoomSenseCoordinator,
        device: Device,
        description: RoomSenseLightDescription,
    ) -> None:
        """Set the colour modes of the type; guess the active one from the status."""
        super().__init__(coordinator, device, description)
        self._attr_supported_color_modes = set(description.color_modes)
        if ColorMode.COLOR_TEMP in description.color_modes:
            self._attr_min_color_temp_kelvin = MIN_KELVIN
            self._attr_max_color_temp_kelvin = MAX_KELVIN
        self._seen_color = self.status.color
        self._seen_kelvin = self.status.color_temperature
        self._active_color_mode = self._initial_color_mode()

    def _initial_color_mode(self) -> ColorMode:
        modes = self.entity_description.color_modes
        if len(modes) == 1:
            return next(iter(modes))
        # The status does not say which mode is active: a coloured setting means RGB.
        color = self.status.color
        return ColorMode.COLOR_TEMP if color in (None, _WHITE) else ColorMode.RGB

    @callback
    def _handle_coordinator_update(self) -> None:
        """Follow the colour mode: whichever of colour and temperature changed is in use."""
        if self.entity_description.color_modes == _COLOR_AND_WHITE:
            color, kelvin = self.status.color, self.status.color_temperature
            color_changed = color != self._seen_color
            kelvin_changed = kelvin != self._seen_kelvin
            if color_changed and not kelvin_changed:
                self._active_color_mode = ColorMode.RGB
            elif kelvin_changed and not color_changed:
                self._active_color_mode = ColorMode.COLOR_TEMP
            self._seen_color, self._seen_kelvin = color, kelvin
        super()._handle_coordinator_update()

    @property
    def is_on(self) -> bool | None:
        """Whether the light is on, as last known."""
        return self.status.power

    @property
    def brightness(self) -> int | None:
        """The brightness on Home Assistant's 1-255 scale."""
        level = self.status.brightness
        if not isinstance(level, int):
            return None
        return _brightness(level)

    @property
    def color_mode(self) -> ColorMode:
        """The colour mode last used."""
        return self._active_color_mode

    @property
    def rgb_color(self) -> tuple[int, int, int] | None:
        """The colour, on types that have one."""
        if ColorMode.RGB not in self.entity_description.color_modes:
            return None
        return self.status.color

    @property
    def color_temp_kelvin(self) -> int | None:
        """The white colour temperature, on types that have one."""
        if ColorMode.COLOR_TEMP not in self.entity_description.color_modes:
            return None
        return self.status.color_temperature

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on if needed, then apply the colour and brightness asked for.

        Setting brightness or colour does not switch a SwitchBot light on, so `turnOn`
        goes first when the light is off; the settings are then applied to a lit light.
        """
        kelvin: int | None = kwargs.get(ATTR_COLOR_TEMP_KELVIN)
        if kelvin is not None and not MIN_KELVIN <= kelvin <= MAX_KELVIN:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="color_temperature_out_of_range",
                translation_placeholders={
                    "kelvin": str(kelvin),
                    "min_kelvin": str(MIN_KELVIN),
                    "max_kelvin": str(MAX_KELVIN),
                },
            )
        rgb: tuple[int, int, int] | None = kwargs.get(ATTR_RGB_COLOR)
        brightness: int | None = kwargs.get(ATTR_BRIGHTNESS)
        settings_asked = kelvin is not None or rgb is not None or brightness is not None
        if not self.is_on or not settings_asked:
            await self.async_send_device_command("turnOn", optimistic={"power": "on"})
        if rgb is not None:
            color = ":".join(str(part) for part in rgb)
            await self.async_send_device_command("setColor", color, optimistic={"color": color})
            self._active_color_mode = ColorMode.RGB
        if kelvin is not None:
            await self.async_send_device_command(
                "setColorTemperature", str(kelvin), optimistic={"colorTemperature": kelvin}
            )
            self._active_color_mode = ColorMode.COLOR_TEMP
        if brightness is not None:
            level = _level(brightness)
            await self.async_send_device_command(
                "setBrightness", str(level), optimistic={"brightness": level}
            )
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        await self.async_send_device_command("turnOff", optimistic={"power": "off"})
