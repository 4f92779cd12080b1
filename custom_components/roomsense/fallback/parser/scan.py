"""Tagging an utterance with the phrases it contains, longest phrases first."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from ...home_model import DeviceKind
from .. import lexicon as lx
from .text import substring_spans

_NUMBER: Final = re.compile(
    r"(\d+(?:\.\d+)?)\s*(°c|°|%|パーセント|per cent|percent|pct|degrees?|celsius|度"
    r"|ケルビン|kelvin|k(?![a-z])|c(?![a-z]))?"
)


class Tag(StrEnum):
    """What a recognised phrase means."""

    DEVICE = "device"
    WEAK_DEVICE = "weak_device"  # a device's short name that is also a generic kind word
    KIND = "kind"
    PLURAL = "plural"
    AREA = "area"
    HOME = "home"
    ALL = "all"
    OP = "op"
    COOLER = "cooler"
    WARMER = "warmer"
    AC_MODE = "ac_mode"
    FAN_SPEED = "fan_speed"
    FAN_CONTEXT = "fan_context"
    COLOR = "color"
    KELVIN = "kelvin"
    HALF = "half"
    BRIGHTNESS_CONTEXT = "brightness_context"
    HUMIDITY_CONTEXT = "humidity_context"
    MOP = "mop"
    SCENE = "scene"
    WEAK_SCENE = "weak_scene"  # a bare English scene alias such as "home"
    QUESTION = "question"
    TOPIC = "topic"
    NEGATION = "negation"
    BUTTON = "button"
    RUN = "run"
    START = "start"
    VOLUME = "volume"
    CHANNEL = "channel"
    UP = "up"
    DOWN = "down"
    VOLUME_UP = "volume_up"
    VOLUME_DOWN = "volume_down"
    MUTE = "mute"
    LEVEL = "level"
    DARK = "dark"
    GLARE = "glare"
    MODE = "mode"
    DRY_AIR = "dry_air"
    COUNT = "count"
    APPLIANCE = "appliance"  # a word for what a Bot presses ("お湯" for the water heater)
    HEAT_WATER = "heat_water"
    ABSENT = "absent"
    WHY = "why"


type Meaning = tuple[Tag, Any]
# A phrase of the index: its text, what it means, and its whole-word pattern (English only).
type Term = tuple[str, tuple[Meaning, ...], re.Pattern[str] | None]

# Tags that make a piece of a sentence a request of its own.
# ("It's too hot, turn on the cooling": a feeling or a reason is no request of its own.)
ACTION_TAGS: Final = frozenset(
    {
        Tag.OP, Tag.BUTTON, Tag.COLOR, Tag.KELVIN, Tag.VOLUME_UP, Tag.VOLUME_DOWN, Tag.MUTE,
        Tag.SCENE, Tag.AC_MODE, Tag.MODE, Tag.UP, Tag.DOWN,
    }
)  # fmt: skip
FEELING_TAGS: Final = frozenset({Tag.DARK, Tag.GLARE, Tag.DRY_AIR})
TARGET_TAGS: Final = frozenset({Tag.DEVICE, Tag.WEAK_DEVICE, Tag.KIND, Tag.AREA, Tag.HOME})
_NAMING_TAGS: Final = (Tag.KIND, Tag.DEVICE, Tag.WEAK_DEVICE)


@dataclass(slots=True)
class Scan:
    """The phrases found in one utterance, in the order they appear."""

    tags: dict[Tag, list[Any]] = field(default_factory=dict)
    kind_terms: list[tuple[DeviceKind, str]] = field(default_factory=list)
    numbers: list[tuple[float, str | None]] = field(default_factory=list)
    # (start, end, tags) of every tagged phrase, in text order.
    spans: list[tuple[int, int, frozenset[Tag]]] = field(default_factory=list)
    number_starts: list[int] = field(default_factory=list)
    text: str = ""

    def values(self, tag: Tag) -> list[Any]:
        """All values of one tag, first occurrence first."""
        return self.tags.get(tag, [])

    def has(self, tag: Tag) -> bool:
        """Whether the tag occurred at all."""
        return tag in self.tags

    def has_any(self, *tags: Tag) -> bool:
        """Whether any of the tags occurred."""
        return any(tag in self.tags for tag in tags)

    def named_ids(self) -> set[str]:
        """The devices named by their full or their short name."""
        return {*self.values(Tag.DEVICE), *self.values(Tag.WEAK_DEVICE)}

    def first_number(self, unit_class: str | None) -> float | None:
        """The first number said with a unit of that class (None: a bare number)."""
        return next((value for value, unit in self.numbers if unit == unit_class), None)


def scan_text(terms: list[Term], text: str) -> Scan:
    """Tag the longest phrases first; a shorter phrase inside a tagged one is ignored."""
    claimed = bytearray(len(text))
    hits = _claim_phrases(terms, text, claimed)
    found = Scan(text=text)
    named_elsewhere = any(
        any(tag in _NAMING_TAGS for tag, _ in meanings)
        and not any(tag is Tag.OP for tag, _ in meanings)
        for _start, _term, meanings in hits
    )
    for start, term, meanings in sorted(hits, key=lambda hit: hit[0]):
        if named_elsewhere and any(tag is Tag.OP for tag, _ in meanings):
            # "Lock the humidifier's controls": the verb "lock" names no lock when
            # another device is named.
            meanings = tuple((tag, value) for tag, value in meanings if tag not in _NAMING_TAGS)
        found.spans.append((start, start + len(term), frozenset(tag for tag, _ in meanings)))
        for tag, value in meanings:
            found.tags.setdefault(tag, []).append(value)
            if tag is Tag.KIND:
                found.kind_terms.append((value, term))
    masked = "".join(" " if claimed[i] else char for i, char in enumerate(text))
    for match in _NUMBER.finditer(masked):
        found.numbers.append((float(match.group(1)), _unit_class(match.group(2))))
        found.number_starts.append(match.start())
    return found


def _claim_phrases(
    terms: list[Term], text: str, claimed: bytearray
) -> list[tuple[int, str, tuple[Meaning, ...]]]:
    """Every phrase not inside a longer one already found, marking the characters it takes."""
    hits: list[tuple[int, str, tuple[Meaning, ...]]] = []
    for term, meanings, pattern in terms:
        if term not in text:
            continue
        spans = (
            [match.span() for match in pattern.finditer(text)]
            if pattern is not None
            else substring_spans(text, term)
        )
        for start, end in spans:
            if any(claimed[start:end]):
                continue
            claimed[start:end] = b"\x01" * (end - start)
            hits.append((start, term, meanings))
    return hits


def _unit_class(unit: str | None) -> str | None:
    if unit is None:
        return None
    if unit in lx.PERCENT_UNITS:
        return "percent"
    if unit in lx.KELVIN_UNITS:
        return "kelvin"
    return "degree"
