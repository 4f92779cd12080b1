"""The entry's devices in Home Assistant's device registry: made, kept current, listed."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN, LOGGER
from .data import RoomSenseConfigEntry
from .edge import DATA_EDGE
from .edge.manager import ha_identifier
from .entity import device_info
from .switchbot_cloud import Device, DeviceList, InfraredRemote


def account_ids(hass: HomeAssistant, entry: RoomSenseConfigEntry, devices: DeviceList) -> set[str]:
    """Identifiers of everything the entry has now: the account, its devices, edge devices."""
    edge_ids = {ha_identifier(device_id)[1] for device_id in hass.data[DATA_EDGE].devices}
    return (
        {device.device_id for device in devices.devices}
        | {remote.device_id for remote in devices.infrared_remotes}
        | {entry.entry_id}
        | edge_ids
    )


def remove_vanished_devices(
    hass: HomeAssistant, entry: RoomSenseConfigEntry, devices: DeviceList
) -> None:
    """Remove the Home Assistant devices of SwitchBot devices no longer on the account."""
    registry = dr.async_get(hass)
    current = account_ids(hass, entry, devices)
    for device_entry in dr.async_entries_for_config_entry(registry, entry.entry_id):
        identifiers = {key for domain, key in device_entry.identifiers if domain == DOMAIN}
        if not identifiers & current:
            LOGGER.debug("Removing %s: it is no longer on the account", device_entry.name)
            registry.async_remove_device(device_entry.id)


def log_devices_without_entities(hass: HomeAssistant, entry: RoomSenseConfigEntry) -> None:
    """A device type RoomSense does not know gets no entities; say so, never fail."""
    for device_entry in devices_without_entities(hass, entry):
        LOGGER.debug("No entities for %s (%s)", device_entry.name, device_entry.model)


def devices_without_entities(
    hass: HomeAssistant, entry: RoomSenseConfigEntry
) -> list[dr.DeviceEntry]:
    """The entry's devices that no platform made an entity for."""
    with_entities = {
        entity.device_id
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }
    return [
        device_entry
        for device_entry in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
        if device_entry.id not in with_entities
    ]


def register_devices(hass: HomeAssistant, entry: RoomSenseConfigEntry, devices: DeviceList) -> None:
    """Create the Home Assistant devices, hubs first so the others can link to them."""
    registry = dr.async_get(hass)
    hub_ids = {device.hub_device_id for device in devices.devices if device.hub_device_id}
    ordered = sorted(devices.devices, key=lambda device: device.device_id not in hub_ids)
    everything: list[Device | InfraredRemote] = [*ordered, *devices.infrared_remotes]
    registry_ids: dict[str, str] = {}
    for device in everything:
        info = device_info(device)
        if (hub := device.hub_device_id) and hub != device.device_id and hub in registry_ids:
            info["via_device_id"] = registry_ids[hub]
        registered = registry.async_get_or_create(config_entry_id=entry.entry_id, **info)
        registry_ids[device.device_id] = registered.id
