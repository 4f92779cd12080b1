"""Each entity platform on its own: the registry entries and states of the home's entities.

In core's shape: RoomSense is set up on the simulator's demo home (plus an AI Art Frame,
which the demo home lacks, so that the image platform has an entity) with one platform
loaded, and `snapshot_platform` compares every entity's registry entry and state with
tests/integration/snapshots/test_snapshots.ambr. Time is frozen, so timestamps, and the
simulated cloud's readings that follow the clock, are the same on every run.

A change in a snapshot is a change users see (a name, an entity id, a unit, a state, an
attribute): review it, then update the snapshots with

    scripts/python -m pytest tests/integration/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from importlib import resources
from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import image
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import async_get_platforms
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.roomsense import PLATFORMS
from custom_components.roomsense.const import DOMAIN

# A fixed moment (09:00 in Japan, where the demo home is), so every timestamp is the same.
NOW = "2026-03-14T00:00:00+00:00"
ART_FRAME = "A1F2A3F4A5F6"
ENTRY_ID = "01JSNAPSH0TR00MSENSE000000"
# Every entity platform of RoomSense (the conversation agent included).
ENTITY_PLATFORMS = sorted(PLATFORMS)


@pytest.fixture
def home() -> dict[str, Any]:
    """The demo home, and an AI Art Frame without a picture yet."""
    demo = resources.files("roomsense_simulator").joinpath("homes", "demo.json").read_text()
    home: dict[str, Any] = json.loads(demo)
    hub = next(device for device in home["devices"] if device["deviceType"] == "Hub 2")
    home["devices"].append(
        {
            "deviceId": ART_FRAME,
            "deviceName": "リビングのアートフレーム",
            "deviceType": "AI Art Frame",
            "hubDeviceId": hub["deviceId"],
        }
    )
    return home


@pytest.fixture
def config_entry(config_entry: MockConfigEntry) -> MockConfigEntry:
    """The account's entry with a fixed entry id: the account's own entities' ids hold it."""
    return MockConfigEntry(
        domain=config_entry.domain,
        title=config_entry.title,
        unique_id=config_entry.unique_id,
        data=dict(config_entry.data),
        entry_id=ENTRY_ID,
    )


@pytest.fixture(autouse=True)
def frozen_time(freezer: FrozenDateTimeFactory) -> None:
    freezer.move_to(NOW)


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Every entity enabled, those disabled by default too (core's fixture of that name)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
def stable_image_tokens() -> Iterator[None]:
    """The image entity's access token (in its state and picture URL) is random otherwise."""
    with patch.object(image._RND, "getrandbits", return_value=1):
        yield


@pytest.fixture
async def platform_entry(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    request: pytest.FixtureRequest,
    entity_registry_enabled_by_default: None,
    stable_image_tokens: None,
) -> AsyncIterator[MockConfigEntry]:
    """RoomSense set up on the simulator with the one platform the test names.

    Unloaded here, while the patch still holds, so that only that platform is unloaded.
    """
    with patch("custom_components.roomsense.PLATFORMS", [request.param]):
        config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
        await read_polled_entities(hass)
        yield config_entry
        assert await hass.config_entries.async_unload(config_entry.entry_id)


async def read_polled_entities(hass: HomeAssistant) -> None:
    """Have the polled entities (the API call figures) read what set-up left, as at a scan.

    Each wrote its state when it was added, in the middle of set-up: how many calls the
    webhook's registration had made by then depends on the order the core adds entities in
    (2026.10.0 and 2026.10.4 differ), not on RoomSense. Their first scan shows the settled
    figure, which is what a user sees.
    """
    for platform in async_get_platforms(hass, DOMAIN):
        for entity in platform.entities.values():
            if entity.should_poll:
                await entity.async_update_ha_state(force_refresh=True)


@pytest.mark.parametrize("platform_entry", ENTITY_PLATFORMS, indirect=True, ids=str)
async def test_platform(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform_entry: MockConfigEntry,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, platform_entry.entry_id)
