"""Switches: each action reaches the cloud as the right command, states follow."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..conftest import SimulatorAdmin, home_with
from .conftest import entity_id, entity_service

PLUG_MINI, PLUG_EU, RELAY_1PM, RELAY_2PM, BOT = (f"{n:012d}" for n in range(1, 6))


@pytest.fixture
def home() -> dict[str, Any]:
    home = home_with(
        "Plug Mini (JP)", "Plug Mini (EU)", "Relay Switch 1PM", "Relay Switch 2PM", "Bot"
    )
    home["devices"][5]["status"] = {"deviceMode": "switchMode"}
    return home


@pytest.mark.parametrize(
    ("device_id", "key", "parameter"),
    [
        (PLUG_MINI, "plug", "default"),
        (PLUG_EU, "switch", "default"),
        (RELAY_1PM, "switch", "default"),
        (RELAY_2PM, "channel_1", "1"),
        (RELAY_2PM, "channel_2", "2"),
        (BOT, "bot", "default"),
    ],
)
async def test_turn_on_and_off(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    device_id: str,
    key: str,
    parameter: str,
) -> None:
    entity = entity_id(hass, "switch", f"{device_id}_{key}")
    assert hass.states.get(entity).state == STATE_OFF

    await entity_service(hass, "switch", "turn_on", entity)
    assert hass.states.get(entity).state == STATE_ON
    await entity_service(hass, "switch", "turn_off", entity)
    assert hass.states.get(entity).state == STATE_OFF

    sent = [call["body"] for call in await sim_admin.api_calls(f"/devices/{device_id}/commands")]
    assert sent == [
        {"command": "turnOn", "parameter": parameter, "commandType": "command"},
        {"command": "turnOff", "parameter": parameter, "commandType": "command"},
    ]
    # The cloud agrees with what Home Assistant shows.
    await setup_entry.runtime_data.coordinator.async_poll_device(device_id)
    assert hass.states.get(entity).state == STATE_OFF


async def test_relay_channels_are_independent(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    first = entity_id(hass, "switch", f"{RELAY_2PM}_channel_1")
    second = entity_id(hass, "switch", f"{RELAY_2PM}_channel_2")
    await entity_service(hass, "switch", "turn_on", second)
    await setup_entry.runtime_data.coordinator.async_poll_device(RELAY_2PM)
    assert hass.states.get(first).state == STATE_OFF
    assert hass.states.get(second).state == STATE_ON


async def test_offline_device_raises_a_translated_error(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "switch", f"{PLUG_MINI}_plug")
    await sim_admin.set_online(PLUG_MINI, False)
    with pytest.raises(HomeAssistantError) as caught:
        await entity_service(hass, "switch", "turn_on", entity)
    assert caught.value.translation_key == "device_offline"
    assert hass.states.get(entity).state == STATE_OFF
