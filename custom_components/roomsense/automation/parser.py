"""From a sentence to an automation workflow, in Japanese and English.

With a language model the sentence goes to the model once, with the home's devices and
scenes and the workflow's JSON shape; an answer that is not valid JSON, fails the schema
or names a device or scene the home does not have is not used. Without a model (or when
its answer is not used) fixed patterns read the sentence: when it runs (times, days,
intervals, dates), under which conditions (temperature, humidity, device states, time
windows) and what it does, the last part understood by the fallback command parser.

Dangerous actions (unlocking, opening the garage) never go into a rule.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime
from typing import Any, Final

import probatio

from .. import catalog
from ..fallback import detect_language
from ..home_model import DeviceKind, HomeDevice, HomeSnapshot, Language
from ..language_models.base import LLMAdapter, LLMError, Message
from .models import RULE_FIELD_NAMES, WEEKDAYS, WORKFLOW_SCHEMA
from .parsing import messages as msg
from .parsing.describing import EN_DAY_NAMES, Describer
from .parsing.judging import FAILED_CONFIDENCE_MAX, PATTERN_CONFIDENCE_MAX, judge
from .parsing.naming import MAX_NAME_LENGTH, name_from_sentence
from .parsing.reading import PatternReader
from .parsing.results import WorkflowParseResult

__all__ = [
    "FAILED_CONFIDENCE_MAX",
    "MAX_NAME_LENGTH",
    "MODEL_CONFIDENCE",
    "MODEL_TEMPERATURE",
    "PATTERN_CONFIDENCE_MAX",
    "WorkflowParseResult",
    "WorkflowParser",
]

MODEL_TEMPERATURE: Final = 0.1
MODEL_CONFIDENCE: Final = 0.9

_DANGEROUS_SERVICES: Final = frozenset({"lock.unlock", "lock.open"})
_FENCE: Final = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


class WorkflowParser:
    """Turns one sentence at a time into a workflow for a fixed snapshot of the home."""

    def __init__(self, snapshot: HomeSnapshot, adapter: LLMAdapter | None = None) -> None:
        """Index the home once; `adapter` enables model mode."""
        self._snapshot = snapshot
        self._adapter = adapter
        self._devices = {device.device_id: device for device in snapshot.devices}
        self._scenes = {scene.scene_id: scene for scene in snapshot.scenes}
        self._describer = Describer(self._devices, self._scenes)
        self._reader = PatternReader(snapshot, self._describer)

    # --- Entry points -------------------------------------------------------------------

    async def parse(self, text: str, *, now: datetime) -> WorkflowParseResult:
        """The model's reading when it gives a valid workflow, else the patterns'."""
        if self._adapter is None:
            return self.parse_patterns(text, now=now)
        language = detect_language(text)
        try:
            response = await self._adapter.complete(
                [
                    Message("system", self.system_prompt(now)),
                    Message("user", text),
                ],
                temperature=MODEL_TEMPERATURE,
            )
        except LLMError:
            return _with_model_note(self.parse_patterns(text, now=now), language)
        result = self._from_model(response.text, text, language)
        if result is not None:
            return result
        return _with_model_note(self.parse_patterns(text, now=now), language)

    def parse_patterns(self, text: str, *, now: datetime) -> WorkflowParseResult:
        """The patterns' reading of the sentence; no model, no I/O."""
        reading = self._reader.read(text, now)
        timing = bool(reading.schedule or reading.conditions)
        return dataclasses.replace(judge(reading, self._describer), timing=timing)

    # --- Model mode ---------------------------------------------------------------------

    def system_prompt(self, now: datetime) -> str:
        """Instructions, the workflow's JSON shape, the home and the current time."""
        devices = "\n".join(
            f"- {device.device_id}: {device.name}"
            + (f" / {', '.join(device.aliases)}" if device.aliases else "")
            + f" (kind: {device.kind.value}, type: {device.device_type or '?'}, "
            f"area: {device.area or '-'})"
            for device in self._snapshot.devices
        )
        scenes = "\n".join(
            f"- {scene.scene_id}: {scene.name}"
            + (f" / {', '.join(scene.aliases)}" if scene.aliases else "")
            for scene in self._snapshot.scenes
        )
        return msg.MODEL_PROMPT.format(
            now=now.isoformat(timespec="minutes"),
            weekday=EN_DAY_NAMES[WEEKDAYS[now.weekday()]],
            devices=devices or "(none)",
            scenes=scenes or "(none)",
        )

    def _from_model(self, answer: str, text: str, language: Language) -> WorkflowParseResult | None:
        """The model's workflow when it is valid and names only what the home has."""
        data = _json_object(answer)
        if data is None:
            return None
        workflow = {key: data[key] for key in RULE_FIELD_NAMES if key in data}
        if not isinstance(workflow.get("description"), str) or not workflow["description"]:
            workflow["description"] = text
        if not isinstance(workflow.get("name"), str) or not workflow["name"].strip():
            workflow["name"] = name_from_sentence(text, language)
        raw_actions = workflow.get("actions")
        if not isinstance(raw_actions, list):
            return None
        safe, dropped = self._without_dangerous(raw_actions)
        workflow["actions"] = safe
        offered = data.get("suggestions")
        suggestions = (
            [item for item in offered if isinstance(item, str)] if isinstance(offered, list) else []
        )
        if dropped:
            suggestions.append(msg.DANGER_SUGGESTION[language])
        workflow.update(
            confidence=MODEL_CONFIDENCE,
            suggestions=suggestions,
            source="model",
            language=language,
        )
        try:
            validated: dict[str, Any] = WORKFLOW_SCHEMA(workflow)
        except probatio.Invalid:
            return None
        if not self._known_ids(validated):
            return None
        message = self._describer.describe(validated, language)
        if dropped:
            message += msg.DANGER_NOTE[language].format(what=", ".join(dropped))
        return WorkflowParseResult(
            True, validated, message, MODEL_CONFIDENCE, suggestions, timing=True
        )

    def _without_dangerous(self, actions: list[Any]) -> tuple[list[Any], list[str]]:
        safe: list[Any] = []
        dropped: list[str] = []
        for action in actions:
            if not isinstance(action, dict):
                safe.append(action)
                continue
            if action.get("type") == "device_command":
                device = self._devices.get(str(action.get("device_id")))
                command = str(action.get("command"))
                if device is not None and _is_dangerous(device, command):
                    dropped.append(f"{device.name} {command}")
                    continue
            if action.get("type") == "service" and action.get("service") in _DANGEROUS_SERVICES:
                dropped.append(str(action["service"]))
                continue
            safe.append(action)
        return safe, dropped

    def _known_ids(self, workflow: dict[str, Any]) -> bool:
        for action in workflow["actions"]:
            if action["type"] == "device_command" and action["device_id"] not in self._devices:
                return False
            if action["type"] == "scene" and action["scene_id"] not in self._scenes:
                return False
        return all(
            condition.get("device_id") is None or condition["device_id"] in self._devices
            for condition in workflow["conditions"]
        )


# --- Helpers ---


def _is_dangerous(device: HomeDevice, command: str) -> bool:
    """Commands that open the home to the outside, as the catalog lists them."""
    if device.kind is DeviceKind.LOCK and command in catalog.UNLOCKING_LOCK_COMMANDS:
        # A lock the catalog does not know yet is still a lock.
        return True
    return catalog.is_dangerous_command(device.device_type, command, infrared=device.is_infrared)


def _json_object(answer: str) -> dict[str, Any] | None:
    """The JSON object in a model's answer, inside ```json fences or not."""
    fenced = _FENCE.search(answer)
    candidates = [fenced.group(1)] if fenced else []
    start, end = answer.find("{"), answer.rfind("}")
    if start != -1 and end > start:
        candidates.append(answer[start : end + 1])
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(data, dict):
            return data
    return None


def _with_model_note(result: WorkflowParseResult, language: Language) -> WorkflowParseResult:
    return WorkflowParseResult(
        result.success,
        result.workflow,
        result.message + msg.MODEL_NOTE[language],
        result.confidence,
        result.suggestions,
    )
