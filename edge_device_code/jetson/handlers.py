"""Job handlers for an NVIDIA Jetson.

`HANDLERS` maps each command name to a function: it takes the job's payload (a dict;
`agent` takes the instruction text) and returns a JSON-serialisable dict, or raises to
fail the job. The shared ones in `../common/handlers_base.py` are safe simulations:
replace an entry here with real code (Jetson.GPIO, a camera, a local model) when ready.
The handler names are also the capabilities `register.py` announces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from handlers_base import DEFAULT_HANDLERS, Handler, read_sysfs_number, read_thermal_c

# The GPU load file (per mille) moved between Jetson generations; the first found wins.
GPU_LOAD_PATHS = (
    "/sys/devices/gpu.0/load",  # Nano, TX2, Xavier
    "/sys/devices/platform/gpu.0/load",
    "/sys/devices/platform/17000000.ga10b/load",  # Orin
    "/sys/devices/platform/17000000.gpu/load",
)
THERMAL_ROOT = "/sys/class/thermal"


def _gpu_temperature_c() -> float | None:
    """The temperature of the thermal zone whose type names the GPU ("GPU-therm")."""
    for zone in sorted(Path(THERMAL_ROOT).glob("thermal_zone*")):
        try:
            zone_type = (zone / "type").read_text(encoding="ascii").strip().lower()
        except (OSError, UnicodeDecodeError):
            continue
        if zone_type.startswith("gpu"):
            return read_thermal_c(zone / "temp")
    return None


def gpu_info(_payload: Any) -> dict[str, Any]:
    """GPU load and temperature from sysfs on a Jetson; simulated figures elsewhere."""
    load = next(
        (value for value in map(read_sysfs_number, GPU_LOAD_PATHS) if value is not None),
        None,
    )
    temperature = _gpu_temperature_c()
    if load is None and temperature is None:
        return {
            "gpu": "NVIDIA Jetson GPU (simulated)",
            "load_percent": 12.5,
            "temperature_c": 41.0,
            "simulated": True,
        }
    return {
        "gpu": "NVIDIA Jetson GPU",
        "load_percent": None if load is None else round(load / 10, 1),
        "temperature_c": temperature,
        "simulated": False,
    }


HANDLERS: dict[str, Handler] = {**DEFAULT_HANDLERS, "gpu_info": gpu_info}
