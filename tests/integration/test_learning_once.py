"""Scene learning records each thing a person does once, however many state changes it makes."""

from __future__ import annotations

from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import Context, HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.roomsense.shared import get_shared

from ..conftest import SimulatorAdmin
from .conftest import entity_id, roomsense_service

LIGHT = "94A99021C3F4"


def light_state(hass: HomeAssistant, light: str) -> str:
    state = hass.states.get(light)
    assert state is not None
    return state.state


async def test_a_dashboard_tap_is_one_operation(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_admin_user: MockUser,
) -> None:
    learning = get_shared(hass).learning
    light = entity_id(hass, "light", f"{LIGHT}_light")
    assert light_state(hass, light) == STATE_ON
    before = len(learning.operations)
    # A person turns the light off in the dashboard: one call, with the person's context.
    await hass.services.async_call(
        "light", "turn_off", {"entity_id": light}, blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )  # fmt: skip
    # The wall switch turns it back on and the cloud says so at once: the entity still
    # carries the tap's context, but the person tapped once.
    await sim_admin.request("POST", f"devices/{LIGHT}/event", {"status": {"power": "on"}})
    await setup_entry.runtime_data.coordinator.async_poll_device(LIGHT)
    await hass.async_block_till_done()
    assert light_state(hass, light) == STATE_ON

    recorded = [(op.device_id, op.command, op.user_id) for op in learning.operations[before:]]
    assert recorded == [(LIGHT, "turnOff", hass_admin_user.id)]


async def test_two_quick_actions_are_two_operations(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    learning = get_shared(hass).learning
    light = entity_id(hass, "light", f"{LIGHT}_light")
    before = len(learning.operations)
    # A person turns the light off through RoomSense's service, then on again in the
    # dashboard a moment later: the tap is not taken for the service command's echo.
    await roomsense_service(
        hass, "send_command", {"device_id": LIGHT, "command": "turnOff"}, hass_admin_user
    )
    assert light_state(hass, light) == STATE_OFF
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": light}, blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )  # fmt: skip
    await hass.async_block_till_done()
    assert light_state(hass, light) == STATE_ON

    recorded = [(op.device_id, op.command, op.source) for op in learning.operations[before:]]
    assert recorded == [(LIGHT, "turnOff", "service"), (LIGHT, "turnOn", "state")]
