"""Numbers of the SwitchBot Bluetooth protocol: UUIDs, company ids, answer status bytes."""

from __future__ import annotations

from enum import IntEnum
from typing import Final

SERVICE_UUID: Final = "cba20d00-224d-11e6-9fb8-0002a5d5c51b"
"""The SwitchBot GATT service, also listed in every advertisement's service UUIDs."""
WRITE_CHAR_UUID: Final = "cba20002-224d-11e6-9fb8-0002a5d5c51b"
"""Commands are written here (PySwitchbot's `tx`)."""
NOTIFY_CHAR_UUID: Final = "cba20003-224d-11e6-9fb8-0002a5d5c51b"
"""Answers come back as notifications of this characteristic (PySwitchbot's `rx`)."""

SERVICE_DATA_UUID: Final = "0000fd3d-0000-1000-8000-00805f9b34fb"
"""Service data UUID of current firmware (16-bit 0xFD3D)."""
LEGACY_SERVICE_DATA_UUID: Final = "00000d00-0000-1000-8000-00805f9b34fb"
"""Service data UUID of old firmware (Bot before 6.4, Curtain before 4.6, Remote)."""

COMPANY_ID_WONDERLABS: Final = 2409
"""0x0969, Woan Technology: manufacturer data of current firmware."""
COMPANY_ID_NORDIC: Final = 89
"""0x0059: manufacturer data (just the MAC) of old firmware."""
COMPANY_ID_HUMIDIFIER: Final = 741
"""0x02E5: the Humidifier's manufacturer data (just the MAC)."""

MAGIC: Final = 0x57
"""First byte of every request."""


class Status(IntEnum):
    """First byte of every answer (SwitchBotAPI-BLE, "RESP message")."""

    OK = 0x01
    ERROR = 0x02
    BUSY = 0x03
    VERSION_INCOMPATIBLE = 0x04
    UNSUPPORTED = 0x05
    LOW_BATTERY = 0x06
    ENCRYPTED = 0x07
    UNENCRYPTED = 0x08
    PASSWORD_ERROR = 0x09
    ENCRYPTION_UNSUPPORTED = 0x0A


class LockState(IntEnum):
    """Lock status as advertised (same values as PySwitchbot's `LockStatus`)."""

    LOCKED = 0
    UNLOCKED = 1
    LOCKING = 2
    UNLOCKING = 3
    LOCKING_STOP = 4
    UNLOCKING_STOP = 5
    NOT_FULLY_LOCKED = 6
    HALF_LOCKED = 7
