"""The limits of RoomSense's HTTP endpoints: event streams, webhook bodies and replays, edge rates.

Every limit is met through Home Assistant's real HTTP app: the 429s and 413s a client sees,
that a slot or a token comes back, and that memory stays bounded under a flood.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from homeassistant.components.webhook import async_handle_webhook
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.util.aiohttp import MockRequest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.roomsense import events_view, http_json, webhook
from custom_components.roomsense.edge import EdgeManager
from custom_components.roomsense.edge.limits import (
    DEVICE_BURST,
    SOURCE_BURST,
    EdgeRateLimits,
    RateLimiter,
)
from custom_components.roomsense.edge.models import JobStatus
from custom_components.roomsense.edge.views import MAX_ADMIN_BODY, MAX_REPORT_BODY
from custom_components.roomsense.events_view import URL_EVENTS, async_register_events_view
from custom_components.roomsense.shared import get_shared

from ..conftest import home_with
from .conftest import entity_id
from .edge_helpers import BASE, EdgeDeviceClient, register, submit

METER = "000000000001"


class FakeClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- raw HTTP: what a client that never finishes its body gets -------------------------


async def raw_answer(
    host: str, port: int, head: str, *body_parts: bytes, pause: float = 0
) -> tuple[int, dict[str, str]]:
    """Send a request head (and parts of a body, maybe never finished), `pause` s apart.

    Returns the answer's status and headers. An answer within 5 s while the body is still
    unfinished shows the server did not wait to read the whole of it.
    """
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(head.replace("\n", "\r\n").encode() + b"\r\n")
        for part in body_parts:
            await writer.drain()
            await asyncio.sleep(pause)
            writer.write(part)
        await writer.drain()
        async with asyncio.timeout(5):
            status_line = await reader.readline()
            headers = {}
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", 0))
            await reader.readexactly(length)
        return int(status_line.split()[1]), headers
    finally:
        writer.close()


async def raw_status(host: str, port: int, head: str, *body_parts: bytes) -> int:
    """The status of `raw_answer`."""
    status, _ = await raw_answer(host, port, head, *body_parts)
    return status


def chunked(total: int, size: int = 65536) -> list[bytes]:
    """`total` bytes of a chunked body, without the last chunk that would end it."""
    parts = []
    while total > 0:
        part = b" " * min(size, total)
        parts.append(b"%x\r\n%s\r\n" % (len(part), part))
        total -= len(part)
    return parts


# --- the event stream: streams per user and overall ------------------------------------


@pytest.fixture
def disable_http_server() -> None:
    """Keep Home Assistant's real HTTP server, which the test plugin stops by default."""


@pytest.fixture(autouse=True)
def _real_server_on_a_free_port(ha_url: str) -> None:
    """Set up before RoomSense, so its server never takes 8123 (a running Home Assistant's)."""


@pytest.fixture
async def sse(hass: HomeAssistant, edge: EdgeManager) -> None:
    """The event stream served, with keep-alives often enough to notice a client leaving."""
    async_register_events_view(hass)


@pytest.fixture(autouse=True)
def quick_keepalive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events_view, "KEEPALIVE_INTERVAL", 0.05)


@asynccontextmanager
async def open_stream(client: TestClient) -> AsyncIterator[aiohttp.ClientResponse]:
    response = await client.get(URL_EVENTS)
    try:
        assert response.status == 200, await response.text()
        async with asyncio.timeout(2):
            assert await response.content.readline() == b": connected\n"
        yield response
    finally:
        response.close()


async def refused(client: TestClient) -> str:
    """The 429 answer's message; its shape checked."""
    response = await client.get(URL_EVENTS)
    assert response.status == 429
    assert response.headers["Retry-After"] == str(events_view.STREAMS_RETRY_AFTER)
    body = await response.json()
    assert set(body) == {"message"}
    return str(body["message"])


async def opens_again(client: TestClient) -> None:
    """A stream opens within 2 s (the server notices a closed client at a keep-alive)."""
    for _ in range(100):
        response = await client.get(URL_EVENTS)
        if response.status == 200:
            response.close()
            return
        assert response.status == 429
        await asyncio.sleep(0.02)
    pytest.fail("no stream slot came back")


@pytest.mark.usefixtures("sse")
async def test_streams_per_user_are_capped_and_a_closed_one_frees_its_slot(
    monkeypatch: pytest.MonkeyPatch,
    hass_client: ClientSessionGenerator,
    hass_read_only_access_token: str,
) -> None:
    monkeypatch.setattr(events_view, "MAX_STREAMS_PER_USER", 2)
    admin = await hass_client()
    other_user = await hass_client(hass_read_only_access_token)
    async with open_stream(admin), open_stream(admin):
        assert "per user" in await refused(admin)
        assert "per user" in await refused(admin)  # a refusal took no slot
        # Another person is not held back by this one's streams.
        async with open_stream(other_user):
            pass
    await opens_again(admin)
    async with open_stream(admin), open_stream(admin):
        assert "per user" in await refused(admin)


@pytest.mark.usefixtures("sse")
async def test_streams_overall_are_capped(
    monkeypatch: pytest.MonkeyPatch,
    hass_client: ClientSessionGenerator,
    hass_read_only_access_token: str,
) -> None:
    monkeypatch.setattr(events_view, "MAX_STREAMS_PER_USER", 2)
    monkeypatch.setattr(events_view, "MAX_STREAMS", 3)
    admin = await hass_client()
    other_user = await hass_client(hass_read_only_access_token)
    async with open_stream(admin), open_stream(admin), open_stream(other_user):
        assert "event streams are open at once" in await refused(other_user)
        assert "per user" not in await refused(other_user)
        # A bad query is answered before any slot is looked at.
        assert (await other_user.get(URL_EVENTS + "?device_id=")).status == 400
    await opens_again(other_user)


@pytest.mark.usefixtures("sse")
async def test_a_client_leaving_frees_its_slot_on_the_real_server(
    monkeypatch: pytest.MonkeyPatch, ha_url: str, hass_access_token: str
) -> None:
    """Home Assistant's server cancels the handler of a client that left: its slot comes back."""
    monkeypatch.setattr(events_view, "KEEPALIVE_INTERVAL", 60)  # no keep-alive notices it
    monkeypatch.setattr(events_view, "MAX_STREAMS_PER_USER", 1)
    headers = {"Authorization": f"Bearer {hass_access_token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.get(ha_url + URL_EVENTS) as response:
            assert response.status == 200
            async with session.get(ha_url + URL_EVENTS) as second:
                assert second.status == 429
        for _ in range(100):
            async with session.get(ha_url + URL_EVENTS) as again:
                if again.status == 200:
                    return
                assert again.status == 429
            await asyncio.sleep(0.02)
    pytest.fail("the slot did not come back")


@pytest.mark.usefixtures("sse")
async def test_home_assistant_stopping_frees_every_slot(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, hass_client: ClientSessionGenerator
) -> None:
    monkeypatch.setattr(events_view, "KEEPALIVE_INTERVAL", 60)  # only the stop ends them
    monkeypatch.setattr(events_view, "MAX_STREAMS_PER_USER", 2)
    admin = await hass_client()
    async with open_stream(admin) as first, open_stream(admin) as second:
        await refused(admin)
        hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
        async with asyncio.timeout(2):
            # Both end (the rest of the opening message, then the end of the stream).
            assert (await first.content.read()).strip() == b""
            assert (await second.content.read()).strip() == b""
        async with open_stream(admin), open_stream(admin):
            pass


# --- the SwitchBot webhook: body size and the replay cache -----------------------------


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with("Meter")


def meter_event(sample: int, temperature: float = 21.0) -> dict[str, Any]:
    return {
        "eventType": "changeReport",
        "eventVersion": "1",
        "context": {
            "deviceType": "WoMeter",
            "deviceMac": METER,
            "temperature": temperature,
            "humidity": 50,
            "scale": "CELSIUS",
            "battery": 100,
            "timeOfSample": sample,
        },
    }


def handler_of(hass: HomeAssistant, entry: MockConfigEntry) -> webhook.WebhookHandler:
    registered = hass.data["webhook"][entry.data["webhook_id"]]
    assert isinstance(registered.handler, webhook.WebhookHandler)
    return registered.handler


async def test_a_webhook_body_over_the_limit_is_413_before_it_is_read(
    hass: HomeAssistant, pushing_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    url = URL(pushing_entry.runtime_data.webhook_url)
    assert url.host is not None
    assert url.port is not None
    limit = webhook.MAX_WEBHOOK_BODY
    head = f"POST {url.raw_path} HTTP/1.1\nHost: {url.host}\n"
    # A length that says too much is refused at once, though no byte of the body came.
    status = await raw_status(url.host, url.port, head + f"Content-Length: {10**9}\n")
    assert status == 413
    # A chunked body is refused once it passed the limit, though it never ends.
    status = await raw_status(
        url.host, url.port, head + "Transfer-Encoding: chunked\n", *chunked(limit + 1)
    )
    assert status == 413

    body = json.dumps(meter_event(2_000_000_000_000)).encode()
    async with aiohttp.ClientSession() as session:
        async with session.post(str(url), data=body.ljust(limit)) as response:
            assert response.status == 200
            assert await response.json() == {"result": "applied"}
        async with session.post(str(url), data=body.ljust(limit + 1)) as response:
            assert response.status == 413
            assert (await response.json())["message"] == f"body is over {limit} bytes"
        # The limit is on the body as decoded: a small gzip cannot unpack past it.
        gzipped = {"Content-Encoding": "gzip"}
        bomb = gzip.compress(body.ljust(100 * limit))
        assert len(bomb) < limit
        async with session.post(str(url), data=bomb, headers=gzipped) as response:
            assert response.status == 413
        async with session.post(str(url), data=gzip.compress(body), headers=gzipped) as response:
            assert (await response.json())["reason"] == "replay"  # read, and seen before
        # A body that is not what it says is a bad request, not a fault of the handler.
        async with session.post(str(url), data=body, headers=gzipped) as response:
            assert response.status == 400
            assert (await response.json())["message"] == "body is not valid JSON"
    # (Home Assistant logs a handler's exception with the webhook id in it.)
    webhook_errors = [
        record
        for record in caplog.records
        if record.name == "homeassistant.components.webhook" and record.levelno >= logging.ERROR
    ]
    assert webhook_errors == []


async def test_a_cloudhook_push_is_read_within_the_limit_too(
    hass: HomeAssistant, pushing_entry: MockConfigEntry
) -> None:
    """Home Assistant Cloud hands the body over as a `MockRequest`, not aiohttp's request."""
    webhook_id = pushing_entry.data["webhook_id"]
    body = json.dumps(meter_event(2_000_000_000_000)).encode()
    async with asyncio.timeout(5):
        response = await async_handle_webhook(
            hass, webhook_id, MockRequest(content=body, mock_source="cloud", method="POST")
        )
        assert response.status == 200
        assert json.loads(response.body) == {"result": "applied"}
        too_large = body.ljust(webhook.MAX_WEBHOOK_BODY + 1)
        response = await async_handle_webhook(
            hass, webhook_id, MockRequest(content=too_large, mock_source="cloud", method="POST")
        )
        assert response.status == 413


async def test_a_webhook_body_that_stops_arriving_is_408(
    hass: HomeAssistant,
    pushing_entry: MockConfigEntry,
    short_body_wait: float,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = URL(pushing_entry.runtime_data.webhook_url)
    assert url.host is not None
    assert url.port is not None
    head = f"POST {url.raw_path} HTTP/1.1\nHost: {url.host}\n"
    sensor = entity_id(hass, "sensor", f"{METER}_temperature")
    temperature = hass.states.get(sensor)
    assert temperature is not None
    body = json.dumps(meter_event(2_000_000_000_000, temperature=30.5)).encode()
    await expect_stalled(url.host, url.port, head + unfinished(len(body)), body[:-1])
    await expect_stalled(
        url.host, url.port, head + unfinished(1000, deflate=True), CUT_SHORT_DEFLATE
    )
    assert hass.states.get(sensor) == temperature
    # Refused once with a warning, the way every bad push is; nothing logged as an error.
    assert [r.levelname for r in caplog.records if "stopped arriving" in r.getMessage()] == [
        "WARNING",
        "DEBUG",
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_flood_of_distinct_events_cannot_grow_the_replay_cache(
    hass: HomeAssistant, pushing_entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = 16
    monkeypatch.setattr(webhook, "REPLAY_CACHE_SIZE", size)
    handler = handler_of(hass, pushing_entry)
    url = str(pushing_entry.runtime_data.webhook_url)
    samples = [2_000_000_000_000 + n for n in range(3 * size)]
    largest = 0
    async with aiohttp.ClientSession() as session:

        async def push(sample: int) -> dict[str, Any]:
            async with session.post(url, json=meter_event(sample)) as response:
                assert response.status == 200
                return dict(await response.json())

        for sample in samples:
            assert await push(sample) == {"result": "applied"}
            largest = max(largest, len(handler._seen))
        assert largest == size
        # Within the bound every replay is caught, the oldest of the last `size` included.
        for sample in samples[-size:]:
            assert await push(sample) == {"result": "ignored", "reason": "replay"}
        # One pushed out of the cache is still not applied: it is older than the state.
        assert await push(samples[-size - 1]) == {"result": "ignored", "reason": "older than state"}
    assert len(handler._seen) == size


async def test_the_replay_cache_keeps_its_promise_at_full_size(
    hass: HomeAssistant, pushing_entry: MockConfigEntry
) -> None:
    """With the real bound: never more than REPLAY_CACHE_SIZE events, the newest all kept."""
    handler = handler_of(hass, pushing_entry)
    size = webhook.REPLAY_CACHE_SIZE
    keys = [(METER, sample, "digest") for sample in range(3 * size)]
    for key in keys:
        assert handler._is_replay(key) is False
        assert len(handler._seen) <= size
    assert len(handler._seen) == size
    assert all(handler._is_replay(key) for key in keys[-size:])
    assert not handler._is_replay(keys[-size - 1])


async def test_the_replay_window_forgets_old_events(
    hass: HomeAssistant, pushing_entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    monkeypatch.setattr(webhook, "monotonic", clock)
    handler = handler_of(hass, pushing_entry)
    handler._seen.clear()
    first, second = (METER, 1, "a"), (METER, 2, "b")
    assert handler._is_replay(first) is False
    clock.now += webhook.REPLAY_WINDOW
    assert handler._is_replay(first) is True  # the window's last moment still counts
    assert handler._is_replay(second) is False
    clock.now += 1
    assert handler._is_replay(first) is False  # forgotten, and seen anew
    assert list(handler._seen) == [second, first]


# --- the edge device endpoints: bodies and rates ---------------------------------------


@pytest.fixture
async def jetson(admin: TestClient, device_http: TestClient) -> EdgeDeviceClient:
    return await register(admin, device_http)


@pytest.fixture
def clock(hass: HomeAssistant, edge: EdgeManager) -> FakeClock:
    """The edge rate limits on a clock that moves only when the test moves it."""
    fake = FakeClock()
    limits = edge.rate_limits
    limits.devices.clock = fake
    limits.sources.clock = fake
    return fake


def limits_of(hass: HomeAssistant) -> EdgeRateLimits:
    return get_shared(hass).edge.rate_limits


async def test_edge_bodies_over_their_limit_are_413_before_they_are_read(
    edge: EdgeManager, admin: TestClient, jetson: EdgeDeviceClient, hass_access_token: str
) -> None:
    host, port = str(jetson.http.host), int(jetson.http.port)
    result = (
        f"POST {BASE}/devices/{jetson.device_id}/jobs/result HTTP/1.1\nHost: {host}\n"
        f"Authorization: Bearer {jetson.token}\n"
    )
    assert await raw_status(host, port, result + f"Content-Length: {10**9}\n") == 413
    parts = chunked(MAX_REPORT_BODY + 1)
    assert await raw_status(host, port, result + "Transfer-Encoding: chunked\n", *parts) == 413
    registration = (
        f"POST {BASE}/devices/register HTTP/1.1\nHost: {host}\n"
        f"Authorization: Bearer {hass_access_token}\n"
    )
    assert await raw_status(host, port, registration + f"Content-Length: {10**9}\n") == 413
    parts = chunked(MAX_ADMIN_BODY + 1)
    assert (
        await raw_status(host, port, registration + "Transfer-Encoding: chunked\n", *parts) == 413
    )
    assert list(edge.devices) == [jetson.device_id]


# --- a body that stops arriving ----------------------------------------------------------


@pytest.fixture
def short_body_wait(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(http_json, "BODY_IDLE_TIMEOUT", 0.3)
    return 0.3


def unfinished(content_length: int, *, deflate: bool = False) -> str:
    """Header lines of a JSON body of `content_length` bytes."""
    encoding = "Content-Encoding: deflate\n" if deflate else ""
    return f"Content-Type: application/json\nContent-Length: {content_length}\n{encoding}"


# Raw deflate (what aiohttp takes a deflate body without zlib's header for) that unpacks
# without an error and never reaches the end of its stream: aiohttp's parser raises only
# when the message ends, and (3.14) does not pass that on to the view reading the body.
CUT_SHORT_DEFLATE = b"[" * 1000


async def expect_stalled(host: str, port: int, head: str, *parts: bytes) -> dict[str, Any]:
    """The 408 answer (parts sent 50 ms apart), which tells the client not to reuse the
    connection (aiohttp itself drains it for 10 s more, then closes it).
    """
    status, headers = await raw_answer(host, port, head, *parts, pause=0.05)
    assert status == 408
    assert headers["connection"] == "close"
    return headers


async def test_an_edge_body_that_stops_arriving_is_408(
    edge: EdgeManager,
    admin: TestClient,
    jetson: EdgeDeviceClient,
    hass_access_token: str,
    short_body_wait: float,
) -> None:
    job_id = (await submit(admin, jetson.device_id, command="gpio"))["job_id"]
    assert (await jetson.next())[0] == 200
    host, port = str(jetson.http.host), int(jetson.http.port)
    result = (
        f"POST {BASE}/devices/{jetson.device_id}/jobs/result HTTP/1.1\nHost: {host}\n"
        f"Authorization: Bearer {jetson.token}\n"
    )
    report = json.dumps({"job_id": job_id, "status": "succeeded", "result": {}}).encode()
    await expect_stalled(host, port, result + unfinished(len(report)), report[:-1])
    await expect_stalled(host, port, result + unfinished(1000, deflate=True), CUT_SHORT_DEFLATE)
    registration = (
        f"POST {BASE}/devices/register HTTP/1.1\nHost: {host}\n"
        f"Authorization: Bearer {hass_access_token}\n"
    )
    await expect_stalled(host, port, registration + unfinished(100), b'{"name": "Pi"')
    await expect_stalled(
        host, port, registration + unfinished(1000, deflate=True), CUT_SHORT_DEFLATE
    )
    # An action's endpoint (Home Assistant auth) reads its body the same way.
    parse = (
        f"POST /api/roomsense/automation/workflow/parse HTTP/1.1\nHost: {host}\n"
        f"Authorization: Bearer {hass_access_token}\n"
    )
    await expect_stalled(host, port, parse + unfinished(100), b'{"text": "')
    await expect_stalled(host, port, parse + unfinished(1000, deflate=True), CUT_SHORT_DEFLATE)
    assert list(edge.devices) == [jetson.device_id]
    # The report cut short was not taken: the job still waits for its result.
    assert edge.job(job_id).status is JobStatus.DISPATCHED
    assert edge.job(job_id).result is None
    assert (await jetson.report(job_id)).status == 200


async def too_many(response: aiohttp.ClientResponse) -> int:
    """The 429's Retry-After, its body checked."""
    assert response.status == 429
    assert await response.json() == {"success": False, "message": "too many requests; retry later"}
    return int(response.headers["Retry-After"])


async def test_each_device_has_its_own_request_rate(
    hass: HomeAssistant,
    edge: EdgeManager,
    clock: FakeClock,
    admin: TestClient,
    device_http: TestClient,
    jetson: EdgeDeviceClient,
) -> None:
    pico = await register(admin, device_http, "Pico", "pico_w")
    for _ in range(DEVICE_BURST):
        assert (await jetson.next())[0] == 204
    poll = await device_http.get(
        f"{BASE}/devices/{jetson.device_id}/jobs/next?wait=0", headers=jetson.headers
    )
    assert await too_many(poll) == 1
    job = await submit(admin, jetson.device_id, command="gpio")
    # A refused poll took nothing: the job still waits.
    assert edge.job(job["job_id"]).status.value == "queued"
    # Results are counted too.
    assert await too_many(await jetson.report(job["job_id"])) == 1
    # Another device is not held back.
    assert (await pico.next())[0] == 204
    clock.now += 1 / limits_of(hass).devices.rate
    status, dispatched = await jetson.next()
    assert status == 200
    assert dispatched is not None
    assert dispatched["job_id"] == job["job_id"]
    # Both handed over work, so gave their request back: one is left, for this poll.
    assert (await jetson.report(job["job_id"])).status == 200
    assert (await jetson.next())[0] == 204
    assert (await jetson.next())[0] == 429


async def test_a_device_draining_its_queue_is_never_slowed(
    hass: HomeAssistant,
    edge: EdgeManager,
    clock: FakeClock,
    admin: TestClient,
    jetson: EdgeDeviceClient,
) -> None:
    limits_of(hass).devices.burst = 3
    jobs = [await submit(admin, jetson.device_id, command="gpio", payload=n) for n in range(10)]
    for queued in jobs:
        status, job = await jetson.next()
        assert status == 200
        assert job is not None
        assert job["job_id"] == queued["job_id"]
        assert (await jetson.report(job["job_id"], result=job["payload"])).status == 200
    # What does no work is counted: a result sent again, polls of an empty queue.
    assert (await jetson.report(jobs[0]["job_id"], result=0)).status == 200
    assert (await jetson.next())[0] == 204
    assert (await jetson.next())[0] == 204
    assert (await jetson.next())[0] == 429
    assert {job.status.value for job in edge.jobs.values()} == {"succeeded"}


async def test_a_long_poll_counts_once(
    hass: HomeAssistant, clock: FakeClock, jetson: EdgeDeviceClient
) -> None:
    limits_of(hass).devices.burst = 2
    limits_of(hass).devices._buckets.clear()
    # A poll that waits its whole window takes one request, however long it waits.
    assert (await jetson.next(wait=0.3))[0] == 204
    assert (await jetson.next())[0] == 204
    assert (await jetson.next())[0] == 429


async def test_refused_tokens_are_limited_per_address(
    hass: HomeAssistant, clock: FakeClock, device_http: TestClient, jetson: EdgeDeviceClient
) -> None:
    url = f"{BASE}/devices/{jetson.device_id}/jobs/next?wait=0"
    for attempt in range(SOURCE_BURST):
        token = f"guess-{attempt}"
        response = await device_http.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status == 401
    # Out of tries: the address is answered 429 before any token is looked at, even the
    # right one, and an unknown device tells nothing either.
    assert await too_many(await device_http.get(url, headers=jetson.headers)) == 1
    unknown = await device_http.get(f"{BASE}/devices/nobody/jobs/next", headers=jetson.headers)
    assert unknown.status == 429
    assert (await device_http.get(f"{BASE}/ping")).status == 429
    clock.now += 1 / limits_of(hass).sources.rate
    assert (await jetson.next())[0] == 204
    # The device's own requests take nothing from its address's tries: one is left.
    for _ in range(5):
        assert (await jetson.next())[0] == 204
    assert (await device_http.get(f"{BASE}/ping")).status == 200
    assert (await device_http.get(f"{BASE}/ping")).status == 429


async def test_ping_is_limited_per_address(
    hass: HomeAssistant, clock: FakeClock, device_http: TestClient
) -> None:
    for _ in range(SOURCE_BURST):
        assert (await device_http.get(f"{BASE}/ping")).status == 200
    assert await too_many(await device_http.get(f"{BASE}/ping")) == 1


def test_rate_limiter_memory_is_bounded() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=2.0, burst=3, max_keys=100, clock=clock)
    for n in range(10_000):
        assert limiter.take(f"2001:db8::{n:x}") is None
        assert len(limiter) <= 100
    assert len(limiter) == 100


def test_rate_limiter_refills_and_tells_how_long_to_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=0.25, burst=2, max_keys=10, clock=clock)
    assert limiter.retry_after("a") is None
    assert limiter.take("a") is None
    assert limiter.take("a") is None
    assert limiter.take("a") == 4
    assert limiter.retry_after("a") == 4
    clock.now += 2
    assert limiter.take("a") == 2  # half a request back: two more seconds for a whole one
    clock.now += 2
    assert limiter.take("a") is None
    assert limiter.take("a") == 4
    # A long pause refills only up to the burst.
    clock.now += 3600
    assert [limiter.take("a") for _ in range(3)] == [None, None, 4]
    # Keys do not share a bucket.
    assert limiter.take("b") is None
