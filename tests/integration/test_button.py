"""Buttons: every Bot can be pressed, in press mode and in switch mode."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..conftest import SimulatorAdmin, home_with
from .conftest import entity_id, entity_service

PRESS_BOT, SWITCH_BOT, PLUG = (f"{n:012d}" for n in range(1, 4))

PRESS = {"command": "press", "parameter": "default", "commandType": "command"}


@pytest.fixture
def home() -> dict[str, Any]:
    home = home_with("Bot", "Bot", "Plug Mini (JP)")
    home["devices"][2]["status"] = {"deviceMode": "switchMode", "power": "off"}
    return home


async def test_every_bot_and_only_bots_get_a_press_button(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    buttons = {
        entry.unique_id
        for entry in er.async_entries_for_config_entry(er.async_get(hass), setup_entry.entry_id)
        if entry.domain == "button"
    }
    assert buttons == {f"{PRESS_BOT}_press", f"{SWITCH_BOT}_press"}
    assert hass.states.get(entity_id(hass, "button", f"{PRESS_BOT}_press")).state == (STATE_UNKNOWN)


async def test_press_mode_bot(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "button", f"{PRESS_BOT}_press")
    await entity_service(hass, "button", "press", entity)
    await entity_service(hass, "button", "press", entity)

    # A pressed button shows when it was last pressed.
    assert hass.states.get(entity).state != STATE_UNKNOWN
    sent = [call["body"] for call in await sim_admin.api_calls(f"/devices/{PRESS_BOT}/commands")]
    assert sent == [PRESS, PRESS]
    # Pressing a Bot in press mode changes no state.
    await setup_entry.runtime_data.coordinator.async_poll_device(PRESS_BOT)
    assert (await sim_admin.device(PRESS_BOT))["status"]["power"] == "off"


async def test_press_flips_a_switch_mode_bot(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    button = entity_id(hass, "button", f"{SWITCH_BOT}_press")
    switch = entity_id(hass, "switch", f"{SWITCH_BOT}_bot")
    coordinator = setup_entry.runtime_data.coordinator
    assert hass.states.get(switch).state == STATE_OFF

    await entity_service(hass, "button", "press", button)
    assert hass.states.get(switch).state == STATE_ON
    await coordinator.async_poll_device(SWITCH_BOT)
    assert hass.states.get(switch).state == STATE_ON

    await entity_service(hass, "button", "press", button)
    assert hass.states.get(switch).state == STATE_OFF
    await coordinator.async_poll_device(SWITCH_BOT)
    assert hass.states.get(switch).state == STATE_OFF

    sent = [call["body"] for call in await sim_admin.api_calls(f"/devices/{SWITCH_BOT}/commands")]
    assert sent == [PRESS, PRESS]


async def test_offline_bot_raises_a_translated_error(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "button", f"{PRESS_BOT}_press")
    await sim_admin.set_online(PRESS_BOT, False)
    with pytest.raises(HomeAssistantError) as caught:
        await entity_service(hass, "button", "press", entity)
    assert caught.value.translation_key == "device_offline"


async def test_offline_hub_raises_a_translated_error(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    switch = entity_id(hass, "switch", f"{SWITCH_BOT}_bot")
    await sim_admin.set_online("AA0000000000", False)
    with pytest.raises(HomeAssistantError) as caught:
        await entity_service(
            hass, "button", "press", entity_id(hass, "button", f"{SWITCH_BOT}_press")
        )
    assert caught.value.translation_key == "device_offline"
    # A press that never reached the Bot flips nothing.
    assert hass.states.get(switch).state == STATE_OFF
