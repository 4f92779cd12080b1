"""Automations by voice: the agent turns "every morning at 7 ..." into a rule, once confirmed.

Said to Assist, 「毎朝7時にリビングの電気をつけて」 asks for a rule, not for the light now. The
agent parses it (with the model when there is one, else the patterns), tells the user what
the rule will do and saves it only on an explicit yes within 60 s.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from ..language_models import ToolSpec
from ..pending import PendingAnswers

type Language = Literal["ja", "en"]

TOOL_NAME: Final = "create_automation"

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


class PendingWorkflows(PendingAnswers[dict[str, Any]]):
    """One workflow per conversation waiting for the user's yes."""
