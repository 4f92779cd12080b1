"""Sensors: climate readings, battery, light level, power metering, and API calls left.

Power is metered per device, and per channel on the two-channel relay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
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
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from . import catalog
from .automation.entities import acceptance_sensors
from .catalog import Feature
from .data import RoomSenseConfigEntry
from .edge.entity import async_setup_edge_entities, sensor_entities
from .entity import RoomSenseEntity, account_device_info, restored_figure
from .metrics import ConversationMetrics
from .switchbot_cloud import DeviceStatus, SwitchBotCloudClient
from .tools import DATA_TOOLS

PARALLEL_UPDATES = 0

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
class RoomSenseSensorDescription(SensorEntityDescription):
    """A sensor read from the device status; created when the device reports it."""

    value_fn: Callable[[DeviceStatus], StateType]


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
    return RoomSenseSensorDescription(
        key=f"channel_{channel}_{reading.what}",
        translation_key=f"channel_{reading.what}",
        translation_placeholders={"channel": str(channel)},
        device_class=reading.device_class,
        native_unit_of_measurement=reading.unit,
        state_class=reading.state_class,
        value_fn=_relay_channel(channel, reading.field, reading.divisor, reading.digits),
    )


SENSORS: tuple[RoomSenseSensorDescription, ...] = (
    RoomSenseSensorDescription(
        key="temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda status: status.temperature,
    ),
    RoomSenseSensorDescription(
        key="humidity",
        device_class=SensorDeviceClass.HUMIDITY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda status: status.humidity,
    ),
    RoomSenseSensorDescription(
        key="co2",
        device_class=SensorDeviceClass.CO2,
        native_unit_of_measurement=UnitOfRatio.PARTS_PER_MILLION,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda status: status.co2,
    ),
    RoomSenseSensorDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda status: status.battery,
    ),
    RoomSenseSensorDescription(
        key="light_level",
        translation_key="light_level",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_light_level,
    ),
    RoomSenseSensorDescription(
        key="power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda status: status.power_watts,
    ),
    RoomSenseSensorDescription(
        key="voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda status: status.voltage,
    ),
    RoomSenseSensorDescription(
        key="current",
        device_class=SensorDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_current_amperes,
    ),
    RoomSenseSensorDescription(
        key="energy_today",
        translation_key="energy_today",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=_energy_today,
    ),
    RoomSenseSensorDescription(
        key="used_today",
        translation_key="used_today",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=_minutes_used_today,
    ),
    *(_channel_sensor(channel, reading) for channel in (1, 2) for reading in _CHANNEL_READINGS),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a sensor for every reading a device reports, and the API budget sensor."""
    coordinator = entry.runtime_data.coordinator
    metrics = hass.data[DATA_TOOLS].metrics
    entities: list[SensorEntity] = []
    if (client := entry.runtime_data.client) is not None:
        # The account's own figures; a Bluetooth-only device has no account.
        entities += [
            ApiCallsRemainingSensor(entry, client),
            *(ConversationMetricSensor(entry, metrics, description) for description in METRICS),
            *acceptance_sensors(hass, entry),
        ]
    for device_id, device in coordinator.devices.items():
        state = coordinator.data.get(device_id)
        if state is None:
            continue
        entities.extend(
            RoomSenseSensor(coordinator, device, description)
            for description in SENSORS
            if description.value_fn(state.status) is not None
        )
    async_add_entities(entities)
    async_setup_edge_entities(hass, entry, async_add_entities, sensor_entities)


class RoomSenseSensor(RoomSenseEntity, SensorEntity):
    """A reading of a SwitchBot device."""

    entity_description: RoomSenseSensorDescription

    @property
    def native_value(self) -> StateType:
        """The reading from the last known status."""
        return self.entity_description.value_fn(self.status)


class ApiCallsRemainingSensor(SensorEntity):
    """How many SwitchBot API calls the account has left today."""

    _attr_has_entity_name = True
    _attr_translation_key = "api_calls_remaining"
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_state_class = SensorStateClass.MEASUREMENT
    # Reading the local counter costs no API call.
    _attr_should_poll = True

    def __init__(self, entry: RoomSenseConfigEntry, client: SwitchBotCloudClient) -> None:
        """Attach the sensor to a service device that stands for the account."""
        self._client = client
        self._attr_unique_id = f"{entry.entry_id}_api_calls_remaining"
        self._attr_device_info = account_device_info(entry)

    @property
    def native_value(self) -> int:
        """Calls left in today's budget."""
        return self._client.counter.remaining


@dataclass(frozen=True, kw_only=True)
class ConversationMetricDescription(SensorEntityDescription):
    """A figure over the agent's last 100 turns."""

    value_fn: Callable[[ConversationMetrics], float | None]


METRICS: tuple[ConversationMetricDescription, ...] = (
    ConversationMetricDescription(
        key="intent_success_rate",
        translation_key="intent_success_rate",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda metrics: metrics.success_rate,
    ),
    ConversationMetricDescription(
        key="conversation_latency_p50",
        translation_key="conversation_latency_p50",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda metrics: metrics.latency_ms(0.50),
    ),
    ConversationMetricDescription(
        key="conversation_latency_p95",
        translation_key="conversation_latency_p95",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda metrics: metrics.latency_ms(0.95),
    ),
)


class ConversationMetricSensor(RestoreSensor):
    """How well and how fast the agent answers, over its last 100 turns.

    The turns are kept in memory only, so after a restart the sensor shows its last value
    until the first turn gives a new one.
    """

    _attr_has_entity_name = True
    _attr_should_poll = False
    entity_description: ConversationMetricDescription

    def __init__(
        self,
        entry: RoomSenseConfigEntry,
        metrics: ConversationMetrics,
        description: ConversationMetricDescription,
    ) -> None:
        """Attach the figure to the account's device."""
        self._metrics = metrics
        self.entity_description = description
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = account_device_info(entry)
        self._restored: float | None = None

    async def async_added_to_hass(self) -> None:
        """Take the last value from before the restart, and update with every turn."""
        await super().async_added_to_hass()
        self._restored = restored_figure(
            await self.async_get_last_sensor_data(), self.native_unit_of_measurement
        )
        self._metrics.listeners.append(self.async_write_ha_state)
        self.async_on_remove(lambda: self._metrics.listeners.remove(self.async_write_ha_state))

    @property
    def native_value(self) -> float | None:
        """The figure; before the first turn, the last one restored, else unknown."""
        value = self.entity_description.value_fn(self._metrics)
        return self._restored if value is None else value
