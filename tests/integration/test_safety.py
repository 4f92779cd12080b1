"""The pure rules of safety: what is dangerous, when night mode holds, who may reach what."""

from __future__ import annotations

from datetime import datetime

import pytest

from custom_components.roomsense import catalog
from custom_components.roomsense.home_model import DeviceKind
from custom_components.roomsense.safety import (
    Confirmations,
    PendingAction,
    is_dangerous,
    night_mode_active,
    user_permissions,
)


@pytest.mark.parametrize(
    ("device_type", "command", "listed", "dangerous"),
    [
        ("Smart Lock Pro", "unlock", (), True),
        ("Smart Lock Pro", "deadbolt", (), True),
        ("Smart Lock Pro", "lock", (), False),
        ("Garage Door Opener", "turnOn", (), True),
        ("Garage Door Opener", "turnOff", (), False),
        ("Color Bulb", "turnOn", (), False),
        ("Plug Mini (JP)", "turnOn", ("Plug Mini (JP):turnOn",), True),
        ("Plug Mini (JP)", "turnOn", ("ABC:turnOn",), True),
        ("Plug Mini (JP)", "turnOff", ("turnOn",), False),
    ],
)
def test_dangerous_commands(
    device_type: str, command: str, listed: tuple[str, ...], dangerous: bool
) -> None:
    assert is_dangerous("ABC", device_type, command, listed) is dangerous


def test_unlocking() -> None:
    assert catalog.is_unlocking_command("Lock Lite", "unlock")
    assert catalog.is_unlocking_command("Garage Door Opener", "turnOn")
    assert not catalog.is_unlocking_command("Smart Lock", "lock")


@pytest.mark.parametrize(
    ("start", "end", "hour", "active"),
    [
        ("22:00", "06:00", 23, True),
        ("22:00", "06:00", 3, True),
        ("22:00", "06:00", 6, False),
        ("22:00", "06:00", 12, False),
        ("01:00", "05:00", 2, True),
        ("01:00", "05:00", 0, False),
        (None, "05:00", 2, False),
        (23, 5, 23, True),
    ],
)
def test_night_mode_hours(start: object, end: object, hour: int, active: bool) -> None:
    now = datetime(2026, 11, 21, hour, 30)
    options = {"night_mode_start": start, "night_mode_end": end}
    assert night_mode_active(options, now) is active


def test_permissions() -> None:
    options = {"permissions": {"kid": {"categories": ["light"], "areas": ["kids_room"]}}}
    kid = user_permissions(options, "kid")
    assert kid.allows(DeviceKind.LIGHT, "kids_room")
    assert not kid.allows(DeviceKind.LIGHT, "living_room")
    assert not kid.allows(DeviceKind.LOCK, "kids_room")
    assert user_permissions(options, "parent").allows(DeviceKind.LOCK, None)
    assert user_permissions(options, None).allows(DeviceKind.LOCK, None)


def test_a_confirmation_is_taken_once() -> None:
    confirmations = Confirmations()
    confirmations.ask("conversation", PendingAction("LOCK", "unlock", "default", "command"))
    pending = confirmations.take("conversation")
    assert pending is not None
    assert pending.command == "unlock"
    assert confirmations.take("conversation") is None
    assert confirmations.take("other") is None


def test_a_confirmation_expires_after_60_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr("custom_components.roomsense.pending.time.monotonic", lambda: clock[0])
    confirmations = Confirmations()
    confirmations.ask("conversation", PendingAction("LOCK", "unlock", "default", "command"))
    clock[0] += 61
    assert confirmations.take("conversation") is None
