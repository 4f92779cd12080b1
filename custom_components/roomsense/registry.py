"""The entry's devices in Home Assistant's device registry: made, kept current, listed.

While an account's entry is loaded its device list is read again every hour
(`DEVICE_LIST_INTERVAL`, one cloud call): a device added to the account joins with its
entities, one removed from it leaves with them, without a reload.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_time_interval

from .const import DOMAIN, LOGGER
from .data import RoomSenseConfigEntry
from .device_list import async_read_device_list
from .edge.manager import ha_identifier
from .entity import device_info, signal_new_devices
from .polling import DEVICE_LIST_INTERVAL, POLL_TICK, UNKNOWN_DEVICE_COOLDOWN, now_seconds
from .shared import get_shared
from .switchbot_cloud import Device, DeviceList, InfraredRemote


def account_ids(hass: HomeAssistant, entry: RoomSenseConfigEntry, devices: DeviceList) -> set[str]:
    """Identifiers of everything the entry has now: the account, its devices, edge devices."""
    edge_ids = {ha_identifier(device_id)[1] for device_id in get_shared(hass).edge.devices}
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


@callback
def async_watch_devices(hass: HomeAssistant, entry: RoomSenseConfigEntry) -> CALLBACK_TYPE:
    """Follow the account's device list while the entry is loaded; returns the stop."""
    return DeviceListWatch(hass, entry).async_start()


class DeviceListWatch:
    """Reads an account's device list again, and brings the registry and the platforms along.

    Every `DEVICE_LIST_INTERVAL` on Home Assistant's clock (looked at on the poll tick, as
    the poll plan is), and soon after a push names a device the list lacks (at most once per
    device id, and not within `UNKNOWN_DEVICE_COOLDOWN` of the last read).
    """

    def __init__(self, hass: HomeAssistant, entry: RoomSenseConfigEntry) -> None:
        """Nothing is read until started; the set-up has just read the list."""
        self.hass = hass
        self.entry = entry
        self._lock = asyncio.Lock()
        self._last_read = now_seconds()
        self._asked: set[str] = set()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Read the list on its interval and when asked; returns the stop."""
        coordinator = self.entry.runtime_data.coordinator
        coordinator.on_unknown_device = self._async_unknown_device
        unsub = async_track_time_interval(
            self.hass, self._async_scheduled, POLL_TICK, name=f"{DOMAIN} device list"
        )

        @callback
        def stop() -> None:
            unsub()
            coordinator.on_unknown_device = None

        return stop

    async def _async_scheduled(self, _now: datetime) -> None:
        due = self._last_read + DEVICE_LIST_INTERVAL.total_seconds()
        if now_seconds() >= due and not self._lock.locked():
            await self.async_read()

    @callback
    def _async_unknown_device(self, device_id: str) -> None:
        if device_id in self._asked or now_seconds() - self._last_read < UNKNOWN_DEVICE_COOLDOWN:
            return
        self._asked.add(device_id)
        self.entry.async_create_background_task(
            self.hass, self.async_read(), f"{DOMAIN} device list for {device_id}"
        )

    async def async_read(self) -> None:
        """Read the list once; register new devices, announce them, remove the gone ones."""
        async with self._lock:
            self._last_read = now_seconds()
            data = self.entry.runtime_data
            changes = await async_read_device_list(data.coordinator)
            if changes is None or self.entry.state is not ConfigEntryState.LOADED:
                return  # not read, or the entry unloaded meanwhile (its next set-up reads)
            added, removed = changes
            if removed:
                LOGGER.info("Removed from the SwitchBot account: %s", ", ".join(removed))
                remove_vanished_devices(self.hass, self.entry, data.devices)
            if added:
                LOGGER.info("Added to the SwitchBot account: %s", ", ".join(added))
                register_devices(self.hass, self.entry, data.devices)
                async_dispatcher_send(
                    self.hass, signal_new_devices(self.entry.entry_id), set(added)
                )
