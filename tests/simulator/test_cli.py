"""`python -m roomsense_simulator`: ready line, a signed request, clean exit on SIGINT."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from roomsense_simulator import signed_headers

from .conftest import SECRET, TOKEN

pytestmark = pytest.mark.slow  # the simulator's command line, as its own process

SIMULATOR_DIR = Path(__file__).resolve().parents[2] / "simulator"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def start_cli(*args: str) -> asyncio.subprocess.Process:
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(SIMULATOR_DIR), os.environ.get("PYTHONPATH", "")])
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "roomsense_simulator",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )


async def test_cli_serves_until_sigint(socket_enabled: None, http: aiohttp.ClientSession) -> None:
    port = free_port()
    process = await start_cli(
        "--host", "127.0.0.1", "--port", str(port), "--token", TOKEN, "--secret", SECRET,
        "--home", "demo",
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=20)
        base_url = f"http://127.0.0.1:{port}"
        assert line.decode().rstrip("\n") == f"SwitchBot simulator listening on {base_url}"
        async with http.get(
            base_url + "/v1.1/devices", headers=signed_headers(TOKEN, SECRET)
        ) as response:
            answer = await response.json()
        assert response.status == 200
        assert answer["statusCode"] == 100
        assert len(answer["body"]["deviceList"]) >= 14
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=10)
        assert process.returncode == 0, stderr.decode()
        assert b"GET /v1.1/devices" in stderr  # logs go to stderr
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_cli_refuses_a_missing_home_file(tmp_path: Path) -> None:
    process = await start_cli(
        "--port", "0", "--token", TOKEN, "--secret", SECRET, "--home", str(tmp_path / "no.json")
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 2
    assert stdout == b""
    assert b"cannot read home file" in stderr
