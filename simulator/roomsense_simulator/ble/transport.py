"""bleak and habluetooth classes of the simulated proxy (imported only by `proxy.py`).

`SimulatedBleScanner` is a habluetooth remote scanner, as an ESPHome Bluetooth proxy
registers one. Its connector's client class is a subclass of `SimulatedBleakClient`, a
bleak backend client: Home Assistant's `HaBleakClientWrapper` picks it for every address
the scanner has heard, so `bleak_retry_connector.establish_connection()` (what PySwitchbot
calls) ends up in `connect()` here, which opens a `GattSession` on the device's `GattPeer`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError
from bluetooth_data_tools import monotonic_time_coarse
from habluetooth import BaseHaRemoteScanner

from .const import NOTIFY_CHAR_UUID, SERVICE_UUID, WRITE_CHAR_UUID
from .peer import DeviceUnreachableError, GattSession, PeerReply

if TYPE_CHECKING:
    from bleak.args import SizedBuffer

    from .adverts import BleAdvertisement
    from .proxy import SimulatedBleProxy

CCCD_UUID = "00002902-0000-1000-8000-00805f9b34fb"
ATT_MTU = 23


class SimulatedBleScanner(BaseHaRemoteScanner):
    """The remote scanner of a simulated Bluetooth proxy."""

    def inject(self, advertisement: BleAdvertisement) -> None:
        """Hand one advertisement to Home Assistant, as the proxy would on hearing it."""
        self._async_on_advertisement(
            advertisement.address,
            advertisement.rssi,
            advertisement.local_name,
            list(advertisement.service_uuids),
            dict(advertisement.service_data),
            dict(advertisement.manufacturer_data),
            advertisement.tx_power,
            {"address_type": 1},
            monotonic_time_coarse(),
        )


def _services() -> BleakGATTServiceCollection:
    """The SwitchBot GATT service: write and notify characteristics."""
    collection = BleakGATTServiceCollection()
    service = BleakGATTService(None, 0x0010, SERVICE_UUID)
    collection.add_service(service)
    write = BleakGATTCharacteristic(
        None,
        0x0011,
        WRITE_CHAR_UUID,
        ["read", "write-without-response", "write"],
        lambda: ATT_MTU - 3,
        service,
    )
    collection.add_characteristic(write)
    notify = BleakGATTCharacteristic(
        None,
        0x0013,
        NOTIFY_CHAR_UUID,
        ["read", "write", "notify"],
        lambda: ATT_MTU - 3,
        service,
    )
    collection.add_characteristic(notify)
    collection.add_descriptor(BleakGATTDescriptor(None, 0x0014, CCCD_UUID, notify))
    return collection


class SimulatedBleakClient(BaseBleakClient):
    """A bleak backend whose link layer is a call into the device's `GattPeer`.

    Subclassed once per proxy (`_proxy` set) so habluetooth can instantiate it from the
    scanner's connector like any backend.
    """

    _proxy: ClassVar[SimulatedBleProxy]

    def __init__(self, address_or_ble_device: BLEDevice | str, **kwargs: Any) -> None:
        super().__init__(address_or_ble_device, **kwargs)
        self._ble_device = (
            address_or_ble_device if isinstance(address_or_ble_device, BLEDevice) else None
        )
        self._session: GattSession | None = None
        self._notify: dict[int, NotifyCallback] = {}
        self._pending: set[asyncio.Handle] = set()

    # --- connection ------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The device's name."""
        if self._ble_device is not None and self._ble_device.name:
            return self._ble_device.name
        return self.address

    @property
    def mtu_size(self) -> int:
        """The ATT MTU (the SwitchBot protocol fits 20-byte payloads)."""
        return ATT_MTU

    @property
    def is_connected(self) -> bool:
        """Whether the link is up."""
        return self._session is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        """Open a link to the device's peer; an absent device times out, as on a proxy."""
        await asyncio.sleep(0)
        try:
            session = self._proxy._async_open_session(self.address, self)
        except DeviceUnreachableError as err:
            raise TimeoutError(
                f"Timeout waiting for connect response while connecting to {self.address}"
                f" via {self._proxy.source}: {err}"
            ) from err
        self._session = session
        self.services = _services()

    async def disconnect(self) -> None:
        """Close the link (the device sees the central go)."""
        await asyncio.sleep(0)
        self._link_down()

    def _link_down(self) -> None:
        """Drop the link from either side and tell the client once."""
        if self._session is None:
            return
        self._session = None
        self._notify.clear()
        for handle in self._pending:
            handle.cancel()
        self._pending.clear()
        self._proxy._async_session_closed(self)
        if (callback := self._disconnected_callback) is not None:
            callback()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        """SwitchBot devices do not pair; nothing to do."""

    async def unpair(self) -> None:
        """SwitchBot devices do not pair; nothing to do."""

    async def clear_cache(self) -> bool:
        """There is no GATT cache to clear."""
        return True

    # --- GATT ------------------------------------------------------------------------

    def _require_link(self) -> GattSession:
        if self._session is None:
            raise BleakError(f"{self.address}: Not connected")
        return self._session

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """Both characteristics read empty."""
        self._require_link()
        return bytearray()

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """The CCCD: notifications on or off."""
        self._require_link()
        return bytearray(b"\x01\x00" if self._notify else b"\x00\x00")

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        """Write a request; its answer comes back as a notification."""
        session = self._require_link()
        if characteristic.uuid != WRITE_CHAR_UUID:
            raise BleakError(
                f"{self.address}: characteristic {characteristic.uuid} is not writable"
            )
        reply = session.write(bytes(data))
        self._proxy._async_after_write(session.device.address, reply)
        self._schedule(reply)
        await asyncio.sleep(0)

    def _schedule(self, reply: PeerReply) -> None:
        loop = asyncio.get_running_loop()
        action: Callable[[], None]
        if reply.drop:
            action = self._link_down
        else:
            notifications = list(reply.notifications)

            def action() -> None:
                self._deliver(notifications)

        handles: list[asyncio.Handle] = []

        def run() -> None:
            self._pending.discard(handles[0])
            action()

        if reply.delay > 0:
            handles.append(loop.call_later(reply.delay, run))
        else:
            handles.append(loop.call_soon(run))
        self._pending.add(handles[0])

    def _deliver(self, notifications: list[bytes]) -> None:
        for handle, callback in list(self._notify.items()):
            if handle != 0x0013:
                continue
            for notification in notifications:
                if self._session is None:
                    return
                callback(bytearray(notification))

    async def write_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, data: SizedBuffer
    ) -> None:
        """Writing the CCCD is accepted (bleak's `start_notify` does the work)."""
        self._require_link()

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        """Subscribe to the answers."""
        self._require_link()
        if characteristic.uuid != NOTIFY_CHAR_UUID:
            raise BleakError(
                f"{self.address}: characteristic {characteristic.uuid} does not notify"
            )
        self._notify[characteristic.handle] = callback

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        """Unsubscribe."""
        self._require_link()
        self._notify.pop(characteristic.handle, None)

    # --- simulator side --------------------------------------------------------------

    def peer_disconnect(self) -> None:
        """The device (or the proxy) drops the link."""
        self._link_down()
