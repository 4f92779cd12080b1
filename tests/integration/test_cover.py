"""Covers: positions on Home Assistant's scale, the right commands reach the cloud."""

from __future__ import annotations

from typing import Any

import probatio
import pytest
from homeassistant.components.cover import CoverEntityFeature, CoverState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceNotSupported
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..conftest import SimulatorAdmin, commands_sent, home_with
from .conftest import entity_id, entity_service

CURTAIN, CURTAIN_3, ROLLER_SHADE, BLIND_TILT, GARAGE, CURTAIN_4 = (f"{n:012d}" for n in range(1, 7))


@pytest.fixture
def home() -> dict[str, Any]:
    home = home_with(
        "Curtain", "Curtain3", "Roller Shade", "Blind Tilt", "Garage Door Opener", "Curtain4"
    )
    # SwitchBot's 30 (0 open .. 100 closed) is Home Assistant's 70.
    home["devices"][1]["status"] = {"slidePosition": 30}
    home["devices"][4]["status"] = {"direction": "up", "slidePosition": 60}
    return home


def command(name: str, parameter: Any = "default") -> dict[str, Any]:
    return {"command": name, "parameter": parameter, "commandType": "command"}


async def test_states_and_features_after_setup(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    curtain = hass.states.get(entity_id(hass, "cover", f"{CURTAIN}_curtain"))
    assert curtain.state == CoverState.OPEN
    assert curtain.attributes["current_position"] == 70
    assert curtain.attributes["device_class"] == "curtain"
    assert curtain.attributes["supported_features"] == (
        CoverEntityFeature.OPEN
        | CoverEntityFeature.CLOSE
        | CoverEntityFeature.STOP
        | CoverEntityFeature.SET_POSITION
    )

    # Default simulator status: slidePosition 100, fully closed.
    for device_id in (CURTAIN_3, CURTAIN_4):
        closed = hass.states.get(entity_id(hass, "cover", f"{device_id}_curtain"))
        assert closed.state == CoverState.CLOSED
        assert closed.attributes["current_position"] == 0
        assert closed.attributes["supported_features"] == curtain.attributes["supported_features"]
    assert hass.states.get(entity_id(hass, "sensor", f"{CURTAIN_4}_battery")).state == "80"

    shade = hass.states.get(entity_id(hass, "cover", f"{ROLLER_SHADE}_shade"))
    assert shade.state == CoverState.CLOSED
    assert shade.attributes["current_position"] == 0
    assert shade.attributes["device_class"] == "shade"
    assert shade.attributes["supported_features"] == (
        CoverEntityFeature.OPEN | CoverEntityFeature.CLOSE | CoverEntityFeature.SET_POSITION
    )

    blind = hass.states.get(entity_id(hass, "cover", f"{BLIND_TILT}_tilt"))
    assert blind.state == CoverState.OPEN
    assert blind.attributes["current_tilt_position"] == 60
    assert "current_position" not in blind.attributes
    assert blind.attributes["device_class"] == "blind"
    assert blind.attributes["supported_features"] == (
        CoverEntityFeature.OPEN_TILT
        | CoverEntityFeature.CLOSE_TILT
        | CoverEntityFeature.SET_TILT_POSITION
    )

    garage = hass.states.get(entity_id(hass, "cover", f"{GARAGE}_garage_door"))
    assert garage.state == CoverState.CLOSED
    assert garage.attributes["device_class"] == "garage"
    assert garage.attributes["supported_features"] == (
        CoverEntityFeature.OPEN | CoverEntityFeature.CLOSE
    )


@pytest.mark.parametrize("device_id", [CURTAIN, CURTAIN_3, CURTAIN_4])
async def test_curtain_commands(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    device_id: str,
) -> None:
    entity = entity_id(hass, "cover", f"{device_id}_curtain")
    coordinator = setup_entry.runtime_data.coordinator

    await entity_service(hass, "cover", "open_cover", entity)
    assert hass.states.get(entity).state == CoverState.OPEN
    assert hass.states.get(entity).attributes["current_position"] == 100
    await entity_service(hass, "cover", "close_cover", entity)
    assert hass.states.get(entity).state == CoverState.CLOSED
    assert hass.states.get(entity).attributes["current_position"] == 0
    await entity_service(hass, "cover", "stop_cover", entity)
    await entity_service(hass, "cover", "set_cover_position", entity, position=25)
    assert hass.states.get(entity).state == CoverState.OPEN
    assert hass.states.get(entity).attributes["current_position"] == 25

    assert await commands_sent(sim_admin, device_id) == [
        command("turnOn"),
        command("turnOff"),
        command("pause"),
        # Home Assistant's 25 % open is SwitchBot's 75 (0 open .. 100 closed).
        command("setPosition", "0,ff,75"),
    ]
    await coordinator.async_poll_device(device_id)
    assert (await sim_admin.device(device_id))["status"]["slidePosition"] == 75
    assert hass.states.get(entity).attributes["current_position"] == 25


async def test_roller_shade_moves_with_set_position_only(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "cover", f"{ROLLER_SHADE}_shade")

    await entity_service(hass, "cover", "open_cover", entity)
    assert hass.states.get(entity).attributes["current_position"] == 100
    await entity_service(hass, "cover", "close_cover", entity)
    assert hass.states.get(entity).state == CoverState.CLOSED
    await entity_service(hass, "cover", "set_cover_position", entity, position=40)
    assert hass.states.get(entity).attributes["current_position"] == 40

    assert await commands_sent(sim_admin, ROLLER_SHADE) == [
        command("setPosition", "0"),
        command("setPosition", "100"),
        command("setPosition", "60"),
    ]
    await setup_entry.runtime_data.coordinator.async_poll_device(ROLLER_SHADE)
    assert hass.states.get(entity).state == CoverState.OPEN
    assert hass.states.get(entity).attributes["current_position"] == 40


async def test_roller_shade_has_no_stop(hass: HomeAssistant, setup_entry: MockConfigEntry) -> None:
    entity = entity_id(hass, "cover", f"{ROLLER_SHADE}_shade")
    with pytest.raises(ServiceNotSupported):
        await entity_service(hass, "cover", "stop_cover", entity)


async def test_blind_tilt_commands(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "cover", f"{BLIND_TILT}_tilt")
    coordinator = setup_entry.runtime_data.coordinator

    # Odd positions are rounded to the even ones the blind accepts, halves up.
    await entity_service(hass, "cover", "set_cover_tilt_position", entity, tilt_position=51)
    assert hass.states.get(entity).attributes["current_tilt_position"] == 52
    await entity_service(hass, "cover", "close_cover_tilt", entity)
    assert hass.states.get(entity).state == CoverState.CLOSED
    assert hass.states.get(entity).attributes["current_tilt_position"] == 0
    await entity_service(hass, "cover", "open_cover_tilt", entity)
    assert hass.states.get(entity).attributes["current_tilt_position"] == 100
    await entity_service(hass, "cover", "set_cover_tilt_position", entity, tilt_position=0)
    assert hass.states.get(entity).state == CoverState.CLOSED

    # The slats keep leaning the way they lean ("up" here).
    assert await commands_sent(sim_admin, BLIND_TILT) == [
        command("setPosition", "up;52"),
        command("closeUp"),
        command("fullyOpen"),
        command("setPosition", "up;0"),
    ]
    await coordinator.async_poll_device(BLIND_TILT)
    assert (await sim_admin.device(BLIND_TILT))["status"]["slidePosition"] == 0
    assert hass.states.get(entity).state == CoverState.CLOSED


async def test_blind_tilted_down_closes_down(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "cover", f"{BLIND_TILT}_tilt")
    coordinator = setup_entry.runtime_data.coordinator
    # Someone tilts the slats down by hand.
    await sim_admin.request(
        "POST",
        f"devices/{BLIND_TILT}/event",
        {"status": {"direction": "down", "slidePosition": 20}},
    )
    await coordinator.async_poll_device(BLIND_TILT)
    assert hass.states.get(entity).attributes["current_tilt_position"] == 20

    await entity_service(hass, "cover", "set_cover_tilt_position", entity, tilt_position=99)
    await entity_service(hass, "cover", "close_cover_tilt", entity)
    assert await commands_sent(sim_admin, BLIND_TILT) == [
        command("setPosition", "down;100"),
        command("closeDown"),
    ]
    await coordinator.async_poll_device(BLIND_TILT)
    status = (await sim_admin.device(BLIND_TILT))["status"]
    assert (status["direction"], status["slidePosition"]) == ("down", 0)
    assert hass.states.get(entity).state == CoverState.CLOSED


async def test_garage_door(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "cover", f"{GARAGE}_garage_door")
    coordinator = setup_entry.runtime_data.coordinator

    await entity_service(hass, "cover", "open_cover", entity)
    assert hass.states.get(entity).state == CoverState.OPEN
    await coordinator.async_poll_device(GARAGE)
    # The cloud reports an opened door as doorStatus 0.
    assert (await sim_admin.device(GARAGE))["status"]["doorStatus"] == 0
    assert hass.states.get(entity).state == CoverState.OPEN

    await entity_service(hass, "cover", "close_cover", entity)
    assert hass.states.get(entity).state == CoverState.CLOSED
    await coordinator.async_poll_device(GARAGE)
    assert hass.states.get(entity).state == CoverState.CLOSED

    assert await commands_sent(sim_admin, GARAGE) == [command("turnOn"), command("turnOff")]


async def test_garage_door_sensor_follows_the_door(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    door = entity_id(hass, "binary_sensor", f"{GARAGE}_door")
    cover = entity_id(hass, "cover", f"{GARAGE}_garage_door")
    coordinator = setup_entry.runtime_data.coordinator
    state = hass.states.get(door)
    assert (state.state, state.attributes["device_class"]) == (STATE_OFF, "door")

    await entity_service(hass, "cover", "open_cover", cover)
    await coordinator.async_poll_device(GARAGE)
    assert hass.states.get(door).state == STATE_ON
    await entity_service(hass, "cover", "close_cover", cover)
    await coordinator.async_poll_device(GARAGE)
    assert hass.states.get(door).state == STATE_OFF
    assert await commands_sent(sim_admin, GARAGE) == [command("turnOn"), command("turnOff")]

    # Opened at the wall button: the cloud reports doorStatus 0.
    await sim_admin.request("POST", f"devices/{GARAGE}/event", {"status": {"doorStatus": 0}})
    await coordinator.async_poll_device(GARAGE)
    assert hass.states.get(door).state == STATE_ON
    await sim_admin.request("POST", f"devices/{GARAGE}/event", {"status": {"doorStatus": 7}})
    await coordinator.async_poll_device(GARAGE)
    assert hass.states.get(door).state == STATE_UNKNOWN


async def test_only_motorised_covers_report_calibration(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    calibration = {
        entry.unique_id
        for entry in er.async_entries_for_config_entry(registry, setup_entry.entry_id)
        if entry.domain == "binary_sensor" and entry.unique_id.endswith("_calibration")
    }
    # Not the garage door opener, which has no `calibrate`.
    assert calibration == {
        f"{device_id}_calibration"
        for device_id in (CURTAIN, CURTAIN_3, CURTAIN_4, ROLLER_SHADE, BLIND_TILT)
    }
    for unique_id in calibration:
        registered = registry.async_get(entity_id(hass, "binary_sensor", unique_id))
        assert registered is not None
        assert registered.entity_category is EntityCategory.DIAGNOSTIC


@pytest.mark.parametrize("device_id", [CURTAIN, CURTAIN_3, CURTAIN_4, ROLLER_SHADE, BLIND_TILT])
async def test_lost_calibration_is_a_problem(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin, device_id: str
) -> None:
    entity = entity_id(hass, "binary_sensor", f"{device_id}_calibration")
    coordinator = setup_entry.runtime_data.coordinator
    state = hass.states.get(entity)
    assert (state.state, state.attributes["device_class"]) == (STATE_OFF, "problem")
    assert state.name.endswith(" Calibration")

    event = {"status": {"calibrate": False}}
    await sim_admin.request("POST", f"devices/{device_id}/event", event)
    await coordinator.async_poll_device(device_id)
    assert hass.states.get(entity).state == STATE_ON
    await sim_admin.request("POST", f"devices/{device_id}/event", {"status": {"calibrate": True}})
    await coordinator.async_poll_device(device_id)
    assert hass.states.get(entity).state == STATE_OFF


async def test_blind_tilt_battery(hass: HomeAssistant, setup_entry: MockConfigEntry) -> None:
    battery = hass.states.get(entity_id(hass, "sensor", f"{BLIND_TILT}_battery"))
    assert (battery.state, battery.attributes["unit_of_measurement"]) == ("90", "%")


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("set_cover_position", {"position": 101}),
        ("set_cover_position", {"position": -1}),
    ],
)
async def test_out_of_range_position_is_refused(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    service: str,
    data: dict[str, Any],
) -> None:
    entity = entity_id(hass, "cover", f"{CURTAIN}_curtain")
    with pytest.raises(probatio.Invalid):
        await entity_service(hass, "cover", service, entity, **data)
    assert await commands_sent(sim_admin, CURTAIN) == []
    assert hass.states.get(entity).attributes["current_position"] == 70


async def test_out_of_range_tilt_is_refused(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "cover", f"{BLIND_TILT}_tilt")
    with pytest.raises(probatio.Invalid):
        await entity_service(hass, "cover", "set_cover_tilt_position", entity, tilt_position=101)
    assert await commands_sent(sim_admin, BLIND_TILT) == []


async def test_physical_changes_show_after_a_poll(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    coordinator = setup_entry.runtime_data.coordinator
    curtain = entity_id(hass, "cover", f"{CURTAIN}_curtain")
    garage = entity_id(hass, "cover", f"{GARAGE}_garage_door")

    await sim_admin.request("POST", f"devices/{CURTAIN}/event", {"status": {"slidePosition": 80}})
    await sim_admin.request("POST", f"devices/{GARAGE}/event", {"status": {"doorStatus": 0}})
    await coordinator.async_poll_device(CURTAIN)
    await coordinator.async_poll_device(GARAGE)

    assert hass.states.get(curtain).attributes["current_position"] == 20
    assert hass.states.get(garage).state == CoverState.OPEN


async def test_offline_curtain_raises_and_keeps_its_position(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    entity = entity_id(hass, "cover", f"{CURTAIN}_curtain")
    await sim_admin.set_online(CURTAIN, False)
    with pytest.raises(HomeAssistantError) as caught:
        await entity_service(hass, "cover", "close_cover", entity)
    assert caught.value.translation_key == "device_offline"
    assert hass.states.get(entity).attributes["current_position"] == 70
