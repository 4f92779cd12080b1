"""Security proposals: a reminder for a lock left open at night, an alert for a leak."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .const import LOCK_CHECK_TIME, LOCK_NIGHT_HOURS, Category
from .drafts import _by_device, _Draft, _evidence_confidence, _evidence_text, _state_is
from .events import _Event, _in_hours, _leak, _unlocked
from .home import _Home, _is_lock


def _security(events: Sequence[_Event], home: _Home) -> Iterable[_Draft]:
    unlocked = _by_device(
        events,
        lambda event: _in_hours(event.minute, LOCK_NIGHT_HOURS) and _unlocked(event, home),
    )
    for lock_id, seen in unlocked.items():
        lock = home.devices.get(lock_id)
        if lock is None or not _is_lock(lock):
            continue
        yield _Draft(
            kind="unlocked_at_night",
            category=Category.SECURITY,
            confidence=_evidence_confidence(len(seen), base=0.6),
            text={"lock": lock.name, **_evidence_text(seen), "time": LOCK_CHECK_TIME},
            # A reminder only: the home never locks or unlocks by itself on this rule.
            conditions=[_state_is(lock, "unlocked")],
            actions=[{"type": "notification", "message": "{notice_lock}", "title": "RoomSense"}],
            schedule={"type": "daily", "time": LOCK_CHECK_TIME},
        )
    for sensor_id, seen in _by_device(events, _leak).items():
        sensor = home.devices.get(sensor_id)
        if sensor is None:
            continue
        yield _Draft(
            kind="leak_alert",
            category=Category.SECURITY,
            # A leak seen even once is worth an alert.
            confidence=_evidence_confidence(len(seen), base=0.8, cap=0.95),
            text={"sensor": sensor.name, **_evidence_text(seen)},
            conditions=[_state_is(sensor, "on")],
            actions=[{"type": "notification", "message": "{notice_leak}", "title": "RoomSense"}],
        )
