"""The typical wattage of devices without a power meter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .queries import device_spec


@dataclass(frozen=True, slots=True)
class TypicalWattage:
    """What a device without a meter is taken to draw while it is on, and why."""

    watts: float
    source: str


_CLASS_ESTIMATE: Final = "RoomSense estimate for the product class, not a spec-sheet value: "
# Per Open API type. Every figure is an ESTIMATE of what a product of its class draws while on
# (lights at full brightness, fans at a middle speed, humidifiers misting without heat); none
# is taken from a SwitchBot spec sheet or measured here. It stands in for a device that does
# not report its own power, and a metered device never uses it.
_TYPICAL_WATTS: Final[Mapping[str, TypicalWattage]] = {
    type_string: TypicalWattage(watts, _CLASS_ESTIMATE + why)
    for type_string, watts, why in (
        ("Color Bulb", 9, "an 800 lm (60 W equivalent) LED bulb draws about 9 W"),
        ("Strip Light", 12, "a 5 m LED strip at full white"),
        ("Strip Light 3", 12, "a 5 m LED strip at full white"),
        ("RGBICWW Strip Light", 15, "a 5 m LED strip with white channels at full brightness"),
        ("Ceiling Light", 30, "an LED ceiling light for a 6-8 jō room"),
        ("Ceiling Light Pro", 40, "an LED ceiling light for an 8-12 jō room"),
        ("Floor Lamp", 12, "an LED floor lamp at full brightness"),
        ("RGBICWW Floor Lamp", 15, "an LED floor lamp with white channels at full brightness"),
        ("RGBIC Neon Rope Light", 10, "a 3-5 m LED neon rope"),
        ("RGBIC Neon Wire Rope Light", 10, "a 3-5 m LED neon rope"),
        ("Candle Warmer Lamp", 35, "a candle warmer lamp's halogen bulb (25-50 W)"),
        ("Permanent Outdoor Lights", 20, "a run of outdoor LED eave lights"),
        ("Battery Circulator Fan", 12, "a DC circulator fan at a middle speed, on mains"),
        ("Battery Circulator Fan 2 Pro", 15, "a DC circulator fan at a middle speed, on mains"),
        ("Circulator Fan", 15, "a DC circulator fan at a middle speed"),
        ("Standing Circulator Fan", 20, "a standing DC fan at a middle speed"),
        ("Humidifier", 25, "an ultrasonic humidifier misting, no heater"),
        ("Humidifier2", 15, "an evaporative humidifier: its fan and pump, no heater"),
        ("Air Purifier VOC", 25, "a room air purifier at a middle fan speed"),
        ("Air Purifier PM2.5", 25, "a room air purifier at a middle fan speed"),
        ("Air Purifier Table VOC", 15, "a table air purifier at a middle fan speed"),
        ("Air Purifier Table PM2.5", 15, "a table air purifier at a middle fan speed"),
    )
}


def typical_wattage(type_string: str) -> TypicalWattage | None:
    """The estimated draw of a physical type without a meter, if the catalog has one."""
    spec = device_spec(type_string, infrared=False)
    return _TYPICAL_WATTS.get(spec.type_string) if spec else None


def typical_wattages() -> Mapping[str, TypicalWattage]:
    """The whole table, by type (for the README and the tests)."""
    return _TYPICAL_WATTS
