"""Runtime data of a RoomSense config entry."""

from __future__ import annotations

from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant

from .ble.link import BluetoothLink
from .const import DOMAIN
from .coordinator import RoomSenseCoordinator
from .gateway import CommandGateway
from .switchbot_cloud import Device, DeviceList, InfraredRemote, Scene, SwitchBotCloudClient


@dataclass
class RoomSenseData:
    """What a loaded entry keeps: the account's client, its devices and their states."""

    # None for a Bluetooth-only device (an entry without a SwitchBot account).
    client: SwitchBotCloudClient | None
    devices: DeviceList
    coordinator: RoomSenseCoordinator
    # The one path of every command to a device: checks, audit, transport, queue.
    gateway: CommandGateway
    # The URL registered with SwitchBot; None while the cloud does not push to us.
    webhook_url: str | None = None
    # The manual scenes, read once as the entry sets up (the scene platform shows them).
    scenes: list[Scene] = field(default_factory=list)
    # The devices of the account that are also heard over Bluetooth.
    bluetooth: BluetoothLink | None = None

    def all_devices(self) -> list[Device | InfraredRemote]:
        """Physical devices and infrared remotes alike."""
        return [*self.devices.devices, *self.devices.infrared_remotes]


type RoomSenseConfigEntry = ConfigEntry[RoomSenseData]


def loaded_entries(hass: HomeAssistant) -> list[RoomSenseConfigEntry]:
    """The RoomSense entries set up now (a reloading or failed one has no devices to offer)."""
    return [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
    ]
