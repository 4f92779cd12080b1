"""The account's device list read again: devices that joined or left, without a reload.

`registry.async_watch_devices` decides when (hourly, or at a push from an unknown device);
this reads the list, reads each new device's status once, as at start, and hands the
changes to the coordinator. The lists are updated in place, so whatever holds them (the
runtime data, the tools, the account cache) sees the change.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.util.signal_type import SignalType

from .const import DOMAIN, LOGGER
from .switchbot_cloud import (
    DeviceList,
    SwitchBotAuthenticationError,
    SwitchBotCloudClient,
    SwitchBotError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from .coordinator import RoomSenseCoordinator
    from .data import RoomSenseConfigEntry


def signal_first_status(entry_id: str) -> SignalType[set[str]]:
    """The dispatcher signal that announces devices whose first status was just read.

    Their entities decided by type alone exist already (unavailable until then); those
    that the status decides come now.
    """
    return SignalType(f"{DOMAIN}_first_status_{entry_id}")


async def async_read_device_list(
    coordinator: RoomSenseCoordinator,
) -> tuple[list[str], list[str]] | None:
    """Read the account's devices again and take them up: the ids added and removed.

    None when nothing was read: the cloud is known to be away or polling has spent its
    share of today's calls (this read, and the status read of each new device, come out
    of it).
    """
    if (client := coordinator.client) is None or not coordinator.spend_list_reads(1):
        return None
    try:
        fresh = await client.get_devices()
    except SwitchBotAuthenticationError:
        if coordinator.config_entry is not None:
            coordinator.config_entry.async_start_reauth(coordinator.hass)
        return None
    except SwitchBotError as err:
        LOGGER.debug("The account's device list was not read again: %s", err)
        return None
    return await _async_take_up(coordinator, client, fresh)


async def _async_take_up(
    coordinator: RoomSenseCoordinator, client: SwitchBotCloudClient, fresh: DeviceList
) -> tuple[list[str], list[str]]:
    """New devices with their status read once, as at setup; removed ones forgotten."""
    listed = coordinator.device_list
    old_devices = {device.device_id: device for device in listed.devices}
    old_remotes = {remote.device_id: remote for remote in listed.infrared_remotes}
    known = old_devices.keys() | old_remotes.keys()
    fresh_ids = [device.device_id for device in fresh.devices] + [
        remote.device_id for remote in fresh.infrared_remotes
    ]
    added = [device_id for device_id in fresh_ids if device_id not in known]
    removed = sorted(known - set(fresh_ids))
    if not added and not removed:
        return [], []
    new = [device for device in fresh.devices if device.device_id not in known]
    coordinator.spend_list_reads(len(new))
    results = await asyncio.gather(
        *(client.get_status(device.device_id) for device in new),
        return_exceptions=True,
    )
    # Known devices keep their objects: the entities hold them.
    listed.devices[:] = [old_devices.get(item.device_id, item) for item in fresh.devices]
    listed.infrared_remotes[:] = [
        old_remotes.get(item.device_id, item) for item in fresh.infrared_remotes
    ]
    for device_id in removed:
        coordinator.forget_device(device_id)
    for device, result in zip(new, results, strict=True):
        coordinator.take_up_device(device, result)
    coordinator.devices_changed()
    return added, removed


@callback
def async_on_first_status(entry: RoomSenseConfigEntry, add: Callable[[set[str]], None]) -> None:
    """Have `add` (a callback) make the entities a device's first status decides.

    It gets the ids of devices whose status was not read at setup, once it is.
    """
    hass = entry.runtime_data.coordinator.hass
    entry.async_on_unload(async_dispatcher_connect(hass, signal_first_status(entry.entry_id), add))
