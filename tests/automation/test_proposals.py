"""Automation proposals from device events, and the validation of suggested workflows."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.roomsense.automation.models import WORKFLOW_SCHEMA
from custom_components.roomsense.automation.proposals import CATEGORIES, propose, validate
from custom_components.roomsense.home_model import (
    DeviceKind,
    HomeDevice,
    HomeSnapshot,
    SceneInfo,
)

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2025, 1, 15, 23, 30, tzinfo=TOKYO)


def device(
    device_id: str, name: str, kind: DeviceKind, device_type: str, area: str | None = None
) -> HomeDevice:
    return HomeDevice(
        device_id=device_id,
        name=name,
        kind=kind,
        device_type=device_type,
        area=area,
        is_infrared=device_type in ("Air Conditioner", "TV"),
    )


HOME = HomeSnapshot(
    devices=[
        device("CONTACT", "Front door sensor", DeviceKind.SENSOR, "Contact Sensor", "Entrance"),
        device("ENTRY-LIGHT", "Entrance light", DeviceKind.LIGHT, "Color Bulb", "Entrance"),
        device("MOTION", "Hall motion", DeviceKind.SENSOR, "Motion Sensor", "Hall"),
        device("HALL-LIGHT", "Hall light", DeviceKind.LIGHT, "Ceiling Light", "Hall"),
        device("METER", "Living meter", DeviceKind.SENSOR, "Meter", "Living"),
        device("AC", "Living AC", DeviceKind.AIR_CONDITIONER, "Air Conditioner", "Living"),
        device("HUMIDIFIER", "Living humidifier", DeviceKind.HUMIDIFIER, "Humidifier2", "Living"),
        device("LOCK", "Front door lock", DeviceKind.LOCK, "Smart Lock Pro", "Entrance"),
        device("PLUG", "Heater plug", DeviceKind.PLUG, "Plug Mini (JP)", "Living"),
        device("LEAK", "Wash room leak", DeviceKind.SENSOR, "Water Detector", "Wash room"),
        device("GARAGE", "Garage door", DeviceKind.SWITCH, "Garage Door Opener"),
        device("TV", "Living TV", DeviceKind.TV, "TV", "Living"),
    ],
    scenes=[SceneInfo("SCENE-1", "Good night")],
)


def at(hour: int, minute: int = 0, days_ago: int = 0) -> str:
    return (NOW.replace(hour=hour, minute=minute) - timedelta(days=days_ago)).isoformat()


def proposals_for(
    events: list[dict[str, Any]],
    rules: list[dict[str, Any]] | None = None,
    language: str = "en",
    integrations: tuple[str, ...] = ("sun",),  # a home set up with default_config has sun
) -> list[dict[str, Any]]:
    return propose(
        events,
        snapshot=HOME,
        rules=rules or [],
        now=NOW,
        language=language,
        integrations=integrations,
    )


def only(found: list[dict[str, Any]], category: str) -> dict[str, Any]:
    matching = [proposal for proposal in found if proposal["category"] == category]
    assert len(matching) == 1, [proposal["title"] for proposal in found]
    return matching[0]


def command_actions(proposal: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [
        (action["device_id"], action["command"], action["parameter"])
        for action in proposal["suggestion"]["actions"]
        if action["type"] == "device_command"
    ]


def rule(rule_id: str, **fields: Any) -> dict[str, Any]:
    """A saved rule as the engine keeps it."""
    validated = WORKFLOW_SCHEMA({"name": rule_id, **fields})
    return {"id": rule_id, **validated}


# --- one trigger per category ---------------------------------------------------------------


def test_door_opening_after_dark_lights_the_entrance() -> None:
    events = [
        {"device_id": "CONTACT", "device_type": "Contact Sensor", "event_type": "changeReport",
         "changed": {"openState": "open"}, "timestamp": at(19, 5, days_ago=1)},
        {"device_id": "CONTACT", "changed": {"openState": "open"}, "timestamp": at(20, 40, 2)},
    ]  # fmt: skip
    proposal = only(proposals_for(events), "lighting")
    assert command_actions(proposal) == [("ENTRY-LIGHT", "turnOn", "default")]
    conditions = proposal["suggestion"]["conditions"]
    assert {
        "type": "device_state",
        "device_id": "CONTACT",
        "value": "on",
        "operator": "equals",
    } in (conditions)
    assert any(condition.get("entity_id") == "sun.sun" for condition in conditions)
    assert proposal["suggestion"]["schedule"] is None
    assert "twice" in proposal["reason"]
    assert proposal["confidence"] == pytest.approx(0.6)


def test_after_sunset_needs_the_sun_integration_and_says_so() -> None:
    events = [
        {"device_id": "CONTACT", "changed": {"openState": "open"}, "timestamp": at(19, 5, 1)},
        {"device_id": "MOTION", "changed": {"moveDetected": True}, "timestamp": at(2, 10)},
    ]  # fmt: skip
    with_sun = proposals_for(events)
    door = next(p for p in with_sun if p["suggestion"]["actions"][0]["device_id"] == "ENTRY-LIGHT")
    assert door["requires"] == ["sun"]
    assert "Sun integration" in door["description"]
    assert door["suggestion"]["description"] == door["description"]
    japanese = proposals_for(events, language="ja")
    door_ja = next(p for p in japanese if p["id"] == door["id"])
    assert door_ja["requires"] == ["sun"]
    assert "「太陽」(sun)インテグレーションが必要です" in door_ja["description"]
    # The other lighting rule keeps to the clock and needs nothing more.
    motion = next(p for p in with_sun if p["id"] != door["id"])
    assert motion["requires"] == []
    assert "Sun" not in motion["description"]

    # Without sun, sun.sun never exists and the rule would never fire: it is not offered.
    without_sun = proposals_for(events, integrations=())
    assert [p["id"] for p in without_sun] == [motion["id"]]
    assert [p["id"] for p in proposals_for(events, integrations=("light", "switchbot"))] == [
        motion["id"]
    ]
    # Nothing said about the loaded integrations: nothing that needs one is offered.
    bare = propose(events, snapshot=HOME, rules=[], now=NOW)
    assert [p["id"] for p in bare] == [motion["id"]]


def test_door_opening_in_daylight_proposes_nothing() -> None:
    events = [{"device_id": "CONTACT", "changed": {"openState": "open"}, "timestamp": at(11)}]
    assert proposals_for(events) == []


def test_motion_at_night_dims_the_hall_light() -> None:
    events = [{"device_id": "MOTION", "changed": {"moveDetected": True}, "timestamp": at(2, 10)}]
    proposal = only(proposals_for(events), "lighting")
    assert command_actions(proposal) == [
        ("HALL-LIGHT", "turnOn", "default"),
        ("HALL-LIGHT", "setBrightness", "10"),
    ]
    time_condition = next(c for c in proposal["suggestion"]["conditions"] if c["type"] == "time")
    assert time_condition["value"] == ["22:00", "06:00"]


def test_heat_turns_the_air_conditioner_on() -> None:
    events = [
        {"device_id": "METER", "changed": {"temperature": 29.4}, "timestamp": at(14, 0, 1)},
        {"device_id": "METER", "changed": {"temperature": 30.2}, "timestamp": at(15, 0, 1)},
        {"device_id": "METER", "changed": {"temperature": 27.0}, "timestamp": at(16, 0, 1)},
    ]
    proposal = only(proposals_for(events), "climate")
    assert command_actions(proposal) == [("AC", "setAll", "26,2,1,on")]
    (condition,) = proposal["suggestion"]["conditions"]
    assert condition["type"] == "temperature"
    assert condition["operator"] == "above"
    assert condition["value"] == 28
    assert condition["device_id"] == "METER"
    assert "30.2" in proposal["reason"]


def test_a_warm_but_not_hot_room_proposes_nothing() -> None:
    events = [{"device_id": "METER", "changed": {"temperature": 27.9}, "timestamp": at(14)}]
    assert proposals_for(events) == []


def test_cold_proposes_heating() -> None:
    events = [{"device_id": "METER", "changed": {"temperature": 14.5}, "timestamp": at(6)}]
    proposal = only(proposals_for(events), "climate")
    assert command_actions(proposal) == [("AC", "setAll", "22,5,1,on")]


def test_a_lock_left_unlocked_at_night_gets_a_reminder_never_an_unlock() -> None:
    events = [
        {"device_id": "LOCK", "changed": {"lockState": "unlock"}, "timestamp": at(22, 30, 1)},
        {"device_id": "LOCK", "changed": {"lockState": "unlock"}, "timestamp": at(23, 10, 3)},
    ]
    proposal = only(proposals_for(events), "security")
    suggestion = proposal["suggestion"]
    assert suggestion["schedule"] == {"type": "daily", "time": "23:00"}
    assert suggestion["conditions"] == [
        {"type": "device_state", "device_id": "LOCK", "value": "unlocked", "operator": "equals"}
    ]
    (action,) = suggestion["actions"]
    assert action["type"] == "notification"
    assert "Front door lock" in action["message"]
    assert command_actions(proposal) == []


def test_a_lock_unlocked_in_the_afternoon_is_no_concern() -> None:
    events = [{"device_id": "LOCK", "changed": {"lockState": "unlock"}, "timestamp": at(15)}]
    assert proposals_for(events) == []


def test_a_leak_is_alerted() -> None:
    events = [
        {"eventType": "changeReport", "eventVersion": "1",
         "context": {"deviceType": "Water Detector", "deviceMac": "LEAK",
                     "detectionState": "DETECTED", "timeOfSample": 1736900000000}},
    ]  # fmt: skip
    proposal = only(proposals_for(events), "security")
    assert proposal["suggestion"]["actions"][0]["type"] == "notification"
    assert proposal["confidence"] >= 0.8


def test_dry_air_turns_the_humidifier_on() -> None:
    events = [{"device_id": "METER", "changed": {"humidity": 35}, "timestamp": at(10)}]
    proposal = only(proposals_for(events), "comfort")
    assert command_actions(proposal) == [
        ("HUMIDIFIER", "turnOn", "default"),
        ("HUMIDIFIER", "setMode", {"mode": 5, "targetHumidify": 50}),
    ]
    (condition,) = proposal["suggestion"]["conditions"]
    assert (condition["type"], condition["operator"], condition["value"]) == (
        "humidity",
        "below",
        40,
    )


def test_humid_air_runs_the_air_conditioner_dry() -> None:
    events = [{"device_id": "METER", "changed": {"humidity": 78}, "timestamp": at(10)}]
    proposal = only(proposals_for(events), "comfort")
    assert command_actions(proposal) == [("AC", "setAll", "25,3,1,on")]


def test_a_plug_left_on_is_turned_off_at_a_time() -> None:
    events = [
        {"device_id": "PLUG", "changed": {"power": "on"}, "timestamp": at(7, 0, 2)},
        {"device_id": "PLUG", "changed": {"power": "off"}, "timestamp": at(12, 0, 2)},
        {"device_id": "PLUG", "changed": {"power": "on"}, "timestamp": at(7, 20, 1)},
        {"device_id": "PLUG", "changed": {"power": "off"}, "timestamp": at(8, 0, 1)},
    ]
    proposal = only(proposals_for(events), "energy")
    assert command_actions(proposal) == [("PLUG", "turnOff", "default")]
    # Switched on at 07:00, so off three hours later.
    assert proposal["suggestion"]["schedule"] == {"type": "daily", "time": "10:00"}
    assert proposal["suggestion"]["conditions"][0]["value"] == "on"
    assert "once" in proposal["reason"]


def test_a_plug_still_on_now_counts() -> None:
    events = [{"device_id": "PLUG", "changed": {"power": "on"}, "timestamp": at(18, 0)}]
    proposal = only(proposals_for(events), "energy")
    assert proposal["suggestion"]["schedule"]["time"] == "21:00"


def test_a_light_on_with_nobody_around_is_turned_off() -> None:
    events = [
        {"device_id": "HALL-LIGHT", "changed": {"power": "on"}, "timestamp": at(20, 0, 2)},
        {"device_id": "MOTION", "changed": {"moveDetected": True}, "timestamp": at(20, 10, 2)},
        {"device_id": "HALL-LIGHT", "changed": {"power": "off"}, "timestamp": at(23, 45, 2)},
    ]
    proposal = only(proposals_for(events), "energy")
    assert command_actions(proposal) == [("HALL-LIGHT", "turnOff", "default")]
    assert proposal["suggestion"]["schedule"] == {"type": "daily", "time": "21:30"}
    values = {c["device_id"]: c["value"] for c in proposal["suggestion"]["conditions"]}
    assert values == {"HALL-LIGHT": "on", "MOTION": "off"}


def test_a_light_with_people_around_stays_on() -> None:
    events = [
        {"device_id": "HALL-LIGHT", "changed": {"power": "on"}, "timestamp": at(20, 0, 2)},
        {"device_id": "MOTION", "changed": {"moveDetected": True}, "timestamp": at(20, 50, 2)},
        {"device_id": "HALL-LIGHT", "changed": {"power": "off"}, "timestamp": at(21, 10, 2)},
    ]
    assert proposals_for(events) == []


# --- all proposals --------------------------------------------------------------------------

EVERYTHING = [
    {"device_id": "CONTACT", "changed": {"openState": "open"}, "timestamp": at(19, 5, 1)},
    {"device_id": "MOTION", "changed": {"moveDetected": True}, "timestamp": at(2, 10, 1)},
    {"device_id": "METER", "changed": {"temperature": 29.5, "humidity": 35},
     "timestamp": at(14, 0, 1)},
    {"device_id": "LOCK", "changed": {"lockState": "unlock"}, "timestamp": at(22, 30, 1)},
    {"device_id": "PLUG", "changed": {"power": "on"}, "timestamp": at(7, 0, 2)},
    {"device_id": "PLUG", "changed": {"power": "off"}, "timestamp": at(12, 0, 2)},
]  # fmt: skip


def test_every_proposal_is_a_valid_workflow_of_this_home() -> None:
    found = proposals_for(EVERYTHING)
    assert {proposal["category"] for proposal in found} == set(CATEGORIES)
    device_ids = {d.device_id for d in HOME.devices}
    for proposal in found:
        assert set(proposal) == {
            "id", "title", "description", "category", "confidence", "reason", "requires",
            "suggestion",
        }  # fmt: skip
        assert set(proposal["requires"]) <= {"sun"}
        assert proposal["category"] in CATEGORIES
        assert 0 < proposal["confidence"] <= 1
        suggestion = proposal["suggestion"]
        assert WORKFLOW_SCHEMA(copy.deepcopy(suggestion)) == suggestion
        assert suggestion["source"] == "pattern"
        assert suggestion["language"] == "en"
        named = [item["device_id"] for item in [*suggestion["conditions"], *suggestion["actions"]]
                 if "device_id" in item]  # fmt: skip
        assert set(named) <= device_ids
        check = validate(suggestion, snapshot=HOME, rules=[])
        assert check["valid"], check
        assert check["safety"]["safe"]
    confidences = [proposal["confidence"] for proposal in found]
    assert confidences == sorted(confidences, reverse=True)


def test_ids_are_stable_and_unique() -> None:
    first = proposals_for(EVERYTHING)
    again = proposals_for(list(reversed(EVERYTHING)))
    japanese = proposals_for(EVERYTHING, language="ja")
    ids = sorted(proposal["id"] for proposal in first)
    assert len(set(ids)) == len(ids)
    assert sorted(proposal["id"] for proposal in again) == ids
    assert sorted(proposal["id"] for proposal in japanese) == ids


def test_japanese_texts() -> None:
    found = proposals_for(EVERYTHING, language="ja")
    security = only(found, "security")
    assert security["title"] == "23:00にFront door lockが解錠されたままなら通知"
    assert (
        security["suggestion"]["actions"][0]["message"] == "Front door lockが解錠されたままです。"
    )
    assert security["suggestion"]["language"] == "ja"
    climate = only(found, "climate")
    assert "28℃" in climate["title"]


def test_camel_case_events_are_accepted() -> None:
    events = [
        {"deviceId": "CONTACT", "deviceType": "Contact Sensor", "eventType": "changeReport",
         "openState": "open", "timestamp": at(21, 0, 1)},
        {"deviceId": "METER", "deviceType": "Meter", "temperature": "31.5",
         "timeOfSample": int(datetime.fromisoformat(at(15)).timestamp() * 1000)},
        {"deviceId": "LOCK", "eventType": "unlocked", "timestamp": at(23, 5, 1)},
        {"deviceId": "PLUG", "state": "on", "timestamp": at(6, 0)},
    ]  # fmt: skip
    categories = {proposal["category"] for proposal in proposals_for(events)}
    assert categories == {"lighting", "climate", "security", "energy"}


def test_webhook_bodies_are_accepted() -> None:
    events = [
        {"eventType": "changeReport", "eventVersion": "1",
         "context": {"deviceType": "WoLock", "deviceMac": "LOCK", "lockState": "UNLOCKED",
                     "timeOfSample": int(datetime.fromisoformat(at(22, 0, 1)).timestamp() * 1000)}},
    ]  # fmt: skip
    assert only(proposals_for(events), "security")


def test_events_of_unknown_devices_or_shapes_are_ignored() -> None:
    events: list[Any] = [
        {"device_id": "ELSEWHERE", "changed": {"temperature": 35}, "timestamp": at(14)},
        {"changed": {"temperature": 35}},
        "not an event",
        {"device_id": "METER", "changed": {"temperature": "hot"}, "timestamp": "whenever"},
    ]
    assert proposals_for(events) == []


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        propose([], snapshot=HOME, rules=[], now=datetime(2025, 1, 15, 23, 30))


# --- existing rules -------------------------------------------------------------------------


def test_no_proposal_duplicates_a_saved_rule() -> None:
    events = [{"device_id": "METER", "changed": {"temperature": 29.5}, "timestamp": at(14)}]
    # A different threshold: still the same automation.
    above_27 = {"type": "temperature", "operator": "above", "value": 27, "device_id": "METER"}
    cool = {
        "type": "device_command",
        "device_id": "AC",
        "command": "setAll",
        "parameter": "26,2,1,on",
    }
    saved = rule("cool", conditions=[above_27], actions=[cool])
    assert proposals_for(events, [saved]) == []
    other = rule(
        "cool-bedroom",
        conditions=[
            {"type": "temperature", "operator": "above", "value": 28, "device_id": "METER"}
        ],
        actions=[{"type": "notification", "message": "hot"}],
    )
    assert only(proposals_for(events, [other]), "climate")


def test_a_proposal_that_would_fight_a_saved_rule_is_left_out() -> None:
    events = [{"device_id": "PLUG", "changed": {"power": "on"}, "timestamp": at(18, 0)}]
    keeps_on = rule(
        "heater on at nine",
        actions=[{"type": "device_command", "device_id": "PLUG", "command": "turnOn"}],
        schedule={"type": "daily", "time": "21:05"},
    )
    assert proposals_for(events, [keeps_on]) == []


# --- validation -----------------------------------------------------------------------------


def light_on(time: str = "07:00", **extra: Any) -> dict[str, Any]:
    return {
        "name": "Light on",
        "actions": [{"type": "device_command", "device_id": "HALL-LIGHT", "command": "turnOn"}],
        "schedule": {"type": "daily", "time": time},
        **extra,
    }


def check(suggestion: Any, rules: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return validate(suggestion, snapshot=HOME, rules=rules or [])


def test_a_sound_workflow_is_valid() -> None:
    assert check(light_on()) == {
        "valid": True,
        "errors": [],
        "warnings": [],
        "conflicts": [],
        "safety": {"safe": True, "issues": []},
    }


def test_schema_errors_are_readable() -> None:
    result = check(
        {
            "actions": [{"type": "device_command", "device_id": "HALL-LIGHT"}],
            "schedule": {"type": "daily", "time": "25:00"},
        }
    )
    assert not result["valid"]
    assert "name: required key not provided" in result["errors"]
    assert "actions[0].command: required key not provided" in result["errors"]
    assert any(error.startswith("schedule") and "25:00" in error for error in result["errors"])
    assert not check({"name": "never", "actions": light_on()["actions"]})["valid"]
    assert check("not a workflow")["errors"][0] == "a workflow is an object"


def test_unknown_devices_and_scenes_are_errors() -> None:
    result = check(
        {
            "name": "x",
            "conditions": [{"type": "temperature", "operator": "above", "value": 28,
                            "device_id": "GHOST-METER"}],
            "actions": [{"type": "device_command", "device_id": "GHOST", "command": "turnOn"},
                        {"type": "scene", "scene_id": "GHOST-SCENE"},
                        {"type": "scene", "scene_id": "SCENE-1"}],
        }
    )  # fmt: skip
    assert not result["valid"]
    assert result["errors"] == [
        "actions[0]: unknown device GHOST",
        "actions[1]: unknown scene GHOST-SCENE",
        "conditions[0]: unknown device GHOST-METER",
    ]


@pytest.mark.parametrize(
    ("device_id", "command"),
    [("LOCK", "unlock"), ("LOCK", "unlatch"), ("LOCK", "open"), ("LOCK", "deadbolt"),
     ("GARAGE", "turnOn"), ("GARAGE", "open"), ("SOMEWHERE", "unlock")],
)  # fmt: skip
def test_unlocking_is_never_automatic(device_id: str, command: str) -> None:
    suggestion = {
        "name": "let them in",
        "actions": [{"type": "device_command", "device_id": device_id, "command": command}],
        "schedule": {"type": "daily", "time": "08:00"},
    }
    result = check(suggestion)
    assert not result["valid"]
    assert not result["safety"]["safe"]
    assert result["safety"]["issues"]
    assert any(error.startswith("unsafe:") for error in result["errors"])


def test_locking_and_closing_are_fine() -> None:
    for device_id, command in (("LOCK", "lock"), ("GARAGE", "turnOff")):
        suggestion = {
            "name": "close up",
            "actions": [{"type": "device_command", "device_id": device_id, "command": command}],
            "schedule": {"type": "daily", "time": "23:00"},
        }
        assert check(suggestion)["safety"] == {"safe": True, "issues": []}


def test_unlocking_services_are_refused() -> None:
    for service, target in (
        ("lock.unlock", {}),
        ("cover.open_cover", {"entity_id": "cover.garage"}),
    ):
        suggestion = {
            "name": "service",
            "actions": [{"type": "service", "service": service, "target": target}],
            "schedule": {"type": "daily", "time": "08:00"},
        }
        assert not check(suggestion)["safety"]["safe"], service


def test_warnings() -> None:
    frequent = light_on(schedule={"type": "interval", "minutes": 2})
    assert any("cloud call" in warning for warning in check(frequent)["warnings"])
    assert check(light_on(schedule={"type": "interval", "minutes": 10}))["warnings"] == []
    ac_on = {
        "name": "AC",
        "actions": [{"type": "device_command", "device_id": "AC", "command": "turnOn"}],
        "schedule": {"type": "daily", "time": "18:00"},
    }
    result = check(ac_on)
    assert result["valid"]
    assert any("without a temperature" in warning for warning in result["warnings"])
    ac_on["actions"][0] |= {"command": "setAll", "parameter": "35,2,1,on"}
    assert any("outside" in warning for warning in check(ac_on)["warnings"])
    ac_on["actions"][0] |= {"parameter": "cold please"}
    assert not check(ac_on)["valid"]
    sensor = {
        "name": "meter",
        "actions": [{"type": "device_command", "device_id": "METER", "command": "turnOn"}],
        "schedule": {"type": "daily", "time": "18:00"},
    }
    assert any("sensor" in warning for warning in check(sensor)["warnings"])


def light_off_rule(time: str, **extra: Any) -> dict[str, Any]:
    return rule(
        "lights-out",
        actions=[{"type": "device_command", "device_id": "HALL-LIGHT", "command": "turnOff"}],
        schedule={"type": "daily", "time": time},
        **extra,
    )


def test_opposite_commands_at_the_same_time_conflict() -> None:
    result = check(light_on("07:05"), [light_off_rule("07:00")])
    assert result["valid"]
    (conflict,) = result["conflicts"]
    assert conflict["rule_id"] == "lights-out"
    assert "turnOff" in conflict["reason"]
    assert "Hall light" in conflict["reason"]


def test_opposite_commands_at_other_times_do_not_conflict() -> None:
    assert check(light_on("07:00"), [light_off_rule("23:00")])["conflicts"] == []


def test_weekly_days_must_overlap() -> None:
    weekdays = light_on(schedule={"type": "weekly", "time": "07:00", "days": ["mon", "tue"]})
    weekend = rule(
        "weekend-off",
        actions=[{"type": "device_command", "device_id": "HALL-LIGHT", "command": "turnOff"}],
        schedule={"type": "weekly", "time": "07:00", "days": ["sat", "sun"]},
    )
    assert check(weekdays, [weekend])["conflicts"] == []
    monday = rule(
        "monday-off",
        actions=[{"type": "device_command", "device_id": "HALL-LIGHT", "command": "turnOff"}],
        schedule={"type": "weekly", "time": "07:00", "days": ["mon"]},
    )
    assert len(check(weekdays, [monday])["conflicts"]) == 1


def test_condition_rules_conflict_within_their_time_window() -> None:
    on_motion = {
        "name": "motion light",
        "conditions": [
            {"type": "device_state", "device_id": "MOTION", "value": "on"},
            {"type": "time", "operator": "between", "value": ["22:00", "06:00"]},
        ],
        "actions": [{"type": "device_command", "device_id": "HALL-LIGHT", "command": "turnOn"}],
    }
    assert len(check(on_motion, [light_off_rule("01:00")])["conflicts"]) == 1
    assert check(on_motion, [light_off_rule("12:00")])["conflicts"] == []


def test_mutually_exclusive_conditions_do_not_conflict() -> None:
    when_occupied = {
        "name": "on with people",
        "conditions": [{"type": "device_state", "device_id": "MOTION", "value": "on"}],
        "actions": [{"type": "device_command", "device_id": "HALL-LIGHT", "command": "turnOn"}],
    }
    when_empty = rule(
        "off when empty",
        conditions=[{"type": "device_state", "device_id": "MOTION", "value": "off"}],
        actions=[{"type": "device_command", "device_id": "HALL-LIGHT", "command": "turnOff"}],
    )
    assert check(when_occupied, [when_empty])["conflicts"] == []
    hot = {
        "name": "cool",
        "conditions": [{"type": "temperature", "operator": "above", "value": 28}],
        "actions": [{"type": "device_command", "device_id": "AC", "command": "setAll",
                     "parameter": "26,2,1,on"}],
    }  # fmt: skip
    cool = rule(
        "off when cool",
        conditions=[{"type": "temperature", "operator": "below", "value": 24}],
        actions=[{"type": "device_command", "device_id": "AC", "command": "turnOff"}],
    )
    assert check(hot, [cool])["conflicts"] == []


def test_a_disabled_rule_does_not_conflict() -> None:
    assert check(light_on("07:00"), [light_off_rule("07:00", enabled=False)])["conflicts"] == []


def test_an_exact_duplicate_is_a_conflict() -> None:
    saved = rule("same", **light_on("07:00"))
    (conflict,) = check(light_on("7:00"), [saved])["conflicts"]
    assert conflict["rule_id"] == "same"
    assert "same rule" in conflict["reason"]
