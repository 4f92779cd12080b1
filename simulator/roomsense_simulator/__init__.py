"""A faithful SwitchBot Cloud Open API v1.1 simulator for RoomSense development and tests.

```python
from roomsense_simulator import Simulator

async with Simulator(token="T", secret="S", home="demo") as sim:
    print(sim.base_url)
```
"""

from .auth import sign, signed_headers
from .clock import Clock
from .engine import ApiError
from .model import Device, Home, HomeError, InfraredRemote, Scene
from .server import Simulator

__all__ = [
    "ApiError",
    "Clock",
    "Device",
    "Home",
    "HomeError",
    "InfraredRemote",
    "Scene",
    "Simulator",
    "sign",
    "signed_headers",
]
