"""End to end: `scripts/demo` runs a real Home Assistant with RoomSense on the simulator.

Runs the demo twice on one configuration folder, on free ports: the printed login works
through Home Assistant's login flow, exactly one RoomSense entry is loaded, every integration
set up (the frontend needs all of them), the HTTP settings need no confirmation, and Ctrl-C
(SIGINT) stops Home Assistant and the simulator with exit status 0 and frees both ports.

Each run is also checked as a user of the UI would find it, through the same HTTP and
websocket APIs the frontend uses: a home in Tokyo; Assist (the chat dialog, Settings > Voice
assistants) with a Japanese and an English assistant on the agent "RoomSense", the Japanese
one preferred, answering 「リビングの電気を消して」 by turning the light off in the simulator;
an area per room with English aliases and every device of the demo home in its room;
RoomSense's dashboard with a view per room and its operations view; the printed simulator
credentials accepted by RoomSense's "Add integration" form. A second run
changes none of it, and a configuration folder left by an earlier version of the demo is
brought up to date without undoing what the user changed.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import aiohttp
import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "scripts" / "demo"
HOST = "127.0.0.1"

START_TIMEOUT = 240.0
STOP_TIMEOUT = 150.0
DEMO_HOME = REPO / "simulator" / "roomsense_simulator" / "homes" / "demo.json"

# What a user of the demo should find, written out here rather than read from the demo's code.
AGENT_NAME = "RoomSense"
ASSISTANTS = {"ja": "RoomSense (日本語)", "en": "RoomSense (English)"}
# The rooms: Japanese area names with (at least) these English aliases.
ROOM_ALIASES = {
    "リビング": {"living room"},
    "キッチン": {"kitchen"},
    "寝室": {"bedroom"},
    "玄関": {"entrance", "front door"},
    "廊下": {"hall", "hallway"},
    "洗面所": {"washroom", "wash room"},
}
# Devices of the demo home whose names do not start with their room.
UNNAMED_ROOMS = {
    "コーヒーメーカーのプラグ": "キッチン",
    "給湯器のボット": "キッチン",
    "お掃除ロボット": "リビング",
}
CEILING_LIGHT = "94A99021C3F4"  # リビングのシーリングライト, on in the demo home
ASSIST_JA = "リビングの電気を消して"
ASSIST_EN = "turn on the living room light"

pytestmark = [
    pytest.mark.slow,  # a real Home Assistant in its own processes
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="finds the demo's processes in /proc"
    ),
]


@dataclass(frozen=True)
class Login:
    url: str
    username: str
    password: str


@dataclass(frozen=True)
class Credentials:
    """The simulated SwitchBot account, as the demo prints it."""

    token: str
    secret: str
    cloud_url: str


def _expected_rooms() -> dict[str, str]:
    """The room of every device and infrared remote of the demo home, by SwitchBot id."""
    home = json.loads(DEMO_HOME.read_text(encoding="utf-8"))
    rooms = {}
    for device in [*home["devices"], *home["infraredRemotes"]]:
        name = device["deviceName"]
        room = UNNAMED_ROOMS.get(name) or next(
            (r for r in ROOM_ALIASES if name.startswith(r)), None
        )
        assert room is not None, f"the test knows no room for {name}"
        rooms[device["deviceId"]] = room
    assert len(rooms) == 21  # 18 devices, 3 infrared remotes
    return rooms


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _pids_with(*words: str) -> set[int]:
    """Processes whose command line holds all the words, in any order."""
    found: set[int] = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        args = {arg.decode(errors="replace") for arg in argv}
        if all(word in args for word in words):
            found.add(int(proc.name))
    return found


class DemoRun:
    """`scripts/demo` as a child process, its output in a file."""

    def __init__(self, env: dict[str, str], output: Path) -> None:
        self.output_path = output
        self._out: IO[bytes] = output.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own script
            [str(DEMO)],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.output_path.read_text(errors="replace")

    def wait_until_ready(self) -> str:
        """The output up to "Press Ctrl-C to stop."."""
        deadline = time.monotonic() + START_TIMEOUT
        while "Press Ctrl-C to stop." not in (text := self.output()):
            assert self.process.poll() is None, f"the demo ended early:\n{text}"
            assert time.monotonic() < deadline, f"the demo did not get ready:\n{text}"
            time.sleep(0.2)
        return text

    def wait_for_login(self) -> tuple[Login, Credentials]:
        text = self.wait_until_ready()

        def field(name: str) -> str:
            match = re.search(rf"^\s*{name}:\s*(\S+)\s*$", text, re.MULTILINE)
            assert match, f"no {name} in the demo's output:\n{text}"
            return match.group(1)

        return (
            Login(field("Home Assistant"), field("Username"), field("Password")),
            Credentials(field("Token"), field("Secret"), field("Cloud URL")),
        )

    def interrupt(self) -> int:
        """Ctrl-C; the exit status."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(STOP_TIMEOUT)
        finally:
            self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._out.close()


def _request(
    url: str,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    form: dict[str, str] | None = None,
    token: str | None = None,
) -> tuple[int, Any]:
    parsed = urllib.parse.urlsplit(url)
    assert parsed.hostname is not None
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    headers: dict[str, str] = {}
    body: str | None = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode(form)
    elif json_body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(json_body)
    try:
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    if response.getheader("Content-Type", "").startswith("application/json"):
        return response.status, json.loads(raw)
    return response.status, raw.decode(errors="replace")


def _log_in(login: Login) -> str:
    """Log in like the frontend does; an access token."""
    client_id = f"{login.url}/"
    status, flow = _request(
        login.url,
        "POST",
        "/auth/login_flow",
        json_body={
            "client_id": client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": f"{login.url}/?auth_callback=1",
        },
    )
    assert status == 200, flow
    assert flow["type"] == "form"
    status, result = _request(
        login.url,
        "POST",
        f"/auth/login_flow/{flow['flow_id']}",
        json_body={
            "client_id": client_id,
            "username": login.username,
            "password": login.password,
        },
    )
    assert status == 200, result
    assert result["type"] == "create_entry", result
    status, tokens = _request(
        login.url,
        "POST",
        "/auth/token",
        form={"grant_type": "authorization_code", "code": result["result"], "client_id": client_id},
    )
    assert status == 200, tokens
    return str(tokens["access_token"])


def _websocket(url: str, token: str, *commands: dict[str, Any]) -> list[Any]:
    """Run websocket commands as the frontend does, in order on one connection; results."""

    async def run() -> list[Any]:
        results = []
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"{url}/api/websocket") as ws,
        ):
            assert (await ws.receive_json())["type"] == "auth_required"
            await ws.send_json({"type": "auth", "access_token": token})
            assert (await ws.receive_json())["type"] == "auth_ok"
            for msg_id, command in enumerate(commands, start=1):
                await ws.send_json({"id": msg_id, **command})
                while (reply := await ws.receive_json(timeout=60)).get("id") != msg_id:
                    pass
                assert reply["success"], (command, reply)
                results.append(reply["result"])
        return results

    return asyncio.run(run())


def _assist(url: str, token: str, pipeline_id: str, text: str) -> dict[str, Any]:
    """Say something in the Assist dialog with this assistant; the intent-end event's data.

    The dialog runs the pipeline from its intent stage with the typed text
    (`assist_pipeline/run`) and shows the response's speech.
    """

    async def run() -> dict[str, Any]:
        events: list[dict[str, Any]] = []
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"{url}/api/websocket") as ws,
        ):
            await ws.receive_json()
            await ws.send_json({"type": "auth", "access_token": token})
            assert (await ws.receive_json())["type"] == "auth_ok"
            await ws.send_json(
                {
                    "id": 1,
                    "type": "assist_pipeline/run",
                    "start_stage": "intent",
                    "end_stage": "intent",
                    "input": {"text": text},
                    "pipeline": pipeline_id,
                }
            )
            while True:
                message = await ws.receive_json(timeout=60)
                if message["type"] == "result":
                    assert message["success"], message
                    continue
                events.append(message["event"])
                if message["event"]["type"] in ("run-end", "error"):
                    break
        intent_end = [event for event in events if event["type"] == "intent-end"]
        assert len(intent_end) == 1, events
        return dict(intent_end[0]["data"])

    return asyncio.run(run())


def _device_power(sim_url: str, device_id: str) -> str:
    status, device = _request(sim_url, "GET", f"/_sim/devices/{device_id}")
    assert status == 200, device
    return str(device["status"]["power"])


def _wait_for_power(sim_url: str, device_id: str, power: str) -> None:
    deadline = time.monotonic() + 10
    while (now := _device_power(sim_url, device_id)) != power:
        assert time.monotonic() < deadline, f"{device_id} stayed {now}, not {power}"
        time.sleep(0.1)


def _check_home(login: Login, token: str) -> None:
    """The home is a flat in Tokyo, with Assist loaded (the chat icon and its dialog)."""
    status, config = _request(login.url, "GET", "/api/config", token=token)
    assert status == 200, config
    assert config["time_zone"] == "Asia/Tokyo"
    assert config["country"] == "JP"
    assert config["currency"] == "JPY"
    assert config["language"] == "ja"
    assert config["unit_system"]["temperature"] == "°C"
    assert config["unit_system"]["length"] == "km"
    # Tokyo, not Home Assistant's default location (Amsterdam).
    assert 35 < config["latitude"] < 36
    assert 139 < config["longitude"] < 140
    # The frontend shows the Assist icon when conversation is loaded; its dialog and
    # Settings > Voice assistants need assist_pipeline.
    assert {"conversation", "assist_pipeline"} <= set(config["components"])


def _check_assistants(login: Login, token: str, entry_id: str) -> dict[str, Any]:
    """Settings > Voice assistants: RoomSense in Japanese (preferred) and in English.

    Returns the pipelines list.
    """
    entities, agents, pipelines = _websocket(
        login.url,
        token,
        {"type": "config/entity_registry/list"},
        {"type": "conversation/agent/list"},
        {"type": "assist_pipeline/pipeline/list"},
    )
    (agent_id,) = (
        entity["entity_id"]
        for entity in entities
        if entity["config_entry_id"] == entry_id and entity["entity_id"].startswith("conversation.")
    )
    names = {agent["id"]: agent["name"] for agent in agents["agents"]}
    # The name the agent picker and the assistants list show.
    assert names[agent_id] == AGENT_NAME
    roomsense = [
        p for p in pipelines["pipelines"] if names.get(p["conversation_engine"]) == AGENT_NAME
    ]
    assert {p["language"]: p["name"] for p in roomsense} == ASSISTANTS, pipelines
    assert len(roomsense) == len(ASSISTANTS), pipelines
    for pipeline in roomsense:
        assert pipeline["conversation_language"] == pipeline["language"]
        # RoomSense answers, not Home Assistant's own sentences first.
        assert pipeline["prefer_local_intents"] is False
    (japanese,) = (p for p in roomsense if p["language"] == "ja")
    assert pipelines["preferred_pipeline"] == japanese["id"]
    return dict(pipelines)


def _check_assist_answers(
    login: Login, token: str, sim_url: str, pipelines: dict[str, Any]
) -> None:
    """The dialog's assistant (the preferred one) answers in Japanese, the other in English."""
    by_language = {
        p["language"]: p["id"] for p in pipelines["pipelines"] if p["name"] in ASSISTANTS.values()
    }
    assert _device_power(sim_url, CEILING_LIGHT) == "on"
    answer = _assist(login.url, token, pipelines["preferred_pipeline"], ASSIST_JA)
    response = answer["intent_output"]["response"]
    assert response["response_type"] == "action_done", answer
    assert response["language"] == "ja"
    assert "リビングのシーリングライト" in response["speech"]["plain"]["speech"], answer
    _wait_for_power(sim_url, CEILING_LIGHT, "off")

    answer = _assist(login.url, token, by_language["en"], ASSIST_EN)
    response = answer["intent_output"]["response"]
    assert response["response_type"] == "action_done", answer
    assert response["language"] == "en"
    assert "turn" in response["speech"]["plain"]["speech"].lower(), answer
    _wait_for_power(sim_url, CEILING_LIGHT, "on")


def _rooms(login: Login, token: str) -> tuple[dict[str, dict[str, Any]], dict[str, str | None]]:
    """The areas by name, and the area name of each RoomSense device by SwitchBot id."""
    areas, devices = _websocket(
        login.url,
        token,
        {"type": "config/area_registry/list"},
        {"type": "config/device_registry/list"},
    )
    names = {area["area_id"]: area["name"] for area in areas}
    placed: dict[str, str | None] = {}
    for device in devices:
        for domain, ident in device["identifiers"]:
            if domain == "roomsense":
                placed[ident] = names.get(device["area_id"]) if device["area_id"] else None
    return {area["name"]: area for area in areas}, placed


def _check_rooms(
    login: Login, token: str, moved: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """An area per room, no other; each device of the demo home in its room (or where the
    user moved it). Returns the areas by name."""
    areas, placed = _rooms(login, token)
    assert set(areas) == set(ROOM_ALIASES), sorted(areas)
    for name, aliases in ROOM_ALIASES.items():
        assert aliases <= set(areas[name]["aliases"]), areas[name]
    expected = {**_expected_rooms(), **(moved or {})}
    assert {ident: placed.get(ident) for ident in expected} == expected
    return areas


def _check_dashboard(login: Login, token: str) -> None:
    """RoomSense's dashboard in the sidebar: a view per room, then the operations view, in
    the server's language (Japanese)."""
    dashboards, config = _websocket(
        login.url,
        token,
        {"type": "lovelace/dashboards/list"},
        {"type": "lovelace/config", "url_path": "roomsense-home"},
    )
    ours = [item for item in dashboards if item["url_path"] == "roomsense-home"]
    assert len(ours) == 1, dashboards
    assert ours[0]["show_in_sidebar"] is True
    titles = [view["title"] for view in config["views"]]
    assert titles[-1] == "運用状況", titles
    assert set(titles[:-1]) == set(ROOM_ALIASES), titles


def _check_credentials(login: Login, token: str, credentials: Credentials, sim_port: int) -> None:
    """Settings > Add integration > RoomSense with the printed values: the account is right.

    The demo added that account already, so a right token and secret end in
    "already_configured"; a wrong secret is refused by the form.
    """
    assert credentials.cloud_url == f"http://{HOST}:{sim_port}"

    def add(secret: str) -> dict[str, Any]:
        status, form = _request(
            login.url,
            "POST",
            "/api/config/config_entries/flow",
            json_body={"handler": "roomsense", "show_advanced_options": False},
            token=token,
        )
        assert status == 200, form
        assert form["type"] == "form", form
        status, result = _request(
            login.url,
            "POST",
            f"/api/config/config_entries/flow/{form['flow_id']}",
            json_body={
                "token": credentials.token,
                "secret": secret,
                "advanced": {"base_url": credentials.cloud_url},
            },
            token=token,
        )
        assert status == 200, result
        if result["type"] == "form":
            _request(
                login.url,
                "DELETE",
                f"/api/config/config_entries/flow/{form['flow_id']}",
                token=token,
            )
        return dict(result)

    result = add(credentials.secret)
    assert result["type"] == "abort", result
    assert result["reason"] == "already_configured"
    result = add(credentials.secret + "-wrong")
    assert result["type"] == "form", result
    assert result["errors"], result


@dataclass(frozen=True)
class Seen:
    """What one run showed: the login and the ids of what the demo made."""

    login: Login
    entry_id: str
    area_ids: dict[str, str]
    pipelines: dict[str, Any]


def _run_and_check(
    env: dict[str, str],
    output: Path,
    hass_port: int,
    sim_port: int,
    supervisor_port: int,
    *,
    moved: dict[str, str] | None = None,
    before_stopping: Callable[[Login, str, str], None] | None = None,
) -> Seen:
    """Run the demo, check it, then run before_stopping(login, token, entry_id) and stop it."""
    config_dir = env["ROOMSENSE_DEMO_DIR"]
    demo = DemoRun(env, output)
    try:
        login, credentials = demo.wait_for_login()
        assert login.url == f"http://{HOST}:{hass_port}"

        token = _log_in(login)
        status, entries = _request(
            login.url, "GET", "/api/config/config_entries/entry?domain=roomsense", token=token
        )
        assert status == 200, entries
        assert len(entries) == 1, entries
        assert entries[0]["state"] == "loaded", entries
        assert entries[0]["title"] == AGENT_NAME
        entry_id = entries[0]["entry_id"]

        status, onboarding = _request(login.url, "GET", "/api/onboarding")
        assert status == 404 or all(step["done"] for step in onboarding), onboarding
        status, page = _request(login.url, "GET", "/")
        assert status == 200
        assert "<html" in page.lower()
        # The frontend waits for every integration's service descriptions before it shows
        # anything: one integration that failed to load its requirements left it "Loading...".
        status, services = _request(login.url, "GET", "/api/services", token=token)
        assert status == 200, services
        assert {"roomsense", "conversation", "light"} <= {entry["domain"] for entry in services}
        log = (Path(config_dir) / "home-assistant.log").read_text(errors="replace")
        assert "Setup failed for" not in log, log
        # Confirmed HTTP settings: a trial from configuration.yaml would go back to listening on
        # every address unless someone confirms it in the UI within minutes.
        http_store = json.loads((Path(config_dir) / ".storage" / "http").read_text())["data"]
        assert http_store["pending"] is None
        assert http_store["stable"]["server_host"] == [HOST]
        assert http_store["stable"]["server_port"] == hass_port

        _check_home(login, token)
        pipelines = _check_assistants(login, token, entry_id)
        areas = _check_rooms(login, token, moved)
        _check_dashboard(login, token)
        _check_credentials(login, token, credentials, sim_port)
        _check_assist_answers(login, token, credentials.cloud_url, pipelines)
        if before_stopping is not None:
            before_stopping(login, token, entry_id)

        hass_pids = _pids_with("homeassistant", config_dir)
        sim_pids = _pids_with("roomsense_simulator", str(sim_port))
        assert len(hass_pids) == 1, hass_pids
        assert len(sim_pids) == 1, sim_pids

        exit_status = demo.interrupt()
        text = demo.output()
        assert exit_status == 0, text
        assert "Stopped." in text
    finally:
        demo.close()

    # The demo waits for both before it exits; nothing may be left behind.
    alive = {pid for pid in hass_pids | sim_pids if Path(f"/proc/{pid}").exists()}
    assert not alive, f"left running: {alive}"
    assert _port_free(hass_port)
    assert _port_free(sim_port)
    assert _port_free(supervisor_port)
    return Seen(
        login=login,
        entry_id=entry_id,
        area_ids={name: area["area_id"] for name, area in areas.items()},
        pipelines=pipelines,
    )


def _demo_env(tmp_path: Path) -> tuple[dict[str, str], tuple[int, int, int]]:
    hass_port = _free_port()
    sim_port = _free_port()
    while sim_port == hass_port:
        sim_port = _free_port()
    supervisor_port = _free_port()
    while supervisor_port in (hass_port, sim_port):
        supervisor_port = _free_port()
    env = {
        **os.environ,
        "ROOMSENSE_DEMO_PORT": str(hass_port),
        "ROOMSENSE_SIM_PORT": str(sim_port),
        "ROOMSENSE_SUPERVISOR_PORT": str(supervisor_port),
        "ROOMSENSE_DEMO_DIR": str(tmp_path / "demo_config"),
    }
    return env, (hass_port, sim_port, supervisor_port)


@pytest.mark.timeout(900)
def test_demo_twice_on_one_config(socket_enabled: None, tmp_path: Path) -> None:
    env, ports = _demo_env(tmp_path)

    first = _run_and_check(env, tmp_path / "first.out", *ports)
    second = _run_and_check(env, tmp_path / "second.out", *ports)

    # The second run made nothing again: the same entry, areas and assistants.
    assert second == first
    assert "First run" in (tmp_path / "first.out").read_text()
    assert "First run" not in (tmp_path / "second.out").read_text()


@pytest.mark.timeout(900)
def test_demo_brings_an_earlier_config_up_to_date(socket_enabled: None, tmp_path: Path) -> None:
    """A folder left by an earlier demo is brought up to date; what the user moved stays.

    The first run's folder is turned back into such a folder: the entry titled "SwitchBot"
    (the agent's name then), the US, USD and UTC, the living room called "Living Room" with
    no aliases as onboarding in English made it, the hall's motion sensor in no area; and
    the user has moved the robot vacuum to the bedroom.
    """
    env, ports = _demo_env(tmp_path)
    moved = {"CF3A5E7B9D21": "寝室"}  # the robot vacuum, moved by the user

    def make_it_earlier(login: Login, token: str, entry_id: str) -> None:
        areas, placed = _rooms(login, token)
        _, devices = _websocket(
            login.url,
            token,
            {"type": "config/area_registry/list"},
            {"type": "config/device_registry/list"},
        )
        device_of = {
            ident: device["id"]
            for device in devices
            for domain, ident in device["identifiers"]
            if domain == "roomsense"
        }
        assert placed["F3A1C7E85B02"] == "廊下"
        _websocket(
            login.url,
            token,
            {"type": "config_entries/update", "entry_id": entry_id, "title": "SwitchBot"},
            {"type": "config/core/update", "country": "US", "currency": "USD", "time_zone": "UTC"},
            {
                "type": "config/area_registry/update",
                "area_id": areas["リビング"]["area_id"],
                "name": "Living Room",
                "aliases": [],
            },
            # The hall's motion sensor in no area; the robot vacuum in the bedroom.
            {
                "type": "config/device_registry/update",
                "device_id": device_of["F3A1C7E85B02"],
                "area_id": None,
            },
            {
                "type": "config/device_registry/update",
                "device_id": device_of["CF3A5E7B9D21"],
                "area_id": areas["寝室"]["area_id"],
            },
        )

    first = _run_and_check(env, tmp_path / "first.out", *ports, before_stopping=make_it_earlier)
    second = _run_and_check(env, tmp_path / "second.out", *ports, moved=moved)

    # The living room is the area that was renamed, not a new one beside it.
    assert second == first
