"""The home as the fallback parser and the model's prompt see it, built from Home Assistant."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr

from .categories import device_kind
from .const import DOMAIN
from .data import RoomSenseConfigEntry
from .home_model import AreaInfo, HomeDevice, HomeSnapshot, SceneInfo
from .switchbot_cloud import InfraredRemote


def build_snapshot(hass: HomeAssistant, entries: list[RoomSenseConfigEntry]) -> HomeSnapshot:
    """Devices with their Home Assistant names and areas, current states, scenes and areas."""
    devices_registry = dr.async_get(hass)
    areas_registry = ar.async_get(hass)
    devices: list[HomeDevice] = []
    scenes: list[SceneInfo] = []
    for entry in entries:
        data = entry.runtime_data
        states = data.coordinator.data or {}
        for device in data.all_devices():
            ha_device = devices_registry.async_get_device_by_identifier(
                (DOMAIN, device.device_id), entry.entry_id
            )
            area = (
                areas_registry.async_get_area(ha_device.area_id)
                if ha_device and ha_device.area_id
                else None
            )
            name = (ha_device.name_by_user if ha_device else None) or device.name
            area_name = area.name if area else _area_from_name(name)
            state = states.get(device.device_id)
            infrared = isinstance(device, InfraredRemote)
            devices.append(
                HomeDevice(
                    device_id=device.device_id,
                    name=name,
                    kind=device_kind(device),
                    device_type=device.type_string,
                    aliases=(device.name,) if name != device.name else (),
                    area=area_name,
                    is_infrared=infrared,
                    state=dict(state.status.raw) if state else {},
                )
            )
        scenes.extend(SceneInfo(scene.scene_id, scene.name) for scene in data.scenes)
    areas = [
        AreaInfo(name=area.name, aliases=tuple(area.aliases))
        for area in areas_registry.async_list_areas()
    ]
    known = {area.name for area in areas}
    areas.extend(
        AreaInfo(name=name)
        for name in sorted({device.area for device in devices if device.area} - known)
    )
    return HomeSnapshot(devices=devices, scenes=scenes, areas=areas)


def _area_from_name(name: str) -> str | None:
    """Japanese device names say their room first: "リビングのシーリングライト" is in リビング.

    Used only when the device has no Home Assistant area, so areas a user set always win.
    """
    room, separator, rest = name.partition("の")
    return room if separator and room and rest else None
