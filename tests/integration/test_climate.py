"""Climate: infrared air conditioners (assumed state, one setAll) and radiator thermostats."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_restore_cache

from ..conftest import SimulatorAdmin, commands_sent, home_with
from .conftest import entity_id, entity_service

HUB = "AA0000000000"
THERMOSTAT = "000000000001"
AIRCON = "02-202401010000-00000001"
DIY_AIRCON = "02-202401010000-00000002"


@pytest.fixture
def home() -> dict[str, Any]:
    home = home_with("Smart Radiator Thermostat")
    home["devices"][1]["status"] = {"mode": 1, "temperature": 19.5}
    home["infraredRemotes"] = [
        {
            "deviceId": AIRCON,
            "deviceName": "Aircon",
            "remoteType": "Air Conditioner",
            "hubDeviceId": HUB,
        },
        {
            "deviceId": DIY_AIRCON,
            "deviceName": "Learned aircon",
            "remoteType": "DIY Air Conditioner",
            "hubDeviceId": HUB,
        },
    ]
    return home


def set_all(parameter: str) -> dict[str, Any]:
    return {"command": "setAll", "parameter": parameter, "commandType": "command"}


def command(name: str, parameter: str = "default") -> dict[str, Any]:
    return {"command": name, "parameter": parameter, "commandType": "command"}


# --- air conditioners -----------------------------------------------------------------


async def test_air_conditioner_starts_off_with_an_assumed_state(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    state = hass.states.get(entity_id(hass, "climate", f"{AIRCON}_air_conditioner"))
    assert state.state == "off"
    assert state.attributes["hvac_modes"] == ["off", "auto", "cool", "dry", "fan_only", "heat"]
    assert state.attributes["fan_modes"] == ["auto", "low", "medium", "high"]
    assert state.attributes["fan_mode"] == "auto"
    assert state.attributes["temperature"] == 26
    assert (state.attributes["min_temp"], state.attributes["max_temp"]) == (16, 30)
    assert state.attributes["target_temp_step"] == 1
    assert state.attributes["assumed_state"] is True
    # Setting up sends nothing to the appliance.
    assert await commands_sent(sim_admin, AIRCON) == []


@pytest.mark.parametrize("remote_id", [AIRCON, DIY_AIRCON])
async def test_every_change_sends_one_set_all_with_the_whole_state(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin, remote_id: str
) -> None:
    entity = entity_id(hass, "climate", f"{remote_id}_air_conditioner")

    await entity_service(hass, "climate", "set_hvac_mode", entity, hvac_mode="cool")
    assert hass.states.get(entity).state == "cool"
    await entity_service(hass, "climate", "set_temperature", entity, temperature=23)
    assert hass.states.get(entity).attributes["temperature"] == 23
    await entity_service(hass, "climate", "set_fan_mode", entity, fan_mode="high")
    assert hass.states.get(entity).attributes["fan_mode"] == "high"
    await entity_service(
        hass, "climate", "set_temperature", entity, temperature=21, hvac_mode="heat"
    )
    assert hass.states.get(entity).state == "heat"
    await entity_service(hass, "climate", "turn_off", entity)
    assert hass.states.get(entity).state == "off"
    await entity_service(hass, "climate", "turn_on", entity)

    state = hass.states.get(entity)
    assert state.state == "heat"
    assert (state.attributes["temperature"], state.attributes["fan_mode"]) == (21, "high")
    assert await commands_sent(sim_admin, remote_id) == [
        set_all("26,2,1,on"),
        set_all("23,2,1,on"),
        set_all("23,2,4,on"),
        set_all("21,5,4,on"),
        set_all("21,5,4,off"),
        set_all("21,5,4,on"),
    ]
    # What the simulated appliance ended up in matches what Home Assistant shows.
    appliance = (await sim_admin.device(remote_id))["state"]
    assert appliance == {"power": "on", "temperature": 21, "mode": 5, "fanSpeed": 4}


@pytest.mark.parametrize(
    ("hvac_mode", "code"), [("auto", 1), ("cool", 2), ("dry", 3), ("fan_only", 4), ("heat", 5)]
)
async def test_hvac_mode_codes(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hvac_mode: str,
    code: int,
) -> None:
    entity = entity_id(hass, "climate", f"{AIRCON}_air_conditioner")
    await entity_service(hass, "climate", "set_hvac_mode", entity, hvac_mode=hvac_mode)
    assert hass.states.get(entity).state == hvac_mode
    assert await commands_sent(sim_admin, AIRCON) == [set_all(f"26,{code},1,on")]
    assert (await sim_admin.device(AIRCON))["state"]["mode"] == code


@pytest.mark.parametrize(("fan_mode", "code"), [("low", 2), ("medium", 3), ("high", 4)])
async def test_fan_mode_codes_are_sent_even_while_off(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    fan_mode: str,
    code: int,
) -> None:
    entity = entity_id(hass, "climate", f"{AIRCON}_air_conditioner")
    await entity_service(hass, "climate", "set_fan_mode", entity, fan_mode=fan_mode)
    state = hass.states.get(entity)
    assert (state.state, state.attributes["fan_mode"]) == ("off", fan_mode)
    assert await commands_sent(sim_admin, AIRCON) == [set_all(f"26,1,{code},off")]


async def test_temperature_is_rounded_to_whole_degrees(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "climate", f"{AIRCON}_air_conditioner")
    await entity_service(
        hass, "climate", "set_temperature", entity, temperature=24.5, hvac_mode="cool"
    )
    assert hass.states.get(entity).attributes["temperature"] == 25
    assert await commands_sent(sim_admin, AIRCON) == [set_all("25,2,1,on")]


@pytest.mark.parametrize(
    ("service", "data", "translation_key"),
    [
        ("set_temperature", {"temperature": 31}, "temp_out_of_range"),
        ("set_temperature", {"temperature": 15}, "temp_out_of_range"),
        # The core refuses a mode the entity does not list...
        ("set_hvac_mode", {"hvac_mode": "heat_cool"}, "not_valid_hvac_mode"),
        # ...but not the one set_temperature carries.
        (
            "set_temperature",
            {"temperature": 22, "hvac_mode": "heat_cool"},
            "hvac_mode_not_supported",
        ),
        ("set_fan_mode", {"fan_mode": "turbo"}, "not_valid_fan_mode"),
    ],
)
async def test_invalid_air_conditioner_settings_are_refused(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    service: str,
    data: dict[str, Any],
    translation_key: str,
) -> None:
    entity = entity_id(hass, "climate", f"{AIRCON}_air_conditioner")
    with pytest.raises(ServiceValidationError) as caught:
        await entity_service(hass, "climate", service, entity, **data)
    assert caught.value.translation_key == translation_key
    assert await commands_sent(sim_admin, AIRCON) == []
    assert hass.states.get(entity).state == "off"


async def test_refused_command_leaves_the_assumed_state(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "climate", f"{AIRCON}_air_conditioner")
    await sim_admin.set_online(HUB, False)
    with pytest.raises(HomeAssistantError) as caught:
        await entity_service(hass, "climate", "set_hvac_mode", entity, hvac_mode="cool")
    assert caught.value.translation_key == "device_offline"
    assert hass.states.get(entity).state == "off"


async def test_assumed_state_is_restored_after_a_restart(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    mock_restore_cache(
        hass, [State("climate.aircon", "dry", {"fan_mode": "medium", "temperature": 22})]
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    entity = entity_id(hass, "climate", f"{AIRCON}_air_conditioner")
    assert entity == "climate.aircon"
    state = hass.states.get(entity)
    assert state.state == "dry"
    assert (state.attributes["fan_mode"], state.attributes["temperature"]) == ("medium", 22)
    assert await commands_sent(sim_admin, AIRCON) == []

    # The next change carries the restored settings.
    await entity_service(hass, "climate", "set_fan_mode", entity, fan_mode="low")
    assert await commands_sent(sim_admin, AIRCON) == [set_all("22,3,2,on")]


async def test_mode_to_turn_back_on_to_survives_a_reload(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "climate", f"{AIRCON}_air_conditioner")
    await entity_service(hass, "climate", "set_hvac_mode", entity, hvac_mode="fan_only")
    await entity_service(hass, "climate", "turn_off", entity)

    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(entity).state == "off"

    await entity_service(hass, "climate", "turn_on", entity)
    assert hass.states.get(entity).state == "fan_only"
    assert (await commands_sent(sim_admin, AIRCON))[-1] == set_all("26,4,1,on")


# --- Smart Radiator Thermostat ---------------------------------------------------------


async def test_thermostat_shows_its_status(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    state = hass.states.get(entity_id(hass, "climate", f"{THERMOSTAT}_thermostat"))
    assert state.state == "heat"
    assert state.attributes["hvac_modes"] == ["heat", "off"]
    assert state.attributes["preset_mode"] == "manual"
    assert state.attributes["preset_modes"] == ["schedule", "manual", "eco", "comfort", "boost"]
    assert state.attributes["current_temperature"] == 19.5
    # The cloud does not report the set point; none was sent yet.
    assert state.attributes["temperature"] is None
    assert (state.attributes["min_temp"], state.attributes["max_temp"]) == (4, 35)


@pytest.mark.parametrize(
    ("preset", "code"), [("schedule", 0), ("eco", 3), ("comfort", 4), ("boost", 5)]
)
async def test_thermostat_presets_are_its_modes(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    preset: str,
    code: int,
) -> None:
    entity = entity_id(hass, "climate", f"{THERMOSTAT}_thermostat")
    await entity_service(hass, "climate", "set_preset_mode", entity, preset_mode=preset)
    assert hass.states.get(entity).attributes["preset_mode"] == preset
    assert await commands_sent(sim_admin, THERMOSTAT) == [command("setMode", str(code))]

    await setup_entry.runtime_data.coordinator.async_poll_device(THERMOSTAT)
    state = hass.states.get(entity)
    assert (state.state, state.attributes["preset_mode"]) == ("heat", preset)


async def test_thermostat_off_and_back_on_in_its_mode(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "climate", f"{THERMOSTAT}_thermostat")
    coordinator = setup_entry.runtime_data.coordinator
    await entity_service(hass, "climate", "set_preset_mode", entity, preset_mode="comfort")

    await entity_service(hass, "climate", "turn_off", entity)
    state = hass.states.get(entity)
    assert (state.state, state.attributes["preset_mode"]) == ("off", None)
    await coordinator.async_poll_device(THERMOSTAT)
    assert hass.states.get(entity).state == "off"

    await entity_service(hass, "climate", "set_hvac_mode", entity, hvac_mode="heat")
    state = hass.states.get(entity)
    assert (state.state, state.attributes["preset_mode"]) == ("heat", "comfort")
    await coordinator.async_poll_device(THERMOSTAT)
    assert hass.states.get(entity).attributes["preset_mode"] == "comfort"

    assert await commands_sent(sim_admin, THERMOSTAT) == [
        command("setMode", "4"),
        command("turnOff"),
        command("turnOn"),
    ]


async def test_thermostat_temperature_switches_to_manual_first(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "climate", f"{THERMOSTAT}_thermostat")
    await entity_service(hass, "climate", "turn_off", entity)

    await entity_service(hass, "climate", "set_temperature", entity, temperature=22.5)
    state = hass.states.get(entity)
    assert (state.state, state.attributes["preset_mode"]) == ("heat", "manual")
    assert state.attributes["temperature"] == 22.5
    # Already in manual: only the set point is sent.
    await entity_service(hass, "climate", "set_temperature", entity, temperature=18)

    assert await commands_sent(sim_admin, THERMOSTAT) == [
        command("turnOff"),
        command("setMode", "1"),
        command("setManualModeTemperature", "22.5"),
        command("setManualModeTemperature", "18"),
    ]
    device = await sim_admin.device(THERMOSTAT)
    assert device["internal"]["manualModeTemperature"] == 18
    await setup_entry.runtime_data.coordinator.async_poll_device(THERMOSTAT)
    state = hass.states.get(entity)
    assert (state.attributes["preset_mode"], state.attributes["temperature"]) == ("manual", 18)

    # The set point is shown in manual mode only, and survives a reload.
    await entity_service(hass, "climate", "set_preset_mode", entity, preset_mode="eco")
    assert hass.states.get(entity).attributes["temperature"] is None
    await entity_service(hass, "climate", "set_preset_mode", entity, preset_mode="manual")
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(entity).attributes["temperature"] == 18


@pytest.mark.parametrize(
    ("service", "data", "translation_key"),
    [
        ("set_temperature", {"temperature": 35.5}, "temp_out_of_range"),
        ("set_temperature", {"temperature": 3}, "temp_out_of_range"),
        ("set_hvac_mode", {"hvac_mode": "cool"}, "not_valid_hvac_mode"),
        ("set_temperature", {"temperature": 21, "hvac_mode": "cool"}, "hvac_mode_not_supported"),
        ("set_preset_mode", {"preset_mode": "away"}, "not_valid_preset_mode"),
    ],
)
async def test_invalid_thermostat_settings_are_refused(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    service: str,
    data: dict[str, Any],
    translation_key: str,
) -> None:
    entity = entity_id(hass, "climate", f"{THERMOSTAT}_thermostat")
    with pytest.raises(ServiceValidationError) as caught:
        await entity_service(hass, "climate", service, entity, **data)
    assert caught.value.translation_key == translation_key
    assert await commands_sent(sim_admin, THERMOSTAT) == []


async def test_thermostat_follows_changes_made_on_the_device(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "climate", f"{THERMOSTAT}_thermostat")
    await sim_admin.request(
        "POST", f"devices/{THERMOSTAT}/event", {"status": {"mode": 5, "temperature": 21.0}}
    )
    await setup_entry.runtime_data.coordinator.async_poll_device(THERMOSTAT)
    state = hass.states.get(entity)
    assert (state.state, state.attributes["preset_mode"]) == ("heat", "boost")
    assert state.attributes["current_temperature"] == 21.0

    await sim_admin.request("POST", f"devices/{THERMOSTAT}/event", {"status": {"mode": 2}})
    await setup_entry.runtime_data.coordinator.async_poll_device(THERMOSTAT)
    assert hass.states.get(entity).state == "off"
