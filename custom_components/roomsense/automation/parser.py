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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from typing import Any, Final

import probatio

from .. import catalog
from ..catalog import Family
from ..fallback import FallbackParser, detect_language
from ..fallback import lexicon as lx
from ..fallback.model import Action, DeviceInfo, DeviceKind, HomeSnapshot, Language
from ..language_models.base import LLMAdapter, LLMError, Message
from . import parser_patterns as pp
from .models import RULE_FIELD_NAMES, WEEKDAYS, WORKFLOW_SCHEMA

MODEL_TEMPERATURE: Final = 0.1
MODEL_CONFIDENCE: Final = 0.9
# Pattern reading never claims the model's certainty.
PATTERN_CONFIDENCE_MAX: Final = 0.85
FAILED_CONFIDENCE_MAX: Final = 0.35
MAX_NAME_LENGTH: Final = 60

_DANGEROUS_SERVICES: Final = frozenset({"lock.unlock", "lock.open"})
_JA_DAY_NAMES: Final = dict(zip(WEEKDAYS, "月火水木金土日", strict=True))
_EN_DAY_NAMES: Final = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
# Fallback replies worth passing on when a request piece is not understood (not the help).
_TELLING_INTENTS: Final = frozenset({"ambiguous", "no_device", "unsupported", "conflict"})
_MEASURE_WORDS: Final = re.compile(r"温度|室温|気温|湿度|湿気|temperature|humidity|temp\b")
_FENCE: Final = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


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
class _Reading:
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


class WorkflowParser:
    """Turns one sentence at a time into a workflow for a fixed snapshot of the home."""

    def __init__(self, snapshot: HomeSnapshot, adapter: LLMAdapter | None = None) -> None:
        """Index the home once; `adapter` enables model mode."""
        self._snapshot = snapshot
        self._adapter = adapter
        self._fallback = FallbackParser(snapshot)
        self._index = pp.HomeIndex(snapshot)
        self._reader = pp.ConditionReader(self._index)
        self._devices = {device.device_id: device for device in snapshot.devices}
        self._scenes = {scene.scene_id: scene for scene in snapshot.scenes}

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
        reading = self._read(text, now)
        timing = bool(reading.schedule or reading.conditions)
        return dataclasses.replace(self._judge(reading), timing=timing)

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
        return _MODEL_PROMPT.format(
            now=now.isoformat(timespec="minutes"),
            weekday=_EN_DAY_NAMES[WEEKDAYS[now.weekday()]],
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
            workflow["name"] = _name_from_sentence(text, language)
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
            suggestions.append(_DANGER_SUGGESTION[language])
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
        message = self._describe(validated, language)
        if dropped:
            message += _DANGER_NOTE[language].format(what=", ".join(dropped))
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

    # --- Pattern mode: reading ----------------------------------------------------------

    def _read(self, text: str, now: datetime) -> _Reading:
        language = detect_language(text)
        prepared = pp.prepare(text)
        reading = _Reading(language, text, total=max(1, pp.content_size(prepared, language)))
        masked = pp.Masked(prepared)
        times = pp.find_times(masked, language)
        pronoun_state = self._read_conditions(masked, reading)
        notifications = pp.find_notifications(masked, language)
        self._read_actions(masked.text, reading)
        if pronoun_state is not None:
            self._resolve_pronoun(pronoun_state, reading)
        self._build_schedule(times, reading, now)
        for notification in notifications:
            message = notification.message or self._notification_text(reading)
            reading.actions.append({"type": "notification", "message": message})
            reading.replies.append(_NOTIFY_REPLY[language])
        reading.trigger_phrases.extend(times.phrases)
        reading.name = self._name(reading, bool(notifications))
        return reading

    def _read_conditions(self, masked: pp.Masked, reading: _Reading) -> pp.AbstractState | None:
        """Take the "if …" clauses out of the text; their conditions go into `reading`."""
        pronoun_state: pp.AbstractState | None = None
        language = reading.language
        for start, end in pp.condition_clauses(masked, language):
            clause = masked.text[start:end]
            finding = self._reader.read(clause, language)
            reading.conditions.extend(finding.conditions)
            reading.no_sensor |= finding.no_sensor
            reading.problems.extend(finding.problems)
            if finding.pronoun_state is not None:
                pronoun_state = finding.pronoun_state
            understood = list(finding.spans)
            understood += self._index.mention(clause).spans
            understood += [match.span() for match in _MEASURE_WORDS.finditer(clause)]
            rest = pp.without_spans(clause, understood)
            size = pp.content_size(rest, language)
            if not finding.conditions and finding.pronoun_state is None and not finding.problems:
                reading.problems.append("unknown:" + clause.strip(" 、," + pp.MASK))
                reading.leftover += pp.content_size(clause, language)
            elif size >= (3 if language == "ja" else 4):
                reading.unknown.append(" ".join(rest.replace(pp.MASK, " ").split()))
                reading.leftover += size
            reading.trigger_phrases.append((start, clause))
            masked.take(start, end)
        return pronoun_state

    def _read_actions(self, text: str, reading: _Reading) -> None:
        """Each request piece through the fallback command parser."""
        language = reading.language
        condition_devices = [
            self._devices[condition["device_id"]]
            for condition in reading.conditions
            if condition["type"] == "device_state" and condition.get("device_id") in self._devices
        ]
        for said, piece in pp.action_pieces(text, language):
            if pp.content_size(piece, language) == 0:
                continue
            result = self._fallback.parse(piece)
            acted = result.understood and (result.actions or result.scene_id) and not result.answer
            if not acted and condition_devices:
                # "テレビがついていたら消して" / "if the TV is on, turn it off".
                retry = self._fallback.parse(_with_device(piece, condition_devices[0], language))
                if retry.understood and (retry.actions or retry.scene_id) and not retry.answer:
                    result, acted = retry, True
            if not acted:
                reading.unknown.append(said)
                if result.intent in _TELLING_INTENTS:
                    reading.action_problems.append(result.reply)
                reading.leftover += pp.content_size(said, language)
                continue
            if self._add_actions(result.actions, result.scene_id, result.reply, reading):
                reading.request_phrases.append(said)

    def _add_actions(
        self, actions: tuple[Action, ...], scene_id: str | None, reply: str, reading: _Reading
    ) -> bool:
        """Add what one request does, without dangerous actions; whether anything was left."""
        kept = [action for action in actions if not action.dangerous]
        if len(kept) < len(actions):
            for suffix in lx.CONFIRM_SUFFIX:
                reply = reply.replace(suffix, "")
            reading.dropped.append(reply.rstrip("。."))
        if scene_id is not None:
            reading.actions.append({"type": "scene", "scene_id": scene_id})
        for action in kept:
            as_dict = {
                "type": "device_command",
                "device_id": action.device_id,
                "command": action.command,
                "parameter": action.parameter,
                "command_type": action.command_type,
            }
            if as_dict in reading.actions:
                continue
            reading.actions.append(as_dict)
            device = self._devices.get(action.device_id)
            if (
                device is not None
                and device.kind is DeviceKind.AIR_CONDITIONER
                and action.command == "turnOn"
            ):
                reading.ac_without_setpoint = True
        if kept or scene_id is not None:
            reading.replies.append(reply.rstrip("。.") if len(kept) == len(actions) else "")
            return True
        return False

    def _resolve_pronoun(self, state: pp.AbstractState, reading: _Reading) -> None:
        """The state of the one device the actions are about ("… if it's on")."""
        targets = list(
            dict.fromkeys(
                action["device_id"]
                for action in reading.actions
                if action["type"] == "device_command"
            )
        )
        if len(targets) != 1:
            reading.problems.append("pronoun")
            return
        device = self._devices[targets[0]]
        condition = {"type": "device_state", "device_id": device.device_id}
        condition.update(pp.state_value(device, state))
        reading.conditions.append(condition)

    def _build_schedule(self, times: pp.TimeFacts, reading: _Reading, now: datetime) -> None:
        """The schedule (and time-window conditions) from everything said about when."""
        # Time windows first: they read as the rule's frame ("at night, when the door …").
        reading.conditions[:0] = times.windows
        has_condition = any(condition["type"] != "time" for condition in reading.conditions)
        context = times.periods[0][0] if times.periods else None
        clocks: set[tuple[int, int]] = set()
        for clock in times.clocks:
            resolved = pp.resolve_hour(clock, context)
            if resolved is None:
                # "25時", "13 pm": better no rule than one at a time nobody said.
                reading.problems.append("bad_time:" + clock.phrase.strip(" 、,に"))
                return
            clocks.add(resolved)
        chosen: tuple[int, int] | None = None
        if len(clocks) > 1:
            reading.schedule_conflict = True
            return
        if clocks:
            chosen = next(iter(clocks))
        elif times.periods:
            periods = {period for period, _every, _text in times.periods}
            if "bedtime" in periods:
                periods = {"bedtime"}
            if len(periods) > 1:
                reading.schedule_conflict = True
                return
            period = next(iter(periods))
            every = any(every for _period, every, _text in times.periods)
            anchored = every or times.days or times.daily or times.date_offset is not None
            if has_condition and not anchored and period in pp.PERIOD_WINDOWS:
                # "夜に玄関のドアが開いたら": while it is night, not once at 21:00.
                start, end = pp.PERIOD_WINDOWS[period]
                window = {"type": "time", "operator": "between", "value": [start, end]}
                reading.conditions.insert(0, window)
            else:
                chosen = pp.PERIOD_TIMES[period]
        if times.relative_minutes is not None and times.interval_minutes is not None:
            reading.schedule_conflict = True
            return
        if times.relative_minutes is not None:
            moment = (now + timedelta(minutes=times.relative_minutes)).replace(microsecond=0)
            reading.schedule = {"type": "once", "at": moment.isoformat()}
            return
        if times.interval_minutes is not None:
            if not 1 <= times.interval_minutes <= pp.MAX_INTERVAL_MINUTES:
                reading.problems.append(f"bad_interval:{times.interval_minutes}")
                return
            reading.schedule = {"type": "interval", "minutes": times.interval_minutes}
            return
        if times.date_offset is not None:
            if chosen is None:
                chosen = pp.DEFAULT_TIME
                reading.default_time = True
            day: date = now.date() + timedelta(days=times.date_offset)
            moment = datetime.combine(day, dt_time(*chosen), tzinfo=now.tzinfo)
            if moment <= now:
                # "today at 6" said at 8: a rule that can never run is no rule.
                reading.problems.append(f"past:{moment:%H:%M}")
                return
            reading.schedule = {"type": "once", "at": moment.isoformat()}
            return
        if chosen is None and (times.days or times.daily):
            chosen = pp.DEFAULT_TIME
            reading.default_time = True
        if chosen is None:
            return
        at = pp.clock_text(*chosen)
        days = set(times.days)
        if not days or times.daily or days == set(WEEKDAYS):
            reading.schedule = {"type": "daily", "time": at}
        else:
            reading.schedule = {
                "type": "weekly",
                "time": at,
                "days": [day_name for day_name in WEEKDAYS if day_name in days],
            }

    def _notification_text(self, reading: _Reading) -> str:
        """What a notification says when the sentence gives no words: what happened."""
        language = reading.language
        events = [
            self._event(condition, language)
            for condition in reading.conditions
            if condition["type"] != "time"
        ]
        if events:
            return ("" if language == "ja" else " ").join(events)
        if reading.schedule is None:
            return "RoomSense"
        when = _describe_schedule(reading.schedule, language)
        return f"リマインダー（{when}）" if language == "ja" else f"Reminder ({when})"

    @staticmethod
    def _name(reading: _Reading, notifies: bool) -> str:
        """Japanese: when / if as said, then what in plain form; English: the sentence."""
        if reading.language == "en":
            return _name_from_sentence(reading.text, "en")
        when = [_trim_particles(phrase) for _start, phrase in sorted(reading.trigger_phrases)]
        what = [_dictionary_form(piece) for piece in reading.request_phrases]
        if notifies:
            what.append("通知する")
        name = " ".join(part for part in (*when, "、".join(what)) if part)
        return _name_from_sentence(name, "ja")

    # --- Pattern mode: judging ----------------------------------------------------------

    def _judge(self, reading: _Reading) -> WorkflowParseResult:
        language = reading.language
        suggestions = self._suggestions(reading)
        confidence = _confidence(reading)
        failure = self._failure(reading)
        if failure is not None:
            # No rule: whatever was understood, the result is not one to rely on.
            confidence = min(confidence, FAILED_CONFIDENCE_MAX)
            return WorkflowParseResult(False, None, failure, confidence, suggestions)
        workflow: dict[str, Any] = {
            "name": reading.name or _name_from_sentence(reading.text, language),
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
            message = _INVALID[language].format(error=err)
            return WorkflowParseResult(False, None, message, confidence, suggestions)
        message = self._describe(validated, language, reading.replies)
        if reading.dropped:
            message += _DANGER_NOTE[language].format(what="、".join(reading.dropped))
        for piece in reading.unknown:
            message += _UNKNOWN_NOTE[language].format(piece=piece)
        return WorkflowParseResult(True, validated, message, confidence, suggestions)

    def _failure(self, reading: _Reading) -> str | None:
        """Why no workflow can be made, in the sentence's language; None when one can."""
        language = reading.language
        ja = language == "ja"
        parts: list[str] = []
        if reading.schedule_conflict:
            parts.append(_TWO_TIMES[language])
        for problem in reading.problems:
            kind, _, detail = problem.partition(":")
            if kind == "ambiguous":
                parts.append(_AMBIGUOUS[language].format(choices=detail))
            elif kind == "no_device":
                parts.append(_NO_DEVICE_CONDITION[language])
            elif kind == "pronoun":
                parts.append(_PRONOUN[language])
            elif kind == "bad_time":
                parts.append(_BAD_TIME[language].format(phrase=detail))
            elif kind == "bad_interval":
                parts.append(_BAD_INTERVAL[language].format(minutes=detail))
            elif kind == "past":
                parts.append(_PAST[language].format(time=detail))
            else:
                parts.append(_UNKNOWN_CONDITION[language].format(clause=detail))
        for piece in reading.unknown:
            if pp.CONDITION_WORDS.search(piece):
                # "… on cold days": a condition not understood; the rule would ignore it.
                parts.append(_UNREAD_CONDITION[language].format(piece=piece))
        if clashing := self._clashing_devices(reading.actions):
            parts.append(_CLASH[language].format(names="、".join(clashing)))
        if not reading.actions and reading.dropped:
            parts.append(_DANGER_ONLY[language].format(what="、".join(reading.dropped)))
        elif not reading.actions:
            parts.append(_NO_ACTION[language])
            parts.extend(reading.action_problems[:1])
        if reading.schedule is None and not reading.conditions and not _time_problem(reading):
            parts.append(_NO_TRIGGER[language])
        if not parts:
            return None
        return ("" if ja else " ").join(part.strip() for part in parts)

    def _clashing_devices(self, actions: list[dict[str, Any]]) -> list[str]:
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
                clashing.append(self._device_name(device_id, "ja"))
        return list(dict.fromkeys(clashing))

    def _suggestions(self, reading: _Reading) -> list[str]:
        language = reading.language
        found: list[str] = []
        if reading.schedule is None and not reading.conditions and not _time_problem(reading):
            found.append(_SUGGEST_WHEN[language])
        if not reading.actions:
            found.append(_SUGGEST_WHAT[language])
        if reading.ac_without_setpoint:
            found.append(_SUGGEST_SETPOINT[language])
        if reading.default_time:
            found.append(_SUGGEST_TIME[language])
        for measure in sorted(reading.no_sensor):
            found.append(_SUGGEST_NO_SENSOR[language][measure])
        if reading.dropped:
            found.append(_DANGER_SUGGESTION[language])
        if reading.schedule_conflict:
            found.append(_SUGGEST_SPLIT[language])
        return found

    # --- Describing ---------------------------------------------------------------------

    def _describe(
        self, workflow: dict[str, Any], language: Language, replies: list[str] | None = None
    ) -> str:
        """One sentence: when, under which conditions, what happens."""
        ja = language == "ja"
        when = [
            self._condition_text(condition, language)
            for condition in workflow["conditions"]
            if condition["type"] == "time"
        ]
        if workflow["schedule"] is not None:
            schedule = _describe_schedule(workflow["schedule"], language)
            once = workflow["schedule"]["type"] == "once"
            when.append((f"{schedule}に1回だけ" if once else f"{schedule}に") if ja else schedule)
        conditions = [
            self._condition_text(condition, language)
            for condition in workflow["conditions"]
            if condition["type"] != "time"
        ]
        if conditions:
            joined = "、".join(conditions) if ja else " and ".join(conditions)
            ending = "とき" if joined.endswith(("る", "た", "い")) else "のとき"
            when.append(f"{joined}{ending}" if ja else f"when {joined}")
        what = list(replies or [])
        if not what or not all(what):
            # A reply that also spoke of a dropped action: say what the rule does instead.
            what = [self._action_text(action, language) for action in workflow["actions"]]
        if ja:
            return f"{'、'.join(when)}、{'、'.join(what)}。"
        trigger = ", ".join(when)
        actions = "; ".join(item[:1].lower() + item[1:] for item in what)
        return f"{trigger[:1].upper()}{trigger[1:]}: {actions}."

    def _device_name(self, device_id: str | None, language: Language) -> str:
        device = self._devices.get(device_id or "")
        if device is None:
            return device_id or ""
        return device.name if language == "ja" else _english_name(device)

    def _condition_text(self, condition: dict[str, Any], language: Language) -> str:
        ja = language == "ja"
        kind, operator, value = condition["type"], condition["operator"], condition["value"]
        if kind == "time":
            if operator == "between":
                return f"{value[0]}〜{value[1]}の間" if ja else f"Between {value[0]} and {value[1]}"
            if operator in ("after", "before"):
                if ja:
                    return f"{value}{'以降' if operator == 'after' else 'より前'}"
                return f"{operator.capitalize()} {value}"
            return f"{value}ちょうど" if ja else f"At {value}"
        if kind in ("temperature", "humidity"):
            unit = "℃" if kind == "temperature" else "%"
            unit_en = " °C" if kind == "temperature" else " %"
            where = condition.get("device_id")
            measure = ("温度" if kind == "temperature" else "湿度") if ja else kind
            source = self._device_name(where, language)
            if ja:
                subject = f"{source}の{measure}" if where else measure
                if operator == "between":
                    return f"{subject}が{_num(value[0])}〜{_num(value[1])}{unit}"
                side = {"above": "以上", "below": "以下", "equals": ""}[operator]
                return f"{subject}が{_num(value)}{unit}{side}"
            subject = f"the {measure} at the {source}" if where else f"the {measure}"
            if operator == "between":
                return f"{subject} is between {_num(value[0])} and {_num(value[1])}{unit_en}"
            return f"{subject} is {operator} {_num(value)}{unit_en}"
        name = self._device_name(condition.get("device_id"), language)
        value = _state_key(self._devices.get(condition.get("device_id") or ""), condition)
        ja_word, en_word = _STATE_WORDS.get(value, (f"「{value}」", f"is {value}"))
        return f"{name}が{ja_word}" if ja else f"the {name} {en_word}"

    def _event(self, condition: dict[str, Any], language: Language) -> str:
        """A condition as news, for a notification: "温度が28℃以上になりました"."""
        ja = language == "ja"
        if condition["type"] != "device_state":
            text = self._condition_text(condition, language)
            return f"{text}になりました。" if ja else text[:1].upper() + text[1:] + "."
        device = self._devices.get(condition.get("device_id") or "")
        name = self._device_name(condition.get("device_id"), language)
        value = _state_key(device, condition)
        ja_word, en_word = _EVENT_WORDS.get(value, (f"「{value}」です", f"is {value}"))
        if device is not None and _family(device) is Family.CONTACT_SENSOR:
            ja_word, en_word = _CONTACT_EVENT_WORDS.get(value, (ja_word, en_word))
        return f"{name}が{ja_word}。" if ja else f"The {name} {en_word}."

    def _action_text(self, action: dict[str, Any], language: Language) -> str:
        ja = language == "ja"
        if action["type"] == "scene":
            scene = self._scenes.get(action["scene_id"])
            name = scene.name if scene else action["scene_id"]
            return f"シーン「{name}」を実行します" if ja else f'Running the "{name}" scene'
        if action["type"] == "notification":
            return _NOTIFY_REPLY[language]
        if action["type"] == "service":
            return f"{action['service']}を呼び出します" if ja else f"Calling {action['service']}"
        name = self._device_name(action["device_id"], language)
        command = action["command"]
        return f"{name}に{command}を送ります" if ja else f"Sending {command} to the {name}"


# --- Helpers -------------------------------------------------------------------------------


def _time_problem(reading: _Reading) -> bool:
    """Whether the sentence said when, but not in a way a rule can run."""
    return reading.schedule_conflict or any(
        problem.startswith(("bad_time:", "bad_interval:", "past:")) for problem in reading.problems
    )


def _is_dangerous(device: DeviceInfo, command: str) -> bool:
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


def _english_name(device: DeviceInfo) -> str:
    return next((alias for alias in device.aliases if alias.isascii()), device.name)


def _with_device(piece: str, device: DeviceInfo, language: Language) -> str:
    """A request that says "it" (or nothing) about the condition's device, with its name."""
    if language == "ja":
        return f"{device.name}を{piece}"
    name = f"the {_english_name(device).lower()}"
    replaced, count = re.subn(r"\b(?:it|them|they)\b", name, piece)
    return replaced if count else f"{piece} {name}"


def _family(device: DeviceInfo) -> Family | None:
    return catalog.family_of(device.device_type, infrared=device.is_infrared)


def _num(value: float) -> str:
    return f"{value:g}"


def _state_key(device: DeviceInfo | None, condition: dict[str, Any]) -> str:
    """The state a device_state condition means, in words: "open" for a contact sensor on."""
    value = str(condition["value"])
    negated = condition.get("operator") == "not_equals"
    family = None if device is None else _family(device)
    if family is Family.CONTACT_SENSOR:
        value = "open" if value == "on" else "closed"
    elif family in (Family.MOTION_SENSOR, Family.PRESENCE_SENSOR):
        value = "motion" if value == "on" else "no_motion"
    elif family is Family.WATER_DETECTOR:
        value = "leak" if value == "on" else "no_leak"
    if negated:
        return {"off": "on", "on": "off"}.get(value, f"not {value}")
    return value


# State → (Japanese, English) as a condition: "テレビがオン" / "the TV is on".
_STATE_WORDS: Final = {
    "on": ("オン", "is on"),
    "off": ("オフ", "is off"),
    "open": ("開いている", "is open"),
    "closed": ("閉まっている", "is closed"),
    "locked": ("施錠されている", "is locked"),
    "unlocked": ("解錠されている", "is unlocked"),
    "motion": ("動きを検知した", "detects motion"),
    "no_motion": ("動きを検知していない", "detects no motion"),
    "leak": ("水漏れを検知した", "detects water"),
    "no_leak": ("水漏れを検知していない", "detects no water"),
    "cleaning": ("掃除中", "is cleaning"),
    "docked": ("充電台にある", "is docked"),
}
# The same as news, for a notification: "テレビがオンになっています" / "The TV is on."
_EVENT_WORDS: Final = {
    "on": ("オンになっています", "is on"),
    "off": ("オフになっています", "is off"),
    "open": ("開いています", "is open"),
    "closed": ("閉まっています", "is closed"),
    "locked": ("施錠されています", "is locked"),
    "unlocked": ("解錠されています", "is unlocked"),
    "motion": ("動きを検知しました", "detected motion"),
    "leak": ("水漏れを検知しました", "detected water"),
    "cleaning": ("掃除中です", "is cleaning"),
    "docked": ("充電台に戻っています", "is docked"),
}
_CONTACT_EVENT_WORDS: Final = {
    "open": ("開きました", "opened"),
    "closed": ("閉まりました", "closed"),
}


def _describe_schedule(schedule: dict[str, Any], language: Language) -> str:
    ja = language == "ja"
    kind = schedule["type"]
    if kind == "daily":
        return f"毎日 {schedule['time']}" if ja else f"every day at {schedule['time']}"
    if kind == "weekly":
        days = schedule["days"]
        if days == list(pp.WEEKDAY_SET):
            label = "平日" if ja else "on weekdays"
        elif days == list(pp.WEEKEND_SET):
            label = "週末" if ja else "on weekends"
        elif ja:
            label = "毎週" + "・".join(_JA_DAY_NAMES[day] for day in days)
        else:
            names = [_EN_DAY_NAMES[day] for day in days]
            label = "every " + (
                names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
            )
        return f"{label} {schedule['time']}" if ja else f"{label} at {schedule['time']}"
    if kind == "interval":
        minutes = int(schedule["minutes"])
        if minutes % 60 == 0:
            hours = minutes // 60
            return f"{hours}時間ごと" if ja else f"every {hours} hour{'s' if hours > 1 else ''}"
        return f"{minutes}分ごと" if ja else f"every {minutes} minutes"
    moment = datetime.fromisoformat(schedule["at"])
    if ja:
        return f"{moment.month}月{moment.day}日 {moment:%H:%M}"
    return f"once on {moment:%B} {moment.day} at {moment:%H:%M}"


def _confidence(reading: _Reading) -> float:
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


def _name_from_sentence(text: str, language: Language) -> str:
    """The sentence as a name: trimmed, without "please", at most MAX_NAME_LENGTH."""
    name = " ".join(text.split()).strip(" .。!！?？、,")
    if language == "en":
        name = re.sub(r"^(?:please|could you|can you)\s+|\s*,?\s*please$", "", name, flags=re.I)
        name = name[:1].upper() + name[1:]
    if len(name) > MAX_NAME_LENGTH:
        cut = name[: MAX_NAME_LENGTH - 1]
        if language == "en" and " " in cut:
            cut = cut.rsplit(" ", 1)[0]
        name = cut.rstrip(" ,、") + "…"
    return name


_PARTICLE_TAIL: Final = re.compile(
    r"(?:になったら|になると|になれば|には|に|は|の|で|から|、|,|\s|\x00)+$"
)


def _trim_particles(phrase: str) -> str:
    return _PARTICLE_TAIL.sub("", phrase.replace(pp.MASK, " ")).strip(" 、,")


# Plain (dictionary) forms of the て-forms a request ends with.
_DICTIONARY_FORMS: Final = (
    ("消して", "消す"), ("押して", "押す"), ("沸かして", "沸かす"), ("動かして", "動かす"),
    ("回して", "回す"), ("戻して", "戻す"), ("下ろして", "下ろす"), ("落として", "落とす"),
    ("切って", "切る"), ("して", "する"), ("つけて", "つける"), ("けて", "ける"),
    ("めて", "める"), ("れて", "れる"), ("げて", "げる"), ("じて", "じる"), ("せて", "せる"),
)  # fmt: skip


def _dictionary_form(request: str) -> str:
    request = re.sub(r"(?:ください|下さい|ほしい|欲しい|ね|よ)$", "", request)
    for te_form, plain in _DICTIONARY_FORMS:
        if request.endswith(te_form):
            return request[: -len(te_form)] + plain
    return request


def _with_model_note(result: WorkflowParseResult, language: Language) -> WorkflowParseResult:
    return WorkflowParseResult(
        result.success,
        result.workflow,
        result.message + _MODEL_NOTE[language],
        result.confidence,
        result.suggestions,
    )


# --- Texts ---------------------------------------------------------------------------------

type _Texts = dict[Language, str]

_NOTIFY_REPLY: Final[_Texts] = {"ja": "通知します", "en": "Sending you a notification"}
_DANGER_NOTE: Final[_Texts] = {
    "ja": "（解錠など家を開ける操作は自動化できないため、ルールに入れていません: {what}）",
    "en": " (Unlocking and other actions that open the home can't be automated, so they were "
    "left out: {what}.)",
}
_DANGER_SUGGESTION: Final[_Texts] = {
    "ja": "解錠など家を開ける操作は自動化できません。必要なときに手動で確認して実行してください",
    "en": "Unlocking and other actions that open the home can't be automated; do them "
    "yourself when needed",
}
_DANGER_ONLY: Final[_Texts] = {
    "ja": "解錠など家を開ける操作は自動化できないため、ルールを作れません（{what}）。",
    "en": "Unlocking and other actions that open the home can't be automated, so no rule was "
    "made ({what}).",
}
_UNKNOWN_NOTE: Final[_Texts] = {
    "ja": "（「{piece}」の部分は分かりませんでした）",
    "en": ' (I didn\'t understand "{piece}".)',
}
_MODEL_NOTE: Final[_Texts] = {
    "ja": "（言語モデルの回答が使えなかったため、定型パターンで解釈しました）",
    "en": " (The language model's answer could not be used, so fixed patterns read the sentence.)",
}
_TWO_TIMES: Final[_Texts] = {
    "ja": "1つのルールに実行時刻は1つだけです。",
    "en": "A rule runs at one time only.",
}
_AMBIGUOUS: Final[_Texts] = {
    "ja": "条件の機器がどれか分かりません（{choices}）。",
    "en": "I can't tell which device the condition is about ({choices}).",
}
_BAD_TIME: Final[_Texts] = {
    "ja": "「{phrase}」は時刻として分かりませんでした。",
    "en": 'I couldn\'t read "{phrase}" as a time of day.',
}
_BAD_INTERVAL: Final[_Texts] = {
    "ja": "繰り返しの間隔は1分から7日（10080分）までです（{minutes}分）。",
    "en": "A repeat interval is 1 minute to 7 days (10080 minutes), not {minutes}.",
}
_UNREAD_CONDITION: Final[_Texts] = {
    "ja": "「{piece}」は条件のようですが、分かりませんでした。条件は「暑かったら」"
    "「湿度が60%を超えたら」のように言ってください。",
    "en": '"{piece}" sounds like a condition I didn\'t understand; say it like "if it gets '
    'hotter than 28 degrees" or "when the humidity is above 60%".',
}
_CLASH: Final[_Texts] = {
    "ja": "同じ機器に食い違う操作があります（{names}）。1つにしてください。",
    "en": "The sentence asks one device for different things ({names}); please pick one.",
}
_NO_DEVICE_CONDITION: Final[_Texts] = {
    "ja": "条件の機器がこの家に見つかりませんでした。",
    "en": "I couldn't find the device of the condition in this home.",
}
_PRONOUN: Final[_Texts] = {
    "ja": "条件がどの機器のことか分かりませんでした。",
    "en": 'I couldn\'t tell what "it" refers to in the condition.',
}
_UNKNOWN_CONDITION: Final[_Texts] = {
    "ja": "条件「{clause}」が分かりませんでした。",
    "en": 'I didn\'t understand the condition "{clause}".',
}
_NO_ACTION: Final[_Texts] = {
    "ja": "実行する操作が分かりませんでした。",
    "en": "I couldn't tell what the rule should do.",
}
_NO_TRIGGER: Final[_Texts] = {
    "ja": "いつ実行するか（時刻や条件）が分かりませんでした。",
    "en": "I couldn't tell when the rule should run (a time or a condition).",
}
_INVALID: Final[_Texts] = {
    "ja": "ルールを作れませんでした: {error}",
    "en": "The rule could not be made: {error}",
}
_SUGGEST_WHEN: Final[_Texts] = {
    "ja": "いつ実行するかを指定してください（例: 「毎朝7時に」「暑かったら」）",
    "en": 'Say when it should run (e.g. "every day at 7", "if it gets hotter than 28 degrees")',
}
_SUGGEST_WHAT: Final[_Texts] = {
    "ja": "何をするかを指定してください（例: 「リビングの電気をつけて」「通知して」）",
    "en": 'Say what it should do (e.g. "turn on the living room light", "notify me")',
}
_SUGGEST_SETPOINT: Final[_Texts] = {
    "ja": "エアコンの設定温度も指定すると効果的です（例: 「エアコンを26度の冷房にして」）",
    "en": "Set the air conditioner's target temperature too (e.g. \"set the AC to cooling at "
    '26 degrees")',
}
_SUGGEST_TIME: Final[_Texts] = {
    "ja": "時刻の指定がないため7:00にしました。"
    "別の時刻にするには「毎週月曜の9時に」のように指定してください",
    "en": 'No time was given, so it runs at 07:00; say e.g. "every Monday at 9" for another',
}
_PAST: Final[_Texts] = {
    "ja": "指定の時刻（{time}）はすでに過ぎているため、このルールは実行されません。",
    "en": "That time ({time}) has already passed, so the rule would never run.",
}
_SUGGEST_NO_SENSOR: Final[dict[Language, dict[str, str]]] = {
    "ja": {
        "temperature": "この家には温度を測るセンサーがないため、温度の条件は満たされません",
        "humidity": "この家には湿度を測るセンサーがないため、湿度の条件は満たされません",
    },
    "en": {
        "temperature": "There is no temperature sensor in this home, so the temperature "
        "condition can never be met",
        "humidity": "There is no humidity sensor in this home, so the humidity condition "
        "can never be met",
    },
}
_SUGGEST_SPLIT: Final[_Texts] = {
    "ja": "時刻ごとに別のルールにしてください",
    "en": "Make one rule per time",
}

_MODEL_PROMPT: Final = """\
You turn one sentence (Japanese or English) into a home automation workflow for RoomSense.
Answer with one JSON object only, no prose, in this shape:

{{
  "name": "short name in the sentence's language",
  "description": "the sentence",
  "schedule": null
    | {{"type": "daily", "time": "HH:MM"}}
    | {{"type": "weekly", "time": "HH:MM",
       "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}}
    | {{"type": "interval", "minutes": 30}}
    | {{"type": "once", "at": "ISO 8601 date and time with its UTC offset"}},
  "conditions": [
    {{"type": "time", "operator": "between", "value": ["22:00", "06:00"]}},
    {{"type": "time", "operator": "after" | "before" | "equals", "value": "HH:MM"}},
    {{"type": "temperature" | "humidity", "operator": "above" | "below" | "equals",
      "value": 28, "device_id": "optional: the sensor"}},
    {{"type": "temperature" | "humidity", "operator": "between", "value": [20, 25]}},
    {{"type": "device_state", "device_id": "...", "operator": "equals" | "not_equals",
      "value": "on"}}
  ],
  "actions": [
    {{"type": "device_command", "device_id": "...", "command": "turnOn",
      "parameter": "default", "command_type": "command"}},
    {{"type": "scene", "scene_id": "..."}},
    {{"type": "notification", "message": "text in the sentence's language"}}
  ],
  "suggestions": ["what the user could add, in the sentence's language"]
}}

Rules:
- A workflow needs at least one action, and a schedule or at least one condition.
- All conditions must hold (AND). A time window may wrap midnight.
- Without a schedule the workflow runs when its conditions become true.
- Use only the device and scene ids listed below. SwitchBot commands: turnOn, turnOff,
  setBrightness ("1"-"100"), setAll for air conditioners ("temperature,mode,fan,on|off";
  modes 1 auto 2 cool 3 dry 4 fan 5 heat; fan 1 auto 2 low 3 medium 4 high), lock,
  startClean, closeDown / fullyOpen for blinds, turnOn (open) / turnOff (close) for curtains.
- Never unlock a lock or open a garage: leave such actions out and say so in suggestions.
- device_state values are what the device's entity shows: "on"/"off" for lights, plugs,
  TVs, fans, humidifiers; "on" while a contact sensor is open, motion or a leak is
  detected; "open"/"closed" for curtains and blinds; "locked"/"unlocked" for locks; an air
  conditioner is on when its state is not_equals "off".
- Without a named value: hot means temperature above 28, cold below 18; humid means
  humidity above 60, dry below 40. Morning 07:00, noon 12:00, evening 18:00, night 21:00,
  bedtime 22:00; "at night" while something happens means between 22:00 and 06:00.
- "in N minutes" is a once schedule at now + N minutes.

Now: {now} ({weekday}).

Devices (id: name / aliases (kind, type, area)):
{devices}

Scenes (id: name / aliases):
{scenes}
"""
