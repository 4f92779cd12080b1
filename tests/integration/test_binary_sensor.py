"""Binary sensors: created for the states a device reports, following physical changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.roomsense.push import MOMENTARY_SECONDS, status_from_context

from ..conftest import SimulatorAdmin, home_with
from .conftest import entity_id

HUB_3 = "AA0000000000"
MOTION, CONTACT, WATER, PRESENCE, DOORBELL, CLIMATE_PANEL, LOCK_PRO, LOCK_LITE = (
    f"{n:012d}" for n in range(1, 9)
)


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with(
        "Motion Sensor",
        "Contact Sensor",
        "Water Detector",
        "Presence Sensor",
        "Video Doorbell",
        "Home Climate Panel",
        "Smart Lock Pro",
        "Lock Lite",
        hub_type="Hub 3",
    )


async def physical_change(
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    device_id: str,
    status: dict[str, Any],
) -> None:
    """Something happens at the device; Home Assistant reads it from the cloud."""
    await sim_admin.request("POST", f"devices/{device_id}/event", {"status": status})
    await setup_entry.runtime_data.coordinator.async_poll_device(device_id)


async def test_entities_follow_what_devices_report(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    unique_ids = {
        entry.unique_id
        for entry in er.async_entries_for_config_entry(er.async_get(hass), setup_entry.entry_id)
        if entry.domain == "binary_sensor"
    }
    assert unique_ids == {
        f"{HUB_3}_motion",
        f"{MOTION}_motion",
        f"{CONTACT}_motion",
        f"{CONTACT}_contact",
        f"{WATER}_leak",
        f"{PRESENCE}_presence",
        f"{DOORBELL}_doorbell",
        f"{CLIMATE_PANEL}_motion",
        # Lock Lite reports no doorState, so it gets no door sensor.
        f"{LOCK_PRO}_door",
        f"{LOCK_PRO}_calibration",
        f"{LOCK_LITE}_calibration",
        # The account's own: whether its SwitchBot cloud is reachable.
        f"{setup_entry.entry_id}_cloud",
    }


@pytest.mark.parametrize(
    ("device_id", "key", "device_class", "on_status", "off_status"),
    [
        (MOTION, "motion", "motion", {"moveDetected": True}, {"moveDetected": False}),
        (HUB_3, "motion", "motion", {"moveDetected": True}, {"moveDetected": False}),
        (CLIMATE_PANEL, "motion", "motion", {"moveDetected": True}, {"moveDetected": False}),
        (CONTACT, "motion", "motion", {"moveDetected": True}, {"moveDetected": False}),
        (CONTACT, "contact", "opening", {"openState": "open"}, {"openState": "close"}),
        # Left open too long is still open.
        (CONTACT, "contact", "opening", {"openState": "timeOutNotClose"}, {"openState": "close"}),
        (WATER, "leak", "moisture", {"status": 1}, {"status": 0}),
        (PRESENCE, "presence", "occupancy", {"Detected": True}, {"Detected": False}),
        (LOCK_PRO, "door", "door", {"doorState": "open"}, {"doorState": "close"}),
        # A lock that lost its calibration is a problem.
        (LOCK_PRO, "calibration", "problem", {"calibrate": False}, {"calibrate": True}),
        (LOCK_LITE, "calibration", "problem", {"calibrate": False}, {"calibrate": True}),
    ],
)
async def test_physical_changes(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    device_id: str,
    key: str,
    device_class: str,
    on_status: dict[str, Any],
    off_status: dict[str, Any],
) -> None:
    entity = entity_id(hass, "binary_sensor", f"{device_id}_{key}")
    state = hass.states.get(entity)
    assert state.state == STATE_OFF
    assert state.attributes["device_class"] == device_class

    await physical_change(setup_entry, sim_admin, device_id, on_status)
    assert hass.states.get(entity).state == STATE_ON
    await physical_change(setup_entry, sim_admin, device_id, off_status)
    assert hass.states.get(entity).state == STATE_OFF


async def test_door_state_of_an_unlocked_lock(
    hass: HomeAssistant, setup_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    door = entity_id(hass, "binary_sensor", f"{LOCK_PRO}_door")
    # Unlocking does not open the door; the door sensor only follows doorState.
    await hass.services.async_call(
        "lock", "unlock", {"entity_id": entity_id(hass, "lock", f"{LOCK_PRO}_lock")}, blocking=True
    )
    await setup_entry.runtime_data.coordinator.async_poll_device(LOCK_PRO)
    assert hass.states.get(door).state == STATE_OFF
    await physical_change(setup_entry, sim_admin, LOCK_PRO, {"doorState": "open"})
    assert hass.states.get(door).state == STATE_ON


async def test_doorbell_press_arrives_by_push(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """The status endpoint never reports a press; a webhook event carries `press`."""
    coordinator = setup_entry.runtime_data.coordinator
    doorbell = entity_id(hass, "binary_sensor", f"{DOORBELL}_doorbell")
    assert hass.states.get(doorbell).state == STATE_OFF

    def push(pressed: bool) -> None:
        context = {"deviceType": "Video Doorbell", "deviceMac": DOORBELL, "press": pressed}
        fields = status_from_context("Video Doorbell", context)
        assert coordinator.async_apply_push(DOORBELL, fields, None)

    push(True)
    await hass.async_block_till_done()
    assert hass.states.get(doorbell).state == STATE_ON
    push(False)
    await hass.async_block_till_done()
    assert hass.states.get(doorbell).state == STATE_OFF

    # A poll replaces the status with one that has no `press`: not pressed.
    push(True)
    await coordinator.async_poll_device(DOORBELL)
    assert hass.states.get(doorbell).state == STATE_OFF

    # A press is a moment: with no further event it is released a few seconds later.
    push(True)
    await hass.async_block_till_done()
    assert hass.states.get(doorbell).state == STATE_ON
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=MOMENTARY_SECONDS + 1))
    await hass.async_block_till_done()
    assert hass.states.get(doorbell).state == STATE_OFF
