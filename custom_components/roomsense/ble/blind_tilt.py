"""The Blind Tilt's two scales: the tilt it advertises and the Open API's position.

PySwitchbot's `tilt` (with `reverse_mode` off, as the device advertises it) is one scale
through both shut ends: 0 shut downwards, 50 open (slats level), 100 shut upwards. The Open
API (reference §5.15) gives the way the slats lean and how open they are that way: "down;0"
shut downwards (closeDown), "up;0" shut upwards (closeUp), 100 open either way (fullyOpen),
even positions only.

Arithmetic alone: nothing here imports PySwitchbot or Home Assistant, so the demo's
Bluetooth twin of a Blind Tilt converts with it too.
"""

from __future__ import annotations

from typing import Final

# The advertised tilt of level (open) slats.
TILT_OPEN: Final = 50


def tilt_of(direction: str, position: int) -> int:
    """The advertised tilt of an Open API direction ("up" or "down") and position (0-100)."""
    shut_by = TILT_OPEN - position // 2
    return TILT_OPEN + shut_by if direction == "up" else TILT_OPEN - shut_by


def position_of(tilt: int) -> tuple[int, str | None]:
    """The Open API position of an advertised tilt, and the way the slats lean.

    Level slats lean neither way (None): the direction last known stands.
    """
    position = 100 - 2 * abs(tilt - TILT_OPEN)
    if tilt == TILT_OPEN:
        return position, None
    return position, "up" if tilt > TILT_OPEN else "down"
