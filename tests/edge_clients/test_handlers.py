"""The simulated handlers of the Jetson and Raspberry Pi 4 clients."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .edge_modules import JETSON_DIR, PI4_DIR, handlers_base, load_file


@pytest.fixture(scope="module")
def jetson() -> ModuleType:
    return load_file("roomsense_jetson_handlers", JETSON_DIR / "handlers.py")


@pytest.fixture(scope="module")
def pi4() -> ModuleType:
    return load_file("roomsense_pi4_handlers", PI4_DIR / "handlers.py")


SHARED = {"agent", "camera", "capture_photo", "echo", "gpio", "sensor_read", "system_info"}


def test_handler_names(jetson: ModuleType, pi4: ModuleType) -> None:
    assert set(jetson.HANDLERS) == SHARED | {"gpu_info"}
    assert set(pi4.HANDLERS) == SHARED | {"cpu_temperature"}


EXAMPLE_PAYLOADS: dict[str, Any] = {
    "agent": "what is the temperature?",
    "gpio": {"pin": 17, "value": 1},
}


@pytest.mark.parametrize("device", ["jetson", "pi4"])
def test_every_handler_answers_json(device: str, request: pytest.FixtureRequest) -> None:
    module = request.getfixturevalue(device)
    for name, handler in module.HANDLERS.items():
        result = handler(EXAMPLE_PAYLOADS.get(name, {}))
        assert isinstance(result, dict), name
        json.dumps(result)


def test_gpio_simulated() -> None:
    assert handlers_base.gpio({"pin": 17, "value": True}) == {
        "pin": 17,
        "value": 1,
        "simulated": True,
    }


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"pin": 17, "value": 3}, ValueError),
        ({"pin": 99, "value": 1}, ValueError),
        ({"pin": "17", "value": 1}, TypeError),
        ({"value": 1}, TypeError),
        ("pin 17", TypeError),
    ],
)
def test_gpio_rejects(payload: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="payload"):
        handlers_base.gpio(payload)


def test_camera_metadata() -> None:
    photo = handlers_base.capture_photo({"width": 640, "height": 480, "camera": "door"})
    assert photo["simulated"] is True
    assert (photo["width"], photo["height"], photo["camera"]) == (640, 480, "door")
    assert photo["format"] == "jpeg"
    assert photo["captured_at"].endswith("+00:00")
    assert handlers_base.capture_photo({})["width"] == 1280
    with pytest.raises(ValueError, match="width"):
        handlers_base.capture_photo({"width": 5})


def test_simulated_climate_is_deterministic_and_plausible() -> None:
    assert handlers_base.simulated_climate(1_000.0) == handlers_base.simulated_climate(1_000.0)
    for hour in range(24):
        temperature, humidity = handlers_base.simulated_climate(hour * 3600.0)
        assert 20.0 <= temperature <= 24.0
        assert 40.0 <= humidity <= 50.0
    reading = handlers_base.sensor_read({"sensor": "hall"})
    assert reading["sensor"] == "hall"
    assert set(reading) == {"sensor", "temperature_c", "humidity_percent", "simulated", "read_at"}


def test_agent_echoes_and_never_runs_a_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the agent must not start processes")

    monkeypatch.setattr(subprocess, "Popen", forbidden)
    monkeypatch.setattr(os, "system", forbidden)
    assert handlers_base.agent("rm -rf / ; echo hi") == {
        "answer": "echo: rm -rf / ; echo hi",
        "instruction": "rm -rf / ; echo hi",
        "handled_by": "echo",
    }


def test_pi4_cpu_temperature(
    pi4: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "temp"
    temp.write_text("51234\n")
    monkeypatch.setattr(pi4, "CPU_THERMAL_PATH", str(temp))
    assert pi4.cpu_temperature({}) == {
        "temperature_c": 51.2,
        "source": str(temp),
        "simulated": False,
    }
    monkeypatch.setattr(pi4, "CPU_THERMAL_PATH", str(tmp_path / "missing"))
    assert pi4.cpu_temperature({})["simulated"] is True


def test_jetson_gpu_info_from_sysfs(
    jetson: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "load").write_text("345\n")
    for index, (zone_type, millidegrees) in enumerate([("CPU-therm", 50000), ("GPU-therm", 40500)]):
        zone = tmp_path / f"thermal_zone{index}"
        zone.mkdir()
        (zone / "type").write_text(zone_type + "\n")
        (zone / "temp").write_text(f"{millidegrees}\n")
    monkeypatch.setattr(jetson, "GPU_LOAD_PATHS", (str(tmp_path / "nope"), str(tmp_path / "load")))
    monkeypatch.setattr(jetson, "THERMAL_ROOT", str(tmp_path))
    assert jetson.gpu_info({}) == {
        "gpu": "NVIDIA Jetson GPU",
        "load_percent": 34.5,
        "temperature_c": 40.5,
        "simulated": False,
    }


def test_jetson_gpu_info_simulated_elsewhere(
    jetson: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jetson, "GPU_LOAD_PATHS", (str(tmp_path / "nope"),))
    monkeypatch.setattr(jetson, "THERMAL_ROOT", str(tmp_path))
    info = jetson.gpu_info({})
    assert info["simulated"] is True
    assert set(info) == {"gpu", "load_percent", "temperature_c", "simulated"}
