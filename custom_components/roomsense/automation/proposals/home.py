"""The home as the rules see it: devices by id, kind and area, and what each device is."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from ... import catalog
from ...catalog import Family
from ...home_model import DeviceKind, HomeDevice, HomeSnapshot

_MOTION_FAMILIES: Final = frozenset({Family.MOTION_SENSOR, Family.PRESENCE_SENSOR})


class _Home:
    """The snapshot, looked up by id, kind and area."""

    def __init__(self, snapshot: HomeSnapshot) -> None:
        self.devices: dict[str, HomeDevice] = {
            device.device_id: device for device in snapshot.devices
        }
        self.scene_ids = {scene.scene_id for scene in snapshot.scenes}

    def kind(self, device_id: str, device_type: str = "") -> DeviceKind:
        device = self.devices.get(device_id)
        if device is not None:
            return device.kind
        return catalog.kind_of(device_type)

    def name(self, device_id: str) -> str:
        device = self.devices.get(device_id)
        return device.name if device is not None else device_id

    def pick(
        self,
        wanted: Callable[[HomeDevice], bool],
        near: HomeDevice | None,
        hints: Sequence[str] = (),
        *,
        only_one: bool = False,
    ) -> HomeDevice | None:
        """The device for a rule about `near`.

        One in its area, else one whose name or area has a hint word, else (`only_one`) the
        home's only such device.
        """
        found = [device for device in self.devices.values() if wanted(device)]
        if near is not None and near.area is not None:
            same_area = [device for device in found if device.area == near.area]
            if same_area:
                return same_area[0]
        for word in hints:
            named = [
                device
                for device in found
                if word in device.name.lower() or word in (device.area or "").lower()
            ]
            if named:
                return named[0]
        return found[0] if only_one and len(found) == 1 else None


def _is_light(device: HomeDevice) -> bool:
    return device.kind is DeviceKind.LIGHT


def _family(device: HomeDevice) -> Family | None:
    return catalog.family_of(device.device_type, infrared=device.is_infrared)


def _is_cooler(device: HomeDevice) -> bool:
    # An infrared air conditioner; the radiator thermostat only heats.
    return device.kind is DeviceKind.AIR_CONDITIONER and _family(device) is not Family.THERMOSTAT


def _is_heater(device: HomeDevice) -> bool:
    return device.kind is DeviceKind.AIR_CONDITIONER


def _is_humidifier(device: HomeDevice) -> bool:
    # The HUMIDIFIER kind holds air purifiers too.
    return device.kind is DeviceKind.HUMIDIFIER and _family(device) in (
        Family.HUMIDIFIER,
        Family.EVAPORATIVE_HUMIDIFIER,
    )


def _is_lock(device: HomeDevice) -> bool:
    return device.kind is DeviceKind.LOCK or catalog.kind_of(device.device_type) is DeviceKind.LOCK


def _is_garage(device: HomeDevice) -> bool:
    return _family(device) is Family.GARAGE_DOOR_OPENER


def _is_thermostat(device: HomeDevice) -> bool:
    return _family(device) is Family.THERMOSTAT
