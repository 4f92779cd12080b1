"""Job handlers for a Raspberry Pi 4.

`HANDLERS` maps each command name to a function: it takes the job's payload (a dict;
`agent` takes the instruction text) and returns a JSON-serialisable dict, or raises to
fail the job. The shared ones in `../common/handlers_base.py` are safe simulations:
replace an entry here with real code (gpiozero, picamera2, a local model) when ready.
The handler names are also the capabilities `register.py` announces.
"""

from __future__ import annotations

from typing import Any

from handlers_base import DEFAULT_HANDLERS, Handler, read_thermal_c

CPU_THERMAL_PATH = "/sys/class/thermal/thermal_zone0/temp"
SIMULATED_CPU_C = 48.0


def cpu_temperature(_payload: Any) -> dict[str, Any]:
    """The SoC temperature from the kernel's thermal zone; a simulated one elsewhere."""
    temperature = read_thermal_c(CPU_THERMAL_PATH)
    if temperature is None:
        return {"temperature_c": SIMULATED_CPU_C, "source": "simulated", "simulated": True}
    return {"temperature_c": temperature, "source": CPU_THERMAL_PATH, "simulated": False}


HANDLERS: dict[str, Handler] = {**DEFAULT_HANDLERS, "cpu_temperature": cpu_temperature}
