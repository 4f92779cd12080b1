"""The demo's simulated Supervisor, and Core's side of add-on discovery in the demo.

`scripts/demo_support/supervisor.py` against real clients: aiohttp, the Supervisor client
library that Core itself uses (aiohasupervisor) and the add-on launcher's own `announce()`,
its pushes recorded by a stand-in for Core. Then the demo-only integration
`roomsense_demo_supervisor` in a real Home Assistant with its HTTP server: an announcement
ends in RoomSense's `hassio` discovery flow, and confirming it points the entry at the add-on.
Last, `scripts/demo --announce-addon` and what the demo writes for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import aiohttp
import pytest
from aiohasupervisor import SupervisorClient, SupervisorNotFoundError
from aiohasupervisor.models import DiscoveryConfig, HomeAssistantOptions
from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.config_entries import SOURCE_HASSIO, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.discovery_flow import DiscoveryKey
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.roomsense.config_flow import account_unique_id
from custom_components.roomsense.const import DOMAIN as ROOMSENSE
from roomsense_simulator import Simulator
from scripts.demo_support import announce
from scripts.demo_support.config_dir import link_custom_components
from scripts.demo_support.settings import (
    SUPERVISOR_STATE_FILE,
    DemoError,
    DemoSettings,
)
from scripts.demo_support.supervisor import (
    FakeSupervisor,
    Push,
    SimulatedAddon,
    SupervisorState,
)

from .addon.launcher_module import load_launcher
from .conftest import SECRET, TOKEN, free_port
from .demo_integrations import demo_integration_fixtures

REPO = Path(__file__).resolve().parents[1]
DEMO_INTEGRATION = "roomsense_demo_supervisor"
HA_TOKEN = "home-assistant-supervisor-token"
ADDON_TOKEN = "addon-supervisor-token"
CORE_REFRESH_TOKEN = "core-refresh-token"
ADDON = SimulatedAddon.from_repository()
# Installed from the repository that repository.yaml names: the Supervisor's slug.
SLUG = hashlib.sha1(b"https://github.com/roomsense/roomsense").hexdigest()[:8] + "_roomsense_llm"  # noqa: S324
ADDON_NAME = "RoomSense LLM (gpt-oss-20b)"
ANNOUNCED = {"host": "127.0.0.1", "port": 8080, "model": "gpt-oss-20b-mxfp4.gguf"}


async def wait_for[T](probe: Callable[[], T], what: str, seconds: float = 10.0) -> T:
    """Poll until probe() is truthy; its value."""
    deadline = time.monotonic() + seconds
    while not (value := probe()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)
    return value


class CoreStandIn:
    """Core's API as the Supervisor calls it: token grant, core state, discovery pushes."""

    def __init__(self) -> None:
        self.state = "RUNNING"
        self.grants: list[dict[str, str]] = []
        self.pushes: list[dict[str, Any]] = []
        self.valid_tokens: set[str] = set()
        app = web.Application()
        app.router.add_post("/auth/token", self._token)
        app.router.add_get("/api/core/state", self._core_state)
        app.router.add_route("*", "/api/hassio_push/discovery/{uuid}", self._push)
        self.server = TestServer(app, host="127.0.0.1", port=0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        return header.removeprefix("Bearer ") in self.valid_tokens

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.grants.append({key: str(value) for key, value in form.items()})
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != (
            CORE_REFRESH_TOKEN
        ):
            return web.json_response({"error": "invalid_grant"}, status=400)
        token = f"access-{len(self.grants)}"
        self.valid_tokens.add(token)
        return web.json_response(
            {"access_token": token, "token_type": "Bearer", "expires_in": 1800}
        )

    async def _core_state(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.Response(status=401)
        return web.json_response({"state": self.state, "recorder_state": {}})

    async def _push(self, request: web.Request) -> web.Response:
        self.pushes.append(
            {
                "method": request.method,
                "uuid": request.match_info["uuid"],
                "authorization": request.headers.get("Authorization"),
                "json": await request.json(),
            }
        )
        if not self._authorized(request):
            return web.Response(status=401)
        return web.Response()


@pytest.fixture
async def core(socket_enabled: None) -> AsyncIterator[CoreStandIn]:
    stand_in = CoreStandIn()
    await stand_in.server.start_server()
    try:
        yield stand_in
    finally:
        await stand_in.server.close()


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def make_supervisor(core_url: str, store_path: Path | None = None) -> FakeSupervisor:
    return FakeSupervisor(
        addon=ADDON,
        core_url=core_url,
        homeassistant_token=HA_TOKEN,
        addon_token=ADDON_TOKEN,
        port=0,
        store_path=store_path,
    )


@pytest.fixture
async def supervisor(core: CoreStandIn, tmp_path: Path) -> AsyncIterator[FakeSupervisor]:
    fake = make_supervisor(core.url, tmp_path / "discovery.json")
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


Call = Callable[..., Awaitable[tuple[int, Any]]]


@pytest.fixture
def call(session: aiohttp.ClientSession, supervisor: FakeSupervisor) -> Call:
    """One request to the Supervisor: the status and the body (JSON when it is JSON)."""

    async def request(
        method: str,
        path: str,
        token: str | None,
        body: Any = None,
        header: str = "Authorization",
    ) -> tuple[int, Any]:
        headers = {}
        if token is not None:
            headers[header] = f"Bearer {token}" if header == "Authorization" else token
        async with session.request(
            method, f"{supervisor.url}{path}", json=body, headers=headers
        ) as response:
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, await response.text()

    return request


async def give_refresh_token(call: Call) -> None:
    status, body = await call(
        "POST", "/core/options", HA_TOKEN, {"refresh_token": CORE_REFRESH_TOKEN, "port": 8123}
    )
    assert (status, body) == (200, {"result": "ok", "data": {}})


# -- the simulated Supervisor ----------------------------------------------------------------


def test_the_simulated_addon_is_the_repositorys_addon() -> None:
    assert ADDON.slug == SLUG
    assert ADDON.name == ADDON_NAME
    assert ADDON.discovery == ("roomsense",)
    info = ADDON.info
    assert info["hostname"] == SLUG.replace("_", "-")
    assert info["repository"] == SLUG.split("_")[0]
    assert info["state"] == "started"
    assert info["hassio_api"] is False  # so it reaches /discovery only
    assert info["options"]["model"] == load_launcher().DEFAULT_MODEL


async def test_tokens_are_checked(call: Call, supervisor: FakeSupervisor) -> None:
    announcement = {"service": "roomsense", "config": ANNOUNCED}
    # No token: 401; a token the Supervisor does not know: 403 (plain, outside the envelope).
    assert (await call("POST", "/discovery", None, announcement))[0] == 401
    assert (await call("GET", "/discovery", None))[0] == 401
    assert (await call("POST", "/discovery", "not-a-token", announcement))[0] == 403
    assert (await call("GET", "/discovery", "not-a-token"))[0] == 403
    assert (await call("GET", f"/addons/{SLUG}/info", "not-a-token"))[0] == 403
    # The add-on reads no messages (Home Assistant's alone) and, without hassio_api, reaches
    # nothing but /discovery.
    assert (await call("GET", "/discovery", ADDON_TOKEN))[0] == 401
    assert (await call("GET", f"/addons/{SLUG}/info", ADDON_TOKEN))[0] == 403
    assert (await call("POST", "/core/options", ADDON_TOKEN, {"refresh_token": "x"}))[0] == 403
    # Home Assistant announces nothing.
    status, body = await call("POST", "/discovery", HA_TOKEN, announcement)
    assert status == 403
    assert body["result"] == "error"
    assert not supervisor.messages
    # The add-on's token also works as X-Supervisor-Token, as bashio sends it.
    status, body = await call(
        "POST", "/discovery", ADDON_TOKEN, announcement, header="X-Supervisor-Token"
    )
    assert status == 200, body


async def test_discovery_messages_post_get_list_delete(
    call: Call, supervisor: FakeSupervisor
) -> None:
    status, body = await call(
        "POST", "/discovery", ADDON_TOKEN, {"service": "roomsense", "config": ANNOUNCED}
    )
    assert status == 200
    assert body["result"] == "ok"
    uuid = body["data"]["uuid"]
    assert UUID(uuid).hex == uuid

    message = {"addon": SLUG, "service": "roomsense", "uuid": uuid, "config": ANNOUNCED}
    assert await call("GET", f"/discovery/{uuid}", HA_TOKEN) == (
        200,
        {"result": "ok", "data": message},
    )
    assert await call("GET", "/discovery", HA_TOKEN) == (
        200,
        {"result": "ok", "data": {"discovery": [message], "services": {"roomsense": [SLUG]}}},
    )

    assert await call("DELETE", f"/discovery/{uuid}", ADDON_TOKEN) == (
        200,
        {"result": "ok", "data": {}},
    )
    not_found = {"result": "error", "message": "Discovery message not found"}
    assert await call("GET", f"/discovery/{uuid}", HA_TOKEN) == (404, not_found)
    assert await call("DELETE", f"/discovery/{uuid}", ADDON_TOKEN) == (404, not_found)
    assert (await call("GET", "/discovery", HA_TOKEN))[1]["data"]["discovery"] == []


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (
            {"service": "mqtt", "config": {}},
            403,
            "Apps must list services they provide via discovery in their config!",
        ),
        ({"config": {}}, 400, "required key not provided @ data['service']. Got None"),
        ({"service": "roomsense"}, 400, "required key not provided @ data['config']. Got None"),
        (
            {"service": "roomsense", "config": "host"},
            400,
            "expected dict for dictionary value @ data['config']. Got 'host'",
        ),
        (
            {"service": "roomsense", "config": {}, "extra": 1},
            400,
            "extra keys not allowed @ data['extra']. Got 1",
        ),
    ],
)
async def test_announcements_the_supervisor_refuses(
    call: Call, supervisor: FakeSupervisor, body: Any, status: int, message: str
) -> None:
    assert await call("POST", "/discovery", ADDON_TOKEN, body) == (
        status,
        {"result": "error", "message": message},
    )
    assert not supervisor.messages


async def test_invalid_json_is_refused(
    session: aiohttp.ClientSession, supervisor: FakeSupervisor
) -> None:
    async with session.post(
        f"{supervisor.url}/discovery",
        data=b"{not json",
        headers={"Authorization": f"Bearer {ADDON_TOKEN}"},
    ) as response:
        assert response.status == 400
        assert await response.json() == {"result": "error", "message": "Invalid json"}


async def test_addon_info(call: Call) -> None:
    status, body = await call("GET", f"/addons/{SLUG}/info", HA_TOKEN)
    assert status == 200
    assert body["result"] == "ok"
    info = body["data"]
    assert info["name"] == ADDON_NAME
    assert info["slug"] == SLUG
    assert info["discovery"] == ["roomsense"]
    assert await call("GET", "/addons/local_other/info", HA_TOKEN) == (
        404,
        {"result": "error", "message": "App local_other does not exist"},
    )


async def test_core_reads_the_answers_with_its_own_client_library(
    session: aiohttp.ClientSession, supervisor: FakeSupervisor
) -> None:
    """aiohasupervisor is what Core's hassio integration reads the Supervisor with."""
    addon_client = SupervisorClient(supervisor.url, ADDON_TOKEN, session=session)
    uuid = await addon_client.discovery.set(DiscoveryConfig(service="roomsense", config=ANNOUNCED))

    core_client = SupervisorClient(supervisor.url, HA_TOKEN, session=session)
    message = await core_client.discovery.get(uuid)
    assert (message.addon, message.service, message.uuid, message.config) == (
        SLUG,
        "roomsense",
        uuid,
        ANNOUNCED,
    )
    assert [m.uuid for m in await core_client.discovery.list()] == [uuid]
    info = await core_client.addons.addon_info(SLUG)
    assert (info.name, info.slug, info.state) == (ADDON_NAME, SLUG, "started")
    assert info.discovery == ["roomsense"]
    await core_client.homeassistant.set_options(
        HomeAssistantOptions(port=8123, ssl=False, refresh_token=CORE_REFRESH_TOKEN)
    )
    assert supervisor.homeassistant_options == {
        "port": 8123,
        "ssl": False,
        "refresh_token": CORE_REFRESH_TOKEN,
    }

    await addon_client.discovery.delete(uuid)
    with pytest.raises(SupervisorNotFoundError):
        await core_client.discovery.get(uuid)


async def test_pushes_reach_core_with_an_access_token_from_its_refresh_token(
    call: Call, supervisor: FakeSupervisor, core: CoreStandIn
) -> None:
    # Before Home Assistant handed over its refresh token the Supervisor cannot call it: the
    # message waits for Core to read it at its start.
    status, body = await call(
        "POST", "/discovery", ADDON_TOKEN, {"service": "roomsense", "config": ANNOUNCED}
    )
    uuid = body["data"]["uuid"]
    await supervisor.wait_for_pushes()
    assert supervisor.pushes == [
        Push("POST", uuid, None, supervisor.pushes[0].detail),
    ]
    assert "refresh token" in supervisor.pushes[0].detail
    assert core.pushes == []

    await give_refresh_token(call)
    moved = {**ANNOUNCED, "port": 8081}
    status, body = await call(
        "POST", "/discovery", ADDON_TOKEN, {"service": "roomsense", "config": moved}
    )
    assert (status, body["data"]["uuid"]) == (200, uuid)  # the same add-on and service
    await supervisor.wait_for_pushes()
    assert core.grants == [{"grant_type": "refresh_token", "refresh_token": CORE_REFRESH_TOKEN}]
    push = {"addon": SLUG, "service": "roomsense", "uuid": uuid}
    assert core.pushes == [
        {"method": "POST", "uuid": uuid, "authorization": "Bearer access-1", "json": push}
    ]
    assert supervisor.pushes[-1] == Push("POST", uuid, 200)
    assert (await call("GET", f"/discovery/{uuid}", HA_TOKEN))[1]["data"]["config"] == moved

    # The very same announcement again is no news: no push.
    await call("POST", "/discovery", ADDON_TOKEN, {"service": "roomsense", "config": moved})
    await supervisor.wait_for_pushes()
    assert len(core.pushes) == 1

    # Home Assistant forgot the access token (a restart): one new one, and the push again.
    core.valid_tokens.clear()
    await call("DELETE", f"/discovery/{uuid}", ADDON_TOKEN)
    await supervisor.wait_for_pushes()
    assert len(core.grants) == 2
    assert core.pushes[-1] == {
        "method": "DELETE",
        "uuid": uuid,
        "authorization": "Bearer access-2",
        "json": push,
    }
    assert supervisor.pushes[-1] == Push("DELETE", uuid, 200)


async def test_no_push_while_core_is_not_running(
    call: Call, supervisor: FakeSupervisor, core: CoreStandIn
) -> None:
    await give_refresh_token(call)
    core.state = "STARTING"
    _, body = await call(
        "POST", "/discovery", ADDON_TOKEN, {"service": "roomsense", "config": ANNOUNCED}
    )
    await supervisor.wait_for_pushes()
    assert core.pushes == []
    assert supervisor.pushes == [
        Push("POST", body["data"]["uuid"], None, "Home Assistant is STARTING")
    ]


async def test_the_launcher_announces_itself(supervisor: FakeSupervisor) -> None:
    launcher = load_launcher()
    assert await asyncio.to_thread(
        launcher.announce, supervisor.url, ADDON_TOKEN, "127.0.0.1", 8080, launcher.DEFAULT_MODEL
    )
    (message,) = supervisor.messages.values()
    assert (message.addon, message.service) == (SLUG, "roomsense")
    assert message.config == {
        "host": "127.0.0.1",
        "port": 8080,
        "model": launcher.DEFAULT_MODEL,
    }
    assert not await asyncio.to_thread(
        launcher.announce, supervisor.url, "wrong-token", "127.0.0.1", 8080, "m"
    )
    assert len(supervisor.messages) == 1


async def test_messages_are_kept_across_a_restart(
    call: Call, supervisor: FakeSupervisor, core: CoreStandIn, tmp_path: Path
) -> None:
    _, body = await call(
        "POST", "/discovery", ADDON_TOKEN, {"service": "roomsense", "config": ANNOUNCED}
    )
    await supervisor.stop()
    again = make_supervisor(core.url, tmp_path / "discovery.json")
    await again.start()
    try:
        (message,) = again.messages.values()
        assert (message.uuid, message.config) == (body["data"]["uuid"], ANNOUNCED)
    finally:
        await again.stop()


# -- Core's side: the demo integration in a real Home Assistant ------------------------------


@pytest.fixture
def disable_http_server() -> None:
    """Keep Home Assistant's real HTTP server, which the test plugin stops by default."""


demo_integrations, demo_integration_found = demo_integration_fixtures(DEMO_INTEGRATION)


@pytest.fixture
async def ha_url(hass: HomeAssistant, socket_enabled: None) -> AsyncIterator[str]:
    """Home Assistant's HTTP server on a free loopback port, with what the demo runs."""
    port = free_port()
    assert await async_setup_component(
        hass, "http", {"http": {"server_host": "127.0.0.1", "server_port": port}}
    )
    for domain in ("homeassistant", "auth", "api", "conversation"):
        assert await async_setup_component(hass, domain, {})
    await hass.http.start()
    url = f"http://127.0.0.1:{port}"
    await hass.config.async_update(internal_url=url)
    yield url
    await hass.http.stop()


@pytest.fixture
async def roomsense(
    hass: HomeAssistant, ha_url: str, simulator: Simulator
) -> AsyncIterator[MockConfigEntry]:
    """The demo's SwitchBot account, set up against the simulator."""
    entry = MockConfigEntry(
        domain=ROOMSENSE,
        title="SwitchBot",
        unique_id=account_unique_id(TOKEN),
        data={"token": TOKEN, "secret": SECRET, "base_url": simulator.base_url},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    yield entry
    # Unloaded while the simulated cloud still answers.
    if entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
async def demo_supervisor(hass: HomeAssistant, ha_url: str) -> AsyncIterator[FakeSupervisor]:
    """The simulated Supervisor, pushing to this Home Assistant."""
    fake = make_supervisor(ha_url)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def set_up_demo_integration(hass: HomeAssistant, supervisor: FakeSupervisor) -> None:
    assert await async_setup_component(
        hass, DEMO_INTEGRATION, {DEMO_INTEGRATION: {"url": supervisor.url, "token": HA_TOKEN}}
    )
    await hass.async_block_till_done()


async def announce_as_the_addon(supervisor: FakeSupervisor, port: int = 8080) -> None:
    """The launcher's own announce(), off the event loop that serves the Supervisor."""
    launcher = load_launcher()
    assert await asyncio.to_thread(
        launcher.announce, supervisor.url, ADDON_TOKEN, "127.0.0.1", port, launcher.DEFAULT_MODEL
    )


def roomsense_flows(hass: HomeAssistant) -> list[Any]:
    return hass.config_entries.flow.async_progress_by_handler(ROOMSENSE)


@pytest.mark.usefixtures("demo_integration_found")
async def test_an_announcement_ends_in_roomsense_discovery_and_confirming_uses_the_addon(
    hass: HomeAssistant, roomsense: MockConfigEntry, demo_supervisor: FakeSupervisor
) -> None:
    await set_up_demo_integration(hass, demo_supervisor)
    # Core handed the Supervisor a refresh token of its "Supervisor" system user.
    options = demo_supervisor.homeassistant_options
    assert options["port"] == int(demo_supervisor.core_url.rsplit(":", 1)[1])
    assert options["ssl"] is False
    token = hass.auth.async_get_refresh_token_by_token(options["refresh_token"])
    assert token is not None
    assert token.user.system_generated
    assert token.user.name == "Supervisor"
    assert token.user.is_admin
    assert not roomsense_flows(hass)

    await announce_as_the_addon(demo_supervisor)

    (flow,) = await wait_for(lambda: roomsense_flows(hass), "RoomSense's discovery flow")
    (uuid,) = demo_supervisor.messages
    await demo_supervisor.wait_for_pushes()
    assert demo_supervisor.pushes == [Push("POST", uuid, 200)]
    assert flow["step_id"] == "hassio_confirm"
    context = flow["context"]
    assert context["source"] == SOURCE_HASSIO
    assert context["unique_id"] == SLUG
    assert context["title_placeholders"] == {"name": ADDON_NAME}
    assert context["discovery_key"] == DiscoveryKey(domain="hassio", key=uuid, version=1)
    form = await hass.config_entries.flow.async_configure(flow["flow_id"])
    placeholders = form["description_placeholders"]
    assert placeholders is not None
    assert placeholders["url"] == "http://127.0.0.1:8080"
    assert placeholders["model"] == ANNOUNCED["model"]
    assert roomsense.options.get("llm_provider") is None

    # The user confirms the "Discovered" card.
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "addon_configured"
    assert roomsense.options["llm_provider"] == "gpt_oss"
    assert roomsense.options["llm_base_url"] == "http://127.0.0.1:8080"
    assert roomsense.options["llm_model"] == ANNOUNCED["model"]
    assert roomsense.options["llm_addon"] == {"slug": SLUG, "base_url": "http://127.0.0.1:8080"}
    assert roomsense.state is ConfigEntryState.LOADED
    assert not roomsense_flows(hass)
    assert hass.config_entries.async_entries(ROOMSENSE) == [roomsense]

    # The add-on restarts at another port: RoomSense follows without asking.
    await announce_as_the_addon(demo_supervisor, port=8081)
    await wait_for(
        lambda: roomsense.options["llm_base_url"] == "http://127.0.0.1:8081", "the new address"
    )
    assert not roomsense_flows(hass)

    # The add-on withdraws its message: Core is told, and there is no entry to remove.
    async with (
        aiohttp.ClientSession() as client_session,
        client_session.delete(
            f"{demo_supervisor.url}/discovery/{uuid}",
            headers={"Authorization": f"Bearer {ADDON_TOKEN}"},
        ) as response,
    ):
        assert response.status == 200
    await demo_supervisor.wait_for_pushes()
    assert demo_supervisor.pushes[-1] == Push("DELETE", uuid, 200)
    assert hass.config_entries.async_entries(ROOMSENSE) == [roomsense]


@pytest.mark.usefixtures("demo_integration_found")
async def test_a_message_from_before_home_assistant_ran_is_offered_at_its_start(
    hass: HomeAssistant, roomsense: MockConfigEntry, demo_supervisor: FakeSupervisor
) -> None:
    # Announced while Core had not linked up: the Supervisor keeps it without pushing.
    await announce_as_the_addon(demo_supervisor)
    await demo_supervisor.wait_for_pushes()
    assert demo_supervisor.pushes[0].status is None

    await set_up_demo_integration(hass, demo_supervisor)

    (flow,) = await wait_for(lambda: roomsense_flows(hass), "RoomSense's discovery flow")
    assert flow["context"]["unique_id"] == SLUG


@pytest.mark.usefixtures("demo_integration_found")
async def test_only_administrators_push(
    hass: HomeAssistant,
    ha_url: str,
    demo_supervisor: FakeSupervisor,
    hass_access_token: str,
    hass_read_only_access_token: str,
    session: aiohttp.ClientSession,
) -> None:
    await set_up_demo_integration(hass, demo_supervisor)

    async def push(uuid: str, token: str | None) -> int:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with session.post(
            f"{ha_url}/api/hassio_push/discovery/{uuid}", headers=headers
        ) as response:
            return response.status

    unknown = "0123456789abcdef0123456789abcdef"
    assert await push(unknown, None) == 401
    assert await push(unknown, hass_read_only_access_token) == 401
    # An administrator, but the Supervisor has no such message.
    assert await push(unknown, hass_access_token) == 503
    assert await push("not-a-uuid", hass_access_token) == 400


@pytest.mark.usefixtures("demo_integration_found")
async def test_without_the_supervisor_home_assistant_still_starts(
    hass: HomeAssistant, ha_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert await async_setup_component(
        hass, DEMO_INTEGRATION, {DEMO_INTEGRATION: {"url": url, "token": HA_TOKEN}}
    )
    await hass.async_block_till_done()
    assert "Failed to update Home Assistant options in Supervisor" in caplog.text
    assert "Can't read discover info" in caplog.text


# -- scripts/demo --announce-addon and what the demo writes for it --------------------------


def test_the_demo_links_its_integrations(tmp_path: Path) -> None:
    folder = tmp_path / "custom_components"
    link_custom_components(folder)
    link_custom_components(folder)  # a second run changes nothing
    assert (folder / "__init__.py").is_file()
    assert (folder / "roomsense").readlink() == REPO / "custom_components" / "roomsense"
    assert (folder / DEMO_INTEGRATION).readlink() == (
        REPO / "scripts" / "demo_support" / DEMO_INTEGRATION
    )
    assert (folder / DEMO_INTEGRATION / "manifest.json").is_file()
    # The demo integration never ships with RoomSense.
    assert not (REPO / "custom_components" / DEMO_INTEGRATION).exists()

    (folder / "roomsense").unlink()
    (folder / "roomsense").symlink_to(tmp_path)
    link_custom_components(folder)
    assert (folder / "roomsense").readlink() == REPO / "custom_components" / "roomsense"

    (folder / DEMO_INTEGRATION).unlink()
    (folder / DEMO_INTEGRATION).mkdir()
    with pytest.raises(DemoError, match="not the link"):
        link_custom_components(folder)


def test_the_supervisor_port_comes_from_the_environment() -> None:
    assert DemoSettings.from_env({}).supervisor_url == "http://127.0.0.1:8711"
    settings = DemoSettings.from_env({"ROOMSENSE_SUPERVISOR_PORT": "9711"})
    assert settings.supervisor_url == "http://127.0.0.1:9711"
    with pytest.raises(DemoError, match="must all differ"):
        DemoSettings.from_env({"ROOMSENSE_SUPERVISOR_PORT": "8710"})
    with pytest.raises(DemoError, match="ROOMSENSE_SUPERVISOR_PORT"):
        DemoSettings.from_env({"ROOMSENSE_SUPERVISOR_PORT": "supervisor"})


def test_the_state_file_is_private(tmp_path: Path) -> None:
    state = SupervisorState(
        supervisor_url="http://127.0.0.1:8711",
        addon_slug=SLUG,
        addon_name=ADDON_NAME,
        addon_token=ADDON_TOKEN,
        hass_url="http://127.0.0.1:8123",
    )
    path = tmp_path / SUPERVISOR_STATE_FILE
    state.write(path)
    state.write(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert SupervisorState.read(path) == state
    path.write_text("{}")
    with pytest.raises(DemoError, match="Cannot read"):
        SupervisorState.read(path)


@pytest.fixture
def demo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ROOMSENSE_DEMO_DIR", str(tmp_path))
    for name in ("ROOMSENSE_DEMO_PORT", "ROOMSENSE_SIM_PORT", "ROOMSENSE_SUPERVISOR_PORT"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


async def test_announce_addon_command(
    demo_dir: Path, supervisor: FakeSupervisor, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command against the Supervisor; Home Assistant does not answer here."""
    SupervisorState(
        supervisor_url=supervisor.url,
        addon_slug=SLUG,
        addon_name=ADDON_NAME,
        addon_token=ADDON_TOKEN,
        # Nothing listens here: the command says it could not check Home Assistant.
        hass_url=f"http://127.0.0.1:{free_port()}",
    ).write(demo_dir / SUPERVISOR_STATE_FILE)

    assert await asyncio.to_thread(announce.main, ["127.0.0.1:8090"]) == 0

    out = capsys.readouterr().out
    (message,) = supervisor.messages.values()
    assert message.config == {**ANNOUNCED, "port": 8090}
    assert f"add-on log: INFO Discovery uuid {message.uuid}" in out
    assert "Announced 127.0.0.1:8090 (gpt-oss-20b-mxfp4.gguf)" in out
    assert "The Supervisor took it" in out
    assert "Could not log in to Home Assistant to check" in out


async def test_announce_addon_command_refusals(
    demo_dir: Path, supervisor: FakeSupervisor, capsys: pytest.CaptureFixture[str]
) -> None:
    assert announce.main(["8080"]) == 2
    assert announce.main(["127.0.0.1:99999"]) == 2
    assert announce.main(["127.0.0.1:8080", "extra"]) == 2
    assert "takes HOST:PORT" in capsys.readouterr().out
    # The demo is not running: no state file.
    assert announce.main([]) == 1
    assert "The demo is not running" in capsys.readouterr().out
    # A state file with a token the Supervisor refuses.
    SupervisorState(
        supervisor_url=supervisor.url,
        addon_slug=SLUG,
        addon_name=ADDON_NAME,
        addon_token="stale-token",
        hass_url="http://127.0.0.1:9",
    ).write(demo_dir / SUPERVISOR_STATE_FILE)
    assert await asyncio.to_thread(announce.main, []) == 1
    out = capsys.readouterr().out
    assert "HTTP 403" in out
    assert "did not take the announcement" in out
    assert not supervisor.messages


def test_announce_addon_addresses() -> None:
    assert announce.parse_address("127.0.0.1:8080") == ("127.0.0.1", 8080)
    assert announce.parse_address("local-roomsense-llm:9000") == ("local-roomsense-llm", 9000)
    assert announce.parse_address("[::1]:8080") == ("::1", 8080)
    assert announce.base_url("::1", 8080) == "http://[::1]:8080"


@pytest.fixture
def scripts_demo() -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own script
            [str(REPO / "scripts" / "demo"), *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run


@pytest.mark.slow  # scripts/demo, as its own process
def test_scripts_demo_usage(
    scripts_demo: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    shown = scripts_demo("--help")
    assert shown.returncode == 0
    assert "scripts/demo --announce-addon [HOST:PORT]" in shown.stdout
    assert "default 127.0.0.1:8080" in shown.stdout
    assert "ROOMSENSE_SUPERVISOR_PORT" in shown.stdout
    for wrong in (["--bogus"], ["--announce-addon", "a:1", "b:2"]):
        refused = scripts_demo(*wrong)
        assert refused.returncode == 2
        assert "--announce-addon" in refused.stderr


@pytest.mark.slow  # scripts/demo, as its own process
def test_scripts_demo_announce_addon_without_a_running_demo(
    scripts_demo: Callable[..., subprocess.CompletedProcess[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ROOMSENSE_DEMO_DIR", str(tmp_path))
    completed = scripts_demo("--announce-addon")
    assert completed.returncode == 1, completed
    assert "The demo is not running" in completed.stdout
    assert str(tmp_path / SUPERVISOR_STATE_FILE) in completed.stdout
