"""The BLE simulator without Home Assistant: advertisements PySwitchbot reads back, the
GATT peer's protocol (framing, Bot passwords, the encrypted handshake), the model."""

from __future__ import annotations

import binascii
import random
import struct
from typing import Any

import pytest

from roomsense_simulator.ble import (
    LEGACY_SERVICE_DATA_UUID,
    PRODUCTS,
    SERVICE_DATA_UUID,
    SERVICE_UUID,
    BleDevice,
    DeviceUnreachableError,
    GattPeer,
    LockState,
    Status,
    build_advertisement,
    crypto,
)

from .test_ble_support import ENCRYPTION_KEY, KEY_ID, WRONG_KEY, parse, plain

# One device per product in a state far from its defaults (every field advertised).
STATES: dict[str, dict[str, Any]] = {
    "bot": {"switchMode": True, "isOn": True, "battery": 87},
    "plug_mini": {"isOn": True, "power": 123.4, "wifi_rssi": -61},
    "plug_mini_jp": {"isOn": False, "power": 0.0, "wifi_rssi": -75},
    "curtain": {
        "position": 30,
        "calibration": True,
        "battery": 64,
        "inMotion": False,
        "lightLevel": 5,
        "deviceChain": 1,
    },
    "curtain3": {
        "position": 70,
        "calibration": False,
        "battery": 55,
        "inMotion": True,
        "lightLevel": 3,
        "deviceChain": 2,
    },
    "blind_tilt": {
        "tilt": 30,
        "calibration": True,
        "battery": 42,
        "inMotion": True,
        "lightLevel": 2,
        "sequence_number": 7,
    },
    "meter": {"temperature": -5.3, "humidity": 81, "battery": 77, "fahrenheit": True},
    "meter_plus": {"temperature": 24.6, "humidity": 40, "battery": 90, "fahrenheit": False},
    "outdoor_meter": {"temperature": -12.0, "humidity": 90, "battery": 15, "fahrenheit": False},
    "meter_pro": {"temperature": 19.9, "humidity": 55, "battery": 100, "fahrenheit": True},
    "meter_pro_co2": {
        "temperature": 23.1,
        "humidity": 48,
        "battery": 81,
        "fahrenheit": False,
        "co2": 1234,
    },
    "contact_sensor": {
        "contact_open": True,
        "contact_timeout": False,
        "motion_detected": True,
        "is_light": True,
        "button_count": 3,
        "battery": 90,
        "tested": True,
    },
    "motion_sensor": {
        "motion_detected": True,
        "is_light": True,
        "battery": 66,
        "led": 1,
        "iot": 1,
        "sense_distance": 2,
        "tested": False,
    },
    "lock": {
        "status": LockState.UNLOCKED,
        "calibration": True,
        "door_open": True,
        "unclosed_alarm": True,
        "unlocked_alarm": True,
        "auto_lock_paused": True,
        "night_latch": True,
        "double_lock_mode": True,
        "update_from_secondary_lock": True,
        "battery": 45,
        "sequence_number": 9,
    },
    "lock_pro": {
        "status": LockState.UNLOCKED,
        "calibration": True,
        "door_open": True,
        "auto_lock_paused": True,
        "unclosed_alarm": True,
        "unlocked_alarm": False,
        "low_temperature_alarm": True,
        "double_lock_mode": True,
        "battery": 33,
        "sequence_number": 200,
    },
    "lock_lite": {
        "status": LockState.UNLOCKING,
        "calibration": True,
        "unlocked_alarm": True,
        "double_lock_mode": False,
        "night_latch": True,
        "update_from_secondary_lock": False,
        "battery": 61,
        "sequence_number": 17,
    },
    "color_bulb": {
        "isOn": True,
        "brightness": 73,
        "color_mode": 2,
        "delay": True,
        "preset": True,
        "speed": 20,
        "loop_index": 4,
        "sequence_number": 12,
    },
    "light_strip": {
        "isOn": True,
        "brightness": 55,
        "color_mode": 6,
        "delay": False,
        "network_state": 2,
        "sequence_number": 3,
    },
    "ceiling_light": {"isOn": True, "brightness": 42, "cw": 3200, "sequence_number": 5},
    "ceiling_light_pro": {"isOn": False, "brightness": 10, "cw": 6500, "sequence_number": 250},
    "humidifier": {"isOn": True, "level": 66},
    "relay_switch_1pm": {"isOn": True, "power": 1234.0, "sequence_number": 4},
    "relay_switch_1": {"isOn": True, "sequence_number": 8},
    "garage_door_opener": {"isOn": False, "door_open": True, "sequence_number": 2},
    "plug_mini_eu": {"isOn": True, "power": 15.0, "sequence_number": 6},
    "hub2": {"temperature": 26.4, "humidity": 38, "fahrenheit": False, "lightLevel": 14},
    "leak_detector": {"leak": True, "tampered": True, "battery": 12, "low_battery": True},
    "remote": {"battery": 55},
    "keypad": {"battery": 80, "attempt_state": 3},
}
NESTED = {"relay_switch_2pm"}


def make(product: str, index: int = 1, **kwargs: Any) -> BleDevice:
    spec = PRODUCTS[product]
    if spec.encrypted:
        kwargs.setdefault("key_id", KEY_ID)
        kwargs.setdefault("encryption_key", ENCRYPTION_KEY)
    return BleDevice(f"C0:FF:EE:00:00:{index:02X}", spec.model, product=product, **kwargs)


def test_every_product_has_a_test_state() -> None:
    assert set(STATES) | NESTED == set(PRODUCTS)


@pytest.mark.parametrize("product", sorted(STATES))
def test_pyswitchbot_reads_the_advertised_state(product: str) -> None:
    device = make(product, state=STATES[product])
    advertisement = build_advertisement(device)
    parsed = parse(advertisement)

    assert parsed is not None
    assert parsed.address == device.address
    assert parsed.data["modelName"] == device.model
    assert parsed.data["modelFriendlyName"] == device.spec.friendly_name
    assert parsed.data["isEncrypted"] is False
    values = parsed.data["data"]
    for key, expected in STATES[product].items():
        assert plain(values[key]) == pytest.approx(expected), key
    assert advertisement.connectable is device.spec.connectable
    assert advertisement.service_uuids == [SERVICE_UUID]
    uuid = LEGACY_SERVICE_DATA_UUID if device.spec.legacy else SERVICE_DATA_UUID
    assert set(advertisement.service_data) == {uuid}


@pytest.mark.parametrize("product", sorted(STATES))
def test_pyswitchbot_reads_the_default_state(product: str) -> None:
    device = make(product)
    parsed = parse(build_advertisement(device))
    assert parsed is not None
    assert parsed.data["modelName"] == device.model
    for key, expected in device.state.items():
        assert plain(parsed.data["data"][key]) == pytest.approx(expected), key


def test_relay_switch_2pm_channels() -> None:
    device = make(
        "relay_switch_2pm",
        state={"isOn": True, "power": 60.0, "channel2_isOn": True, "channel2_power": 7.0},
    )
    parsed = parse(build_advertisement(device)).data
    assert parsed["modelName"] == "Relay Switch 2PM"
    assert parsed["data"][1]["isOn"] is True
    assert parsed["data"][1]["power"] == 60.0
    assert parsed["data"][2]["isOn"] is True
    assert parsed["data"][2]["power"] == 7.0
    device.set_state(channel2_isOn=False, channel2_power=0.0)
    assert parse(build_advertisement(device)).data["data"][2]["isOn"] is False


def test_derived_values() -> None:
    """Values PySwitchbot derives from advertised ones."""
    hub = parse(build_advertisement(make("hub2", state={"lightLevel": 14}))).data["data"]
    assert hub["illuminance"] == 416
    meter = parse(build_advertisement(make("meter", state={"temperature": 20.0})))
    assert meter.data["data"]["temp"]["f"] == pytest.approx(68.0)
    curtain = parse(build_advertisement(make("curtain", state={"position": 100})))
    assert curtain.data["data"]["position"] == 100  # 100 = open, as in Home Assistant


def test_password_protected_bot_advertises_encrypted() -> None:
    parsed = parse(build_advertisement(make("bot", password="secret")))
    assert parsed.data["isEncrypted"] is True
    assert parsed.data["modelName"] == "WoHand"


def test_manufacturer_data_carries_the_mac() -> None:
    device = make("meter", index=0x42)
    advertisement = build_advertisement(device)
    assert advertisement.manufacturer_data[2409][:6] == bytes.fromhex("C0FFEE000042")
    bot = build_advertisement(make("bot"))
    assert bot.manufacturer_data == {89: bytes.fromhex("C0FFEE000001")}
    assert bot.local_name == "WoHand"


def test_sequence_number_moves_on_with_state() -> None:
    device = make("color_bulb", state={"sequence_number": 255})
    assert device.set_state(isOn=True) is True
    assert device.state["sequence_number"] == 1
    assert device.set_state(isOn=True) is False
    assert device.state["sequence_number"] == 1


# --- the model --------------------------------------------------------------------------


def test_model_validation() -> None:
    assert BleDevice("aa-bb-cc-dd-ee-ff", "WoHand").address == "AA:BB:CC:DD:EE:FF"
    with pytest.raises(ValueError, match="not a BLE address"):
        BleDevice("AA:BB", "WoHand")
    with pytest.raises(ValueError, match="unknown SwitchBot model"):
        BleDevice("AA:BB:CC:DD:EE:FF", "WoNothing")
    with pytest.raises(ValueError, match="is a 'WoSensorTH'"):
        BleDevice("AA:BB:CC:DD:EE:FF", "WoHand", product="meter_plus")
    with pytest.raises(ValueError, match="unknown state field"):
        BleDevice("AA:BB:CC:DD:EE:FF", "WoHand", state={"position": 3})
    with pytest.raises(ValueError, match="needs a key_id"):
        BleDevice("AA:BB:CC:DD:EE:FF", "WoLock")
    with pytest.raises(ValueError, match="32 hex digits"):
        BleDevice("AA:BB:CC:DD:EE:FF", "WoLock", key_id="01", encryption_key="00")
    meter_plus = BleDevice("AA:BB:CC:DD:EE:FF", "WoSensorTH", product="meter_plus")
    assert meter_plus.spec.friendly_name == "Meter Plus"
    assert BleDevice("AA:BB:CC:DD:EE:FF", "WoSensorTH").product == "meter"


def test_lock_status_accepts_pyswitchbot_enum() -> None:
    switchbot = pytest.importorskip("switchbot.const.lock")
    lock = make("lock", state={"status": switchbot.LockStatus.UNLOCKED})
    assert lock.state["status"] == LockState.UNLOCKED


# --- the GATT peer ----------------------------------------------------------------------


def session(device: BleDevice) -> Any:
    return GattPeer(device).connect()


def answer(device_session: Any, data: bytes) -> bytes:
    reply = device_session.write(data)
    assert len(reply.notifications) == 1
    return reply.notifications[0]


def test_sensors_do_not_accept_connections() -> None:
    with pytest.raises(DeviceUnreachableError, match="only advertises"):
        GattPeer(make("meter")).connect()
    bot = make("bot")
    bot.faults.out_of_range = True
    with pytest.raises(DeviceUnreachableError, match="out of range"):
        GattPeer(bot).connect()


def test_bot_protocol() -> None:
    bot = make("bot", state={"switchMode": True, "isOn": False})
    link = session(bot)
    assert answer(link, bytes.fromhex("570101")) == b"\x01"
    assert bot.state["isOn"] is True
    basic = answer(link, bytes.fromhex("5702"))
    assert basic[:3] == bytes([1, 100, 66])  # status, battery, firmware 6.6
    assert basic[9] & 0x10  # switch mode
    assert answer(link, bytes.fromhex("570100")) == b"\x01"  # a press toggles in switch mode
    assert bot.state["isOn"] is False
    assert bot.commands == [("turn_on",), ("get_basic_info",), ("press",)]
    assert bot.command_log[0].raw == bytes.fromhex("570101")
    assert bot.command_log[0].answer == b"\x01"


def test_bot_password() -> None:
    bot = make("bot", password="secret")
    link = session(bot)
    crc = struct.pack(">I", binascii.crc32(b"secret")).hex()
    assert answer(link, bytes.fromhex("570100")) == bytes([Status.ENCRYPTED])
    assert answer(link, bytes.fromhex("5711" + "00000000" + "00")) == bytes([Status.PASSWORD_ERROR])
    assert answer(link, bytes.fromhex("5711" + crc + "00")) == b"\x01"
    assert bot.commands == [("press",), ("press",), ("press",)]
    assert [record.answer for record in bot.command_log] == [b"\x07", b"\x09", b"\x01"]
    assert answer(session(make("bot")), bytes.fromhex("5711" + crc + "00")) == b"\x08"


def test_unknown_and_malformed_requests_answer_an_error_byte() -> None:
    rng = random.Random(20260501)
    for product in sorted(PRODUCTS):
        device = make(product)
        if not device.connectable:
            continue
        link = session(device)
        assert answer(link, b"") == b"\x05"
        assert answer(link, b"\x00\x01") == b"\x05"
        assert answer(link, bytes.fromhex("570f9999"))[0] in (
            Status.UNSUPPORTED,
            Status.PASSWORD_ERROR,  # encrypted devices: no key exchanged on this link
        )
        for _ in range(200):
            data = bytes([0x57]) + rng.randbytes(rng.randrange(0, 19))
            reply = link.write(data)
            assert reply.notifications
            assert reply.notifications[0][0] in set(Status)


def encrypted_link(device: BleDevice, key_id: str = KEY_ID) -> tuple[Any, bytes | None]:
    link = session(device)
    reply = answer(link, bytes.fromhex("57000000" + "0f2103" + key_id))
    if reply[0] != 1:
        return link, None
    return link, reply[4:]


def encrypt(iv: bytes, command: str, key: str = ENCRYPTION_KEY, key_id: str = KEY_ID) -> bytes:
    ciphertext = crypto.ctr(bytes.fromhex(key), iv, bytes.fromhex(command))
    return bytes.fromhex("57" + key_id) + iv[:2] + ciphertext


def decrypt(iv: bytes, frame: bytes) -> bytes:
    return frame[:1] + crypto.ctr(bytes.fromhex(ENCRYPTION_KEY), iv, frame[4:])


def test_encrypted_handshake_and_lock() -> None:
    lock = make("lock_pro", state={"status": LockState.UNLOCKED})
    link, iv = encrypted_link(lock)
    assert iv is not None
    assert len(iv) == 16
    assert answer(link, encrypt(iv, "0e01001e00008104")) == b"\x01\x00\x00\x00"
    reply = link.write(encrypt(iv, "0f4e0101000000"))
    assert reply.state_changed
    assert reply.notifications[0] == b"\x01\x00\x00\x00"
    report = decrypt(iv, reply.notifications[1])  # the status report that follows
    assert report[0] == 0x0F
    assert (report[1] >> 3) & 0x0F == LockState.LOCKED
    assert lock.state["status"] == LockState.LOCKED
    info = decrypt(iv, answer(link, encrypt(iv, "0f4f8104")))
    assert info[0] == 1
    assert len(info) == 9
    assert [record.decoded for record in lock.command_log] == [
        ("get_encryption_iv", KEY_ID),
        ("enable_notifications",),
        ("lock",),
        ("get_lock_info",),
    ]
    assert lock.command_log[2].payload == bytes.fromhex("0f4e0101000000")
    assert lock.command_log[2].encrypted is True


def test_every_connection_gets_its_own_iv() -> None:
    lock = make("lock")
    peer = GattPeer(lock)
    first = answer(peer.connect(), bytes.fromhex("570000000f2103" + KEY_ID))[4:]
    second = answer(peer.connect(), bytes.fromhex("570000000f2103" + KEY_ID))[4:]
    assert first != second


def test_wrong_key_and_key_id() -> None:
    lock = make("lock")
    link, iv = encrypted_link(lock, key_id="ff")
    assert iv is None
    assert lock.commands == [("get_encryption_iv", "ff")]

    link, iv = encrypted_link(lock)
    assert iv is not None
    assert answer(link, encrypt(iv, "0f4e01011000", key=WRONG_KEY)) == b"\x09\x00\x00\x00"
    assert lock.command_log[-1].decoded[0] == "rejected"
    assert lock.state["status"] == LockState.LOCKED
    lock.faults.wrong_key = True
    assert answer(link, encrypt(iv, "0f4e01011080")) == b"\x09\x00\x00\x00"
    lock.faults.wrong_key = False
    assert answer(link, encrypt(iv, "0f4e01011080")) == b"\x01\x00\x00\x00"
    assert lock.state["status"] == LockState.UNLOCKED


def test_encrypted_devices_refuse_plain_commands_and_commands_without_iv() -> None:
    relay = make("relay_switch_1pm")
    link = session(relay)
    assert answer(link, bytes.fromhex("57000000" + "0f70010100"))[0] == Status.ENCRYPTED
    frame = encrypt(bytes(16), "0f70010100")
    assert answer(link, frame)[0] == Status.PASSWORD_ERROR  # no IV asked for yet
    assert relay.state["isOn"] is False


def test_faults_shape_the_reply() -> None:
    plug = make("plug_mini")
    link = session(plug)
    plug.faults.drop_connection = 1
    plug.faults.response_delay = 0.25
    reply = link.write(bytes.fromhex("570f50010180"))
    assert reply.drop
    assert not reply.notifications
    assert plug.state["isOn"] is True  # carried out, unanswered
    assert plug.command_log[-1].answer is None
    reply = link.write(bytes.fromhex("570f50010100"))
    assert not reply.drop
    assert reply.delay == 0.25
    assert reply.notifications == [b"\x01\x00"]
    plug.faults.drop_connection = -1
    assert link.write(b"\x57\x02").drop
    assert link.write(b"\x57\x02").drop
    plug.faults.clear()
    assert not link.write(b"\x57\x02").drop
    plug.faults.drop_on = "turn_on"
    assert not link.write(bytes.fromhex("570f50010100")).drop  # turn_off: answered
    assert link.write(bytes.fromhex("570f50010180")).drop
    assert plug.faults.drop_on is None


def test_out_of_range_while_connected() -> None:
    bot = make("bot", state={"switchMode": True})
    link = session(bot)
    bot.faults.out_of_range = True
    reply = link.write(bytes.fromhex("570101"))
    assert reply.drop
    assert bot.state["isOn"] is False  # never received
    assert bot.command_log == []
