"""SwitchBot devices of the account that are also in Bluetooth range: one device, local first.

The cloud is the simulator; Bluetooth is the simulated proxy of `roomsense_simulator.ble`,
which Home Assistant's own Bluetooth stack sees as an ESPHome-like proxy and which PySwitchbot
reaches unpatched. A Bot, a Meter, a Lock Pro and a Plug Mini are in range.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.components.lock import SERVICE_LOCK
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.roomsense.const import DOMAIN
from roomsense_simulator import Simulator
from roomsense_simulator.ble import BleDevice, LockState, SimulatedBleProxy

from ..conftest import SimulatorAdmin, home_with, listen_into
from ..simulator.test_ble_support import ENCRYPTION_KEY, KEY_ID, import_switchbot
from .conftest import entity_id, while_time_passes

# Not 00:00:00:00:00:0N: the test plugin's mock Bluetooth adapter is 00:00:00:00:00:01.
BOT, METER, LOCK, PLUG = (f"C0FFEE00000{n}" for n in range(1, 5))
HUB = "AA0000000000"


def address(device_id: str) -> str:
    return ":".join(device_id[i : i + 2] for i in range(0, 12, 2))


@pytest.fixture
def home() -> dict[str, Any]:
    home = home_with("Bot", "Meter", "Smart Lock Pro", "Plug Mini (JP)")
    for device, device_id in zip(home["devices"][1:], (BOT, METER, LOCK, PLUG), strict=True):
        device["deviceId"] = device_id
    return home


@pytest.fixture
def config_entry(config_entry: MockConfigEntry) -> MockConfigEntry:
    """The account's entry, with the Lock Pro's key (as the options flow saves it)."""
    return MockConfigEntry(
        domain=config_entry.domain,
        title=config_entry.title,
        unique_id=config_entry.unique_id,
        data=config_entry.data,
        options={"bluetooth_keys": {LOCK: {"key_id": KEY_ID, "encryption_key": ENCRYPTION_KEY}}},
    )


@pytest.fixture
async def radio(hass: HomeAssistant, enable_bluetooth: None) -> AsyncIterator[SimulatedBleProxy]:
    """The four devices heard through a simulated Bluetooth proxy, before RoomSense starts."""
    import_switchbot()
    proxy = SimulatedBleProxy(
        hass,
        [
            BleDevice(address(BOT), "WoHand", state={"switchMode": False, "battery": 90}),
            BleDevice(address(METER), "WoSensorTH", state={"temperature": 21.5, "humidity": 45}),
            BleDevice(
                address(LOCK), "WoLockPro", key_id=KEY_ID, encryption_key=ENCRYPTION_KEY,
                state={"status": LockState.UNLOCKED},
            ),
            BleDevice(address(PLUG), "WoPlug", state={"isOn": False}),
        ],
    )  # fmt: skip
    unregister = proxy.async_start()
    proxy.advertise_all()
    yield proxy
    await proxy.async_disconnect()
    unregister()
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.fixture
async def entry(
    hass: HomeAssistant, radio: SimulatedBleProxy, setup_entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    yield setup_entry
    # Close PySwitchbot's connections before the proxy goes.
    await hass.config_entries.async_unload(setup_entry.entry_id)


def local_commands(radio: SimulatedBleProxy, device_id: str) -> list[tuple[Any, ...]]:
    """What the device was told over Bluetooth (status reads and set-up steps left out)."""
    return [
        command for command in radio[address(device_id)].commands
        if not command[0].startswith("get_") and command[0] != "enable_notifications"
    ]  # fmt: skip


async def cloud_commands(sim_admin: SimulatorAdmin, device_id: str) -> list[str]:
    calls = await sim_admin.api_calls(f"/devices/{device_id}/commands")
    return [call["body"]["command"] for call in calls]


async def status_reads(sim_admin: SimulatorAdmin, device_id: str) -> int:
    return len(await sim_admin.api_calls(f"/devices/{device_id}/status"))


async def test_one_home_assistant_device_per_physical_device(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    registry = dr.async_get(hass)
    for device_id in (BOT, METER, LOCK, PLUG):
        device = registry.async_get_device_by_identifier((DOMAIN, device_id), entry.entry_id)
        assert device is not None
        assert (dr.CONNECTION_BLUETOOTH, address(device_id)) in device.connections
        # Found by its Bluetooth address too: the same device, and no other anywhere.
        connection = (dr.CONNECTION_BLUETOOTH, address(device_id))
        assert [found.id for found in registry.async_get_devices(connections={connection})] == [
            device.id
        ]
    # The hub, the four devices and the account itself: nothing twice.
    assert len(dr.async_entries_for_config_entry(registry, entry.entry_id)) == 6


async def test_an_advertisement_updates_the_entity_without_a_cloud_call(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    sim_admin: SimulatorAdmin,
) -> None:  # fmt: skip
    temperature = entity_id(hass, "sensor", f"{METER}_temperature")
    reads = await status_reads(sim_admin, METER)
    radio[address(METER)].set_state(temperature=27.3)
    radio.advertise(address(METER))
    await hass.async_block_till_done()
    assert hass.states.get(temperature).state == "27.3"
    assert await status_reads(sim_admin, METER) == reads


async def test_a_device_heard_over_bluetooth_is_not_polled_over_the_cloud(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    sim_admin: SimulatorAdmin,
) -> None:  # fmt: skip
    meter_reads = await status_reads(sim_admin, METER)
    hub_reads = await status_reads(sim_admin, HUB)
    plug_reads = await status_reads(sim_admin, PLUG)
    radio.advertise_all()
    # The reads fall due now (the schedule is the coordinator's own); the next tick runs them.
    plan = entry.runtime_data.coordinator._plan
    plan.next_poll.update({METER: 0.0, HUB: 0.0, PLUG: 0.0})
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=20))
    await hass.async_block_till_done()
    # The hub (never heard over Bluetooth) is read; the meter's advertisements stand in. The
    # plug is heard too, but its voltage and current only come from the cloud: still read.
    assert await status_reads(sim_admin, HUB) == hub_reads + 1
    assert await status_reads(sim_admin, PLUG) == plug_reads + 1
    assert await status_reads(sim_admin, METER) == meter_reads
    assert plan.next_poll[METER] > 0


async def test_a_bot_press_goes_over_bluetooth(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    sim_admin: SimulatorAdmin,
) -> None:  # fmt: skip
    events = []
    listen_into(hass, "roomsense_audit", events)
    button = entity_id(hass, "button", f"{BOT}_press")
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: button}, blocking=True
    )
    assert local_commands(radio, BOT) == [("press",)]
    assert await cloud_commands(sim_admin, BOT) == []
    assert events[-1].data["path"] == "bluetooth"
    assert hass.states.get(button).attributes["last_command_path"] == "bluetooth"


async def test_the_lock_locks_over_bluetooth_with_its_key(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    sim_admin: SimulatorAdmin,
) -> None:  # fmt: skip
    lock = entity_id(hass, "lock", f"{LOCK}_lock")
    await hass.services.async_call(LOCK_DOMAIN, SERVICE_LOCK, {ATTR_ENTITY_ID: lock}, blocking=True)
    assert local_commands(radio, LOCK) == [("lock",)]
    assert radio[address(LOCK)].state["status"] == LockState.LOCKED
    assert await cloud_commands(sim_admin, LOCK) == []
    radio.advertise(address(LOCK))
    await hass.async_block_till_done()
    assert hass.states.get(lock).state == "locked"


async def test_without_the_internet_the_home_still_works_locally(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    simulator: Simulator,
) -> None:  # fmt: skip
    await simulator.stop()
    button = entity_id(hass, "button", f"{BOT}_press")
    lock = entity_id(hass, "lock", f"{LOCK}_lock")
    temperature = entity_id(hass, "sensor", f"{METER}_temperature")
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: button}, blocking=True
    )
    await hass.services.async_call(LOCK_DOMAIN, SERVICE_LOCK, {ATTR_ENTITY_ID: lock}, blocking=True)
    radio[address(METER)].set_state(temperature=19.0)
    radio.advertise_all()
    # An hour of failed cloud polls later, what is heard locally is still fresh.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=1))
    await hass.async_block_till_done()
    assert local_commands(radio, BOT) == [("press",)]
    assert radio[address(LOCK)].state["status"] == LockState.LOCKED
    assert hass.states.get(temperature).state == "19.0"
    assert hass.states.get(lock).state == "locked"
    assert "stale" not in hass.states.get(temperature).attributes


async def test_out_of_range_goes_over_the_cloud(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    sim_admin: SimulatorAdmin,
) -> None:  # fmt: skip
    radio[address(PLUG)].faults.out_of_range = True
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: plug}, blocking=True
    )
    assert await cloud_commands(sim_admin, PLUG) == ["turnOn"]
    assert local_commands(radio, PLUG) == []
    assert hass.states.get(plug).attributes["last_command_path"] == "cloud"


async def test_a_dropped_idempotent_command_is_tried_once_over_the_cloud(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    sim_admin: SimulatorAdmin,
) -> None:  # fmt: skip
    radio[address(PLUG)].faults.drop_connection = 1
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    await while_time_passes(
        hass,
        hass.services.async_call(
            SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: plug}, blocking=True
        ),
        seconds=5,
    )
    # Turning on twice is turning on: the cloud was asked once after Bluetooth failed.
    assert await cloud_commands(sim_admin, PLUG) == ["turnOn"]


async def test_a_dropped_press_is_never_repeated(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    sim_admin: SimulatorAdmin,
) -> None:  # fmt: skip
    radio[address(BOT)].faults.drop_connection = 1
    button = entity_id(hass, "button", f"{BOT}_press")
    with pytest.raises(HomeAssistantError) as raised:
        await while_time_passes(
            hass,
            hass.services.async_call(
                BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: button}, blocking=True
            ),
            seconds=5,
        )
    assert raised.value.translation_key == "command_not_repeated"
    # The Bot got it once over Bluetooth; nobody pressed again, locally or through the cloud.
    assert local_commands(radio, BOT) == [("press",)]
    assert await cloud_commands(sim_admin, BOT) == []


async def test_no_cloud_and_no_bluetooth_queues_what_may_wait(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    simulator: Simulator,
) -> None:  # fmt: skip
    await simulator.stop()
    radio[address(PLUG)].faults.out_of_range = True
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    await while_time_passes(
        hass,
        hass.services.async_call(
            SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: plug}, blocking=True
        ),
        seconds=1,
    )
    queue = entry.runtime_data.coordinator.command_queue
    assert queue is not None
    assert [item.command for item in queue.pending] == ["turnOff"]


async def test_the_service_answer_and_the_audit_log_say_bluetooth(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy
) -> None:
    answer = await hass.services.async_call(
        DOMAIN,
        "send_command",
        {"device_id": PLUG, "command": "turnOn"},
        blocking=True,
        return_response=True,
    )
    assert answer is not None
    assert (answer["outcome"], answer["path"]) == ("sent", "bluetooth")
    assert local_commands(radio, PLUG) == [("turn_on",)]
    log = await hass.services.async_call(
        DOMAIN, "get_audit_log", {}, blocking=True, return_response=True
    )
    assert log is not None
    newest = log["records"][0]
    assert (newest["command"], newest["path"]) == ("turnOn", "bluetooth")


async def test_one_command_after_another_goes_over_bluetooth(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    sim_admin: SimulatorAdmin,
) -> None:  # fmt: skip
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    for service in (SERVICE_TURN_ON, SERVICE_TURN_OFF, SERVICE_TURN_ON):
        await hass.services.async_call(
            SWITCH_DOMAIN, service, {ATTR_ENTITY_ID: plug}, blocking=True
        )
    assert local_commands(radio, PLUG) == [("turn_on",), ("turn_off",), ("turn_on",)]
    assert await cloud_commands(sim_admin, PLUG) == []
    assert radio[address(PLUG)].state["isOn"] is True


async def test_a_restart_without_the_internet_starts_from_what_the_account_last_said(
    hass: HomeAssistant, entry: MockConfigEntry, radio: SimulatedBleProxy,
    simulator: Simulator,
) -> None:  # fmt: skip
    # Home Assistant restarts while the internet is down.
    await hass.config_entries.async_unload(entry.entry_id)
    port = int(simulator.base_url.rsplit(":", 1)[1])
    await simulator.stop()
    assert await while_time_passes(hass, hass.config_entries.async_setup(entry.entry_id), seconds=1)
    await hass.async_block_till_done()
    assert entry.runtime_data.coordinator.cloud_error is not None
    button = entity_id(hass, "button", f"{BOT}_press")
    lock = entity_id(hass, "lock", f"{LOCK}_lock")
    temperature = entity_id(hass, "sensor", f"{METER}_temperature")
    # What is in Bluetooth range works at once.
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: button}, blocking=True
    )
    await hass.services.async_call(LOCK_DOMAIN, SERVICE_LOCK, {ATTR_ENTITY_ID: lock}, blocking=True)
    radio[address(METER)].set_state(temperature=23.9)
    radio.advertise_all()
    await hass.async_block_till_done()
    assert local_commands(radio, BOT) == [("press",)]
    assert radio[address(LOCK)].state["status"] == LockState.LOCKED
    assert hass.states.get(temperature).state == "23.9"
    assert hass.states.get(lock).state == "locked"
    # The cloud comes back: the next read succeeds and the account is read afresh.
    await simulator.start(port=port)
    coordinator = entry.runtime_data.coordinator
    coordinator._plan.next_poll[HUB] = 0.0
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=20))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.runtime_data.coordinator is not coordinator
    assert entry.runtime_data.coordinator.cloud_error is None


async def test_a_first_start_without_the_internet_waits_for_the_cloud(
    hass: HomeAssistant, radio: SimulatedBleProxy, config_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:  # fmt: skip
    # Nothing was ever read from the account: there is nothing to start from.
    await simulator.stop()
    config_entry.add_to_hass(hass)
    assert not await while_time_passes(
        hass, hass.config_entries.async_setup(config_entry.entry_id), seconds=1
    )
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
