"""Security properties: no secret in any log, secrets compared in constant time, a long
random webhook id, and every administrators' endpoint closed to everybody else.
"""

from __future__ import annotations

import hmac
import logging
import math
import re
from collections import Counter
from http import HTTPStatus
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from homeassistant.auth.const import GROUP_ID_READ_ONLY, GROUP_ID_USER
from homeassistant.components import conversation
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import Context, HomeAssistant, SupportsResponse
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import Unauthorized
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.roomsense.actions import ACTIONS
from custom_components.roomsense.actions.registry import Access, Action, Rest
from custom_components.roomsense.actions.rest import BASE as REST_BASE
from custom_components.roomsense.const import DOMAIN, WEBHOOK_ID_PREFIX
from custom_components.roomsense.edge import EdgeManager
from custom_components.roomsense.events_view import URL_EVENTS, async_register_events_view
from custom_components.roomsense.webhook import (
    async_push_url,
    async_unregister_webhook,
    generate_webhook_id,
)
from roomsense_simulator import Simulator

from ..conftest import SECRET, TOKEN, SimulatorAdmin, home_with
from ..llm.conftest import FakeServer
from .conftest import entity_id, entity_service
from .edge_helpers import BASE as EDGE_BASE
from .edge_helpers import EdgeDeviceClient, register, submit
from .test_conversation_model import scripted, text

METER, PLUG = (f"{n:012d}" for n in range(1, 3))
API_KEY = "sk-roomsense-test-api-key-4f9c2b7e1d"
WRONG_SECRET = "wrong-secret-9a8b7c6d5e"


@pytest.fixture
def disable_http_server() -> None:
    """Keep Home Assistant's real HTTP server, which the test plugin stops by default."""


@pytest.fixture(autouse=True)
def _real_server_on_a_free_port(ha_url: str) -> None:
    """Set up before RoomSense, so its server never takes 8123 (a running Home Assistant's)."""


@pytest.fixture
def home() -> dict[str, Any]:
    return home_with("Meter", "Plug Mini (JP)")


# --- no secret in any log ----------------------------------------------------------------


@pytest.fixture
async def model(socket_enabled: None) -> Any:
    """An OpenAI-compatible server on 127.0.0.1 that answers every chat with a sentence."""

    fake = FakeServer()
    fake.routes["/v1/chat/completions"] = scripted(text("The plug is off."))
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.dispatch)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.base_url = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


def leaks(records: list[logging.LogRecord], secrets: dict[str, str]) -> list[str]:
    """`name: logger: line` for every record that shows a secret, its traceback included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    found = []
    for record in records:
        # The simulator is the SwitchBot cloud: it is given the token, and is not ours.
        if record.name.startswith("roomsense_simulator"):
            continue
        line = formatter.format(record)
        found += [
            f"{name}: {record.name}: {line[:300]}" for name, s in secrets.items() if s in line
        ]
    return found


async def test_no_secret_reaches_the_log_even_at_debug(
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
    ha_url: str,
    simulator: Simulator,
    sim_admin: SimulatorAdmin,
    model: FakeServer,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_access_token: str,
) -> None:
    """Set-up, commands, pushes, edge devices and the agent, everything logged at DEBUG."""
    # Through caplog, so each level is put back after the test: left at DEBUG, these loggers
    # would slow every later test in the process and fill its memory (the soak saw it).
    for name in (None, "custom_components.roomsense", "homeassistant", "aiohttp", "openai"):
        caplog.set_level(logging.DEBUG, logger=name)
    assert await async_setup_component(hass, "conversation", {})

    # The config flow: a wrong secret, then the right one; the entry is set up.
    flow = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    form = {"token": TOKEN, "advanced": {"base_url": simulator.base_url}}
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {**form, "secret": WRONG_SECRET}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {**form, "secret": SECRET}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    webhook_id = entry.data["webhook_id"]
    assert entry.runtime_data.webhook_url is not None  # pushes come

    # A language model with an API key behind the agent.
    hass.config_entries.async_update_entry(
        entry,
        options={
            **entry.options,
            "llm_provider": "openai",
            "llm_base_url": f"{model.base_url}/v1",
            "llm_model": "test-model",
            "llm_api_key": API_KEY,
            "llm_timeout": 3,
        },
    )
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED

    # Commands, and what the cloud pushes back; a malformed and an oversized push.
    plug = entity_id(hass, "switch", f"{PLUG}_plug")
    await entity_service(hass, "switch", "turn_off", plug)
    await entity_service(hass, "switch", "turn_on", plug)
    await sim_admin.request("POST", f"devices/{METER}/event", {"status": {"temperature": 25.5}})
    await sim_admin.request("POST", "webhooks/flush")
    async with aiohttp.ClientSession() as session:
        for body in (b"{not json", b'{"eventType": 1}', b" " * (1024 * 1024)):
            async with session.post(entry.runtime_data.webhook_url, data=body) as response:
                assert response.status in (HTTPStatus.BAD_REQUEST, 413)
    await hass.async_block_till_done()

    # The conversation agent, through the model.
    agent = entity_id(hass, "conversation", f"{entry.entry_id}_conversation")
    answer = await conversation.async_converse(
        hass, "turn off the plug", None, Context(), language="en", agent_id=agent
    )
    assert answer.response.speech["plain"]["speech"] == "The plug is off."
    assert [r.headers.get("Authorization") for r in model.received] == [f"Bearer {API_KEY}"]

    # Edge devices: registered, polled, a job run, a token rotated, wrong tokens tried.
    admin = await hass_client()
    device_http = await hass_client_no_auth()
    jetson = await register(admin, device_http)
    first_token = jetson.token
    job = await submit(admin, jetson.device_id, command="gpio", payload={"pin": 4})
    status, dispatched = await jetson.next()
    assert (status, dispatched and dispatched["job_id"]) == (200, job["job_id"])
    assert (await jetson.report(job["job_id"], result={"ok": True})).status == 200
    rotated = await admin.post(f"{EDGE_BASE}/devices/{jetson.device_id}/token")
    jetson.token = (await rotated.json())["token"]
    assert (await jetson.next())[0] == 204
    stale = EdgeDeviceClient(device_http, jetson.device_id, first_token)
    assert (await stale.next())[0] == 401
    guessed = EdgeDeviceClient(device_http, jetson.device_id, first_token[::-1])
    assert (await guessed.next())[0] == 401
    assert (await device_http.get(f"{EDGE_BASE}/ping")).status == 200

    # The event stream, and unloading (the webhook is removed from the cloud).
    async_register_events_view(hass)
    response = await admin.get(f"{URL_EVENTS}?device_id={METER}")
    assert response.status == 200
    response.close()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    secrets = {
        "SwitchBot token": TOKEN,
        "SwitchBot secret": SECRET,
        "mistyped secret": WRONG_SECRET,
        "webhook id": webhook_id,
        "edge device token": first_token,
        "rotated edge device token": jetson.token,
        "language model API key": API_KEY,
        "Home Assistant access token": hass_access_token,
    }
    records = caplog.records
    assert len(records) > 100, "the log was not captured at DEBUG"
    assert any(record.levelno == logging.DEBUG for record in records)
    found = leaks(records, secrets)
    # Home Assistant itself writes every webhook's id at DEBUG ("Serving /api/webhook/<id>",
    # "Handling webhook POST payload for <id>"), as aiohttp's access log writes every path:
    # those lines are the core's, and the only ones allowed to show it.
    core = ("aiohttp.access", "homeassistant.helpers.http", "homeassistant.components.webhook")
    allowed = tuple(f"webhook id: {logger}:" for logger in core)
    assert [leak for leak in found if not leak.startswith(allowed)] == []
    assert any(leak.startswith(allowed) for leak in found), "the pushes were not logged"


async def test_webhook_urls_are_logged_without_their_id(
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
    ha_url: str,
    setup_entry: MockConfigEntry,
    sim_admin: SimulatorAdmin,
) -> None:
    """The two places RoomSense logs a webhook URL: only its origin is written."""
    caplog.set_level(logging.DEBUG)
    webhook_id = setup_entry.data["webhook_id"]
    url = setup_entry.runtime_data.webhook_url
    # SwitchBot's real cloud could not reach a home network's name.
    await hass.config.async_update(external_url="http://homeassistant.local:8123")
    assert await async_push_url(hass, setup_entry, webhook_id, local_cloud=False) is None
    # Removing the URL from a cloud that refuses.
    await sim_admin.fault(http_status=400, paths=["/v1.1/webhook/deleteWebhook"])
    client = setup_entry.runtime_data.client
    assert client is not None
    await async_unregister_webhook(hass, client, webhook_id, url)
    ours = [r for r in caplog.records if r.name.startswith("custom_components.roomsense")]
    said = "\n".join(record.getMessage() for record in ours)
    assert "Not registering the webhook at http://homeassistant.local:8123 with" in said
    assert f"Could not remove the SwitchBot webhook at {ha_url}: " in said
    assert not leaks(ours, {"webhook id": webhook_id})


def test_the_leak_check_finds_a_secret() -> None:
    """The check above would see a secret in a message, an argument or a traceback."""
    logger = logging.getLogger("custom_components.roomsense.test")

    def record(msg: str, *args: Any, exc: bool = False) -> logging.LogRecord:
        err = ValueError(f"bad {TOKEN}")
        exc_info = (type(err), err, None) if exc else None
        return logger.makeRecord(logger.name, logging.DEBUG, __file__, 1, msg, args, exc_info)

    secrets = {"token": TOKEN}
    assert leaks([record("sent %s", {"token": TOKEN})], secrets)
    assert leaks([record("failed", exc=True)], secrets)
    assert not leaks([record("sent %s", "nothing")], secrets)


# --- secrets compared in constant time ---------------------------------------------------


async def test_device_tokens_are_compared_in_constant_time(
    edge: EdgeManager,
    admin: TestClient,
    device_http: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jetson = await register(admin, device_http)
    compared: list[tuple[Any, Any]] = []
    constant_time = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return constant_time(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert (await jetson.next())[0] == 204
    wrong = EdgeDeviceClient(device_http, jetson.device_id, "not-the-token")
    assert (await wrong.next())[0] == 401
    assert len(compared) == 2
    # What is compared is a digest of the token: its length tells nothing either.
    assert all(len(a) == len(b) == 64 for a, b in compared)


# --- the webhook id ------------------------------------------------------------------------


def test_the_webhook_id_is_long_and_random() -> None:
    ids = [generate_webhook_id() for _ in range(200)]
    assert len(set(ids)) == len(ids)
    randoms = [webhook_id.removeprefix(WEBHOOK_ID_PREFIX) for webhook_id in ids]
    assert all(webhook_id.startswith(WEBHOOK_ID_PREFIX) for webhook_id in ids)
    # 64 hex digits: 256 bits from the operating system's random source.
    assert all(re.fullmatch(r"[0-9a-f]{64}", random) for random in randoms)
    # Every hex digit shows up about equally often (no fixed or biased part).
    counts = Counter("".join(randoms))
    assert set(counts) == set("0123456789abcdef")
    expected = 200 * 64 / 16
    assert all(abs(count - expected) < 6 * math.sqrt(expected) for count in counts.values())


async def test_the_entry_gets_such_a_webhook_id(
    hass: HomeAssistant, ha_url: str, setup_entry: MockConfigEntry
) -> None:
    webhook_id = setup_entry.data["webhook_id"]
    assert re.fullmatch(re.escape(WEBHOOK_ID_PREFIX) + r"[0-9a-f]{64}", webhook_id)
    assert setup_entry.runtime_data.webhook_url.endswith(f"/api/webhook/{webhook_id}")


# --- administrators' endpoints: everybody else is refused --------------------------------


def admin_endpoints() -> list[tuple[Action, Rest]]:
    """Every REST endpoint of an administrators' action, from the actions' registry."""
    return [
        (action, rest)
        for action in ACTIONS
        if action.access is Access.ADMIN
        for rest in action.rest
    ]


ADMIN_ENDPOINTS = admin_endpoints()


async def test_the_table_covers_every_admin_endpoint(
    hass: HomeAssistant, edge: EdgeManager
) -> None:
    declared = sum(1 for action in ACTIONS for rest in action.rest if action.access is Access.ADMIN)
    assert len(ADMIN_ENDPOINTS) == declared == 9  # the nine the README names
    # Each endpoint once: a method and path serve one action.
    table = {(rest.method, rest.path) for _action, rest in ADMIN_ENDPOINTS}
    assert len(table) == declared
    # What Home Assistant serves under the edge API, but the device views (device tokens).
    device_views = {"edge/ping", "edge/devices/{device_id}/jobs/next"}
    device_views.add("edge/devices/{device_id}/jobs/result")
    served = set()
    for route in hass.http.app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if path.startswith(f"{REST_BASE}/edge/") and route.method not in ("HEAD", "OPTIONS"):
            served.add((route.method, path.removeprefix(f"{REST_BASE}/")))
    assert {(method, path) for method, path in served if path not in device_views} == table


# Bodies that an administrator's call would act on (`{}` for an endpoint not listed here:
# it is still refused, only with less at stake).
VALID_BODIES: dict[str, dict[str, Any]] = {
    "edge_register_device": {"name": "Intruder Pi", "device_type": "raspberrypi4"},
    "edge_rename_device": {"name": "Renamed"},
    "edge_queue_job": {"command": "gpio"},
}


def edge_state(edge: EdgeManager) -> tuple[Any, ...]:
    return (
        [vars(device).copy() for device in edge.devices.values()],
        [job.public() for job in edge.jobs.values()],
    )


async def request_every_admin_endpoint(
    client: TestClient, jetson: EdgeDeviceClient, job_id: str
) -> dict[tuple[str, str], int]:
    """Call each endpoint as `client`, on a real device and job; the statuses."""
    statuses = {}
    for action, rest in ADMIN_ENDPOINTS:
        path = rest.path.format(device_id=jetson.device_id, job_id=job_id)
        body = VALID_BODIES.get(action.name, {})
        response = await client.request(rest.method, f"{REST_BASE}/{path}", json=body)
        statuses[rest.method, rest.path] = response.status
    return statuses


async def person_client(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, group_id: str
) -> TestClient:
    """A client signed in as a new person of the group (not an administrator)."""
    user = await hass.auth.async_create_user("Person", group_ids=[group_id])
    assert not user.is_admin
    refresh = await hass.auth.async_create_refresh_token(user, "https://example.com/app")
    return await hass_client(hass.auth.async_create_access_token(refresh))


@pytest.mark.parametrize(
    "caller", ["no credentials", "a user", "a read-only user", "an edge device's token"]
)
async def test_admin_endpoints_refuse_everybody_else(
    hass: HomeAssistant,
    edge: EdgeManager,
    admin: TestClient,
    device_http: TestClient,
    hass_client: ClientSessionGenerator,
    caller: str,
) -> None:
    jetson = await register(admin, device_http)
    job = await submit(admin, jetson.device_id, command="gpio")
    before = edge_state(edge)
    client = device_http
    if caller == "a user":
        client = await person_client(hass, hass_client, GROUP_ID_USER)
    elif caller == "a read-only user":
        client = await person_client(hass, hass_client, GROUP_ID_READ_ONLY)
    elif caller == "an edge device's token":
        client.session.headers["Authorization"] = f"Bearer {jetson.token}"
    statuses = await request_every_admin_endpoint(client, jetson, job["job_id"])
    assert len(statuses) == len(ADMIN_ENDPOINTS)
    # Home Assistant's own admin check answers 401 before RoomSense reads anything.
    assert set(statuses.values()) == {401}
    assert edge_state(edge) == before
    # The device still works with its token: nothing was rotated or deleted.
    client.session.headers.pop("Authorization", None)
    assert (await jetson.next())[0] == 200


async def test_the_same_calls_work_for_an_administrator(
    edge: EdgeManager, admin: TestClient, device_http: TestClient
) -> None:
    """The table's calls would change things: an administrator's are done."""
    jetson = await register(admin, device_http)
    job = await submit(admin, jetson.device_id, command="gpio")
    statuses = await request_every_admin_endpoint(admin, jetson, job["job_id"])
    assert statuses[("POST", "edge/devices/register")] == 201
    assert statuses[("POST", "edge/devices/{device_id}/token")] == 200
    assert statuses[("DELETE", "edge/devices/{device_id}")] == 200
    # Only what follows the device's deletion in the table finds nothing.
    assert {status for status in statuses.values() if status >= 300} <= {404}
    assert jetson.device_id not in edge.devices


def admin_services() -> list[Action]:
    return [action for action in ACTIONS if action.access is Access.ADMIN and action.service]


# Input each administrators' service accepts, so a refusal cannot come from the schema
# (`{device_id}`: a registered device's, so a job would be queued if the call went through).
VALID_SERVICE_DATA: dict[str, dict[str, Any]] = {
    "edge_submit_job": {"device_id": "{device_id}", "command": "gpio"},
}


@pytest.mark.parametrize("action", admin_services(), ids=lambda action: action.name)
async def test_admin_services_refuse_other_users(
    hass: HomeAssistant, edge: EdgeManager, hass_read_only_user: MockUser, action: Action
) -> None:
    device, _token = await edge.async_register("Jetson", "jetson", ["gpio"], {})
    data = {
        key: value.format(device_id=device.device_id) if isinstance(value, str) else value
        for key, value in VALID_SERVICE_DATA.get(action.name, {}).items()
    }
    action.schema(data)  # the input is one the service takes
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            action.name,
            data,
            blocking=True,
            context=Context(user_id=hass_read_only_user.id),
            return_response=action.response is not SupportsResponse.NONE,
        )
    assert edge.jobs == {}


def test_there_are_admin_services() -> None:
    assert admin_services()
