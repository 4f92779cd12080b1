"""A simulated device's state as the exact bytes the real device advertises.

Layouts follow the SwitchBot BLE documentation and the samples of real devices in Home
Assistant's and PySwitchbot's tests; PySwitchbot's `parse_advertisement_data` reads them
back into the device's model and `state`. Current firmware puts a 0x0969 (Woan)
manufacturer-data record (the MAC, a sequence number, then the model's status bytes) in
its advertisement and a 0xFD3D service-data record (the device type, a status byte, the
battery) in its scan response; old firmware (Bot, Remote) uses 0x0059 and 0x0D00.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .const import (
    COMPANY_ID_HUMIDIFIER,
    COMPANY_ID_NORDIC,
    COMPANY_ID_WONDERLABS,
    LEGACY_SERVICE_DATA_UUID,
    SERVICE_DATA_UUID,
    SERVICE_UUID,
)
from .model import BleDevice

if TYPE_CHECKING:
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementData


@dataclass(frozen=True, slots=True)
class BleAdvertisement:
    """What a scanner hears from a device (advertisement and scan response merged)."""

    address: str
    local_name: str | None
    manufacturer_data: dict[int, bytes]
    service_data: dict[str, bytes]
    service_uuids: list[str]
    rssi: int
    connectable: bool
    tx_power: int | None = None
    platform_data: tuple[Any, ...] = field(default=())

    def to_bleak(self) -> tuple[BLEDevice, AdvertisementData]:
        """As bleak's `BLEDevice` and `AdvertisementData` (imports bleak)."""
        from bleak.backends.device import BLEDevice
        from bleak.backends.scanner import AdvertisementData

        device = BLEDevice(self.address, self.local_name, {})
        data = AdvertisementData(
            local_name=self.local_name,
            manufacturer_data=dict(self.manufacturer_data),
            service_data=dict(self.service_data),
            service_uuids=list(self.service_uuids),
            tx_power=self.tx_power,
            rssi=self.rssi,
            platform_data=self.platform_data,
        )
        return device, data


def build_advertisement(device: BleDevice) -> BleAdvertisement:
    """The advertisement `device` sends in its current state."""
    spec = device.spec
    service_data, manufacturer_data = _ENCODERS[spec.family](device)
    if spec.legacy:
        service = {LEGACY_SERVICE_DATA_UUID: service_data}
    else:
        service = {SERVICE_DATA_UUID: service_data}
    return BleAdvertisement(
        address=device.address,
        local_name=device.name,
        manufacturer_data=manufacturer_data,
        service_data=service,
        service_uuids=[SERVICE_UUID],
        rssi=device.rssi,
        connectable=spec.connectable,
    )


# --- helpers ---------------------------------------------------------------------------


def _bit(value: Any, mask: int) -> int:
    return mask if value else 0


def _u8(value: Any) -> int:
    return max(0, min(int(value), 0xFF))


def _u16(value: float) -> bytes:
    return struct.pack(">H", max(0, min(round(value), 0xFFFF)))


def _battery(device: BleDevice) -> int:
    return max(0, min(int(device.state.get("battery", 100)), 100))


def _type_byte(device: BleDevice, encrypted_flag: bool = False) -> int:
    return device.spec.model_byte | _bit(encrypted_flag, 0x80)


def _service(device: BleDevice, *rest: int) -> bytes:
    """Device type, then the given bytes."""
    return bytes([_type_byte(device), *(_u8(byte) for byte in rest)])


def _woan(device: BleDevice, *rest: int, length: int | None = None) -> dict[int, bytes]:
    """0x0969 manufacturer data: MAC, then the given bytes, zero-padded to `length`."""
    data = device.mac_bytes + bytes(_u8(byte) for byte in rest)
    if length is not None:
        data = data.ljust(length, b"\x00")
    return {COMPANY_ID_WONDERLABS: data}


def _sequence(device: BleDevice) -> int:
    return int(device.state.get("sequence_number", 1)) & 0xFF


def temperature_bytes(temperature: float, humidity: int, fahrenheit: bool) -> bytes:
    """The 3 bytes of a SwitchBot temperature/humidity reading.

    Byte 0 bits 3-0: tenths of a degree; byte 1: bit 7 set for >= 0 degC, bits 6-0 whole
    degrees; byte 2: bit 7 the display's Fahrenheit flag, bits 6-0 the humidity in %.
    """
    tenths = round(abs(float(temperature)) * 10)
    whole, fraction = divmod(tenths, 10)
    return bytes(
        [
            fraction & 0x0F,
            _bit(float(temperature) >= 0, 0x80) | (min(whole, 0x7F)),
            _bit(fahrenheit, 0x80) | (max(0, min(int(humidity), 100))),
        ]
    )


# --- encoders: (service data, manufacturer data) per family ----------------------------

Encoded = tuple[bytes, dict[int, bytes]]


def _bot(device: BleDevice) -> Encoded:
    state = device.state
    status = _bit(state["switchMode"], 0x80) | _bit(state["switchMode"] and not state["isOn"], 0x40)
    service = bytes([_type_byte(device, device.password is not None), status, _battery(device)])
    return service, {COMPANY_ID_NORDIC: device.mac_bytes}


def _plug(device: BleDevice) -> Encoded:
    state = device.state
    power = max(0, min(round(float(state["power"]) * 10), 0x7FFF))
    mfr = (
        device.mac_bytes
        + bytes(
            [
                _sequence(device),
                0x80 if state["isOn"] else 0x00,
                0x04,  # time synchronised, no delay, no timer
                _u8(-int(state["wifi_rssi"])),
            ]
        )
        + struct.pack(">H", power)
    )
    return _service(device, 0x00, 0x00), {COMPANY_ID_WONDERLABS: mfr}


def _cover_bytes(device: BleDevice, value: int) -> tuple[int, int]:
    state = device.state
    return (
        _bit(state["inMotion"], 0x80) | max(0, min(value, 100)),
        (int(state["lightLevel"]) & 0x0F) << 4 | (int(state.get("deviceChain", 1)) & 0x07),
    )


def _curtain(device: BleDevice) -> Encoded:
    state = device.state
    raw_position = 100 - max(0, min(int(state["position"]), 100))
    position_byte, light_byte = _cover_bytes(device, raw_position)
    status = 0x80 | _bit(state["calibration"], 0x40)
    service = _service(device, status, _battery(device), position_byte, light_byte, 0x04)
    if device.product == "curtain3":
        mfr = _woan(
            device, _sequence(device), 0x07, position_byte, light_byte, 0x04, 0x00, _battery(device)
        )
    else:
        mfr = _woan(device, _sequence(device), 0x0F, position_byte, light_byte, 0x04)
    return service, mfr


def _blind_tilt(device: BleDevice) -> Encoded:
    state = device.state
    tilt_byte, light_byte = _cover_bytes(device, int(state["tilt"]))
    service = _service(device, _bit(state["calibration"], 0x40), _battery(device))
    mfr = _woan(
        device,
        _sequence(device),
        0x24 | _bit(state["calibration"], 0x01),
        tilt_byte,
        light_byte,
        0x84,
    )
    return service, mfr


def _meter(device: BleDevice) -> Encoded:
    state = device.state
    reading = temperature_bytes(state["temperature"], state["humidity"], state["fahrenheit"])
    service = _service(device, 0x00, _battery(device), *reading)
    mfr = device.mac_bytes + bytes([0x75, 0x03]) + reading
    return service, {COMPANY_ID_WONDERLABS: mfr}


def _meter_pro(device: BleDevice) -> Encoded:
    state = device.state
    reading = temperature_bytes(state["temperature"], state["humidity"], state["fahrenheit"])
    service = _service(device, 0x00, _battery(device))
    co2 = b"\x00\x00"
    if "co2" in state:
        co2 = struct.pack(">H", max(0, min(int(state["co2"]), 0xFFFF)))
    mfr = device.mac_bytes + bytes([0xB7, 0xE4]) + reading + b"\x00\x00" + co2 + b"\x00"
    return service, {COMPANY_ID_WONDERLABS: mfr}


def _contact(device: BleDevice) -> Encoded:
    state = device.state
    service = _service(
        device,
        _bit(state["tested"], 0x80) | _bit(state["motion_detected"], 0x40),
        _battery(device),
        _bit(state["is_light"], 0x01)
        | _bit(state["contact_open"], 0x02)
        | _bit(state["contact_timeout"], 0x04),
        0x00,
        0x00,
        0x00,
        0x00,
        int(state["button_count"]) & 0x0F,
    )
    mfr = _woan(
        device,
        _sequence(device),
        _bit(state["motion_detected"], 0x80)
        | _bit(state["is_light"], 0x40)
        | _bit(state["contact_timeout"], 0x20)
        | _bit(state["contact_open"], 0x10),
        0x00,
        0x00,
        0x00,
        int(state["button_count"]) & 0x0F,
    )
    return service, mfr


def _motion(device: BleDevice) -> Encoded:
    state = device.state
    light_intensity = 2 if state["is_light"] else 1
    service = _service(
        device,
        _bit(state["tested"], 0x80) | _bit(state["motion_detected"], 0x40),
        _battery(device),
        0x00,
        0x00,
        (int(state["led"]) & 1) << 5
        | (int(state["iot"]) & 1) << 4
        | (int(state["sense_distance"]) & 3) << 2
        | light_intensity,
    )
    mfr = _woan(
        device,
        _sequence(device),
        _bit(state["motion_detected"], 0x40) | _bit(state["is_light"], 0x20),
        length=12,
    )
    return service, mfr


def _lock(device: BleDevice) -> Encoded:
    state = device.state
    info = (
        _bit(state["calibration"], 0x80)
        | (int(state["status"]) & 0x07) << 4
        | _bit(state["update_from_secondary_lock"], 0x08)
        | _bit(state.get("door_open"), 0x04)
    )
    alarms = (
        _bit(state["double_lock_mode"], 0x80)
        | _bit(state.get("unclosed_alarm"), 0x20)
        | _bit(state["unlocked_alarm"], 0x10)
        | _bit(state.get("auto_lock_paused"), 0x02)
    )
    service = _service(device, 0x80, _battery(device))
    mfr = _woan(device, _sequence(device), info, alarms, 0x20 | _bit(state["night_latch"], 1))
    return service, mfr


def _lock_pro(device: BleDevice) -> Encoded:
    state = device.state
    mfr = _woan(
        device,
        _sequence(device),
        _bit(state["calibration"], 0x80) | (int(state["status"]) & 0x0F) << 3,
        _bit(state["door_open"], 0x10) | _bit(state["auto_lock_paused"], 0x08),
        _battery(device),
        _bit(state["double_lock_mode"], 0x80),
        _bit(state["unclosed_alarm"], 0x80)
        | _bit(state["unlocked_alarm"], 0x40)
        | _bit(state["low_temperature_alarm"], 0x20),
    )
    return _service(device, 0x80, _battery(device)), mfr


def _light(device: BleDevice) -> tuple[int, int]:
    state = device.state
    return (
        _bit(state["isOn"], 0x80) | max(0, min(int(state["brightness"]), 100)),
        _bit(state.get("delay"), 0x80),
    )


def _bulb(device: BleDevice) -> Encoded:
    state = device.state
    on_brightness, delay = _light(device)
    mfr = _woan(
        device,
        _sequence(device),
        on_brightness,
        delay | _bit(state["preset"], 0x08) | (int(state["color_mode"]) & 0x07),
        int(state["speed"]) & 0x7F,
        int(state["loop_index"]) & 0xFE,
    )
    return _service(device, 0x00, 0x64), mfr


def _strip(device: BleDevice) -> Encoded:
    state = device.state
    on_brightness, delay = _light(device)
    mfr = _woan(
        device,
        _sequence(device),
        on_brightness,
        delay | (int(state["network_state"]) & 0x07) << 4 | (int(state["color_mode"]) & 0x0F),
        length=16,
    )
    return _service(device, 0x00, 0x64), mfr


def _ceiling(device: BleDevice) -> Encoded:
    state = device.state
    mfr = device.mac_bytes + bytes([_sequence(device), max(0, min(int(state["brightness"]), 100))])
    mfr += _u16(int(state["cw"])) + bytes([_bit(state["isOn"], 0x80) | 0x24])
    return _service(device, 0x00), {COMPANY_ID_WONDERLABS: mfr}


def _humidifier(device: BleDevice) -> Encoded:
    state = device.state
    service = _service(
        device, 0x80 if state["isOn"] else 0x00, 0x00, 0xF9, int(state["level"]), 0x42, 0x63, 0
    )
    return service, {COMPANY_ID_HUMIDIFIER: device.mac_bytes}


def _relay(device: BleDevice) -> Encoded:
    state = device.state
    flags = _bit(state["isOn"], 0x80) | _bit(state.get("channel2_isOn"), 0x40)
    if "door_open" in state:
        flags |= _bit(not state["door_open"], 0x20)
    power = _u16(float(state.get("power", 0.0))) + _u16(float(state.get("channel2_power", 0.0)))
    mfr = device.mac_bytes + bytes([_sequence(device), flags, 0x00, 0x00]) + power
    return _service(device, 0x00, 0x00, 0x00), {COMPANY_ID_WONDERLABS: mfr.ljust(16, b"\x00")}


def _hub2(device: BleDevice) -> Encoded:
    state = device.state
    reading = temperature_bytes(state["temperature"], state["humidity"], state["fahrenheit"])
    mfr = device.mac_bytes + bytes([0x00, 0xFF, 0x67, 0xE2, 0xBF, 0x5D])
    mfr += bytes([int(state["lightLevel"]) & 0x1F]) + reading + b"\x00"
    return _service(device, 0x00), {COMPANY_ID_WONDERLABS: mfr}


def _leak(device: BleDevice) -> Encoded:
    state = device.state
    mfr = _woan(
        device,
        _sequence(device),
        _bit(state["low_battery"], 0x80) | _battery(device),
        _bit(state["leak"], 0x01) | _bit(state["tampered"], 0x02),
        length=19,
    )
    return _service(device, 0x00, _battery(device)), mfr


def _remote(device: BleDevice) -> Encoded:
    return _service(device, 0x20, _battery(device), 0x00), {COMPANY_ID_NORDIC: device.mac_bytes}


def _keypad(device: BleDevice) -> Encoded:
    mfr = _woan(device, int(device.state["attempt_state"]), 0x00, length=12)
    return _service(device, 0x00, _battery(device)), mfr


_ENCODERS: dict[str, Callable[[BleDevice], Encoded]] = {
    "bot": _bot,
    "plug": _plug,
    "curtain": _curtain,
    "blind_tilt": _blind_tilt,
    "meter": _meter,
    "meter_pro": _meter_pro,
    "contact": _contact,
    "motion": _motion,
    "lock": _lock,
    "lock_lite": _lock,
    "lock_pro": _lock_pro,
    "bulb": _bulb,
    "strip": _strip,
    "ceiling": _ceiling,
    "humidifier": _humidifier,
    "relay": _relay,
    "hub2": _hub2,
    "leak": _leak,
    "remote": _remote,
    "keypad": _keypad,
}
