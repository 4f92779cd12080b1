"""Simulated SwitchBot Bluetooth devices: the products, their state, faults and command log.

A `BleDevice` is one device at one BLE address. Its `state` holds exactly the fields the
real device advertises, under the names (and in the units) that PySwitchbot's
`parse_advertisement_data` reports them: `isOn`, `battery`, `temperature`, `position`,
`status`... Everything else a device keeps (the colour of a bulb, a plug's load, a relay's
voltage, a Bot's arm strength) lives in `internal`; it shows in GATT answers only.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from .const import LockState

AddressType = str
EncryptionMode = Literal["ctr", "gcm"]

_ADDRESS = re.compile(r"^[0-9A-F]{2}(:[0-9A-F]{2}){5}$")
_HEX = re.compile(r"^[0-9a-fA-F]*$")


def normalize_address(address: str) -> str:
    """`aa:bb:cc:dd:ee:ff`, `AA-BB-...` or `aabbccddeeff` as `AA:BB:CC:DD:EE:FF`."""
    bare = address.replace(":", "").replace("-", "").upper()
    if len(bare) == 12:
        address = ":".join(bare[i : i + 2] for i in range(0, 12, 2))
    if not _ADDRESS.match(address):
        raise ValueError(f"not a BLE address: {address!r}")
    return address


@dataclass(frozen=True, slots=True)
class Product:
    """One SwitchBot product as it appears over Bluetooth."""

    key: str
    """The simulator's name for it (`"meter_plus"`)."""
    model: str
    """PySwitchbot's `SwitchbotModel` value (`"WoSensorTH"`)."""
    friendly_name: str
    """PySwitchbot's `modelFriendlyName` (`"Meter Plus"`)."""
    model_byte: int
    """The device type in bits 6-0 of the first service-data byte (`ord("i")`)."""
    family: str
    """How it advertises and which commands it understands."""
    connectable: bool
    """Whether it accepts connections (sensors only advertise)."""
    encrypted: bool
    """Whether commands are AES encrypted with a key id and a 128-bit key."""
    local_name: str | None
    state_defaults: Mapping[str, Any]
    internal_defaults: Mapping[str, Any] = field(default_factory=dict)
    firmware: float = 1.0
    legacy: bool = False
    """Old firmware: service data under 0x0D00, manufacturer data under 0x0059 (the MAC)."""


def _p(
    key: str,
    model: str,
    friendly_name: str,
    model_char: str,
    family: str,
    state: dict[str, Any],
    internal: dict[str, Any] | None = None,
    *,
    connectable: bool = True,
    encrypted: bool = False,
    local_name: str | None = None,
    firmware: float = 1.0,
    legacy: bool = False,
) -> Product:
    return Product(
        key=key,
        model=model,
        friendly_name=friendly_name,
        model_byte=ord(model_char),
        family=family,
        connectable=connectable,
        encrypted=encrypted,
        local_name=local_name,
        state_defaults=MappingProxyType(state),
        internal_defaults=MappingProxyType(internal or {}),
        firmware=firmware,
        legacy=legacy,
    )


_METER_STATE = {"temperature": 21.5, "humidity": 45, "fahrenheit": False, "battery": 100}
_LIGHT_RGB = {"r": 255, "g": 255, "b": 255, "cw": 4000}
_LOCK_STATE: dict[str, Any] = {
    "status": LockState.LOCKED,
    "calibration": True,
    "door_open": False,
    "unclosed_alarm": False,
    "unlocked_alarm": False,
    "auto_lock_paused": False,
    "night_latch": False,
    "double_lock_mode": False,
    "update_from_secondary_lock": False,
    "battery": 100,
    "sequence_number": 1,
}
_LOCK_PRO_STATE: dict[str, Any] = {
    "status": LockState.LOCKED,
    "calibration": True,
    "door_open": False,
    "auto_lock_paused": False,
    "unclosed_alarm": False,
    "unlocked_alarm": False,
    "low_temperature_alarm": False,
    "double_lock_mode": False,
    "battery": 100,
    "sequence_number": 1,
}
_LOCK_LITE_STATE: dict[str, Any] = {
    "status": LockState.LOCKED,
    "calibration": True,
    "unlocked_alarm": False,
    "double_lock_mode": False,
    "night_latch": False,
    "update_from_secondary_lock": False,
    "battery": 100,
    "sequence_number": 1,
}
_RELAY_INTERNAL: dict[str, Any] = {
    "load_watts": 0.0,
    "voltage": 100.0,
    "energy": 0.0,
    "energy_yesterday": 0.0,
    "use_time": 0.0,
}

PRODUCTS: Mapping[str, Product] = MappingProxyType(
    {
        product.key: product
        for product in (
            _p(
                "bot",
                "WoHand",
                "Bot",
                "H",
                "bot",
                {"switchMode": False, "isOn": False, "battery": 100},
                {"strength": 100, "inverse": False, "holdSeconds": 0, "timers": 0},
                local_name="WoHand",
                firmware=6.6,
                legacy=True,
            ),
            _p(
                "plug_mini",
                "WoPlug",
                "Plug Mini",
                "g",
                "plug",
                {"isOn": False, "power": 0.0, "wifi_rssi": -50},
                {"load_watts": 0.0},
                local_name="WoPlug",
                firmware=1.4,
            ),
            _p(
                "plug_mini_jp",
                "WoPlug",
                "Plug Mini (JP)",
                "j",
                "plug",
                {"isOn": False, "power": 0.0, "wifi_rssi": -50},
                {"load_watts": 0.0},
                local_name="WoPlug",
                firmware=1.4,
            ),
            _p(
                "curtain",
                "WoCurtain",
                "Curtain",
                "c",
                "curtain",
                {
                    "position": 100,
                    "calibration": True,
                    "battery": 100,
                    "inMotion": False,
                    "lightLevel": 1,
                    "deviceChain": 1,
                },
                {
                    "openDirection": "left_to_right",
                    "touchToOpen": False,
                    "light": False,
                    "solarPanel": False,
                    "timers": 0,
                },
                local_name="WoCurtain",
                firmware=5.1,
            ),
            _p(
                "curtain3",
                "WoCurtain",
                "Curtain 3",
                "{",
                "curtain",
                {
                    "position": 100,
                    "calibration": True,
                    "battery": 100,
                    "inMotion": False,
                    "lightLevel": 1,
                    "deviceChain": 1,
                },
                {
                    "openDirection": "left_to_right",
                    "touchToOpen": False,
                    "light": False,
                    "solarPanel": False,
                    "timers": 0,
                },
                local_name="WoCurtain3",
                firmware=1.2,
            ),
            _p(
                "blind_tilt",
                "WoBlindTilt",
                "Blind Tilt",
                "x",
                "blind_tilt",
                {
                    "tilt": 50,
                    "calibration": True,
                    "battery": 100,
                    "inMotion": False,
                    "lightLevel": 1,
                    "sequence_number": 1,
                },
                {"light": False, "solarPanel": False, "timers": 0},
                local_name="WoBlindTilt",
                firmware=2.1,
            ),
            _p(
                "meter",
                "WoSensorTH",
                "Meter",
                "T",
                "meter",
                dict(_METER_STATE),
                connectable=False,
                firmware=2.7,
            ),
            _p(
                "meter_plus",
                "WoSensorTH",
                "Meter Plus",
                "i",
                "meter",
                dict(_METER_STATE),
                connectable=False,
                firmware=2.7,
            ),
            _p(
                "outdoor_meter",
                "WoIOSensorTH",
                "Indoor/Outdoor Meter",
                "w",
                "meter",
                dict(_METER_STATE),
                connectable=False,
                firmware=1.3,
            ),
            _p(
                "meter_pro",
                "WoTHP",
                "Meter Pro",
                "4",
                "meter_pro",
                dict(_METER_STATE),
                {"time_offset": 0, "twelve_hour": False},
                local_name="WoTHP",
                firmware=1.1,
            ),
            _p(
                "meter_pro_co2",
                "WoTHPc",
                "Meter Pro CO2",
                "5",
                "meter_pro",
                dict(_METER_STATE) | {"co2": 600},
                {"time_offset": 0, "twelve_hour": False},
                local_name="WoTHPc",
                firmware=1.1,
            ),
            _p(
                "contact_sensor",
                "WoContact",
                "Contact Sensor",
                "d",
                "contact",
                {
                    "contact_open": False,
                    "contact_timeout": False,
                    "motion_detected": False,
                    "is_light": False,
                    "button_count": 0,
                    "battery": 100,
                    "tested": False,
                },
                connectable=False,
                firmware=1.6,
            ),
            _p(
                "motion_sensor",
                "WoPresence",
                "Motion Sensor",
                "s",
                "motion",
                {
                    "motion_detected": False,
                    "is_light": False,
                    "battery": 100,
                    "led": 0,
                    "iot": 0,
                    "sense_distance": 0,
                    "tested": False,
                },
                connectable=False,
                firmware=1.5,
            ),
            _p(
                "lock",
                "WoLock",
                "Lock",
                "o",
                "lock",
                dict(_LOCK_STATE),
                encrypted=True,
                local_name="WoLock",
                firmware=5.7,
            ),
            _p(
                "lock_pro",
                "WoLockPro",
                "Lock Pro",
                "$",
                "lock_pro",
                dict(_LOCK_PRO_STATE),
                encrypted=True,
                local_name="WoLockPro",
                firmware=1.6,
            ),
            _p(
                "lock_lite",
                "Lock Lite",
                "Lock Lite",
                "-",
                "lock_lite",
                dict(_LOCK_LITE_STATE),
                encrypted=True,
                local_name="Lock Lite",
                firmware=1.2,
            ),
            _p(
                "color_bulb",
                "WoBulb",
                "Color Bulb",
                "u",
                "bulb",
                {
                    "isOn": False,
                    "brightness": 100,
                    "color_mode": 1,
                    "delay": False,
                    "preset": False,
                    "speed": 0,
                    "loop_index": 0,
                    "sequence_number": 1,
                },
                dict(_LIGHT_RGB) | {"effect": None},
                local_name="WoBulb",
                firmware=2.1,
            ),
            _p(
                "light_strip",
                "WoStrip",
                "Light Strip",
                "r",
                "strip",
                {
                    "isOn": False,
                    "brightness": 100,
                    "color_mode": 2,
                    "delay": False,
                    "network_state": 0,
                    "sequence_number": 1,
                },
                dict(_LIGHT_RGB) | {"effect": None},
                local_name="WoStrip",
                firmware=3.1,
            ),
            _p(
                "ceiling_light",
                "WoCeiling",
                "Ceiling Light",
                "q",
                "ceiling",
                {"isOn": False, "brightness": 100, "cw": 4000, "sequence_number": 1},
                {"night_light": False},
                local_name="WoCeiling",
                firmware=1.0,
            ),
            _p(
                "ceiling_light_pro",
                "WoCeiling",
                "Ceiling Light Pro",
                "n",
                "ceiling",
                {"isOn": False, "brightness": 100, "cw": 4000, "sequence_number": 1},
                {"night_light": False},
                local_name="WoCeilingPro",
                firmware=1.0,
            ),
            _p(
                "humidifier",
                "WoHumi",
                "Humidifier",
                "e",
                "humidifier",
                {"isOn": False, "level": 128},
                local_name="Humidifier",
                firmware=1.1,
            ),
            _p(
                "relay_switch_1pm",
                "Relay Switch 1PM",
                "Relay Switch 1PM",
                "<",
                "relay",
                {"isOn": False, "power": 0.0, "sequence_number": 1},
                dict(_RELAY_INTERNAL),
                encrypted=True,
                local_name="W1080000",
                firmware=1.3,
            ),
            _p(
                "relay_switch_1",
                "Relay Switch 1",
                "Relay Switch 1",
                ";",
                "relay",
                {"isOn": False, "sequence_number": 1},
                dict(_RELAY_INTERNAL),
                encrypted=True,
                local_name="W1080002",
                firmware=1.3,
            ),
            _p(
                "relay_switch_2pm",
                "Relay Switch 2PM",
                "Relay Switch 2PM",
                "=",
                "relay",
                {
                    "isOn": False,
                    "power": 0.0,
                    "channel2_isOn": False,
                    "channel2_power": 0.0,
                    "sequence_number": 1,
                },
                dict(_RELAY_INTERNAL) | {"channel2_load_watts": 0.0},
                encrypted=True,
                local_name="W1080001",
                firmware=1.3,
            ),
            _p(
                "garage_door_opener",
                "Garage Door Opener",
                "Garage Door Opener",
                ">",
                "relay",
                {"isOn": False, "door_open": False, "sequence_number": 1},
                dict(_RELAY_INTERNAL),
                encrypted=True,
                local_name="W1080003",
                firmware=1.0,
            ),
            _p(
                "plug_mini_eu",
                "Plug Mini (EU)",
                "Plug Mini (EU)",
                "?",
                "relay",
                {"isOn": False, "power": 0.0, "sequence_number": 1},
                dict(_RELAY_INTERNAL) | {"voltage": 230.0},
                encrypted=True,
                local_name="W1104000",
                firmware=1.0,
            ),
            _p(
                "hub2",
                "WoHub2",
                "Hub 2",
                "v",
                "hub2",
                {"temperature": 22.0, "humidity": 50, "fahrenheit": False, "lightLevel": 10},
                local_name="WoHub2",
                firmware=1.5,
            ),
            _p(
                "leak_detector",
                "Leak Detector",
                "Leak Detector",
                "&",
                "leak",
                {"leak": False, "tampered": False, "battery": 100, "low_battery": False},
                connectable=False,
                firmware=1.0,
            ),
            _p(
                "remote",
                "WoRemote",
                "Remote",
                "b",
                "remote",
                {"battery": 100},
                connectable=False,
                legacy=True,
                firmware=1.0,
            ),
            _p(
                "keypad",
                "WoKeypad",
                "Keypad",
                "y",
                "keypad",
                {"battery": 100, "attempt_state": 0},
                connectable=False,
                firmware=1.0,
            ),
        )
    }
)
"""Every simulated product by key."""

DEFAULT_PRODUCT: Mapping[str, str] = MappingProxyType(
    {
        "WoHand": "bot",
        "WoPlug": "plug_mini",
        "WoCurtain": "curtain",
        "WoBlindTilt": "blind_tilt",
        "WoSensorTH": "meter",
        "WoIOSensorTH": "outdoor_meter",
        "WoTHP": "meter_pro",
        "WoTHPc": "meter_pro_co2",
        "WoContact": "contact_sensor",
        "WoPresence": "motion_sensor",
        "WoLock": "lock",
        "WoLockPro": "lock_pro",
        "Lock Lite": "lock_lite",
        "WoBulb": "color_bulb",
        "WoStrip": "light_strip",
        "WoCeiling": "ceiling_light",
        "WoHumi": "humidifier",
        "Relay Switch 1PM": "relay_switch_1pm",
        "Relay Switch 1": "relay_switch_1",
        "Relay Switch 2PM": "relay_switch_2pm",
        "Garage Door Opener": "garage_door_opener",
        "Plug Mini (EU)": "plug_mini_eu",
        "WoHub2": "hub2",
        "Leak Detector": "leak_detector",
        "WoRemote": "remote",
        "WoKeypad": "keypad",
    }
)
"""The product a `SwitchbotModel` value stands for when no `product` is given."""


@dataclass(slots=True)
class BleFaults:
    """Faults of one device, set by tests and the demo; all off by default."""

    out_of_range: bool = False
    """No advertisements go out, connection attempts time out, and a link still up drops
    at the next write (which the device never receives)."""
    drop_connection: int = 0
    """The next N writes are received (and carried out) but the link drops before the
    answer; -1 drops after every write."""
    drop_on: str | None = None
    """The link drops after the next write decoded as this command (`"lock"`,
    `"turn_on"`...), which is carried out but not answered; cleared when it happened."""
    wrong_key: bool = False
    """The device no longer accepts the client's key (as after re-keying in the app):
    every encrypted command is answered `0x09` (password error)."""
    response_delay: float = 0.0
    """Seconds between a write and its answer (PySwitchbot gives up after 5)."""

    def clear(self) -> None:
        """Switch every fault off."""
        self.out_of_range = False
        self.drop_connection = 0
        self.drop_on = None
        self.wrong_key = False
        self.response_delay = 0.0

    def take_drop(self, command: str) -> bool:
        """Whether the link drops after this write (counts one down)."""
        if self.drop_on is not None and self.drop_on == command:
            self.drop_on = None
            return True
        if self.drop_connection < 0:
            return True
        if self.drop_connection > 0:
            self.drop_connection -= 1
            return True
        return False


@dataclass(frozen=True, slots=True)
class ReceivedCommand:
    """One write the device received, decoded."""

    decoded: tuple[Any, ...]
    """`("press",)`, `("lock",)`, `("set_position", 50)`, `("unknown", "0f9901")`..."""
    raw: bytes
    """The bytes written to the characteristic."""
    payload: bytes
    """The request after the magic byte, a Bot password or the encryption header:
    the decrypted command of encrypted devices."""
    answer: bytes | None
    """The plaintext answer (status byte first); None when the link dropped first."""
    encrypted: bool
    time: float = field(default_factory=time.monotonic)


@dataclass(eq=False)
class BleDevice:
    """A simulated SwitchBot device at one BLE address."""

    address: str
    model: str
    """A `SwitchbotModel` value (PySwitchbot's enum members compare equal)."""
    product: str | None = None
    """A key of `PRODUCTS` when the model has several (`meter_plus`, `plug_mini_jp`,
    `curtain3`, `ceiling_light_pro`); the model's usual product otherwise."""
    state: dict[str, Any] = field(default_factory=dict)
    internal: dict[str, Any] = field(default_factory=dict)
    name: str | None = None
    """The advertised local name; the product's usual name when None."""
    rssi: int = -60
    key_id: str | None = None
    encryption_key: str | None = None
    encryption_mode: EncryptionMode = "ctr"
    password: str | None = None
    """A Bot's password (commands must carry its CRC32)."""
    firmware: float | None = None
    faults: BleFaults = field(default_factory=BleFaults)
    command_log: list[ReceivedCommand] = field(default_factory=list)
    _spec: Product = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.address = normalize_address(self.address)
        self.model = str(self.model)
        key = self.product or DEFAULT_PRODUCT.get(self.model)
        if key is None or key not in PRODUCTS:
            raise ValueError(f"unknown SwitchBot model or product: {self.model!r} {key!r}")
        spec = PRODUCTS[key]
        if spec.model != self.model:
            raise ValueError(f"product {key!r} is a {spec.model!r}, not a {self.model!r}")
        self.product = key
        self._spec = spec
        given_state, given_internal = self.state, self.internal
        self.state = dict(spec.state_defaults)
        self.internal = dict(spec.internal_defaults)
        self._check_keys(given_state, spec.state_defaults, "state")
        self._check_keys(given_internal, spec.internal_defaults, "internal")
        self.state.update(_normalize_values(given_state))
        self.internal.update(given_internal)
        if self.firmware is None:
            self.firmware = spec.firmware
        if self.name is None:
            self.name = spec.local_name
        if spec.encrypted:
            if self.key_id is None or self.encryption_key is None:
                raise ValueError(f"a {spec.friendly_name} needs a key_id and an encryption_key")
            if len(self.key_id) != 2 or not _HEX.match(self.key_id):
                raise ValueError("key_id must be 2 hex digits")
            if len(self.encryption_key) != 32 or not _HEX.match(self.encryption_key):
                raise ValueError("encryption_key must be 32 hex digits")
            self.key_id = self.key_id.lower()
            self.encryption_key = self.encryption_key.lower()
        if self.encryption_mode not in ("ctr", "gcm"):
            raise ValueError("encryption_mode must be 'ctr' or 'gcm'")

    @staticmethod
    def _check_keys(given: Mapping[str, Any], known: Mapping[str, Any], what: str) -> None:
        if unknown := set(given) - set(known):
            raise ValueError(f"unknown {what} field(s) {sorted(unknown)}; known: {sorted(known)}")

    @property
    def spec(self) -> Product:
        """The product description."""
        return self._spec

    @property
    def connectable(self) -> bool:
        """Whether the device accepts connections."""
        return self._spec.connectable

    @property
    def encrypted(self) -> bool:
        """Whether its commands are encrypted."""
        return self._spec.encrypted

    @property
    def mac_bytes(self) -> bytes:
        """The address as the 6 bytes devices put in their manufacturer data."""
        return bytes.fromhex(self.address.replace(":", ""))

    @property
    def key_number(self) -> int:
        """The key id as the byte requests carry (encrypted devices)."""
        if self.key_id is None:
            raise ValueError(f"{self.address} has no key id")
        return int(self.key_id, 16)

    @property
    def key_bytes(self) -> bytes:
        """The 128-bit AES key (encrypted devices)."""
        if self.encryption_key is None:
            raise ValueError(f"{self.address} has no encryption key")
        return bytes.fromhex(self.encryption_key)

    @property
    def commands(self) -> list[tuple[Any, ...]]:
        """The decoded commands received so far, oldest first."""
        return [record.decoded for record in self.command_log]

    def clear_log(self) -> None:
        """Forget the commands received so far."""
        self.command_log.clear()

    def set_state(self, **changes: Any) -> bool:
        """Change advertised fields, as a physical event would; True if anything changed.

        The sequence number of the models that advertise one moves on by one when
        something changed (unless it is set explicitly).
        """
        self._check_keys(changes, self._spec.state_defaults, "state")
        changes = _normalize_values(changes)
        changed = any(self.state.get(key) != value for key, value in changes.items())
        self.state.update(changes)
        if changed and "sequence_number" in self.state and "sequence_number" not in changes:
            self.bump_sequence()
        return changed

    def set_internal(self, **changes: Any) -> None:
        """Change simulator-only fields (a bulb's colour, a plug's load...)."""
        self._check_keys(changes, self._spec.internal_defaults, "internal")
        self.internal.update(changes)

    def bump_sequence(self) -> None:
        """Move the advertised sequence number on (1-255, then 1 again)."""
        if "sequence_number" in self.state:
            self.state["sequence_number"] = self.state["sequence_number"] % 255 + 1


def _normalize_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Enum members (PySwitchbot's `LockStatus`) as plain numbers."""
    result = dict(values)
    if "status" in result and not isinstance(result["status"], int):
        result["status"] = int(result["status"].value)
    if "status" in result:
        result["status"] = LockState(result["status"])
    return result
