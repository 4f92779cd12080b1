"""The catalogue of physical device types, keyed by their exact `deviceType` string (§4)."""

from __future__ import annotations

from ..spec import TypeSpec
from . import climate, covers, hubs, lights, locks, misc, sensors, switches, vacuums


def _catalogue() -> dict[str, TypeSpec]:
    catalogue: dict[str, TypeSpec] = {}
    for module in (hubs, switches, covers, sensors, locks, lights, vacuums, climate, misc):
        for spec in module.TYPES:
            if spec.device_type in catalogue:
                raise RuntimeError(f"device type {spec.device_type!r} is defined twice")
            catalogue[spec.device_type] = spec
    return catalogue


DEVICE_TYPES: dict[str, TypeSpec] = _catalogue()
"""Every supported `deviceType`, mapped to its description."""

__all__ = ["DEVICE_TYPES"]
