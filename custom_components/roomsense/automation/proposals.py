"""Automation proposals from what the home reported, and the checks a workflow must pass.

Pure Python without Home Assistant. `propose` reads recent device events (the
`roomsense_event` bus event, a SwitchBot webhook body, or the seed API's AutomationEvent;
snake_case or camelCase keys) and suggests rules in five categories. `validate` checks any
suggested workflow against the schema, the home and the rules already saved.

Suggested rules speak Home Assistant's vocabulary, as the condition evaluator reads them: a
`device_state` condition on a device compares its main entity's state ("on" for an open
contact, detected motion, a light or a plug that is on; "unlocked" for a lock).
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

import probatio

from .. import catalog
from ..catalog import Family
from ..fallback.model import DeviceInfo, DeviceKind, HomeSnapshot
from ..push import status_from_context
from .models import WEEKDAYS, WORKFLOW_SCHEMA, clock_time

CATEGORY_LIGHTING: Final = "lighting"
CATEGORY_CLIMATE: Final = "climate"
CATEGORY_SECURITY: Final = "security"
CATEGORY_COMFORT: Final = "comfort"
CATEGORY_ENERGY: Final = "energy"
CATEGORIES: Final = (
    CATEGORY_LIGHTING,
    CATEGORY_CLIMATE,
    CATEGORY_SECURITY,
    CATEGORY_COMFORT,
    CATEGORY_ENERGY,
)

HOT_ABOVE: Final = 28.0  # °C
COLD_BELOW: Final = 16.0
DRY_BELOW: Final = 40.0  # % relative humidity
HUMID_ABOVE: Final = 70.0
COOL_SETTING: Final = "26,2,1,on"  # setAll: 26 °C, cool, auto fan, on
HEAT_SETTING: Final = "22,5,1,on"  # 22 °C, heat
DRY_SETTING: Final = "25,3,1,on"  # 25 °C, dry
THERMOSTAT_HEAT: Final = "21"
HUMIDIFIER_TARGET: Final = 50
NIGHT_BRIGHTNESS: Final = 10

# Local times (minutes since midnight) that make an event telling.
DARK_HOURS: Final = (17 * 60, 5 * 60)  # evidence of "after dark"; the rule itself uses sun.sun
NIGHT_HOURS: Final = (22 * 60, 6 * 60)
LOCK_NIGHT_HOURS: Final = (21 * 60, 5 * 60)
LOCK_CHECK_TIME: Final = "23:00"
LONG_ON: Final = timedelta(hours=3)
NOBODY_FOR: Final = timedelta(hours=1)
SUN_ENTITY: Final = "sun.sun"

MIN_QUOTA_FRIENDLY_INTERVAL: Final = 5  # minutes
AC_SETPOINT_RANGE: Final = (16, 30)
# Around a scheduled instant, the minutes two rules are taken to run "at the same time".
SAME_TIME_MARGIN: Final = 10

# Commands that let someone in; never run by an automation.
_UNLOCKING: Final = frozenset({"unlock", "unlatch", "open", "deadbolt", "nightLatchUnlock"})
_GARAGE_OPENING: Final = frozenset({"turnOn", "open", "toggle", "press"})
_MOTION_FAMILIES: Final = frozenset({Family.MOTION_SENSOR, Family.PRESENCE_SENSOR})
_UNSAFE_SERVICES: Final = frozenset({"lock.unlock", "lock.open"})
_COVER_OPENING_SERVICES: Final = frozenset({"cover.open_cover", "cover.toggle"})

_ENTRANCE_WORDS: Final = ("玄関", "entrance", "front", "porch", "hall", "廊下", "ポーチ")
_HALL_WORDS: Final = ("廊下", "hall", "corridor", "stairs", "階段", "玄関", "entrance")

_ENVELOPE_KEYS: Final = frozenset(
    {
        "device_id", "deviceId", "deviceMac", "device_type", "deviceType", "event_type",
        "eventType", "eventVersion", "timestamp", "time", "time_of_sample", "timeOfSample",
        "changed", "context", "state", "id", "user_id", "userId", "source", "value",
    }
)  # fmt: skip


# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Event:
    """One event, its fields in SwitchBot status names, its time in the home's zone."""

    device_id: str
    device_type: str
    event_type: str  # lower case, letters only: "changereport", "dooropened"
    fields: Mapping[str, Any]
    state: str | None  # a bare state string ("on", "open", "unlocked"), lower case
    at: datetime

    @property
    def minute(self) -> int:
        """Local minute of the day."""
        return self.at.hour * 60 + self.at.minute


def _letters(text: Any) -> str:
    return "".join(character for character in str(text or "").lower() if character.isalpha())


def _normalize(raw: Mapping[str, Any], now: datetime, home: _Home) -> _Event | None:
    """An event in any of the accepted shapes, or None when it names no device."""
    context: Mapping[str, Any] = raw["context"] if isinstance(raw.get("context"), Mapping) else {}
    device_id = (
        raw.get("device_id")
        or raw.get("deviceId")
        or raw.get("deviceMac")
        or context.get("deviceMac")
    )
    if not isinstance(device_id, str) or not device_id:
        return None
    device = home.devices.get(device_id)
    # The home's own name for the type first: webhooks may say "WoLock" for a "Smart Lock".
    device_type = (
        device.device_type
        if device is not None and device.device_type
        else str(raw.get("device_type") or raw.get("deviceType") or context.get("deviceType") or "")
    )
    merged: dict[str, Any] = {key: value for key, value in raw.items() if key not in _ENVELOPE_KEYS}
    state = raw.get("state")
    if isinstance(state, Mapping):
        merged.update(state)
        state = None
    merged.update({key: value for key, value in context.items() if key not in _ENVELOPE_KEYS})
    if isinstance(raw.get("changed"), Mapping):
        merged.update(raw["changed"])
    event_type = _letters(raw.get("event_type") or raw.get("eventType"))
    # A reading given as `value` of a "temperature"/"humidity" event.
    value = raw.get("value")
    for reading in ("temperature", "humidity"):
        if reading in event_type and reading not in merged and _number(value) is not None:
            merged[reading] = value
    if state is None and isinstance(value, str):
        state = value
    timestamp = (
        raw.get("timestamp")
        or raw.get("time")
        or raw.get("time_of_sample")
        or raw.get("timeOfSample")
        or context.get("timeOfSample")
    )
    return _Event(
        device_id=device_id,
        device_type=device_type,
        event_type=event_type,
        fields=status_from_context(device_type, merged),
        state=str(state).strip().lower() if isinstance(state, str | bool) else None,
        at=_moment(timestamp, now),
    )


def _moment(value: Any, now: datetime) -> datetime:
    """An event's time in `now`'s zone; a time without a zone is taken to be in it."""
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    elif isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        # SwitchBot's timeOfSample is in milliseconds; plain epoch seconds are accepted too.
        seconds = value / 1000 if value > 1e11 else value
        try:
            moment = datetime.fromtimestamp(seconds, now.tzinfo)
        except (OverflowError, OSError, ValueError):
            moment = None
    if moment is None:
        return now
    if moment.utcoffset() is None:
        return moment.replace(tzinfo=now.tzinfo)
    return moment.astimezone(now.tzinfo)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return _letters(value) in ("true", "on", "detected", "yes", "wet", "leak")


def _in_hours(minute: int, hours: tuple[int, int]) -> bool:
    start, end = hours
    return start <= minute < end if start < end else minute >= start or minute < end


# --- the home -------------------------------------------------------------------------------


class _Home:
    """The snapshot, looked up by id, kind and area."""

    def __init__(self, snapshot: HomeSnapshot) -> None:
        self.devices: dict[str, DeviceInfo] = {
            device.device_id: device for device in snapshot.devices
        }
        self.scene_ids = {scene.scene_id for scene in snapshot.scenes}

    def kind(self, device_id: str, device_type: str = "") -> DeviceKind:
        device = self.devices.get(device_id)
        if device is not None:
            return device.kind
        return catalog.kind_of(device_type)

    def name(self, device_id: str) -> str:
        device = self.devices.get(device_id)
        return device.name if device is not None else device_id

    def pick(
        self,
        wanted: Callable[[DeviceInfo], bool],
        near: DeviceInfo | None,
        hints: Sequence[str] = (),
        *,
        only_one: bool = False,
    ) -> DeviceInfo | None:
        """The device for a rule about `near`.

        One in its area, else one whose name or area has a hint word, else (`only_one`) the
        home's only such device.
        """
        found = [device for device in self.devices.values() if wanted(device)]
        if near is not None and near.area is not None:
            same_area = [device for device in found if device.area == near.area]
            if same_area:
                return same_area[0]
        for word in hints:
            named = [
                device
                for device in found
                if word in device.name.lower() or word in (device.area or "").lower()
            ]
            if named:
                return named[0]
        return found[0] if only_one and len(found) == 1 else None


def _is_light(device: DeviceInfo) -> bool:
    return device.kind is DeviceKind.LIGHT


def _family(device: DeviceInfo) -> Family | None:
    return catalog.family_of(device.device_type, infrared=device.is_infrared)


def _is_cooler(device: DeviceInfo) -> bool:
    # An infrared air conditioner; the radiator thermostat only heats.
    return device.kind is DeviceKind.AIR_CONDITIONER and _family(device) is not Family.THERMOSTAT


def _is_heater(device: DeviceInfo) -> bool:
    return device.kind is DeviceKind.AIR_CONDITIONER


def _is_humidifier(device: DeviceInfo) -> bool:
    # The HUMIDIFIER kind holds air purifiers too.
    return device.kind is DeviceKind.HUMIDIFIER and _family(device) in (
        Family.HUMIDIFIER,
        Family.EVAPORATIVE_HUMIDIFIER,
    )


def _is_lock(device: DeviceInfo) -> bool:
    return device.kind is DeviceKind.LOCK or catalog.kind_of(device.device_type) is DeviceKind.LOCK


def _is_garage(device: DeviceInfo) -> bool:
    return _family(device) is Family.GARAGE_DOOR_OPENER


# --- what an event says ---------------------------------------------------------------------


def _door_opened(event: _Event) -> bool:
    open_state = _letters(event.fields.get("openState"))
    if open_state in ("open", "timeoutnotclose"):
        return True
    contact = catalog.family_of(event.device_type) is Family.CONTACT_SENSOR
    if contact and event.state in ("open", "opened", "on"):
        return True
    return event.event_type in ("dooropen", "dooropened", "opened", "contactopen")


def _motion(event: _Event) -> bool:
    for key in ("moveDetected", "Detected", "detectionState"):
        if key in event.fields:
            return _truthy(event.fields[key])
    if catalog.family_of(event.device_type) in _MOTION_FAMILIES and event.state is not None:
        return _truthy(event.state)
    return event.event_type in ("motion", "motiondetected", "presencedetected")


def _unlocked(event: _Event, home: _Home) -> bool:
    if "lockState" in event.fields:
        return _letters(event.fields["lockState"]).startswith("unlock")
    if home.kind(event.device_id, event.device_type) is DeviceKind.LOCK and event.state:
        return event.state.startswith("unlock")
    return event.event_type in ("unlock", "unlocked", "lockunlocked")


def _leak(event: _Event) -> bool:
    if catalog.family_of(event.device_type) is not Family.WATER_DETECTOR:
        return False
    if "status" in event.fields:
        return _truthy(event.fields["status"])
    return event.state is not None and _truthy(event.state)


def _power(event: _Event) -> str | None:
    power = event.fields.get("power", event.state)
    text = _letters(power)
    return text if text in ("on", "off") else None


# --- proposals ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Draft:
    """A proposal before it is checked against the rules and the schema."""

    kind: str  # which rule of thumb made it: part of its id
    category: str
    confidence: float
    text: Mapping[str, str]  # placeholders of its title, description and reason
    conditions: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    schedule: dict[str, Any] | None = None


def _evidence_confidence(count: int, *, base: float = 0.5, cap: float = 0.9) -> float:
    """Confidence from how often the evidence was seen: `base` once, +0.1 each time, capped.

    One observation is a hint (0.5); five make a habit (0.9).
    """
    return round(min(cap, base + 0.1 * (count - 1)), 2)


def _command(device: DeviceInfo, command: str, parameter: Any = "default") -> dict[str, Any]:
    return {
        "type": "device_command",
        "device_id": device.device_id,
        "command": command,
        "parameter": parameter,
    }


def _state_is(device: DeviceInfo, value: str) -> dict[str, Any]:
    return {"type": "device_state", "device_id": device.device_id, "value": value}


def _clock(minute: int) -> str:
    minute %= 24 * 60
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _round_up_half_hour(minute: float) -> int:
    return int(math.ceil(minute / 30) * 30) % (24 * 60)


def _last(events: Sequence[_Event]) -> str:
    return max(event.at for event in events).strftime("%H:%M")


def _door_light(events: Sequence[_Event], home: _Home) -> Iterable[_Draft]:
    by_sensor: dict[str, list[_Event]] = defaultdict(list)
    for event in events:
        if _in_hours(event.minute, DARK_HOURS) and _door_opened(event):
            by_sensor[event.device_id].append(event)
    for sensor_id, seen in by_sensor.items():
        sensor = home.devices.get(sensor_id)
        light = home.pick(_is_light, sensor, _ENTRANCE_WORDS)
        if sensor is None or light is None:
            continue
        yield _Draft(
            kind="door_light",
            category=CATEGORY_LIGHTING,
            confidence=_evidence_confidence(len(seen)),
            text={
                "sensor": sensor.name,
                "light": light.name,
                "count": str(len(seen)),
                "last": _last(seen),
            },
            conditions=[
                _state_is(sensor, "on"),
                {"type": "device_state", "entity_id": SUN_ENTITY, "value": "below_horizon"},
            ],
            actions=[_command(light, "turnOn")],
        )


def _night_motion_light(events: Sequence[_Event], home: _Home) -> Iterable[_Draft]:
    by_sensor: dict[str, list[_Event]] = defaultdict(list)
    for event in events:
        if _in_hours(event.minute, NIGHT_HOURS) and _motion(event):
            by_sensor[event.device_id].append(event)
    for sensor_id, seen in by_sensor.items():
        sensor = home.devices.get(sensor_id)
        light = home.pick(_is_light, sensor, _HALL_WORDS)
        if sensor is None or light is None:
            continue
        actions = [_command(light, "turnOn")]
        dimmable = _family(light) is Family.LIGHT
        if dimmable:
            actions.append(_command(light, "setBrightness", str(NIGHT_BRIGHTNESS)))
        yield _Draft(
            kind="night_motion_light",
            category=CATEGORY_LIGHTING,
            confidence=_evidence_confidence(len(seen)),
            text={
                "sensor": sensor.name,
                "light": light.name,
                "count": str(len(seen)),
                "last": _last(seen),
                "dimmed": "dimmed" if dimmable else "plain",
                "brightness": str(NIGHT_BRIGHTNESS),
            },
            conditions=[
                _state_is(sensor, "on"),
                {
                    "type": "time",
                    "operator": "between",
                    "value": [_clock(NIGHT_HOURS[0]), _clock(NIGHT_HOURS[1])],
                },
            ],
            actions=actions,
        )


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
    answers: Callable[[DeviceInfo], bool]
    actions: Callable[[DeviceInfo], list[dict[str, Any]]]
    # Words for the proposal's text beyond the common ones (the set point, the target).
    details: Callable[[DeviceInfo], dict[str, str]] = lambda _device: {}

    def beyond(self, value: float) -> bool:
        """Whether a reading is past the threshold."""
        return value > self.threshold if self.operator == "above" else value < self.threshold


def _is_thermostat(device: DeviceInfo) -> bool:
    return _family(device) is Family.THERMOSTAT


def _heating(device: DeviceInfo) -> list[dict[str, Any]]:
    if _is_thermostat(device):
        return [_command(device, "setManualModeTemperature", THERMOSTAT_HEAT)]
    return [_command(device, "setAll", HEAT_SETTING)]


def _humidifying(device: DeviceInfo) -> list[dict[str, Any]]:
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


def _security(events: Sequence[_Event], home: _Home) -> Iterable[_Draft]:
    unlocked: dict[str, list[_Event]] = defaultdict(list)
    leaks: dict[str, list[_Event]] = defaultdict(list)
    for event in events:
        if _in_hours(event.minute, LOCK_NIGHT_HOURS) and _unlocked(event, home):
            unlocked[event.device_id].append(event)
        if _leak(event):
            leaks[event.device_id].append(event)
    for lock_id, seen in unlocked.items():
        lock = home.devices.get(lock_id)
        if lock is None or not _is_lock(lock):
            continue
        yield _Draft(
            kind="unlocked_at_night",
            category=CATEGORY_SECURITY,
            confidence=_evidence_confidence(len(seen), base=0.6),
            text={
                "lock": lock.name,
                "count": str(len(seen)),
                "last": _last(seen),
                "time": LOCK_CHECK_TIME,
            },
            # A reminder only: the home never locks or unlocks by itself on this rule.
            conditions=[_state_is(lock, "unlocked")],
            actions=[{"type": "notification", "message": "{notice_lock}", "title": "RoomSense"}],
            schedule={"type": "daily", "time": LOCK_CHECK_TIME},
        )
    for sensor_id, seen in leaks.items():
        sensor = home.devices.get(sensor_id)
        if sensor is None:
            continue
        yield _Draft(
            kind="leak_alert",
            category=CATEGORY_SECURITY,
            # A leak seen even once is worth an alert.
            confidence=_evidence_confidence(len(seen), base=0.8, cap=0.95),
            text={"sensor": sensor.name, "count": str(len(seen)), "last": _last(seen)},
            conditions=[_state_is(sensor, "on")],
            actions=[{"type": "notification", "message": "{notice_leak}", "title": "RoomSense"}],
        )


def _comfort(events: Sequence[_Event], home: _Home) -> Iterable[_Draft]:
    return _thresholds(events, home, CATEGORY_COMFORT)


def _on_periods(events: Sequence[_Event], now: datetime) -> list[tuple[datetime, datetime]]:
    """(on, off) periods of one device from its power events in time order; still on: now."""
    periods: list[tuple[datetime, datetime]] = []
    since: datetime | None = None
    for event in events:
        power = _power(event)
        if power == "on" and since is None:
            since = event.at
        elif power == "off" and since is not None:
            periods.append((since, event.at))
            since = None
    if since is not None:
        periods.append((since, max(since, now)))
    return periods


def _energy(events: Sequence[_Event], home: _Home, now: datetime) -> Iterable[_Draft]:
    power_events: dict[str, list[_Event]] = defaultdict(list)
    motion_at: dict[str, list[datetime]] = defaultdict(list)
    for event in sorted(events, key=lambda event: event.at):
        if _power(event) is not None:
            power_events[event.device_id].append(event)
        if _motion(event):
            motion_at[event.device_id].append(event.at)
    for device_id, seen in power_events.items():
        device = home.devices.get(device_id)
        if device is None:
            continue
        if device.kind is DeviceKind.PLUG:
            yield from _long_on(device, _on_periods(seen, now))
        elif device.kind is DeviceKind.LIGHT:
            yield from _on_with_nobody(device, _on_periods(seen, now), home, motion_at)


def _long_on(device: DeviceInfo, periods: list[tuple[datetime, datetime]]) -> Iterable[_Draft]:
    long_periods = [(start, end) for start, end in periods if end - start >= LONG_ON]
    if not long_periods:
        return
    # Off the usual switch-on time plus the long-on threshold, rounded up to the half hour.
    usual_start = statistics.median_low(start.hour * 60 + start.minute for start, _ in long_periods)
    off_at = _clock(_round_up_half_hour(usual_start + LONG_ON.total_seconds() / 60))
    longest = max(end - start for start, end in long_periods).total_seconds() / 3600
    yield _Draft(
        kind="plug_long_on",
        category=CATEGORY_ENERGY,
        confidence=_evidence_confidence(len(long_periods), cap=0.85),
        text={
            "device": device.name,
            "count": str(len(long_periods)),
            "time": off_at,
            "hours": f"{LONG_ON.total_seconds() / 3600:g}",
            "longest": f"{round(longest, 1):g}",
        },
        conditions=[_state_is(device, "on")],
        actions=[_command(device, "turnOff")],
        schedule={"type": "daily", "time": off_at},
    )


def _on_with_nobody(
    light: DeviceInfo,
    periods: list[tuple[datetime, datetime]],
    home: _Home,
    motion_at: Mapping[str, list[datetime]],
) -> Iterable[_Draft]:
    sensor = next(
        (
            device
            for device in home.devices.values()
            if device.area is not None
            and device.area == light.area
            and _family(device) in _MOTION_FAMILIES
        ),
        None,
    )
    if sensor is None:
        return
    motions = motion_at.get(sensor.device_id, [])
    empty_since: list[int] = []
    for start, end in periods:
        last_seen = max((moment for moment in motions if start <= moment < end), default=start)
        if end - last_seen >= NOBODY_FOR:
            idle = last_seen + NOBODY_FOR
            empty_since.append(idle.hour * 60 + idle.minute)
    if not empty_since:
        return
    off_at = _clock(_round_up_half_hour(statistics.median_low(empty_since)))
    yield _Draft(
        kind="light_on_with_nobody",
        category=CATEGORY_ENERGY,
        confidence=_evidence_confidence(len(empty_since), cap=0.85),
        text={
            "light": light.name,
            "sensor": sensor.name,
            "count": str(len(empty_since)),
            "time": off_at,
        },
        conditions=[_state_is(light, "on"), _state_is(sensor, "off")],
        actions=[_command(light, "turnOff")],
        schedule={"type": "daily", "time": off_at},
    )


# Titles, descriptions and reasons: {placeholder}s come from the draft's `text`.
_TEXTS: Final[dict[str, dict[str, tuple[str, str, str]]]] = {
    "door_light": {
        "en": (
            "Light {light} when {sensor} opens after dark",
            "Turn on {light} when {sensor} opens after sunset.",
            "{sensor} opened {times} after dark, last at {last}.",
        ),
        "ja": (
            "暗くなってから{sensor}が開いたら{light}をつける",
            "日没後に{sensor}が開いたら{light}をつけます。",
            "暗い時間に{sensor}が{count}回開きました(最後は{last})。",
        ),
    },
    "night_motion_light": {
        "en": (
            "Soft light on motion at night: {light}",
            "Between 22:00 and 06:00, when {sensor} detects motion, turn on {light}{dim_en}.",
            "{sensor} detected motion {times} at night, last at {last}.",
        ),
        "ja": (
            "夜に{sensor}が動きを検知したら{light}を暗めにつける",
            "22時から6時の間に{sensor}が動きを検知したら{light}を{dim_ja}つけます。",
            "夜間に{sensor}が{count}回動きを検知しました(最後は{last})。",
        ),
    },
    "hot_cooling": {
        "en": (
            "Cool with {device} above {threshold}°C",
            "When {sensor} reads above {threshold}°C, turn on {device} cooling at {setpoint}°C.",
            "{sensor} read above {threshold}°C {times}, up to {peak}°C.",
        ),
        "ja": (
            "{threshold}℃を超えたら{device}で冷房",
            "{sensor}が{threshold}℃を超えたら{device}を冷房{setpoint}℃でつけます。",
            "{sensor}が{count}回{threshold}℃を超えました(最高{peak}℃)。",
        ),
    },
    "cold_heating": {
        "en": (
            "Heat with {device} below {threshold}°C",
            "When {sensor} reads below {threshold}°C, heat with {device} at {setpoint}°C.",
            "{sensor} read below {threshold}°C {times}, down to {peak}°C.",
        ),
        "ja": (
            "{threshold}℃を下回ったら{device}で暖房",
            "{sensor}が{threshold}℃を下回ったら{device}を暖房{setpoint}℃でつけます。",
            "{sensor}が{count}回{threshold}℃を下回りました(最低{peak}℃)。",
        ),
    },
    "unlocked_at_night": {
        "en": (
            "Remind me at {time} if {lock} is unlocked",
            "Every day at {time}, if {lock} is still unlocked, send a notification. "
            "Nothing is unlocked or locked automatically.",
            "{lock} was unlocked at night {times}, last at {last}.",
        ),
        "ja": (
            "{time}に{lock}が解錠されたままなら通知",
            "毎日{time}に{lock}が解錠のままなら通知します。自動で解錠・施錠はしません。",
            "夜間に{lock}が{count}回解錠されていました(最後は{last})。",
        ),
    },
    "leak_alert": {
        "en": (
            "Alert when {sensor} detects water",
            "When {sensor} detects a leak, send a notification.",
            "{sensor} detected water {times}, last at {last}.",
        ),
        "ja": (
            "{sensor}が水漏れを検知したら通知",
            "{sensor}が水漏れを検知したら通知します。",
            "{sensor}が{count}回水漏れを検知しました(最後は{last})。",
        ),
    },
    "dry_humidify": {
        "en": (
            "Humidify with {device} below {threshold}%",
            "When {sensor} reads below {threshold}% humidity, turn on {device}.",
            "{sensor} read below {threshold}% humidity {times}, down to {peak}%.",
        ),
        "ja": (
            "湿度{threshold}%未満で{device}をつける",
            "{sensor}の湿度が{threshold}%を下回ったら{device}をつけます。",
            "{sensor}の湿度が{count}回{threshold}%を下回りました(最低{peak}%)。",
        ),
    },
    "humid_dry_mode": {
        "en": (
            "Dehumidify with {device} above {threshold}%",
            "When {sensor} reads above {threshold}% humidity, run {device} in dry mode.",
            "{sensor} read above {threshold}% humidity {times}, up to {peak}%.",
        ),
        "ja": (
            "湿度{threshold}%超で{device}を除湿運転",
            "{sensor}の湿度が{threshold}%を超えたら{device}を除湿でつけます。",
            "{sensor}の湿度が{count}回{threshold}%を超えました(最高{peak}%)。",
        ),
    },
    "plug_long_on": {
        "en": (
            "Turn off {device} at {time}",
            "Every day at {time}, if {device} is still on, turn it off.",
            "{device} stayed on for over {hours} hours {times}, the longest {longest} h.",
        ),
        "ja": (
            "{time}に{device}を切る",
            "毎日{time}に{device}がオンのままなら切ります。",
            "{device}が{hours}時間以上オンのままのことが{count}回ありました(最長{longest}時間)。",
        ),
    },
    "light_on_with_nobody": {
        "en": (
            "Turn off {light} at {time} when nobody is there",
            "Every day at {time}, if {light} is on and {sensor} sees no motion, turn it off.",
            "{light} stayed on with no motion at {sensor} for over an hour {times}.",
        ),
        "ja": (
            "{time}に誰もいなければ{light}を消す",
            "毎日{time}に{light}がついていて{sensor}が動きを検知していなければ消します。",
            "{sensor}が動きを検知しないまま{light}が1時間以上ついていたことが{count}回ありました。",
        ),
    },
}
_NOTICES: Final[dict[str, dict[str, str]]] = {
    "notice_lock": {"en": "{lock} is still unlocked.", "ja": "{lock}が解錠されたままです。"},
    "notice_leak": {"en": "{sensor} detected water.", "ja": "{sensor}が水漏れを検知しました。"},
}
_DIMMED: Final[dict[str, dict[str, str]]] = {
    "dimmed": {"dim_en": " at {brightness}%", "dim_ja": "明るさ{brightness}%で"},
    "plain": {"dim_en": "", "dim_ja": ""},
}


def _render(draft: _Draft, language: str) -> tuple[str, str, str, list[dict[str, Any]]]:
    """Title, description, reason and the actions with their notification text filled in."""
    values = dict(draft.text)
    count = int(values.get("count", "0"))
    values["times"] = {1: "once", 2: "twice"}.get(count, f"{count} times")
    dimmed = _DIMMED.get(values.get("dimmed", "plain"), _DIMMED["plain"])
    values.update({key: text.format(**values) for key, text in dimmed.items()})
    title, description, reason = (text.format(**values) for text in _TEXTS[draft.kind][language])
    actions = []
    for action in draft.actions:
        message = action.get("message", "")
        if message.startswith("{") and message.strip("{}") in _NOTICES:
            notice = _NOTICES[message.strip("{}")][language].format(**values)
            action = {**action, "message": notice}
        actions.append(action)
    return title, description, reason, actions


def propose(
    events: Iterable[Mapping[str, Any]],
    *,
    snapshot: HomeSnapshot,
    rules: Sequence[Mapping[str, Any]],
    now: datetime,
    language: str = "en",
) -> list[dict[str, Any]]:
    """Rules worth suggesting from recent `events`, most confident first.

    `now` is the home's local time (aware): event times are read in its zone. Each proposal:
    `{id, title, description, category, confidence, reason, suggestion}`; `suggestion` is a
    workflow that `WORKFLOW_SCHEMA` accepts. Rules already saved (the same actions on the
    same kind of trigger) and suggestions that `validate` finds invalid or in conflict are
    left out.
    """
    if now.utcoffset() is None:
        raise ValueError("now needs its time zone")
    language = "ja" if language == "ja" else "en"
    home = _Home(snapshot)
    normalized = [
        event
        for raw in events
        if isinstance(raw, Mapping) and (event := _normalize(raw, now, home)) is not None
    ]
    drafts: list[_Draft] = [
        *_door_light(normalized, home),
        *_night_motion_light(normalized, home),
        *_climate(normalized, home),
        *_security(normalized, home),
        *_comfort(normalized, home),
        *_energy(normalized, home, now),
    ]
    existing = {_rule_signature(rule, exact=False) for rule in rules}
    proposals: dict[str, dict[str, Any]] = {}
    for draft in drafts:
        try:
            proposal = _proposal(draft, language)
        except probatio.Invalid:
            continue  # a name or value the schema refuses: no proposal rather than a bad one
        suggestion = proposal["suggestion"]
        if _rule_signature(suggestion, exact=False) in existing:
            continue
        check = validate(suggestion, snapshot=snapshot, rules=rules)
        if not check["valid"] or check["conflicts"]:
            continue
        kept = proposals.get(proposal["id"])
        if kept is None or kept["confidence"] < proposal["confidence"]:
            proposals[proposal["id"]] = proposal
    return sorted(
        proposals.values(),
        key=lambda item: (-item["confidence"], CATEGORIES.index(item["category"]), item["id"]),
    )


def _proposal(draft: _Draft, language: str) -> dict[str, Any]:
    title, description, reason, actions = _render(draft, language)
    devices = sorted(
        {str(item["device_id"]) for item in [*draft.conditions, *actions] if "device_id" in item}
    )
    # Stable while the same rule of thumb applies to the same devices, even when the evidence
    # moves a time or a count.
    identity = json.dumps([draft.kind, draft.category, devices], ensure_ascii=False)
    suggestion: dict[str, Any] = WORKFLOW_SCHEMA(
        {
            "name": title[:200],
            "description": description,
            "enabled": True,
            "conditions": draft.conditions,
            "actions": actions,
            "schedule": draft.schedule,
            "confidence": draft.confidence,
            "source": "pattern",
            "language": language,
        }
    )
    return {
        "id": hashlib.sha256(identity.encode()).hexdigest()[:16],
        "title": title,
        "description": description,
        "category": draft.category,
        "confidence": draft.confidence,
        "reason": reason,
        "suggestion": suggestion,
    }


# --- validation -----------------------------------------------------------------------------


def validate(
    suggestion: Any,
    *,
    snapshot: HomeSnapshot,
    rules: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """Whether a workflow may be saved as a rule, and what to tell the user about it.

    `{"valid", "errors", "warnings", "conflicts": [{"rule_id", "reason"}],
    "safety": {"safe", "issues"}}`. Valid: the schema accepts it, every device and scene it
    names exists, and it is safe (never an automatic unlock or garage opening). Conflicts
    (another rule sending the opposite command to the same device at an overlapping time,
    or the very same rule) do not make it invalid: the user decides.
    """
    home = _Home(snapshot)
    errors: list[str] = []
    warnings: list[str] = []
    workflow: Mapping[str, Any] | None = None
    if not isinstance(suggestion, Mapping):
        errors.append("a workflow is an object")
        suggestion = {}
    try:
        workflow = WORKFLOW_SCHEMA(dict(suggestion))
    except probatio.Invalid as err:
        errors.extend(_humanize(err))
    data = workflow if workflow is not None else suggestion
    actions = _items(data.get("actions"))
    conditions = _items(data.get("conditions"))

    for index, action in enumerate(actions):
        device_id = action.get("device_id")
        if action.get("type") == "device_command" and isinstance(device_id, str):
            if device_id not in home.devices:
                errors.append(f"actions[{index}]: unknown device {device_id}")
            else:
                found_errors, found_warnings = _command_checks(
                    home.devices[device_id], action, index
                )
                errors.extend(found_errors)
                warnings.extend(found_warnings)
        scene_id = action.get("scene_id")
        if (
            action.get("type") == "scene"
            and isinstance(scene_id, str)
            and scene_id not in home.scene_ids
        ):
            errors.append(f"actions[{index}]: unknown scene {scene_id}")
    for index, condition in enumerate(conditions):
        device_id = condition.get("device_id")
        if isinstance(device_id, str) and device_id not in home.devices:
            errors.append(f"conditions[{index}]: unknown device {device_id}")

    schedule = data.get("schedule")
    if (
        isinstance(schedule, Mapping)
        and schedule.get("type") == "interval"
        and (minutes := _number(schedule.get("minutes"))) is not None
        and minutes < MIN_QUOTA_FRIENDLY_INTERVAL
        and any(action.get("type") == "device_command" for action in actions)
    ):
        warnings.append(
            f"runs every {minutes:g} min: each run is a SwitchBot cloud call, and the account "
            f"has 10,000 a day; {MIN_QUOTA_FRIENDLY_INTERVAL} minutes or more is kinder"
        )

    issues = _safety_issues(actions, home)
    errors.extend(f"unsafe: {issue}" for issue in issues)
    conflicts = _conflicts(data, rules, home) if actions else []
    return {
        "valid": not errors,
        "errors": errors,
        "warnings": warnings,
        "conflicts": conflicts,
        "safety": {"safe": not issues, "issues": issues},
    }


def _items(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _humanize(err: probatio.Invalid) -> list[str]:
    """Schema errors as "actions[0].command: required key not provided"."""
    found = err.errors if isinstance(err, probatio.MultipleInvalid) else [err]
    messages = []
    for error in found:
        where = ""
        for part in error.path:
            where += f"[{part}]" if isinstance(part, int) else f".{part}" if where else str(part)
        messages.append(f"{where}: {error.msg}" if where else str(error.msg))
    return messages


def _command_checks(
    device: DeviceInfo, action: Mapping[str, Any], index: int
) -> tuple[list[str], list[str]]:
    """(errors, warnings) of one device command."""
    command = str(action.get("command", ""))
    parameter = action.get("parameter", "default")
    where = f"actions[{index}]"
    if device.kind is DeviceKind.SENSOR:
        return [], [f"{where}: {device.name} is a sensor and takes no commands"]
    if not _is_cooler(device):
        return [], []
    if command == "turnOn":
        return [], [
            f"{where}: turns {device.name} on without a temperature: it starts at its last "
            'setting; setAll "26,2,1,on" says which'
        ]
    if command == "setAll":
        fields = str(parameter).split(",")
        setpoint = _number(fields[0]) if len(fields) == 4 else None
        if setpoint is None or fields[3].strip() not in ("on", "off"):
            # The cloud refuses it (statusCode 160): it could never run.
            return [f'{where}: setAll takes "temperature,mode,fan,on|off", e.g. "26,2,1,on"'], []
        low, high = AC_SETPOINT_RANGE
        if not low <= setpoint <= high:
            return [], [f"{where}: {setpoint:g}°C is outside the usual {low}-{high}°C"]
    return [], []


def _safety_issues(actions: Sequence[Mapping[str, Any]], home: _Home) -> list[str]:
    """What in these actions would let someone in without a person deciding it."""
    issues: list[str] = []
    for index, action in enumerate(actions):
        kind = action.get("type")
        command = str(action.get("command", ""))
        where = f"actions[{index}]"
        if kind == "device_command":
            device = home.devices.get(str(action.get("device_id", "")))
            if device is None:
                if command in _UNLOCKING - {"open"}:
                    issues.append(f"{where}: {command} is never run automatically")
            elif _is_lock(device) and command in _UNLOCKING:
                issues.append(f"{where}: an automation never unlocks {device.name} ({command})")
            elif _is_garage(device) and command in _GARAGE_OPENING:
                issues.append(f"{where}: an automation never opens {device.name} ({command})")
        elif kind == "service":
            service = str(action.get("service", ""))
            payload = json.dumps(
                [action.get("data"), action.get("target")], default=str, ensure_ascii=False
            ).lower()
            data = action.get("data")
            sent = data.get("command") if isinstance(data, Mapping) else None
            if service in _UNSAFE_SERVICES:
                issues.append(f"{where}: an automation never calls {service}")
            elif service in _COVER_OPENING_SERVICES and "garage" in payload:
                issues.append(f"{where}: an automation never opens a garage ({service})")
            elif sent in _UNLOCKING - {"open"}:
                issues.append(f"{where}: {sent} is never run automatically")
    return issues


# --- conflicts ------------------------------------------------------------------------------

type _Intervals = list[tuple[int, int]]
_ALL_DAYS: Final = frozenset(range(7))
_WHOLE_DAY: Final[tuple[tuple[int, int], ...]] = ((0, 24 * 60),)

# What a command does to its device, to tell opposite commands apart.
_DIRECTIONS: Final[dict[str, str]] = {
    "turnOn": "on", "turnOff": "off", "setBrightness": "on", "setColor": "on",
    "setColorTemperature": "on", "lock": "lock", "unlock": "unlock", "deadbolt": "unlock",
    "unlatch": "unlock", "fullyOpen": "open", "closeDown": "close", "closeUp": "close",
    "open": "open", "close": "close", "start": "start", "startClean": "start",
    "stop": "stop", "pause": "stop", "dock": "stop",
}  # fmt: skip
_OPPOSITE: Final = {
    "on": "off", "off": "on", "lock": "unlock", "unlock": "lock", "open": "close",
    "close": "open", "start": "stop", "stop": "start",
}  # fmt: skip


def _direction(action: Mapping[str, Any]) -> str | None:
    command = str(action.get("command", ""))
    if command == "setAll":
        power = str(action.get("parameter", "")).rsplit(",", 1)[-1].strip().lower()
        return power if power in ("on", "off") else None
    return _DIRECTIONS.get(command)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _clock_or_raw(value: Any) -> Any:
    try:
        return clock_time(value)
    except probatio.Invalid:
        return value


def _rule_signature(rule: Mapping[str, Any], *, exact: bool) -> tuple[str, str]:
    """(actions, trigger) of a rule, for telling duplicates.

    Exact: every value counts. Not exact (a proposal against saved rules): a threshold or a
    time window may differ, the rule still does the same thing on the same kind of trigger.
    """
    actions = []
    for action in _items(rule.get("actions")):
        kind = action.get("type")
        if kind == "device_command":
            actions.append(
                [
                    kind,
                    action.get("device_id"),
                    action.get("command"),
                    _canonical(action.get("parameter", "default")),
                ]
            )
        elif kind == "scene":
            actions.append([kind, action.get("scene_id")])
        elif kind == "service":
            actions.append([kind, action.get("service"), _canonical(action.get("data") or {})])
        else:
            actions.append([str(kind)])  # one notification is as good as another
    trigger = []
    for condition in _items(rule.get("conditions")):
        kind = condition.get("type")
        part = [kind, condition.get("device_id"), condition.get("entity_id")]
        part += [condition.get("attribute"), condition.get("operator", "equals")]
        if exact or kind == "device_state":
            value = condition.get("value")
            part.append(
                [_clock_or_raw(item) for item in value] if isinstance(value, list) else value
            )
        trigger.append(_canonical(part))
    schedule = rule.get("schedule")
    if isinstance(schedule, Mapping):
        described = {key: schedule.get(key) for key in ("type", "days", "minutes", "at")}
        if exact or schedule.get("type") != "daily":
            described["time"] = _clock_or_raw(schedule.get("time"))
        trigger.append(_canonical(described))
    return (_canonical(sorted(_canonical(item) for item in actions)), _canonical(sorted(trigger)))


def _around(minute: int, margin: float) -> _Intervals:
    return _wrap(math.floor(minute - margin), math.ceil(minute + margin))


def _wrap(start: int, end: int) -> _Intervals:
    """[start, end) minutes, split where it crosses midnight."""
    day = 24 * 60
    if end - start >= day:
        return list(_WHOLE_DAY)
    start %= day
    end %= day
    if start < end:
        return [(start, end)]
    return [(start, day), (0, end)] if end > 0 else [(start, day)]


def _intersect(first: _Intervals, second: _Intervals) -> _Intervals:
    return [(max(a, c), min(b, d)) for a, b in first for c, d in second if max(a, c) < min(b, d)]


def _minutes(value: Any) -> int | None:
    try:
        hours, minutes = clock_time(value).split(":")
    except probatio.Invalid:
        return None
    return int(hours) * 60 + int(minutes)


def _active(rule: Mapping[str, Any]) -> tuple[frozenset[int], _Intervals]:
    """The weekdays and the times of day a rule may act at."""
    days = _ALL_DAYS
    intervals: _Intervals = list(_WHOLE_DAY)
    schedule = rule.get("schedule")
    if isinstance(schedule, Mapping):
        kind = schedule.get("type")
        if kind in ("daily", "weekly") and (minute := _minutes(schedule.get("time"))) is not None:
            intervals = _around(minute, SAME_TIME_MARGIN)
            if kind == "weekly":
                days = frozenset(
                    WEEKDAYS.index(day) for day in schedule.get("days") or [] if day in WEEKDAYS
                )
        elif kind == "once":
            try:
                moment = datetime.fromisoformat(str(schedule.get("at")))
            except ValueError:
                moment = None
            if moment is not None:
                days = frozenset({moment.weekday()})
                intervals = _around(moment.hour * 60 + moment.minute, SAME_TIME_MARGIN)
    for condition in _items(rule.get("conditions")):
        if condition.get("type") != "time":
            continue
        operator, value = condition.get("operator"), condition.get("value")
        tolerance = _number(condition.get("tolerance")) or 0.0
        window: _Intervals | None = None
        if operator == "between" and isinstance(value, list | tuple) and len(value) == 2:
            start, end = _minutes(value[0]), _minutes(value[1])
            if start is not None and end is not None:
                window = _wrap(start, end if end > start else end + 24 * 60)
        elif (minute := _minutes(value)) is not None:
            if operator == "after":
                window = [(minute, 24 * 60)]
            elif operator == "before":
                window = [(0, minute)]
            elif operator == "equals":
                window = _around(minute, max(tolerance, 1.0))
        if window is not None:
            intervals = _intersect(intervals, window)
    return days, intervals


def _exclusive(first: Mapping[str, Any], second: Mapping[str, Any]) -> bool:
    """Whether two rules' conditions can never hold at once (a door open / closed)."""
    for one in _items(first.get("conditions")):
        for other in _items(second.get("conditions")):
            kind = one.get("type")
            source = ("device_id", "entity_id", "attribute")
            if kind != other.get("type") or any(one.get(k) != other.get(k) for k in source):
                continue
            if kind == "device_state":
                same = str(one.get("value")).casefold() == str(other.get("value")).casefold()
                operators = {one.get("operator", "equals"), other.get("operator", "equals")}
                if (operators == {"equals"} and not same) or (
                    operators == {"equals", "not_equals"} and same
                ):
                    return True
            elif kind in ("temperature", "humidity"):
                # "above 28" and "below 20" never hold together; two "above"s may.
                thresholds = {c.get("operator"): _number(c.get("value")) for c in (one, other)}
                above, below = thresholds.get("above"), thresholds.get("below")
                if above is not None and below is not None and above >= below:
                    return True
    return False


def _conflicts(
    workflow: Mapping[str, Any], rules: Sequence[Mapping[str, Any]], home: _Home
) -> list[dict[str, Any]]:
    conflicts: list[dict[str, Any]] = []
    signature = _rule_signature(workflow, exact=True)
    days, intervals = _active(workflow)
    commands = [
        action
        for action in _items(workflow.get("actions"))
        if action.get("type") == "device_command"
    ]
    for rule in rules:
        rule_id = str(rule.get("id", ""))
        label = str(rule.get("name") or rule_id)
        if _rule_signature(rule, exact=True) == signature:
            conflicts.append({"rule_id": rule_id, "reason": f'the same rule as "{label}"'})
            continue
        if rule.get("enabled", True) is False or _exclusive(workflow, rule):
            continue
        rule_days, rule_intervals = _active(rule)
        if not days & rule_days or not _intersect(intervals, rule_intervals):
            continue
        for action in commands:
            direction = _direction(action)
            if direction is None:
                continue
            clash = next(
                (
                    other
                    for other in _items(rule.get("actions"))
                    if other.get("type") == "device_command"
                    and other.get("device_id") == action.get("device_id")
                    and _direction(other) == _OPPOSITE.get(direction)
                ),
                None,
            )
            if clash is not None:
                device = home.name(str(action.get("device_id")))
                conflicts.append(
                    {
                        "rule_id": rule_id,
                        "reason": f'"{label}" sends {clash.get("command")} to {device} at an '
                        f"overlapping time; this sends {action.get('command')}",
                    }
                )
                break
    return conflicts
