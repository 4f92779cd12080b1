"""Sensors: climate readings, battery, light level, power metering, and API calls left.

Power is metered per device, and per channel on the two-channel relay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    EntityCategory,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from . import catalog
from .automation.entities import acceptance_sensors
from .coordinator import RoomSenseCoordinator
from .data import RoomSenseConfigEntry
from .device_list import async_on_first_status
from .edge.entity import async_setup_edge_entities, sensor_entities
from .entity import (
    RoomSenseEntity,
    RoomSenseOwnStateEntity,
    account_device_info,
    async_on_new_devices,
    described_entities,
    restored_figure,
)
from .metrics import ConversationMetrics
from .operations import OperationsStore, energy_kwh
from .sensor_descriptions import (
    AUTOMATION_FIGURES,
    COMMANDS_SENT,
    ENERGY_ESTIMATE,
    METRICS,
    SENSORS,
    AutomationFigureDescription,
    ConversationMetricDescription,
    RoomSenseSensorDescription,
)
from .shared import get_shared
from .switchbot_cloud import (
    CallCounter,
    Device,
    DeviceStatus,
    InfraredRemote,
    SwitchBotCloudClient,
)

# Read-only: the coordinator (and pushes) update the entities; the API-call figures poll a
# counter kept in memory, with no I/O.
PARALLEL_UPDATES = 0

# How often the energy of a device that is on is brought up to date between readings.
ENERGY_TICK = timedelta(minutes=1)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RoomSenseConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a sensor for every reading a device reports, and the API budget sensor."""
    coordinator = entry.runtime_data.coordinator
    metrics = get_shared(hass).tools.metrics
    operations = get_shared(hass).operations
    entities: list[Entity] = []
    if (client := entry.runtime_data.client) is not None:
        # The account's own figures; a Bluetooth-only device has no account.
        entities += [
            ApiCallsSensor(entry, client, API_CALLS_REMAINING),
            ApiCallsTodaySensor(entry, client, API_CALLS_TODAY),
            *(ConversationMetricSensor(entry, metrics, description) for description in METRICS),
            *acceptance_sensors(hass, entry),
        ]
        if get_shared(hass).owner.owns(entry):
            # The home's rules, shown (like the acceptance rate) by the entry that owns them.
            entities += [
                AutomationRunsSensor(entry, operations, description)
                for description in AUTOMATION_FIGURES
            ]
    entities += _device_sensors(coordinator, operations)
    async_add_entities(entities)
    async_setup_edge_entities(hass, entry, async_add_entities, sensor_entities)

    @callback
    def add_new(device_ids: set[str]) -> None:
        async_add_entities(_device_sensors(coordinator, operations, device_ids))

    async_on_new_devices(entry, add_new)

    @callback
    def add_decided(device_ids: set[str]) -> None:
        async_add_entities(_device_sensors(coordinator, operations, device_ids, first_status=True))

    async_on_first_status(entry, add_decided)


def _device_sensors(
    coordinator: RoomSenseCoordinator,
    operations: OperationsStore,
    device_ids: set[str] | None = None,
    *,
    first_status: bool = False,
) -> list[Entity]:
    """The sensors of the devices and remotes (with `device_ids`, of those alone).

    With `first_status`, only those the first status of `device_ids` decides.
    """

    def wanted(device: Device | InfraredRemote) -> bool:
        return device_ids is None or device.device_id in device_ids

    everything: list[Device | InfraredRemote] = [
        *coordinator.devices.values(),
        *coordinator.device_list.infrared_remotes,
    ]
    entities: list[Entity] = [
        CommandCountSensor(coordinator, operations, device)
        for device in everything
        if wanted(device) and _takes_commands(device) and not first_status
    ]
    entities += described_entities(
        coordinator, SENSORS, RoomSenseSensor, device_ids, first_status=first_status
    )
    entities += [
        EnergyEstimateSensor(coordinator, operations, device, estimate)
        for device_id, device in coordinator.devices.items()
        if wanted(device)
        and (state := coordinator.data.get(device_id)) is not None
        and (estimate := energy_estimate(device, state.status)) is not None
    ]
    return entities


def _takes_commands(device: Device | InfraredRemote) -> bool:
    """Whether the catalog knows commands for the device (those get a command count)."""
    infrared = isinstance(device, InfraredRemote)
    spec = catalog.device_spec(device.type_string, infrared=infrared)
    return spec is not None and bool(spec.commands)


class RoomSenseSensor(RoomSenseEntity, SensorEntity):
    """A reading of a SwitchBot device."""

    entity_description: RoomSenseSensorDescription

    @property
    def native_value(self) -> StateType:
        """The reading from the last known status."""
        return self.entity_description.value_fn(self.status)


@dataclass(frozen=True, kw_only=True)
class ApiCallsDescription(SensorEntityDescription):
    """A figure of the account's local API call counter."""

    value_fn: Callable[[CallCounter], int]


API_CALLS_REMAINING = ApiCallsDescription(
    key="api_calls_remaining",
    translation_key="api_calls_remaining",
    entity_category=EntityCategory.DIAGNOSTIC,
    state_class=SensorStateClass.MEASUREMENT,
    value_fn=lambda counter: counter.remaining,
)
API_CALLS_TODAY = ApiCallsDescription(
    key="api_calls_today",
    translation_key="api_calls_today",
    entity_category=EntityCategory.DIAGNOSTIC,
    # A count that starts again each day: `total` with the day's start as `last_reset`.
    state_class=SensorStateClass.TOTAL,
    value_fn=lambda counter: counter.calls_today,
)


class ApiCallsSensor(SensorEntity):
    """A figure of the account's local API call counter, on the account's device."""

    entity_description: ApiCallsDescription
    _attr_has_entity_name = True
    # Reading the local counter costs no API call.
    _attr_should_poll = True

    def __init__(
        self,
        entry: RoomSenseConfigEntry,
        client: SwitchBotCloudClient,
        description: ApiCallsDescription,
    ) -> None:
        """Attach the sensor to a service device that stands for the account."""
        self._client = client
        self.entity_description = description
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = account_device_info(entry)

    @property
    def native_value(self) -> int:
        """The counter's figure now (today's calls roll over at midnight UTC)."""
        return self.entity_description.value_fn(self._client.counter)


class ApiCallsTodaySensor(ApiCallsSensor):
    """How many SwitchBot API calls the account made today (UTC; the cloud's day)."""

    @property
    def last_reset(self) -> datetime:
        """The start of the counter's day, midnight UTC."""
        counter = self._client.counter
        _ = counter.calls_today  # rolls the day over first
        return datetime.combine(counter.day, time.min, tzinfo=UTC)


class _AccountFigureSensor[SourceT](SensorEntity):
    """A figure of the entry read from `source`, on the account's device."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, entry: RoomSenseConfigEntry, source: SourceT, description: SensorEntityDescription
    ) -> None:
        """Attach the figure to the account's device."""
        self._source = source
        self.entity_description = description
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = account_device_info(entry)


class ConversationMetricSensor(_AccountFigureSensor[ConversationMetrics], RestoreSensor):
    """How well and how fast the agent answers, over its last 100 turns.

    The turns are kept in memory only, so after a restart the sensor shows its last value
    until the first turn gives a new one.
    """

    entity_description: ConversationMetricDescription
    _restored: float | None = None

    async def async_added_to_hass(self) -> None:
        """Take the last value from before the restart, and update with every turn."""
        await super().async_added_to_hass()
        self._restored = restored_figure(
            await self.async_get_last_sensor_data(), self.native_unit_of_measurement
        )
        self._source.listeners.append(self.async_write_ha_state)
        self.async_on_remove(lambda: self._source.listeners.remove(self.async_write_ha_state))

    @property
    def native_value(self) -> float | None:
        """The figure; before the first turn, the last one restored, else unknown."""
        value = self.entity_description.value_fn(self._source)
        return self._restored if value is None else value


class AutomationRunsSensor(_AccountFigureSensor[OperationsStore]):
    """How many times RoomSense's rules ran, and how many runs had an action fail."""

    entity_description: AutomationFigureDescription

    async def async_added_to_hass(self) -> None:
        """Update with every finished run."""
        self.async_on_remove(self._source.async_listen("automation", self.async_write_ha_state))

    @property
    def native_value(self) -> int:
        """The count, kept across restarts."""
        return self.entity_description.value_fn(self._source)


class CommandCountSensor(RoomSenseOwnStateEntity, SensorEntity):
    """How many commands went to a device through the command gateway, ever.

    Daily figures are the change of this count in Home Assistant's statistics.
    """

    _attr_should_poll = False

    def __init__(
        self,
        coordinator: RoomSenseCoordinator,
        operations: OperationsStore,
        device: Device | InfraredRemote,
    ) -> None:
        """A counter on the device's own Home Assistant device."""
        super().__init__(coordinator, device, COMMANDS_SENT)
        self._operations = operations

    async def async_added_to_hass(self) -> None:
        """Update with every command to this device."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self._operations.async_listen(
                f"commands:{self.device.device_id}", self.async_write_ha_state
            )
        )

    @property
    def native_value(self) -> int:
        """Commands sent (or queued) for the device, kept across restarts."""
        return self._operations.commands.get(self.device.device_id, 0)


@dataclass(frozen=True, slots=True)
class EnergyEstimate:
    """How a device's energy is worked out: its meter, or a typical wattage while on."""

    metered: bool
    typical: catalog.TypicalWattage | None = None

    def watts(self, status: DeviceStatus) -> float | None:
        """The draw now, as far as it is known."""
        if self.metered:
            return status.power_watts
        if self.typical is None or status.power is None:
            return None
        return self.typical.watts if status.power else 0.0


def energy_estimate(device: Device, status: DeviceStatus) -> EnergyEstimate | None:
    """Whether and how RoomSense estimates a device's energy."""
    if status.power_watts is not None:
        return EnergyEstimate(metered=True)
    typical = catalog.typical_wattage(device.device_type)
    if typical is not None and status.power is not None:
        return EnergyEstimate(metered=False, typical=typical)
    return None


class EnergyEstimateSensor(RoomSenseEntity, SensorEntity):
    """The energy a device used since RoomSense started counting, in kWh.

    A metered device's power readings are integrated over time (each reading counts until
    the next one); a device without a meter counts its typical wattage while it is on.
    Time while Home Assistant was stopped is not counted.
    """

    def __init__(
        self,
        coordinator: RoomSenseCoordinator,
        operations: OperationsStore,
        device: Device,
        estimate: EnergyEstimate,
    ) -> None:
        """An energy total on the device's own Home Assistant device."""
        super().__init__(coordinator, device, ENERGY_ESTIMATE)
        self._operations = operations
        self._estimate = estimate
        # The draw since when: (since, watts).
        self._drawing: tuple[datetime, float] | None = None

    async def async_added_to_hass(self) -> None:
        """Start from the device's reading now, and count every minute and reading."""
        await super().async_added_to_hass()
        self._take_reading()
        self.async_on_remove(
            async_track_time_interval(
                self.hass,
                # A tick counts the draw so far as a reading does.
                callback(lambda _now: self._handle_coordinator_update()),
                ENERGY_TICK,
                cancel_on_shutdown=True,
            )
        )

    def _take_reading(self) -> None:
        """Add the energy of the draw until now, and draw what the status says from now."""
        now = dt_util.utcnow()
        if self._drawing is not None:
            since, watts = self._drawing
            self._operations.add_energy(self.device.device_id, energy_kwh(watts, since, now))
        watts_now = self._estimate.watts(self.status) if self.device_state else None
        self._drawing = None if watts_now is None else (now, watts_now)

    @property
    def available(self) -> bool:
        """The total so far is known even while the device's state is stale."""
        return True

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """How the figure is made: metered, or a typical wattage (an estimate)."""
        attributes = dict(super().extra_state_attributes or {})
        if self._estimate.metered:
            attributes["method"] = "metered"
        elif self._estimate.typical is not None:
            attributes["method"] = "typical_wattage"
            attributes["typical_watts"] = self._estimate.typical.watts
            attributes["wattage_source"] = self._estimate.typical.source
        return attributes

    @property
    def native_value(self) -> float:
        """The kWh counted so far, kept across restarts."""
        return round(self._operations.energy.get(self.device.device_id, 0.0), 6)

    @callback
    def _handle_coordinator_update(self) -> None:
        self._take_reading()
        super()._handle_coordinator_update()
