"""Commands issued while the cloud is unreachable wait, survive a restart, and expire."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.const import STATE_ON
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.roomsense.const import EVENT_COMMAND_RESULT
from roomsense_simulator import Simulator

from ..conftest import SimulatorAdmin, home_with, listen_into
from .conftest import entity_id, entity_service, while_time_passes

PLUG = "000000000001"


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with("Plug Mini (JP)")


def storage_key(entry: MockConfigEntry) -> str:
    return f"roomsense.{entry.entry_id}.command_queue"


async def turn_on_plug(hass: HomeAssistant) -> None:
    """Turn the plug on; the cloud client's back-off between tries runs at once."""
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    await while_time_passes(hass, entity_service(hass, "switch", "turn_on", plug), seconds=1)


async def later(hass: HomeAssistant, *, seconds: float) -> None:
    """Let scheduled timers up to `seconds` from now run."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done()


async def plug_commands(simulator: Simulator) -> list[dict[str, Any]]:
    return [call["body"] for call in simulator.calls if call["path"].endswith("/commands")]


async def test_queued_while_the_cloud_is_away_and_sent_when_it_returns(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    results: list[Event] = []
    listen_into(hass, EVENT_COMMAND_RESULT, results)
    port = simulator.port
    await simulator.stop()

    await turn_on_plug(hass)  # no error: the command waits
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    assert hass.states.get(plug).state == STATE_ON
    assert hass.states.get(plug).attributes["stale"] is True
    await hass.async_block_till_done()
    stored = hass_storage[storage_key(setup_entry)]["data"]
    assert [(item["device_id"], item["command"]) for item in stored] == [(PLUG, "turnOn")]

    # Still away at the first retry: nothing lost, the next retry comes later.
    await later(hass, seconds=6)
    assert results == []
    assert len(hass_storage[storage_key(setup_entry)]["data"]) == 1

    await simulator.start(host="127.0.0.1", port=port)
    await later(hass, seconds=30)

    assert await plug_commands(simulator) == [
        {"command": "turnOn", "parameter": "default", "commandType": "command"}
    ]
    assert [event.data["result"] for event in results] == ["succeeded"]
    assert results[0].data["device_id"] == PLUG
    assert results[0].data["attempts"] == 2  # the queue's own sends
    assert hass_storage[storage_key(setup_entry)]["data"] == []


async def test_the_queue_survives_a_restart(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    now = dt_util.utcnow()
    hass_storage[storage_key(config_entry)] = {
        "version": 1,
        "key": storage_key(config_entry),
        "data": [
            {
                "id": "abc",
                "device_id": PLUG,
                "command": "turnOn",
                "parameter": "default",
                "command_type": "command",
                "queued_at": now.isoformat(),
                "expires_at": (now + timedelta(minutes=10)).isoformat(),
                "attempts": 1,
            }
        ],
    }
    results: list[Event] = []
    listen_into(hass, EVENT_COMMAND_RESULT, results)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    await later(hass, seconds=6)
    assert await plug_commands(simulator) == [
        {"command": "turnOn", "parameter": "default", "commandType": "command"}
    ]
    assert [(event.data["id"], event.data["result"]) for event in results] == [("abc", "succeeded")]


async def test_a_command_expires_when_the_cloud_stays_away(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={"queue_ttl": 0})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    results: list[Event] = []
    listen_into(hass, EVENT_COMMAND_RESULT, results)
    port = simulator.port
    await simulator.stop()
    await turn_on_plug(hass)

    await simulator.start(host="127.0.0.1", port=port)
    await later(hass, seconds=6)

    assert [event.data["result"] for event in results] == ["expired"]
    assert await plug_commands(simulator) == []


async def test_a_toggle_that_may_have_arrived_is_not_queued(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.fault(outage=True, count=1)  # the connection drops after sending
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            "roomsense", "send_command", {"device_id": PLUG, "command": "toggle"}, blocking=True
        )
    assert caught.value.translation_key == "command_not_repeated"
    assert setup_entry.runtime_data.coordinator.command_queue.pending == []


async def test_a_plug_turned_on_over_a_dropped_connection_is_sent_again(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.fault(outage=True, count=1)
    await turn_on_plug(hass)  # idempotent: sent again at once, no error
    assert [
        call["status_code"] for call in await sim_admin.api_calls(f"/devices/{PLUG}/commands")
    ] == [None, 100]


async def test_an_unreadable_expiry_counts_as_expired(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    hass_storage[storage_key(config_entry)] = {
        "version": 1,
        "key": storage_key(config_entry),
        "data": [
            {
                "id": "bad",
                "device_id": PLUG,
                "command": "turnOn",
                "parameter": "default",
                "command_type": "command",
                "queued_at": "yesterday",
                "expires_at": "not a time",
            }
        ],
    }
    results: list[Event] = []
    listen_into(hass, EVENT_COMMAND_RESULT, results)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await later(hass, seconds=6)
    assert [(event.data["id"], event.data["result"]) for event in results] == [("bad", "expired")]
    assert await plug_commands(simulator) == []


async def test_a_command_queued_during_a_slow_send_is_sent_once(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    sim_admin: SimulatorAdmin,
) -> None:
    """A second pass must not start while one is sending: both would send the oldest."""
    queue = setup_entry.runtime_data.coordinator.command_queue
    assert queue is not None
    await sim_admin.request("POST", "faults", {"latency_ms": 400, "count": 1})
    await queue.async_enqueue(PLUG, "turnOn", "default", "command")
    # The retry starts its pass, which now waits on the slow cloud...
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await asyncio.sleep(0.1)
    # ...while another command is queued, and time goes on past its first retry.
    await queue.async_enqueue(PLUG, "turnOff", "default", "command")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=12))
    await hass.async_block_till_done()
    assert [body["command"] for body in await plug_commands(simulator)] == ["turnOn", "turnOff"]
    assert queue.pending == []
