"""Polling within the quota, push devices left alone, and graceful degradation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.roomsense.coordinator import SAFETY_POLL_INTERVAL
from custom_components.roomsense.polling import PREFERRED_POLL_INTERVAL
from roomsense_simulator import Simulator

from ..conftest import SimulatorAdmin, home_with
from .conftest import entity_id

PLUG, METER, CAMERA = "000000000001", "000000000002", "000000000003"
HUB = "AA0000000000"


@pytest.fixture
def home(request: pytest.FixtureRequest) -> dict[str, Any]:
    return getattr(request, "param", None) or home_with("Plug", "Meter", "Indoor Cam")


def status_reads(simulator: Simulator, since: int) -> list[str]:
    return [
        call["path"].split("/")[3]
        for call in simulator.calls[since:]
        if call["path"].endswith("/status")
    ]


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    # The poll scheduler runs as a background task, like Home Assistant's own polling.
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_only_devices_without_push_are_polled(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    sim_admin: SimulatorAdmin,
    freezer: FrozenDateTimeFactory,
) -> None:
    assert setup_entry.runtime_data.coordinator.push_active is True
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    assert hass.states.get(plug).state == STATE_OFF
    # Someone switches the plug on by hand; a Plug never pushes.
    await sim_admin.request("POST", f"devices/{PLUG}/event", {"status": {"power": "on"}})
    start = len(simulator.calls)

    await advance(hass, freezer, PREFERRED_POLL_INTERVAL - 30)
    assert status_reads(simulator, start) == []
    await advance(hass, freezer, 60)
    assert status_reads(simulator, start) == [PLUG]
    assert hass.states.get(plug).state == STATE_ON

    # A whole safety interval later the pushing devices were read once, as a check.
    await advance(hass, freezer, SAFETY_POLL_INTERVAL)
    reads = status_reads(simulator, start)
    assert reads.count(METER) == 1
    assert reads.count(HUB) == 1
    # A camera's status body holds nothing but its ids: it is never polled.
    assert CAMERA not in reads


@pytest.mark.parametrize(
    "home", [home_with(*["Plug"] * count, "Meter") for count in (10, 50, 200)], indirect=True
)
async def test_the_poll_interval_fits_the_budget_whatever_the_home(
    hass: HomeAssistant, config_entry: MockConfigEntry, home: dict[str, Any]
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={"polling_share": 10})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator = config_entry.runtime_data.coordinator
    poll_only = sum(1 for device in home["devices"] if device["deviceType"] == "Plug")
    pushing = len(home["devices"]) - poll_only  # the Meter and the Hub 2
    calls_per_day = poll_only * 86_400 / coordinator.poll_interval()
    calls_per_day += pushing * 86_400 / SAFETY_POLL_INTERVAL
    assert calls_per_day <= 10_000 * 0.10
    assert coordinator.poll_interval() >= PREFERRED_POLL_INTERVAL


async def test_spent_quota_keeps_last_states_then_staleness_ends_them(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    freezer: FrozenDateTimeFactory,
) -> None:
    # Early in the cloud's (UTC) day, so the quota is not renewed before the test means it.
    freezer.move_to("2026-12-04 03:00:00+00:00")
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={"staleness": 900})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    await sim_admin.set_quota(used=10_000)

    await advance(hass, freezer, PREFERRED_POLL_INTERVAL + 30)
    state = hass.states.get(plug)
    assert state.state == STATE_OFF  # the last known state, not unavailable
    assert state.attributes["stale"] is True
    assert "last_confirmed" in state.attributes

    await advance(hass, freezer, 900)
    assert hass.states.get(plug).state == STATE_UNAVAILABLE

    # The next (UTC) day the quota is back, and so is the state.
    await advance(hass, freezer, 86_400)
    state = hass.states.get(plug)
    assert state.state == STATE_OFF
    assert "stale" not in state.attributes


async def test_rejected_credentials_during_polling_ask_for_reauth(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    freezer: FrozenDateTimeFactory,
) -> None:
    await sim_admin.fault(http_status=401)
    await advance(hass, freezer, PREFERRED_POLL_INTERVAL + 30)
    flows = hass.config_entries.flow.async_progress_by_handler("roomsense")
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_a_quiet_device_that_pushes_stays_available_between_safety_reads(
    hass: HomeAssistant, setup_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Nothing changed for two hours: no push came, and none was missed."""
    temperature = entity_id(hass, "sensor", f"{METER}_temperature")
    await advance(hass, freezer, 2 * 3600)
    assert hass.states.get(temperature).state != STATE_UNAVAILABLE
    assert setup_entry.runtime_data.coordinator.is_stale(METER) is False
    # A device that does not push is read on its interval meanwhile, so it is fresh too.
    assert hass.states.get(entity_id(hass, "switch", f"{PLUG}_plug")).state == STATE_OFF
