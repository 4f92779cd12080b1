"""The category of each SwitchBot device: what permissions and the parser reason about."""

from __future__ import annotations

from typing import Final

from .fallback.model import DeviceKind
from .switchbot_cloud import Device, InfraredRemote

_BY_DEVICE_TYPE: Final[dict[str, DeviceKind]] = {
    **dict.fromkeys(
        (
            "Color Bulb", "Strip Light", "Strip Light 3", "Ceiling Light", "Ceiling Light Pro",
            "Floor Lamp", "RGBICWW Strip Light", "RGBICWW Floor Lamp", "RGBIC Neon Rope Light",
            "RGBIC Neon Wire Rope Light", "Candle Warmer Lamp",
        ),
        DeviceKind.LIGHT,
    ),
    **dict.fromkeys(
        ("Plug", "Plug Mini (US)", "Plug Mini (JP)", "Plug Mini (EU)"), DeviceKind.PLUG
    ),
    **dict.fromkeys(
        ("Relay Switch 1", "Relay Switch 1PM", "Relay Switch 2PM", "Garage Door Opener"),
        DeviceKind.SWITCH,
    ),
    "Bot": DeviceKind.BOT,
    **dict.fromkeys(("Curtain", "Curtain3", "Roller Shade"), DeviceKind.CURTAIN),
    "Blind Tilt": DeviceKind.BLIND,
    **dict.fromkeys(
        (
            "Smart Lock", "Smart Lock Pro", "Smart Lock Pro Wifi", "Smart Lock Ultra",
            "Lock Ultra", "Lock Vision", "Lock Vision Pro", "Lock Lite",
        ),
        DeviceKind.LOCK,
    ),
    **dict.fromkeys(
        ("Battery Circulator Fan", "Circulator Fan", "Standing Circulator Fan"), DeviceKind.FAN
    ),
    **dict.fromkeys(
        (
            "Humidifier", "Humidifier2", "Air Purifier VOC", "Air Purifier Table VOC",
            "Air Purifier PM2.5", "Air Purifier Table PM2.5",
        ),
        DeviceKind.HUMIDIFIER,
    ),
    **dict.fromkeys(
        (
            "Robot Vacuum Cleaner S1", "Robot Vacuum Cleaner S1 Plus", "K10+", "K10+ Pro",
            "Robot Vacuum Cleaner K10+ Pro Combo", "Robot Vacuum Cleaner K20 Plus Pro",
            "Robot Vacuum Cleaner K11+", "Robot Vacuum Cleaner S10", "Robot Vacuum Cleaner S20",
        ),
        DeviceKind.VACUUM,
    ),
    **dict.fromkeys(
        (
            "Meter", "MeterPlus", "WoIOSensor", "WeatherStation", "MeterPro", "MeterPro(CO2)",
            "Motion Sensor", "Contact Sensor", "Presence Sensor", "Water Detector", "Hub 2",
            "Hub 3", "Home Climate Panel",
        ),
        DeviceKind.SENSOR,
    ),
    "Smart Radiator Thermostat": DeviceKind.AIR_CONDITIONER,
}  # fmt: skip

_BY_REMOTE_TYPE: Final[dict[str, DeviceKind]] = {
    "Air Conditioner": DeviceKind.AIR_CONDITIONER,
    "TV": DeviceKind.TV,
    "IPTV": DeviceKind.TV,
    "Streamer": DeviceKind.TV,
    "Set Top Box": DeviceKind.TV,
    "Light": DeviceKind.LIGHT,
    "Fan": DeviceKind.FAN,
    "Air Purifier": DeviceKind.HUMIDIFIER,
}


def kind_of_type(device_type: str) -> DeviceKind:
    """The category of a physical device type string."""
    return _BY_DEVICE_TYPE.get(device_type, DeviceKind.OTHER)


def device_kind(device: Device | InfraredRemote) -> DeviceKind:
    """The category of a physical device or infrared remote."""
    if isinstance(device, InfraredRemote):
        return _BY_REMOTE_TYPE.get(device.base_remote_type, DeviceKind.OTHER)
    return kind_of_type(device.device_type)
