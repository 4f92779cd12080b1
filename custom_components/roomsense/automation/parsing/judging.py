"""Judging a reading: the workflow it makes (checked by the schema) or why it makes none."""

from __future__ import annotations

from typing import Any, Final

import probatio

from ..models import WORKFLOW_SCHEMA
from . import messages as msg
from .condition_tables import CONDITION_WORDS
from .describing import Describer
from .naming import name_from_sentence
from .results import Reading, WorkflowParseResult

# Pattern reading never claims the model's certainty.
PATTERN_CONFIDENCE_MAX: Final = 0.85
FAILED_CONFIDENCE_MAX: Final = 0.35


def judge(reading: Reading, describer: Describer) -> WorkflowParseResult:
    """The workflow the reading makes, or why none, with what to tell the user."""
    language = reading.language
    suggestions = _suggestions(reading)
    confidence = _confidence(reading)
    failure = _failure(reading, describer)
    if failure is not None:
        # No rule: whatever was understood, the result is not one to rely on.
        confidence = min(confidence, FAILED_CONFIDENCE_MAX)
        return WorkflowParseResult(False, None, failure, confidence, suggestions)
    workflow: dict[str, Any] = {
        "name": reading.name or name_from_sentence(reading.text, language),
        "description": reading.text,
        "enabled": True,
        "conditions": reading.conditions,
        "actions": reading.actions,
        "schedule": reading.schedule,
        "confidence": confidence,
        "suggestions": suggestions,
        "source": "pattern",
        "language": language,
    }
    try:
        validated: dict[str, Any] = WORKFLOW_SCHEMA(workflow)
    except probatio.Invalid as err:
        message = msg.INVALID[language].format(error=err)
        return WorkflowParseResult(False, None, message, confidence, suggestions)
    message = describer.describe(validated, language, reading.replies)
    if reading.dropped:
        message += msg.DANGER_NOTE[language].format(what="、".join(reading.dropped))
    for piece in reading.unknown:
        message += msg.UNKNOWN_NOTE[language].format(piece=piece)
    return WorkflowParseResult(True, validated, message, confidence, suggestions)


def _failure(reading: Reading, describer: Describer) -> str | None:
    """Why no workflow can be made, in the sentence's language; None when one can."""
    language = reading.language
    ja = language == "ja"
    parts: list[str] = []
    if reading.schedule_conflict:
        parts.append(msg.TWO_TIMES[language])
    for problem in reading.problems:
        kind, _, detail = problem.partition(":")
        if kind == "ambiguous":
            parts.append(msg.AMBIGUOUS[language].format(choices=detail))
        elif kind == "no_device":
            parts.append(msg.NO_DEVICE_CONDITION[language])
        elif kind == "pronoun":
            parts.append(msg.PRONOUN[language])
        elif kind == "bad_time":
            parts.append(msg.BAD_TIME[language].format(phrase=detail))
        elif kind == "bad_interval":
            parts.append(msg.BAD_INTERVAL[language].format(minutes=detail))
        elif kind == "past":
            parts.append(msg.PAST[language].format(time=detail))
        else:
            parts.append(msg.UNKNOWN_CONDITION[language].format(clause=detail))
    for piece in reading.unknown:
        if CONDITION_WORDS.search(piece):
            # "… on cold days": a condition not understood; the rule would ignore it.
            parts.append(msg.UNREAD_CONDITION[language].format(piece=piece))
    if clashing := _clashing_devices(reading.actions, describer):
        parts.append(msg.CLASH[language].format(names="、".join(clashing)))
    if not reading.actions and reading.dropped:
        parts.append(msg.DANGER_ONLY[language].format(what="、".join(reading.dropped)))
    elif not reading.actions:
        parts.append(msg.NO_ACTION[language])
        parts.extend(reading.action_problems[:1])
    if reading.schedule is None and not reading.conditions and not _time_problem(reading):
        parts.append(msg.NO_TRIGGER[language])
    if not parts:
        return None
    return ("" if ja else " ").join(part.strip() for part in parts)


def _clashing_devices(actions: list[dict[str, Any]], describer: Describer) -> list[str]:
    """Devices asked for two different things ("冷房26度" and "暖房22度").

    A wrong rule is worse than none.
    """
    seen: dict[tuple[str, str], Any] = {}
    clashing: list[str] = []
    for action in actions:
        if action["type"] != "device_command":
            continue
        device_id, command = action["device_id"], action["command"]
        opposite = {"turnOn": "turnOff", "turnOff": "turnOn"}.get(command)
        earlier = seen.setdefault((device_id, command), action["parameter"])
        if earlier != action["parameter"] or (device_id, opposite) in seen:
            clashing.append(describer.device_name(device_id, "ja"))
    return list(dict.fromkeys(clashing))


def _suggestions(reading: Reading) -> list[str]:
    language = reading.language
    found: list[str] = []
    if reading.schedule is None and not reading.conditions and not _time_problem(reading):
        found.append(msg.SUGGEST_WHEN[language])
    if not reading.actions:
        found.append(msg.SUGGEST_WHAT[language])
    if reading.ac_without_setpoint:
        found.append(msg.SUGGEST_SETPOINT[language])
    if reading.default_time:
        found.append(msg.SUGGEST_TIME[language])
    for measure in sorted(reading.no_sensor):
        found.append(msg.SUGGEST_NO_SENSOR[language][measure])
    if reading.dropped:
        found.append(msg.DANGER_SUGGESTION[language])
    if reading.schedule_conflict:
        found.append(msg.SUGGEST_SPLIT[language])
    return found


def _time_problem(reading: Reading) -> bool:
    """Whether the sentence said when, but not in a way a rule can run."""
    return reading.schedule_conflict or any(
        problem.startswith(("bad_time:", "bad_interval:", "past:")) for problem in reading.problems
    )


def _confidence(reading: Reading) -> float:
    """How much of the sentence was understood, 0..1."""
    trigger = reading.schedule is not None or bool(reading.conditions)
    acted = bool(reading.actions)
    if trigger and acted:
        base = PATTERN_CONFIDENCE_MAX
    elif acted:
        base = 0.35
    elif trigger:
        base = 0.2
    else:
        base = 0.05
    penalty = 0.6 * min(1.0, reading.leftover / reading.total)
    penalty += 0.1 * bool(reading.default_time)
    penalty += 0.1 * bool(reading.dropped)
    penalty += 0.15 * bool(reading.no_sensor)
    penalty += 0.2 * bool(reading.problems or reading.schedule_conflict)
    return round(max(0.05, min(PATTERN_CONFIDENCE_MAX, base - penalty)), 2)
