"""Automations by voice: the agent turns "every morning at 7 ..." into a rule, once confirmed.

Said to Assist, 「毎朝7時にリビングの電気をつけて」 asks for a rule, not for the light now. The
agent parses it (with the model when there is one, else the patterns), tells the user what
the rule will do and saves it only on an explicit yes within 60 s.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Final, Literal

from ..language_models import ToolSpec

type Language = Literal["ja", "en"]

TOOL_NAME: Final = "create_automation"
CONFIRM_SECONDS: Final = 60.0

TOOL_SPEC: Final = ToolSpec(
    TOOL_NAME,
    "Create an automation rule when the user wants something to happen later, repeatedly "
    "or under a condition (e.g. every morning at 7, in 10 minutes, when it gets hotter "
    "than 28 degrees). Pass the user's own words; do not act on the devices now. The rule "
    "is saved only after the user confirms.",
    {
        "type": "object",
        "properties": {
            "request": {"type": "string", "description": "What the user asked, as said."}
        },
        "required": ["request"],
    },
)

TEXT: Final[dict[str, dict[Language, str]]] = {
    "ask": {
        "ja": "次の自動化を作ります: {summary} よければ60秒以内に「はい」と答えてください。",
        "en": "I'll create this automation: {summary} Say yes within 60 seconds to save it.",
    },
    "saved": {
        "ja": "自動化「{name}」を保存しました。",
        "en": 'Saved the automation "{name}".',
    },
}


@dataclass(frozen=True, slots=True)
class _Held[T]:
    value: T
    expires: float


class PendingAnswers[T]:
    """One question per conversation waiting for the user's answer (60 s at most)."""

    def __init__(self) -> None:
        """Nothing waits yet."""
        self._pending: dict[str, _Held[T]] = {}

    def ask(self, conversation_id: str, value: T) -> None:
        """Hold `value` until the user answers (or 60 s pass)."""
        self._pending[conversation_id] = _Held(value, time.monotonic() + CONFIRM_SECONDS)

    def pending(self, conversation_id: str) -> bool:
        """Whether something waits for this conversation's answer."""
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

    def cancel(self, conversation_id: str) -> None:
        """Forget the waiting value."""
        self._pending.pop(conversation_id, None)


class PendingWorkflows(PendingAnswers[dict[str, Any]]):
    """One workflow per conversation waiting for the user's yes."""
