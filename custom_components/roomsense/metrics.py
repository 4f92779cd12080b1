"""Conversation metrics: how often a turn did what was asked, and how long it took."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

WINDOW: Final = 100


@dataclass
class ConversationMetrics:
    """The last 100 turns of every RoomSense agent."""

    turns: deque[tuple[bool, float]] = field(default_factory=lambda: deque(maxlen=WINDOW))
    listeners: list[Callable[[], None]] = field(default_factory=list)

    def record(self, *, acted: bool, seconds: float) -> None:
        """Count one turn and tell the sensors."""
        self.turns.append((acted, seconds))
        for listener in list(self.listeners):
            listener()

    @property
    def success_rate(self) -> float | None:
        """Percent of turns that did what was asked (acted or answered)."""
        if not self.turns:
            return None
        return round(100 * sum(acted for acted, _ in self.turns) / len(self.turns), 1)

    def latency_ms(self, fraction: float) -> float | None:
        """A percentile of the turn time, in milliseconds."""
        if not self.turns:
            return None
        ordered = sorted(seconds for _, seconds in self.turns)
        return round(1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 1)
