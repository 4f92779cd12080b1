"""Fixtures shared by every test: a real SwitchBot Cloud simulator on 127.0.0.1."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from roomsense_simulator import Clock, Simulator


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--long`: the drills marked `long` run too, and the fuzzing tries more requests."""
    parser.addoption(
        "--long",
        action="store_true",
        default=False,
        help="run the long drills (marked long) and the larger fuzzing budget",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `long` skip unless `--long` was given."""
    if config.getoption("--long"):
        return
    skip = pytest.mark.skip(reason="a long drill: run with --long (scripts/test --long)")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


def long_run(config: pytest.Config) -> bool:
    """Whether this run is `--long` (larger budgets)."""
    return bool(config.getoption("--long"))


TOKEN = "test-token-0123456789abcdef"
SECRET = "test-secret-0123456789"


class SimulatorAdmin:
    """Drives a running simulator through its `/_sim/` admin endpoints, as the demo does."""

    def __init__(self, simulator: Simulator, session: aiohttp.ClientSession) -> None:
        self.simulator = simulator
        self.session = session

    @property
    def base_url(self) -> str:
        return self.simulator.base_url

    async def request(self, method: str, path: str, body: Any = None) -> Any:
        async with self.session.request(
            method, f"{self.base_url}/_sim/{path}", json=body
        ) as response:
            assert response.status < 300, await response.text()
            return await response.json() if response.content_length != 0 else None

    async def calls(self) -> list[dict[str, Any]]:
        return (await self.request("GET", "calls"))["calls"]

    async def api_calls(self, path_suffix: str = "") -> list[dict[str, Any]]:
        """Recorded API calls whose path ends with `path_suffix`."""
        return [call for call in await self.calls() if call["path"].endswith(path_suffix)]

    async def device(self, device_id: str) -> dict[str, Any]:
        return await self.request("GET", f"devices/{device_id}")

    async def set_online(self, device_id: str, online: bool) -> None:
        await self.request("POST", f"devices/{device_id}/online", {"online": online})

    async def fault(self, **fault: Any) -> None:
        await self.request("POST", "faults", fault)

    async def set_quota(self, **quota: int) -> None:
        await self.request("POST", "quota", quota)


async def commands_sent(sim_admin: SimulatorAdmin, device_id: str, *fields: str) -> list[Any]:
    """The commands the simulated SwitchBot cloud received for a device, oldest first.

    Each is the POSTed body (a dict) when no `fields` are named; with one field, that field
    of each body (say, "command"); with several, a tuple of them per body.
    """
    bodies = [call["body"] for call in await sim_admin.api_calls(f"/devices/{device_id}/commands")]
    if not fields:
        return bodies
    if len(fields) == 1:
        return [body[fields[0]] for body in bodies]
    return [tuple(body[field] for field in fields) for body in bodies]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def registry_device(hass: HomeAssistant, identifier: tuple[str, str]) -> dr.DeviceEntry | None:
    """The device registry entry with this identifier, whichever entry owns it."""
    return next(iter(dr.async_get(hass).async_get_devices(identifiers={identifier})), None)


def listen_into(hass: HomeAssistant, event_type: str, events: list[Event]) -> None:
    """Record the events of a type as they fire.

    Through a callback, so each is recorded before the firing code goes on; a plain function
    such as `list.append` would run as an executor job and could be read back too soon.
    """

    @callback
    def record(event: Event) -> None:
        events.append(event)

    hass.bus.async_listen(event_type, record)


def home_with(*device_types: str, hub_type: str = "Hub 2") -> dict[str, Any]:
    """A home with one hub and one device of each type (ids 0000000000NN)."""
    hub_id = "AA0000000000"
    devices: list[dict[str, Any]] = [
        {"deviceId": hub_id, "deviceName": "Hub", "deviceType": hub_type}
    ]
    for index, device_type in enumerate(device_types, start=1):
        devices.append(
            {
                "deviceId": f"{index:012d}",
                "deviceName": device_type,
                "deviceType": device_type,
                "hubDeviceId": hub_id,
            }
        )
    return {"name": "test home", "devices": devices, "infraredRemotes": [], "scenes": []}


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """A configuration folder of each test's own: files written there (the command log)
    must not outlive the test or meet another test's."""
    return hass_tmp_config_dir


@pytest.fixture
def home() -> str | dict[str, Any]:
    """The home the simulator serves; a test module overrides it to pick its devices."""
    return "demo"


@pytest.fixture
async def simulator(socket_enabled: None, home: str | dict[str, Any]) -> AsyncIterator[Simulator]:
    """The simulated SwitchBot cloud."""
    # Read time.time at each call, so a test that freezes or moves time moves the cloud too.
    sim = Simulator(token=TOKEN, secret=SECRET, home=home, clock=Clock(lambda: time.time()))
    await sim.start(host="127.0.0.1", port=0)
    try:
        yield sim
    finally:
        await sim.stop()


@pytest.fixture
async def sim_admin(simulator: Simulator) -> AsyncIterator[SimulatorAdmin]:
    async with aiohttp.ClientSession() as session:
        yield SimulatorAdmin(simulator, session)
