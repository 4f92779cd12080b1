"""The Server-Sent Events stream of `roomsense_event` at /api/roomsense/events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.roomsense import events_view
from custom_components.roomsense.const import EVENT_ROOMSENSE
from custom_components.roomsense.events_view import URL_EVENTS, async_register_events_view

from ..conftest import SimulatorAdmin, home_with

METER, CONTACT = (f"{n:012d}" for n in range(1, 3))


@pytest.fixture
def disable_http_server() -> None:
    """Keep Home Assistant's real HTTP server, which the test plugin stops by default."""


@pytest.fixture(autouse=True)
def _real_server_on_a_free_port(ha_url: str) -> None:
    """Set up before RoomSense, so its server never takes 8123 (a running Home Assistant's)."""


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with("Meter", "Contact Sensor")


@pytest.fixture
async def client(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> TestClient:
    """An authenticated client of Home Assistant's HTTP app, with the view registered."""
    async_register_events_view(hass)
    return await hass_client()


def listeners(hass: HomeAssistant) -> int:
    return hass.bus.async_listeners().get(EVENT_ROOMSENSE, 0)


async def wait_for_listeners(hass: HomeAssistant, count: int) -> None:
    """Wait (up to 2 s) until the bus has `count` listeners for `roomsense_event`."""
    for _ in range(200):
        if listeners(hass) == count:
            return
        await asyncio.sleep(0.01)
    assert listeners(hass) == count


def fire(hass: HomeAssistant, device_id: str, **changed: Any) -> None:
    hass.bus.async_fire(
        EVENT_ROOMSENSE,
        {
            "device_id": device_id,
            "device_type": "Meter",
            "event_type": "changeReport",
            "changed": changed,
            "time_of_sample": 1_700_000_000_000,
        },
    )


async def read_message(response: aiohttp.ClientResponse) -> str:
    """The next SSE message: its lines, without the blank line that ends it."""
    lines: list[str] = []
    async with asyncio.timeout(2):
        while True:
            raw = await response.content.readline()
            assert raw, "the stream ended"
            if line := raw.decode().rstrip("\n"):
                lines.append(line)
            elif lines:
                return "\n".join(lines)


async def read_event(response: aiohttp.ClientResponse) -> tuple[int, dict[str, Any]]:
    """The id and data of the next event, skipping comments."""
    while (message := await read_message(response)).startswith(":"):
        pass
    fields = dict(line.split(": ", 1) for line in message.splitlines())
    assert set(fields) == {"id", "event", "data"}
    assert fields["event"] == "roomsense_event"
    return int(fields["id"]), json.loads(fields["data"])


@asynccontextmanager
async def stream(client: TestClient, query: str = "") -> AsyncIterator[aiohttp.ClientResponse]:
    """An open event stream; once it yields, the view listens on the bus."""
    response = await client.get(URL_EVENTS + query)
    try:
        assert response.status == 200
        assert response.content_type == "text/event-stream"
        assert response.headers["Cache-Control"] == "no-cache"
        assert await read_message(response) == ": connected"
        yield response
    finally:
        response.close()


async def test_requires_authentication(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    async_register_events_view(hass)
    client = await hass_client_no_auth()
    response = await client.get(URL_EVENTS)
    assert response.status == 401


async def test_registering_twice_serves_one_view(hass: HomeAssistant, client: TestClient) -> None:
    async_register_events_view(hass)
    resources = [r for r in hass.http.app.router.resources() if r.canonical == URL_EVENTS]
    assert len(resources) == 1
    async with stream(client) as response:
        fire(hass, METER, temperature=21.5)
        assert (await read_event(response))[1]["device_id"] == METER


async def test_streams_bus_events_with_increasing_ids(
    hass: HomeAssistant, client: TestClient
) -> None:
    async with stream(client) as response:
        fire(hass, METER, temperature=21.5)
        fire(hass, CONTACT, openState="open")
        first_id, first = await read_event(response)
        second_id, second = await read_event(response)
    assert first == {
        "device_id": METER,
        "device_type": "Meter",
        "event_type": "changeReport",
        "changed": {"temperature": 21.5},
        "time_of_sample": 1_700_000_000_000,
    }
    assert second["changed"] == {"openState": "open"}
    assert second_id > first_id >= 1


async def test_ids_continue_after_a_reconnect(hass: HomeAssistant, client: TestClient) -> None:
    client.session.headers["Last-Event-ID"] = "41"
    async with stream(client) as response:
        fire(hass, METER, temperature=21.5)
        assert (await read_event(response))[0] == 42


async def test_device_id_filter(hass: HomeAssistant, client: TestClient) -> None:
    async with stream(client, f"?device_id={METER},OTHER&device_id=THIRD") as response:
        for device_id in ("NOT_ASKED", METER, CONTACT, "THIRD"):
            fire(hass, device_id, temperature=20)
        assert (await read_event(response))[1]["device_id"] == METER
        assert (await read_event(response))[1]["device_id"] == "THIRD"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?device_id=", "not a SwitchBot device id"),
        (f"?device_id={METER},,{CONTACT}", "not a SwitchBot device id"),
        ("?device_id=bad%20id", "not a SwitchBot device id"),
        ("?device_id=AB%2FC", "not a SwitchBot device id"),
        ("?device_id=" + ",".join(f"D{n}" for n in range(101)), "length of value"),
        ("?devices=ABC", "not a valid option"),
    ],
)
async def test_a_bad_query_answers_400(
    hass: HomeAssistant, client: TestClient, query: str, message: str
) -> None:
    before = listeners(hass)
    response = await client.get(URL_EVENTS + query)
    assert response.status == 400
    body = await response.json()
    assert body["message"].startswith("Invalid query: ")
    assert message in body["message"]
    assert listeners(hass) == before


async def test_keep_alive_comments(
    hass: HomeAssistant, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events_view, "KEEPALIVE_INTERVAL", 0.05)
    async with stream(client) as response:
        assert await read_message(response) == ": keep-alive"
        assert await read_message(response) == ": keep-alive"


async def test_the_listener_goes_when_the_client_does(
    hass: HomeAssistant, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test server does not cancel handlers: the next keep-alive notices the client left.
    monkeypatch.setattr(events_view, "KEEPALIVE_INTERVAL", 0.05)
    before = listeners(hass)
    async with stream(client):
        assert listeners(hass) == before + 1
    await wait_for_listeners(hass, before)


async def test_a_slow_client_loses_the_oldest_events(
    hass: HomeAssistant, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events_view, "QUEUE_SIZE", 2)
    async with stream(client) as response:
        # Listeners run as the events fire: the view gets no turn to write in between.
        for value in range(5):
            fire(hass, METER, temperature=value)
        assert await read_message(response) == ": dropped 3 events"
        received = [await read_event(response), await read_event(response)]
    assert [event_id for event_id, _ in received] == [4, 5]
    assert [data["changed"]["temperature"] for _, data in received] == [3, 4]


async def test_the_stream_ends_when_home_assistant_stops(
    hass: HomeAssistant, client: TestClient
) -> None:
    before = listeners(hass)
    async with stream(client) as response:
        fire(hass, METER, temperature=21.5)
        hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
        # What was already queued still goes out before the end.
        assert (await read_event(response))[1]["device_id"] == METER
        async with asyncio.timeout(2):
            assert await response.content.read() == b""
    assert listeners(hass) == before


async def test_a_pushed_event_reaches_the_stream_end_to_end(
    hass: HomeAssistant,
    ha_url: str,
    config_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
    hass_access_token: str,
) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    async_register_events_view(hass)
    before = listeners(hass)

    headers = {"Authorization": f"Bearer {hass_access_token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.get(f"{ha_url}{URL_EVENTS}?device_id={METER}") as response,
    ):
        assert response.status == 200
        assert await read_message(response) == ": connected"
        # The simulated cloud POSTs the event to Home Assistant's webhook.
        await sim_admin.request(
            "POST", f"devices/{METER}/event", {"status": {"temperature": 29.5, "humidity": 61}}
        )
        await sim_admin.request("POST", "webhooks/flush")
        _, data = await read_event(response)
    assert data["device_id"] == METER
    assert data["device_type"] == "Meter"
    assert data["changed"] == {"temperature": 29.5, "humidity": 61}
    # Home Assistant's server cancels the handler when the client leaves.
    await wait_for_listeners(hass, before)
