"""Device events in any accepted shape, normalized, and what each one says."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from ... import catalog
from ...catalog import Family
from ...home_model import DeviceKind
from ...push import status_from_context
from .home import _MOTION_FAMILIES, _Home
from .values import _letters, _number, _truthy

_ENVELOPE_KEYS: Final = frozenset(
    {
        "device_id", "deviceId", "deviceMac", "device_type", "deviceType", "event_type",
        "eventType", "eventVersion", "timestamp", "time", "time_of_sample", "timeOfSample",
        "changed", "context", "state", "id", "user_id", "userId", "source", "value",
    }
)  # fmt: skip


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


def _in_hours(minute: int, hours: tuple[int, int]) -> bool:
    start, end = hours
    return start <= minute < end if start < end else minute >= start or minute < end


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
