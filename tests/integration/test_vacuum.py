"""Robot vacuums: both command sets reach the cloud as the models expect them."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense.vacuum import VacuumEntityFeature

from ..conftest import SimulatorAdmin, commands_sent, home_with
from .conftest import entity_id, entity_service

LEGACY_TYPES = ("Robot Vacuum Cleaner S1", "Robot Vacuum Cleaner S1 Plus", "K10+", "K10+ Pro")
# (type, waterLevel in startClean, waterLevel in changeParam)
CLEAN_TYPES = (
    ("Robot Vacuum Cleaner K10+ Pro Combo", False, False),
    ("Robot Vacuum Cleaner K20 Plus Pro", False, True),
    # The same robot by the name the cloud's list gives it.
    ("K20+ Pro", False, True),
    ("Robot Vacuum Cleaner K11+", False, True),
    # The spellings Home Assistant's own integration takes from the cloud's list too.
    ("Robot Vacuum Cleaner K11 Plus", False, True),
    ("Robot Vacuum Cleaner S10", True, True),
    ("Robot Vacuum Cleaner S20", True, True),
    ("S20", True, True),
)
ALL_TYPES = (*LEGACY_TYPES, *(device_type for device_type, _, _ in CLEAN_TYPES))
DEVICE_IDS = {device_type: f"{n:012d}" for n, device_type in enumerate(ALL_TYPES, start=1)}
S1 = DEVICE_IDS["Robot Vacuum Cleaner S1"]
S10 = DEVICE_IDS["Robot Vacuum Cleaner S10"]


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with(*ALL_TYPES)


def vacuum_entity(hass: HomeAssistant, device_id: str) -> str:
    return entity_id(hass, "vacuum", f"{device_id}_vacuum")


def battery(hass: HomeAssistant, device_id: str) -> str:
    """The robot's battery sensor (vacuum entities have no battery since 2025.8)."""
    return hass.states.get(entity_id(hass, "sensor", f"{device_id}_battery")).state


def command(name: str, parameter: str | dict[str, Any] = "default") -> dict[str, Any]:
    return {"command": name, "parameter": parameter, "commandType": "command"}


async def cloud_state(hass: HomeAssistant, entry: MockConfigEntry, device_id: str) -> str:
    """The state once Home Assistant has read the device back from the cloud."""
    await entry.runtime_data.coordinator.async_poll_device(device_id)
    return hass.states.get(vacuum_entity(hass, device_id)).state


async def test_every_model_shows_its_status(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    for device_type, device_id in DEVICE_IDS.items():
        state = hass.states.get(vacuum_entity(hass, device_id))
        assert state.state == "docked"
        assert "battery_level" not in state.attributes
        assert battery(hass, device_id) == "100"
        assert state.attributes["fan_speed_list"] == ["quiet", "standard", "strong", "max"]
        # The status does not report the suction level; nothing was set yet.
        assert state.attributes["fan_speed"] is None
        features = VacuumEntityFeature(state.attributes["supported_features"])
        assert VacuumEntityFeature.STOP in features
        assert (VacuumEntityFeature.PAUSE in features) == (device_type not in LEGACY_TYPES)


@pytest.mark.parametrize("device_type", LEGACY_TYPES)
async def test_s1_family_start_fan_speed_stop_dock(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin, device_type: str
) -> None:
    device_id = DEVICE_IDS[device_type]
    entity = vacuum_entity(hass, device_id)

    await entity_service(hass, "vacuum", "start", entity)
    assert hass.states.get(entity).state == "cleaning"
    assert await cloud_state(hass, setup_entry, device_id) == "cleaning"

    await entity_service(hass, "vacuum", "set_fan_speed", entity, fan_speed="max")
    assert hass.states.get(entity).attributes["fan_speed"] == "max"

    await entity_service(hass, "vacuum", "stop", entity)
    assert hass.states.get(entity).state == "idle"
    assert await cloud_state(hass, setup_entry, device_id) == "idle"

    await entity_service(hass, "vacuum", "return_to_base", entity)
    assert hass.states.get(entity).state == "returning"
    # The simulated robot arrives at once.
    assert await cloud_state(hass, setup_entry, device_id) == "docked"

    assert await commands_sent(sim_admin, device_id) == [
        command("start"),
        command("PowLevel", "3"),
        command("stop"),
        command("dock"),
    ]
    assert (await sim_admin.device(device_id))["internal"]["powLevel"] == 3


@pytest.mark.parametrize(("device_type", "water_on_start", "water_on_change"), CLEAN_TYPES)
async def test_newer_robots_start_clean_pause_and_dock(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    device_type: str,
    water_on_start: bool,
    water_on_change: bool,
) -> None:
    device_id = DEVICE_IDS[device_type]
    entity = vacuum_entity(hass, device_id)

    def settings(fan_level: int, water_level: bool) -> dict[str, Any]:
        return {"fanLevel": fan_level, **({"waterLevel": 1} if water_level else {}), "times": 1}

    await entity_service(hass, "vacuum", "start", entity)
    state = hass.states.get(entity)
    assert (state.state, state.attributes["fan_speed"]) == ("cleaning", "standard")
    assert await cloud_state(hass, setup_entry, device_id) == "cleaning"

    await entity_service(hass, "vacuum", "set_fan_speed", entity, fan_speed="quiet")
    assert hass.states.get(entity).attributes["fan_speed"] == "quiet"
    assert (await sim_admin.device(device_id))["internal"]["fanLevel"] == 1

    await entity_service(hass, "vacuum", "pause", entity)
    assert hass.states.get(entity).state == "paused"
    assert await cloud_state(hass, setup_entry, device_id) == "paused"

    await entity_service(hass, "vacuum", "start", entity)
    assert await cloud_state(hass, setup_entry, device_id) == "cleaning"
    # No `stop` on these models: stopping pauses.
    await entity_service(hass, "vacuum", "stop", entity)
    assert hass.states.get(entity).state == "paused"
    assert await cloud_state(hass, setup_entry, device_id) == "paused"

    await entity_service(hass, "vacuum", "return_to_base", entity)
    assert hass.states.get(entity).state == "returning"
    assert await cloud_state(hass, setup_entry, device_id) == "docked"

    assert await commands_sent(sim_admin, device_id) == [
        command("startClean", {"action": "sweep", "param": settings(2, water_on_start)}),
        command("changeParam", settings(1, water_on_change)),
        command("pause"),
        command("startClean", {"action": "sweep", "param": settings(1, water_on_start)}),
        command("pause"),
        command("dock"),
    ]


async def test_fan_speed_levels(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    speeds = ("quiet", "standard", "strong", "max")
    for fan_speed in speeds:
        await entity_service(
            hass, "vacuum", "set_fan_speed", vacuum_entity(hass, S1), fan_speed=fan_speed
        )
        await entity_service(
            hass, "vacuum", "set_fan_speed", vacuum_entity(hass, S10), fan_speed=fan_speed
        )
    assert await commands_sent(sim_admin, S1) == [
        command("PowLevel", str(level)) for level in range(4)
    ]
    assert await commands_sent(sim_admin, S10) == [
        command("changeParam", {"fanLevel": level, "waterLevel": 1, "times": 1})
        for level in range(1, 5)
    ]


async def test_unknown_fan_speed_is_refused(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await entity_service(
            hass, "vacuum", "set_fan_speed", vacuum_entity(hass, S10), fan_speed="turbo"
        )
    assert caught.value.translation_key == "fan_speed_not_supported"
    assert await commands_sent(sim_admin, S10) == []


async def test_s1_family_cannot_pause(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    with pytest.raises(HomeAssistantError):
        await entity_service(hass, "vacuum", "pause", vacuum_entity(hass, S1))
    assert await commands_sent(sim_admin, S1) == []


async def test_offline_robot_refuses_commands(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = vacuum_entity(hass, S10)
    await sim_admin.set_online(S10, False)
    with pytest.raises(HomeAssistantError) as caught:
        await entity_service(hass, "vacuum", "start", entity)
    assert caught.value.translation_key == "device_offline"
    assert hass.states.get(entity).state == "docked"


ACTIVITIES = {
    "StandBy": "idle",
    "Clearing": "cleaning",
    "Paused": "paused",
    "GotoChargeBase": "returning",
    "Charging": "docked",
    "ChargeDone": "docked",
    "Dormant": "idle",
    "InTrouble": "error",
    "InRemoteControl": "cleaning",
    "InDustCollecting": "docked",
}


async def test_working_status_becomes_the_activity(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    for level, (working_status, activity) in enumerate(ACTIVITIES.items(), start=40):
        await sim_admin.request(
            "POST",
            f"devices/{S10}/event",
            {"status": {"workingStatus": working_status, "battery": level}},
        )
        assert await cloud_state(hass, setup_entry, S10) == activity, working_status
        assert battery(hass, S10) == str(level)


async def test_robot_reported_offline_is_unavailable(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.request("POST", f"devices/{S1}/event", {"status": {"onlineStatus": "offline"}})
    assert await cloud_state(hass, setup_entry, S1) == STATE_UNAVAILABLE
