"""What the patterns make of a sentence (`Reading`) and what the parser answers (the result)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...home_model import Language


@dataclass(frozen=True, slots=True)
class WorkflowParseResult:
    """What a sentence became: a workflow (or None) and what to tell the user."""

    success: bool
    workflow: dict[str, Any] | None
    message: str
    confidence: float
    suggestions: list[str] = field(default_factory=list)
    # The sentence says when or under which condition: it asks for a rule, not for an
    # action now (even when no valid rule came of it).
    timing: bool = False


@dataclass(slots=True)
class Reading:
    """Everything the patterns made of one sentence, before it is judged."""

    language: Language
    text: str
    schedule: dict[str, Any] | None = None
    conditions: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Replies of the command parser for pieces it could not act on ("which light?").
    action_problems: list[str] = field(default_factory=list)
    default_time: bool = False
    schedule_conflict: bool = False
    no_sensor: set[str] = field(default_factory=set)
    ac_without_setpoint: bool = False
    # (position, phrase) of what says when, and the requests acted on, for the rule's name.
    trigger_phrases: list[tuple[int, str]] = field(default_factory=list)
    request_phrases: list[str] = field(default_factory=list)
    name: str = ""
    leftover: int = 0
    total: int = 1
