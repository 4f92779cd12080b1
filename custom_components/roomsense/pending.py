"""Questions waiting for the user's answer: one per conversation, for 60 s at most.

The agent holds a dangerous command until the user says yes, a parsed rule until they
confirm it, and a "which one?" until they pick; all three are held the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final

HELD_SECONDS: Final = 60.0


@dataclass(frozen=True, slots=True)
class _Held[T]:
    value: T
    expires: float


class PendingAnswers[T]:
    """One value per conversation waiting for the user's answer (60 s at most)."""

    def __init__(self) -> None:
        """Nothing waits yet."""
        self._pending: dict[str, _Held[T]] = {}

    def ask(self, conversation_id: str, value: T) -> None:
        """Hold `value` until the user answers (or 60 s pass); it replaces any held before."""
        self._pending[conversation_id] = _Held(value, time.monotonic() + HELD_SECONDS)

    def pending(self, conversation_id: str) -> bool:
        """Whether something still waits for this conversation's answer."""
        held = self._pending.get(conversation_id)
        if held is not None and held.expires < time.monotonic():
            del self._pending[conversation_id]
            return False
        return held is not None

    def take(self, conversation_id: str) -> T | None:
        """The waiting value, removed; None when there is none (or it expired)."""
        if not self.pending(conversation_id):
            return None
        return self._pending.pop(conversation_id).value

    def cancel(self, conversation_id: str) -> bool:
        """Forget the waiting value; True when there was one."""
        return self._pending.pop(conversation_id, None) is not None
