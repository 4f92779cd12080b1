"""Robot vacuums, in the two command sets SwitchBot uses.

S1, S1 Plus, K10+ and K10+ Pro take `start`, `stop`, `dock` and `PowLevel 0-3`. The newer
robots take `startClean` with a JSON object, `pause`, `dock` and `changeParam` with a fan
level 1-4; they have no `stop`, so stopping pauses them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from homeassistant.components.vacuum import (
    StateVacuumEntity,
    StateVacuumEntityDescription,
    VacuumEntityFeature,
)
from homeassistant.components.vacuum.const import VacuumActivity
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import catalog
from .catalog import Family, Feature
from .const import DOMAIN, UNLIMITED_ACTIONS
from .data import RoomSenseConfigEntry
from .entity import (
    RoomSenseEntity,
    RoomSenseEntityDescription,
    async_add_described_entities,
)

PARALLEL_UPDATES = UNLIMITED_ACTIONS

FAN_SPEED_QUIET = "quiet"
FAN_SPEED_STANDARD = "standard"
FAN_SPEED_STRONG = "strong"
FAN_SPEED_MAX = "max"
FAN_SPEEDS = [FAN_SPEED_QUIET, FAN_SPEED_STANDARD, FAN_SPEED_STRONG, FAN_SPEED_MAX]

# `workingStatus` (reference §5.11) as Home Assistant shows it.
ACTIVITIES: dict[str, VacuumActivity] = {
    "StandBy": VacuumActivity.IDLE,
    "Clearing": VacuumActivity.CLEANING,
    "Paused": VacuumActivity.PAUSED,
    "GotoChargeBase": VacuumActivity.RETURNING,
    "Charging": VacuumActivity.DOCKED,
    "ChargeDone": VacuumActivity.DOCKED,
    # Asleep away from the base, after a long idle time.
    "Dormant": VacuumActivity.IDLE,
    "InTrouble": VacuumActivity.ERROR,
    # Driven by hand from the app: it is out on the floor, working.
    "InRemoteControl": VacuumActivity.CLEANING,
    # Emptying its bin into the base station.
    "InDustCollecting": VacuumActivity.DOCKED,
}

CLEANING = "Clearing"
PAUSED = "Paused"
STANDING_BY = "StandBy"
RETURNING = "GotoChargeBase"

_COMMON_FEATURES = (
    VacuumEntityFeature.STATE
    | VacuumEntityFeature.START
    | VacuumEntityFeature.STOP
    | VacuumEntityFeature.RETURN_HOME
    | VacuumEntityFeature.FAN_SPEED
)


@dataclass(frozen=True, kw_only=True)
class RoomSenseVacuumDescription(StateVacuumEntityDescription, RoomSenseEntityDescription):
    """The command set of a group of robot vacuums."""

    # `start`/`stop`/`PowLevel 0-3` rather than `startClean`/`pause`/`changeParam 1-4`.
    legacy_commands: bool = False
    # Whether `startClean` and `changeParam` must carry a `waterLevel` for this model.
    water_level_on_start: bool = False
    water_level_on_change: bool = False


# Every robot is its device's main entity; the groups differ in their commands.
_VACUUM = RoomSenseVacuumDescription(key="vacuum", name=None, translation_key="vacuum")
VACUUMS: tuple[RoomSenseVacuumDescription, ...] = (
    replace(_VACUUM, device_types=catalog.types_with(Family.SIMPLE_VACUUM), legacy_commands=True),
    replace(
        _VACUUM,
        device_types=catalog.types_with(Family.TASK_VACUUM, without={Feature.WATER_LEVEL}),
    ),
    replace(
        _VACUUM,
        device_types=catalog.types_with(Family.TASK_VACUUM, features={Feature.WATER_LEVEL}),
        water_level_on_change=True,
    ),
    replace(
        _VACUUM,
        device_types=catalog.types_with(Family.MOP_VACUUM),
        water_level_on_start=True,
        water_level_on_change=True,
    ),
)

# Only vacuuming is offered, so the mop's water level is sent at its lowest.
WATER_LEVEL = 1
# A cleaning run covers the whole home once.
CLEANING_TIMES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add every robot vacuum."""
    async_add_described_entities(entry, async_add_entities, VACUUMS, RoomSenseVacuum)


class RoomSenseVacuum(RoomSenseEntity, StateVacuumEntity):
    """A robot vacuum: its activity from the status, its fan speed assumed.

    Its battery is a sensor of the same device (the vacuum entity has had no battery since
    Home Assistant 2025.8).

    The status does not report the suction level, so the fan speed shown is the one last
    sent from Home Assistant (unknown until then).
    """

    entity_description: RoomSenseVacuumDescription
    _attr_fan_speed_list = FAN_SPEEDS

    @property
    def supported_features(self) -> VacuumEntityFeature:
        """Pause on the robots that have it; the S1 family can only stop."""
        if self.entity_description.legacy_commands:
            return _COMMON_FEATURES
        return _COMMON_FEATURES | VacuumEntityFeature.PAUSE

    @property
    def activity(self) -> VacuumActivity | None:
        """What the robot is doing, from its `workingStatus`."""
        working_status = self.status.working_status
        return None if working_status is None else ACTIVITIES.get(working_status)

    async def async_start(self) -> None:
        """Start (or resume) cleaning the whole home at the chosen fan speed."""
        optimistic = {"workingStatus": CLEANING}
        if self.entity_description.legacy_commands:
            await self.async_send_device_command("start", optimistic=optimistic)
            return
        fan_speed = self.fan_speed or FAN_SPEED_STANDARD
        await self.async_send_device_command(
            "startClean",
            {"action": "sweep", "param": self._clean_settings(fan_speed, start=True)},
            optimistic=optimistic,
        )
        self._attr_fan_speed = fan_speed
        self.async_write_ha_state()

    async def async_pause(self) -> None:
        """Pause cleaning; the robot stays where it is."""
        # The robot ignores `pause` unless it is cleaning.
        cleaning = self.status.working_status == CLEANING
        await self.async_send_device_command(
            "pause", optimistic={"workingStatus": PAUSED} if cleaning else None
        )

    async def async_stop(self, **kwargs: Any) -> None:
        """Stop cleaning: `stop` on the S1 family, a pause on the robots without it."""
        if not self.entity_description.legacy_commands:
            await self.async_pause()
            return
        await self.async_send_device_command("stop", optimistic={"workingStatus": STANDING_BY})

    async def async_return_to_base(self, **kwargs: Any) -> None:
        """Go back to the base to charge."""
        await self.async_send_device_command("dock", optimistic={"workingStatus": RETURNING})

    async def async_set_fan_speed(self, fan_speed: str, **kwargs: Any) -> None:
        """Set the suction level, for this run and the next ones."""
        if fan_speed not in FAN_SPEEDS:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="fan_speed_not_supported",
                translation_placeholders={
                    "fan_speed": fan_speed,
                    "fan_speeds": ", ".join(FAN_SPEEDS),
                },
            )
        level = FAN_SPEEDS.index(fan_speed)
        if self.entity_description.legacy_commands:
            await self.async_send_device_command("PowLevel", level)
        else:
            await self.async_send_device_command("changeParam", self._clean_settings(fan_speed))
        self._attr_fan_speed = fan_speed
        self.async_write_ha_state()

    def _clean_settings(self, fan_speed: str, *, start: bool = False) -> dict[str, Any]:
        """The `param` object of `startClean` and `changeParam` (fan level 1-4)."""
        settings: dict[str, Any] = {"fanLevel": FAN_SPEEDS.index(fan_speed) + 1}
        description = self.entity_description
        if description.water_level_on_start if start else description.water_level_on_change:
            settings["waterLevel"] = WATER_LEVEL
        settings["times"] = CLEANING_TIMES
        return settings
