"""Runtime data of a RoomSense config entry."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .switchbot_cloud import DeviceList, SwitchBotCloudClient


@dataclass
class RoomSenseData:
    """What a loaded entry keeps: the account's client and what the cloud reported."""

    client: SwitchBotCloudClient
    devices: DeviceList


type RoomSenseConfigEntry = ConfigEntry[RoomSenseData]
