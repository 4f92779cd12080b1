"""Fixtures for tests that run RoomSense inside a real Home Assistant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.roomsense.config_flow import account_unique_id
from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.edge import DATA_EDGE, EdgeManager
from custom_components.roomsense.switchbot_cloud import SwitchBotCloudClient
from roomsense_simulator import Simulator

from ..conftest import SECRET, TOKEN, free_port


@pytest.fixture(autouse=True)
async def unload_while_the_cloud_is_up(
    hass: HomeAssistant, simulator: Simulator
) -> AsyncIterator[None]:
    """Unload RoomSense before the simulator stops, as a user would with the cloud up.

    Otherwise removing the webhook would meet a closed port and wait out its retries.
    """
    yield
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load integrations from custom_components/."""


@pytest.fixture(autouse=True)
async def core_integrations(hass: HomeAssistant) -> None:
    """What a running Home Assistant always has; the conversation agent needs it."""
    assert await async_setup_component(hass, "homeassistant", {})


@pytest.fixture(autouse=True)
async def loopback_internal_url(hass: HomeAssistant) -> None:
    """A webhook URL on loopback where nothing listens, unless a test serves one.

    Without it Home Assistant's URL would be the test plugin's mocked LAN address, and
    the simulator would push events there.
    """
    await hass.config.async_update(internal_url="http://127.0.0.1:9")  # the discard port


@pytest.fixture
async def ha_url(hass: HomeAssistant, socket_enabled: None) -> AsyncIterator[str]:
    """Home Assistant's own HTTP server on a free loopback port, known as its internal URL.

    A module using it keeps the real server by overriding `disable_http_server`.
    """
    port = free_port()
    assert await async_setup_component(
        hass, "http", {"http": {"server_host": "127.0.0.1", "server_port": port}}
    )
    # The server starts with the frontend or at Home Assistant's start, long past here.
    await hass.http.start()
    url = f"http://127.0.0.1:{port}"
    await hass.config.async_update(internal_url=url)
    yield url
    await hass.http.stop()


@pytest.fixture
def config_entry(simulator: Simulator) -> MockConfigEntry:
    """A RoomSense entry for the simulator's account (not yet added to hass)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="SwitchBot",
        unique_id=account_unique_id(TOKEN),
        data={"token": TOKEN, "secret": SECRET, "base_url": simulator.base_url},
    )


@pytest.fixture
async def setup_entry(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """RoomSense set up against the simulator."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


@pytest.fixture
async def agent(hass: HomeAssistant, config_entry: MockConfigEntry) -> str:
    """The entry's conversation agent, set up without a language model."""
    assert await async_setup_component(hass, "conversation", {})
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return entity_id(hass, "conversation", f"{config_entry.entry_id}_conversation")


async def set_up_agent(
    hass: HomeAssistant, config_entry: MockConfigEntry, options: dict[str, Any]
) -> str:
    """Set the entry up with these (language model) options; its conversation agent's id."""
    assert await async_setup_component(hass, "conversation", {})
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options=options)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return entity_id(hass, "conversation", f"{config_entry.entry_id}_conversation")


async def roomsense_service(
    hass: HomeAssistant,
    service: str,
    data: dict[str, Any] | None = None,
    user: MockUser | None = None,
    *,
    return_response: bool = True,
) -> Any:
    """Call a RoomSense service and wait for it, as `user` when given; its response.

    `return_response=False` for a service that gives none (the call then returns None).
    """
    return await hass.services.async_call(
        DOMAIN,
        service,
        data or {},
        blocking=True,
        return_response=return_response,
        context=Context(user_id=user.id if user else None),
    )


def entity_id(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    """The entity id Home Assistant gave the entity with this unique id."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert found is not None, f"no {platform} entity {unique_id}"
    return found


async def setup_webhook_directly(entry: MockConfigEntry, url: str) -> None:
    """Another application (or an old RoomSense) registered its URL on the account."""
    async with aiohttp.ClientSession() as session:
        client = SwitchBotCloudClient(
            entry.data["token"], entry.data["secret"], session, base_url=entry.data["base_url"]
        )
        await client.setup_webhook(url)


@pytest.fixture
async def edge(hass: HomeAssistant) -> EdgeManager:
    """RoomSense set up without any SwitchBot account: the edge API needs none."""
    assert await async_setup_component(hass, DOMAIN, {})
    return hass.data[DATA_EDGE]


@pytest.fixture
async def admin(edge: EdgeManager, hass_client: ClientSessionGenerator) -> TestClient:
    """An administrator of Home Assistant, on its HTTP app."""
    return await hass_client()


@pytest.fixture
async def device_http(edge: EdgeManager, hass_client_no_auth: ClientSessionGenerator) -> TestClient:
    """A connection without Home Assistant credentials, as an edge device has."""
    return await hass_client_no_auth()
