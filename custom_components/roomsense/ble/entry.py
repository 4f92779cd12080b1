"""A Bluetooth-only device: one entry, no SwitchBot account, no cloud.

The device is built as its cloud twin would be (the Open API type its advertisement names,
its address as the device id), so it gets the same entities, names and translation keys.
Its state comes from its advertisements alone and its commands go over Bluetooth alone: with
no cloud to fall back to or to queue for, a command it cannot take now fails with a reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components import bluetooth
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady

from ..const import DOMAIN
from ..coordinator import RoomSenseCoordinator
from ..data import RoomSenseConfigEntry, RoomSenseData
from ..device_state import DeviceState
from ..gateway import CommandGateway
from ..safety import AuditLog
from ..switchbot_cloud import Device, DeviceList, DeviceStatus
from .discovery import CONF_ADDRESS, CONF_DEVICE_TYPE, CONF_ENCRYPTION_KEY, CONF_KEY_ID
from .link import BluetoothLink, BluetoothTransport, LocalKey
from .models import device_id_of

if TYPE_CHECKING:
    from ..assumed import AssumedStates


def local_device(entry: RoomSenseConfigEntry) -> Device:
    """The entry's device, as the SwitchBot account would list it."""
    device_id = device_id_of(entry.data[CONF_ADDRESS])
    raw = {
        "deviceId": device_id,
        "deviceName": entry.title,
        "deviceType": entry.data[CONF_DEVICE_TYPE],
        "enableCloudService": False,
    }
    return Device.from_dict(raw)


def local_key(entry: RoomSenseConfigEntry) -> LocalKey | None:
    """The key of an encrypted device, as the config flow stored it."""
    key_id, encryption_key = entry.data.get(CONF_KEY_ID), entry.data.get(CONF_ENCRYPTION_KEY)
    if isinstance(key_id, str) and isinstance(encryption_key, str):
        return LocalKey(key_id, encryption_key)
    return None


async def async_setup_local_entry(
    hass: HomeAssistant, entry: RoomSenseConfigEntry, assumed: AssumedStates, audit: AuditLog
) -> RoomSenseData:
    """Listen for the device and drive it; not ready until it is in range."""
    device = local_device(entry)
    devices = DeviceList(devices=[device], infrared_remotes=[])
    coordinator = RoomSenseCoordinator(hass, None, devices, dict(entry.options), entry)
    coordinator.async_set_updated_data(
        {
            device.device_id: DeviceState(
                status=DeviceStatus.from_dict(
                    {"deviceId": device.device_id, "deviceType": device.device_type}
                ),
                confirmed_at=None,
            )
        }
    )
    key = local_key(entry)
    link = BluetoothLink(
        hass, coordinator, [device], {device.device_id: key} if key is not None else None
    )
    entry.async_on_unload(link.async_start())
    # The manager keeps the last advertisement of a device until it is gone; an entity
    # made from no advertisement would have nothing to show.
    if not (
        bluetooth.async_address_present(hass, entry.data[CONF_ADDRESS], connectable=False)
        and link.heard_recently(device.device_id)
    ):
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="not_in_range",
            translation_placeholders={"name": entry.title, "address": entry.data[CONF_ADDRESS]},
        )
    gateway = CommandGateway(
        hass,
        options=dict(entry.options),
        coordinator=coordinator,
        queue=None,
        assumed=assumed,
        audit=audit,
        transports=[BluetoothTransport(link, sole_path=True)],
    )
    return RoomSenseData(
        client=None, devices=devices, coordinator=coordinator, gateway=gateway, bluetooth=link
    )
