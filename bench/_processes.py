"""Real processes for the drills: the SwitchBot simulator and Home Assistant, each its own.

Not a bench by itself. `kill_drill.py` uses it to run Home Assistant as a home runs it
(`python -m homeassistant -c DIR`, its own process group) against the simulator (`python -m
roomsense_simulator`), to talk to both only through their public APIs (Home Assistant's REST
and websocket APIs, the simulator's `/_sim/` admin API), and to SIGKILL Home Assistant.

Process handling comes from the demo (`scripts/demo_support`): each child leads its own
session, gets SIGTERM when this process dies (Linux), and `kill()` SIGKILLs its group.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import aiohttp

# The demo's modules, as `scripts.demo_support`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.demo_support.config_dir import prepare_stores
from scripts.demo_support.ha_api import HomeAssistantClient, Tokens
from scripts.demo_support.processes import ManagedProcess, home_assistant_argv
from scripts.demo_support.settings import DemoError

REPO: Final = Path(__file__).resolve().parents[1]
HOST: Final = "127.0.0.1"
SIM_TOKEN: Final = "drill-token-0123456789abcdef"
SIM_SECRET: Final = "drill-secret-0123456789"
SIM_READY_LINE: Final = "SwitchBot simulator listening on"
OWNER: Final = ("Drill", "drill", "roomsense-drill")  # name, username, password: local only
DOMAIN: Final = "roomsense"
# RoomSense as the working tree has it; a drill may run another copy (an older commit's).
INTEGRATION: Final = REPO / "custom_components" / DOMAIN

SIM_START_TIMEOUT: Final = 60.0
HASS_START_TIMEOUT: Final = 240.0
HASS_STOP_TIMEOUT: Final = 60.0
WATCH_TIMEOUT: Final = 60.0
ENTRY_LOAD_TIMEOUT: Final = 90.0
_REQUEST_TIMEOUT: Final = aiohttp.ClientTimeout(total=60)
_ADMIN_TIMEOUT: Final = aiohttp.ClientTimeout(total=15)

# Only what the drill needs on top of Home Assistant's default integrations (frontend among
# them: Home Assistant always sets those up). RoomSense comes from its config entry.
CONFIGURATION_YAML: Final = """\
# Written by bench/kill_drill.py: a throwaway Home Assistant for the kill drill.
logger:
  default: warning
  logs:
    custom_components.roomsense: info
"""


class DrillError(Exception):
    """A drill that could not run (a process that did not start, an API that refused)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (never a demo's)."""
    while True:
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            port = int(sock.getsockname()[1])
        if port not in (8123, 8710, 8711):
            return port


def _child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


# -- the simulator ---------------------------------------------------------------------------


class SimulatorProcess:
    """`python -m roomsense_simulator` with a home file, and its `/_sim/` admin API."""

    def __init__(self, home_file: Path, log_path: Path, session: aiohttp.ClientSession) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self._session = session
        self.process = ManagedProcess(
            "the SwitchBot simulator",
            [
                sys.executable,
                "-m",
                "roomsense_simulator",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--token",
                SIM_TOKEN,
                "--secret",
                SIM_SECRET,
                "--home",
                str(home_file),
                # Commands, status reads after each start and polls: a long drill makes
                # thousands, and a spent quota would fail commands for another reason.
                "--daily-limit",
                "10000000",
                "--log-level",
                "WARNING",
            ],
            log_path,
            _child_env(),
        )

    async def start(self) -> None:
        """Start it and wait for its ready line."""
        await self.process.start()
        deadline = time.monotonic() + SIM_START_TIMEOUT
        while SIM_READY_LINE not in self.process.output():
            if not self.process.running:
                raise DrillError(f"The simulator stopped:\n{self.process.output_tail()}")
            if time.monotonic() > deadline:
                raise DrillError(f"The simulator did not start:\n{self.process.output_tail()}")
            await asyncio.sleep(0.05)

    async def admin(self, method: str, path: str, body: Any = None) -> Any:
        """Call `/_sim/<path>`; its JSON answer."""
        try:
            async with self._session.request(
                method, f"{self.url}/_sim/{path}", json=body, timeout=_ADMIN_TIMEOUT
            ) as response:
                text = await response.text()
        except TimeoutError:
            # It answers in milliseconds: a process stopped from outside (SIGSTOP) or hung.
            raise DrillError(f"The simulator did not answer /_sim/{path} within 15 s") from None
        except aiohttp.ClientConnectionError as err:
            status = self.process.returncode
            ended = "" if status is None else f"; it ended with status {status}"
            raise DrillError(f"The simulator could not be reached ({err}){ended}") from None
        if response.status >= 300:
            raise DrillError(f"/_sim/{path} answered {response.status}: {text}")
        return json.loads(text)

    async def cloud_down(self) -> None:
        """Every API connection is dropped without an answer; the call log goes on."""
        await self.admin("POST", "faults", {"outage": True})

    async def cloud_up(self) -> None:
        """The cloud answers again."""
        await self.admin("DELETE", "faults")

    async def calls(self) -> list[dict[str, Any]]:
        """Every API call the simulator received, oldest first."""
        return list((await self.admin("GET", "calls"))["calls"])


# -- Home Assistant --------------------------------------------------------------------------


def prepare_config_dir(config_dir: Path, port: int, integration: Path = INTEGRATION) -> None:
    """A configuration folder with `integration` linked in and HTTP on 127.0.0.1:`port`.

    Synchronous: it runs a short-lived Home Assistant core of its own (as the demo does)
    to write the HTTP settings and mark onboarding's core config step done.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(CONFIGURATION_YAML, encoding="utf-8")
    # Home Assistant puts the configuration folder first on sys.path: its custom_components
    # package must hold RoomSense (see scripts/demo_support/config_dir.py).
    custom = config_dir / "custom_components"
    custom.mkdir(exist_ok=True)
    (custom / "__init__.py").write_text('"""The kill drill\'s integrations."""\n', encoding="utf-8")
    link = custom / DOMAIN
    if link.is_symlink():
        link.unlink()
    link.symlink_to(integration.resolve(), target_is_directory=True)
    asyncio.run(prepare_stores(config_dir, port))


@dataclass
class Watch:
    """What one Home Assistant process reported over its websocket while it ran."""

    events: list[dict[str, Any]] = field(default_factory=list)
    notifications: dict[str, dict[str, Any]] = field(default_factory=dict)
    connected: asyncio.Event = field(default_factory=asyncio.Event)


class HomeAssistantProcess:
    """`python -m homeassistant -c DIR` on `port`; started again on the same folder.

    While it runs, a websocket records RoomSense's command results and the persistent
    notifications, one `Watch` per process (`watches[-1]` is the current one's). They live
    in memory only, so they are read while the process runs: a kill loses them.
    """

    def __init__(self, config_dir: Path, port: int, session: aiohttp.ClientSession) -> None:
        self.config_dir = config_dir
        self.port = port
        self.url = f"http://{HOST}:{port}"
        self._session = session
        self.client = HomeAssistantClient(session, self.url)
        self.token: str | None = None
        self.entry_id: str | None = None
        self.watches: list[Watch] = []
        self._watcher: asyncio.Task[None] | None = None
        self.process = ManagedProcess(
            "Home Assistant",
            home_assistant_argv(config_dir),
            config_dir / "hass-console.log",
            _child_env(),
        )

    @property
    def watch(self) -> Watch:
        """What the current (or last) process reported."""
        return self.watches[-1]

    async def start(self) -> None:
        """Start the process and wait until its HTTP server answers."""
        self.watches.append(Watch())
        await self.process.start()
        try:
            async with asyncio.timeout(HASS_START_TIMEOUT):
                await self.client.wait_until_serving(lambda: self.process.running)
        except (TimeoutError, DemoError) as err:
            raise DrillError(
                f"Home Assistant did not start ({err or 'timeout'}):\n{self.process.output_tail()}"
            ) from None
        if self.token is not None and self._watcher is None:
            self._watcher = asyncio.create_task(self._watch())

    async def wait_until_running(self) -> None:
        """Wait until every integration of the startup was set up."""
        try:
            async with asyncio.timeout(HASS_START_TIMEOUT):
                await self.client.wait_until_running(lambda: self.process.running)
        except (TimeoutError, DemoError) as err:
            raise DrillError(
                f"Home Assistant did not finish starting ({err or 'timeout'}):\n"
                f"{self.process.output_tail()}"
            ) from None

    async def wait_until_watched(self) -> None:
        """Wait until the websocket of the current process has read the notifications."""
        try:
            async with asyncio.timeout(WATCH_TIMEOUT):
                await self.watch.connected.wait()
        except TimeoutError:
            raise DrillError("Home Assistant's websocket did not answer") from None

    async def stop(self) -> None:
        """Stop Home Assistant cleanly (SIGTERM): it writes what it keeps with a delay."""
        status = await self.process.stop(signal.SIGTERM, HASS_STOP_TIMEOUT)
        if status not in (0, -signal.SIGTERM):
            raise DrillError(f"Home Assistant stopped with status {status}")

    async def kill(self) -> None:
        """SIGKILL Home Assistant and its process group (a power cut), and reap it."""
        self.process.kill()
        with contextlib.suppress(RuntimeError):  # never started
            await self.process.wait()

    async def close(self) -> None:
        """Stop watching; SIGKILL the process if it still runs."""
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        await stop_all(self.process)

    async def provision(self, sim_url: str) -> None:
        """Onboard an owner, add RoomSense against the simulator, keep a long-lived token."""
        client = self.client
        name, username, password = OWNER
        todo = await client.onboarding_todo()
        if "user" in todo:
            await client.onboard_owner(name, username, password, "en")
        else:
            await client.login(username, password)
        for step in ("analytics", "integration"):
            if step in todo:
                await client.finish_onboarding_step(step)
        await self.wait_until_running()
        (token,) = await client.websocket(
            {
                "type": "auth/long_lived_access_token",
                "client_name": "kill drill",
                "lifespan": 30,
            }
        )
        await client.revoke()
        self.token = str(token)
        client.tokens = Tokens(self.token, "")
        result = await client.config_flow(
            DOMAIN,
            {"token": SIM_TOKEN, "secret": SIM_SECRET, "advanced": {"base_url": sim_url}},
        )
        if result.get("type") != "create_entry":
            raise DrillError(f"Adding RoomSense failed: {result}")
        self.entry_id = str(result["result"]["entry_id"])
        await self.wait_for_entry({"loaded"})
        self._watcher = asyncio.create_task(self._watch())

    async def wait_for_entry(self, states: set[str]) -> str:
        """Wait until the RoomSense entry is in one of `states`; its state."""
        deadline = time.monotonic() + ENTRY_LOAD_TIMEOUT
        state = "missing"
        while time.monotonic() < deadline:
            entries = await self.client.config_entries(DOMAIN)
            state = next((e["state"] for e in entries if e["entry_id"] == self.entry_id), state)
            if state in states:
                return state
            await asyncio.sleep(0.2)
        raise DrillError(f"The RoomSense entry stayed {state!r}, not {sorted(states)}")

    async def call_service(
        self, domain: str, service: str, data: Mapping[str, Any]
    ) -> tuple[int, Any]:
        """`POST /api/services/<domain>/<service>?return_response`: status and JSON body."""
        async with self._session.post(
            f"{self.url}/api/services/{domain}/{service}?return_response",
            json=dict(data),
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=_REQUEST_TIMEOUT,
        ) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text)
            except ValueError:
                return response.status, text

    async def _watch(self) -> None:
        """Keep a websocket open to whichever process runs, into that process's Watch."""
        while True:
            watch = self.watch
            if self.process.running:
                # A closed socket (a stop, a kill) ends a receive with a TypeError.
                with contextlib.suppress(
                    aiohttp.ClientError, ConnectionError, TimeoutError, TypeError, ValueError
                ):
                    await self._watch_once(watch)
            await asyncio.sleep(0.05)

    async def _watch_once(self, watch: Watch) -> None:
        async with self._session.ws_connect(f"{self.url}/api/websocket", heartbeat=5) as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": self.token})
            if (await ws.receive_json()).get("type") != "auth_ok":
                return
            await ws.send_json(
                {"id": 1, "type": "subscribe_events", "event_type": "roomsense_command_result"}
            )
            await ws.send_json({"id": 2, "type": "persistent_notification/subscribe"})
            async for message in ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    break
                data = json.loads(message.data)
                if data.get("type") != "event":
                    continue
                event = data["event"]
                if data["id"] == 1:
                    watch.events.append(event["data"])
                elif event.get("type") in ("current", "added", "updated"):
                    watch.notifications.update(event.get("notifications", {}))
                    watch.connected.set()


async def stop_all(*processes: ManagedProcess) -> None:
    """SIGKILL whatever still runs and reap it: a drill never leaves processes behind."""
    for process in processes:
        process.kill()
    for process in processes:
        with contextlib.suppress(RuntimeError):
            async with asyncio.timeout(30):
                await process.wait()
