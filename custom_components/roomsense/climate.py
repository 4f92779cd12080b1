"""Climate: infrared air conditioners and the Smart Radiator Thermostat."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from homeassistant.components.climate import ClimateEntity, ClimateEntityDescription
from homeassistant.components.climate.const import (
    ATTR_HVAC_MODE,
    FAN_AUTO,
    FAN_HIGH,
    FAN_LOW,
    FAN_MEDIUM,
    PRESET_BOOST,
    PRESET_COMFORT,
    PRESET_ECO,
    ClimateEntityFeature,
    HVACMode,
)
from homeassistant.const import ATTR_TEMPERATURE, PRECISION_TENTHS, UnitOfTemperature
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import (
    ExtraStoredData,
    RestoredExtraData,
    RestoreEntity,
)

from . import catalog
from .catalog import Family
from .const import DOMAIN, UNLIMITED_ACTIONS
from .coordinator import RoomSenseCoordinator
from .data import RoomSenseConfigEntry
from .entity import (
    RoomSenseEntity,
    RoomSenseEntityDescription,
    RoomSenseInfraredEntity,
    async_add_described_entities,
)
from .switchbot_cloud import Device, InfraredRemote

PARALLEL_UPDATES = UNLIMITED_ACTIONS

AIR_CONDITIONER_REMOTE_TYPES = catalog.types_with(Family.AIR_CONDITIONER_REMOTE)
THERMOSTAT_TYPES = catalog.types_with(Family.THERMOSTAT)

# `setAll` codes (reference §6.3). Auto is sent as 1, which every API version accepts.
AIR_CONDITIONER_MODES: dict[HVACMode, int] = {
    HVACMode.AUTO: 1,
    HVACMode.COOL: 2,
    HVACMode.DRY: 3,
    HVACMode.FAN_ONLY: 4,
    HVACMode.HEAT: 5,
}
AIR_CONDITIONER_FAN_MODES: dict[str, int] = {FAN_AUTO: 1, FAN_LOW: 2, FAN_MEDIUM: 3, FAN_HIGH: 4}
# The reference gives no range; these are the temperatures the cloud (simulator) accepts.
AIR_CONDITIONER_MIN_TEMPERATURE = 16
AIR_CONDITIONER_MAX_TEMPERATURE = 30
AIR_CONDITIONER_DEFAULT_TEMPERATURE = 26

# Thermostat `mode` codes (reference §5.13).
THERMOSTAT_OFF = 2
THERMOSTAT_MANUAL = 1
PRESET_SCHEDULE = "schedule"
PRESET_MANUAL = "manual"
THERMOSTAT_PRESETS: dict[str, int] = {
    PRESET_SCHEDULE: 0,
    PRESET_MANUAL: THERMOSTAT_MANUAL,
    PRESET_ECO: 3,
    PRESET_COMFORT: 4,
    PRESET_BOOST: 5,
}
THERMOSTAT_MIN_TEMPERATURE = 4
THERMOSTAT_MAX_TEMPERATURE = 35
THERMOSTAT_TEMPERATURE_STEP = 0.5


@dataclass(frozen=True, kw_only=True)
class RoomSenseClimateDescription(ClimateEntityDescription, RoomSenseEntityDescription):
    """The climate entity of the device (or remote) types it serves."""


AIR_CONDITIONER = RoomSenseClimateDescription(
    key="air_conditioner",
    name=None,
    device_types=AIR_CONDITIONER_REMOTE_TYPES,
    infrared=True,
)
THERMOSTAT = RoomSenseClimateDescription(
    key="thermostat", name=None, translation_key="thermostat", device_types=THERMOSTAT_TYPES
)


def _unsupported_hvac_mode(hvac_mode: HVACMode, modes: list[HVACMode]) -> ServiceValidationError:
    # The core checks `set_hvac_mode` itself, but not the mode `set_temperature` may carry.
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="hvac_mode_not_supported",
        translation_placeholders={"mode": hvac_mode, "modes": ", ".join(modes)},
    )


class _CelsiusClimate(ClimateEntity):
    """Temperatures in °C under both names of the core's climate API.

    Cores up to 2026.10 read `temperature_unit`, `current_temperature` and
    `target_temperature`; 2026.11 reads the `native_*` names and reports a class that
    provides only the old ones. Subclasses implement the `native_*` names.
    """

    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_native_temperature_unit = UnitOfTemperature.CELSIUS

    def _check_hvac_mode(self, hvac_mode: HVACMode | None) -> None:
        """Refuse a mode `set_temperature` carries that this entity does not list."""
        if hvac_mode is not None and hvac_mode not in self.hvac_modes:
            raise _unsupported_hvac_mode(hvac_mode, self.hvac_modes)

    @property
    def native_current_temperature(self) -> float | None:
        """The measured temperature, in °C; none unless the device measures one."""
        return None

    @property
    def native_target_temperature(self) -> float | None:
        """The set point, in °C."""
        return None

    @property
    def current_temperature(self) -> float | None:
        """The measured temperature, under the name cores up to 2026.10 read."""
        return self.native_current_temperature

    @property
    def target_temperature(self) -> float | None:
        """The set point, under the name cores up to 2026.10 read."""
        return self.native_target_temperature


class RoomSenseAirConditioner(RoomSenseInfraredEntity, _CelsiusClimate, RestoreEntity):
    """An air conditioner driven by infrared: Home Assistant keeps the state it last sent.

    Every change sends one `setAll` that carries the whole state, so the appliance ends up
    in the state shown whatever it was doing before.
    """

    _attr_min_temp = AIR_CONDITIONER_MIN_TEMPERATURE
    _attr_max_temp = AIR_CONDITIONER_MAX_TEMPERATURE
    _attr_target_temperature_step = 1
    _attr_supported_features = (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.FAN_MODE
        | ClimateEntityFeature.TURN_ON
        | ClimateEntityFeature.TURN_OFF
    )

    def __init__(
        self,
        coordinator: RoomSenseCoordinator,
        remote: InfraredRemote,
        description: ClimateEntityDescription,
    ) -> None:
        """Switched off, in auto, at the remote's usual 26 °C until told otherwise."""
        super().__init__(coordinator, remote, description)
        self._attr_hvac_modes = [HVACMode.OFF, *AIR_CONDITIONER_MODES]
        self._attr_fan_modes = list(AIR_CONDITIONER_FAN_MODES)

    async def async_added_to_hass(self) -> None:
        """Take over the state Home Assistant restored if the gateway kept none."""
        await super().async_added_to_hass()
        if (last_state := await self.async_get_last_state()) is None:
            return
        fields: dict[str, Any] = {}
        mode_when_on = None
        if (extra := await self.async_get_last_extra_data()) is not None:
            mode_when_on = extra.as_dict().get("mode_when_on")
        if last_state.state in AIR_CONDITIONER_MODES:
            mode_when_on = last_state.state
        if last_state.state in self.hvac_modes:
            fields["power"] = "off" if last_state.state == HVACMode.OFF else "on"
        if mode_when_on in AIR_CONDITIONER_MODES:
            fields["mode"] = AIR_CONDITIONER_MODES[HVACMode(mode_when_on)]
        if last_state.attributes.get("fan_mode") in AIR_CONDITIONER_FAN_MODES:
            fields["fanSpeed"] = AIR_CONDITIONER_FAN_MODES[last_state.attributes["fan_mode"]]
        temperature = last_state.attributes.get(ATTR_TEMPERATURE)
        if isinstance(temperature, int | float) and self.min_temp <= temperature <= self.max_temp:
            fields["temperature"] = round(temperature)
        self.gateway.assumed.async_seed(self.device.device_id, fields)

    @property
    def _mode_when_on(self) -> HVACMode:
        """The mode last sent, which turning on goes back to (`setAll` carries it even off)."""
        code = self.assumed.get("mode")
        return next(
            (mode for mode, mode_code in AIR_CONDITIONER_MODES.items() if mode_code == code),
            HVACMode.AUTO,
        )

    @property
    def hvac_mode(self) -> HVACMode:
        """Off, or the mode last sent, whoever sent it."""
        return self._mode_when_on if self.assumed.get("power") == "on" else HVACMode.OFF

    @property
    def fan_mode(self) -> str:
        """The fan speed last sent."""
        code = self.assumed.get("fanSpeed")
        return next(
            (name for name, fan_code in AIR_CONDITIONER_FAN_MODES.items() if fan_code == code),
            FAN_AUTO,
        )

    @property
    def native_target_temperature(self) -> float | None:
        """The temperature last sent; the remote has no way to report one."""
        temperature = self.assumed.get("temperature")
        if isinstance(temperature, int | float) and not isinstance(temperature, bool):
            return temperature
        return AIR_CONDITIONER_DEFAULT_TEMPERATURE

    @property
    def extra_restore_state_data(self) -> ExtraStoredData:
        """Remember the mode to turn back on to, which the state hides while off."""
        return RestoredExtraData({"mode_when_on": self._mode_when_on})

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Switch off, or on in the given mode."""
        await self._async_send_state(hvac_mode=hvac_mode)

    async def async_turn_on(self) -> None:
        """Switch on in the mode used last."""
        await self._async_send_state(hvac_mode=self._mode_when_on)

    async def async_turn_off(self) -> None:
        """Switch off."""
        await self._async_send_state(hvac_mode=HVACMode.OFF)

    async def async_set_fan_mode(self, fan_mode: str) -> None:
        """Set the fan speed."""
        await self._async_send_state(fan_mode=fan_mode)

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the target temperature (whole degrees) and, if given, the mode."""
        self._check_hvac_mode(kwargs.get(ATTR_HVAC_MODE))
        temperature = kwargs.get(ATTR_TEMPERATURE)
        await self._async_send_state(
            hvac_mode=kwargs.get(ATTR_HVAC_MODE),
            # Remotes take whole degrees; a value converted from °F is rounded half up.
            temperature=None if temperature is None else math.floor(temperature + 0.5),
        )

    async def _async_send_state(
        self,
        *,
        hvac_mode: HVACMode | None = None,
        fan_mode: str | None = None,
        temperature: int | None = None,
    ) -> None:
        """Send the whole new state in one `setAll`; the gateway then assumes it."""
        if hvac_mode is None:
            hvac_mode = self.hvac_mode
        fan_mode = fan_mode or self.fan_mode
        if temperature is None:
            temperature = round(
                self.native_target_temperature or AIR_CONDITIONER_DEFAULT_TEMPERATURE
            )
        mode_when_on = self._mode_when_on if hvac_mode == HVACMode.OFF else hvac_mode
        power = "off" if hvac_mode == HVACMode.OFF else "on"
        await self.async_send_device_command(
            "setAll",
            f"{temperature},{AIR_CONDITIONER_MODES[mode_when_on]},"
            f"{AIR_CONDITIONER_FAN_MODES[fan_mode]},{power}",
        )


class RoomSenseThermostat(RoomSenseEntity, _CelsiusClimate, RestoreEntity):
    """A Smart Radiator Thermostat: heat or off, with its modes as presets.

    The status reports the mode and the measured temperature but not the set point, so
    the target shown is the manual set point Home Assistant last sent (kept across
    restarts), and only while the thermostat is in manual mode.
    """

    _attr_precision = PRECISION_TENTHS
    _attr_min_temp = THERMOSTAT_MIN_TEMPERATURE
    _attr_max_temp = THERMOSTAT_MAX_TEMPERATURE
    _attr_target_temperature_step = THERMOSTAT_TEMPERATURE_STEP
    _attr_supported_features = (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.PRESET_MODE
        | ClimateEntityFeature.TURN_ON
        | ClimateEntityFeature.TURN_OFF
    )

    def __init__(
        self,
        coordinator: RoomSenseCoordinator,
        device: Device,
        description: ClimateEntityDescription,
    ) -> None:
        """Remember the mode the thermostat is in, to expect it back after `turnOn`."""
        super().__init__(coordinator, device, description)
        self._attr_hvac_modes = [HVACMode.HEAT, HVACMode.OFF]
        self._attr_preset_modes = list(THERMOSTAT_PRESETS)
        self._manual_temperature: float | None = None
        self._mode_when_on = THERMOSTAT_MANUAL
        self._remember_mode_when_on()

    @property
    def _mode(self) -> int | None:
        mode = self.status.mode
        return mode if isinstance(mode, int) else None

    @callback
    def _remember_mode_when_on(self) -> None:
        # `turnOn` resumes the mode used before `turnOff`.
        if (mode := self._mode) is not None and mode != THERMOSTAT_OFF:
            self._mode_when_on = mode

    @callback
    def _handle_coordinator_update(self) -> None:
        """Note the mode before showing the new status."""
        self._remember_mode_when_on()
        super()._handle_coordinator_update()

    async def async_added_to_hass(self) -> None:
        """Take back the manual set point sent before the restart."""
        await super().async_added_to_hass()
        if (extra := await self.async_get_last_extra_data()) is None:
            return
        temperature = extra.as_dict().get("manual_temperature")
        if isinstance(temperature, int | float):
            self._manual_temperature = float(temperature)

    @property
    def extra_restore_state_data(self) -> ExtraStoredData:
        """The manual set point, which the cloud never reports."""
        return RestoredExtraData({"manual_temperature": self._manual_temperature})

    @property
    def native_current_temperature(self) -> float | None:
        """The temperature the thermostat measures."""
        return self.status.temperature

    @property
    def hvac_mode(self) -> HVACMode | None:
        """Off in mode 2, heating in every other mode."""
        if (mode := self._mode) is None:
            return None
        return HVACMode.OFF if mode == THERMOSTAT_OFF else HVACMode.HEAT

    @property
    def preset_mode(self) -> str | None:
        """The thermostat's mode; none while it is off."""
        mode = self._mode
        return next((name for name, code in THERMOSTAT_PRESETS.items() if code == mode), None)

    @property
    def native_target_temperature(self) -> float | None:
        """The manual set point, shown in manual mode only."""
        return self._manual_temperature if self._mode == THERMOSTAT_MANUAL else None

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Heat (back in the mode used before switching off) or switch off."""
        # The core lets only the listed modes through: heat or off.
        if hvac_mode == HVACMode.HEAT:
            await self.async_send_device_command("turnOn", optimistic={"mode": self._mode_when_on})
        else:
            await self.async_send_device_command("turnOff", optimistic={"mode": THERMOSTAT_OFF})

    async def async_turn_on(self) -> None:
        """Heat again."""
        await self.async_set_hvac_mode(HVACMode.HEAT)

    async def async_turn_off(self) -> None:
        """Switch off."""
        await self.async_set_hvac_mode(HVACMode.OFF)

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Switch to one of the thermostat's modes (this also turns it on)."""
        code = THERMOSTAT_PRESETS[preset_mode]
        await self.async_send_device_command("setMode", code, optimistic={"mode": code})

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the manual set point, switching to manual mode first.

        The thermostat only takes a set point in manual mode, so a temperature set while
        off or in another mode switches to manual (which also turns it on).
        """
        self._check_hvac_mode(kwargs.get(ATTR_HVAC_MODE))
        if (temperature := kwargs.get(ATTR_TEMPERATURE)) is not None:
            steps = math.floor(temperature / THERMOSTAT_TEMPERATURE_STEP + 0.5)
            set_point = steps * THERMOSTAT_TEMPERATURE_STEP
            if self._mode != THERMOSTAT_MANUAL:
                await self.async_send_device_command(
                    "setMode", THERMOSTAT_MANUAL, optimistic={"mode": THERMOSTAT_MANUAL}
                )
            await self.async_send_device_command("setManualModeTemperature", f"{set_point:g}")
            self._manual_temperature = set_point
            self.async_write_ha_state()
        if (hvac_mode := kwargs.get(ATTR_HVAC_MODE)) is not None and hvac_mode != self.hvac_mode:
            await self.async_set_hvac_mode(hvac_mode)


CLIMATES: dict[RoomSenseClimateDescription, type[_CelsiusClimate]] = {
    AIR_CONDITIONER: RoomSenseAirConditioner,
    THERMOSTAT: RoomSenseThermostat,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add air conditioner remotes and radiator thermostats."""
    async_add_described_entities(entry, async_add_entities, CLIMATES, CLIMATES)
