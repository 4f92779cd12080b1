"""Evaluating a rule's conditions against Home Assistant's entity states and the clock.

All conditions are ANDed. Each keeps its tolerance: a reading (or the time) that misses the
target by no more than the tolerance counts as meeting it, so sensor noise and a scheduler
that wakes a moment late do not flip a rule. A condition whose source is missing or
unavailable is not met, and says why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from statistics import fmean
from typing import Any, Final

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from ..const import DOMAIN
from .models import ConditionType

MINUTES_PER_DAY: Final = 24 * 60
# The entity that stands for a device's state, in order of preference.
_STATE_DOMAINS: Final = (
    "lock",
    "cover",
    "climate",
    "light",
    "switch",
    "fan",
    "humidifier",
    "vacuum",
    "remote",
    "binary_sensor",
)

_OPENING_CLASSES: Final = frozenset({"door", "opening", "window", "garage_door"})

type StateLookup = Callable[[str], State | None]


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """How one condition came out, with the value it saw."""

    condition: dict[str, Any]
    met: bool
    actual: Any = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The result as the API shows it: every field."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """All conditions of a rule: met only when every one is."""

    met: bool
    results: tuple[ConditionResult, ...]

    def as_dict(self) -> dict[str, Any]:
        """The evaluation as the API shows it."""
        return {"met": self.met, "results": [result.as_dict() for result in self.results]}


class SourceResolver:
    """Which entity a condition reads: the one named, a RoomSense device's, or all of a kind."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Look entities up in Home Assistant's registries."""
        self.hass = hass

    def device_entities(self, device_id: str) -> list[er.RegistryEntry]:
        """The entities of a device given by its SwitchBot id or Home Assistant device id."""
        devices = dr.async_get(self.hass)
        device = next(
            iter(devices.async_get_devices(identifiers={(DOMAIN, device_id)})), None
        ) or devices.async_get(device_id)
        if device is None:
            return []
        return er.async_entries_for_device(er.async_get(self.hass), device.id)

    def entity_for(self, device_id: str, kind: str) -> str | None:
        """A device's entity for `temperature`, `humidity` or `state`; None if it has none."""
        entries = self.device_entities(device_id)
        if kind in (ConditionType.TEMPERATURE, ConditionType.HUMIDITY):
            for entry in entries:
                if entry.domain == "sensor" and kind in (
                    entry.original_device_class,
                    entry.device_class,
                ):
                    return entry.entity_id
            return None
        # A contact sensor has a motion and an opening binary sensor: "open" is the opening.
        ranked = sorted(
            entries,
            key=lambda entry: (entry.original_device_class or "") not in _OPENING_CLASSES,
        )
        by_domain: dict[str, str] = {}
        for entry in ranked:
            by_domain.setdefault(entry.domain, entry.entity_id)
        return next((by_domain[domain] for domain in _STATE_DOMAINS if domain in by_domain), None)

    def all_of_kind(self, kind: str) -> list[str]:
        """Every RoomSense sensor measuring `kind` (temperature or humidity)."""
        return [
            entry.entity_id
            for entry in er.async_get(self.hass).entities.values()
            if entry.platform == DOMAIN
            and entry.domain == "sensor"
            and kind in (entry.original_device_class, entry.device_class)
        ]

    def sources(self, condition: dict[str, Any]) -> list[str]:
        """The entity ids a condition reads (empty for time conditions)."""
        kind = condition["type"]
        if kind == ConditionType.TIME:
            return []
        if entity_id := condition.get("entity_id"):
            return [entity_id]
        if device_id := condition.get("device_id"):
            lookup = "state" if kind == ConditionType.DEVICE_STATE else kind
            found = self.entity_for(device_id, lookup)
            return [found] if found else []
        if kind in (ConditionType.TEMPERATURE, ConditionType.HUMIDITY):
            return self.all_of_kind(kind)
        return []


def minutes_of(clock: str) -> int:
    """Minutes since midnight of `HH:MM`."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def time_met(condition: dict[str, Any], now: datetime, *, late_only: bool = False) -> bool:
    """Whether local time `now` meets a time condition (midnight wraps).

    `late_only`: the tolerance forgives lateness only. When the time condition is what
    starts a rule (one without a schedule), 07:00 must not fire at 06:58.
    """
    current = now.hour * 60 + now.minute + now.second / 60
    late = float(condition.get("tolerance", 0))
    early = 0.0 if late_only else late
    operator = condition["operator"]
    if operator == "equals":
        past = (current - minutes_of(condition["value"])) % MINUTES_PER_DAY
        return past <= late or MINUTES_PER_DAY - past <= early
    if operator == "before":
        return current <= minutes_of(condition["value"]) + late
    if operator == "after":
        return current >= minutes_of(condition["value"]) - early
    start, end = (minutes_of(value) for value in condition["value"])
    if start <= end:
        return start - early <= current <= end + late
    # A window across midnight, e.g. 22:00-06:00.
    return current >= start - early or current <= end + late


def number_met(operator: str, value: Any, actual: float, tolerance: float) -> bool:
    """Whether a reading meets a threshold, range or target, within the tolerance."""
    if operator == "above":
        return actual >= float(value) - tolerance
    if operator == "below":
        return actual <= float(value) + tolerance
    if operator == "equals":
        return abs(actual - float(value)) <= tolerance
    low, high = (float(bound) for bound in value)
    return low - tolerance <= actual <= high + tolerance


def _reading(state: State | None) -> float | None:
    if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
        return None
    try:
        return float(state.state)
    except ValueError:
        return None


class ConditionEvaluator:
    """Evaluates conditions now, reading entity states through `lookup`."""

    def __init__(self, resolver: SourceResolver, lookup: StateLookup) -> None:
        """`lookup` is usually `hass.states.get`."""
        self.resolver = resolver
        self.lookup = lookup

    def evaluate(
        self, conditions: Iterable[dict[str, Any]], now: datetime, *, late_only: bool = False
    ) -> Evaluation:
        """Every condition's result; met when all are (no conditions: met)."""
        results = tuple(
            self.evaluate_one(condition, now, late_only=late_only) for condition in conditions
        )
        return Evaluation(all(result.met for result in results), results)

    def evaluate_one(
        self, condition: dict[str, Any], now: datetime, *, late_only: bool = False
    ) -> ConditionResult:
        """One condition's result (`late_only`: see `time_met`)."""
        kind = condition["type"]
        if kind == ConditionType.TIME:
            met = time_met(condition, now, late_only=late_only)
            return ConditionResult(condition, met, now.strftime("%H:%M"))
        sources = self.resolver.sources(condition)
        if not sources:
            return ConditionResult(condition, False, None, "no_source")
        if kind == ConditionType.DEVICE_STATE:
            return self._device_state(condition, sources[0])
        readings = [
            reading for source in sources if (reading := _reading(self.lookup(source))) is not None
        ]
        if not readings:
            return ConditionResult(condition, False, None, "unavailable")
        # Several sensors (no source named): their mean stands for the home.
        actual = round(fmean(readings), 2)
        met = number_met(
            condition["operator"], condition["value"], actual, float(condition["tolerance"])
        )
        return ConditionResult(condition, met, actual)

    def _device_state(self, condition: dict[str, Any], entity_id: str) -> ConditionResult:
        state = self.lookup(entity_id)
        if state is None or state.state == STATE_UNAVAILABLE:
            return ConditionResult(condition, False, None, "unavailable")
        attribute = condition.get("attribute")
        actual = state.attributes.get(attribute) if attribute else state.state
        equal = str(actual).casefold() == str(condition["value"]).casefold()
        met = equal if condition.get("operator", "equals") == "equals" else not equal
        return ConditionResult(condition, met, actual)
