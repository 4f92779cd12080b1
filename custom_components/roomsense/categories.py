"""The category of each SwitchBot device: what permissions and the parser reason about.

The catalog holds the kinds; these wrappers keep the names callers have always imported.
"""

from __future__ import annotations

from . import catalog
from .catalog import DeviceKind
from .switchbot_cloud import Device, InfraredRemote


def kind_of_type(device_type: str) -> DeviceKind:
    """The category of a physical device type string."""
    return catalog.kind_of(device_type)


def device_kind(device: Device | InfraredRemote) -> DeviceKind:
    """The category of a physical device or infrared remote."""
    infrared = isinstance(device, InfraredRemote)
    return catalog.kind_of(device.type_string, infrared=infrared)
