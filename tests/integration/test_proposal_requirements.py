"""Proposals that need another Home Assistant integration: "after sunset" needs `sun`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity_platform import async_get_platforms
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.roomsense.const import DOMAIN

from ..conftest import registry_device
from .conftest import roomsense_service

CONTACT = "E9D4B2A7C610"  # 玄関ドアの開閉センサー
BULB = "6055F93A8B21"  # 寝室の電球


def door_openings_after_dark() -> list[dict[str, Any]]:
    evening = dt_util.now().replace(hour=19, minute=5, second=0, microsecond=0)
    return [
        {"deviceId": CONTACT, "deviceType": "Contact Sensor", "openState": "open",
         "timestamp": (evening - timedelta(days=days)).isoformat()}
        for days in (1, 2)
    ]  # fmt: skip


async def light_by_the_door(hass: HomeAssistant) -> None:
    """The bulb and the door sensor in one area, so the door gets a light to answer it."""
    entrance = ar.async_get(hass).async_create("Entrance")
    for device_id in (CONTACT, BULB):
        device = registry_device(hass, (DOMAIN, device_id))
        assert device is not None, device_id
        dr.async_get(hass).async_update_device(device.id, area_id=entrance.id)


def door_lights(proposals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        proposal
        for proposal in proposals
        if any(
            condition.get("entity_id") == "sun.sun"
            for condition in proposal["suggestion"]["conditions"]
        )
    ]


@pytest.fixture
async def sun(hass: HomeAssistant, request: pytest.FixtureRequest) -> AsyncIterator[bool]:
    """The `sun` integration set up as default_config would, when the test asks for it."""
    wanted = bool(request.param)
    if wanted:
        assert await async_setup_component(hass, "sun", {})
        await hass.async_block_till_done()
        assert hass.states.get("sun.sun") is not None
    yield wanted
    for entry in hass.config_entries.async_entries("sun"):
        assert await hass.config_entries.async_unload(entry.entry_id)
    # Unloading leaves the sun.sun entity's platform polling; stop it, as stopping would.
    for platform in async_get_platforms(hass, "sun"):
        platform.async_shutdown()


@pytest.mark.parametrize("sun", [True, False], ids=["with_sun", "without_sun"], indirect=True)
async def test_after_sunset_is_offered_only_with_the_sun_integration(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    sun: bool,
) -> None:
    assert ("sun" in hass.config.components) is sun
    await light_by_the_door(hass)
    events = door_openings_after_dark()

    client = await hass_client()
    response = await client.post("/api/roomsense/automation/proposals", json={"events": events})
    assert response.status == 200, await response.text()
    proposals = (await response.json())["proposals"]
    through_service = await roomsense_service(
        hass, "propose_automations", {"events": events, "language": "ja"}
    )

    if not sun:
        assert door_lights(proposals) == [], proposals
        assert door_lights(through_service["proposals"]) == []
        return
    [door] = door_lights(proposals)
    assert door["requires"] == ["sun"]
    assert "Sun integration" in door["description"]
    assert door["suggestion"]["actions"][0]["device_id"] == BULB
    [door_ja] = door_lights(through_service["proposals"])
    assert door_ja["requires"] == ["sun"]
    assert "(sun)インテグレーションが必要です" in door_ja["description"]
    # Every other proposal needs nothing more.
    assert all(p["requires"] == [] for p in proposals if p["id"] != door["id"])
