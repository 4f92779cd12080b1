"""Fans: circulator fans, air purifiers and infrared fan remotes."""

from __future__ import annotations

from typing import Any

import probatio
import pytest
from homeassistant.components.fan import NotValidPresetModeError
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN, EntityCategory
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache,
    mock_restore_cache_with_extra_data,
)

from ..conftest import SimulatorAdmin, commands_sent, home_with
from .conftest import entity_id, entity_service

CIRCULATOR_TYPES = (
    "Battery Circulator Fan",
    "Circulator Fan",
    "Standing Circulator Fan",
    # The cloud's spelling of the standing fan, and a model the reference lacks.
    "Standing Fan",
    "Battery Circulator Fan 2 Pro",
)
PURIFIER_TYPES = (
    "Air Purifier VOC",
    "Air Purifier Table VOC",
    "Air Purifier PM2.5",
    "Air Purifier Table PM2.5",
)
DEVICE_IDS = {
    device_type: f"{n:012d}"
    for n, device_type in enumerate((*CIRCULATOR_TYPES, *PURIFIER_TYPES), start=1)
}
CIRCULATOR = DEVICE_IDS["Circulator Fan"]
PURIFIER = DEVICE_IDS["Air Purifier PM2.5"]
HUB = "AA0000000000"
IR_FAN = "02-202501011200-10000001"
DIY_IR_FAN = "02-202501011200-10000002"
IR_FAN_ENTITY = "fan.bedroom_fan"


@pytest.fixture
def home() -> dict[str, Any]:
    home = home_with(*CIRCULATOR_TYPES, *PURIFIER_TYPES)
    home["infraredRemotes"] = [
        {"deviceId": IR_FAN, "deviceName": "Bedroom fan", "remoteType": "Fan", "hubDeviceId": HUB},
        {
            "deviceId": DIY_IR_FAN,
            "deviceName": "Desk fan",
            "remoteType": "DIY Fan",
            "hubDeviceId": HUB,
        },
    ]
    return home


def fan_entity(hass: HomeAssistant, device_id: str) -> str:
    return entity_id(hass, "fan", f"{device_id}_fan")


async def poll(entry: MockConfigEntry, device_id: str) -> None:
    await entry.runtime_data.coordinator.async_poll_device(device_id)


async def set_up(hass: HomeAssistant, config_entry: MockConfigEntry) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()


# --- circulator fans ----------------------------------------------------------------------


async def test_circulator_fans_start_in_mode_and_speed(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    for device_type in CIRCULATOR_TYPES:
        device_id = DEVICE_IDS[device_type]
        entity = fan_entity(hass, device_id)
        state = hass.states.get(entity)
        assert state.state == STATE_OFF
        assert state.attributes["preset_modes"] == ["direct", "natural", "sleep", "baby"]
        assert state.attributes["preset_mode"] == "direct"
        assert state.attributes["percentage"] == 0

        await entity_service(hass, "fan", "turn_on", entity, percentage=30, preset_mode="natural")

        assert await commands_sent(sim_admin, device_id, "command", "parameter", "commandType") == [
            ("turnOn", "default", "command"),
            ("setWindMode", "natural", "command"),
            ("setWindSpeed", "30", "command"),
        ]
        state = hass.states.get(entity)
        assert state.state == STATE_ON
        assert state.attributes["percentage"] == 30
        assert state.attributes["preset_mode"] == "natural"
        await poll(setup_entry, device_id)
        state = hass.states.get(entity)
        assert (state.state, state.attributes["percentage"]) == (STATE_ON, 30)
        assert state.attributes["preset_mode"] == "natural"


async def test_circulator_fan_speed_and_mode_while_running(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = fan_entity(hass, CIRCULATOR)
    await entity_service(hass, "fan", "turn_on", entity)
    await entity_service(hass, "fan", "set_percentage", entity, percentage=100)
    await entity_service(hass, "fan", "set_preset_mode", entity, preset_mode="baby")
    await entity_service(hass, "fan", "set_percentage", entity, percentage=0)

    assert await commands_sent(sim_admin, CIRCULATOR, "command", "parameter", "commandType") == [
        ("turnOn", "default", "command"),
        ("setWindSpeed", "100", "command"),
        ("setWindMode", "baby", "command"),
        ("turnOff", "default", "command"),
    ]
    await poll(setup_entry, CIRCULATOR)
    state = hass.states.get(entity)
    assert state.state == STATE_OFF
    assert state.attributes["preset_mode"] == "baby"
    assert (await sim_admin.device(CIRCULATOR))["status"]["fanSpeed"] == 100


async def test_circulator_fan_speed_starts_a_stopped_fan(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = fan_entity(hass, CIRCULATOR)
    await entity_service(hass, "fan", "set_percentage", entity, percentage=45)
    assert await commands_sent(sim_admin, CIRCULATOR, "command", "parameter", "commandType") == [
        ("turnOn", "default", "command"),
        ("setWindSpeed", "45", "command"),
    ]
    await poll(setup_entry, CIRCULATOR)
    assert hass.states.get(entity).attributes["percentage"] == 45


async def test_invalid_fan_input_is_refused(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = fan_entity(hass, CIRCULATOR)
    with pytest.raises(NotValidPresetModeError):
        await entity_service(hass, "fan", "set_preset_mode", entity, preset_mode="turbo")
    with pytest.raises(probatio.Invalid):
        await entity_service(hass, "fan", "set_percentage", entity, percentage=101)
    assert await commands_sent(sim_admin, CIRCULATOR, "command", "parameter", "commandType") == []


async def test_circulator_fan_follows_physical_changes(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    event = {"status": {"power": "on", "fanSpeed": 75, "mode": "sleep"}}
    await sim_admin.request("POST", f"devices/{CIRCULATOR}/event", event)
    await poll(setup_entry, CIRCULATOR)
    state = hass.states.get(fan_entity(hass, CIRCULATOR))
    assert state.state == STATE_ON
    assert state.attributes["percentage"] == 75
    assert state.attributes["preset_mode"] == "sleep"


# --- night lights -------------------------------------------------------------------------

# The documented fans count bright "1", dim "2"; the 2 Pro counts from "0".
NIGHT_LIGHT_CODES = {
    "Battery Circulator Fan": {"bright": "1", "dim": "2"},
    "Circulator Fan": {"bright": "1", "dim": "2"},
    "Standing Circulator Fan": {"bright": "1", "dim": "2"},
    "Standing Fan": {"bright": "1", "dim": "2"},
    "Battery Circulator Fan 2 Pro": {"bright": "0", "dim": "1"},
}


def night_light_entity(hass: HomeAssistant, device_id: str) -> str:
    return entity_id(hass, "select", f"{device_id}_night_light")


@pytest.mark.parametrize("device_type", CIRCULATOR_TYPES)
async def test_night_light_sends_each_models_codes(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin, device_type: str
) -> None:
    device_id = DEVICE_IDS[device_type]
    codes = NIGHT_LIGHT_CODES[device_type]
    entity = night_light_entity(hass, device_id)
    state = hass.states.get(entity)
    assert state.state == "off"
    assert state.attributes["options"] == ["off", "bright", "dim"]
    assert state.name == f"{device_type} Night light"
    registered = er.async_get(hass).async_get(entity)
    assert registered is not None
    assert registered.entity_category is EntityCategory.CONFIG

    await entity_service(hass, "select", "select_option", entity, option="dim")
    assert hass.states.get(entity).state == "dim"
    await entity_service(hass, "select", "select_option", entity, option="bright")
    await entity_service(hass, "select", "select_option", entity, option="off")

    assert await commands_sent(sim_admin, device_id, "command", "parameter", "commandType") == [
        ("setNightLightMode", codes["dim"], "command"),
        ("setNightLightMode", codes["bright"], "command"),
        ("setNightLightMode", "off", "command"),
    ]
    await entity_service(hass, "select", "select_option", entity, option="bright")
    await poll(setup_entry, device_id)
    assert (await sim_admin.device(device_id))["status"]["nightStatus"] == codes["bright"]
    assert hass.states.get(entity).state == "bright"


async def test_night_light_follows_physical_changes(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    two_pro = DEVICE_IDS["Battery Circulator Fan 2 Pro"]
    for device_id, night_status, option in (
        (CIRCULATOR, "2", "dim"),
        # The same code is bright on the 2 Pro.
        (two_pro, "1", "dim"),
        (two_pro, "0", "bright"),
        # A code the model does not have is no option.
        (two_pro, "2", STATE_UNKNOWN),
    ):
        event = {"status": {"nightStatus": night_status}}
        await sim_admin.request("POST", f"devices/{device_id}/event", event)
        await poll(setup_entry, device_id)
        assert hass.states.get(night_light_entity(hass, device_id)).state == option


async def test_unknown_night_light_option_is_refused(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    with pytest.raises(ServiceValidationError):
        await entity_service(
            hass, "select", "select_option", night_light_entity(hass, CIRCULATOR), option="disco"
        )
    assert await commands_sent(sim_admin, CIRCULATOR, "command", "parameter", "commandType") == []


async def test_purifiers_have_no_night_light(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    selects = {
        entry.unique_id
        for entry in er.async_entries_for_config_entry(er.async_get(hass), setup_entry.entry_id)
        if entry.domain == "select"
    }
    assert selects == {f"{DEVICE_IDS[t]}_night_light" for t in CIRCULATOR_TYPES}


# --- air purifiers ------------------------------------------------------------------------


async def test_air_purifier_gear_runs_in_normal_mode(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    for device_type in PURIFIER_TYPES:
        device_id = DEVICE_IDS[device_type]
        entity = fan_entity(hass, device_id)
        state = hass.states.get(entity)
        assert state.state == STATE_OFF
        assert state.attributes["preset_modes"] == ["normal", "auto", "sleep", "pet"]
        assert state.attributes["preset_mode"] == "auto"

        await entity_service(hass, "fan", "set_percentage", entity, percentage=60)

        assert await commands_sent(sim_admin, device_id, "command", "parameter", "commandType") == [
            ("turnOn", "default", "command"),
            ("setMode", {"mode": 1, "fanGear": 2}, "command"),
        ]
        state = hass.states.get(entity)
        assert state.state == STATE_ON
        assert state.attributes["preset_mode"] == "normal"
        assert state.attributes["percentage"] == 66
        await poll(setup_entry, device_id)
        state = hass.states.get(entity)
        assert (state.state, state.attributes["preset_mode"]) == (STATE_ON, "normal")
        assert state.attributes["percentage"] == 66
        assert (await sim_admin.device(device_id))["internal"]["fanGear"] == 2


async def test_air_purifier_presets(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = fan_entity(hass, PURIFIER)
    await entity_service(hass, "fan", "turn_on", entity, preset_mode="pet")
    state = hass.states.get(entity)
    assert state.attributes["preset_mode"] == "pet"
    # The gear only counts in normal mode.
    assert state.attributes["percentage"] is None

    await entity_service(hass, "fan", "set_preset_mode", entity, preset_mode="sleep")
    await entity_service(hass, "fan", "set_preset_mode", entity, preset_mode="normal")
    await entity_service(hass, "fan", "turn_off", entity)

    assert await commands_sent(sim_admin, PURIFIER, "command", "parameter", "commandType") == [
        ("turnOn", "default", "command"),
        ("setMode", {"mode": 4}, "command"),
        ("setMode", {"mode": 3}, "command"),
        ("setMode", {"mode": 1, "fanGear": 1}, "command"),
        ("turnOff", "default", "command"),
    ]
    await poll(setup_entry, PURIFIER)
    state = hass.states.get(entity)
    assert state.state == STATE_OFF
    assert state.attributes["preset_mode"] == "normal"
    assert state.attributes["percentage"] == 0


async def test_air_purifier_follows_physical_changes(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    event = {"status": {"power": "ON", "mode": 3}}
    await sim_admin.request("POST", f"devices/{PURIFIER}/event", event)
    await poll(setup_entry, PURIFIER)
    state = hass.states.get(fan_entity(hass, PURIFIER))
    assert state.state == STATE_ON
    assert state.attributes["preset_mode"] == "sleep"


# --- infrared fans ------------------------------------------------------------------------


async def test_infrared_fan_keeps_an_assumed_state(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    for remote_id in (IR_FAN, DIY_IR_FAN):
        await _check_infrared_fan(hass, sim_admin, remote_id)


async def _check_infrared_fan(
    hass: HomeAssistant, sim_admin: SimulatorAdmin, remote_id: str
) -> None:
    entity = fan_entity(hass, remote_id)
    state = hass.states.get(entity)
    assert state.state == STATE_OFF
    assert state.attributes["assumed_state"] is True
    assert state.attributes["percentage_step"] == pytest.approx(100 / 3)

    await entity_service(hass, "fan", "turn_on", entity, percentage=50)
    await entity_service(hass, "fan", "oscillate", entity, oscillating=True)
    # Swing toggles, so asking for what is already assumed sends nothing.
    await entity_service(hass, "fan", "oscillate", entity, oscillating=True)
    await entity_service(hass, "fan", "set_percentage", entity, percentage=100)

    state = hass.states.get(entity)
    assert state.state == STATE_ON
    assert state.attributes["percentage"] == 100
    assert state.attributes["oscillating"] is True
    assert await commands_sent(sim_admin, remote_id, "command", "parameter", "commandType") == [
        ("turnOn", "default", "command"),
        ("middleSpeed", "default", "command"),
        ("swing", "default", "command"),
        ("highSpeed", "default", "command"),
    ]
    remote = await sim_admin.device(remote_id)
    assert remote["state"] == {"power": "on", "speed": "high", "swing": True}

    await entity_service(hass, "fan", "oscillate", entity, oscillating=False)
    await entity_service(hass, "fan", "set_percentage", entity, percentage=0)
    state = hass.states.get(entity)
    assert (state.state, state.attributes["oscillating"]) == (STATE_OFF, False)
    remote = await sim_admin.device(remote_id)
    assert remote["state"] == {"power": "off", "speed": "high", "swing": False}


async def test_infrared_fan_switched_off_starts_again_before_a_speed(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = fan_entity(hass, IR_FAN)
    await entity_service(hass, "fan", "set_percentage", entity, percentage=10)
    await entity_service(hass, "fan", "set_percentage", entity, percentage=66)
    assert await commands_sent(sim_admin, IR_FAN, "command", "parameter", "commandType") == [
        ("turnOn", "default", "command"),
        ("lowSpeed", "default", "command"),
        ("middleSpeed", "default", "command"),
    ]
    assert hass.states.get(entity).attributes["percentage"] == 66


async def test_infrared_fan_state_survives_a_restart(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    memory = {"is_on": True, "speed": "middle", "oscillating": True}
    mock_restore_cache_with_extra_data(hass, [(State(IR_FAN_ENTITY, STATE_ON), memory)])
    await set_up(hass, config_entry)

    state = hass.states.get(IR_FAN_ENTITY)
    assert state.state == STATE_ON
    assert state.attributes["percentage"] == 66
    assert state.attributes["oscillating"] is True
    # Still swinging: stopping the swing sends the toggle once.
    await entity_service(hass, "fan", "oscillate", IR_FAN_ENTITY, oscillating=False)
    assert await commands_sent(sim_admin, IR_FAN, "command", "parameter", "commandType") == [
        ("swing", "default", "command")
    ]


async def test_infrared_fan_without_stored_memory_restores_on_off(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    mock_restore_cache(hass, [State(IR_FAN_ENTITY, STATE_ON)])
    await set_up(hass, config_entry)

    state = hass.states.get(IR_FAN_ENTITY)
    assert state.state == STATE_ON
    assert state.attributes["percentage"] == 33
    assert state.attributes["oscillating"] is False


async def test_infrared_fan_follows_commands_from_the_service(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    for command in ("turnOn", "highSpeed", "swing"):
        await hass.services.async_call(
            "roomsense", "send_command", {"device_id": IR_FAN, "command": command}, blocking=True
        )

    state = hass.states.get(IR_FAN_ENTITY)
    assert state.state == STATE_ON
    assert state.attributes["percentage"] == 100
    assert state.attributes["oscillating"] is True
