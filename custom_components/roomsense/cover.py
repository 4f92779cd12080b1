"""Covers: curtains, roller shades, blind tilts and the garage door opener.

SwitchBot and Home Assistant count positions differently. Curtains and roller shades report
`slidePosition` 0 = open .. 100 = closed (reference §5.3, §5.15), the reverse of Home
Assistant's 0 = closed .. 100 = open, so their positions are inverted both ways. The Blind
Tilt already counts 0 = closed .. 100 = open, but only accepts even positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.cover import (
    ATTR_POSITION,
    ATTR_TILT_POSITION,
    CoverDeviceClass,
    CoverEntity,
    CoverEntityDescription,
    CoverEntityFeature,
)
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
from .switchbot_cloud import DeviceStatus

PARALLEL_UPDATES = UNLIMITED_ACTIONS

# Garage Door Opener `doorStatus`. The reference only says "0 on, 1 off"; the opener's
# turnOn opens the door and the simulator (like the cloud) reports 0 after it, so 0 = open.
GARAGE_DOOR_OPEN = 0
GARAGE_DOOR_CLOSED = 1


def garage_door_open(status: DeviceStatus) -> bool | None:
    """Whether a garage door is open by its `doorStatus`; None for any other value."""
    door_status = status.raw.get("doorStatus")
    if door_status in (GARAGE_DOOR_OPEN, str(GARAGE_DOOR_OPEN)):
        return True
    if door_status in (GARAGE_DOOR_CLOSED, str(GARAGE_DOOR_CLOSED)):
        return False
    return None


# Curtain `setPosition` is "index,mode,position"; mode "ff" lets the curtain pick its speed.
_CURTAIN_POSITION_PARAMETER = "0,ff,{position}"


@dataclass(frozen=True, kw_only=True)
class RoomSenseCoverDescription(CoverEntityDescription, RoomSenseEntityDescription):
    """A cover of the device types it serves, with what those types can do."""

    supported_features: CoverEntityFeature


class RoomSenseCover(RoomSenseEntity, CoverEntity):
    """A SwitchBot cover; the subclasses know the commands of their family."""

    entity_description: RoomSenseCoverDescription

    @property
    def supported_features(self) -> CoverEntityFeature:
        """Exactly what the device type supports."""
        return self.entity_description.supported_features


class _SlidingCover(RoomSenseCover):
    """A cover whose `slidePosition` runs 0 = open .. 100 = closed (curtains, roller shades)."""

    @property
    def current_cover_position(self) -> int | None:
        """Home Assistant's position: 0 closed .. 100 open, so SwitchBot's inverted."""
        slide_position = self.status.slide_position
        return None if slide_position is None else 100 - slide_position

    @property
    def is_closed(self) -> bool | None:
        """Closed when fully drawn shut."""
        position = self.current_cover_position
        return None if position is None else position == 0

    async def async_set_cover_position(self, **kwargs: Any) -> None:
        """Move to a Home Assistant position (0 closed .. 100 open)."""
        await self._async_move_to(100 - int(kwargs[ATTR_POSITION]))

    async def _async_move_to(self, slide_position: int) -> None:
        """Move to a SwitchBot position (0 open .. 100 closed)."""
        raise NotImplementedError


class CurtainCover(_SlidingCover):
    """Curtain and Curtain 3: open/close/stop commands and an "index,mode,position" setter."""

    async def async_open_cover(self, **kwargs: Any) -> None:
        """Open fully (turnOn is position 0)."""
        await self.async_send_device_command(
            "turnOn", optimistic={"slidePosition": 0, "moving": False}
        )

    async def async_close_cover(self, **kwargs: Any) -> None:
        """Close fully (turnOff is position 100)."""
        await self.async_send_device_command(
            "turnOff", optimistic={"slidePosition": 100, "moving": False}
        )

    async def async_stop_cover(self, **kwargs: Any) -> None:
        """Stop where the curtain is."""
        await self.async_send_device_command("pause", optimistic={"moving": False})

    async def _async_move_to(self, slide_position: int) -> None:
        await self.async_send_device_command(
            "setPosition",
            _CURTAIN_POSITION_PARAMETER.format(position=slide_position),
            optimistic={"slidePosition": slide_position},
        )


class RollerShadeCover(_SlidingCover):
    """Roller Shade: its only command is setPosition (reference §5.15), so open/close use it."""

    async def async_open_cover(self, **kwargs: Any) -> None:
        """Roll fully up."""
        await self._async_move_to(0)

    async def async_close_cover(self, **kwargs: Any) -> None:
        """Roll fully down."""
        await self._async_move_to(100)

    async def _async_move_to(self, slide_position: int) -> None:
        # The parameter is the bare position, "0" (open) .. "100" (closed).
        await self.async_send_device_command(
            "setPosition", str(slide_position), optimistic={"slidePosition": slide_position}
        )


class BlindTiltCover(RoomSenseCover):
    """Blind Tilt: slats tilted up or down; 0 = closed .. 100 = open (horizontal), even only."""

    @property
    def current_cover_tilt_position(self) -> int | None:
        """The tilt, already on Home Assistant's scale."""
        return self.status.slide_position

    @property
    def is_closed(self) -> bool | None:
        """Closed when the slats are shut, whichever way they are tilted."""
        tilt = self.current_cover_tilt_position
        return None if tilt is None else tilt == 0

    @property
    def _direction(self) -> str:
        """The way the slats lean now; a tilt keeps it so the blind does not flip over.

        Unreported (never the case on a calibrated blind), "down" is assumed.
        """
        direction = self.status.direction
        return direction if direction in ("up", "down") else "down"

    async def async_open_cover_tilt(self, **kwargs: Any) -> None:
        """Turn the slats horizontal."""
        await self.async_send_device_command("fullyOpen", optimistic={"slidePosition": 100})

    async def async_close_cover_tilt(self, **kwargs: Any) -> None:
        """Shut the slats the way they already lean (closeUp or closeDown)."""
        direction = self._direction
        await self.async_send_device_command(
            "closeUp" if direction == "up" else "closeDown",
            optimistic={"direction": direction, "slidePosition": 0},
        )

    async def async_set_cover_tilt_position(self, **kwargs: Any) -> None:
        """Tilt to a position, rounded to the even value the blind requires (halves up)."""
        tilt = 2 * ((int(kwargs[ATTR_TILT_POSITION]) + 1) // 2)
        direction = self._direction
        await self.async_send_device_command(
            "setPosition",
            f"{direction};{tilt}",
            optimistic={"direction": direction, "slidePosition": tilt},
        )


class GarageDoorCover(RoomSenseCover):
    """Garage Door Opener: turnOn opens, turnOff closes; `doorStatus` 0 open, 1 closed."""

    @property
    def is_closed(self) -> bool | None:
        """Closed when `doorStatus` is 1."""
        door_open = garage_door_open(self.status)
        return None if door_open is None else not door_open

    async def async_open_cover(self, **kwargs: Any) -> None:
        """Open the door."""
        await self.async_send_device_command("turnOn", optimistic={"doorStatus": GARAGE_DOOR_OPEN})

    async def async_close_cover(self, **kwargs: Any) -> None:
        """Close the door."""
        await self.async_send_device_command(
            "turnOff", optimistic={"doorStatus": GARAGE_DOOR_CLOSED}
        )


def _cover(
    key: str, device_class: CoverDeviceClass, family: Family, features: CoverEntityFeature
) -> RoomSenseCoverDescription:
    """The cover of a family, with what it can do: the main entity of its device."""
    return RoomSenseCoverDescription(
        key=key,
        name=None,
        device_class=device_class,
        device_types=catalog.types_with(family),
        supported_features=features,
    )


_OPEN_CLOSE = CoverEntityFeature.OPEN | CoverEntityFeature.CLOSE
COVERS: dict[RoomSenseCoverDescription, type[RoomSenseCover]] = {
    _cover(
        "curtain",
        CoverDeviceClass.CURTAIN,
        Family.CURTAIN,
        _OPEN_CLOSE | CoverEntityFeature.STOP | CoverEntityFeature.SET_POSITION,
    ): CurtainCover,
    _cover(
        "shade",
        CoverDeviceClass.SHADE,
        Family.ROLLER_SHADE,
        _OPEN_CLOSE | CoverEntityFeature.SET_POSITION,
    ): RollerShadeCover,
    _cover(
        "tilt",
        CoverDeviceClass.BLIND,
        Family.BLIND_TILT,
        CoverEntityFeature.OPEN_TILT
        | CoverEntityFeature.CLOSE_TILT
        | CoverEntityFeature.SET_TILT_POSITION,
    ): BlindTiltCover,
    _cover(
        "garage_door", CoverDeviceClass.GARAGE, Family.GARAGE_DOOR_OPENER, _OPEN_CLOSE
    ): GarageDoorCover,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a cover for every curtain, shade, blind tilt and garage door opener."""
    async_add_described_entities(entry, async_add_entities, COVERS, COVERS)
