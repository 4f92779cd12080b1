"""Runtime data of a RoomSense config entry."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .coordinator import RoomSenseCoordinator
from .switchbot_cloud import DeviceList, SwitchBotCloudClient


@dataclass
class RoomSenseData:
    """What a loaded entry keeps: the account's client, its devices and their states."""

    client: SwitchBotCloudClient
    devices: DeviceList
    coordinator: RoomSenseCoordinator
    # The URL registered with SwitchBot; None while the cloud does not push to us.
    webhook_url: str | None = None


type RoomSenseConfigEntry = ConfigEntry[RoomSenseData]
