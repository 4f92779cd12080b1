"""Remotes: the infrared remotes of TVs, players, lights and other appliances.

Air conditioners are climate entities. Every other appliance gets a remote entity that
switches it on and off and sends any button: the type's own commands (reference §6.2) go
out as commands, any other name as a button the user taught the remote ("customize").
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from homeassistant.components.remote import (
    ATTR_DELAY_SECS,
    ATTR_NUM_REPEATS,
    DEFAULT_DELAY_SECS,
    DEFAULT_NUM_REPEATS,
    RemoteEntity,
    RemoteEntityDescription,
)
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from . import catalog
from .catalog import Family
from .const import DOMAIN, UNLIMITED_ACTIONS
from .data import RoomSenseConfigEntry
from .entity import (
    RoomSenseEntityDescription,
    RoomSenseInfraredEntity,
    async_add_described_entities,
)

PARALLEL_UPDATES = UNLIMITED_ACTIONS

TURN_ON = "turnOn"
TURN_OFF = "turnOff"
# Commands that carry a value, written "SetChannel:15" in `remote.send_command`.
SET_CHANNEL = "SetChannel"

COMMAND = "command"
CUSTOMIZE = "customize"

_TELEVISION_COMMANDS = frozenset(
    {SET_CHANNEL, "volumeAdd", "volumeSub", "channelAdd", "channelSub"}
)
_PLAYER_COMMANDS = frozenset(
    {"setMute", "FastForward", "Rewind", "Next", "Previous", "Pause", "Play", "Stop"}
)


@dataclass(frozen=True, kw_only=True)
class RoomSenseRemoteDescription(RemoteEntityDescription, RoomSenseEntityDescription):
    """The remote types (without "DIY ") that share a set of built-in commands."""

    infrared: bool = True
    commands: frozenset[str] = frozenset()
    # "Others" remotes have only learned buttons, not even turnOn/turnOff.
    has_power: bool = True


REMOTES: tuple[RoomSenseRemoteDescription, ...] = (
    RoomSenseRemoteDescription(
        key="remote",
        name=None,
        # The cloud's spellings for streamers vary (reference §6.1): the catalog lists each.
        device_types=catalog.types_with(Family.TV_REMOTE),
        commands=_TELEVISION_COMMANDS,
    ),
    RoomSenseRemoteDescription(
        key="remote",
        name=None,
        device_types=catalog.types_with(Family.PLAYER_REMOTE),
        commands=_PLAYER_COMMANDS,
    ),
    RoomSenseRemoteDescription(
        key="remote",
        name=None,
        device_types=catalog.types_with(Family.SPEAKER_REMOTE),
        commands=_PLAYER_COMMANDS | {"volumeAdd", "volumeSub"},
    ),
    RoomSenseRemoteDescription(
        key="remote",
        name=None,
        device_types=catalog.types_with(Family.LIGHT_REMOTE),
        commands=frozenset({"brightnessUp", "brightnessDown"}),
    ),
    RoomSenseRemoteDescription(
        key="remote",
        name=None,
        device_types=catalog.types_with(Family.APPLIANCE_REMOTE),
    ),
    RoomSenseRemoteDescription(
        key="remote",
        name=None,
        device_types=catalog.types_with(Family.CUSTOM_REMOTE),
        has_power=False,
    ),
)


class Press(NamedTuple):
    """One button press as the cloud takes it."""

    command: str
    parameter: str
    command_type: str


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a remote entity for every infrared remote other than air conditioners and fans."""
    async_add_described_entities(entry, async_add_entities, REMOTES, RoomSenseRemote)


class RoomSenseRemote(RoomSenseInfraredEntity, RemoteEntity, RestoreEntity):
    """An infrared remote; on/off is what Home Assistant last sent, kept across restarts."""

    entity_description: RoomSenseRemoteDescription

    async def async_added_to_hass(self) -> None:
        """Take over the state restored by Home Assistant if the gateway kept none."""
        await super().async_added_to_hass()
        if not self.entity_description.has_power:
            return
        last_state = await self.async_get_last_state()
        if last_state is not None and last_state.state in (STATE_ON, STATE_OFF):
            self.gateway.assumed.async_seed(
                self.device.device_id, {"power": "on" if last_state.state == STATE_ON else "off"}
            )

    @property
    def is_on(self) -> bool | None:
        """The power last sent from any path; none for remotes without power buttons."""
        if not self.entity_description.has_power:
            return None
        return self.assumed.get("power") == "on"

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Press the power-on button."""
        await self._async_press(self._power_press(TURN_ON))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Press the power-off button."""
        await self._async_press(self._power_press(TURN_OFF))

    async def async_send_command(self, command: Iterable[str], **kwargs: Any) -> None:
        """Press buttons in order, the whole list `num_repeats` times, `delay_secs` apart."""
        presses = [self._parse(text) for text in command]  # refuse before sending any
        repeats: int = kwargs.get(ATTR_NUM_REPEATS, DEFAULT_NUM_REPEATS)
        delay: float = kwargs.get(ATTR_DELAY_SECS, DEFAULT_DELAY_SECS)
        for index, press in enumerate(presses * repeats):
            if index and delay > 0:
                await asyncio.sleep(delay)
            await self._async_press(press)

    def _power_press(self, command: str) -> Press:
        if not self.entity_description.has_power:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="remote_without_power",
                translation_placeholders={"remote": self.device.name},
            )
        return Press(command, "default", COMMAND)

    def _parse(self, text: str) -> Press:
        """A built-in command of the remote's type, "SetChannel:15", or a learned button."""
        commands = self.entity_description.commands
        name, separator, value = text.partition(":")
        if name == SET_CHANNEL and name in commands:
            channel = value.strip()
            if not separator or not channel.isdigit():
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="channel_required",
                    translation_placeholders={"command": text},
                )
            return Press(SET_CHANNEL, channel, COMMAND)
        if text in commands or (self.entity_description.has_power and text in (TURN_ON, TURN_OFF)):
            return Press(text, "default", COMMAND)
        return Press(text, "default", CUSTOMIZE)

    async def _async_press(self, press: Press) -> None:
        """Send one press; power buttons also change the assumed state."""
        await self.async_send_device_command(
            press.command, press.parameter, command_type=press.command_type
        )
