"""A proposal before it is checked, and the pieces every rule of thumb builds one from."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...home_model import HomeDevice
from .const import Category
from .events import _Event


@dataclass(slots=True)
class _Draft:
    """A proposal before it is checked against the rules and the schema."""

    kind: str  # which rule of thumb made it: part of its id
    category: Category
    confidence: float
    text: Mapping[str, str]  # placeholders of its title, description and reason
    conditions: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    schedule: dict[str, Any] | None = None
    # Home Assistant integrations the rule needs loaded, such as "sun" for sun.sun.
    requires: tuple[str, ...] = ()


def _evidence_confidence(count: int, *, base: float = 0.5, cap: float = 0.9) -> float:
    """Confidence from how often the evidence was seen: `base` once, +0.1 each time, capped.

    One observation is a hint (0.5); five make a habit (0.9).
    """
    return round(min(cap, base + 0.1 * (count - 1)), 2)


def _command(device: HomeDevice, command: str, parameter: Any = "default") -> dict[str, Any]:
    return {
        "type": "device_command",
        "device_id": device.device_id,
        "command": command,
        "parameter": parameter,
    }


def _state_is(device: HomeDevice, value: str) -> dict[str, Any]:
    return {"type": "device_state", "device_id": device.device_id, "value": value}


def _clock(minute: int) -> str:
    minute %= 24 * 60
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _round_up_half_hour(minute: float) -> int:
    return int(math.ceil(minute / 30) * 30) % (24 * 60)


def _last(events: Sequence[_Event]) -> str:
    return max(event.at for event in events).strftime("%H:%M")


def _by_device(events: Iterable[_Event], keep: Callable[[_Event], bool]) -> dict[str, list[_Event]]:
    """The events `keep` accepts, grouped by device in the order the devices first show up."""
    found: dict[str, list[_Event]] = defaultdict(list)
    for event in events:
        if keep(event):
            found[event.device_id].append(event)
    return found


def _evidence_text(seen: Sequence[_Event]) -> dict[str, str]:
    """The placeholders of a rule drawn from events: how often they were seen, the last time."""
    return {"count": str(len(seen)), "last": _last(seen)}
