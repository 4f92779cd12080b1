"""Safe, simulated job handlers shared by the Jetson and Raspberry Pi 4 clients.

Each handler takes the job's payload (a dict; the `agent` handler takes the instruction
text) and returns a JSON-serialisable dict, or raises to fail the job with the error's
text. Nothing here touches hardware or runs a shell: these stand-ins show the shapes and
are meant to be replaced, one by one, with real code in the device's `handlers.py`.
"""

from __future__ import annotations

import math
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import roomsense_edge

Handler = Callable[[Any], Any]

CAMERA_SIZE = (1280, 720)


def now_iso() -> str:
    """The current time in UTC, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def payload_int(payload: Any, key: str, minimum: int, maximum: int) -> int:
    """`payload[key]` as an int within bounds; TypeError or ValueError naming the key."""
    if not isinstance(payload, dict):
        raise TypeError("the payload must be a JSON object")
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"payload.{key} must be an integer, got {value!r}")
    if not minimum <= value <= maximum:
        raise ValueError(f"payload.{key} must be between {minimum} and {maximum}, got {value}")
    return value


def read_sysfs_number(path: str | Path) -> float | None:
    """The number in a sysfs file such as a thermal zone, or None where there is none."""
    try:
        text = Path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return float(text)
    except ValueError:
        return None


def read_thermal_c(path: str | Path) -> float | None:
    """A Linux thermal zone's `temp` file (millidegrees) in °C, or None if unreadable."""
    millidegrees = read_sysfs_number(path)
    return None if millidegrees is None else round(millidegrees / 1000, 1)


def gpio(payload: Any) -> dict[str, Any]:
    """Simulated GPIO output: `{"pin": int, "value": 0|1}` -> what would have been set.

    Replace with e.g. gpiozero / RPi.GPIO (Raspberry Pi) or Jetson.GPIO (Jetson).
    """
    pin = payload_int(payload, "pin", 0, 63)
    value = payload.get("value")
    if isinstance(value, bool):
        value = int(value)
    if value not in (0, 1):
        raise ValueError(f"payload.value must be 0 or 1, got {value!r}")
    return {"pin": pin, "value": value, "simulated": True}


def capture_photo(payload: Any) -> dict[str, Any]:
    """Simulated camera: metadata of the photo a real camera would take; no image."""
    options = payload if isinstance(payload, dict) else {}
    width = options.get("width", CAMERA_SIZE[0])
    height = options.get("height", CAMERA_SIZE[1])
    for key, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int) or not 16 <= value <= 8192:
            raise ValueError(f"payload.{key} must be an integer from 16 to 8192, got {value!r}")
    return {
        "simulated": True,
        "camera": str(options.get("camera", "default")),
        "width": width,
        "height": height,
        "format": "jpeg",
        "size_bytes": 0,
        "path": None,
        "captured_at": now_iso(),
    }


def simulated_climate(now: float) -> tuple[float, float]:
    """A plausible room temperature (°C) and humidity (%) that drift over the day."""
    day_fraction = (now % 86400) / 86400
    temperature = 22.0 + 2.0 * math.sin(2 * math.pi * day_fraction)
    humidity = 45.0 + 5.0 * math.cos(2 * math.pi * day_fraction)
    return round(temperature, 1), round(humidity, 1)


def sensor_read(payload: Any) -> dict[str, Any]:
    """Simulated temperature and humidity sensor; the same time gives the same reading."""
    options = payload if isinstance(payload, dict) else {}
    temperature, humidity = simulated_climate(time.time())
    return {
        "sensor": str(options.get("sensor", "simulated")),
        "temperature_c": temperature,
        "humidity_percent": humidity,
        "simulated": True,
        "read_at": now_iso(),
    }


def agent(instruction: Any) -> dict[str, Any]:
    """Answer an English instruction by echoing it back. Never runs a shell.

    Replace with a call to a local language model, keeping any action it takes to an
    explicit allow-list: instructions arrive from the network.
    """
    text = str(instruction)
    return {"answer": "echo: " + text, "instruction": text, "handled_by": "echo"}


def echo(payload: Any) -> dict[str, Any]:
    """Return the payload unchanged: a round-trip test."""
    return {"echo": payload}


def system_info(_payload: Any) -> dict[str, Any]:
    """Facts about this computer and client, for the RoomSense diagnostics."""
    return {
        "hostname": platform.node(),
        "system": platform.system(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "client_version": roomsense_edge.VERSION,
    }


DEFAULT_HANDLERS: dict[str, Handler] = {
    "agent": agent,
    "camera": capture_photo,
    "capture_photo": capture_photo,
    "echo": echo,
    "gpio": gpio,
    "sensor_read": sensor_read,
    "system_info": system_info,
}
