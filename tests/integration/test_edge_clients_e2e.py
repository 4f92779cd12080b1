"""The reference clients as real processes against Home Assistant's HTTP server on loopback.

`register.py` registers through the admin view with a Home Assistant token and writes the
config; `client.py` then long-polls, runs its simulated handlers and uploads the results.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from custom_components.roomsense.const import DOMAIN
from custom_components.roomsense.edge import EdgeManager
from custom_components.roomsense.edge.models import JobStatus
from custom_components.roomsense.shared import get_shared

from ..conftest import free_port

pytestmark = pytest.mark.slow  # the reference clients, each its own process

EDGE_CODE = Path(__file__).resolve().parents[2] / "edge_device_code"


@pytest.fixture
def disable_http_server() -> None:
    """Keep Home Assistant's real HTTP server, which the test plugin stops by default."""


@pytest.fixture
async def ha_url(hass: HomeAssistant, socket_enabled: None) -> AsyncIterator[str]:
    """Home Assistant's own HTTP server on a free port, with RoomSense's views."""
    port = free_port()
    assert await async_setup_component(
        hass, "http", {"http": {"server_host": "127.0.0.1", "server_port": port}}
    )
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.http.start()
    yield f"http://127.0.0.1:{port}"
    await hass.http.stop()


@pytest.fixture
def edge(hass: HomeAssistant, ha_url: str) -> EdgeManager:
    return get_shared(hass).edge


async def run(script: Path, *args: str) -> tuple[int, str, str]:
    """Run one of the clients' scripts as its own process, without blocking the loop."""
    env = {key: value for key, value in os.environ.items() if key != "ROOMSENSE_HA_TOKEN"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def register(
    folder: str, ha_url: str, token: str, name: str, config: Path, *extra: str
) -> dict[str, Any]:
    code, out, err = await run(
        EDGE_CODE / folder / "register.py",
        *("--server", ha_url, "--ha-token", token, "--name", name, "--write", str(config)),
        *extra,
    )
    assert code == 0, (out, err)
    return dict(json.loads(config.read_text()))


@pytest.mark.parametrize(
    ("folder", "device_type"), [("jetson", "jetson"), ("raspberrypi4", "raspberrypi4")]
)
async def test_a_client_registers_and_completes_jobs(
    hass: HomeAssistant,
    edge: EdgeManager,
    ha_url: str,
    hass_access_token: str,
    tmp_path: Path,
    folder: str,
    device_type: str,
) -> None:
    config = await register(folder, ha_url, hass_access_token, "Shed", tmp_path / "c.json")
    device = edge.devices[config["device_id"]]
    assert (device.name, device.device_type) == ("Shed", device_type)
    assert "agent" in device.capabilities
    # The token in the file is the one Home Assistant knows (by its hash only).
    assert edge.authenticate(device.device_id, config["token"]) is device

    gpio = await edge.async_submit(
        device.device_id, command="gpio", payload={"pin": 17, "value": 1}
    )
    sensor = await edge.async_submit(device.device_id, command="sensor_read")
    agent = await edge.async_submit(device.device_id, instruction="Is anyone in the shed?")
    unknown = await edge.async_submit(device.device_id, command="launch_rocket")
    code, out, err = await run(
        EDGE_CODE / folder / "client.py", "--config", str(tmp_path / "c.json"), "--max-jobs", "4"
    )
    assert code == 0, (out, err)
    assert "done: 4 job(s) run" in out

    assert gpio.status is JobStatus.SUCCEEDED
    assert (gpio.result["pin"], gpio.result["value"]) == (17, 1)
    assert sensor.status is JobStatus.SUCCEEDED
    assert "temperature_c" in sensor.result
    assert agent.status is JobStatus.SUCCEEDED
    assert agent.result["answer"] == "echo: Is anyone in the shed?"
    assert unknown.status is JobStatus.FAILED
    assert unknown.error == "unknown command: launch_rocket"
    assert edge.queue_length(device.device_id) == 0


async def test_a_waiting_client_gets_a_job_the_moment_it_is_queued(
    hass: HomeAssistant, edge: EdgeManager, ha_url: str, hass_access_token: str, tmp_path: Path
) -> None:
    config = await register("raspberrypi4", ha_url, hass_access_token, "Pi", tmp_path / "c.json")
    client = asyncio.create_task(
        run(EDGE_CODE / "raspberrypi4" / "client.py", "--config", str(tmp_path / "c.json"),
            "--once", "--wait", "30")
    )  # fmt: skip
    for _ in range(200):  # the process starts and opens its long poll
        if edge.is_polling(config["device_id"]):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the client never long-polled")
    job = await edge.async_submit(config["device_id"], command="echo", payload={"hello": "pi"})
    finished = await edge.async_wait(job.job_id, 20)
    code, out, err = await client
    assert code == 0, (out, err)
    assert (finished.status, finished.result) == (JobStatus.SUCCEEDED, {"echo": {"hello": "pi"}})


async def test_two_clients_at_once_each_get_only_their_own_jobs(
    hass: HomeAssistant, edge: EdgeManager, ha_url: str, hass_access_token: str, tmp_path: Path
) -> None:
    jetson = await register("jetson", ha_url, hass_access_token, "Jetson", tmp_path / "j.json")
    pi = await register("raspberrypi4", ha_url, hass_access_token, "Pi", tmp_path / "p.json")
    jobs = {
        name: [
            await edge.async_submit(
                config["device_id"], command="echo", payload={"n": n, "for": name}
            )
            for n in range(5)
        ]
        for name, config in (("jetson", jetson), ("pi", pi))
    }
    results = await asyncio.gather(
        run(EDGE_CODE / "jetson" / "client.py", "--config", str(tmp_path / "j.json"),
            "--max-jobs", "5"),
        run(EDGE_CODE / "raspberrypi4" / "client.py", "--config", str(tmp_path / "p.json"),
            "--max-jobs", "5"),
    )  # fmt: skip
    for code, out, err in results:
        assert code == 0, (out, err)
    for name, queued in jobs.items():
        assert [job.result for job in queued] == [{"echo": {"n": n, "for": name}} for n in range(5)]


async def test_a_deleted_device_stops_its_client(
    hass: HomeAssistant, edge: EdgeManager, ha_url: str, hass_access_token: str, tmp_path: Path
) -> None:
    config = await register("jetson", ha_url, hass_access_token, "Old", tmp_path / "c.json")
    edge.delete(config["device_id"])
    code, out, err = await run(
        EDGE_CODE / "jetson" / "client.py", "--config", str(tmp_path / "c.json"), "--once"
    )
    assert code == 3, (out, err)
