"""A device whose first status is not read at start-up still gets its entities.

They are there at once, unavailable, and fill in when a later poll (or push) reads the
device; a restart while the cloud is away keeps them too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.polling import PREFERRED_POLL_INTERVAL

from ..conftest import SimulatorAdmin, home_with, registry_device
from .conftest import while_time_passes

PLUG, METER = "000000000001", "000000000002"
PLUG_SWITCH = f"{PLUG}_plug"
PLUG_STATUS = f"/v1.1/devices/{PLUG}/status"


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with("Plug Mini (JP)", "Meter")


def live_state(hass: HomeAssistant, platform: str, unique_id: str) -> str | None:
    """The state of an entity an entity object stands behind (None if there is none)."""
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    if entity_id is None or (state := hass.states.get(entity_id)) is None:
        return None
    if state.attributes.get("restored"):
        return None
    return state.state


def unique_ids_of(hass: HomeAssistant, device_id: str) -> set[str]:
    device = registry_device(hass, (DOMAIN, device_id))
    assert device is not None
    return {entry.unique_id for entry in er.async_entries_for_device(er.async_get(hass), device.id)}


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_entities_wait_unavailable_for_the_first_status(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    freezer: FrozenDateTimeFactory,
) -> None:
    # The plug's status read fails at start-up (answered without a status: not retried).
    await sim_admin.fault(http_status=404, paths=[PLUG_STATUS])
    await set_up(hass, config_entry)

    # The plug's switch is there at once, unavailable; the meter read fine.
    assert live_state(hass, "switch", PLUG_SWITCH) == STATE_UNAVAILABLE
    assert live_state(hass, "sensor", f"{METER}_temperature") not in (None, STATE_UNAVAILABLE)
    coordinator = config_entry.runtime_data.coordinator
    assert "404" in coordinator.unread[PLUG]
    # Its readings wait for its status, which says which it has.
    assert f"{PLUG}_power" not in unique_ids_of(hass, PLUG)

    # The next poll reads it: the switch shows the plug's state, its readings join.
    await sim_admin.request("DELETE", "faults")
    freezer.tick(timedelta(seconds=PREFERRED_POLL_INTERVAL + 30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert live_state(hass, "switch", PLUG_SWITCH) == STATE_OFF  # as the plug reports
    assert PLUG not in coordinator.unread
    readings = {uid for uid in unique_ids_of(hass, PLUG) if uid.startswith(PLUG)}
    assert len(readings) > 2
    for unique_id in readings:
        entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, unique_id)
        if entity_id is not None:
            state = hass.states.get(entity_id)
            assert state is not None
            assert state.state != STATE_UNAVAILABLE, entity_id


async def test_restart_during_a_cloud_outage_keeps_every_device(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    # First start: the plug's status is not read; the account is kept for a start offline.
    await sim_admin.fault(http_status=404, paths=[PLUG_STATUS])
    await set_up(hass, config_entry)
    before = {device_id: unique_ids_of(hass, device_id) for device_id in (PLUG, METER)}
    assert PLUG_SWITCH in before[PLUG]

    # Home Assistant restarts while the cloud is away: the entry starts from the cache.
    await sim_admin.fault(outage=True)
    await while_time_passes(
        hass, hass.config_entries.async_reload(config_entry.entry_id), seconds=1
    )
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    assert config_entry.runtime_data.coordinator.cloud_error is not None

    for device_id in (PLUG, METER):
        assert unique_ids_of(hass, device_id) == before[device_id]
    # Every device's entities stand behind their states: the plug's unavailable.
    assert live_state(hass, "switch", PLUG_SWITCH) == STATE_UNAVAILABLE
    assert live_state(hass, "sensor", f"{METER}_temperature") not in (None, STATE_UNAVAILABLE)
    assert PLUG in config_entry.runtime_data.coordinator.unread


@pytest.fixture
def disable_http_server() -> None:
    """Keep Home Assistant's real HTTP server (the pushes come to it)."""


async def test_a_push_fills_in_a_device_never_read(
    hass: HomeAssistant, ha_url: str, config_entry: MockConfigEntry, sim_admin: SimulatorAdmin
) -> None:
    await sim_admin.fault(http_status=404, paths=[PLUG_STATUS])
    await set_up(hass, config_entry)
    assert config_entry.runtime_data.coordinator.push_active
    assert live_state(hass, "switch", PLUG_SWITCH) == STATE_UNAVAILABLE

    # The plug is switched on at the device: SwitchBot pushes its new state.
    await sim_admin.request("POST", f"devices/{PLUG}/event", {"status": {"power": "on"}})
    await sim_admin.request("POST", "webhooks/flush")
    await hass.async_block_till_done()
    assert live_state(hass, "switch", PLUG_SWITCH) == STATE_ON
