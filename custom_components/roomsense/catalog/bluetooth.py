"""The types RoomSense also reaches over Bluetooth, and the types of devices heard there."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from .queries import device_spec

# The Open API types that RoomSense also reaches over Bluetooth, by the local model that
# drives them (ble/models.py, PySwitchbot). A device of one of these types is listened for at
# its address (its cloud id) and driven locally first.
_BLUETOOTH_MODELS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "bot": ("Bot",),
        "curtain": ("Curtain", "Curtain3"),
        "blind_tilt": ("Blind Tilt",),
        "meter": ("Meter", "MeterPlus", "WoIOSensor", "MeterPro", "MeterPro(CO2)"),
        "hub2": ("Hub 2",),
        # "Lock Lite" as the catalog spells it (the list's "Smart Lock Lite" is an alias).
        "lock": ("Smart Lock", "Smart Lock Pro", "Smart Lock Ultra", "Lock Lite"),
        "contact": ("Contact Sensor",),
        "motion": ("Motion Sensor",),
        "leak": ("Water Detector",),
        "plug_mini": ("Plug Mini (US)", "Plug Mini (JP)"),
        "color_bulb": ("Color Bulb",),
        "strip_light": ("Strip Light",),
        "ceiling_light": ("Ceiling Light", "Ceiling Light Pro"),
        "humidifier": ("Humidifier",),
        "relay_switch": ("Relay Switch 1", "Relay Switch 1PM"),
    }
)
_BLUETOOTH_MODEL_OF: Final = {
    type_string: model for model, types in _BLUETOOTH_MODELS.items() for type_string in types
}


# The Open API type and the product name of a device by what it advertises (PySwitchbot's
# `SwitchbotModel` member names): a Bluetooth-only device gets the entities of its cloud twin.
_DISCOVERED: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "BOT": ("Bot", "Bot"),
        "CURTAIN": ("Curtain", "Curtain"),
        "BLIND_TILT": ("Blind Tilt", "Blind Tilt"),
        "METER": ("Meter", "Meter"),
        "IO_METER": ("WoIOSensor", "Outdoor Meter"),
        "METER_PRO": ("MeterPro", "Meter Pro"),
        "METER_PRO_C": ("MeterPro(CO2)", "Meter Pro CO2"),
        "HUB2": ("Hub 2", "Hub 2"),
        "LOCK": ("Smart Lock", "Lock"),
        "LOCK_PRO": ("Smart Lock Pro", "Lock Pro"),
        "LOCK_ULTRA": ("Smart Lock Ultra", "Lock Ultra"),
        "LOCK_LITE": ("Lock Lite", "Lock Lite"),
        "CONTACT_SENSOR": ("Contact Sensor", "Contact Sensor"),
        "MOTION_SENSOR": ("Motion Sensor", "Motion Sensor"),
        "LEAK": ("Water Detector", "Water Leak Detector"),
        "PLUG_MINI": ("Plug Mini (US)", "Plug Mini"),
        "COLOR_BULB": ("Color Bulb", "Color Bulb"),
        "LIGHT_STRIP": ("Strip Light", "Strip Light"),
        "CEILING_LIGHT": ("Ceiling Light", "Ceiling Light"),
        "HUMIDIFIER": ("Humidifier", "Humidifier"),
        "RELAY_SWITCH_1": ("Relay Switch 1", "Relay Switch 1"),
        "RELAY_SWITCH_1PM": ("Relay Switch 1PM", "Relay Switch 1PM"),
    }
)


def discovered_type(advertised_model: str) -> str | None:
    """The Open API type of a device heard over Bluetooth, by its advertised model."""
    found = _DISCOVERED.get(advertised_model)
    return found[0] if found else None


def product_name(advertised_model: str) -> str | None:
    """The product's name as SwitchBot sells it (the Open API type can be cryptic)."""
    found = _DISCOVERED.get(advertised_model)
    return found[1] if found else None


def bluetooth_model(device_type: str) -> str | None:
    """The local model of a physical type, or None when it has no Bluetooth path."""
    spec = device_spec(device_type, infrared=False)
    return _BLUETOOTH_MODEL_OF.get(spec.type_string) if spec else None


def bluetooth_types(model: str) -> tuple[str, ...]:
    """The Open API types one local model drives."""
    return _BLUETOOTH_MODELS.get(model, ())
