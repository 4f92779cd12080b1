"""A simulated Bluetooth proxy feeding Home Assistant, the way ESPHome proxies do.

```python
proxy = SimulatedBleProxy(hass, [BleDevice("AA:BB:CC:DD:EE:01", "WoHand")])
unregister = proxy.async_start()   # registers a remote scanner with `bluetooth`
proxy.advertise_all()              # Home Assistant hears every device in range
ble_device = bluetooth.async_ble_device_from_address(hass, "AA:BB:CC:DD:EE:01", True)
await switchbot.Switchbot(ble_device).press()   # reaches the simulated Bot
unregister()
```

Home Assistant's Bluetooth stack, bleak and bleak-retry-connector are used unpatched:
the scanner's connector names this proxy's bleak backend client, which habluetooth's
`HaBleakClientWrapper` picks for the addresses the scanner has heard. habluetooth and
bleak are imported when the proxy starts, so this module imports without them.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .adverts import BleAdvertisement, build_advertisement
from .model import BleDevice, normalize_address
from .peer import DeviceUnreachableError, GattPeer, GattSession, PeerReply

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .transport import SimulatedBleakClient, SimulatedBleScanner

_LOGGER = logging.getLogger(__name__)

DEFAULT_SOURCE = "roomsense-ble-sim"


def pyswitchbot_reaches_proxies() -> bool | None:
    """Whether PySwitchbot's connections go through Home Assistant's Bluetooth stack.

    PySwitchbot binds `bleak_retry_connector.BleakClientWithServiceCache` when it is first
    imported; Home Assistant's `bluetooth` integration swaps that name for habluetooth's
    wrapper while it runs. Imported before `bluetooth` was set up, PySwitchbot keeps
    bleak's platform backend (BlueZ here), which knows no Bluetooth proxy: connecting then
    fails (`KeyError: 'path'` from bleak's BlueZ client). None when PySwitchbot is not
    imported yet; call with `bluetooth` set up.
    """
    module = sys.modules.get("switchbot.devices.device")
    if module is None:
        return None
    import bleak_retry_connector

    return getattr(module, "BleakClientWithServiceCache", None) is (
        bleak_retry_connector.BleakClientWithServiceCache
    )


class SimulatedBleProxy:
    """A Bluetooth proxy with simulated SwitchBot devices around it."""

    def __init__(
        self,
        hass: HomeAssistant,
        devices: Iterable[BleDevice] | Mapping[str, BleDevice] = (),
        source: str = DEFAULT_SOURCE,
        *,
        name: str | None = None,
        connection_slots: int = 3,
        auto_advertise: bool = True,
    ) -> None:
        """Devices can be given as an iterable or a mapping (its values are used).

        `source` is the scanner's source (an ESPHome proxy uses its MAC); `name` the
        scanner's name in Home Assistant. `connection_slots` is how many links the
        proxy holds at once. With `auto_advertise` a device advertises again as soon as a
        command changed its state, as a real device's next advertisement would.
        """
        self.hass = hass
        self.source = source
        self.name = name or f"RoomSense BLE simulator ({source})"
        self.connection_slots = connection_slots
        self.auto_advertise = auto_advertise
        self.devices: dict[str, BleDevice] = {}
        self.peers: dict[str, GattPeer] = {}
        self.clients: list[SimulatedBleakClient] = []
        """The links up right now."""
        self.advertisements_sent = 0
        self._scanner: SimulatedBleScanner | None = None
        self._client_class: type[SimulatedBleakClient] | None = None
        self._unsubscribes: list[Callable[[], None]] = []
        for device in devices.values() if isinstance(devices, Mapping) else devices:
            self.add_device(device)

    # --- devices ---------------------------------------------------------------------

    def add_device(self, device: BleDevice) -> BleDevice:
        """Put a device within the proxy's range (it advertises on `advertise`)."""
        if device.address in self.devices:
            raise ValueError(f"{device.address} is already simulated")
        self.devices[device.address] = device
        self.peers[device.address] = GattPeer(device)
        return device

    def remove_device(self, address: str) -> BleDevice:
        """Take a device away for good (its links drop)."""
        address = normalize_address(address)
        for client in [c for c in self.clients if c.address.upper() == address]:
            client.peer_disconnect()
        self.peers.pop(address)
        return self.devices.pop(address)

    def device(self, address: str) -> BleDevice:
        """The simulated device at `address` (any case or separator)."""
        return self.devices[normalize_address(address)]

    def __getitem__(self, address: str) -> BleDevice:
        return self.device(address)

    # --- Home Assistant side ---------------------------------------------------------

    @property
    def scanner(self) -> SimulatedBleScanner:
        """The registered remote scanner."""
        if self._scanner is None:
            raise RuntimeError("the proxy is not started")
        return self._scanner

    @property
    def started(self) -> bool:
        """Whether the scanner is registered."""
        return self._scanner is not None

    def async_start(self, *, advertise_interval: float | None = None) -> Callable[[], None]:
        """Register the proxy's scanner with Home Assistant; returns `async_stop`.

        Must run in the event loop, after `bluetooth` is set up. With `advertise_interval`
        (seconds) every device in range advertises again at that interval, which keeps
        them available in a long-running Home Assistant (the demo); tests advertise
        explicitly instead.
        """
        if self._scanner is not None:
            raise RuntimeError("the proxy is already started")
        if "bluetooth" not in self.hass.config.components:
            raise RuntimeError("set up Home Assistant's bluetooth integration first")
        from habluetooth import BluetoothScanningMode, HaBluetoothConnector
        from homeassistant.components import bluetooth
        from homeassistant.helpers.event import async_track_time_interval

        from .transport import SimulatedBleakClient, SimulatedBleScanner

        client_class = type(
            "SimulatedBleakClient",
            (SimulatedBleakClient,),
            {"_proxy": self, "__module__": SimulatedBleakClient.__module__},
        )
        self._client_class = client_class
        connector = HaBluetoothConnector(
            client=client_class, source=self.source, can_connect=self._can_connect
        )
        scanner = SimulatedBleScanner(
            self.source,
            self.name,
            connector,
            True,
            BluetoothScanningMode.ACTIVE,
            BluetoothScanningMode.ACTIVE,
        )
        self._scanner = scanner
        if pyswitchbot_reaches_proxies() is False:
            _LOGGER.warning(
                "PySwitchbot was imported before Home Assistant's bluetooth integration set"
                " up: its connections use bleak's platform backend and cannot reach %s."
                " Import switchbot only once bluetooth is set up",
                self.name,
            )
        self._unsubscribes = [
            bluetooth.async_register_scanner(self.hass, scanner),
            scanner.async_setup(),
        ]
        if advertise_interval:

            def _tick(_now: Any) -> None:
                self.advertise_all()

            self._unsubscribes.append(
                async_track_time_interval(
                    self.hass,
                    _tick,
                    timedelta(seconds=advertise_interval),
                    name=f"{self.name} advertisements",
                )
            )
        return self.async_stop

    def async_stop(self) -> None:
        """Drop every link and unregister the scanner (idempotent)."""
        for client in list(self.clients):
            client.peer_disconnect()
        unsubscribes, self._unsubscribes = self._unsubscribes, []
        for unsubscribe in reversed(unsubscribes):
            unsubscribe()
        self._scanner = None

    def advertise(self, address: str) -> bool:
        """Let Home Assistant hear the device's current advertisement.

        False (nothing sent) when the device is out of range or the proxy is stopped.
        """
        device = self.device(address)
        if self._scanner is None or device.faults.out_of_range:
            return False
        self._scanner.inject(build_advertisement(device))
        self.advertisements_sent += 1
        return True

    def advertise_all(self) -> int:
        """Advertise every device in range; how many advertised."""
        return sum(self.advertise(address) for address in list(self.devices))

    def advertisement(self, address: str) -> BleAdvertisement:
        """The device's current advertisement (whether or not it is sent)."""
        return build_advertisement(self.device(address))

    def connected(self, address: str) -> bool:
        """Whether some client holds a link to the device."""
        address = normalize_address(address)
        return any(client.address.upper() == address for client in self.clients)

    async def async_disconnect(self, address: str | None = None) -> int:
        """Drop the links to one device (or all) from the device's side.

        Clients see an unexpected disconnection (PySwitchbot logs a warning and cancels
        its disconnect timer). Returns how many links dropped.
        """
        wanted = None if address is None else normalize_address(address)
        dropped = 0
        for client in list(self.clients):
            if wanted is None or client.address.upper() == wanted:
                client.peer_disconnect()
                dropped += 1
        await asyncio.sleep(0)
        return dropped

    # --- called by the transport -----------------------------------------------------

    def _can_connect(self) -> bool:
        return len(self.clients) < self.connection_slots

    def _async_open_session(self, address: str, client: SimulatedBleakClient) -> GattSession:
        peer = self.peers.get(address.upper())
        if peer is None:
            raise DeviceUnreachableError(f"no simulated device at {address}")
        session = peer.connect()
        self.clients.append(client)
        return session

    def _async_session_closed(self, client: SimulatedBleakClient) -> None:
        if client in self.clients:
            self.clients.remove(client)

    def _async_after_write(self, address: str, reply: PeerReply) -> None:
        if reply.state_changed and self.auto_advertise and self._scanner is not None:
            asyncio.get_running_loop().call_soon(self._advertise_if_running, address)

    def _advertise_if_running(self, address: str) -> None:
        if self._scanner is not None and address in self.devices:
            self.advertise(address)
