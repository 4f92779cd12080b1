"""Climate and comfort proposals: a device to answer readings past a threshold."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ...catalog import Family
from ...home_model import DeviceKind, HomeDevice
from .const import (
    COLD_BELOW,
    COOL_SETTING,
    DRY_BELOW,
    DRY_SETTING,
    HEAT_SETTING,
    HOT_ABOVE,
    HUMID_ABOVE,
    HUMIDIFIER_TARGET,
    THERMOSTAT_HEAT,
    Category,
)
from .drafts import _command, _Draft, _evidence_confidence
from .events import _Event
from .home import _family, _Home, _is_cooler, _is_heater, _is_humidifier, _is_thermostat
from .values import _number


def _readings(
    events: Sequence[_Event], home: _Home, key: str, beyond: Callable[[float], bool]
) -> dict[str, list[float]]:
    """Per device in the home, its `key` readings for which `beyond` holds."""
    found: dict[str, list[float]] = defaultdict(list)
    for event in events:
        value = _number(event.fields.get(key))
        device = home.devices.get(event.device_id)
        if value is None or device is None or device.kind is DeviceKind.AIR_CONDITIONER:
            continue
        if beyond(value):
            found[event.device_id].append(value)
    return found


# What the answering device does, and the words of the proposal's text beyond the common
# ones (the set point, the target).
type _Response = tuple[list[dict[str, Any]], dict[str, str]]


@dataclass(frozen=True, slots=True)
class _ThresholdRule:
    """A proposal for readings past a threshold: which device answers them, and how."""

    kind: str
    reading: str  # "temperature" or "humidity"
    operator: str  # "above" or "below"
    threshold: float
    answers: Callable[[HomeDevice], bool]
    response: Callable[[HomeDevice], _Response]

    @property
    def category(self) -> Category:
        """Climate for the temperature, comfort for the humidity."""
        return Category.CLIMATE if self.reading == "temperature" else Category.COMFORT

    def beyond(self, value: float) -> bool:
        """Whether a reading is past the threshold."""
        return value > self.threshold if self.operator == "above" else value < self.threshold


def _cooling(device: HomeDevice) -> _Response:
    return [_command(device, "setAll", COOL_SETTING)], {"setpoint": COOL_SETTING.split(",")[0]}


def _heating(device: HomeDevice) -> _Response:
    if _is_thermostat(device):
        command = _command(device, "setManualModeTemperature", THERMOSTAT_HEAT)
        return [command], {"setpoint": THERMOSTAT_HEAT}
    return [_command(device, "setAll", HEAT_SETTING)], {"setpoint": HEAT_SETTING.split(",")[0]}


def _humidifying(device: HomeDevice) -> _Response:
    actions = [_command(device, "turnOn")]
    family = _family(device)
    if family is Family.EVAPORATIVE_HUMIDIFIER:
        # Mode 5 holds a target humidity; the API spells it "targetHumidify".
        target = {"mode": 5, "targetHumidify": HUMIDIFIER_TARGET}
        actions.append(_command(device, "setMode", target))
    elif family is Family.HUMIDIFIER:
        actions.append(_command(device, "setMode", str(HUMIDIFIER_TARGET)))
    return actions, {"target": str(HUMIDIFIER_TARGET)}


def _drying(device: HomeDevice) -> _Response:
    return [_command(device, "setAll", DRY_SETTING)], {}


_THRESHOLD_RULES: Final = (
    _ThresholdRule("hot_cooling", "temperature", "above", HOT_ABOVE, _is_cooler, _cooling),
    _ThresholdRule("cold_heating", "temperature", "below", COLD_BELOW, _is_heater, _heating),
    _ThresholdRule("dry_humidify", "humidity", "below", DRY_BELOW, _is_humidifier, _humidifying),
    _ThresholdRule("humid_dry_mode", "humidity", "above", HUMID_ABOVE, _is_cooler, _drying),
)


def _thresholds(events: Sequence[_Event], home: _Home, category: Category) -> Iterable[_Draft]:
    """The threshold proposals of one category: a sensor past it, a device to answer it."""
    for rule in _THRESHOLD_RULES:
        if rule.category != category:
            continue
        for sensor_id, values in _readings(events, home, rule.reading, rule.beyond).items():
            sensor = home.devices[sensor_id]
            device = home.pick(rule.answers, sensor, only_one=True)
            if device is None:
                continue
            peak = max(values) if rule.operator == "above" else min(values)
            actions, details = rule.response(device)
            yield _Draft(
                kind=rule.kind,
                category=rule.category,
                confidence=_evidence_confidence(len(values)),
                text={
                    "sensor": sensor.name,
                    "device": device.name,
                    "count": str(len(values)),
                    "threshold": f"{rule.threshold:g}",
                    "peak": f"{peak:g}",
                    **details,
                },
                conditions=[
                    {
                        "type": rule.reading,
                        "operator": rule.operator,
                        "value": rule.threshold,
                        "device_id": sensor_id,
                    },
                ],
                actions=actions,
            )


def _climate(events: Sequence[_Event], home: _Home) -> Iterable[_Draft]:
    return _thresholds(events, home, Category.CLIMATE)


def _comfort(events: Sequence[_Event], home: _Home) -> Iterable[_Draft]:
    return _thresholds(events, home, Category.COMFORT)
