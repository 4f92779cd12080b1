"""The home snapshot with the look-ups every part of the parser shares."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from ...home_model import DeviceKind, HomeDevice, HomeSnapshot, Language
from .text import ascii_first, unique


class Home:
    """One snapshot of the home: its devices by id, areas by name, names and readings."""

    def __init__(self, snapshot: HomeSnapshot) -> None:
        """Index the snapshot's devices and areas."""
        self.snapshot = snapshot
        self.devices = {device.device_id: device for device in snapshot.devices}
        self.areas = {area.name: area for area in snapshot.areas}

    def named(self, device_ids: Iterable[str]) -> list[HomeDevice]:
        """The devices of these ids, each once, in the order first named."""
        return [self.devices[device_id] for device_id in unique(device_ids)]

    def of_kinds(
        self, kinds: Collection[DeviceKind], areas: Collection[str] = ()
    ) -> list[HomeDevice]:
        """The devices of these kinds, in these areas (anywhere when none is given)."""
        return [
            device
            for device in self.snapshot.devices
            if device.kind in kinds and (not areas or device.area in areas)
        ]

    def area_name(self, area_name: str | None, language: Language) -> str:
        """An area as the reply names it; no area is the whole home."""
        if area_name is None:
            return "家" if language == "ja" else "home"
        area = self.areas.get(area_name)
        if area is None or language == "ja":
            return area_name
        return ascii_first(area.aliases, area.name)

    def reading(self, field_name: str, area: str | None) -> float | None:
        """The first reading in the area, dedicated sensors before other devices."""
        in_area = [device for device in self.snapshot.devices if device.area == area]
        in_area.sort(key=lambda device: device.kind is not DeviceKind.SENSOR)
        for device in in_area:
            value = device.state.get(field_name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
        return None

    def room_temperature(self, area: str | None) -> float | None:
        """The area's temperature, else the first one measured anywhere in the home."""
        if (value := self.reading("temperature", area)) is not None:
            return value
        for other in unique(device.area for device in self.snapshot.devices):
            if (value := self.reading("temperature", other)) is not None:
                return value
        return None


def device_name(device: HomeDevice, language: Language) -> str:
    """A device as the reply names it: its English alias in English replies."""
    return device.name if language == "ja" else ascii_first(device.aliases, device.name)
