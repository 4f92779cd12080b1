"""client.py and register.py run as real processes against the fake RoomSense server."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DEVICE_ID, DEVICE_TOKEN, HA_TOKEN, FakeRoomSense
from .edge_modules import JETSON_DIR, PI4_DIR, edge_cli

pytestmark = pytest.mark.slow  # the clients' command lines, each its own process


def run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "ROOMSENSE_HA_TOKEN"}
    return subprocess.run(  # noqa: S603 - our own scripts, run with this interpreter
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env=env,
    )


def write_config(tmp_path: Path, server: FakeRoomSense, **changes: object) -> Path:
    config = tmp_path / "config.json"
    values = {"server_url": server.base_url, "device_id": DEVICE_ID, "token": DEVICE_TOKEN}
    config.write_text(json.dumps({**values, "wait": 2, **changes}))
    return config


# ---------------------------------------------------------------------------- register.py


def test_register_writes_a_private_config(fake_server: FakeRoomSense, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    done = run(
        PI4_DIR / "register.py",
        *("--server", fake_server.base_url + "/", "--ha-token", HA_TOKEN),
        *("--name", "Shed Pi", "--write", str(config)),
    )
    assert done.returncode == 0, done.stderr
    assert DEVICE_ID in done.stdout
    assert json.loads(config.read_text()) == {
        "server_url": fake_server.base_url,
        "device_id": DEVICE_ID,
        "token": DEVICE_TOKEN,
        "wait": 25,
        "name": "Shed Pi",
        "device_type": "raspberrypi4",
    }
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    (request,) = [r for r in fake_server.requests if r.path.endswith("/register")]
    body = request.json()
    assert request.headers["authorization"] == f"Bearer {HA_TOKEN}"
    assert body["device_type"] == "raspberrypi4"
    assert body["capabilities"] == [
        "agent",
        "camera",
        "capture_photo",
        "cpu_temperature",
        "echo",
        "gpio",
        "sensor_read",
        "system_info",
    ]
    assert body["metadata"]["client_version"] == "1.0.0"
    assert body["metadata"]["python"]


def test_register_a_pico_from_a_computer(fake_server: FakeRoomSense, tmp_path: Path) -> None:
    done = run(
        JETSON_DIR / "register.py",
        *("--server", fake_server.base_url, "--ha-token", HA_TOKEN, "--name", "Pico"),
        *("--device-type", "pico_w", "--write", str(tmp_path / "pico.json")),
    )
    assert done.returncode == 0, done.stderr
    assert f'TOKEN = "{DEVICE_TOKEN}"' in done.stdout
    body = fake_server.requests[0].json()
    assert body["device_type"] == "pico_w"
    assert body["capabilities"] == list(edge_cli.PICO_W_CAPABILITIES)
    assert "python" not in body["metadata"]  # the computer's Python says nothing of the Pico


def test_register_with_explicit_capabilities(fake_server: FakeRoomSense, tmp_path: Path) -> None:
    done = run(
        JETSON_DIR / "register.py",
        *("--server", fake_server.base_url, "--ha-token", HA_TOKEN, "--name", "Nano"),
        *("--capabilities", "gpio, agent", "--write", str(tmp_path / "c.json")),
    )
    assert done.returncode == 0, done.stderr
    body = fake_server.requests[0].json()
    assert (body["device_type"], body["capabilities"]) == ("jetson", ["gpio", "agent"])


def test_register_refused_token_exits_3(fake_server: FakeRoomSense, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    done = run(
        PI4_DIR / "register.py",
        *("--server", fake_server.base_url, "--ha-token", "wrong", "--name", "x"),
        *("--write", str(config)),
    )
    assert done.returncode == 3
    assert "administrator" in done.stderr
    assert not config.exists()


def test_register_needs_a_token(tmp_path: Path) -> None:
    done = run(
        PI4_DIR / "register.py",
        *("--server", "http://127.0.0.1:9", "--name", "x", "--write", str(tmp_path / "c.json")),
    )
    assert done.returncode == 2
    assert "--ha-token" in done.stderr


# ---------------------------------------------------------------------------- client.py


def test_client_once_runs_a_job(fake_server: FakeRoomSense, tmp_path: Path) -> None:
    fake_server.jobs.append({"job_id": "j1", "command": "gpio", "payload": {"pin": 4, "value": 1}})
    done = run(
        PI4_DIR / "client.py", "--config", str(write_config(tmp_path, fake_server)), "--once"
    )
    assert done.returncode == 0, done.stderr
    assert fake_server.results == [
        {"job_id": "j1", "status": "succeeded", "result": {"pin": 4, "value": 1, "simulated": True}}
    ]
    poll = fake_server.requests[0]
    assert poll.path == f"/api/roomsense/edge/devices/{DEVICE_ID}/jobs/next"
    assert poll.query == {"wait": ["2"]}
    assert poll.headers["authorization"] == f"Bearer {DEVICE_TOKEN}"


def test_client_max_jobs(fake_server: FakeRoomSense, tmp_path: Path) -> None:
    fake_server.jobs += [
        {"job_id": "j1", "instruction": "hello there"},
        {"job_id": "j2", "command": "gpu_info", "payload": {}},
        {"job_id": "j3", "command": "make_coffee", "payload": {}},
    ]
    config = write_config(tmp_path, fake_server)
    done = run(JETSON_DIR / "client.py", "--config", str(config), "--max-jobs", "3")
    assert done.returncode == 0, done.stderr
    first, second, third = fake_server.results
    assert first["result"]["answer"] == "echo: hello there"
    assert second["status"] == "succeeded"
    assert "load_percent" in second["result"]
    assert third == {
        "job_id": "j3",
        "status": "failed",
        "result": None,
        "error": "unknown command: make_coffee",
    }
    assert "done: 3 job(s) run" in done.stdout


def test_client_once_without_a_job(fake_server: FakeRoomSense, tmp_path: Path) -> None:
    config = write_config(tmp_path, fake_server)
    done = run(PI4_DIR / "client.py", "--config", str(config), "--once", "--wait", "7")
    assert done.returncode == 0, done.stderr
    assert "no job within 7 s" in done.stdout
    assert fake_server.requests[0].query == {"wait": ["7"]}
    assert fake_server.results == []


def test_client_stale_result_is_dropped(fake_server: FakeRoomSense, tmp_path: Path) -> None:
    fake_server.jobs.append({"job_id": "j1", "command": "echo", "payload": {}})
    fake_server.result_statuses.append(409)
    done = run(
        PI4_DIR / "client.py", "--config", str(write_config(tmp_path, fake_server)), "--once"
    )
    assert done.returncode == 0, done.stderr
    assert "result stale" in done.stdout
    assert len([r for r in fake_server.requests if r.path.endswith("/result")]) == 1


@pytest.mark.parametrize("change", [{"token": "revoked"}, {"device_id": "gone"}])
def test_client_auth_errors_exit_3(
    fake_server: FakeRoomSense, tmp_path: Path, change: dict[str, str]
) -> None:
    config = write_config(tmp_path, fake_server, **change)
    done = run(PI4_DIR / "client.py", "--config", str(config))
    assert done.returncode == 3
    assert "register the device again" in done.stderr


@pytest.mark.parametrize(
    ("script", "mode"),
    [(PI4_DIR / "client.py", "--once"), (JETSON_DIR / "client.py", "--max-jobs")],
)
def test_client_takes_a_rotated_token_from_its_config(
    fake_server: FakeRoomSense, tmp_path: Path, script: Path, mode: str
) -> None:
    fake_server.jobs.append({"job_id": "j1", "command": "gpio", "payload": {"pin": 4, "value": 1}})
    fake_server.device_token = "rotated-token"
    config = write_config(tmp_path, fake_server)
    # The administrator rotated the token and wrote the new one into the config file while
    # the client was running with the old one.
    fake_server.on_refused_token = lambda: config.write_text(
        json.dumps(
            {
                "server_url": fake_server.base_url,
                "device_id": DEVICE_ID,
                "token": "rotated-token",
                "wait": 2,
            }
        )
    )
    done = run(script, "--config", str(config), mode, *(["1"] if mode == "--max-jobs" else []))
    assert done.returncode == 0, done.stderr
    assert "trying the config's new one" in done.stdout
    assert [request.headers["authorization"] for request in fake_server.requests] == [
        f"Bearer {DEVICE_TOKEN}",
        "Bearer rotated-token",
        "Bearer rotated-token",
    ]
    assert [request.path.rsplit("/", 1)[1] for request in fake_server.requests] == [
        "next",
        "next",
        "result",
    ]
    assert fake_server.results[0]["job_id"] == "j1"
    assert fake_server.results[0]["status"] == "succeeded"


def test_client_refused_without_a_new_token_reads_the_config_once_and_exits_3(
    fake_server: FakeRoomSense, tmp_path: Path
) -> None:
    fake_server.device_token = "rotated-token"
    done = run(PI4_DIR / "client.py", "--config", str(write_config(tmp_path, fake_server)))
    assert done.returncode == 3
    assert "HTTP 401" in done.stderr
    assert len(fake_server.requests) == 1


def test_client_bad_config_exits_2(tmp_path: Path) -> None:
    missing = run(PI4_DIR / "client.py", "--config", str(tmp_path / "none.json"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr
    config = tmp_path / "config.json"
    config.write_text('{"server_url": "http://h", "device_id": "d"}')
    incomplete = run(PI4_DIR / "client.py", "--config", str(config))
    assert incomplete.returncode == 2
    assert "'token' is required" in incomplete.stderr


def test_client_once_unreachable_exits_1(socket_enabled: None, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps({"server_url": "http://127.0.0.1:9", "device_id": "d", "token": "t"})
    )
    done = run(PI4_DIR / "client.py", "--config", str(config), "--once")
    assert done.returncode == 1
    assert "cannot get a job" in done.stderr


def test_client_exits_0_on_sigterm(socket_enabled: None, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps({"server_url": "http://127.0.0.1:9", "device_id": "d", "token": "t"})
    )
    with subprocess.Popen(  # noqa: S603 - our own script, run with this interpreter
        [sys.executable, str(PI4_DIR / "client.py"), "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        assert "RoomSense edge client" in process.stdout.readline()  # SIGTERM handler is set
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
