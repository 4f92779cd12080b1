"""What the SwitchBot account last said, kept for a start without the internet.

Home Assistant restarts (an update, a power cut) while the internet is down would otherwise
leave the whole account unset-up until the cloud answers, and with it the devices RoomSense
can reach over Bluetooth. With the device list and the last statuses kept here, the entry
starts from them: devices in Bluetooth range work at once, the others show their last state
as stale until the cloud is back, and then the entry reloads to read the account afresh.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .switchbot_cloud import DeviceList, DeviceStatus

if TYPE_CHECKING:
    from .device_state import DeviceState

STORAGE_VERSION: Final = 1

# Each device's status as last kept, with when the cloud (or the device) confirmed it.
type KeptStates = dict[str, tuple[DeviceStatus, datetime | None]]


class AccountCache:
    """The device list and last statuses of one account, in a `Store` file."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Keep the account of entry `entry_id` (nothing is read until loaded)."""
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.account"
        )

    async def async_load(self) -> tuple[DeviceList, KeptStates] | None:
        """The account as last kept (each status with when it was confirmed), or None."""
        data = await self._store.async_load()
        if not isinstance(data, dict) or not isinstance(data.get("devices"), dict):
            return None
        devices = DeviceList.from_dict(data["devices"])
        if not devices.devices and not devices.infrared_remotes:
            return None
        kept = data.get("statuses")
        statuses: KeptStates = {}
        for device_id, item in (kept if isinstance(kept, dict) else {}).items():
            if isinstance(item, dict) and isinstance(item.get("status"), dict):
                confirmed = item.get("confirmed_at")
                statuses[device_id] = (
                    DeviceStatus.from_dict(item["status"]),
                    dt_util.parse_datetime(confirmed) if isinstance(confirmed, str) else None,
                )
        return devices, statuses

    async def async_save(self, devices: DeviceList, states: dict[str, DeviceState]) -> None:
        """Keep the device list (as the cloud gave it) and the states known now."""
        await self._store.async_save(
            {
                "devices": {
                    "deviceList": [device.raw for device in devices.devices],
                    "infraredRemoteList": [remote.raw for remote in devices.infrared_remotes],
                },
                "statuses": {
                    device_id: {
                        "status": state.status.raw,
                        "confirmed_at": state.confirmed_at.isoformat()
                        if state.confirmed_at
                        else None,
                    }
                    for device_id, state in states.items()
                    if not state.optimistic
                },
            }
        )

    async def async_remove(self) -> None:
        """Forget the account (the entry is deleted)."""
        await self._store.async_remove()
