"""The automation scheduler and runner, under time travel, against the simulated cloud."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.roomsense.automation import AutomationEngine
from custom_components.roomsense.automation.engine import EVENT_RULE_EXECUTED
from custom_components.roomsense.shared import get_shared

from ..conftest import SimulatorAdmin, listen_into

PLUG = "7C87CE5A10B2"
BULB = "6055F93A8B21"
LOCK = "F8C9A1B2E3D4"
METER = "D04E7A2B9C15"
TOKYO = "Asia/Tokyo"
# A Monday.
START = "2026-11-23 06:55:00+09:00"


@pytest.fixture
async def engine(
    hass: HomeAssistant, setup_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> AutomationEngine:
    await hass.config.async_set_time_zone(TOKYO)
    freezer.move_to(START)
    return get_shared(hass).automation


async def travel(hass: HomeAssistant, freezer: FrozenDateTimeFactory, to: str | datetime) -> None:
    """Move the clock and let every timer that became due run."""
    moment = datetime.fromisoformat(to) if isinstance(to, str) else to
    freezer.move_to(moment)
    async_fire_time_changed(hass, dt_util.as_utc(moment))
    await hass.async_block_till_done()


async def commands(sim_admin: SimulatorAdmin, device_id: str) -> list[str]:
    calls = await sim_admin.api_calls(f"/devices/{device_id}/commands")
    return [call["body"]["command"] for call in calls]


def plug(command: str, delay: float = 0) -> dict[str, Any]:
    return {"type": "device_command", "device_id": PLUG, "command": command, "delay": delay}


def statuses(engine: AutomationEngine, rule_id: str) -> list[str]:
    return [run["status"] for run in engine.history[rule_id]]


async def test_a_daily_rule_runs_once_per_day(
    hass: HomeAssistant,
    engine: AutomationEngine,
    freezer: FrozenDateTimeFactory,
    sim_admin: SimulatorAdmin,
) -> None:
    fired: list[Event] = []
    listen_into(hass, EVENT_RULE_EXECUTED, fired)
    rule = engine.create(
        {
            "name": "Coffee",
            "actions": [plug("turnOn")],
            "schedule": {"type": "daily", "time": "07:00"},
        },
        None,
    )
    assert engine.next_run(rule) == datetime.fromisoformat("2026-11-23 07:00:00+09:00")
    await travel(hass, freezer, "2026-11-23 06:59:59+09:00")
    assert await commands(sim_admin, PLUG) == []
    await travel(hass, freezer, "2026-11-23 07:00:00+09:00")
    assert await commands(sim_admin, PLUG) == ["turnOn"]
    # The same slot again (a late timer, a second fire): nothing more.
    await engine._async_slot(rule["id"], datetime.fromisoformat("2026-11-23 07:00:00+09:00"))
    await travel(hass, freezer, "2026-11-23 12:00:00+09:00")
    assert await commands(sim_admin, PLUG) == ["turnOn"]
    await travel(hass, freezer, "2026-11-24 07:00:00+09:00")
    assert await commands(sim_admin, PLUG) == ["turnOn", "turnOn"]

    assert statuses(engine, rule["id"]) == ["success", "success"]
    assert rule["execution_count"] == 2
    assert [event.data["status"] for event in fired] == ["success", "success"]
    assert fired[0].data["slot"] == "2026-11-22T22:00:00+00:00"


async def test_weekly_interval_and_once(
    hass: HomeAssistant, edge: object, freezer: FrozenDateTimeFactory
) -> None:
    # No SwitchBot account: a week of its polling would only slow this down.
    await hass.config.async_set_time_zone(TOKYO)
    freezer.move_to(START)
    engine = get_shared(hass).automation
    # A local service as the action: this test is about when rules run.
    calls = async_mock_service(hass, "test", "ping")
    ping = {"type": "service", "service": "test.ping"}
    weekly = engine.create(
        {
            "name": "Tuesday and Sunday",
            "actions": [ping],
            "schedule": {"type": "weekly", "time": "08:00", "days": ["tue", "sun"]},
        },
        None,
    )
    interval = engine.create(
        {
            "name": "Quarter hours",
            "actions": [ping],
            "schedule": {"type": "interval", "minutes": 15},
        },
        None,
    )
    once = engine.create(
        {
            "name": "In ten minutes",
            "actions": [ping],
            "schedule": {"type": "once", "at": "2026-11-23T07:05:00+09:00"},
        },
        None,
    )
    # Monday 06:55 → Sunday 09:10, in steps so every interval slot gets its turn.
    moment = datetime.fromisoformat(START)
    end = datetime.fromisoformat("2026-11-29 09:00:00+09:00")
    while moment < end:
        moment += timedelta(minutes=15)
        await travel(hass, freezer, moment)
    weekly_slots = [run["slot"] for run in engine.history[weekly["id"]]]
    assert weekly_slots == ["2026-11-23T23:00:00+00:00", "2026-11-28T23:00:00+00:00"]
    # Every 15 minutes from its creation at 06:55 on Monday until Sunday 09:10.
    assert len(engine.history[interval["id"]]) == 50  # the history keeps the last 50
    assert interval["execution_count"] == 6 * 24 * 4 + 9
    assert engine.history[interval["id"]][-1]["slot"] == "2026-11-29T00:10:00+00:00"
    assert [run["slot"] for run in engine.history[once["id"]]] == ["2026-11-22T22:05:00+00:00"]
    assert engine.next_run(once) is None
    assert len(calls) == 2 + interval["execution_count"] + 1


async def test_delays_run_each_action_in_its_turn(
    hass: HomeAssistant,
    engine: AutomationEngine,
    freezer: FrozenDateTimeFactory,
    sim_admin: SimulatorAdmin,
) -> None:
    rule = engine.create(
        {
            "name": "Morning",
            "actions": [
                plug("turnOn"),
                {"type": "device_command", "device_id": BULB, "command": "turnOn", "delay": 60},
                plug("turnOff", delay=30),
            ],
            "schedule": {"type": "daily", "time": "07:00"},
        },
        None,
    )
    await travel(hass, freezer, "2026-11-23 07:00:00+09:00")
    assert await commands(sim_admin, PLUG) == ["turnOn"]
    assert await commands(sim_admin, BULB) == []
    assert engine.history[rule["id"]] == []  # still running
    await travel(hass, freezer, "2026-11-23 07:01:00+09:00")
    assert await commands(sim_admin, BULB) == ["turnOn"]
    await travel(hass, freezer, "2026-11-23 07:01:30+09:00")
    assert await commands(sim_admin, PLUG) == ["turnOn", "turnOff"]
    (run,) = engine.history[rule["id"]]
    assert run["status"] == "success"
    assert [step["status"] for step in run["results"]] == ["success"] * 3
    assert not engine.pending


async def test_a_restart_in_the_middle_of_a_run(
    hass: HomeAssistant,
    engine: AutomationEngine,
    freezer: FrozenDateTimeFactory,
    sim_admin: SimulatorAdmin,
    hass_storage: dict[str, Any],
) -> None:
    rule = engine.create(
        {
            "name": "Slow",
            "actions": [plug("turnOn"), plug("turnOff", delay=120)],
            "schedule": {"type": "daily", "time": "07:00"},
        },
        None,
    )
    await travel(hass, freezer, "2026-11-23 07:00:00+09:00")
    assert await commands(sim_admin, PLUG) == ["turnOn"]
    await engine.async_flush()
    engine.async_stop()

    restarted = AutomationEngine(hass, get_shared(hass).tools)
    await restarted.async_load()
    restarted.async_start()
    await hass.async_block_till_done()
    # The slot is not taken again; the action left runs in its time.
    assert await commands(sim_admin, PLUG) == ["turnOn"]
    await travel(hass, freezer, "2026-11-23 07:02:00+09:00")
    assert await commands(sim_admin, PLUG) == ["turnOn", "turnOff"]
    assert [run["status"] for run in restarted.history[rule["id"]]] == ["success"]
    assert restarted.rules[rule["id"]]["execution_count"] == 1
    restarted.async_stop()


async def test_an_action_overdue_after_a_restart_is_skipped(
    hass: HomeAssistant,
    engine: AutomationEngine,
    freezer: FrozenDateTimeFactory,
    sim_admin: SimulatorAdmin,
) -> None:
    rule = engine.create(
        {
            "name": "Slow",
            "actions": [plug("turnOn"), plug("turnOff", delay=60)],
            "schedule": {"type": "daily", "time": "07:00"},
        },
        None,
    )
    await travel(hass, freezer, "2026-11-23 07:00:00+09:00")
    await engine.async_flush()
    engine.async_stop()
    # Home Assistant was down for half an hour.
    freezer.move_to("2026-11-23 07:30:00+09:00")
    restarted = AutomationEngine(hass, get_shared(hass).tools)
    await restarted.async_load()
    restarted.async_start()
    await hass.async_block_till_done()
    assert await commands(sim_admin, PLUG) == ["turnOn"]
    (run,) = restarted.history[rule["id"]]
    assert run["status"] == "partial"
    assert run["results"][1]["status"] == "skipped"
    # The 07:00 slot of that day is not run again.
    assert restarted.next_run(restarted.rules[rule["id"]]) == datetime.fromisoformat(
        "2026-11-24 07:00:00+09:00"
    )
    restarted.async_stop()


async def test_conditions_gate_a_scheduled_rule(
    hass: HomeAssistant,
    engine: AutomationEngine,
    freezer: FrozenDateTimeFactory,
    sim_admin: SimulatorAdmin,
) -> None:
    rule = engine.create(
        {
            "name": "Cool down",
            "conditions": [
                {"type": "temperature", "operator": "above", "value": 28, "device_id": METER}
            ],
            "actions": [plug("turnOn")],
            "schedule": {"type": "interval", "minutes": 10},
        },
        None,
    )
    temperature = engine.resolver.entity_for(METER, "temperature")
    assert temperature is not None
    hass.states.async_set(temperature, "26.0", {"device_class": "temperature"})
    await travel(hass, freezer, "2026-11-23 07:05:00+09:00")
    assert await commands(sim_admin, PLUG) == []
    assert engine.history[rule["id"]] == []
    hass.states.async_set(temperature, "27.6", {"device_class": "temperature"})  # within 0.5
    await travel(hass, freezer, "2026-11-23 07:15:00+09:00")
    assert await commands(sim_admin, PLUG) == ["turnOn"]
    (run,) = engine.history[rule["id"]]
    assert run["conditions"][0]["actual"] == 27.6


async def test_a_rule_without_a_schedule_runs_when_its_conditions_become_true(
    hass: HomeAssistant,
    engine: AutomationEngine,
    freezer: FrozenDateTimeFactory,
    sim_admin: SimulatorAdmin,
) -> None:
    temperature = engine.resolver.entity_for(METER, "temperature")
    assert temperature is not None
    hass.states.async_set(temperature, "25.0")
    rule = engine.create(
        {
            "name": "Hot",
            "conditions": [
                {"type": "temperature", "operator": "above", "value": 28, "entity_id": temperature,
                 "tolerance": 0}
            ],
            "actions": [plug("turnOn")],
        },
        None,
    )  # fmt: skip
    for value in ("27.9", "28.5", "29.0", "26.0", "28.1"):
        hass.states.async_set(temperature, value)
        await hass.async_block_till_done()
    # It rose above 28 twice: two runs, not one per reading above.
    assert await commands(sim_admin, PLUG) == ["turnOn", "turnOn"]
    assert [run["trigger"] for run in engine.history[rule["id"]]] == ["conditions"] * 2
    # Disabled, it stays quiet.
    engine.set_enabled(rule["id"], False, None)
    hass.states.async_set(temperature, "20.0")
    hass.states.async_set(temperature, "30.0")
    await hass.async_block_till_done()
    assert len(engine.history[rule["id"]]) == 2


async def test_failures_and_partial_runs(
    hass: HomeAssistant,
    engine: AutomationEngine,
    sim_admin: SimulatorAdmin,
) -> None:
    assert await async_setup_component(hass, "persistent_notification", {})
    called = async_mock_service(hass, "light", "turn_on")
    rule = engine.create(
        {
            "name": "Mixed",
            "actions": [
                # Unlocking needs a person's confirmation: an automation never gives it.
                {"type": "device_command", "device_id": LOCK, "command": "unlock"},
                {"type": "notification", "message": "Welcome home", "title": "Door"},
                {"type": "service", "service": "light.turn_on", "target": {"entity_id": "light.x"}},
                {"type": "service", "service": "lock.unlock", "target": {"entity_id": "lock.y"}},
            ],
            "schedule": {"type": "daily", "time": "23:00"},
        },
        None,
    )
    record = await engine.async_execute(rule["id"], None)
    assert record["status"] == "partial"
    assert [step["status"] for step in record["results"]] == [
        "failure",
        "success",
        "success",
        "failure",
    ]
    assert "confirm" in record["results"][0]["error"]
    assert await commands(sim_admin, LOCK) == []
    assert len(called) == 1
    assert called[0].data["entity_id"] == "light.x"
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    assert any(item["message"] == "Welcome home" for item in notifications.values())

    failing = engine.create(
        {"name": "Only unlock", "actions": [{"type": "service", "service": "lock.unlock"}],
         "schedule": {"type": "daily", "time": "23:00"}},
        None,
    )  # fmt: skip
    assert (await engine.async_execute(failing["id"], None))["status"] == "failure"


async def test_history_keeps_fifty_runs(hass: HomeAssistant, engine: AutomationEngine) -> None:
    rule = engine.create(
        {"name": "Note", "actions": [{"type": "notification", "message": "hi"}],
         "schedule": {"type": "daily", "time": "23:00"}},
        None,
    )  # fmt: skip
    assert await async_setup_component(hass, "persistent_notification", {})
    for _ in range(55):
        await engine.async_execute(rule["id"], None)
    assert len(engine.history[rule["id"]]) == 50
    assert rule["execution_count"] == 55


async def test_deleting_a_rule_stops_it(
    hass: HomeAssistant,
    engine: AutomationEngine,
    freezer: FrozenDateTimeFactory,
    sim_admin: SimulatorAdmin,
) -> None:
    rule = engine.create(
        {"name": "Gone", "actions": [plug("turnOn"), plug("turnOff", delay=60)],
         "schedule": {"type": "daily", "time": "07:00"}},
        None,
    )  # fmt: skip
    await travel(hass, freezer, "2026-11-23 07:00:00+09:00")
    engine.delete(rule["id"])
    await travel(hass, freezer, "2026-11-24 07:05:00+09:00")
    assert await commands(sim_admin, PLUG) == ["turnOn"]
    assert not engine.pending


async def test_an_unreadable_rule_costs_only_itself(
    hass: HomeAssistant, edge: object, hass_storage: dict[str, Any]
) -> None:
    good = {
        "id": "good",
        "name": "Fine",
        "description": "",
        "enabled": True,
        "conditions": [],
        "actions": [{"type": "notification", "message": "hi", "delay": 0}],
        "schedule": {"type": "daily", "time": "07:00"},
        "created_by": None,
        "created_at": "2026-11-20T00:00:00+00:00",
        "updated_at": "2026-11-20T00:00:00+00:00",
        "execution_count": 0,
        "last_executed": None,
    }
    hass_storage["roomsense.automation"] = {
        "version": 1,
        "key": "roomsense.automation",
        "data": {
            "rules": [
                {**good, "id": "broken", "actions": [{"type": "teleport"}]},
                {"name": "no id"},
                good,
            ],
            "slots": {},
            "pending": [],
        },
    }
    engine = AutomationEngine(hass, get_shared(hass).tools)
    await engine.async_load()
    assert list(engine.rules) == ["good"]


async def test_no_service_action_opens_the_home(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    """homeassistant.toggle on the front door lock would skip the confirmation: refused."""
    # Without the time travel of `engine`: a lock unseen for days is unavailable.
    engine = get_shared(hass).automation
    lock_entity = engine.resolver.entity_for(LOCK, "state")
    assert lock_entity is not None
    assert lock_entity.startswith("lock.")
    rule = engine.create(
        {
            "name": "Sneaky",
            "actions": [
                {"type": "service", "service": "homeassistant.toggle",
                 "target": {"entity_id": lock_entity}},
                {"type": "service", "service": "lock.lock", "target": {"entity_id": lock_entity}},
            ],
            "schedule": {"type": "daily", "time": "23:00"},
        },
        None,
    )  # fmt: skip
    record = await engine.async_execute(rule["id"], None)
    assert [step["status"] for step in record["results"]] == ["failure", "success"]
    assert "may not call homeassistant.toggle" in record["results"][0]["error"]
    assert await commands(sim_admin, LOCK) == ["lock"]


async def test_deleting_a_rule_while_it_runs_stops_the_rest(
    hass: HomeAssistant, engine: AutomationEngine
) -> None:
    pings = async_mock_service(hass, "test", "ping")
    rule_id = ""

    async def delete_the_rule(_call: Any) -> None:
        engine.delete(rule_id)

    hass.services.async_register("test", "delete_rule", delete_the_rule)
    rule = engine.create(
        {
            "name": "Self-deleting",
            "actions": [
                {"type": "service", "service": "test.delete_rule"},
                {"type": "service", "service": "test.ping"},
            ],
            "schedule": {"type": "daily", "time": "23:00"},
        },
        None,
    )
    rule_id = rule["id"]
    await engine.async_execute(rule_id, None)
    assert pings == []
    assert engine.rules == {}


async def test_unreadable_waiting_runs_and_history_are_dropped(
    hass: HomeAssistant, edge: object, hass_storage: dict[str, Any]
) -> None:
    rule = {
        "id": "good",
        "name": "Fine",
        "actions": [{"type": "notification", "message": "hi"}],
        "schedule": {"type": "daily", "time": "07:00"},
        "created_at": "2026-11-20T00:00:00+00:00",
    }
    run = {
        "id": "run",
        "rule_id": "good",
        "steps": [{"index": 0, "due": "2026-11-20T07:00:00+00:00", "status": "pending"}],
        "actions": rule["actions"],
    }
    hass_storage["roomsense.automation"] = {
        "version": 1,
        "key": "roomsense.automation",
        "data": {
            "rules": [rule, {**rule, "id": "old", "created_at": "yesterday"}],
            "slots": ["not", "a", "dict"],
            "pending": [run, {**run, "id": "orphan", "rule_id": "gone"},
                        {**run, "id": "bad", "steps": [{"index": 5, "due": "x"}]}],
        },
    }  # fmt: skip
    hass_storage["roomsense.automation_history"] = {
        "version": 1,
        "key": "roomsense.automation_history",
        "data": {"good": "not a list", "gone": []},
    }
    engine = AutomationEngine(hass, get_shared(hass).tools)
    await engine.async_load()
    assert list(engine.rules) == ["good"]
    # The bookkeeping a rule was stored without is filled in.
    assert engine.rules["good"]["enabled"] is True
    assert engine.rules["good"]["execution_count"] == 0
    assert list(engine.pending) == ["run"]
    assert engine.slots == {}
    assert engine.history == {}


async def test_a_time_condition_rule_fires_on_time_not_early(
    hass: HomeAssistant, edge: object, freezer: FrozenDateTimeFactory
) -> None:
    """No schedule, `time equals 07:00`: it starts at 07:00, as the exported automation would."""
    await hass.config.async_set_time_zone(TOKYO)
    freezer.move_to(START)
    engine = get_shared(hass).automation
    pings = async_mock_service(hass, "test", "ping")
    rule = engine.create(
        {
            "name": "Seven",
            "conditions": [{"type": "time", "operator": "equals", "value": "07:00"}],
            "actions": [{"type": "service", "service": "test.ping"}],
        },
        None,
    )
    for clock in ("06:57", "06:58", "06:59"):
        await travel(hass, freezer, f"2026-11-23 {clock}:00+09:00")
    assert pings == []
    await travel(hass, freezer, "2026-11-23 07:00:00+09:00")
    await travel(hass, freezer, "2026-11-23 07:01:00+09:00")
    assert len(pings) == 1
    assert engine.history[rule["id"]][0]["trigger"] == "conditions"


@pytest.mark.parametrize(
    ("back_at", "commands_after", "status"),
    [
        # Back within the 10-minute grace: the action runs then.
        ("2026-11-23 07:05:00+09:00", ["turnOn", "turnOff"], "success"),
        # Back later: the action is skipped, not run late.
        ("2026-11-23 07:20:00+09:00", ["turnOn"], "partial"),
    ],
)
async def test_an_action_due_while_roomsense_is_unloaded_waits_for_it(
    hass: HomeAssistant,
    engine: AutomationEngine,
    freezer: FrozenDateTimeFactory,
    sim_admin: SimulatorAdmin,
    setup_entry: MockConfigEntry,
    back_at: str,
    commands_after: list[str],
    status: str,
) -> None:
    rule = engine.create(
        {
            "name": "Coffee",
            "actions": [plug("turnOn"), plug("turnOff", delay=60)],
            "schedule": {"type": "daily", "time": "07:00"},
        },
        None,
    )
    await travel(hass, freezer, "2026-11-23 07:00:00+09:00")
    assert await commands(sim_admin, PLUG) == ["turnOn"]
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    await hass.async_block_till_done()

    # Due now, while RoomSense is unloaded (a reload, or a restart before it is set up).
    await travel(hass, freezer, "2026-11-23 07:01:00+09:00")
    assert await commands(sim_admin, PLUG) == ["turnOn"]
    assert engine.history[rule["id"]] == []  # waiting, not failed

    await travel(hass, freezer, back_at)
    assert await hass.config_entries.async_setup(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert await commands(sim_admin, PLUG) == commands_after
    assert statuses(engine, rule["id"]) == [status]
    assert not engine.pending
