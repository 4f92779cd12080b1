"""Sensors: readings from the status, the API budget of the account."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE, EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_component import async_update_entity
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense.api_calls import async_call_counter
from custom_components.roomsense.shared import get_shared
from roomsense_simulator import Simulator

from ..conftest import SimulatorAdmin, home_with
from .conftest import entity_id

METER, CO2_METER, PLUG_MINI, RELAY_1PM, RELAY_2PM = (f"{n:012d}" for n in range(1, 6))


@pytest.fixture
def home() -> dict[str, Any]:
    home = home_with(
        "Meter", "MeterPro(CO2)", "Plug Mini (JP)", "Relay Switch 1PM", "Relay Switch 2PM"
    )
    home["devices"][1]["status"] = {"temperature": 21.5, "humidity": 48, "battery": 100}
    home["devices"][2]["status"] = {"temperature": 24.0, "humidity": 55, "CO2": 812}
    home["devices"][4]["status"] = {
        "switchStatus": 1,
        "voltage": 100.2,
        "power": 650.0,
        "electricCurrent": 6500,
        "usedElectricity": 120,
    }
    # Energy counted on channel 2 only, so the channels cannot be mistaken for each other.
    home["devices"][5]["status"] = {"switch1UsedElectricity": 0, "switch2UsedElectricity": 90}
    return home


@pytest.mark.parametrize(
    ("unique_id", "state", "unit"),
    [
        (f"{METER}_temperature", "21.5", "°C"),
        (f"{METER}_humidity", "48", "%"),
        (f"{METER}_battery", "100", "%"),
        (f"{CO2_METER}_co2", "812", "ppm"),
        (f"{RELAY_1PM}_power", "650.0", "W"),
        (f"{RELAY_1PM}_voltage", "100.2", "V"),
        (f"{RELAY_1PM}_current", "6.5", "A"),
        (f"{RELAY_1PM}_energy_today", "2.0", "Wh"),
        (f"{RELAY_2PM}_channel_1_voltage", "100.1", "V"),
        (f"{RELAY_2PM}_channel_2_voltage", "100.1", "V"),
        (f"{RELAY_2PM}_channel_1_energy", "0.0", "Wh"),
        (f"{RELAY_2PM}_channel_2_energy", "1.5", "Wh"),
    ],
)
async def test_readings(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    unique_id: str,
    state: str,
    unit: str,
) -> None:
    reading = hass.states.get(entity_id(hass, "sensor", unique_id))
    assert reading.state == state
    assert reading.attributes["unit_of_measurement"] == unit


async def test_only_reported_readings_become_sensors(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    registry_ids = {
        entry.unique_id
        for entry in hass.data["entity_registry"].entities.values()
        if entry.domain == "sensor" and entry.unique_id.startswith(METER)
    }
    assert registry_ids == {f"{METER}_{key}" for key in ("temperature", "humidity", "battery")}


async def test_relay_channels_meter_apart(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    registry_ids = {
        entry.unique_id
        for entry in hass.data["entity_registry"].entities.values()
        if entry.domain == "sensor" and entry.unique_id.startswith(RELAY_2PM)
    }
    assert registry_ids == {
        f"{RELAY_2PM}_channel_{channel}_{reading}"
        for channel in (1, 2)
        for reading in ("power", "voltage", "current", "energy")
    } | {f"{RELAY_2PM}_commands_sent"}

    def reading(channel: int, name: str) -> str:
        unique_id = f"{RELAY_2PM}_channel_{channel}_{name}"
        return hass.states.get(entity_id(hass, "sensor", unique_id)).state

    assert (reading(1, "power"), reading(1, "current")) == ("0.0", "0.0")
    channel_1 = entity_id(hass, "switch", f"{RELAY_2PM}_channel_1")
    await hass.services.async_call("switch", "turn_on", {"entity_id": channel_1}, blocking=True)
    await setup_entry.runtime_data.coordinator.async_poll_device(RELAY_2PM)
    # The simulator's channel 1 load draws 40 W at 100.1 V: 400 mA.
    assert (reading(1, "power"), reading(1, "current")) == ("40.0", "0.4")
    assert (reading(2, "power"), reading(2, "current")) == ("0.0", "0.0")
    sent = [call["body"] for call in await sim_admin.api_calls(f"/devices/{RELAY_2PM}/commands")]
    assert sent == [{"command": "turnOn", "parameter": "1", "commandType": "command"}]
    state = hass.states.get(entity_id(hass, "sensor", f"{RELAY_2PM}_channel_1_power"))
    assert state.name == "Relay Switch 2PM Channel 1 power"
    assert state.attributes["unit_of_measurement"] == "W"


async def test_api_calls_left_today(
    hass: HomeAssistant, setup_entry: MockConfigEntry, simulator: Simulator
) -> None:
    sensor = entity_id(hass, "sensor", f"{setup_entry.entry_id}_api_calls_remaining")
    await async_update_entity(hass, sensor)  # as its next scan would
    assert hass.states.get(sensor).state == str(10_000 - len(simulator.calls))


async def test_api_calls_are_counted_across_reloads_and_restarts(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """Saving the options reloads the entry; the daily quota does not start again."""
    sensor = entity_id(hass, "sensor", f"{setup_entry.entry_id}_api_calls_remaining")
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    await async_update_entity(hass, sensor)
    assert hass.states.get(sensor).state == str(10_000 - len(simulator.calls))

    # Home Assistant stops: the count is written, and read back by the next start.
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    saved = hass_storage[f"roomsense.{setup_entry.entry_id}.api_calls"]["data"]
    assert saved["calls_today"] == len(simulator.calls)
    get_shared(hass).call_counters.clear()
    restored = await async_call_counter(hass, setup_entry)
    assert restored.calls_today == len(simulator.calls)
