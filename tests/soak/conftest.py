"""RoomSense against the simulated cloud, reachable for push, with an admin's HTTP session.

Home Assistant's real HTTP server listens on loopback, so the simulator's webhook pushes
and the edge device's requests travel over HTTP as they would at home.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import aiohttp
import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.auth.models import TOKEN_TYPE_LONG_LIVED_ACCESS_TOKEN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.roomsense.config_flow import account_unique_id
from custom_components.roomsense.const import DOMAIN, OPT_MAX_COMPLETED_JOBS
from roomsense_simulator import Simulator

from ..conftest import SECRET, TOKEN
from ..integration import conftest as integration

TOKYO = "Asia/Tokyo"
# A Monday at midnight in Tokyo: the cloud's quota day turns at 09:00 local time.
START = datetime.fromisoformat("2026-11-23 00:00:00+09:00")
# Finished edge jobs kept: low enough that a few days fill it and the rotation shows.
MAX_COMPLETED_JOBS = 30


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load integrations from custom_components/."""


@pytest.fixture
def disable_http_server() -> None:
    """Keep Home Assistant's real HTTP server, which the test plugin stops by default."""


# Home Assistant's real HTTP server on a free loopback port, as the integration tests have it.
ha_url = integration.ha_url


@pytest.fixture
async def week_start(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> datetime:
    """The clock (Home Assistant's and the cloud's) at the start of the week, in Tokyo."""
    await hass.config.async_set_time_zone(TOKYO)
    freezer.move_to(START)
    return START


@pytest.fixture
async def roomsense(
    hass: HomeAssistant, week_start: datetime, ha_url: str, simulator: Simulator
) -> AsyncIterator[MockConfigEntry]:
    """RoomSense set up against the simulator at the start of the week.

    Unloaded while the cloud is still up, as a user would.
    """
    assert await async_setup_component(hass, "homeassistant", {})
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="SwitchBot",
        unique_id=account_unique_id(TOKEN),
        data={"token": TOKEN, "secret": SECRET, "base_url": simulator.base_url},
        options={OPT_MAX_COMPLETED_JOBS: MAX_COMPLETED_JOBS},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    if entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
async def admin_http(
    hass: HomeAssistant, week_start: datetime, ha_url: str, hass_admin_user: MockUser
) -> AsyncIterator[aiohttp.ClientSession]:
    """An administrator's session on Home Assistant's HTTP server.

    With a long-lived token: a short-lived one would expire within the first simulated hour.
    """
    refresh_token = await hass.auth.async_create_refresh_token(
        hass_admin_user,
        client_name="RoomSense soak",
        token_type=TOKEN_TYPE_LONG_LIVED_ACCESS_TOKEN,
        access_token_expiration=timedelta(days=365),
    )
    token = hass.auth.async_create_access_token(refresh_token)
    async with aiohttp.ClientSession(
        base_url=ha_url, headers={"Authorization": f"Bearer {token}"}
    ) as session:
        yield session


@pytest.fixture
async def device_http(ha_url: str) -> AsyncIterator[aiohttp.ClientSession]:
    """A session without Home Assistant credentials, as an edge device has."""
    async with aiohttp.ClientSession(base_url=ha_url) as session:
        yield session
