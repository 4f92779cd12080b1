"""Climate and comfort proposals: a device to answer readings past a threshold."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ...catalog import Family
from ...home_model import DeviceKind, HomeDevice
from .const import (
    CATEGORY_CLIMATE,
    CATEGORY_COMFORT,
    COLD_BELOW,
    COOL_SETTING,
    DRY_BELOW,
    DRY_SETTING,
    HEAT_SETTING,
    HOT_ABOVE,
    HUMID_ABOVE,
    HUMIDIFIER_TARGET,
    THERMOSTAT_HEAT,
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


@dataclass(frozen=True, slots=True)
class _ThresholdRule:
    """A proposal for readings past a threshold: which device answers them, and how."""

    kind: str
    category: str
    reading: str  # "temperature" or "humidity"
    operator: str  # "above" or "below"
    threshold: float
    answers: Callable[[HomeDevice], bool]
    actions: Callable[[HomeDevice], list[dict[str, Any]]]
    # Words for the proposal's text beyond the common ones (the set point, the target).
    details: Callable[[HomeDevice], dict[str, str]] = lambda _device: {}

    def beyond(self, value: float) -> bool:
        """Whether a reading is past the threshold."""
        return value > self.threshold if self.operator == "above" else value < self.threshold


def _heating(device: HomeDevice) -> list[dict[str, Any]]:
    if _is_thermostat(device):
        return [_command(device, "setManualModeTemperature", THERMOSTAT_HEAT)]
    return [_command(device, "setAll", HEAT_SETTING)]


def _humidifying(device: HomeDevice) -> list[dict[str, Any]]:
    actions = [_command(device, "turnOn")]
    family = _family(device)
    if family is Family.EVAPORATIVE_HUMIDIFIER:
        # Mode 5 holds a target humidity; the API spells it "targetHumidify".
        target = {"mode": 5, "targetHumidify": HUMIDIFIER_TARGET}
        actions.append(_command(device, "setMode", target))
    elif family is Family.HUMIDIFIER:
        actions.append(_command(device, "setMode", str(HUMIDIFIER_TARGET)))
    return actions


_THRESHOLD_RULES: Final = (
    _ThresholdRule(
        kind="hot_cooling",
        category=CATEGORY_CLIMATE,
        reading="temperature",
        operator="above",
        threshold=HOT_ABOVE,
        answers=_is_cooler,
        actions=lambda device: [_command(device, "setAll", COOL_SETTING)],
        details=lambda _device: {"setpoint": COOL_SETTING.split(",")[0]},
    ),
    _ThresholdRule(
        kind="cold_heating",
        category=CATEGORY_CLIMATE,
        reading="temperature",
        operator="below",
        threshold=COLD_BELOW,
        answers=_is_heater,
        actions=_heating,
        details=lambda device: {
            "setpoint": THERMOSTAT_HEAT if _is_thermostat(device) else HEAT_SETTING.split(",")[0]
        },
    ),
    _ThresholdRule(
        kind="dry_humidify",
        category=CATEGORY_COMFORT,
        reading="humidity",
        operator="below",
        threshold=DRY_BELOW,
        answers=_is_humidifier,
        actions=_humidifying,
        details=lambda _device: {"target": str(HUMIDIFIER_TARGET)},
    ),
    _ThresholdRule(
        kind="humid_dry_mode",
        category=CATEGORY_COMFORT,
        reading="humidity",
        operator="above",
        threshold=HUMID_ABOVE,
        answers=_is_cooler,
        actions=lambda device: [_command(device, "setAll", DRY_SETTING)],
    ),
)


def _thresholds(events: Sequence[_Event], home: _Home, category: str) -> Iterable[_Draft]:
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
                    **rule.details(device),
                },
                conditions=[
                    {
                        "type": rule.reading,
                        "operator": rule.operator,
                        "value": rule.threshold,
                        "device_id": sensor_id,
                    },
                ],
                actions=rule.actions(device),
            )


def _climate(events: Sequence[_Event], home: _Home) -> Iterable[_Draft]:
    return _thresholds(events, home, CATEGORY_CLIMATE)


def _comfort(events: Sequence[_Event], home: _Home) -> Iterable[_Draft]:
    return _thresholds(events, home, CATEGORY_COMFORT)
