"""Conditions of a rule: which clauses say "if …", and what each one asks of the home."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...home_model import DeviceKind, HomeDevice, Language
from .condition_tables import (
    BELOW_WORDS,
    CONDITION_TABLES,
    CONTACT_TYPES,
    DOOR_WORDS,
    EN_ACTION_VERBS,
    EN_CLAUSE_START,
    EN_NOT_A_START,
    HUMIDITY_WORDS,
    JA_CLAUSE,
    LEAK_TYPES,
    LOCK_WORDS,
    MOTION_TYPES,
    PRONOUNS,
    TEMPERATURE_WORDS,
    AbstractState,
)
from .defaults import COLD_BELOW, HOT_ABOVE
from .home_index import HomeIndex, Mention
from .text import MASK, Masked, contains_any


def condition_clauses(masked: Masked, language: Language) -> list[tuple[int, int]]:
    """Spans of the clauses that say "if/when …" (not yet taken out of the text)."""
    if language == "ja":
        return [match.span() for match in JA_CLAUSE.finditer(masked.text) if match.group()]
    spans: list[tuple[int, int]] = []
    text = masked.text
    for match in EN_CLAUSE_START.finditer(text):
        if spans and match.start() < spans[-1][1]:
            continue
        end = _en_clause_end(text, match.end())
        spans.append((match.start(), end))
    return spans


def _en_clause_end(text: str, position: int) -> int:
    """Where an English condition clause stops: a comma, "then", or the next request."""
    previous = ""
    for token in re.finditer(r"[a-z']+|[,;\x00]|\S", text[position:]):
        word = token.group()
        start = position + token.start()
        if word in (",", ";", MASK) or word == "then":
            return start
        if word in EN_ACTION_VERBS and previous not in EN_NOT_A_START:
            # "… and notify me": the "and" belongs to the next request.
            head = text[:start].rstrip()
            return len(head[:-4]) if head.endswith(" and") else start
        previous = word if not word.endswith("'s") else "'s"
    return len(text)


@dataclass(slots=True)
class ConditionFinding:
    """The conditions found in one clause and what of the clause they explain."""

    conditions: list[dict[str, Any]] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    # Problems to tell the user: "ambiguous:<device names>", "no_device".
    problems: list[str] = field(default_factory=list)
    # A state condition about "it": the device comes from the actions.
    pronoun_state: AbstractState | None = None
    no_sensor: set[str] = field(default_factory=set)


class ConditionReader:
    """Reads temperature, humidity and device-state conditions out of one clause."""

    def __init__(self, index: HomeIndex) -> None:
        """Conditions name devices through `index`."""
        self.index = index

    def read(self, clause: str, language: Language) -> ConditionFinding:
        """Every condition in the clause."""
        finding = ConditionFinding()
        mention = self.index.mention(clause)
        self._numbers(clause, language, mention, finding)
        self._qualitative(clause, language, mention, finding)
        self._state(clause, language, mention, finding)
        return finding

    # --- temperature and humidity ---

    def _measure(self, clause: str, at: int, unit: str | None) -> str:
        """Temperature or humidity: by the unit, else by the nearest word before the number."""
        if unit in ("%", "パーセント", "percent", "per cent"):
            return "humidity"
        if unit:
            return "temperature"
        before = clause[:at]
        temperature = [match.start() for match in TEMPERATURE_WORDS.finditer(before)]
        humidity = [match.start() for match in HUMIDITY_WORDS.finditer(before)]
        if humidity and (not temperature or humidity[-1] > temperature[-1]):
            return "humidity"
        return "temperature"

    def _source(self, measure: str, mention: Mention, finding: ConditionFinding) -> dict[str, str]:
        """The sensor of the named area (the first one, as the fallback parser reads it)."""
        if not self.index.sensors(measure):
            finding.no_sensor.add(measure)
            return {}
        for area in sorted(mention.areas):
            in_area = self.index.sensors(measure, area)
            if in_area:
                return {"device_id": in_area[0].device_id}
        measuring = {device.device_id for device in self.index.sensors(measure)}
        named = [device for device in mention.devices if device.device_id in measuring]
        return {"device_id": named[0].device_id} if named else {}

    def _add(
        self,
        finding: ConditionFinding,
        measure: str,
        operator: str,
        value: float | list[float],
        mention: Mention,
        span: tuple[int, int],
    ) -> None:
        condition: dict[str, Any] = {"type": measure, "operator": operator, "value": value}
        condition.update(self._source(measure, mention, finding))
        finding.conditions.append(condition)
        finding.spans.append(span)

    def _numbers(
        self, clause: str, language: Language, mention: Mention, finding: ConditionFinding
    ) -> None:
        table = CONDITION_TABLES[language]
        taken: list[tuple[int, int]] = []
        for match in table.between.finditer(clause):
            low, high = sorted((float(match.group("a")), float(match.group("b"))))
            measure = self._measure(clause, match.start(), match.group("unit"))
            self._add(finding, measure, "between", [low, high], mention, match.span())
            taken.append(match.span())
        for match in table.compare.finditer(clause):
            if any(start <= match.start() < end for start, end in taken):
                continue
            number = float(match.group("n"))
            op_words = match.group("op")
            if op_words.startswith("に") and language == "ja":
                # "28度になったら": the direction it crosses, judged from the number.
                below = number < (HOT_ABOVE + COLD_BELOW) / 2 or "寒" in clause
            else:
                below = any(word in op_words for word in BELOW_WORDS)
            measure = self._measure(clause, match.start(), match.group("unit"))
            if measure == "humidity" and not HUMIDITY_WORDS.search(clause):
                measure = "temperature" if match.group("unit") is None else measure
            self._add(
                finding,
                measure,
                "below" if below else "above",
                number,
                mention,
                match.span(),
            )

    def _qualitative(
        self, clause: str, language: Language, mention: Mention, finding: ConditionFinding
    ) -> None:
        measured = {condition["type"] for condition in finding.conditions}
        for measure, operator, value, pattern in CONDITION_TABLES[language].qualitative:
            if measure in measured:
                continue
            match = pattern.search(clause)
            if match is None:
                continue
            self._add(finding, measure, operator, value, mention, match.span())
            measured.add(measure)

    # --- device states ---

    def _state(
        self, clause: str, language: Language, mention: Mention, finding: ConditionFinding
    ) -> None:
        for pattern, state in CONDITION_TABLES[language].states:
            match = pattern.search(clause)
            if match is None:
                continue
            if (
                state in ("on", "off", "open", "closed")
                and finding.conditions
                and not (mention.devices or mention.kinds or contains_any(clause, DOOR_WORDS))
            ):
                # "it gets hot … turns on": nothing named, the state word is not a device's.
                return
            device, words = self._state_device(clause, state, mention)
            if device is None:
                if words == "pronoun":
                    finding.pronoun_state = state
                    finding.spans.append(match.span())
                elif words:
                    finding.problems.append(words)
                return
            condition = {"type": "device_state", "device_id": device.device_id}
            condition.update(state_value(device, state))
            finding.conditions.append(condition)
            finding.spans.append(match.span())
            finding.spans.extend(mention.spans)
            return

    def _state_device(
        self, clause: str, state: AbstractState, mention: Mention
    ) -> tuple[HomeDevice | None, str]:
        """The one device a state is about, or None and why ("ambiguous:…", "pronoun")."""
        index = self.index
        candidates: list[HomeDevice]
        if state == "motion":
            candidates = index.of_types(MOTION_TYPES)
        elif state == "leak":
            candidates = index.of_types(LEAK_TYPES)
        elif state in ("locked", "unlocked"):
            candidates = index.of_kinds([DeviceKind.LOCK])
        elif mention.devices:
            candidates = list(mention.devices)
            if state in ("open", "closed") and contains_any(clause, DOOR_WORDS):
                # "玄関ドアの開閉センサー" named in full still means the sensor.
                contacts = [d for d in candidates if d.device_type in CONTACT_TYPES]
                candidates = contacts or candidates
        elif state in ("open", "closed") and contains_any(clause, LOCK_WORDS):
            candidates = index.of_kinds([DeviceKind.LOCK])
        elif state in ("open", "closed") and contains_any(clause, DOOR_WORDS):
            candidates = index.of_types(CONTACT_TYPES)
        elif mention.kinds - {DeviceKind.LOCK}:
            candidates = index.of_kinds(mention.kinds - {DeviceKind.LOCK})
        elif PRONOUNS.search(clause) or not clause.strip(" 、,"):
            return None, "pronoun"
        else:
            return None, ""
        if mention.areas and len(candidates) > 1:
            candidates = [d for d in candidates if d.area in mention.areas] or candidates
        if len(candidates) == 1:
            return candidates[0], ""
        if not candidates:
            return None, "no_device"
        return None, "ambiguous:" + "、".join(device.name for device in candidates)


def state_value(device: HomeDevice, state: AbstractState) -> dict[str, str]:
    """The operator and value a RoomSense entity of this device shows for the state.

    Binary sensors (contact, motion, leak) are "on" when open / detecting; covers are
    "open" / "closed"; locks "locked" / "unlocked"; a climate entity shows its HVAC mode,
    so "on" is "not off"; a vacuum "cleaning" / "docked"; everything else "on" / "off".
    """
    if device.device_type in CONTACT_TYPES | MOTION_TYPES | LEAK_TYPES:
        active = state in ("open", "on", "motion", "leak", "unlocked")
        return {"operator": "equals", "value": "on" if active else "off"}
    if device.kind is DeviceKind.LOCK:
        opened = state in ("open", "unlocked", "off")
        return {"operator": "equals", "value": "unlocked" if opened else "locked"}
    if device.kind in (DeviceKind.CURTAIN, DeviceKind.BLIND):
        opened = state in ("open", "on")
        return {"operator": "equals", "value": "open" if opened else "closed"}
    if device.kind is DeviceKind.AIR_CONDITIONER:
        running = state in ("on", "open")
        return {"operator": "not_equals" if running else "equals", "value": "off"}
    if device.kind is DeviceKind.VACUUM:
        running = state in ("on", "open")
        return {"operator": "equals", "value": "cleaning" if running else "docked"}
    running = state in ("on", "open", "unlocked")
    return {"operator": "equals", "value": "on" if running else "off"}
