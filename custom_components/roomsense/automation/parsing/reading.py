"""Pattern mode's reading of one sentence: when, under which conditions, and what it does.

The sentence is read in a fixed order on masked text: times, then the "if …" clauses, then
notification requests, and what is left goes piece by piece through the fallback command
parser (which knows the home's devices, scenes and commands).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from ...fallback import FallbackParser, detect_language
from ...fallback import lexicon as lx
from ...home_model import Action, DeviceKind, HomeDevice, HomeSnapshot, Language
from . import messages as msg
from .condition_tables import AbstractState
from .conditions import ConditionReader, condition_clauses, state_value
from .describing import Describer, describe_schedule
from .home_index import HomeIndex
from .naming import english_name, workflow_name
from .requests import action_pieces, find_notifications
from .results import Reading
from .scheduling import build_schedule
from .text import MASK, Masked, content_size, prepare, without_spans
from .times import find_times

# Fallback replies worth passing on when a request piece is not understood (not the help).
_TELLING_INTENTS: Final = frozenset({"ambiguous", "no_device", "unsupported", "conflict"})
_MEASURE_WORDS: Final = re.compile(r"温度|室温|気温|湿度|湿気|temperature|humidity|temp\b")


class PatternReader:
    """Reads sentences with fixed patterns, for a fixed snapshot of the home."""

    def __init__(self, snapshot: HomeSnapshot, describer: Describer) -> None:
        """Index the home once; `describer` words the notifications' default texts."""
        self._fallback = FallbackParser(snapshot)
        self._index = HomeIndex(snapshot)
        self._conditions = ConditionReader(self._index)
        self._devices = {device.device_id: device for device in snapshot.devices}
        self._describer = describer

    def read(self, text: str, now: datetime) -> Reading:
        """Everything the patterns make of one sentence."""
        language = detect_language(text)
        prepared = prepare(text)
        reading = Reading(language, text, total=max(1, content_size(prepared, language)))
        masked = Masked(prepared)
        times = find_times(masked, language)
        pronoun_state = self._read_conditions(masked, reading)
        notifications = find_notifications(masked, language)
        self._read_actions(masked.text, reading)
        if pronoun_state is not None:
            self._resolve_pronoun(pronoun_state, reading)
        build_schedule(times, reading, now)
        for notification in notifications:
            message = notification.message or self._notification_text(reading)
            reading.actions.append({"type": "notification", "message": message})
            reading.replies.append(msg.NOTIFY_REPLY[language])
        reading.trigger_phrases.extend(times.phrases)
        reading.name = workflow_name(reading, bool(notifications))
        return reading

    def _read_conditions(self, masked: Masked, reading: Reading) -> AbstractState | None:
        """Take the "if …" clauses out of the text; their conditions go into `reading`."""
        pronoun_state: AbstractState | None = None
        language = reading.language
        for start, end in condition_clauses(masked, language):
            clause = masked.text[start:end]
            finding = self._conditions.read(clause, language)
            reading.conditions.extend(finding.conditions)
            reading.no_sensor |= finding.no_sensor
            reading.problems.extend(finding.problems)
            if finding.pronoun_state is not None:
                pronoun_state = finding.pronoun_state
            understood = list(finding.spans)
            understood += self._index.mention(clause).spans
            understood += [match.span() for match in _MEASURE_WORDS.finditer(clause)]
            rest = without_spans(clause, understood)
            size = content_size(rest, language)
            if not finding.conditions and finding.pronoun_state is None and not finding.problems:
                reading.problems.append("unknown:" + clause.strip(" 、," + MASK))
                reading.leftover += content_size(clause, language)
            elif size >= (3 if language == "ja" else 4):
                reading.unknown.append(" ".join(rest.replace(MASK, " ").split()))
                reading.leftover += size
            reading.trigger_phrases.append((start, clause))
            masked.take(start, end)
        return pronoun_state

    def _read_actions(self, text: str, reading: Reading) -> None:
        """Each request piece through the fallback command parser."""
        language = reading.language
        condition_devices = [
            self._devices[condition["device_id"]]
            for condition in reading.conditions
            if condition["type"] == "device_state" and condition.get("device_id") in self._devices
        ]
        for said, piece in action_pieces(text, language):
            if content_size(piece, language) == 0:
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
                reading.leftover += content_size(said, language)
                continue
            if self._add_actions(result.actions, result.scene_id, result.reply, reading):
                reading.request_phrases.append(said)

    def _add_actions(
        self, actions: tuple[Action, ...], scene_id: str | None, reply: str, reading: Reading
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

    def _resolve_pronoun(self, state: AbstractState, reading: Reading) -> None:
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
        condition.update(state_value(device, state))
        reading.conditions.append(condition)

    def _notification_text(self, reading: Reading) -> str:
        """What a notification says when the sentence gives no words: what happened."""
        language = reading.language
        events = [
            self._describer.event(condition, language)
            for condition in reading.conditions
            if condition["type"] != "time"
        ]
        if events:
            return ("" if language == "ja" else " ").join(events)
        if reading.schedule is None:
            return "RoomSense"
        when = describe_schedule(reading.schedule, language)
        return f"リマインダー（{when}）" if language == "ja" else f"Reminder ({when})"


def _with_device(piece: str, device: HomeDevice, language: Language) -> str:
    """A request that says "it" (or nothing) about the condition's device, with its name."""
    if language == "ja":
        return f"{device.name}を{piece}"
    name = f"the {english_name(device).lower()}"
    replaced, count = re.subn(r"\b(?:it|them|they)\b", name, piece)
    return replaced if count else f"{piece} {name}"
