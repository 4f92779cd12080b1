"""Commands during an outage: answered at once, kept in a write-ahead log, delivered once."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components import persistent_notification
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_OFF, STATE_ON
from homeassistant.core import CoreState, Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.roomsense.const import DOMAIN, EVENT_COMMAND_RESULT
from roomsense_simulator import Simulator

from ..conftest import SimulatorAdmin, home_with, listen_into
from .conftest import entity_id, entity_service, while_time_passes

PLUG = "000000000001"
BOT = "000000000002"
LOCK = "000000000003"


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with("Plug Mini (JP)", "Bot", "Smart Lock Pro")


def log_path(hass: HomeAssistant, entry: MockConfigEntry) -> Path:
    return Path(hass.config.path(".storage", f"roomsense.{entry.entry_id}.command_log"))


def log_records(hass: HomeAssistant, entry: MockConfigEntry) -> list[dict[str, Any]]:
    path = log_path(hass, entry)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def write_log(hass: HomeAssistant, entry: MockConfigEntry, *records: dict[str, Any]) -> None:
    path = log_path(hass, entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record) + "\n" for record in records))


def queued(command_id: str, device_id: str, command: str, *, idempotent: bool) -> dict[str, Any]:
    now = dt_util.utcnow()
    return {
        "op": "queued",
        "command": {
            "id": command_id,
            "device_id": device_id,
            "command": command,
            "parameter": "default",
            "command_type": "command",
            "queued_at": now.isoformat(),
            "expires_at": (now + timedelta(minutes=10)).isoformat(),
            "idempotent": idempotent,
            "device_name": "The device",
        },
    }


async def later(hass: HomeAssistant, *, seconds: float) -> None:
    """Let scheduled timers up to `seconds` from now run."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done()


async def send(hass: HomeAssistant, device_id: str, command: str) -> dict[str, Any]:
    return await hass.services.async_call(
        DOMAIN,
        "send_command",
        {"device_id": device_id, "command": command},
        blocking=True,
        return_response=True,
    )


async def commands_received(simulator: Simulator) -> list[tuple[str, str]]:
    return [
        (call["path"].split("/")[-2], call["body"]["command"])
        for call in simulator.calls
        if call["path"].endswith("/commands") and call["http_status"] == 200
    ]


async def go_away(hass: HomeAssistant, simulator: Simulator) -> int:
    """Stop the cloud and let one command find it gone (the client's retries run at once)."""
    port = simulator.port
    await simulator.stop()
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    await while_time_passes(hass, entity_service(hass, "switch", "turn_on", plug), seconds=1)
    return port


def cloud_sensor(hass: HomeAssistant) -> str:
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    return entity_id(hass, "binary_sensor", f"{entry.entry_id}_cloud")


async def test_known_outage_answers_at_once_and_the_drain_delivers_each_command_once(
    hass: HomeAssistant, setup_entry: MockConfigEntry, simulator: Simulator
) -> None:
    results: list[Event] = []
    listen_into(hass, EVENT_COMMAND_RESULT, results)
    assert hass.states.get(cloud_sensor(hass)).state == STATE_ON
    port = await go_away(hass, simulator)
    assert hass.states.get(cloud_sensor(hass)).state == STATE_OFF
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    assert hass.states.get(plug).attributes["queued_command"] == "turnOn"

    # Known away: no network attempt, so no retries and no waiting.
    started = time.monotonic()
    answers = [await send(hass, BOT, "press"), await send(hass, PLUG, "turnOff")]
    assert time.monotonic() - started < 0.5
    assert [answer["outcome"] for answer in answers] == ["queued", "queued"]
    assert answers[0]["message"] == "Queued until the SwitchBot cloud is back; not done yet."
    assert hass.states.get(plug).attributes["queued_command"] == "turnOff"
    assert [record["op"] for record in log_records(hass, setup_entry)] == ["queued"] * 3

    await simulator.start(host="127.0.0.1", port=port)
    # The probe finds the cloud within 10 s, and the queue drains at once.
    await later(hass, seconds=10)
    assert await commands_received(simulator) == [
        (PLUG, "turnOn"),
        (BOT, "press"),
        (PLUG, "turnOff"),
    ]
    assert [event.data["result"] for event in results] == ["succeeded"] * 3
    assert hass.states.get(cloud_sensor(hass)).state == STATE_ON
    assert "queued_command" not in hass.states.get(plug).attributes
    assert not log_path(hass, setup_entry).exists()  # nothing waits: the log is gone
    await later(hass, seconds=300)
    assert len(await commands_received(simulator)) == 3


async def test_a_command_waits_for_the_cloud_it_failed_on(
    hass: HomeAssistant, setup_entry: MockConfigEntry, simulator: Simulator
) -> None:
    port = await go_away(hass, simulator)
    # The switch shows what it was told, and that it is not confirmed.
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    assert hass.states.get(plug).state == STATE_ON
    assert hass.states.get(plug).attributes["stale"] is True
    assert hass.states.get(plug).attributes["queued_at"]
    # Five minutes away: a probe that finds nobody is tried again, at most 8 s later...
    for _ in range(30):
        await later(hass, seconds=10)
    assert len(setup_entry.runtime_data.coordinator.command_queue.pending) == 1
    # ...so the queue drains within 10 s of the cloud's return.
    await simulator.start(host="127.0.0.1", port=port)
    await later(hass, seconds=10)
    assert await commands_received(simulator) == [(PLUG, "turnOn")]


async def test_a_dangerous_command_is_refused_at_once_during_an_outage(
    hass: HomeAssistant, setup_entry: MockConfigEntry, simulator: Simulator
) -> None:
    port = await go_away(hass, simulator)
    lock = entity_id(hass, "lock", f"{LOCK}_lock")
    with pytest.raises(HomeAssistantError) as caught:
        await entity_service(hass, "lock", "unlock", lock)
    assert caught.value.translation_key == "command_failed"
    await simulator.start(host="127.0.0.1", port=port)
    await later(hass, seconds=10)
    assert (LOCK, "unlock") not in await commands_received(simulator)


async def test_a_repair_issue_appears_after_ten_minutes_away_and_goes_when_back(
    hass: HomeAssistant, setup_entry: MockConfigEntry, simulator: Simulator
) -> None:
    issue_id = f"cloud_unreachable_{setup_entry.entry_id}"
    port = await go_away(hass, simulator)
    await later(hass, seconds=9 * 60)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    await later(hass, seconds=11 * 60)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "cloud_unreachable"

    await simulator.start(host="127.0.0.1", port=port)
    await later(hass, seconds=11 * 60 + 10)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_a_queued_command_expires_on_time_while_the_cloud_stays_away(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={"queue_ttl": 60})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    results: list[Event] = []
    listen_into(hass, EVENT_COMMAND_RESULT, results)
    port = await go_away(hass, simulator)

    await later(hass, seconds=61)
    assert [event.data["result"] for event in results] == ["expired"]
    await simulator.start(host="127.0.0.1", port=port)
    await later(hass, seconds=10)
    assert await commands_received(simulator) == []


async def test_the_log_survives_a_restart_and_settles_what_was_in_flight(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Killed mid-drain: a plug's turnOn may go again, a press must not (it may have run)."""
    write_log(
        hass,
        config_entry,
        queued("on", PLUG, "turnOn", idempotent=True),
        queued("press", BOT, "press", idempotent=False),
        queued("off", PLUG, "turnOff", idempotent=True),
        queued("done", BOT, "press", idempotent=False),
        {"op": "sending", "id": "done"},
        {"op": "ended", "id": "done", "result": "succeeded"},
        {"op": "sending", "id": "on"},
        {"op": "ended", "id": "on", "result": "succeeded"},
        {"op": "sending", "id": "press"},
    )
    # The kill cut the next append short.
    with log_path(hass, config_entry).open("a") as log:
        log.write('{"op": "sending", "i')
    results: list[Event] = []
    listen_into(hass, EVENT_COMMAND_RESULT, results)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert await commands_received(simulator) == [(PLUG, "turnOff")]
    assert [(event.data["id"], event.data["result"]) for event in results] == [
        ("press", "outcome_unknown"),
        ("off", "succeeded"),
    ]
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    assert (
        "The device may or may not have done `press`"
        in (notifications[f"{DOMAIN}_outcome_unknown_press"]["message"])
    )


async def test_an_idempotent_command_in_flight_at_a_kill_is_sent_again(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    write_log(
        hass,
        config_entry,
        queued("on", PLUG, "turnOn", idempotent=True),
        {"op": "sending", "id": "on"},
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert await commands_received(simulator) == [(PLUG, "turnOn")]


async def test_a_command_is_on_disk_as_in_flight_before_its_request_leaves(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    sim_admin: SimulatorAdmin,
) -> None:
    queue = setup_entry.runtime_data.coordinator.command_queue
    port = await go_away(hass, simulator)
    await send(hass, BOT, "press")
    await simulator.start(host="127.0.0.1", port=port)
    await sim_admin.fault(latency_ms=500, count=1, paths=[f"/v1.1/devices/{BOT}/commands"])
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=10))
    for _ in range(500):  # until the press is on its way
        await asyncio.sleep(0.02)
        if [record["op"] for record in log_records(hass, setup_entry)].count("sending") == 2:
            break
    ops = [(record["op"], record.get("result")) for record in log_records(hass, setup_entry)]
    # The plug's turnOn went first: its end is on disk before the press left.
    assert ops == [
        ("queued", None),
        ("queued", None),
        ("sending", None),
        ("ended", "succeeded"),
        ("sending", None),
    ]
    await hass.async_block_till_done()
    assert queue.pending == []
    assert await commands_received(simulator) == [(PLUG, "turnOn"), (BOT, "press")]


async def test_the_queue_of_an_earlier_release_is_taken_over(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    key = f"roomsense.{config_entry.entry_id}.command_queue"
    hass_storage[key] = {
        "version": 1,
        "key": key,
        "data": [queued("abc", PLUG, "turnOn", idempotent=False)["command"] | {"attempts": 1}],
    }
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert await commands_received(simulator) == [(PLUG, "turnOn")]
    assert key not in hass_storage


async def test_an_unreadable_expiry_counts_as_expired(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    record = queued("bad", PLUG, "turnOn", idempotent=True)
    record["command"]["expires_at"] = "not a time"
    write_log(hass, config_entry, record, {"op": "no such record"}, ["not", "a", "record"])
    results: list[Event] = []
    listen_into(hass, EVENT_COMMAND_RESULT, results)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await later(hass, seconds=1)
    assert [(event.data["id"], event.data["result"]) for event in results] == [("bad", "expired")]
    assert await commands_received(simulator) == []


async def test_a_toggle_that_may_have_arrived_is_not_queued(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.fault(outage=True, count=1)  # the connection drops after sending
    with pytest.raises(HomeAssistantError) as caught:
        await send(hass, PLUG, "toggle")
    assert caught.value.translation_key == "command_not_repeated"
    assert setup_entry.runtime_data.coordinator.command_queue.pending == []


async def test_a_plug_turned_on_over_a_dropped_connection_is_sent_again(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.fault(outage=True, count=1)
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    # Idempotent: sent again at once, no error.
    await while_time_passes(hass, entity_service(hass, "switch", "turn_on", plug), seconds=1)
    assert [
        call["status_code"] for call in await sim_admin.api_calls(f"/devices/{PLUG}/commands")
    ] == [None, 100]


async def test_home_assistant_stopping_lets_the_command_on_its_way_end_first(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    sim_admin: SimulatorAdmin,
) -> None:
    port = await go_away(hass, simulator)
    await send(hass, BOT, "press")
    await simulator.start(host="127.0.0.1", port=port)
    await sim_admin.fault(latency_ms=300, paths=[f"/v1.1/devices/{PLUG}/commands"])
    results: list[Event] = []
    listen_into(hass, EVENT_COMMAND_RESULT, results)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=10))
    # Until the plug's turnOn is on its way: its `sending` is in the log (a file, which
    # nothing signals).
    async with asyncio.timeout(5):
        while [r["op"] for r in log_records(hass, setup_entry)][-1:] != ["sending"]:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    hass.set_state(CoreState.stopping)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()

    # It ended (and its end is on disk); the press waits for the next start.
    ops = [(record["op"], record.get("result")) for record in log_records(hass, setup_entry)]
    assert ops[-2:] == [("sending", None), ("ended", "succeeded")]
    # Its result is told though Home Assistant stops (it will not start again to say it).
    assert [(e.data["command"], e.data["result"]) for e in results] == [("turnOn", "succeeded")]
    assert await commands_received(simulator) == [(PLUG, "turnOn")]
    assert [queued.command for queued in setup_entry.runtime_data.gateway.queue.pending] == [
        "press"
    ]


async def test_a_command_cut_off_by_a_crash_is_announced_once_home_assistant_has_started(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Automations set up during the start must hear of it: not during RoomSense's setup."""
    write_log(
        hass,
        config_entry,
        queued("press", BOT, "press", idempotent=False),
        {"op": "sending", "id": "press"},
    )
    hass.set_state(CoreState.not_running)
    results: list[Event] = []
    listen_into(hass, EVENT_COMMAND_RESULT, results)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert results == []
    # Until it is said, it stays in the log as in flight: a crash now cannot silence it.
    assert [record["op"] for record in log_records(hass, config_entry)] == ["queued", "sending"]
    # Reloaded before the start, the entry's new queue says it: the old one no longer does.
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert results == []

    await hass.async_start()
    await hass.async_block_till_done()
    assert [(event.data["id"], event.data["result"]) for event in results] == [
        ("press", "outcome_unknown")
    ]
    assert await commands_received(simulator) == []
    assert [record["op"] for record in log_records(hass, config_entry)][-1] == "ended"
