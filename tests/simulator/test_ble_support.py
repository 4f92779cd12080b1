"""Helpers shared by the BLE simulator tests (this module holds no tests).

PySwitchbot is imported through `import_switchbot()`, never at module level: it binds
`bleak_retry_connector.BleakClientWithServiceCache` on import, and only the name Home
Assistant's `bluetooth` integration puts there (habluetooth's wrapper) reaches Bluetooth
proxies. Imported while `bluetooth` is not running, it would keep bleak's BlueZ client for
the rest of the test session.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

KEY_ID = "a1"
ENCRYPTION_KEY = "0123456789abcdef0123456789abcdef"
WRONG_KEY = "fedcba9876543210fedcba9876543210"


def import_switchbot() -> ModuleType:
    """PySwitchbot, imported as it is once Home Assistant's bluetooth integration runs."""
    if (module := sys.modules.get("switchbot")) is not None:
        return module
    import bleak_retry_connector
    from habluetooth.usage import (
        HaBleakClientWithServiceCache,
        install_multiple_bleak_catcher,
        uninstall_multiple_bleak_catcher,
    )

    running = bleak_retry_connector.BleakClientWithServiceCache is HaBleakClientWithServiceCache
    if not running:
        install_multiple_bleak_catcher()
    try:
        import switchbot
    finally:
        if not running:
            uninstall_multiple_bleak_catcher()
    return switchbot


def parse(advertisement: Any) -> Any:
    """PySwitchbot's reading of a `BleAdvertisement`."""
    switchbot = import_switchbot()
    ble_device, data = advertisement.to_bleak()
    return switchbot.parse_advertisement_data(ble_device, data)


def plain(value: Any) -> Any:
    """Enum members (PySwitchbot's `LockStatus`) as their values."""
    if hasattr(value, "value") and not isinstance(value, bool | int | float | str):
        return value.value
    return value
