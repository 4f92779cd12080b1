"""Devices added to or removed from the SwitchBot account while the entry is loaded.

The account's device list is read again every `DEVICE_LIST_INTERVAL` (one cloud call); a
new device's status is read once (one call), as at setup.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.polling import (
    DEVICE_LIST_INTERVAL,
    DEVICE_LIST_READS_PER_DAY,
    SAFETY_POLL_INTERVAL,
    UNKNOWN_DEVICE_COOLDOWN,
)
from roomsense_simulator import Home, Simulator

from ..conftest import SimulatorAdmin, commands_sent, home_with, registry_device
from .conftest import entity_id, roomsense_service

HUB, PLUG, METER = "AA0000000000", "000000000001", "000000000002"
NEW_PLUG = "0000000000A1"
NEW_TV = "01-202401010000-00000042"
HOUR = DEVICE_LIST_INTERVAL.total_seconds()


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with("Plug", "Meter")


def add_to_account(simulator: Simulator) -> None:
    """The user adds a Plug Mini and an infrared TV remote in the SwitchBot app."""
    added = Home.from_definition(
        {
            "devices": [
                {"deviceId": HUB, "deviceName": "Hub", "deviceType": "Hub 2"},
                {
                    "deviceId": NEW_PLUG,
                    "deviceName": "Kettle plug",
                    "deviceType": "Plug Mini (JP)",
                    "hubDeviceId": HUB,
                    "status": {"power": "on"},
                },
            ],
            "infraredRemotes": [
                {
                    "deviceId": NEW_TV,
                    "deviceName": "Bedroom TV",
                    "remoteType": "TV",
                    "hubDeviceId": HUB,
                }
            ],
        }
    )
    simulator.state.devices[NEW_PLUG] = added.devices[NEW_PLUG]
    simulator.state.remotes[NEW_TV] = added.remotes[NEW_TV]


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def list_reads(simulator: Simulator, since: int) -> int:
    return sum(1 for call in simulator.calls[since:] if call["path"] == "/v1.1/devices")


def status_reads(simulator: Simulator, since: int, device_id: str) -> int:
    path = f"/v1.1/devices/{device_id}/status"
    return sum(1 for call in simulator.calls[since:] if call["path"] == path)


def entities_of(hass: HomeAssistant, device: dr.DeviceEntry) -> list[er.RegistryEntry]:
    return er.async_entries_for_device(er.async_get(hass), device.id)


def live_unique_ids(hass: HomeAssistant, *devices: dr.DeviceEntry) -> set[str]:
    """The devices' entities that an entity object stands behind now (not restored ones)."""
    return {
        entry.unique_id
        for device in devices
        for entry in entities_of(hass, device)
        if (state := hass.states.get(entry.entity_id)) is not None
        and not state.attributes.get("restored")
    }


async def test_a_device_added_to_the_account_joins_within_the_hour(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    sim_admin: SimulatorAdmin,
    freezer: FrozenDateTimeFactory,
) -> None:
    add_to_account(simulator)
    start = len(simulator.calls)
    await advance(hass, freezer, HOUR - 60)
    assert registry_device(hass, (DOMAIN, NEW_PLUG)) is None  # not before the hour

    await advance(hass, freezer, 60)
    # One read of the list, and one of the new device's status; the remote has none.
    assert list_reads(simulator, start) == 1
    assert status_reads(simulator, start, NEW_PLUG) == 1
    assert status_reads(simulator, start, NEW_TV) == 0

    hub = registry_device(hass, (DOMAIN, HUB))
    plug = registry_device(hass, (DOMAIN, NEW_PLUG))
    tv = registry_device(hass, (DOMAIN, NEW_TV))
    assert plug is not None
    assert tv is not None
    assert hub is not None
    assert (plug.name, plug.model, plug.via_device_id) == ("Kettle plug", "Plug Mini (JP)", hub.id)
    assert (tv.name, tv.via_device_id) == ("Bedroom TV", hub.id)
    # Every platform made the entities it makes at setup, each with a state.
    platforms = {entry.domain for entry in entities_of(hass, plug)}
    assert {"switch", "sensor"} <= platforms
    assert "remote" in {entry.domain for entry in entities_of(hass, tv)}
    for entry in [*entities_of(hass, plug), *entities_of(hass, tv)]:
        state = hass.states.get(entry.entity_id)
        assert state is not None, entry.entity_id
        assert state.state != STATE_UNAVAILABLE, entry.entity_id
    switch = entity_id(hass, "switch", f"{NEW_PLUG}_plug")
    assert hass.states.get(switch).state == STATE_ON

    # Commands reach it, through the entity and through RoomSense's own actions.
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    assert await commands_sent(sim_admin, NEW_PLUG, "command") == ["turnOff"]
    assert hass.states.get(switch).state == STATE_OFF
    listed = await roomsense_service(hass, "get_devices")
    assert {NEW_PLUG, NEW_TV} <= {device["device_id"] for device in listed["devices"]}

    # Exactly the entities a reload would have made.
    joined = live_unique_ids(hass, plug, tv)
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert live_unique_ids(hass, plug, tv) == joined

    # It is polled like the others from now on: a Plug Mini pushes, so a safety poll.
    start = len(simulator.calls)
    for _ in range(int(SAFETY_POLL_INTERVAL // HOUR)):
        await advance(hass, freezer, HOUR)
    assert status_reads(simulator, start, NEW_PLUG) == 1


async def test_a_device_removed_from_the_account_leaves_with_its_entities(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    meter = registry_device(hass, (DOMAIN, METER))
    assert meter is not None
    meter_entities = [entry.entity_id for entry in entities_of(hass, meter)]
    assert meter_entities
    assert all(hass.states.get(entity) is not None for entity in meter_entities)

    simulator.state.devices.pop(METER)
    start = len(simulator.calls)
    await advance(hass, freezer, HOUR)
    assert list_reads(simulator, start) == 1
    assert registry_device(hass, (DOMAIN, METER)) is None
    assert registry_device(hass, (DOMAIN, PLUG)) is not None
    registry = er.async_get(hass)
    for entity in meter_entities:
        assert hass.states.get(entity) is None
        assert registry.async_get(entity) is None
    coordinator = setup_entry.runtime_data.coordinator
    assert METER not in coordinator.devices
    assert METER not in coordinator.data
    assert METER not in {device.device_id for device in setup_entry.runtime_data.all_devices()}

    # Never read again, even at its safety poll.
    start = len(simulator.calls)
    for _ in range(int(SAFETY_POLL_INTERVAL // HOUR) + 1):
        await advance(hass, freezer, HOUR)
    assert status_reads(simulator, start, METER) == 0


async def test_an_unchanged_account_costs_one_call_an_hour(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    start = len(simulator.calls)
    for _ in range(24):
        await advance(hass, freezer, HOUR)
    assert list_reads(simulator, start) == DEVICE_LIST_READS_PER_DAY == 24
    # Nothing joined: no status read beyond the polls of the devices already known.
    assert {
        call["path"].split("/")[3]
        for call in simulator.calls[start:]
        if call["path"].endswith("/status")
    } <= {PLUG, METER, HUB}

    # With today's quota spent, the list waits for the next day. (First to 01:00 UTC, so the
    # hour below stays within the cloud's day whenever the test runs.)
    now = dt_util.utcnow()
    one_am = (now + timedelta(days=1)).replace(hour=1, minute=0, second=0, microsecond=0)
    await advance(hass, freezer, (one_am - now).total_seconds())
    setup_entry.runtime_data.client.counter.mark_exhausted()
    start = len(simulator.calls)
    await advance(hass, freezer, HOUR)
    assert list_reads(simulator, start) == 0

    # Unloaded, the entry reads nothing more.
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    start = len(simulator.calls)
    await advance(hass, freezer, 2 * HOUR)
    assert list_reads(simulator, start) == 0


async def test_a_push_from_an_unknown_device_reads_the_list_sooner(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    coordinator = setup_entry.runtime_data.coordinator
    add_to_account(simulator)
    start = len(simulator.calls)
    # Right after the set-up read the list, a push does not read it again.
    coordinator.async_unknown_device(NEW_PLUG)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert list_reads(simulator, start) == 0

    await advance(hass, freezer, UNKNOWN_DEVICE_COOLDOWN + 1)
    coordinator.async_unknown_device(NEW_PLUG)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert list_reads(simulator, start) == 1
    assert registry_device(hass, (DOMAIN, NEW_PLUG)) is not None
    assert hass.states.get(entity_id(hass, "switch", f"{NEW_PLUG}_plug")).state == STATE_ON

    # An id the list does not hold asks once, and not within the cooldown of the last read.
    await advance(hass, freezer, UNKNOWN_DEVICE_COOLDOWN + 1)
    coordinator.async_unknown_device("FFFFFFFFFFFF")
    coordinator.async_unknown_device("EEEEEEEEEEEE")
    await hass.async_block_till_done(wait_background_tasks=True)
    await advance(hass, freezer, UNKNOWN_DEVICE_COOLDOWN + 1)
    coordinator.async_unknown_device("FFFFFFFFFFFF")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert list_reads(simulator, start) == 2


@pytest.mark.parametrize("home", [home_with(*["Plug"] * 200, "Meter")])
async def test_the_list_reads_come_out_of_the_polling_share(
    hass: HomeAssistant, config_entry: MockConfigEntry, home: dict[str, Any]
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={"polling_share": 10})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator = config_entry.runtime_data.coordinator
    # 200 plugs polled, the hub and the meter pushing: the budget binds.
    calls_per_day = 200 * 86_400 / coordinator.poll_interval()
    calls_per_day += 2 * 86_400 / SAFETY_POLL_INTERVAL + DEVICE_LIST_READS_PER_DAY
    assert calls_per_day == pytest.approx(10_000 * 0.10)
