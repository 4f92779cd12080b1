"""Fans: circulator fans (§5.14), air purifiers (§5.12) and infrared fan remotes (§6.2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self

from homeassistant.components.fan import FanEntity, FanEntityDescription, FanEntityFeature
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity
from homeassistant.util.percentage import (
    ordered_list_item_to_percentage,
    percentage_to_ordered_list_item,
)

from . import catalog
from .catalog import Family
from .const import UNLIMITED_ACTIONS
from .data import RoomSenseConfigEntry
from .entity import (
    RoomSenseEntity,
    RoomSenseEntityDescription,
    RoomSenseInfraredEntity,
    async_add_described_entities,
    code_name,
)

PARALLEL_UPDATES = UNLIMITED_ACTIONS

_ON_OFF = FanEntityFeature.TURN_ON | FanEntityFeature.TURN_OFF

CIRCULATOR_FAN_TYPES = catalog.types_with(Family.CIRCULATOR_FAN)
WIND_MODES = ["direct", "natural", "sleep", "baby"]

AIR_PURIFIER_TYPES = catalog.types_with(Family.AIR_PURIFIER)
# Purifier `mode` codes (§5.12); `fanGear` only counts in the first, "normal".
PURIFIER_MODES = {"normal": 1, "auto": 2, "sleep": 3, "pet": 4}
PURIFIER_NORMAL = PURIFIER_MODES["normal"]
FAN_GEARS = [1, 2, 3]

INFRARED_FAN_TYPES = catalog.types_with(Family.FAN_REMOTE)
INFRARED_SPEEDS = ["low", "middle", "high"]
INFRARED_SPEED_COMMANDS = {"low": "lowSpeed", "middle": "middleSpeed", "high": "highSpeed"}


@dataclass(frozen=True, kw_only=True)
class RoomSenseFanDescription(FanEntityDescription, RoomSenseEntityDescription):
    """The fan of the device types it serves."""


CIRCULATOR_FAN = RoomSenseFanDescription(
    key="fan",
    name=None,
    translation_key="circulator_fan",
    device_types=CIRCULATOR_FAN_TYPES,
)
AIR_PURIFIER = RoomSenseFanDescription(
    key="fan",
    name=None,
    translation_key="air_purifier",
    device_types=AIR_PURIFIER_TYPES,
)
INFRARED_FAN = RoomSenseFanDescription(
    key="fan",
    name=None,
    device_types=INFRARED_FAN_TYPES,
    infrared=True,
)


class _RoomSenseFan(RoomSenseEntity, FanEntity):
    """A fan started before a speed or mode is set on it, and stopped by a speed of 0."""

    entity_description: RoomSenseFanDescription
    # The `power` the status shows once the fan is started and stopped; None: not shown.
    _power_values: tuple[str, str] | None = ("on", "off")

    @property
    def is_on(self) -> bool | None:
        """Whether the fan runs, as last known."""
        return self.status.power

    async def async_turn_on(
        self,
        percentage: int | None = None,
        preset_mode: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Start the fan (where needed), then set the speed or mode asked for."""
        if percentage == 0:
            await self.async_turn_off()
            return
        if self._start_needed(percentage, preset_mode):
            await self.async_send_device_command("turnOn", optimistic=self._power(on=True))
        await self._async_apply(percentage, preset_mode)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop the fan."""
        await self.async_send_device_command("turnOff", optimistic=self._power(on=False))

    async def async_set_percentage(self, percentage: int) -> None:
        """Set the speed; 0 stops the fan, a speed starts a stopped one."""
        if percentage == 0:
            await self.async_turn_off()
            return
        if not self.is_on:
            await self.async_send_device_command("turnOn", optimistic=self._power(on=True))
        await self._async_send_speed(percentage)

    def _power(self, *, on: bool) -> dict[str, Any] | None:
        if self._power_values is None:
            return None
        return {"power": self._power_values[0 if on else 1]}

    def _start_needed(self, percentage: int | None, preset_mode: str | None) -> bool:
        """Whether `turnOn` goes first: the fan is not running, or nothing else was asked."""
        return not self.is_on or (percentage is None and preset_mode is None)

    async def _async_apply(self, percentage: int | None, preset_mode: str | None) -> None:
        """Set the speed or mode asked for with `turn_on`, on a running fan."""
        raise NotImplementedError

    async def _async_send_speed(self, percentage: int) -> None:
        raise NotImplementedError


class RoomSenseCirculatorFan(_RoomSenseFan):
    """A circulator fan: wind speed 1-100 and the wind modes as presets."""

    _attr_supported_features = FanEntityFeature.SET_SPEED | FanEntityFeature.PRESET_MODE | _ON_OFF
    _attr_speed_count = 100

    @property
    def preset_modes(self) -> list[str]:
        """The wind modes."""
        return list(WIND_MODES)

    @property
    def percentage(self) -> int | None:
        """The wind speed while running, 0 while stopped."""
        if self.status.power is False:
            return 0
        return self.status.fan_speed

    @property
    def preset_mode(self) -> str | None:
        """The wind mode."""
        mode = self.status.mode
        return mode if isinstance(mode, str) and mode in WIND_MODES else None

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Set the wind mode."""
        await self.async_send_device_command(
            "setWindMode", preset_mode, optimistic={"mode": preset_mode}
        )

    async def _async_apply(self, percentage: int | None, preset_mode: str | None) -> None:
        """The mode first, then the speed."""
        if preset_mode is not None:
            await self.async_set_preset_mode(preset_mode)
        if percentage is not None:
            await self._async_send_speed(percentage)

    async def _async_send_speed(self, percentage: int) -> None:
        await self.async_send_device_command(
            "setWindSpeed", str(percentage), optimistic={"fanSpeed": percentage}
        )


class RoomSenseAirPurifier(_RoomSenseFan):
    """An air purifier: its modes as presets, and the fan gear of normal mode as speed.

    The status reports the mode but not the gear, so the speed is the gear last set here
    (unknown until the first one is).
    """

    _attr_supported_features = FanEntityFeature.SET_SPEED | FanEntityFeature.PRESET_MODE | _ON_OFF
    _attr_speed_count = len(FAN_GEARS)
    _power_values = ("ON", "OFF")
    _fan_gear: int | None = None

    @property
    def preset_modes(self) -> list[str]:
        """The four modes."""
        return list(PURIFIER_MODES)

    @property
    def preset_mode(self) -> str | None:
        """The purifier's mode."""
        return code_name(PURIFIER_MODES, self.status.mode)

    @property
    def percentage(self) -> int | None:
        """The gear in normal mode; 0 while stopped, unknown in the automatic modes."""
        if self.status.power is False:
            return 0
        if self.status.mode != PURIFIER_NORMAL or self._fan_gear is None:
            return None
        return ordered_list_item_to_percentage(FAN_GEARS, self._fan_gear)

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Switch mode; normal mode keeps the last gear (the lowest when none is known)."""
        if PURIFIER_MODES[preset_mode] == PURIFIER_NORMAL:
            await self._async_send_gear(self._fan_gear or FAN_GEARS[0])
            return
        mode = PURIFIER_MODES[preset_mode]
        await self.async_send_device_command("setMode", {"mode": mode}, optimistic={"mode": mode})

    async def _async_apply(self, percentage: int | None, preset_mode: str | None) -> None:
        """The gear nearest the percentage (normal mode), else the mode."""
        if percentage is not None:
            await self._async_send_speed(percentage)
        elif preset_mode is not None:
            await self.async_set_preset_mode(preset_mode)

    async def _async_send_speed(self, percentage: int) -> None:
        await self._async_send_gear(percentage_to_ordered_list_item(FAN_GEARS, percentage))

    async def _async_send_gear(self, gear: int) -> None:
        await self.async_send_device_command(
            "setMode",
            {"mode": PURIFIER_NORMAL, "fanGear": gear},
            optimistic={"mode": PURIFIER_NORMAL},
        )
        self._fan_gear = gear
        self.async_write_ha_state()


@dataclass
class InfraredFanMemory(ExtraStoredData):
    """What an infrared fan was last told, kept across restarts."""

    is_on: bool
    speed: str
    oscillating: bool

    def as_dict(self) -> dict[str, Any]:
        """The memory as JSON-ready data."""
        return {"is_on": self.is_on, "speed": self.speed, "oscillating": self.oscillating}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self | None:
        """The memory stored by `as_dict`, or None when it is not usable."""
        is_on, speed, oscillating = (data.get(key) for key in ("is_on", "speed", "oscillating"))
        if (
            not isinstance(is_on, bool)
            or speed not in INFRARED_SPEEDS
            or not isinstance(oscillating, bool)
        ):
            return None
        return cls(is_on=is_on, speed=speed, oscillating=oscillating)


class RoomSenseInfraredFan(RoomSenseInfraredEntity, _RoomSenseFan, RestoreEntity):
    """A fan driven by infrared: three speeds and a swing button, all one-way.

    The fan cannot report back, so the state is what it was last told, restored after
    a restart. `swing` toggles, so it is only sent when the oscillation must change.
    """

    _attr_supported_features = FanEntityFeature.SET_SPEED | FanEntityFeature.OSCILLATE | _ON_OFF
    _attr_speed_count = len(INFRARED_SPEEDS)
    # Off, at low speed, not swinging, until told otherwise; power codes change nothing shown.
    _power_values = None

    async def async_added_to_hass(self) -> None:
        """Take over the state Home Assistant restored if the gateway kept none."""
        await super().async_added_to_hass()
        extra = await self.async_get_last_extra_data()
        memory = InfraredFanMemory.from_dict(extra.as_dict()) if extra else None
        if memory is not None:
            self.gateway.assumed.async_seed(
                self.device.device_id,
                {
                    "power": "on" if memory.is_on else "off",
                    "speed": memory.speed,
                    "oscillating": memory.oscillating,
                },
            )
        elif (last_state := await self.async_get_last_state()) is not None:
            self.gateway.assumed.async_seed(
                self.device.device_id, {"power": "on" if last_state.state == STATE_ON else "off"}
            )

    @property
    def _assumed_on(self) -> bool:
        return self.assumed.get("power") == "on"

    @property
    def _speed(self) -> str:
        speed = self.assumed.get("speed")
        return speed if speed in INFRARED_SPEEDS else INFRARED_SPEEDS[0]

    @property
    def extra_restore_state_data(self) -> InfraredFanMemory:
        """The speed and swing to restore, kept even while the fan is off."""
        return InfraredFanMemory(
            is_on=self._assumed_on, speed=self._speed, oscillating=self.oscillating
        )

    @property
    def is_on(self) -> bool:
        """Whether the fan was last told to run, from any path."""
        return self._assumed_on

    @property
    def percentage(self) -> int:
        """The speed last set while running, 0 while off."""
        if not self._assumed_on:
            return 0
        return ordered_list_item_to_percentage(INFRARED_SPEEDS, self._speed)

    @property
    def oscillating(self) -> bool:
        """Whether the fan was last told to swing."""
        return bool(self.assumed.get("oscillating", False))

    def _start_needed(self, percentage: int | None, preset_mode: str | None) -> bool:
        """The power-on code goes first, whatever the fan was last told."""
        return True

    async def _async_apply(self, percentage: int | None, preset_mode: str | None) -> None:
        """The speed asked for."""
        if percentage is not None:
            await self._async_send_speed(percentage)

    async def async_oscillate(self, oscillating: bool) -> None:
        """Press swing when the fan must change between swinging and still."""
        if oscillating != self.oscillating:
            await self.async_send_device_command("swing")

    async def _async_send_speed(self, percentage: int) -> None:
        speed = percentage_to_ordered_list_item(INFRARED_SPEEDS, percentage)
        await self.async_send_device_command(INFRARED_SPEED_COMMANDS[speed])


FANS: dict[RoomSenseFanDescription, type[_RoomSenseFan]] = {
    CIRCULATOR_FAN: RoomSenseCirculatorFan,
    AIR_PURIFIER: RoomSenseAirPurifier,
    INFRARED_FAN: RoomSenseInfraredFan,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the circulator fans, air purifiers and infrared fan remotes."""
    async_add_described_entities(entry, async_add_entities, FANS, FANS)
