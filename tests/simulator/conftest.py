"""Fixtures for the simulator's own tests: a started simulator, a signed client, a receiver."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from roomsense_simulator import Clock, Simulator, signed_headers

TOKEN = "sim-test-token"
SECRET = "sim-test-secret"

# Demo home ids used across the tests.
HUB_2 = "EC1A3F9B2C10"
HUB_MINI = "F1C2A3B4D5E6"
CEILING_LIGHT = "94A99021C3F4"
COLOR_BULB = "6055F93A8B21"
PLUG_MINI = "7C87CE5A10B2"
BOT = "E2F64B7A9C01"
CURTAIN = "D7A3C19E5B40"
BLIND_TILT = "C8B2E4A19F73"
LOCK_PRO = "F8C9A1B2E3D4"
KEYPAD = "D1E2F3A4B5C6"
METER = "D04E7A2B9C15"
CO2_METER = "B0E9FE5C1A22"
MOTION_SENSOR = "F3A1C7E85B02"
CONTACT_SENSOR = "E9D4B2A7C610"
WATER_DETECTOR = "C4E7B1A95D38"
CIRCULATOR = "A4C1382B7E90"
HUMIDIFIER2 = "B4E62D8F1A07"
VACUUM_S10 = "CF3A5E7B9D21"
AIR_CONDITIONER = "02-202404011230-10482736"
TV = "01-202404011235-55120943"
BEDROOM_REMOTE = "02-202405121910-77310542"
SCENE_LEAVING = "T01-202404011300-71820345"
SCENE_HOME = "T01-202404011302-19283746"
SCENE_GOOD_NIGHT = "T01-202404011305-56473829"


class Api:
    """Signed requests to a simulator, plus unsigned ones to its admin API."""

    def __init__(self, session: aiohttp.ClientSession, simulator: Simulator) -> None:
        self.session = session
        self.simulator = simulator

    def headers(self, **overrides: Any) -> dict[str, str]:
        return signed_headers(TOKEN, SECRET, clock=self.simulator.clock, **overrides)

    async def raw(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        data: bytes | str | None = None,
    ) -> tuple[int, Any]:
        """HTTP status and decoded JSON answer; `headers` replaces the signed set."""
        async with self.session.request(
            method,
            self.simulator.base_url + path,
            json=json,
            data=data,
            headers=dict(self.headers() if headers is None else headers),
        ) as response:
            return response.status, await response.json(content_type=None)

    async def call(self, method: str, path: str, json: Any = None) -> dict[str, Any]:
        """A signed `/v1.1` call that must come back as HTTP 200 with an envelope."""
        status, answer = await self.raw(method, "/v1.1" + path, json=json)
        assert status == 200, answer
        assert set(answer) == {"statusCode", "body", "message"}, answer
        return answer

    async def command(
        self,
        device_id: str,
        command: str,
        parameter: Any = "default",
        command_type: str = "command",
    ) -> dict[str, Any]:
        return await self.call(
            "POST",
            f"/devices/{device_id}/commands",
            {"command": command, "parameter": parameter, "commandType": command_type},
        )

    async def ok_command(self, device_id: str, command: str, parameter: Any = "default") -> Any:
        answer = await self.command(device_id, command, parameter)
        assert answer["statusCode"] == 100, answer
        assert answer["message"] == "success"
        return answer["body"]

    async def status(self, device_id: str) -> dict[str, Any]:
        answer = await self.call("GET", f"/devices/{device_id}/status")
        assert answer["statusCode"] == 100, answer
        return answer["body"]

    async def admin(self, method: str, path: str, json: Any = None) -> tuple[int, Any]:
        async with self.session.request(
            method, f"{self.simulator.base_url}/_sim{path}", json=json
        ) as response:
            return response.status, await response.json()

    async def admin_ok(self, method: str, path: str, json: Any = None) -> Any:
        status, answer = await self.admin(method, path, json)
        assert status == 200, answer
        return answer


class WebhookReceiver:
    """A local HTTP endpoint that collects webhook POSTs."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.reply_status = 200
        self.url = ""
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, count: int, seconds: float = 5.0) -> list[dict[str, Any]]:
        """Wait until `count` events have arrived; return them all."""
        async with asyncio.timeout(seconds), self._arrived:
            await self._arrived.wait_for(lambda: len(self.events) >= count)
        return self.events

    async def _receive(self, request: web.Request) -> web.Response:
        event = await request.json()
        async with self._arrived:
            self.events.append(event)
            self._arrived.notify_all()
        return web.Response(status=self.reply_status)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def sim(socket_enabled: None, clock: Clock) -> AsyncIterator[Simulator]:
    """The demo home, on a free port."""
    async with Simulator(token=TOKEN, secret=SECRET, home="demo", clock=clock) as simulator:
        yield simulator


@pytest.fixture
async def http(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def api(sim: Simulator, http: aiohttp.ClientSession) -> Api:
    return Api(http, sim)


type SimulatorFactory = Callable[..., Awaitable[Api]]


@pytest.fixture
async def make_api(
    socket_enabled: None, http: aiohttp.ClientSession, clock: Clock
) -> AsyncIterator[SimulatorFactory]:
    """Start extra simulators (another home, a lower limit...) that stop after the test."""
    started: list[Simulator] = []

    async def make(home: Any = "demo", **options: Any) -> Api:
        simulator = Simulator(token=TOKEN, secret=SECRET, home=home, clock=clock, **options)
        await simulator.start()
        started.append(simulator)
        return Api(http, simulator)

    yield make
    for simulator in started:
        await simulator.stop()


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncIterator[WebhookReceiver]:
    hook = WebhookReceiver()
    await hook.start()
    yield hook
    await hook.stop()


def single_device_home(device_type: str, **fields: Any) -> dict[str, Any]:
    """A home with one Wi-Fi device of this type, id AABBCCDDEEFF."""
    return {
        "devices": [
            {
                "deviceId": "AABBCCDDEEFF",
                "deviceName": device_type,
                "deviceType": device_type,
                "hubDeviceId": "000000000000",
                **fields,
            }
        ]
    }


async def setup_webhook(api: Api, url: str) -> None:
    answer = await api.call(
        "POST",
        "/webhook/setupWebhook",
        {"action": "setupWebhook", "url": url, "deviceList": "ALL"},
    )
    assert answer == {"statusCode": 100, "body": {}, "message": ""}
