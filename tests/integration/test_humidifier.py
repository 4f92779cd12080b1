"""Humidifiers: the original Humidifier and the Evaporative Humidifier (Humidifier2)."""

from __future__ import annotations

from typing import Any

import probatio
import pytest
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_restore_cache

from ..conftest import SimulatorAdmin, commands_sent, home_with
from .conftest import entity_id, entity_service

HUMIDIFIER, EVAPORATIVE = (f"{n:012d}" for n in range(1, 3))
EVAPORATIVE_ENTITY = "humidifier.bedroom_humidifier"


@pytest.fixture
def home() -> dict[str, Any]:
    home = home_with("Humidifier", "Humidifier2")
    home["devices"][1]["status"] = {"humidity": 41, "nebulizationEfficiency": 67}
    home["devices"][2]["deviceName"] = "Bedroom humidifier"
    home["devices"][2]["status"] = {"humidity": 38}
    return home


def humidifier_entity(hass: HomeAssistant, device_id: str) -> str:
    return entity_id(hass, "humidifier", f"{device_id}_humidifier")


async def poll(entry: MockConfigEntry, device_id: str) -> None:
    await entry.runtime_data.coordinator.async_poll_device(device_id)


# --- Humidifier ---------------------------------------------------------------------------


async def test_humidifier_level_and_auto_mode(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = humidifier_entity(hass, HUMIDIFIER)
    state = hass.states.get(entity)
    assert state.state == STATE_OFF
    assert state.attributes["current_humidity"] == 41
    assert state.attributes["humidity"] == 67
    assert state.attributes["mode"] == "normal"
    assert state.attributes["available_modes"] == ["normal", "auto"]

    await entity_service(hass, "humidifier", "turn_on", entity)
    await entity_service(hass, "humidifier", "set_humidity", entity, humidity=55)
    state = hass.states.get(entity)
    assert (state.state, state.attributes["humidity"]) == (STATE_ON, 55)
    await entity_service(hass, "humidifier", "set_mode", entity, mode="auto")
    assert hass.states.get(entity).attributes["mode"] == "auto"

    await poll(setup_entry, HUMIDIFIER)
    state = hass.states.get(entity)
    assert state.state == STATE_ON
    assert state.attributes["mode"] == "auto"
    assert state.attributes["humidity"] == 55

    await entity_service(hass, "humidifier", "set_mode", entity, mode="normal")
    await entity_service(hass, "humidifier", "turn_off", entity)
    assert await commands_sent(sim_admin, HUMIDIFIER, "command", "parameter", "commandType") == [
        ("turnOn", "default", "command"),
        ("setMode", "55", "command"),
        ("setMode", "auto", "command"),
        ("setMode", "55", "command"),
        ("turnOff", "default", "command"),
    ]
    await poll(setup_entry, HUMIDIFIER)
    state = hass.states.get(entity)
    assert (state.state, state.attributes["mode"]) == (STATE_OFF, "normal")


async def test_humidifier_refuses_invalid_input(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = humidifier_entity(hass, HUMIDIFIER)
    with pytest.raises(ServiceValidationError) as caught:
        await entity_service(hass, "humidifier", "set_mode", entity, mode="sleep")
    assert caught.value.translation_key == "unknown_humidifier_mode"
    with pytest.raises(probatio.Invalid):
        await entity_service(hass, "humidifier", "set_humidity", entity, humidity=101)
    assert await commands_sent(sim_admin, HUMIDIFIER, "command", "parameter", "commandType") == []


async def test_humidifier_follows_physical_changes(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    event = {"status": {"power": "on", "humidity": 58, "auto": True}}
    await sim_admin.request("POST", f"devices/{HUMIDIFIER}/event", event)
    await poll(setup_entry, HUMIDIFIER)
    state = hass.states.get(humidifier_entity(hass, HUMIDIFIER))
    assert state.state == STATE_ON
    assert state.attributes["current_humidity"] == 58
    assert state.attributes["mode"] == "auto"


# --- Evaporative Humidifier ---------------------------------------------------------------


async def test_evaporative_humidifier_target_humidity(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = humidifier_entity(hass, EVAPORATIVE)
    state = hass.states.get(entity)
    assert state.state == STATE_OFF
    assert state.attributes["current_humidity"] == 38
    assert state.attributes["mode"] == "auto"
    # The status has no target: none is known before one is set.
    assert "humidity" not in state.attributes

    await entity_service(hass, "humidifier", "turn_on", entity)
    await entity_service(hass, "humidifier", "set_humidity", entity, humidity=60)

    assert await commands_sent(sim_admin, EVAPORATIVE, "command", "parameter", "commandType") == [
        ("turnOn", "default", "command"),
        ("setMode", {"mode": 5, "targetHumidify": 60}, "command"),
    ]
    state = hass.states.get(entity)
    assert state.state == STATE_ON
    assert state.attributes["mode"] == "target_humidity"
    assert state.attributes["humidity"] == 60
    await poll(setup_entry, EVAPORATIVE)
    state = hass.states.get(entity)
    assert (state.state, state.attributes["mode"]) == (STATE_ON, "target_humidity")
    assert (await sim_admin.device(EVAPORATIVE))["internal"]["targetHumidify"] == 60


async def test_evaporative_humidifier_modes(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = humidifier_entity(hass, EVAPORATIVE)
    for mode, parameter in (
        ("level_4", {"mode": 1}),
        ("level_3", {"mode": 2}),
        ("level_2", {"mode": 3}),
        ("level_1", {"mode": 4}),
        ("target_humidity", {"mode": 5, "targetHumidify": 50}),
        ("sleep", {"mode": 6}),
        ("drying", {"mode": 8}),
        ("auto", {"mode": 7}),
    ):
        await entity_service(hass, "humidifier", "set_mode", entity, mode=mode)
        assert (await commands_sent(sim_admin, EVAPORATIVE, "command", "parameter", "commandType"))[
            -1
        ] == ("setMode", parameter, "command")
        assert hass.states.get(entity).attributes["mode"] == mode
        await poll(setup_entry, EVAPORATIVE)
        assert hass.states.get(entity).attributes["mode"] == mode, parameter
        status = (await sim_admin.device(EVAPORATIVE))["status"]
        assert status["drying"] is (mode == "drying")
    assert (
        len(await commands_sent(sim_admin, EVAPORATIVE, "command", "parameter", "commandType")) == 8
    )


async def test_evaporative_humidifier_refuses_unknown_mode(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await entity_service(
            hass, "humidifier", "set_mode", humidifier_entity(hass, EVAPORATIVE), mode="normal"
        )
    assert caught.value.translation_key == "unknown_humidifier_mode"
    assert await commands_sent(sim_admin, EVAPORATIVE, "command", "parameter", "commandType") == []


async def test_evaporative_humidifier_follows_physical_changes(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    event = {"status": {"power": "on", "mode": 2, "humidity": 52}}
    await sim_admin.request("POST", f"devices/{EVAPORATIVE}/event", event)
    await poll(setup_entry, EVAPORATIVE)
    state = hass.states.get(humidifier_entity(hass, EVAPORATIVE))
    assert state.state == STATE_ON
    assert state.attributes["mode"] == "level_3"
    assert state.attributes["current_humidity"] == 52


async def test_evaporative_humidifier_target_survives_a_restart(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    mock_restore_cache(hass, [State(EVAPORATIVE_ENTITY, STATE_ON, {"humidity": 45})])
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert hass.states.get(EVAPORATIVE_ENTITY).attributes["humidity"] == 45
    await entity_service(hass, "humidifier", "set_mode", EVAPORATIVE_ENTITY, mode="target_humidity")
    assert await commands_sent(sim_admin, EVAPORATIVE, "command", "parameter", "commandType") == [
        ("setMode", {"mode": 5, "targetHumidify": 45}, "command")
    ]
