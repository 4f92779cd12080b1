"""A simulated SwitchBot Bluetooth world: devices, their advertisements, their GATT side.

```python
from roomsense_simulator.ble import BleDevice, SimulatedBleProxy, build_advertisement

bot = BleDevice("AA:BB:CC:DD:EE:01", "WoHand")                 # a SwitchbotModel value
lock = BleDevice("AA:BB:CC:DD:EE:02", "WoLockPro", key_id="ab",
                 encryption_key="00112233445566778899aabbccddeeff")
proxy = SimulatedBleProxy(hass, [bot, lock])                   # needs Home Assistant
unregister = proxy.async_start()
proxy.advertise_all()
```

Everything but `SimulatedBleProxy` works without Home Assistant, habluetooth or bleak
(`BleAdvertisement.to_bleak()` and the encryption of locks import bleak and
cryptography when used).
"""

from __future__ import annotations

from .adverts import BleAdvertisement, build_advertisement, temperature_bytes
from .const import (
    LEGACY_SERVICE_DATA_UUID,
    NOTIFY_CHAR_UUID,
    SERVICE_DATA_UUID,
    SERVICE_UUID,
    WRITE_CHAR_UUID,
    LockState,
    Status,
)
from .model import (
    PRODUCTS,
    BleDevice,
    BleFaults,
    Product,
    ReceivedCommand,
    normalize_address,
)
from .peer import DeviceUnreachableError, GattPeer, GattSession, PeerReply
from .proxy import DEFAULT_SOURCE, SimulatedBleProxy, pyswitchbot_reaches_proxies

__all__ = [
    "DEFAULT_SOURCE",
    "LEGACY_SERVICE_DATA_UUID",
    "NOTIFY_CHAR_UUID",
    "PRODUCTS",
    "SERVICE_DATA_UUID",
    "SERVICE_UUID",
    "WRITE_CHAR_UUID",
    "BleAdvertisement",
    "BleDevice",
    "BleFaults",
    "DeviceUnreachableError",
    "GattPeer",
    "GattSession",
    "LockState",
    "PeerReply",
    "Product",
    "ReceivedCommand",
    "SimulatedBleProxy",
    "Status",
    "build_advertisement",
    "normalize_address",
    "pyswitchbot_reaches_proxies",
    "temperature_bytes",
]
