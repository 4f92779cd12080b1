"""Home Assistant's own HTTP client resolves host names in the project environment.

A `.venv` with aiodns 3.2 and pycares 5 failed every lookup (`Channel.getaddrinfo()`
TypeError): "Add hub" with the real cloud URL showed "Unexpected error", while tests that only
used 127.0.0.1 passed. Installing under the core's constraints keeps the pair matched; this
test asks for a name, not an address, through the session RoomSense's client uses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession


@pytest.fixture
async def local_server(socket_enabled: None) -> AsyncIterator[int]:
    async def hello(_request: web.Request) -> web.Response:
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)
    app_runner = web.AppRunner(app)
    await app_runner.setup()
    site = web.TCPSite(app_runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        await app_runner.cleanup()


async def test_home_assistant_client_resolves_localhost(
    hass: HomeAssistant, local_server: int, disable_mock_zeroconf_resolver: None
) -> None:
    """Through Home Assistant's own resolver, which the test plugin otherwise replaces."""
    session = async_get_clientsession(hass)
    async with session.get(f"http://localhost:{local_server}/") as response:
        assert response.status == 200
        assert await response.text() == "hello"
