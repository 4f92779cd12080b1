"""Energy proposals: a plug left on for hours, a light on in an empty room."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ...home_model import DeviceKind, HomeDevice
from .const import LONG_ON, NOBODY_FOR, Category
from .drafts import _clock, _command, _Draft, _evidence_confidence, _round_up_half_hour, _state_is
from .events import _Event, _motion, _power
from .home import _MOTION_FAMILIES, _family, _Home


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


def _long_on(device: HomeDevice, periods: list[tuple[datetime, datetime]]) -> Iterable[_Draft]:
    long_periods = [(start, end) for start, end in periods if end - start >= LONG_ON]
    if not long_periods:
        return
    # Off the usual switch-on time plus the long-on threshold, rounded up to the half hour.
    usual_start = statistics.median_low(start.hour * 60 + start.minute for start, _ in long_periods)
    off_at = _clock(_round_up_half_hour(usual_start + LONG_ON.total_seconds() / 60))
    longest = max(end - start for start, end in long_periods).total_seconds() / 3600
    yield _daily_turn_off(
        "plug_long_on",
        device,
        off_at,
        evidence=len(long_periods),
        text={
            "device": device.name,
            "hours": f"{LONG_ON.total_seconds() / 3600:g}",
            "longest": f"{round(longest, 1):g}",
        },
        conditions=[_state_is(device, "on")],
    )


def _on_with_nobody(
    light: HomeDevice,
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
    yield _daily_turn_off(
        "light_on_with_nobody",
        light,
        off_at,
        evidence=len(empty_since),
        text={"light": light.name, "sensor": sensor.name},
        conditions=[_state_is(light, "on"), _state_is(sensor, "off")],
    )


def _daily_turn_off(
    kind: str,
    device: HomeDevice,
    off_at: str,
    *,
    evidence: int,
    text: Mapping[str, str],
    conditions: list[dict[str, Any]],
) -> _Draft:
    """An energy rule: every day at `off_at`, `device` off if `conditions` hold.

    `evidence` is how many times it was left on; `text`, the rule's own placeholders.
    """
    return _Draft(
        kind=kind,
        category=Category.ENERGY,
        confidence=_evidence_confidence(evidence, cap=0.85),
        text={**text, "count": str(evidence), "time": off_at},
        conditions=conditions,
        actions=[_command(device, "turnOff")],
        schedule={"type": "daily", "time": off_at},
    )
