"""Fixtures for tests that run RoomSense inside a real Home Assistant."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from datetime import timedelta
from typing import Any
from unittest.mock import AsyncMock, patch

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.roomsense.config_flow import account_unique_id
from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.edge import EdgeManager
from custom_components.roomsense.shared import get_shared
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


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Syrupy's snapshot with Home Assistant's serializer, as core's tests/conftest.py has it.

    The test plugin defines the same fixture, but as a plugin beside syrupy's its override does
    not take: without this, registry ids and timestamps would land in the snapshots and
    they would go to __snapshots__ rather than snapshots/.
    """
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


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


async def confirm_http_config(hass: HomeAssistant) -> None:
    """Confirm the HTTP config just set up, as a person does once it works.

    Newer cores try a new HTTP config for five minutes, then revert it and restart Home
    Assistant (which fails in a test, and ends the HTTP server).
    """
    try:
        from homeassistant.components.http.config import DATA_STORE
    except ImportError:  # an older core: nothing to confirm
        return
    store = hass.data.get(DATA_STORE)
    if store is not None and store.pending is not None:
        await store.async_promote_pending()


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
    await confirm_http_config(hass)
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
async def pushing_entry(
    hass: HomeAssistant, ha_url: str, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """RoomSense set up with Home Assistant's real server as its internal URL, which the
    simulator's webhook pushes reach (a module using it overrides `disable_http_server`).
    """
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


@pytest.fixture
async def mock_setup_entry(hass: HomeAssistant) -> AsyncIterator[AsyncMock]:
    """RoomSense's entry set-up replaced (core's config-flow fixture): flows are tested alone.

    The mock is the entry set-up; a test asserts it ran once, when the flow added the entry
    or reloaded it. Entries are unloaded while the mocks still stand in.
    """
    with (
        patch("custom_components.roomsense.async_setup_entry", return_value=True) as setup,
        patch("custom_components.roomsense.async_unload_entry", return_value=True),
    ):
        yield setup
        for entry in hass.config_entries.async_entries(DOMAIN):
            if entry.state is ConfigEntryState.LOADED:
                await hass.config_entries.async_unload(entry.entry_id)


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


async def entity_service(
    hass: HomeAssistant, domain: str, service: str, entity: str, **data: Any
) -> None:
    """Call an entity service of a platform on one entity and wait for it, as a user's tap.

    `await entity_service(hass, "light", "turn_on", light, brightness=128)`; a refusal
    (ServiceValidationError, HomeAssistantError) is raised to the test.
    """
    await hass.services.async_call(domain, service, {"entity_id": entity, **data}, blocking=True)


async def while_time_passes[T](
    hass: HomeAssistant, call: Coroutine[Any, Any, T], *, seconds: float
) -> T:
    """Await a call, running the timers it sets in Home Assistant's loop instead of waiting.

    Some calls wait on such timers for seconds of real time: the cloud client backing off
    between tries while the cloud is away (up to 1 s each), PySwitchbot giving up after 5 s
    on the answer a dropped Bluetooth link never brings. At each step the timers due within
    `seconds` run at once; the short wait between steps lets the sockets answer. Keep
    `seconds` below the timers the test must not run early (the command queue's first retry
    is 5 s away). The `freezer` fixture cannot do this: it stops the loop's own clock, so
    the short waits would never end.
    """
    task = hass.async_create_task(call)
    for _ in range(200):
        done, _pending = await asyncio.wait({task}, timeout=0.05)
        if done:
            return task.result()
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    task.cancel()
    pytest.fail("the call did not end")


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
    return get_shared(hass).edge


@pytest.fixture
async def admin(edge: EdgeManager, hass_client: ClientSessionGenerator) -> TestClient:
    """An administrator of Home Assistant, on its HTTP app."""
    return await hass_client()


@pytest.fixture
async def device_http(edge: EdgeManager, hass_client_no_auth: ClientSessionGenerator) -> TestClient:
    """A connection without Home Assistant credentials, as an edge device has."""
    return await hass_client_no_auth()
