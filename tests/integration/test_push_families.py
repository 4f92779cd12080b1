"""Pushed events reach the entities of each device family, without a single poll."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..conftest import SimulatorAdmin, free_port, home_with
from .conftest import entity_id

LOCK, CONTACT, MOTION, LEAK, BULB, CURTAIN, PRESENCE, RELAY = (f"{n:012d}" for n in range(1, 9))


@pytest.fixture
def disable_http_server() -> None:
    """Keep Home Assistant's real HTTP server, which the test plugin stops by default."""


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with(
        "Smart Lock Pro",
        "Contact Sensor",
        "Motion Sensor",
        "Water Detector",
        "Color Bulb",
        "Curtain",
        "Presence Sensor",
        "Relay Switch 2PM",
    )


@pytest.fixture
async def pushing_entry(
    hass: HomeAssistant, socket_enabled: None, config_entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    port = free_port()
    assert await async_setup_component(
        hass, "http", {"http": {"server_host": "127.0.0.1", "server_port": port}}
    )
    await hass.http.start()
    await hass.config.async_update(internal_url=f"http://127.0.0.1:{port}")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    yield config_entry
    await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.http.stop()


@pytest.mark.parametrize(
    ("device_id", "platform", "key", "status", "state", "attribute"),
    [
        (LOCK, "lock", "lock", {"lockState": "unlock"}, "unlocked", None),
        (LOCK, "lock", "lock", {"lockState": "jammed"}, "jammed", None),
        (CONTACT, "binary_sensor", "contact", {"openState": "open"}, "on", None),
        (MOTION, "binary_sensor", "motion", {"moveDetected": True}, "on", None),
        (LEAK, "binary_sensor", "leak", {"status": 1}, "on", None),
        (PRESENCE, "binary_sensor", "presence", {"Detected": True}, "on", None),
        (BULB, "light", "light", {"power": "on", "brightness": 40}, "on", ("brightness", 102)),
        (CURTAIN, "cover", "curtain", {"slidePosition": 70}, "open", ("current_position", 30)),
        # Relays report channels as 0/1; a pushed "on" must be read, not crash the push.
        (RELAY, "switch", "channel_1", {"switch1Status": "on"}, "on", None),
    ],
)
async def test_a_physical_change_is_pushed_to_the_entity(
    hass: HomeAssistant,
    pushing_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    device_id: str,
    platform: str,
    key: str,
    status: dict[str, Any],
    state: str,
    attribute: tuple[str, Any] | None,
) -> None:
    entity = entity_id(hass, platform, f"{device_id}_{key}")
    calls_before = len(await sim_admin.calls())
    await sim_admin.request("POST", f"devices/{device_id}/event", {"status": status})
    await sim_admin.request("POST", "webhooks/flush")
    await hass.async_block_till_done()

    shown = hass.states.get(entity)
    assert shown.state == state
    if attribute:
        assert shown.attributes[attribute[0]] == attribute[1]
    deliveries = (await sim_admin.request("GET", "webhooks"))["deliveries"]
    assert deliveries[-1]["http_status"] == 200
    assert len(await sim_admin.calls()) == calls_before  # pushed, not polled
