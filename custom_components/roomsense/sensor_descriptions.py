"""What RoomSense's sensors show: a description each, with the function that reads it.

The device readings (`SENSORS`) are read from the device status and created where the
device reports them; the account's figures from the agent's metrics and the home's rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfRatio,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.helpers.typing import StateType

from . import catalog
from .catalog import Feature
from .entity import RoomSenseEntityDescription
from .metrics import ConversationMetrics
from .operations import OperationsStore
from .switchbot_cloud import DeviceStatus

# Plug Mini (US/JP) report current in about 0.1 A steps (reference §5.10), the others in mA.
_DECIAMP_TYPES = catalog.types_with(features={Feature.DECIAMP_CURRENT})


def _current_amperes(status: DeviceStatus) -> float | None:
    if status.electric_current is None:
        return None
    if status.device_type in _DECIAMP_TYPES:
        return round(status.electric_current / 10, 2)
    return round(status.electric_current / 1000, 3)


def _energy_today(status: DeviceStatus) -> float | None:
    watt_minutes = status.extra.get("usedElectricity")
    if not isinstance(watt_minutes, int | float) or isinstance(watt_minutes, bool):
        return None
    return round(watt_minutes / 60, 2)


def _minutes_used_today(status: DeviceStatus) -> int | None:
    minutes = status.extra.get("electricityOfDay")
    return minutes if isinstance(minutes, int) and not isinstance(minutes, bool) else None


def _relay_channel(
    channel: int, reading: str, divisor: int = 1, digits: int = 3
) -> Callable[[DeviceStatus], float | None]:
    """A reading of one Relay Switch 2PM channel: `switch<channel><reading>` (§5.10)."""
    field = f"switch{channel}{reading}"

    def value(status: DeviceStatus) -> float | None:
        raw = status.raw.get(field)
        if not isinstance(raw, int | float) or isinstance(raw, bool):
            return None
        return raw if divisor == 1 else round(raw / divisor, digits)

    return value


def _light_level(status: DeviceStatus) -> int | None:
    # Contact and motion sensors say "bright"/"dim" in `brightness`; those are not levels.
    return status.light_level


@dataclass(frozen=True, kw_only=True)
class RoomSenseSensorDescription(SensorEntityDescription, RoomSenseEntityDescription):
    """A sensor read from the device status; created when the device reports it."""

    value_fn: Callable[[DeviceStatus], StateType]

    def exists(self, status: DeviceStatus) -> bool:
        """Whether the device reported the reading at setup."""
        return self.value_fn(status) is not None


def _reading(
    key: str,
    device_class: SensorDeviceClass | None,
    unit: str | None,
    value_fn: Callable[[DeviceStatus], StateType] | None = None,
    state_class: SensorStateClass = SensorStateClass.MEASUREMENT,
    **extra: Any,
) -> RoomSenseSensorDescription:
    """A reading in `unit`, by default the status attribute named `key`, measured now."""
    return RoomSenseSensorDescription(
        key=key,
        device_class=device_class,
        native_unit_of_measurement=unit,
        state_class=state_class,
        value_fn=value_fn or attrgetter(key),
        **extra,
    )


@dataclass(frozen=True, slots=True)
class _ChannelReading:
    """One reading each Relay Switch 2PM channel reports (§5.10)."""

    what: str
    device_class: SensorDeviceClass
    unit: str
    state_class: SensorStateClass
    field: str
    divisor: int = 1
    digits: int = 3


_CHANNEL_READINGS: tuple[_ChannelReading, ...] = (
    _ChannelReading(
        "power", SensorDeviceClass.POWER, UnitOfPower.WATT, SensorStateClass.MEASUREMENT, "Power"
    ),
    _ChannelReading(
        "voltage",
        SensorDeviceClass.VOLTAGE,
        UnitOfElectricPotential.VOLT,
        SensorStateClass.MEASUREMENT,
        "Voltage",
    ),
    # Reported in mA.
    _ChannelReading(
        "current",
        SensorDeviceClass.CURRENT,
        UnitOfElectricCurrent.AMPERE,
        SensorStateClass.MEASUREMENT,
        "ElectricCurrent",
        divisor=1000,
    ),
    # Reported in watt-minutes; a count that may restart (daily, like the 1PM's): a drop is
    # a new cycle.
    _ChannelReading(
        "energy",
        SensorDeviceClass.ENERGY,
        UnitOfEnergy.WATT_HOUR,
        SensorStateClass.TOTAL_INCREASING,
        "UsedElectricity",
        divisor=60,
        digits=2,
    ),
)


def _channel_sensor(channel: int, reading: _ChannelReading) -> RoomSenseSensorDescription:
    """One reading of one Relay Switch 2PM channel."""
    return _reading(
        f"channel_{channel}_{reading.what}",
        reading.device_class,
        reading.unit,
        _relay_channel(channel, reading.field, reading.divisor, reading.digits),
        reading.state_class,
        translation_key=f"channel_{reading.what}",
        translation_placeholders={"channel": str(channel)},
    )


SENSORS: tuple[RoomSenseSensorDescription, ...] = (
    _reading("temperature", SensorDeviceClass.TEMPERATURE, UnitOfTemperature.CELSIUS),
    _reading("humidity", SensorDeviceClass.HUMIDITY, PERCENTAGE),
    _reading("co2", SensorDeviceClass.CO2, UnitOfRatio.PARTS_PER_MILLION),
    _reading(
        "battery",
        SensorDeviceClass.BATTERY,
        PERCENTAGE,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _reading("light_level", None, None, _light_level, translation_key="light_level"),
    _reading("power", SensorDeviceClass.POWER, UnitOfPower.WATT, attrgetter("power_watts")),
    _reading("voltage", SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.VOLT),
    _reading("current", SensorDeviceClass.CURRENT, UnitOfElectricCurrent.AMPERE, _current_amperes),
    _reading(
        "energy_today",
        SensorDeviceClass.ENERGY,
        UnitOfEnergy.WATT_HOUR,
        _energy_today,
        SensorStateClass.TOTAL_INCREASING,
        translation_key="energy_today",
    ),
    _reading(
        "used_today",
        SensorDeviceClass.DURATION,
        UnitOfTime.MINUTES,
        _minutes_used_today,
        SensorStateClass.TOTAL_INCREASING,
        translation_key="used_today",
    ),
    *(_channel_sensor(channel, reading) for channel in (1, 2) for reading in _CHANNEL_READINGS),
)


@dataclass(frozen=True, kw_only=True)
class ConversationMetricDescription(SensorEntityDescription):
    """A figure over the agent's last 100 turns."""

    value_fn: Callable[[ConversationMetrics], float | None]


def _latency(percentile: int) -> ConversationMetricDescription:
    """How long the agent took to answer, at a percentile of the turns, in ms."""
    return ConversationMetricDescription(
        key=f"conversation_latency_p{percentile}",
        translation_key=f"conversation_latency_p{percentile}",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda metrics: metrics.latency_ms(percentile / 100),
    )


METRICS: tuple[ConversationMetricDescription, ...] = (
    ConversationMetricDescription(
        key="intent_success_rate",
        translation_key="intent_success_rate",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda metrics: metrics.success_rate,
    ),
    _latency(50),
    _latency(95),
)


@dataclass(frozen=True, kw_only=True)
class AutomationFigureDescription(SensorEntityDescription):
    """A count of the home's rule runs."""

    value_fn: Callable[[OperationsStore], int]


def _rule_count(what: str) -> AutomationFigureDescription:
    """A count of the home's rule runs: the `OperationsStore`'s `automation_<what>`."""
    return AutomationFigureDescription(
        key=f"automation_{what}",
        translation_key=f"automation_{what}",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=attrgetter(f"automation_{what}"),
    )


# How many times RoomSense's rules ran, and how many runs had an action fail.
AUTOMATION_FIGURES: tuple[AutomationFigureDescription, ...] = (
    _rule_count("runs"),
    _rule_count("failures"),
)

COMMANDS_SENT = SensorEntityDescription(
    key="commands_sent",
    translation_key="commands_sent",
    state_class=SensorStateClass.TOTAL_INCREASING,
)

ENERGY_ESTIMATE = SensorEntityDescription(
    key="energy_estimate",
    translation_key="energy_estimate",
    device_class=SensorDeviceClass.ENERGY,
    native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
    state_class=SensorStateClass.TOTAL_INCREASING,
    suggested_display_precision=3,
)
