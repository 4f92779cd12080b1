"""Lights: colour modes per type, command sequences, and states that follow the cloud."""

from __future__ import annotations

from typing import Any

import probatio
import pytest
from homeassistant.components.light import ColorMode
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..conftest import SimulatorAdmin, commands_sent, home_with
from .conftest import entity_id, entity_service

LIGHT_TYPES = (
    "Color Bulb",
    "Strip Light",
    "Ceiling Light",
    "Ceiling Light Pro",
    "Floor Lamp",
    "Strip Light 3",
    "RGBICWW Strip Light",
    "RGBICWW Floor Lamp",
    "RGBIC Neon Rope Light",
    "RGBIC Neon Wire Rope Light",
    "Candle Warmer Lamp",
    "Permanent Outdoor Lights",
)
DEVICE_IDS = {device_type: f"{n:012d}" for n, device_type in enumerate(LIGHT_TYPES, start=1)}
COLOR_BULB = DEVICE_IDS["Color Bulb"]
STRIP_LIGHT = DEVICE_IDS["Strip Light"]
CEILING_LIGHT = DEVICE_IDS["Ceiling Light"]
FLOOR_LAMP = DEVICE_IDS["Floor Lamp"]
CANDLE_WARMER = DEVICE_IDS["Candle Warmer Lamp"]

RGB_AND_WHITE = {ColorMode.RGB, ColorMode.COLOR_TEMP}
# §5.9: which commands each type takes decides its colour modes.
EXPECTED_COLOR_MODES = {
    "Color Bulb": RGB_AND_WHITE,
    "Strip Light": {ColorMode.RGB},
    "Ceiling Light": {ColorMode.COLOR_TEMP},
    "Ceiling Light Pro": {ColorMode.COLOR_TEMP},
    "Floor Lamp": RGB_AND_WHITE,
    "Strip Light 3": RGB_AND_WHITE,
    "RGBICWW Strip Light": RGB_AND_WHITE,
    "RGBICWW Floor Lamp": RGB_AND_WHITE,
    "RGBIC Neon Rope Light": {ColorMode.RGB},
    "RGBIC Neon Wire Rope Light": {ColorMode.RGB},
    "Candle Warmer Lamp": {ColorMode.BRIGHTNESS},
    "Permanent Outdoor Lights": RGB_AND_WHITE,
}


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with(*LIGHT_TYPES)


def light_entity(hass: HomeAssistant, device_id: str) -> str:
    return entity_id(hass, "light", f"{device_id}_light")


async def poll(entry: MockConfigEntry, device_id: str) -> None:
    await entry.runtime_data.coordinator.async_poll_device(device_id)


async def test_colour_modes_match_the_type(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    for device_type, expected in EXPECTED_COLOR_MODES.items():
        state = hass.states.get(light_entity(hass, DEVICE_IDS[device_type]))
        assert state.state == STATE_OFF, device_type
        assert set(state.attributes["supported_color_modes"]) == expected, device_type
        if ColorMode.COLOR_TEMP in expected:
            assert state.attributes["min_color_temp_kelvin"] == 2700, device_type
            assert state.attributes["max_color_temp_kelvin"] == 6500, device_type
        else:
            assert "min_color_temp_kelvin" not in state.attributes, device_type


async def test_turn_on_and_off(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    # The simulator's default level 80 %, on the 1-100 and on the 0-100 scale alike.
    for device_id, brightness in (
        (COLOR_BULB, 204),
        (CEILING_LIGHT, 204),
        (FLOOR_LAMP, 204),
        (CANDLE_WARMER, 204),
    ):
        entity = light_entity(hass, device_id)
        await entity_service(hass, "light", "turn_on", entity)
        state = hass.states.get(entity)
        assert state.state == STATE_ON
        assert state.attributes["brightness"] == brightness
        await entity_service(hass, "light", "turn_off", entity)
        assert hass.states.get(entity).state == STATE_OFF

        assert await commands_sent(sim_admin, device_id, "command", "parameter", "commandType") == [
            ("turnOn", "default", "command"),
            ("turnOff", "default", "command"),
        ]
        await poll(setup_entry, device_id)
        assert hass.states.get(entity).state == STATE_OFF


async def test_colour_and_brightness_switch_an_off_light_on_first(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    # 128 of 255 is 50 %, whichever number the light's range starts at.
    for device_id, level, brightness_after_poll in (
        (COLOR_BULB, "50", 128),
        (STRIP_LIGHT, "50", 128),
        (FLOOR_LAMP, "50", 128),
    ):
        entity = light_entity(hass, device_id)
        await entity_service(
            hass, "light", "turn_on", entity, rgb_color=(255, 64, 0), brightness=128
        )

        assert await commands_sent(sim_admin, device_id, "command", "parameter", "commandType") == [
            ("turnOn", "default", "command"),
            ("setColor", "255:64:0", "command"),
            ("setBrightness", level, "command"),
        ]
        state = hass.states.get(entity)
        assert state.state == STATE_ON
        assert state.attributes["color_mode"] == ColorMode.RGB
        assert state.attributes["rgb_color"] == (255, 64, 0)

        await poll(setup_entry, device_id)
        state = hass.states.get(entity)
        assert state.state == STATE_ON
        assert state.attributes["rgb_color"] == (255, 64, 0)
        assert state.attributes["brightness"] == brightness_after_poll
        assert "stale" not in state.attributes


async def test_settings_on_a_lit_light_do_not_send_turn_on(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = light_entity(hass, CEILING_LIGHT)
    await sim_admin.request("POST", f"devices/{CEILING_LIGHT}/event", {"status": {"power": "on"}})
    await poll(setup_entry, CEILING_LIGHT)

    await entity_service(
        hass, "light", "turn_on", entity, color_temp_kelvin=3000, brightness_pct=100
    )

    assert await commands_sent(sim_admin, CEILING_LIGHT, "command", "parameter", "commandType") == [
        ("setColorTemperature", "3000", "command"),
        ("setBrightness", "100", "command"),
    ]
    await poll(setup_entry, CEILING_LIGHT)
    state = hass.states.get(entity)
    assert state.attributes["color_mode"] == ColorMode.COLOR_TEMP
    assert state.attributes["color_temp_kelvin"] == 3000
    assert state.attributes["brightness"] == 255


async def test_colour_temperature_switches_the_colour_mode(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = light_entity(hass, COLOR_BULB)
    await entity_service(hass, "light", "turn_on", entity, rgb_color=(0, 0, 255))
    assert hass.states.get(entity).attributes["color_mode"] == ColorMode.RGB

    await entity_service(hass, "light", "turn_on", entity, color_temp_kelvin=6500)
    state = hass.states.get(entity)
    assert state.attributes["color_mode"] == ColorMode.COLOR_TEMP
    assert state.attributes["color_temp_kelvin"] == 6500
    assert (await commands_sent(sim_admin, COLOR_BULB, "command", "parameter", "commandType"))[
        -1
    ] == ("setColorTemperature", "6500", "command")

    await poll(setup_entry, COLOR_BULB)
    state = hass.states.get(entity)
    assert state.attributes["color_mode"] == ColorMode.COLOR_TEMP
    assert state.attributes["color_temp_kelvin"] == 6500


async def test_colour_only_light_gets_a_temperature_as_a_colour(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = light_entity(hass, STRIP_LIGHT)
    await entity_service(hass, "light", "turn_on", entity, color_temp_kelvin=2700)

    commands = [
        command
        for command, _, _ in await commands_sent(
            sim_admin, STRIP_LIGHT, "command", "parameter", "commandType"
        )
    ]
    assert commands == ["turnOn", "setColor"]
    assert hass.states.get(entity).attributes["color_mode"] == ColorMode.RGB


async def test_brightness_only_lamp(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = light_entity(hass, CANDLE_WARMER)
    # The lowest brightness is the lowest level that is still on: 1, not 0 (off).
    await entity_service(hass, "light", "turn_on", entity, brightness=1)

    assert await commands_sent(sim_admin, CANDLE_WARMER, "command", "parameter", "commandType") == [
        ("turnOn", "default", "command"),
        ("setBrightness", "1", "command"),
    ]
    await poll(setup_entry, CANDLE_WARMER)
    state = hass.states.get(entity)
    assert state.state == STATE_ON
    assert state.attributes["color_mode"] == ColorMode.BRIGHTNESS
    assert "rgb_color" not in state.attributes
    assert (await sim_admin.device(CANDLE_WARMER))["status"]["brightness"] == 1


@pytest.mark.parametrize("device_id", [COLOR_BULB, FLOOR_LAMP])
async def test_brightness_percent_round_trips_exactly(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin, device_id: str
) -> None:
    """What the user asks in percent is what the light gets, and what it shows after a read."""
    entity = light_entity(hass, device_id)
    for percent in (1, 33, 50, 67, 99, 100):
        await entity_service(hass, "light", "turn_on", entity, brightness_pct=percent)
        assert (await commands_sent(sim_admin, device_id, "command", "parameter", "commandType"))[
            -1
        ] == ("setBrightness", str(percent), "command")
        await poll(setup_entry, device_id)
        shown = hass.states.get(entity).attributes["brightness"]
        assert round(shown * 100 / 255) == percent


async def test_colour_temperature_out_of_range_is_refused(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = light_entity(hass, COLOR_BULB)
    with pytest.raises(ServiceValidationError) as caught:
        await entity_service(hass, "light", "turn_on", entity, color_temp_kelvin=2000)
    assert caught.value.translation_key == "color_temperature_out_of_range"
    assert await commands_sent(sim_admin, COLOR_BULB, "command", "parameter", "commandType") == []
    assert hass.states.get(entity).state == STATE_OFF


async def test_colour_out_of_range_is_refused(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    with pytest.raises(probatio.Invalid):
        await entity_service(
            hass, "light", "turn_on", light_entity(hass, COLOR_BULB), rgb_color=(300, 0, 0)
        )
    assert await commands_sent(sim_admin, COLOR_BULB, "command", "parameter", "commandType") == []


async def test_offline_light_raises_a_translated_error(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = light_entity(hass, COLOR_BULB)
    await sim_admin.set_online(COLOR_BULB, False)
    with pytest.raises(HomeAssistantError) as caught:
        await entity_service(hass, "light", "turn_on", entity, brightness=255)
    assert caught.value.translation_key == "device_offline"
    assert hass.states.get(entity).state == STATE_OFF


async def test_physical_changes_show_after_a_poll(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = light_entity(hass, COLOR_BULB)
    event = {"status": {"power": "on", "brightness": 100, "colorTemperature": 3500}}
    await sim_admin.request("POST", f"devices/{COLOR_BULB}/event", event)
    await poll(setup_entry, COLOR_BULB)
    state = hass.states.get(entity)
    assert state.state == STATE_ON
    assert state.attributes["brightness"] == 255
    assert state.attributes["color_mode"] == ColorMode.COLOR_TEMP
    assert state.attributes["color_temp_kelvin"] == 3500

    event = {"status": {"color": "10:200:30"}}
    await sim_admin.request("POST", f"devices/{COLOR_BULB}/event", event)
    await poll(setup_entry, COLOR_BULB)
    state = hass.states.get(entity)
    assert state.attributes["color_mode"] == ColorMode.RGB
    assert state.attributes["rgb_color"] == (10, 200, 30)
