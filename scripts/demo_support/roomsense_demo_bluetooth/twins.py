"""One device, two simulators: the demo's Bluetooth devices follow the cloud simulator.

A real SwitchBot device is one thing that the cloud and its advertisements both describe. In
the demo they are two simulators, so without this a lock unlocked through the cloud would
keep advertising "locked" (and RoomSense, taking the newer reading, would show it locked
again). Before every round of advertisements each twin's state is compared on both sides
with the state they last agreed on:

- the cloud changed (a cloud command, an event from the simulator's admin API): the
  Bluetooth device takes the cloud's state, as the real device would have moved;
- the Bluetooth device changed (RoomSense drove it locally): the cloud simulator hears of it
  as a physical event (`POST /_sim/devices/{id}/event`), which it pushes as a webhook, as the
  real device reports a change through its hub;
- both changed since the last round, or in the first round: the cloud wins.

Only the admin API is used: it costs no SwitchBot API quota.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import aiohttp

from custom_components.roomsense.ble import blind_tilt

if TYPE_CHECKING:
    from roomsense_simulator.ble import SimulatedBleProxy

_LOGGER = logging.getLogger(__name__)

ADMIN_PREFIX: Final = "/_sim"
REQUEST_TIMEOUT: Final = aiohttp.ClientTimeout(total=5)
# The lock states both sides can tell (the advertised number as PySwitchbot's `LockStatus`).
LOCKED: Final = 0
UNLOCKED: Final = 1


@dataclass(frozen=True, slots=True)
class Twin:
    """How one device reads on both sides, as a value they can agree on."""

    address: str
    device_id: str
    # What the cloud's status and the Bluetooth state say, in one shared form (None: unknown).
    from_cloud: Callable[[Mapping[str, Any]], Any]
    from_bluetooth: Callable[[Mapping[str, Any]], Any]
    # The Bluetooth fields for a shared value, and the cloud status fields for one.
    to_bluetooth: Callable[[Any, Mapping[str, Any]], dict[str, Any]]
    to_cloud: Callable[[Any, Mapping[str, Any]], dict[str, Any]]


def lock_twin(address: str, device_id: str) -> Twin:
    """A lock: locked or unlocked (the cloud's `lockState` "lock" / "unlock")."""
    return Twin(
        address,
        device_id,
        from_cloud=lambda status: {"lock": LOCKED, "unlock": UNLOCKED}.get(status.get("lockState")),
        from_bluetooth=lambda state: (
            state.get("status") if state.get("status") in (LOCKED, UNLOCKED) else None
        ),
        to_bluetooth=lambda value, _internal: {"status": value},
        to_cloud=lambda value, _state: {"lockState": "lock" if value == LOCKED else "unlock"},
    )


def plug_twin(address: str, device_id: str) -> Twin:
    """A Plug Mini: on or off, drawing its load while on (the cloud's `power`, `weight`)."""

    def to_bluetooth(on: bool, internal: Mapping[str, Any]) -> dict[str, Any]:
        return {"isOn": on, "power": float(internal.get("load_watts", 0.0)) if on else 0.0}

    return Twin(
        address,
        device_id,
        from_cloud=lambda status: {"on": True, "off": False}.get(status.get("power")),
        from_bluetooth=lambda state: state.get("isOn"),
        to_bluetooth=to_bluetooth,
        to_cloud=lambda on, state: {
            "power": "on" if on else "off",
            "weight": float(state.get("power", 0.0)) if on else 0.0,
        },
    )


def blind_tilt_twin(address: str, device_id: str) -> Twin:
    """A Blind Tilt: the advertised tilt, 0-100 through both shut ends (RoomSense's scales)."""

    def from_cloud(status: Mapping[str, Any]) -> int | None:
        position, direction = status.get("slidePosition"), status.get("direction")
        if not isinstance(position, int) or direction not in ("up", "down"):
            return None
        return blind_tilt.tilt_of(direction, position)

    def to_cloud(tilt: int, _state: Mapping[str, Any]) -> dict[str, Any]:
        position, direction = blind_tilt.position_of(tilt)
        fields: dict[str, Any] = {"slidePosition": position}
        if direction is not None:  # level slats lean neither way: the direction stands
            fields["direction"] = direction
        return fields

    return Twin(
        address,
        device_id,
        from_cloud=from_cloud,
        from_bluetooth=lambda state: state.get("tilt"),
        to_bluetooth=lambda tilt, _internal: {"tilt": tilt},
        to_cloud=to_cloud,
    )


@dataclass
class CloudTwins:
    """Keeps each twin's Bluetooth device and cloud device in one state."""

    proxy: SimulatedBleProxy
    session: aiohttp.ClientSession
    simulator_url: str
    twins: tuple[Twin, ...]
    # The shared value of each twin at the end of the last round, by address.
    agreed: dict[str, Any] = field(default_factory=dict)

    async def async_sync(self) -> None:
        """One round: bring each pair to one state; a cloud that does not answer waits."""
        try:
            cloud = await self._cloud_statuses()
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            _LOGGER.debug("Cloud simulator not read, twins not synced: %s", err)
            return
        for twin in self.twins:
            status = cloud.get(twin.device_id)
            if status is None:
                continue
            try:
                await self._sync(twin, status)
            except (aiohttp.ClientError, TimeoutError, ValueError) as err:
                _LOGGER.warning("Could not sync %s with the cloud: %s", twin.address, err)

    async def _sync(self, twin: Twin, status: Mapping[str, Any]) -> None:
        device = self.proxy.device(twin.address)
        cloud_value = twin.from_cloud(status)
        local_value = twin.from_bluetooth(device.state)
        first_round = twin.address not in self.agreed
        agreed = self.agreed.get(twin.address, cloud_value)
        if cloud_value is not None and (first_round or cloud_value != agreed):
            if local_value != cloud_value:
                device.set_state(**twin.to_bluetooth(cloud_value, device.internal))
                self.proxy.advertise(twin.address)
            self.agreed[twin.address] = cloud_value
        elif local_value is not None and local_value != agreed:
            await self._tell_cloud(twin.device_id, twin.to_cloud(local_value, device.state))
            self.agreed[twin.address] = local_value
        else:
            self.agreed[twin.address] = agreed

    async def _cloud_statuses(self) -> dict[str, Mapping[str, Any]]:
        async with self.session.get(
            f"{self.simulator_url}{ADMIN_PREFIX}/devices", timeout=REQUEST_TIMEOUT
        ) as response:
            response.raise_for_status()
            body = await response.json()
        devices = body.get("devices", []) if isinstance(body, dict) else []
        return {
            str(device["deviceId"]): device.get("status") or {}
            for device in devices
            if isinstance(device, dict) and "deviceId" in device
        }

    async def _tell_cloud(self, device_id: str, status: dict[str, Any]) -> None:
        async with self.session.post(
            f"{self.simulator_url}{ADMIN_PREFIX}/devices/{device_id}/event",
            json={"status": status},
            timeout=REQUEST_TIMEOUT,
        ) as response:
            if response.status >= 400:
                raise ValueError(f"HTTP {response.status}: {await response.text()}")
