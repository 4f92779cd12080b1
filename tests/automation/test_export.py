"""Exporting a RoomSense rule as a Home Assistant automation.

Each mapping is checked on the config itself; then Home Assistant's own automation validation
accepts every exported config, and exported rules run in a real Home Assistant.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import (
    ValidationStatus,
    async_validate_config_item,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import condition as condition_helper
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.template import Template
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import parse_yaml
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.roomsense.automation.export import automation_yaml, rule_to_automation
from custom_components.roomsense.automation.models import RULE_INPUT_SCHEMA

TOKYO = ZoneInfo("Asia/Tokyo")
ENTITIES = {
    ("METER1", "temperature"): "sensor.living_meter_temperature",
    ("METER1", "humidity"): "sensor.living_meter_humidity",
    ("PLUG1", "state"): "switch.tv_plug",
}
COMMAND = {"type": "device_command", "device_id": "AC1", "command": "turnOn"}


def entity_for(device_id: str, kind: str) -> str | None:
    return ENTITIES.get((device_id, kind))


def make_rule(**fields: Any) -> dict[str, Any]:
    """A rule as RoomSense stores it: checked by its schema, with the bookkeeping."""
    fields.setdefault("name", "Test rule")
    fields.setdefault("actions", [COMMAND])
    rule: dict[str, Any] = RULE_INPUT_SCHEMA(fields)
    return {"id": "rule-1", "created_by": "test", "execution_count": 0, **rule}


def export(**fields: Any) -> tuple[dict[str, Any], list[str]]:
    return rule_to_automation(make_rule(**fields), entity_for=entity_for)


def temperature(operator: str, value: Any, **extra: Any) -> dict[str, Any]:
    return {
        "type": "temperature",
        "operator": operator,
        "value": value,
        "device_id": "METER1",
        **extra,
    }


# --- the frame ----------------------------------------------------------------------------


def test_identity_and_mode() -> None:
    config, warnings = export(
        name="朝のエアコン",
        description="Cool the room before waking up.",
        schedule={"type": "daily", "time": "06:30"},
    )
    assert warnings == []
    assert list(config) == [
        "id",
        "alias",
        "description",
        "mode",
        "triggers",
        "conditions",
        "actions",
    ]
    assert config["id"] == "roomsense_rule_1"
    assert config["alias"] == "朝のエアコン"
    assert config["description"].startswith("Cool the room before waking up.")
    assert "rule-1" in config["description"]
    assert config["mode"] == "single"


def test_a_disabled_rule_stays_off() -> None:
    config, _ = export(enabled=False, schedule={"type": "daily", "time": "06:30"})
    assert config["initial_state"] is False


# --- schedules ----------------------------------------------------------------------------


def test_daily() -> None:
    config, _ = export(schedule={"type": "daily", "time": "7:05"})
    assert config["triggers"] == [{"trigger": "time", "at": "07:05:00"}]
    assert config["conditions"] == []


def test_weekly() -> None:
    config, _ = export(schedule={"type": "weekly", "time": "08:00", "days": ["fri", "mon"]})
    assert config["triggers"] == [{"trigger": "time", "at": "08:00:00"}]
    assert config["conditions"] == [{"condition": "time", "weekday": ["mon", "fri"]}]


@pytest.mark.parametrize(
    ("minutes", "trigger", "rounded"),
    [
        (1, {"minutes": "/1"}, False),
        (5, {"minutes": "/5"}, False),
        (30, {"minutes": "/30"}, False),
        (60, {"hours": "/1", "minutes": 0}, False),
        (180, {"hours": "/3", "minutes": 0}, False),
        (720, {"hours": "/12", "minutes": 0}, False),
        (1440, {"hours": 0, "minutes": 0}, False),
        (7, {"minutes": "/6"}, True),
        (45, {"minutes": "/30"}, True),  # a tie goes to the more frequent
        (100, {"hours": "/2", "minutes": 0}, True),
        (300, {"hours": "/4", "minutes": 0}, True),  # 5 h does not divide the day
        (10_080, {"hours": 0, "minutes": 0}, True),
    ],
)
def test_interval(minutes: int, trigger: dict[str, Any], rounded: bool) -> None:
    config, warnings = export(schedule={"type": "interval", "minutes": minutes})
    assert config["triggers"] == [{"trigger": "time_pattern", **trigger}]
    assert bool(warnings) is rounded
    if rounded:
        assert f"every {minutes} minutes" in warnings[0]


def test_interval_start_off_the_clock_is_warned() -> None:
    _, aligned = export(
        schedule={"type": "interval", "minutes": 15, "start": "2025-07-01T09:30:00+09:00"}
    )
    assert aligned == []
    _, shifted = export(
        schedule={"type": "interval", "minutes": 15, "start": "2025-07-01T09:37:00+09:00"}
    )
    assert len(shifted) == 1
    assert "follows the clock" in shifted[0]


def test_once() -> None:
    config, warnings = export(schedule={"type": "once", "at": "2025-07-01T07:30:00+09:00"})
    assert warnings == []
    assert config["triggers"] == [{"trigger": "time", "at": "07:30:00"}]
    [only_then] = config["conditions"]
    assert only_then["condition"] == "template"
    assert "as_datetime('2025-07-01T07:30:00+09:00')" in only_then["value_template"]


def test_once_in_home_assistants_time_zone() -> None:
    config, _ = rule_to_automation(
        make_rule(schedule={"type": "once", "at": "2025-07-01T07:30:00+09:00"}),
        entity_for=entity_for,
        time_zone=ZoneInfo("Europe/Berlin"),
    )
    assert config["triggers"] == [{"trigger": "time", "at": "00:30:00"}]


async def test_once_template_holds_only_at_the_instant(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    config, _ = export(schedule={"type": "once", "at": "2025-07-01T07:30:00+09:00"})
    template = Template(config["conditions"][0]["value_template"], hass)
    instant = datetime(2025, 7, 1, 7, 30, tzinfo=TOKYO)
    for moment, expected in [
        (instant, True),
        (instant + timedelta(seconds=20), True),
        (instant + timedelta(days=1), False),
        (instant - timedelta(days=1), False),
        (instant + timedelta(hours=1), False),
    ]:
        freezer.move_to(moment)
        assert template.async_render() is expected, moment


# --- conditions, and the triggers a rule without a schedule gets from them -----------------


@pytest.mark.parametrize(
    ("condition", "bounds"),
    [
        (temperature("above", 28), {"above": 28.0}),
        (temperature("below", 18.5), {"below": 18.5}),
        (temperature("between", [26, 22]), {"above": 22.0, "below": 26.0}),
        (temperature("equals", 25, tolerance=1), {"above": 24.0, "below": 26.0}),
        (temperature("equals", 25), {"above": 24.5, "below": 25.5}),  # the default ±0.5 °C
        (
            {"type": "humidity", "operator": "above", "value": 70, "device_id": "METER1"},
            {"above": 70.0},
        ),
    ],
)
def test_numbers_without_a_schedule(condition: dict[str, Any], bounds: dict[str, float]) -> None:
    config, warnings = export(conditions=[condition])
    assert warnings == []
    entity = ENTITIES[("METER1", condition["type"])]
    assert config["conditions"] == [{"condition": "numeric_state", "entity_id": entity, **bounds}]
    assert config["triggers"] == [{"trigger": "numeric_state", "entity_id": entity, **bounds}]


def test_a_sensor_entity_is_used_as_given() -> None:
    config, _ = export(
        conditions=[{"type": "humidity", "operator": "below", "value": 40, "entity_id": "sensor.x"}]
    )
    assert config["conditions"][0]["entity_id"] == "sensor.x"


def test_device_state_equals() -> None:
    config, warnings = export(
        conditions=[{"type": "device_state", "value": "on", "device_id": "PLUG1"}]
    )
    assert warnings == []
    assert config["conditions"] == [
        {"condition": "state", "entity_id": "switch.tv_plug", "state": "on"}
    ]
    assert config["triggers"] == [{"trigger": "state", "entity_id": "switch.tv_plug", "to": "on"}]


def test_device_state_not_equals_with_an_attribute() -> None:
    config, _ = export(
        conditions=[
            {
                "type": "device_state",
                "operator": "not_equals",
                "value": "heat",
                "entity_id": "climate.living",
                "attribute": "hvac_action",
            }
        ]
    )
    inner = {
        "condition": "state",
        "entity_id": "climate.living",
        "state": "heat",
        "attribute": "hvac_action",
    }
    assert config["conditions"] == [{"condition": "not", "conditions": [inner]}]
    assert config["triggers"] == [
        {
            "trigger": "state",
            "entity_id": "climate.living",
            "attribute": "hvac_action",
            "from": "heat",
        }
    ]


@pytest.mark.parametrize(
    ("condition", "exported", "start"),
    [
        (
            {"type": "time", "operator": "between", "value": ["22:00", "06:00"]},
            {"after": "22:00:00", "before": "06:00:00"},
            "22:00:00",
        ),
        (
            {"type": "time", "operator": "after", "value": "18:00"},
            {"after": "18:00:00"},
            "18:00:00",
        ),
        (
            {"type": "time", "operator": "before", "value": "07:00"},
            {"before": "07:00:00"},
            "00:00:00",
        ),
        (
            {"type": "time", "operator": "equals", "value": "07:00"},  # the default ±2 minutes
            {"after": "06:58:00", "before": "07:02:00"},
            "07:00:00",
        ),
        (
            {"type": "time", "operator": "equals", "value": "00:00", "tolerance": 5},
            {"after": "23:55:00", "before": "00:05:00"},
            "00:00:00",
        ),
        (
            {"type": "time", "operator": "equals", "value": "12:00", "tolerance": 0},
            {"after": "12:00:00", "before": "12:01:00"},
            "12:00:00",
        ),
    ],
)
def test_time_conditions(condition: dict[str, Any], exported: dict[str, str], start: str) -> None:
    config, warnings = export(conditions=[condition])
    assert warnings == []
    assert config["conditions"] == [{"condition": "time", **exported}]
    assert config["triggers"] == [{"trigger": "time", "at": start}]


def test_conditions_of_a_scheduled_rule_only_filter() -> None:
    config, _ = export(
        schedule={"type": "daily", "time": "07:00"},
        conditions=[
            temperature("above", 28),
            {"type": "time", "operator": "after", "value": "06:00"},
        ],
    )
    assert config["triggers"] == [{"trigger": "time", "at": "07:00:00"}]
    assert [item["condition"] for item in config["conditions"]] == ["numeric_state", "time"]


def test_the_same_trigger_is_given_once() -> None:
    config, _ = export(conditions=[temperature("above", 20), temperature("above", 20)])
    assert len(config["triggers"]) == 1
    assert len(config["conditions"]) == 2


async def test_a_window_over_midnight_holds_at_night(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    config, _ = export(
        conditions=[{"type": "time", "operator": "between", "value": ["22:00", "06:00"]}]
    )
    validated = await condition_helper.async_validate_condition_config(
        hass, cv.CONDITION_SCHEMA(config["conditions"][0])
    )
    check = await condition_helper.async_from_config(hass, validated)
    zone = dt_util.get_default_time_zone()
    for hour, expected in [(23, True), (3, True), (12, False), (21, False)]:
        freezer.move_to(datetime(2025, 7, 1, hour, 0, tzinfo=zone))
        assert check(hass) is expected, hour


# --- what cannot be exported --------------------------------------------------------------


def test_an_unknown_device_is_warned_and_skipped() -> None:
    config, warnings = export(
        conditions=[temperature("above", 28, device_id="GONE"), temperature("below", 30)]
    )
    assert len(warnings) == 1
    assert "GONE" in warnings[0]
    assert "temperature" in warnings[0]
    # The other condition is still there, and the description says what is missing.
    assert config["conditions"] == [
        {
            "condition": "numeric_state",
            "entity_id": "sensor.living_meter_temperature",
            "below": 30.0,
        }
    ]
    assert "Not exported: condition 1 (temperature above 28.0)" in config["description"]


def test_the_mean_of_all_sensors_is_warned_and_skipped() -> None:
    config, warnings = export(
        schedule={"type": "daily", "time": "07:00"},
        conditions=[{"type": "humidity", "operator": "above", "value": 60}],
    )
    assert config["conditions"] == []
    assert len(warnings) == 1
    assert "mean of every RoomSense humidity sensor" in warnings[0]
    assert "Not exported" in config["description"]


def test_an_unknown_device_state_is_warned() -> None:
    _, warnings = export(
        schedule={"type": "daily", "time": "07:00"},
        conditions=[{"type": "device_state", "value": "on", "device_id": "PLUG9"}],
    )
    assert len(warnings) == 1
    assert "state of RoomSense device PLUG9" in warnings[0]


def test_no_trigger_left_is_warned() -> None:
    config, warnings = export(conditions=[temperature("above", 28, device_id="GONE")])
    assert config["triggers"] == []
    assert any("never runs" in warning for warning in warnings)


# --- actions ------------------------------------------------------------------------------


def test_actions() -> None:
    config, warnings = export(
        schedule={"type": "daily", "time": "07:00"},
        actions=[
            {
                "type": "device_command",
                "device_id": "AC1",
                "command": "setAll",
                "parameter": "26,2,1,on",
            },
            {
                "type": "device_command",
                "device_id": "IR1",
                "command": "Power",
                "command_type": "customize",
                "delay": 90,
            },
            {"type": "scene", "scene_id": "T01-scene", "delay": 0.5},
            {
                "type": "notification",
                "message": "おはよう",
                "title": "RoomSense",
                "service": "notify.mobile_app_phone",
            },
            {"type": "notification", "message": "Done", "delay": 3725},
            {
                "type": "service",
                "service": "light.turn_on",
                "data": {"brightness_pct": 40},
                "target": {"entity_id": "light.living"},
            },
            {"type": "service", "service": "script.good_night"},
        ],
    )
    assert warnings == []
    assert config["actions"] == [
        {
            "action": "roomsense.send_command",
            "data": {
                "device_id": "AC1",
                "command": "setAll",
                "parameter": "26,2,1,on",
                "command_type": "command",
            },
        },
        {"delay": "00:01:30"},
        {
            "action": "roomsense.send_command",
            "data": {
                "device_id": "IR1",
                "command": "Power",
                "parameter": "default",
                "command_type": "customize",
            },
        },
        {"delay": "00:00:00.5"},
        {"action": "roomsense.execute_scene", "data": {"scene_id": "T01-scene"}},
        {
            "action": "notify.mobile_app_phone",
            "data": {"message": "おはよう", "title": "RoomSense"},
        },
        {"delay": "01:02:05"},
        {"action": "persistent_notification.create", "data": {"message": "Done"}},
        {
            "action": "light.turn_on",
            "data": {"brightness_pct": 40},
            "target": {"entity_id": "light.living"},
        },
        {"action": "script.good_night"},
    ]


# --- YAML ---------------------------------------------------------------------------------


def test_yaml_round_trips() -> None:
    config, _ = export(
        name="夜の見回り",
        description="Lock up at night.\nTwo lines.",
        schedule={"type": "weekly", "time": "12:30", "days": ["sat"]},
        conditions=[
            temperature("between", [20, 30]),
            {"type": "device_state", "value": "on", "device_id": "PLUG1"},
        ],
        actions=[COMMAND, {"type": "notification", "message": "施錠しました", "delay": 5}],
    )
    text = automation_yaml(config)
    assert "夜の見回り" in text  # readable, not escaped
    assert "triggers:" in text
    assert "- trigger: time" in text
    # "12:30:00" must stay a string (YAML 1.1 would read it as a number in base 60).
    assert parse_yaml(text) == config


# --- Home Assistant accepts them, and they run ---------------------------------------------

EVERYTHING = [
    {"schedule": {"type": "daily", "time": "07:00"}},
    {"schedule": {"type": "weekly", "time": "07:00", "days": ["mon", "wed"]}},
    {"schedule": {"type": "interval", "minutes": 15}},
    {"schedule": {"type": "interval", "minutes": 120}},
    {"schedule": {"type": "interval", "minutes": 1440}},
    {"schedule": {"type": "interval", "minutes": 10_080}},
    {"schedule": {"type": "once", "at": "2025-07-01T07:30:00+09:00"}},
    {
        "conditions": [
            temperature("above", 28),
            temperature("between", [18, 24]),
            temperature("equals", 25),
            {"type": "humidity", "operator": "below", "value": 40, "device_id": "METER1"},
            {"type": "device_state", "value": "on", "device_id": "PLUG1"},
            {
                "type": "device_state",
                "operator": "not_equals",
                "value": "heat",
                "entity_id": "climate.living",
                "attribute": "hvac_action",
            },
            {"type": "time", "operator": "between", "value": ["22:00", "06:00"]},
            {"type": "time", "operator": "equals", "value": "07:00"},
            {"type": "time", "operator": "before", "value": "09:00"},
            {"type": "time", "operator": "after", "value": "17:00"},
        ],
        "actions": [
            {
                "type": "device_command",
                "device_id": "AC1",
                "command": "setAll",
                "parameter": "26,2,1,on",
                "delay": 10,
            },
            {
                "type": "device_command",
                "device_id": "BOT1",
                "command": "press",
                "parameter": {"mode": 1},
            },
            {"type": "scene", "scene_id": "T01-scene", "delay": 1.25},
            {
                "type": "notification",
                "message": "hi",
                "title": "t",
                "service": "notify.mobile_app_phone",
            },
            {"type": "notification", "message": "hi"},
            {
                "type": "service",
                "service": "light.turn_on",
                "data": {"brightness_pct": 40},
                "target": {"entity_id": "light.living"},
            },
        ],
    },
]


@pytest.fixture
def roomsense_services(hass: HomeAssistant) -> dict[str, list[Any]]:
    """RoomSense's services, recorded: the export must not need RoomSense itself to load."""
    return {
        "send_command": async_mock_service(hass, "roomsense", "send_command"),
        "execute_scene": async_mock_service(hass, "roomsense", "execute_scene"),
    }


@pytest.mark.usefixtures("roomsense_services")
@pytest.mark.parametrize("fields", EVERYTHING)
async def test_home_assistant_validates_the_export(
    hass: HomeAssistant, fields: dict[str, Any]
) -> None:
    config, _ = export(**fields)
    validated = await async_validate_config_item(hass, config["id"], config)
    assert validated is not None
    assert validated.validation_status is ValidationStatus.OK
    # And the same after a trip through YAML, as a user pastes it.
    again = await async_validate_config_item(
        hass, config["id"], parse_yaml(automation_yaml(config))
    )
    assert again is not None
    assert again.validation_status is ValidationStatus.OK


@pytest.fixture(autouse=True)
async def automations_off_at_the_end(hass: HomeAssistant) -> AsyncIterator[None]:
    """Detach the automations' time triggers, which would otherwise outlive the test."""
    yield
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )


async def load_automation(hass: HomeAssistant, config: dict[str, Any]) -> None:
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    state = hass.states.get("automation.test_rule")
    assert state is not None
    assert state.state == "on"


async def test_a_daily_rule_fires_at_its_time(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    roomsense_services: dict[str, list[Any]],
) -> None:
    await hass.config.async_set_time_zone("Asia/Tokyo")
    freezer.move_to(datetime(2025, 7, 1, 6, 0, tzinfo=TOKYO))
    config, _ = export(
        schedule={"type": "daily", "time": "07:30"},
        actions=[
            {
                "type": "device_command",
                "device_id": "AC1",
                "command": "setAll",
                "parameter": "26,2,1,on",
            }
        ],
    )
    await load_automation(hass, config)
    sent = roomsense_services["send_command"]

    at_7_29 = datetime(2025, 7, 1, 7, 29, tzinfo=TOKYO)
    freezer.move_to(at_7_29)
    async_fire_time_changed(hass, at_7_29)
    await hass.async_block_till_done()
    assert sent == []

    at_7_30 = datetime(2025, 7, 1, 7, 30, tzinfo=TOKYO)
    freezer.move_to(at_7_30)
    async_fire_time_changed(hass, at_7_30)
    await hass.async_block_till_done()

    assert len(sent) == 1
    assert dict(sent[0].data) == {
        "device_id": "AC1",
        "command": "setAll",
        "parameter": "26,2,1,on",
        "command_type": "command",
    }

    # And again the next day.
    next_day = at_7_30 + timedelta(days=1)
    freezer.move_to(next_day)
    async_fire_time_changed(hass, next_day)
    await hass.async_block_till_done()
    assert len(sent) == 2


async def test_a_once_rule_fires_on_its_day_only(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    roomsense_services: dict[str, list[Any]],
) -> None:
    await hass.config.async_set_time_zone("Asia/Tokyo")
    freezer.move_to(datetime(2025, 6, 30, 12, 0, tzinfo=TOKYO))
    config, _ = export(
        schedule={"type": "once", "at": "2025-07-01T07:30:00+09:00"},
        actions=[{"type": "scene", "scene_id": "T01-scene"}],
    )
    await load_automation(hass, config)
    scenes = roomsense_services["execute_scene"]

    for day in (1, 2):
        moment = datetime(2025, 7, day, 7, 30, tzinfo=TOKYO)
        freezer.move_to(moment)
        async_fire_time_changed(hass, moment)
        await hass.async_block_till_done()

    assert [dict(call.data) for call in scenes] == [{"scene_id": "T01-scene"}]


async def test_a_temperature_rule_fires_when_it_gets_hot(
    hass: HomeAssistant, roomsense_services: dict[str, list[Any]]
) -> None:
    entity = ENTITIES[("METER1", "temperature")]
    hass.states.async_set(entity, "25")
    config, _ = export(conditions=[temperature("above", 28)], actions=[COMMAND])
    await load_automation(hass, config)
    sent = roomsense_services["send_command"]

    hass.states.async_set(entity, "27")
    await hass.async_block_till_done()
    assert sent == []
    hass.states.async_set(entity, "28.5")
    await hass.async_block_till_done()
    assert len(sent) == 1
    assert sent[0].data["command"] == "turnOn"
