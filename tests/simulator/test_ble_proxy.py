"""The simulated Bluetooth proxy in a real Home Assistant: discovery through the core's own
Bluetooth stack, and PySwitchbot's device classes driving the simulated devices through
`bluetooth.async_ble_device_from_address` and bleak-retry-connector, unpatched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.components import bluetooth
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from roomsense_simulator.ble import (
    BleDevice,
    LockState,
    SimulatedBleProxy,
    pyswitchbot_reaches_proxies,
)

from .test_ble_support import ENCRYPTION_KEY, KEY_ID, WRONG_KEY, import_switchbot, plain

BOT = "AA:BB:CC:00:00:01"
PLUG = "AA:BB:CC:00:00:02"
CURTAIN = "AA:BB:CC:00:00:03"
BLIND = "AA:BB:CC:00:00:04"
LOCK = "AA:BB:CC:00:00:05"
BULB = "AA:BB:CC:00:00:06"
STRIP = "AA:BB:CC:00:00:07"
CEILING = "AA:BB:CC:00:00:08"
HUMIDIFIER = "AA:BB:CC:00:00:09"
RELAY = "AA:BB:CC:00:00:0A"
METER = "AA:BB:CC:00:00:0B"
METER_PRO = "AA:BB:CC:00:00:0C"
GARAGE = "AA:BB:CC:00:00:0D"


@pytest.fixture
def switchbot(enable_bluetooth: None) -> Any:
    """PySwitchbot, imported (if it is not yet) while Home Assistant's bluetooth runs."""
    module = import_switchbot()
    assert pyswitchbot_reaches_proxies(), (
        "PySwitchbot was imported before Home Assistant's bluetooth integration was set up"
        " (see test_ble_support.import_switchbot)"
    )
    return module


@pytest.fixture
async def proxy(hass: HomeAssistant, enable_bluetooth: None) -> AsyncIterator[SimulatedBleProxy]:
    sim = SimulatedBleProxy(hass)
    unregister = sim.async_start()
    yield sim
    unregister()
    # The advertisements match the core switchbot integration's Bluetooth matchers: its
    # discovery flows (background tasks, importing its config flow) must finish first.
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.fixture
async def connect(
    hass: HomeAssistant, proxy: SimulatedBleProxy, switchbot: Any
) -> AsyncIterator[Callable[..., Any]]:
    """Builds a PySwitchbot device for a simulated one; closes its link afterwards."""
    made: list[Any] = []

    def _connect[D](cls: type[D], device: BleDevice, *args: Any, **kwargs: Any) -> D:
        if device.address not in proxy.devices:
            proxy.add_device(device)
        assert proxy.advertise(device.address)
        ble_device = bluetooth.async_ble_device_from_address(hass, device.address, True)
        assert ble_device is not None
        instance = cls(ble_device, *args, **kwargs)
        made.append(instance)
        return instance

    yield _connect
    for instance in made:
        # PySwitchbot holds a link 8.5 s after the last command (a timer); this is what
        # that timer runs, without the wait.
        await instance._execute_forced_disconnect()
    await settle(hass)


async def settle(hass: HomeAssistant) -> None:
    """Let PySwitchbot's background updates (sequence number changes) finish."""
    from switchbot import helpers

    for _ in range(5):
        if helpers._BACKGROUND_TASKS:
            await asyncio.gather(*helpers._BACKGROUND_TASKS, return_exceptions=True)
        await hass.async_block_till_done(wait_background_tasks=True)


async def feed(hass: HomeAssistant, switchbot: Any, instance: Any) -> Any:
    """Hand PySwitchbot the advertisement Home Assistant holds, as its coordinator would."""
    info = bluetooth.async_last_service_info(hass, instance.get_address(), True)
    assert info is not None
    advertisement = switchbot.parse_advertisement_data(info.device, info.advertisement)
    instance.update_from_advertisement(advertisement)
    await settle(hass)
    return advertisement


async def with_clock[R](hass: HomeAssistant, awaitable: Awaitable[R], seconds: float = 5.5) -> R:
    """Await, moving Home Assistant's clock on whenever nothing else is left to run."""
    task = asyncio.ensure_future(awaitable)
    for _ in range(40):
        done, _pending = await asyncio.wait({task}, timeout=0.05)
        if done:
            return task.result()
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    task.cancel()
    raise AssertionError("still waiting")


# --- Home Assistant hears the devices -----------------------------------------------------


async def test_home_assistant_hears_the_proxy(
    hass: HomeAssistant, proxy: SimulatedBleProxy, switchbot: Any
) -> None:
    bot = proxy.add_device(BleDevice(BOT, "WoHand"))
    meter = proxy.add_device(BleDevice(METER, "WoSensorTH", product="meter_plus"))
    lock = proxy.add_device(
        BleDevice(LOCK, "WoLockPro", key_id=KEY_ID, encryption_key=ENCRYPTION_KEY)
    )
    assert bluetooth.async_ble_device_from_address(hass, BOT, True) is None
    assert proxy.advertise_all() == 3

    for device in (bot, meter, lock):
        info = bluetooth.async_last_service_info(hass, device.address, True)
        assert info is not None
        assert info.source == proxy.source
        assert info.connectable is True  # heard through a proxy that connects
        assert bluetooth.async_ble_device_from_address(hass, device.address, True) is not None
        parsed = switchbot.parse_advertisement_data(info.device, info.advertisement)
        assert parsed.data["modelName"] == device.model
    assert bluetooth.async_scanner_count(hass, connectable=True) >= 1

    meter.set_state(temperature=-3.5, humidity=77)
    assert proxy.advertise(METER)
    info = bluetooth.async_last_service_info(hass, METER, True)
    parsed = switchbot.parse_advertisement_data(info.device, info.advertisement)
    assert parsed.data["data"]["temperature"] == pytest.approx(-3.5)
    assert parsed.data["data"]["humidity"] == 77

    meter.faults.out_of_range = True
    meter.set_state(humidity=10)
    assert proxy.advertise(METER) is False
    assert proxy.advertise_all() == 2
    info = bluetooth.async_last_service_info(hass, METER, True)
    parsed = switchbot.parse_advertisement_data(info.device, info.advertisement)
    assert parsed.data["data"]["humidity"] == 77  # Home Assistant keeps the last one heard


# --- PySwitchbot drives the simulated devices ---------------------------------------------


async def test_bot(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    bot = BleDevice(BOT, "WoHand", state={"switchMode": True})
    device = connect(switchbot.Switchbot, bot)
    await feed(hass, switchbot, device)

    assert await device.turn_on() is True
    assert bot.state["isOn"] is True
    assert device.is_on() is True
    assert await device.turn_off() is True
    assert bot.state["isOn"] is False
    assert await device.press() is True
    assert bot.state["isOn"] is True  # a press toggles a Bot in switch mode
    assert bot.commands == [
        ("turn_on",),
        ("get_basic_info",),  # PySwitchbot reads the settings after every command
        ("turn_off",),
        ("get_basic_info",),
        ("press",),
        ("get_basic_info",),
    ]
    assert device.parsed_data["switchMode"] is True
    assert device.parsed_data["firmware"] == 6.6
    assert proxy.peers[BOT].connections == 1  # one link, kept between commands

    bot.set_state(switchMode=False, isOn=False)
    assert await device.press() is True
    assert bot.state["isOn"] is False  # press mode has no on/off state


async def test_bot_password(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    bot = BleDevice(BOT, "WoHand", password="hunter2")
    assert await connect(switchbot.Switchbot, bot, password="hunter2").press() is True
    # A wrong password: the Bot answers 0x09 to the press and to the settings read that
    # follows; PySwitchbot 2.9.0 only recognises 0x07/0x00 there and fails indexing 0x09.
    with pytest.raises(IndexError):
        await connect(switchbot.Switchbot, bot, password="wrong").press()
    # No password: 0x07 (encrypted) to both, press() returns False.
    assert await connect(switchbot.Switchbot, bot).press() is False
    answers = [record.answer for record in bot.command_log if record.decoded == ("press",)]
    assert answers == [b"\x01", b"\x09", b"\x07"]  # OK, password error, encrypted


async def test_plug_mini(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    plug = BleDevice(PLUG, "WoPlug", internal={"load_watts": 61.5})
    device = connect(switchbot.SwitchbotPlugMini, plug)
    await feed(hass, switchbot, device)

    assert await device.turn_on() is True
    assert plug.state == {"isOn": True, "power": 61.5, "wifi_rssi": -50}
    # PySwitchbot 2.9.0 expects 0x80 in the answer to "off" as well; a real plug answers
    # 01 00, so turn_off() reports False although the plug is off.
    assert await device.turn_off() is False
    assert plug.state["isOn"] is False
    assert plug.state["power"] == 0.0
    assert device.is_on() is False
    assert plug.commands == [("turn_on",), ("turn_off",)]

    advertisement = await feed(hass, switchbot, device)
    assert advertisement.data["data"]["isOn"] is False


async def test_curtain(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    curtain = BleDevice(CURTAIN, "WoCurtain", state={"position": 100})
    device = connect(switchbot.SwitchbotCurtain, curtain)
    await feed(hass, switchbot, device)

    assert await device.set_position(50) is True
    assert curtain.state["position"] == 50
    assert curtain.commands[:2] == [("set_position", 50), ("set_position", 50, 255)]
    assert device.get_position() == 50  # from the basic info read after the command
    assert await device.close() is True
    assert curtain.state["position"] == 0
    assert await device.open() is True
    assert curtain.state["position"] == 100
    assert await device.stop() is True
    assert ("stop",) in curtain.commands
    info = await device.get_basic_info()
    assert info["battery"] == 100
    assert info["calibration"] is True


async def test_blind_tilt(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    blind = BleDevice(BLIND, "WoBlindTilt")
    device = connect(switchbot.SwitchbotBlindTilt, blind)
    await feed(hass, switchbot, device)

    assert await device.set_position(30) is True
    assert blind.state["tilt"] == 30
    assert await device.close_up() is True
    assert blind.state["tilt"] == 100
    assert await device.open() is True
    assert blind.state["tilt"] == 50
    assert await device.close_down() is True
    assert blind.state["tilt"] == 0
    assert device.get_position() == 0
    await settle(hass)


@pytest.mark.parametrize(
    ("model", "mode"),
    [("WoLock", "ctr"), ("WoLockPro", "ctr"), ("Lock Lite", "ctr"), ("WoLockPro", "gcm")],
)
async def test_lock(
    hass: HomeAssistant,
    proxy: SimulatedBleProxy,
    connect: Any,
    switchbot: Any,
    model: str,
    mode: Any,
) -> None:
    lock = BleDevice(
        LOCK,
        model,
        key_id=KEY_ID,
        encryption_key=ENCRYPTION_KEY,
        encryption_mode=mode,
    )
    device = connect(switchbot.SwitchbotLock, lock, KEY_ID, ENCRYPTION_KEY, model=model)
    await feed(hass, switchbot, device)
    assert device.get_lock_status() == switchbot.LockStatus.LOCKED

    assert await device.unlock() is True
    assert lock.state["status"] == LockState.UNLOCKED
    # The lock reports its new status in an encrypted notification.
    assert device.get_lock_status() == switchbot.LockStatus.UNLOCKED
    assert await device.lock() is True
    assert lock.state["status"] == LockState.LOCKED
    assert device.get_lock_status() == switchbot.LockStatus.LOCKED
    assert await device.lock() is True  # already locked: PySwitchbot sends nothing
    assert [c for c in lock.commands if c[0] in ("lock", "unlock")] == [("unlock",), ("lock",)]
    assert lock.commands == [
        # The first advertisement's sequence number makes PySwitchbot read the lock.
        ("get_encryption_iv", KEY_ID),
        ("get_lock_info",),
        ("get_basic_info",),
        ("enable_notifications",),
        ("unlock",),
        ("get_basic_info",),
        ("enable_notifications",),
        ("lock",),
        ("get_basic_info",),
    ]
    assert all(record.encrypted for record in lock.command_log if record.decoded[0] == "lock")
    assert await switchbot.SwitchbotLock.verify_encryption_key(
        device._device, KEY_ID, ENCRYPTION_KEY, model=model
    )
    await settle(hass)


async def test_lock_night_latch(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    lock = BleDevice(
        LOCK, "WoLock", key_id=KEY_ID, encryption_key=ENCRYPTION_KEY, state={"night_latch": True}
    )
    device = connect(switchbot.SwitchbotLock, lock, KEY_ID, ENCRYPTION_KEY)
    await feed(hass, switchbot, device)
    assert device.is_night_latch_enabled() is True
    assert await device.unlock_without_unlatch() is True
    assert lock.state["status"] == LockState.NOT_FULLY_LOCKED
    assert ("unlock_without_unlatch",) in lock.commands


async def test_lock_wrong_key(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    lock = BleDevice(LOCK, "WoLockPro", key_id=KEY_ID, encryption_key=ENCRYPTION_KEY)
    model = switchbot.SwitchbotModel.LOCK_PRO
    good = connect(switchbot.SwitchbotLock, lock, KEY_ID, ENCRYPTION_KEY, model=model)
    ble_device = good._device
    verify = switchbot.SwitchbotLock.verify_encryption_key

    # A wrong key: the key exchange works, every encrypted command is answered 0x09.
    assert await verify(ble_device, KEY_ID, WRONG_KEY, model=model) is False
    # verify_encryption_key's own device object keeps its link (and a proxy connection
    # slot) for 8.5 s; drop it from the device side.
    assert await proxy.async_disconnect() == 1
    wrong = connect(switchbot.SwitchbotLock, lock, KEY_ID, WRONG_KEY, model=model)
    await feed(hass, switchbot, wrong)
    assert await wrong.unlock() is False
    assert lock.state["status"] == LockState.LOCKED
    assert ("unlock",) not in lock.commands
    assert lock.command_log[-1].answer == b"\x09"

    # A wrong key id: the IV request is refused and PySwitchbot raises.
    assert await verify(ble_device, "ff", ENCRYPTION_KEY, model=model) is False
    await proxy.async_disconnect()
    wrong_id = connect(switchbot.SwitchbotLock, lock, "ff", ENCRYPTION_KEY, model=model)
    await feed(hass, switchbot, wrong_id)
    with pytest.raises(switchbot.SwitchbotOperationError):
        await wrong_id.unlock()

    # The device re-keyed (fault): the right key fails the same way as a wrong one.
    lock.faults.wrong_key = True
    await feed(hass, switchbot, good)
    assert await good.unlock() is False
    lock.faults.wrong_key = False
    assert await good.unlock() is True
    assert lock.state["status"] == LockState.UNLOCKED
    await settle(hass)


async def test_color_bulb(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    bulb = BleDevice(BULB, "WoBulb")
    device = connect(switchbot.SwitchbotBulb, bulb)
    await feed(hass, switchbot, device)

    assert await device.turn_on() is True
    assert bulb.state["isOn"] is True
    assert await device.set_rgb(80, 255, 10, 0) is True
    assert (bulb.state["brightness"], bulb.state["color_mode"]) == (80, 2)
    assert (bulb.internal["r"], bulb.internal["g"], bulb.internal["b"]) == (255, 10, 0)
    assert device.rgb == (255, 10, 0)
    assert await device.set_color_temp(40, 3000) is True
    assert bulb.internal["cw"] == 3000
    assert device.color_temp == 3000
    assert await device.set_brightness(25) is True
    assert bulb.state["brightness"] == 25
    assert await device.turn_off() is True
    assert bulb.state["isOn"] is False
    assert ("set_rgb", 80, 255, 10, 0) in bulb.commands
    await feed(hass, switchbot, device)
    assert device.color_mode == switchbot.ColorMode.COLOR_TEMP


async def test_light_strip(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    strip = BleDevice(STRIP, "WoStrip")
    device = connect(switchbot.SwitchbotLightStrip, strip)
    await feed(hass, switchbot, device)

    assert await device.set_rgb(60, 0, 0, 255) is True
    assert strip.state["isOn"] is True
    assert device.rgb == (0, 0, 255)
    assert await device.set_effect("Christmas") is True
    assert strip.state["color_mode"] == 3
    assert await device.turn_off() is True
    assert strip.state["isOn"] is False


async def test_ceiling_light(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    ceiling = BleDevice(CEILING, "WoCeiling")
    device = connect(switchbot.SwitchbotCeilingLight, ceiling)
    await feed(hass, switchbot, device)

    assert await device.turn_on() is True
    assert ceiling.state["isOn"] is True
    assert await device.set_color_temp(70, 3500) is True
    assert (ceiling.state["brightness"], ceiling.state["cw"]) == (70, 3500)
    assert await device.set_night_light(True) is True
    assert ceiling.internal["night_light"] is True
    assert device.is_night_light_on() is True
    assert await device.turn_off() is True
    assert ceiling.state["isOn"] is False


async def test_humidifier(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    humidifier = BleDevice(HUMIDIFIER, "WoHumi")
    device = connect(switchbot.SwitchbotHumidifier, humidifier)
    await feed(hass, switchbot, device)

    # PySwitchbot 2.9.0's humidifier methods return None even when the device said OK.
    assert await device.turn_on() is None
    assert humidifier.state == {"isOn": True, "level": 128}
    await device.set_level(66)
    assert humidifier.state["level"] == 66
    assert device.get_target_humidity() == 66
    await device.turn_off()
    assert humidifier.state["isOn"] is False
    assert humidifier.commands == [("turn_on", 128), ("turn_on", 66), ("turn_off", 66)]


async def test_relay_switch_1pm(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    relay = BleDevice(
        RELAY,
        "Relay Switch 1PM",
        key_id=KEY_ID,
        encryption_key=ENCRYPTION_KEY,
        internal={"load_watts": 1500.0, "voltage": 100.0, "energy": 2.5},
    )
    device = connect(switchbot.SwitchbotRelaySwitch, relay, KEY_ID, ENCRYPTION_KEY)
    await feed(hass, switchbot, device)

    assert await device.turn_on() is True
    assert relay.state["isOn"] is True
    assert relay.state["power"] == 1500.0
    data = device.parsed_data
    assert data["isOn"] is True
    assert data["power"] == 1500.0
    assert data["voltage"] == 100
    assert data["current"] == 15.0
    assert data["energy"] == 2.5
    assert await device.turn_off() is True
    assert relay.state == {"isOn": False, "power": 0.0, "sequence_number": 3}
    assert await device.async_toggle() is True
    assert relay.state["isOn"] is True
    assert [c for c in relay.commands if c[0] in ("turn_on", "turn_off", "toggle")] == [
        ("turn_on",),
        ("turn_off",),
        ("toggle",),
    ]
    assert await switchbot.SwitchbotRelaySwitch.verify_encryption_key(
        device._device, KEY_ID, ENCRYPTION_KEY, model=switchbot.SwitchbotModel.RELAY_SWITCH_1PM
    )
    await settle(hass)


async def test_relay_switch_1_and_2pm(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    single = BleDevice(RELAY, "Relay Switch 1", key_id=KEY_ID, encryption_key=ENCRYPTION_KEY)
    device = connect(
        switchbot.SwitchbotRelaySwitch,
        single,
        KEY_ID,
        ENCRYPTION_KEY,
        model=switchbot.SwitchbotModel.RELAY_SWITCH_1,
    )
    assert await device.turn_on() is True
    assert single.state["isOn"] is True

    double = BleDevice(
        GARAGE,
        "Relay Switch 2PM",
        key_id=KEY_ID,
        encryption_key=ENCRYPTION_KEY,
        internal={"load_watts": 10.0, "channel2_load_watts": 20.0},
    )
    device2 = connect(switchbot.SwitchbotRelaySwitch2PM, double, KEY_ID, ENCRYPTION_KEY)
    await feed(hass, switchbot, device2)
    assert await device2.turn_on(2) is True
    assert (double.state["isOn"], double.state["channel2_isOn"]) == (False, True)
    assert double.state["channel2_power"] == 20.0
    assert await device2.turn_on(1) is True
    assert await device2.turn_off(2) is True
    assert (double.state["isOn"], double.state["channel2_isOn"]) == (True, False)
    assert device2.is_on(1) is True
    assert ("turn_on", 2) in double.commands
    await settle(hass)


async def test_garage_door_opener(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    garage = BleDevice(GARAGE, "Garage Door Opener", key_id=KEY_ID, encryption_key=ENCRYPTION_KEY)
    device = connect(switchbot.SwitchbotGarageDoorOpener, garage, KEY_ID, ENCRYPTION_KEY)
    await feed(hass, switchbot, device)
    assert await device.open() is True
    assert garage.state["door_open"] is True
    assert device.door_open() is True
    assert await device.press() is True
    assert garage.state["door_open"] is False
    await settle(hass)


async def test_meter_pro_clock(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    meter = BleDevice(METER_PRO, "WoTHPc")
    device = connect(switchbot.SwitchbotMeterProCO2, meter)
    await device.set_time_offset(-4096)
    assert meter.internal["time_offset"] == -4096
    assert await device.get_time_offset() == -4096
    await device.set_time_display_format(is_12h_mode=True)
    shown = await device.get_datetime()
    assert shown["12h_mode"] is True
    assert shown["year"] >= 2026
    await device.set_datetime(1_800_000_000, utc_offset_hours=9)
    assert meter.commands[-1] == ("set_datetime", 1_800_000_000, 9, 0)


# --- faults -----------------------------------------------------------------------------------


async def test_out_of_range_and_sensors_cannot_be_connected(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    from bleak_retry_connector import BleakNotFoundError

    bot = BleDevice(BOT, "WoHand")
    device = connect(switchbot.Switchbot, bot)
    bot.faults.out_of_range = True
    assert proxy.advertise(BOT) is False
    with pytest.raises(BleakNotFoundError):
        await with_clock(hass, device.press(), seconds=1)  # 4 attempts, backing off
    assert bot.commands == []
    bot.faults.out_of_range = False
    assert await device.press() is True

    # A Meter only advertises: connecting to it times out the same way.
    meter = connect(switchbot.SwitchbotMeterPro, BleDevice(METER, "WoSensorTH"))
    with pytest.raises(BleakNotFoundError):
        await with_clock(hass, meter.get_time_offset(), seconds=1)


async def test_link_drops_after_the_write(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    bot = BleDevice(BOT, "WoHand")
    device = connect(switchbot.Switchbot, bot)
    bot.faults.drop_connection = 1
    # The Bot pressed but never answered: PySwitchbot waits 5 s for the answer, reconnects
    # and sends the command again, so the Bot presses twice.
    assert await with_clock(hass, device.press()) is True
    assert bot.commands == [("press",), ("press",), ("get_basic_info",)]
    assert [record.answer for record in bot.command_log[:2]] == [None, b"\x01"]
    assert proxy.peers[BOT].connections == 2

    lock = BleDevice(
        LOCK,
        "WoLockPro",
        key_id=KEY_ID,
        encryption_key=ENCRYPTION_KEY,
        state={"status": LockState.UNLOCKED},
    )
    model = switchbot.SwitchbotModel.LOCK_PRO
    lock_device = connect(switchbot.SwitchbotLock, lock, KEY_ID, ENCRYPTION_KEY, model=model)
    await feed(hass, switchbot, lock_device)
    lock.clear_log()
    lock.faults.drop_on = "lock"
    # The lock locks but the answer is lost. PySwitchbot resends the frame it had encrypted
    # with the IV of the lost link on a new link, without a new key exchange: the lock
    # rejects it (0x09), so lock() returns False although the door is locked.
    assert await with_clock(hass, lock_device.lock()) is False
    assert lock.state["status"] == LockState.LOCKED
    assert [c[0] for c in lock.commands] == [
        "enable_notifications",
        "lock",
        "no_session",
        "get_encryption_iv",
        "get_basic_info",
    ]
    assert lock.command_log[1].answer is None
    assert lock.command_log[2].answer == b"\x09"
    assert lock_device.get_lock_status() == switchbot.LockStatus.UNLOCKED  # never told
    await settle(hass)


async def test_slow_answers(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    bot = BleDevice(BOT, "WoHand")
    device = connect(switchbot.Switchbot, bot, retry_count=0)
    bot.faults.response_delay = 0.2
    assert await device.press() is True

    bot.faults.response_delay = 30.0  # longer than PySwitchbot's 5 s
    with pytest.raises(TimeoutError):
        await with_clock(hass, device.press())
    assert not proxy.connected(BOT)  # PySwitchbot dropped the link after the timeout


async def test_unknown_commands_answer_unsupported(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    bot = BleDevice(BOT, "WoHand")
    # Curtain commands to a Bot: answered 0x05 (command not supported).
    assert await connect(switchbot.SwitchbotCurtain, bot).set_position(10) is False
    assert bot.commands[0][0] == "unknown"
    assert bot.command_log[0].answer == b"\x05"
    # A Plug Mini expects 2 answer bytes; a 1-byte error makes PySwitchbot raise.
    with pytest.raises(switchbot.SwitchbotOperationError):
        await connect(switchbot.SwitchbotPlugMini, bot).turn_on()
    assert proxy.connected(BOT)  # the device answered, it did not drop the link


async def test_device_side_disconnect(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    bot = BleDevice(BOT, "WoHand")
    device = connect(switchbot.Switchbot, bot)
    assert await device.press() is True
    assert proxy.connected(BOT)
    assert device._disconnect_timer is not None
    assert await proxy.async_disconnect(BOT) == 1
    assert not proxy.connected(BOT)
    assert device._disconnect_timer is None  # PySwitchbot cancelled it on the callback
    assert await device.press() is True  # and reconnects for the next command
    assert proxy.peers[BOT].connections == 2


async def test_state_changes_are_advertised(
    hass: HomeAssistant, proxy: SimulatedBleProxy, connect: Any, switchbot: Any
) -> None:
    plug = BleDevice(PLUG, "WoPlug")
    device = connect(switchbot.SwitchbotPlugMini, plug)
    sent = proxy.advertisements_sent
    assert await device.turn_on() is True
    await hass.async_block_till_done()
    assert proxy.advertisements_sent == sent + 1
    info = bluetooth.async_last_service_info(hass, PLUG, True)
    parsed = switchbot.parse_advertisement_data(info.device, info.advertisement)
    assert plain(parsed.data["data"]["isOn"]) is True
