"""Deterministic Japanese/English understanding of home commands, used without a model.

The parser tags the utterance with the longest known phrases (device names, areas, kinds,
operations, values), then decides on one request and the devices it applies to. When in
doubt it asks or explains instead of acting: a wrong action is worse than none.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final

from .. import catalog
from ..catalog import Choice, Family
from . import lexicon as lx
from .commands import Request, build_actions
from .lexicon import Op
from .model import (
    Action,
    AreaInfo,
    DeviceInfo,
    DeviceKind,
    HomeSnapshot,
    Language,
    ParseResult,
)
from .numbers import CORRECTION_WORDS, read_duration, read_numbers

_JAPANESE_CHARS: Final = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_ASCII_TERM: Final = re.compile(r"[a-z0-9]")
_KANJI_DIGITS: Final = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_KANJI_NUMBER: Final = re.compile(
    r"[〇零一二三四五六七八九十百]+(?=\s*(?:度|%|パーセント|ケルビン))"
)
_NUMBER: Final = re.compile(
    r"(\d+(?:\.\d+)?)\s*(°c|°|%|パーセント|per cent|percent|pct|degrees?|celsius|度"
    r"|ケルビン|kelvin|k(?![a-z])|c(?![a-z]))?"
)
_TRAILING_PUNCTUATION: Final = " 。.!！、,~〜ー…♪"
_OPS_NEEDING_TARGET_AREA: Final = (Op.OPEN, Op.CLOSE, Op.POSITION, Op.STOP)
_COVER_KINDS: Final = frozenset({DeviceKind.CURTAIN, DeviceKind.BLIND})
_SENSOR_FIELDS: Final = {"temperature": "temperature", "humidity": "humidity", "co2": "CO2"}
_STRETCH: Final = re.compile(r"(?<=[\u3041-\u309f])ー+")
_CHANNEL_SUFFIX: Final = re.compile(r"(\d)(ch)(?![a-z])")
# Where one request ends and the next begins: "、", "and", "then", or a verb's て-form.
_CLAUSE_BREAK: Final = re.compile(
    r"\s*(?:[、,;。]|\band then\b|\band\b|\bthen\b|それから|そのあと|あと(?=[^\d]))\s*"
)
# Tags that make a piece of a sentence a request of its own.
# ("It's too hot, turn on the cooling": a feeling or a reason is no request of its own.)
_ACTION_TAGS: Final = (
    "op", "button", "color", "kelvin", "volume_up", "volume_down", "mute", "scene",
    "ac_mode", "mode", "up", "down",
)  # fmt: skip
_FEELING_TAGS: Final = ("dark", "glare", "dry_air")
_TARGET_TAGS: Final = ("device", "weak_device", "kind", "area", "home")
_POLITE_REQUEST: Final = re.compile(
    r"^(?:please\s+)?(?:can|could|would|will)\s+you\b|(?:くれる|くれない|もらえる|もらえない)[?？]?$"
)
# A piece that speaks of the speaker or gives a reason ("I need caffeine", 「眠いから」) asks
# for nothing of its own.
_REMARK: Final = re.compile(
    r"^(?:i|i'm|im|i am|i've|we|we're|it's|because|since|cause|'cause)\b|(?:から|ので)$"
)
_YES_NO_QUESTION: Final = re.compile(
    r"^(?:is|are|was|were|does|do|did|has|have|isn't|aren't|doesn't)\b[^?]*\?\s*$"
)
_DEGREE_WORD: Final = re.compile(r"\bdegrees?\b|度")
_AV_KINDS: Final = frozenset({DeviceKind.TV, DeviceKind.OTHER})
_BUTTON_OPS: Final = frozenset({Op.TURN_ON, Op.PRESS, Op.OPEN})


class _Tag(StrEnum):
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


type _Meaning = tuple[_Tag, Any]


@dataclass(slots=True)
class _Scan:
    """The phrases found in one utterance, in the order they appear."""

    tags: dict[_Tag, list[Any]] = field(default_factory=dict)
    kind_terms: list[tuple[DeviceKind, str]] = field(default_factory=list)
    numbers: list[tuple[float, str | None]] = field(default_factory=list)
    # (start, end, tags) of every tagged phrase, in text order.
    spans: list[tuple[int, int, frozenset[_Tag]]] = field(default_factory=list)
    number_starts: list[int] = field(default_factory=list)
    text: str = ""

    def values(self, tag: _Tag) -> list[Any]:
        """All values of one tag, first occurrence first."""
        return self.tags.get(tag, [])

    def has(self, tag: _Tag) -> bool:
        """Whether the tag occurred at all."""
        return tag in self.tags


@dataclass(slots=True)
class _Outcome:
    """An intermediate decision: a request and its devices, or a ready reply."""

    request: Request | None = None
    devices: list[DeviceInfo] = field(default_factory=list)
    result: ParseResult | None = None


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters, half-width kana), lower case, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("‘", "'").replace("℃", "°c")
    text = _KANJI_NUMBER.sub(lambda match: str(_kanji_to_int(match.group())), text)
    return " ".join(text.split())


def detect_language(text: str) -> Language:
    """Japanese as soon as any kana or kanji appears, English otherwise."""
    return "ja" if _JAPANESE_CHARS.search(text) else "en"


def _kanji_to_int(numeral: str) -> int:
    """二十五 → 25, 百 → 100 (enough for degrees and percentages)."""
    total = 0
    current = 0
    for char in numeral:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = current * 10 + _KANJI_DIGITS[char]
    return total + current


@lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern[str] | None:
    """English terms match whole words only ("ac" must not match "back")."""
    if not _ASCII_TERM.search(term) or _JAPANESE_CHARS.search(term):
        return None
    return re.compile(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])")


def _ascii_first(names: Iterable[str], fallback: str) -> str:
    return next((name for name in names if name.isascii()), fallback)


_ACTION_TAG_SET: Final = frozenset(_Tag(tag) for tag in _ACTION_TAGS)
_TARGET_TAG_SET: Final = frozenset(_Tag(tag) for tag in _TARGET_TAGS)
_FEELING_TAG_SET: Final = frozenset(_Tag(tag) for tag in _FEELING_TAGS)


@functools.cache
def _lexicon_meanings() -> dict[str, tuple[_Meaning, ...]]:
    """The lexicon's terms, normalised, with what each means."""
    meanings: dict[str, list[_Meaning]] = {}

    def add(term: str, meaning: _Meaning) -> None:
        term = normalize(term)
        if term and meaning not in (bucket := meanings.setdefault(term, [])):
            bucket.append(meaning)

    FallbackParser._add_lexicon(add)
    return {term: tuple(found) for term, found in meanings.items()}


@functools.cache
def _kind_terms() -> frozenset[str]:
    return frozenset(normalize(word) for words in lx.KIND_WORDS.values() for word in words)


type _Term = tuple[str, tuple[_Meaning, ...], re.Pattern[str] | None]
_INDEXES: Final[OrderedDict[Hashable, list[_Term]]] = OrderedDict()
_INDEXES_KEPT: Final = 8


def _naming_key(snapshot: HomeSnapshot) -> Hashable:
    """Everything the phrase index is built from: names, never states."""
    return (
        tuple(snapshot.areas),
        tuple(snapshot.scenes),
        tuple(
            (d.device_id, d.name, d.aliases, d.kind, d.device_type, d.area, d.custom_buttons)
            for d in snapshot.devices
        ),
    )


class FallbackParser:
    """Understands one utterance at a time against a fixed snapshot of the home."""

    def __init__(self, snapshot: HomeSnapshot) -> None:
        """Index the snapshot's names next to the lexicon, longest phrases first."""
        self._snapshot = snapshot
        self._devices = {device.device_id: device for device in snapshot.devices}
        self._areas = {area.name: area for area in snapshot.areas}
        # A snapshot is built every turn, but its names rarely change: the index is reused.
        key = _naming_key(snapshot)
        cached = _INDEXES.get(key)
        if cached is not None:
            _INDEXES.move_to_end(key)
            self._terms = cached
            return
        self._terms = self._index(snapshot)
        _INDEXES[key] = self._terms
        if len(_INDEXES) > _INDEXES_KEPT:
            _INDEXES.popitem(last=False)

    def _index(self, snapshot: HomeSnapshot) -> list[_Term]:
        """Every phrase the parser knows for this home, longest first."""
        # The fixed lexicon is the bulk of the terms: normalised once per process, copied here.
        meanings = {term: list(found) for term, found in _lexicon_meanings().items()}

        def add(term: str, meaning: _Meaning) -> None:
            term = normalize(term)
            if term and meaning not in (bucket := meanings.setdefault(term, [])):
                bucket.append(meaning)

        self._add_areas(add)
        self._add_scenes(add)
        self._add_appliances(add)
        kind_terms = _kind_terms()
        for device in snapshot.devices:
            for key in self._device_keys(device):
                add(key, (_Tag.WEAK_DEVICE if key in kind_terms else _Tag.DEVICE, device.device_id))
            for button in device.custom_buttons:
                add(button, (_Tag.BUTTON, (device.device_id, button)))
                for group in lx.BUTTON_SYNONYMS:
                    if normalize(button) in {normalize(word) for word in group}:
                        for word in group:
                            add(word, (_Tag.BUTTON, (device.device_id, button)))
        return [
            (term, tuple(found), _term_pattern(term))
            for term, found in sorted(meanings.items(), key=lambda item: -len(item[0]))
        ]

    # --- Indexing ------------------------------------------------------------------------

    @staticmethod
    def _add_lexicon(add: Any) -> None:
        for kind, words in lx.KIND_WORDS.items():
            for word in words:
                add(word, (_Tag.KIND, kind))
                if word in lx.PLURAL_KIND_WORDS:
                    add(word, (_Tag.PLURAL, kind))
        for op, phrases in lx.OP_PHRASES.items():
            for phrase in phrases:
                add(phrase, (_Tag.OP, op))
        simple: list[tuple[Iterable[str], _Meaning]] = [
            (lx.HOME_WORDS, (_Tag.HOME, True)),
            (lx.ALL_WORDS, (_Tag.ALL, True)),
            (lx.COOLER_PHRASES, (_Tag.COOLER, Op.COOLER)),
            (lx.WARMER_PHRASES, (_Tag.WARMER, Op.WARMER)),
            (lx.FAN_SPEED_CONTEXT, (_Tag.FAN_CONTEXT, True)),
            (lx.HALF_WORDS, (_Tag.HALF, 50)),
            (lx.BRIGHTNESS_CONTEXT, (_Tag.BRIGHTNESS_CONTEXT, True)),
            (lx.HUMIDITY_SET_CONTEXT, (_Tag.HUMIDITY_CONTEXT, True)),
            (lx.MOP_WORDS, (_Tag.MOP, True)),
            (lx.QUESTION_WORDS, (_Tag.QUESTION, True)),
            (lx.NEGATION_WORDS, (_Tag.NEGATION, True)),
            (lx.TEMPERATURE_TOPIC, (_Tag.TOPIC, "temperature")),
            (lx.HUMIDITY_TOPIC, (_Tag.TOPIC, "humidity")),
            (lx.CO2_TOPIC, (_Tag.TOPIC, "co2")),
            (lx.STATE_TOPIC, (_Tag.TOPIC, "state")),
            (lx.LEAK_TOPIC, (_Tag.TOPIC, "leak")),
            (lx.MOTION_TOPIC, (_Tag.TOPIC, "motion")),
            (lx.BATTERY_TOPIC, (_Tag.TOPIC, "battery")),
            (lx.RUN_WORDS, (_Tag.RUN, True)),
            (lx.START_WORDS, (_Tag.START, True)),
            (lx.VOLUME_CONTEXT, (_Tag.VOLUME, True)),
            (lx.CHANNEL_CONTEXT, (_Tag.CHANNEL, True)),
            (lx.UP_WORDS, (_Tag.UP, True)),
            (lx.DOWN_WORDS, (_Tag.DOWN, True)),
            (lx.VOLUME_UP_PHRASES, (_Tag.VOLUME_UP, True)),
            (lx.VOLUME_DOWN_PHRASES, (_Tag.VOLUME_DOWN, True)),
            (lx.MUTE_WORDS, (_Tag.MUTE, True)),
            (lx.LEVEL_MAX_WORDS, (_Tag.LEVEL, 100)),
            (lx.LEVEL_MIN_WORDS, (_Tag.LEVEL, 1)),
            (lx.DARK_PHRASES, (_Tag.DARK, Op.BRIGHTER)),
            (lx.GLARE_PHRASES, (_Tag.GLARE, Op.DIMMER)),
            (lx.DRY_AIR_PHRASES, (_Tag.DRY_AIR, True)),
            (lx.HEAT_WATER_WORDS, (_Tag.HEAT_WATER, True)),
            # (An appliance's own job: the same meaning for a coffee maker's plug.)
            (lx.BREW_WORDS, (_Tag.HEAT_WATER, True)),
            (lx.WHY_WORDS, (_Tag.WHY, True)),
            (lx.ABSENT_APPLIANCE_WORDS, (_Tag.ABSENT, True)),
        ]
        for phrases_of_meaning, meaning in simple:
            for phrase in phrases_of_meaning:
                add(phrase, meaning)
        for phrase in lx.LIGHTS_OUT_PHRASES:
            add(phrase, (_Tag.OP, Op.TURN_OFF))
            add(phrase, (_Tag.KIND, DeviceKind.LIGHT))
        for mode, words in lx.AC_MODE_WORDS.items():
            for word in words:
                add(word, (_Tag.AC_MODE, mode))
        for mode_name, words in lx.MODE_WORDS.items():
            for word in words:
                add(word, (_Tag.MODE, mode_name))
        for count, words in lx.COUNT_WORDS.items():
            for word in words:
                add(word, (_Tag.COUNT, count))
        for speed, words in lx.FAN_SPEED_WORDS.items():
            for word in words:
                add(word, (_Tag.FAN_SPEED, speed))
        for rgb, (words, _names) in lx.COLOR_WORDS.items():
            for word in words:
                add(word, (_Tag.COLOR, rgb))
        for kelvin, words in lx.COLOR_TEMPERATURE_WORDS.items():
            for word in words:
                add(word, (_Tag.KELVIN, kelvin))

    def _add_areas(self, add: Any) -> None:
        known = {
            normalize(name) for area in self._snapshot.areas for name in self._area_names(area)
        }
        for area in self._snapshot.areas:
            names = {normalize(name) for name in self._area_names(area)}
            for name in names:
                add(name, (_Tag.AREA, area.name))
            for canonical, words in lx.AREA_WORDS.items():
                if names & {normalize(word) for word in (canonical, *words)}:
                    for word in words:
                        add(word, (_Tag.AREA, area.name))
        # Areas the home does not have still count, so "キッチンの電気" finds nothing
        # instead of every light in the home.
        for canonical, words in lx.AREA_WORDS.items():
            if not known & {normalize(word) for word in words}:
                for word in words:
                    add(word, (_Tag.AREA, f"?{canonical}"))

    def _add_appliances(self, add: Any) -> None:
        """A Bot called by what it presses: "給湯器のボット" answers to "お湯", "bath"."""
        for device in self._snapshot.devices:
            if device.kind is DeviceKind.BOT:
                groups = lx.APPLIANCE_GROUPS
            elif device.kind is DeviceKind.PLUG:
                groups = lx.APPLIANCE_PLUG_GROUPS
            else:
                continue
            names = " ".join(normalize(name) for name in (device.name, *device.aliases))
            for name_words, request_words in groups:
                if any(word in names for word in name_words):
                    for word in request_words:
                        add(word, (_Tag.APPLIANCE, device.device_id))

    @staticmethod
    def _area_names(area: AreaInfo) -> tuple[str, ...]:
        return (area.name, *area.aliases)

    def _add_scenes(self, add: Any) -> None:
        for scene in self._snapshot.scenes:
            names = {normalize(name) for name in (scene.name, *scene.aliases)}
            strong: set[str] = set()
            for canonical, phrases in lx.SCENE_PHRASES.items():
                group = {normalize(phrase) for phrase in (canonical, *phrases)}
                if names & group:
                    strong |= group
            for name in names:
                # A bare English alias ("home") is too common a word to act on alone.
                if name.isascii() and name not in strong:
                    add(name, (_Tag.WEAK_SCENE, scene.scene_id))
                else:
                    strong.add(name)
            for phrase in strong:
                add(phrase, (_Tag.SCENE, scene.scene_id))

    def _device_keys(self, device: DeviceInfo) -> set[str]:
        """Full names and aliases, plus the same without the area ("シーリングライト")."""
        area_words = self._all_area_words()
        kind_words = _kind_terms()
        keys: set[str] = set()
        for raw in (device.name, *device.aliases):
            name = normalize(raw)
            keys.add(name)
            for part in name.split("の"):
                part = part.strip()
                if (
                    part
                    and part not in area_words
                    and not any(part.startswith(word) for word in area_words if not word.isascii())
                ):
                    keys.add(part)
            if name.isascii():
                stripped = name
                for word in sorted(area_words, key=len, reverse=True):
                    if word.isascii():
                        stripped = re.sub(rf"(?<![a-z]){re.escape(word)}(?![a-z])", " ", stripped)
                stripped = " ".join(stripped.split())
                keys.add(stripped)
                head, _, last = stripped.rpartition(" ")
                # "coffee maker plug" is also just "the coffee maker".
                if head and last in kind_words and head not in kind_words | area_words:
                    keys.add(head)
        for key in list(keys):
            words = key.split()
            for one, other in lx.NAME_VARIANTS:
                for old, new in ((one, other), (other, one)):
                    if old in words:
                        keys.add(" ".join(new if word == old else word for word in words))
        return {key for key in keys if len(key) >= (3 if key.isascii() else 2)}

    @lru_cache(maxsize=1)  # noqa: B019 - one parser lives as long as its snapshot
    def _all_area_words(self) -> frozenset[str]:
        words = {normalize(word) for group in lx.AREA_WORDS.values() for word in group}
        for area in self._snapshot.areas:
            words |= {normalize(name) for name in self._area_names(area)}
        return frozenset(words)

    # --- Scanning ------------------------------------------------------------------------

    def _scan(self, text: str) -> _Scan:
        """Tag the longest phrases first; a shorter phrase inside a tagged one is ignored."""
        claimed = bytearray(len(text))
        hits: list[tuple[int, str, tuple[_Meaning, ...]]] = []
        for term, meanings, pattern in self._terms:
            if term not in text:
                continue
            spans = (
                [match.span() for match in pattern.finditer(text)]
                if pattern is not None
                else _substring_spans(text, term)
            )
            for start, end in spans:
                if any(claimed[start:end]):
                    continue
                claimed[start:end] = b"\x01" * (end - start)
                hits.append((start, term, meanings))
        scan = _Scan(text=text)
        targets = (_Tag.KIND, _Tag.DEVICE, _Tag.WEAK_DEVICE)
        named_elsewhere = any(
            any(tag in targets for tag, _ in meanings)
            and not any(tag is _Tag.OP for tag, _ in meanings)
            for _start, _term, meanings in hits
        )
        for start, term, meanings in sorted(hits, key=lambda hit: hit[0]):
            if named_elsewhere and any(tag is _Tag.OP for tag, _ in meanings):
                # "Lock the humidifier's controls": the verb "lock" names no lock when
                # another device is named.
                meanings = tuple((tag, value) for tag, value in meanings if tag not in targets)
            scan.spans.append((start, start + len(term), frozenset(tag for tag, _ in meanings)))
            for tag, value in meanings:
                scan.tags.setdefault(tag, []).append(value)
                if tag is _Tag.KIND:
                    scan.kind_terms.append((value, term))
        masked = "".join(" " if claimed[i] else char for i, char in enumerate(text))
        for match in _NUMBER.finditer(masked):
            scan.numbers.append((float(match.group(1)), _unit_class(match.group(2))))
            scan.number_starts.append(match.start())
        return scan

    # --- Parsing -------------------------------------------------------------------------

    def parse(self, text: str) -> ParseResult:
        """Understand one utterance; nothing is executed, the result says what to do."""
        language = detect_language(text)
        # Numbers said in words become digits and a corrected value gives way to the last one
        # (only in what was said: the lexicon's own words stay words).
        normalized = _colloquial(read_numbers(normalize(text)))
        scan = self._scan(normalized)
        if (corrected := _drop_corrected_value(normalized, scan)) is not None:
            # 「赤に、いや青にして」: the value said last stands, as with numbers.
            normalized, scan = corrected, self._scan(corrected)
        if scan.has(_Tag.NEGATION) and not self._is_question(normalized, scan, language):
            return _reply(language, lx.NEGATION_REPLY, "negated")
        delayed = _DELAY.search(normalized) is not None
        if (delayed or _TIMER_WORDS.search(normalized)) and (
            timer := self._device_timer(normalized, scan, language)
        ):
            # "Run the fan for 30 minutes": the device's own off timer does it.
            return timer
        if delayed:
            # Asked for later: doing it now would be wrong (the agent offers a one-shot rule).
            return _reply(language, lx.DELAYED_REPLY, "delayed")
        clauses = self._clauses(normalized, scan)
        if len(clauses) > 1 and (
            self._one_climate_request(scan) or self._one_scene_said_twice(scan, clauses)
        ):
            # "AC on, cooling, 26, fan low": one request about the air conditioner;
            # 「もう寝るね、おやすみなさい」: one scene said twice.
            clauses = [normalized]
        if len(clauses) > 1:
            result = self._compound(clauses, language)
        else:
            result = self._parse_clause(normalized, scan, language, [])
        result = _bound_to_features(normalized, _as_said(normalized, result), language)
        if result.actions:
            return result
        if result.intent == "question" or self._is_question(normalized, scan, language):
            # 「チャイルドロックってかかってる？」: asked about a feature, never set it.
            return self._feature_question(normalized, language) or result
        return self._feature_request(normalized, language) or result

    def _feature_question(self, text: str, language: Language) -> ParseResult | None:
        """Whether a feature (child lock, night light) is on, for the one device that has it."""
        for words, commands in _FEATURES:
            if words.search(text) is None:
                continue
            state_field = next(
                (lx.FEATURE_STATE_FIELDS[c] for c in commands if c in lx.FEATURE_STATE_FIELDS), None
            )
            if state_field is None:
                return None
            having = [
                device
                for device in self._snapshot.devices
                if any(catalog.supports(device.device_type, c) for c in commands)
            ]
            named = [device for device in having if self._names(device, text)]
            candidates = named or having
            if len(candidates) != 1:
                return None
            (device,) = candidates
            value = device.state.get(state_field)
            index = 0 if language == "ja" else 1
            feature = lx.FEATURE_NAMES[next(iter(commands))][index]
            on = value not in (None, False, "off", 0, "0", "false")
            template = lx.FEATURE_STATE_REPLY[None if value is None else on][index]
            answer = template.format(name=self._device_name(device, language), feature=feature)
            return ParseResult(language, True, answer, answer=answer, intent="question")
        return None

    def _device_timer(self, text: str, scan: _Scan, language: Language) -> ParseResult | None:
        """An off timer on the one named device whose API has one (the fan's closeDelay).

        "Turn the fan off in 30 minutes" sets the timer; "run it for 30 minutes" and
        「つけて、1時間で切れるように」 switch it on as well. Anything else: None.
        """
        seconds = read_duration(text)
        if seconds is None:
            return None
        timers = [
            device
            for device in self._snapshot.devices
            if catalog.supports(
                device.device_type, lx.OFF_TIMER_COMMAND, infrared=device.is_infrared
            )
        ]
        named = [device for device in timers if self._names_device(device, text)]
        if len(named) != 1:
            return None
        (device,) = named
        others = {*scan.values(_Tag.DEVICE), *scan.values(_Tag.WEAK_DEVICE)} - {device.device_id}
        if others or set(scan.values(_Tag.KIND)) - {device.kind}:
            return None  # another device is named too: not a timer request of this one
        ops = set(scan.values(_Tag.OP))
        switch_on = bool(ops & {Op.TURN_ON}) or scan.has(_Tag.RUN) or scan.has(_Tag.START)
        switch_off = bool(ops & {Op.TURN_OFF, Op.STOP}) or _OFF_LATER.search(text) is not None
        later = _LATER.search(text) is not None
        timer_word = _TIMER_WORDS.search(text) is not None
        if not (switch_off or (switch_on and not later) or timer_word):
            return None  # "turn the fan on in 30 minutes": later, not a timer
        spec = catalog.command_spec(device.device_type, lx.OFF_TIMER_COMMAND)
        if spec is None or not spec.parameter.accepts(str(seconds)):
            return None
        actions: list[Action] = []
        if switch_on:
            actions.extend(build_actions(device, Request(Op.TURN_ON)) or ())
        actions.append(Action(device.device_id, lx.OFF_TIMER_COMMAND, str(seconds)))
        index = 0 if language == "ja" else 1
        template = (lx.TIMER_ON_REPLY if switch_on else lx.TIMER_REPLY)[index]
        reply = template.format(
            name=self._device_name(device, language), duration=_say_duration(seconds, language)
        )
        return ParseResult(language, True, reply, tuple(actions), intent="timer")

    def _names_device(self, device: DeviceInfo, text: str) -> bool:
        """Whether the words name this device or its kind (its room alone is not enough)."""
        for raw in (device.name, *device.aliases, *lx.KIND_WORDS.get(device.kind, ())):
            term = normalize(raw)
            pattern = _term_pattern(term)
            if term and (pattern.search(text) if pattern is not None else term in text):
                return True
        return False

    def _feature_request(self, text: str, language: Language) -> ParseResult | None:
        """A feature named on its own ("turn on the child lock"): the one device that has it.

        Two devices with the feature and no name to tell them apart: nothing is sent.
        """
        for words, commands in _FEATURES:
            if words.search(text) is None:
                continue
            (command,) = sorted(commands)
            if command not in lx.FEATURE_NAMES:
                return None
            if any(
                words.search(normalize(button))
                for device in self._snapshot.devices
                for button in device.custom_buttons
            ):
                return None  # a learned button of that name: the remote's own path decides
            having = [
                device
                for device in self._snapshot.devices
                if catalog.supports(device.device_type, command, infrared=device.is_infrared)
            ]
            named = [device for device in having if self._names(device, text)]
            candidates = named or having
            if len(candidates) != 1:
                return None
            device = candidates[0]
            spec = catalog.command_spec(device.device_type, command)
            values = spec.parameter.values if spec and isinstance(spec.parameter, Choice) else ()
            parameter = _feature_value(command, values, text)
            if parameter is None:
                return None
            index = 0 if language == "ja" else 1
            template = lx.FEATURE_ACTION_REPLIES.get(command, lx.FEATURE_DONE_REPLY)[index]
            reply = template.format(
                name=self._device_name(device, language), feature=lx.FEATURE_NAMES[command][index]
            )
            return ParseResult(
                language,
                True,
                reply,
                (Action(device.device_id, command, parameter),),
                intent="feature",
            )
        return None

    def _names(self, device: DeviceInfo, text: str) -> bool:
        """Whether the words name this device, its kind or its room."""
        in_room = bool(device.area) and normalize(device.area or "") in text
        return in_room or self._names_device(device, text)

    def _clauses(self, text: str, scan: _Scan) -> list[str]:
        """Split "do A and do B" into requests; a piece with nothing to do joins its neighbour.

        Cuts fall on "、", "and", "then" and after a verb's て-form ("つけて|閉めて") when
        more follows, never inside a recognised phrase.
        """
        inside = bytearray(len(text) + 1)
        for start, end, _tags in scan.spans:
            inside[start:end] = b"\x01" * (end - start)
        cuts: list[tuple[int, int]] = [
            match.span()
            for match in _CLAUSE_BREAK.finditer(text)
            if match.end() > match.start() and not inside[match.start()]
        ]
        for _start, end, found in scan.spans:
            more = text[end:].strip(_TRAILING_PUNCTUATION)
            if _Tag.OP in found and text[end - 1] == "て" and more:
                cuts.append((end, end))
        if not cuts:
            return [text]
        pieces: list[tuple[int, int]] = []
        position = 0
        for start, end in sorted(cuts):
            if start > position:
                pieces.append((position, start))
            position = max(position, end)
        if position < len(text):
            pieces.append((position, len(text)))
        merged: list[list[int]] = []
        pending_start: int | None = None
        for start, end in pieces:
            piece = text[start:end].strip(_TRAILING_PUNCTUATION)
            if not piece:
                continue
            # The whole sentence's tags inside this piece (cuts never split a phrase).
            inner = {tag for a, b, found in scan.spans if start <= a and b <= end for tag in found}
            numbered = any(start <= at < end for at in scan.number_starts)
            if not numbered and not inner & _ACTION_TAG_SET:
                if not inner and _is_unknown_clause(piece) and not _REMARK.search(piece):
                    # "… and order a pizza": a request of its own that nothing understands.
                    return [*(text[a:b] for a, b in merged), piece] if merged else [text]
                if merged:
                    merged[-1][1] = end
                elif pending_start is None:
                    pending_start = start
                continue
            if pending_start is not None:
                start, pending_start = pending_start, None
            merged.append([start, end])
        if pending_start is not None and merged:
            merged[0][0] = pending_start
        if len(merged) < 2:
            return [text]
        return [text[start:end].strip(_TRAILING_PUNCTUATION + "、") for start, end in merged]

    def _one_scene_said_twice(self, scan: _Scan, clauses: list[str]) -> bool:
        """Whether every piece of the sentence says the same scene and nothing else."""
        scenes = {*scan.values(_Tag.SCENE), *scan.values(_Tag.WEAK_SCENE)}
        if len(scenes) != 1 or any(
            scan.has(tag)
            for tag in (_Tag.OP, _Tag.KIND, _Tag.DEVICE, _Tag.WEAK_DEVICE, _Tag.BUTTON, _Tag.COLOR)
        ):
            return False
        pieces = [self._scan(clause) for clause in clauses]
        return all(piece.has(_Tag.SCENE) or piece.has(_Tag.WEAK_SCENE) for piece in pieces)

    def _one_climate_request(self, scan: _Scan) -> bool:
        """Whether every piece of the sentence is about the air conditioner's settings."""
        named = [
            self._devices[device_id]
            for tag in (_Tag.DEVICE, _Tag.WEAK_DEVICE)
            for device_id in scan.values(tag)
        ]
        if any(device.kind is not DeviceKind.AIR_CONDITIONER for device in named):
            return False
        # "fan" is the air conditioner's fan only with a speed ("fan low"); "… and turn on
        # the fan" is the circulator.
        ac_fan = scan.has(_Tag.FAN_SPEED)
        other_kinds = {
            kind
            for kind, term in scan.kind_terms
            if kind is not DeviceKind.AIR_CONDITIONER
            and not (ac_fan and kind is DeviceKind.FAN and term in lx.GENERIC_FAN_WORDS)
        }
        has_ac = bool(named) or DeviceKind.AIR_CONDITIONER in scan.values(_Tag.KIND)
        settings = scan.has(_Tag.AC_MODE) or scan.has(_Tag.FAN_SPEED) or bool(scan.numbers)
        extra = any(
            scan.has(tag)
            for tag in (_Tag.SCENE, _Tag.BUTTON, _Tag.COLOR, _Tag.KELVIN, _Tag.NEGATION)
        )
        ops = set(scan.values(_Tag.OP))
        return has_ac and settings and not other_kinds and not extra and ops <= {Op.TURN_ON}

    def _compound(self, clauses: list[str], language: Language) -> ParseResult:
        """Every clause on its own; all of them or, if any is not understood, none."""
        actions: list[Action] = []
        replies: list[str] = []
        context: list[DeviceInfo] = []
        scene_id: str | None = None
        for clause in clauses:
            scan = self._scan(clause)
            result = self._parse_clause(clause, scan, language, context)
            if result.understood and result.scene_id is not None and scene_id is None:
                # "I'm home, and put the TV on too": one scene plus commands.
                scene_id = result.scene_id
                replies.append(result.reply)
                continue
            if (
                not result.understood
                or not result.actions
                or result.scene_id is not None
                or result.answer is not None
            ):
                text = lx.COMPOUND_FAILED_REPLY[0 if language == "ja" else 1].format(
                    clause=clause, detail=result.reply
                )
                # Several requests and not all of them can be done: none is.
                return ParseResult(language, False, text, intent="conflict")
            ids = _unique(action.device_id for action in result.actions)
            context = [self._devices[device_id] for device_id in ids]
            new = [action for action in result.actions if action not in actions]
            actions.extend(new)
            if new:
                replies.append(result.reply)
        if scene_id is not None and any(action.dangerous for action in actions):
            # A scene runs at once; an unlock waits for a yes: not both in one breath.
            return _reply(language, lx.CONFLICT_REPLY, "conflict")
        if _contradicts(actions):
            # The clauses ask one device for two different things: a wrong action is worse
            # than none.
            return _reply(language, lx.CONFLICT_REPLY, "conflict")
        reply = ("" if language == "ja" else " ").join(replies)
        return ParseResult(
            language, True, reply, tuple(actions), scene_id=scene_id, intent="compound"
        )

    def _parse_clause(
        self, normalized: str, scan: _Scan, language: Language, context: list[DeviceInfo]
    ) -> ParseResult:
        """One request; `context` holds the devices of the previous clause ("… and dim it")."""
        if self._is_question(normalized, scan, language):
            return self._answer(scan, language)
        if scan.has(_Tag.NEGATION):
            return _reply(language, lx.NEGATION_REPLY, "negated")
        if scan.has(_Tag.MODE) and self._mode_target(scan):
            # "加湿器をおやすみモードに": a named device's mode, not the おやすみ scene.
            scan.tags.pop(_Tag.SCENE, None)
        if scan.has(_Tag.MOP) and _NO_MOP.search(normalized):
            # "Sweep only, no mopping": the mop word is what is not wanted.
            scan.tags.pop(_Tag.MOP)
            scan.tags.setdefault(_Tag.OP, []).append(Op.CLEAN)
        if any(_Tag.ABSENT in found and len(found) == 1 for *_span, found in scan.spans):
            # 「電子レンジで温めて」, "start the washing machine": an appliance this home
            # does not have (a device of that name would have claimed the words).
            return _reply(language, lx.NO_DEVICE_REPLY, "no_device")
        if _unknown_part_of_device(scan):
            # 「テレビの字幕をつけて」, "turn on subtitles on the TV": a part or feature
            # of the device that nothing here knows; switching the device is not it.
            return _reply(language, lx.FEATURE_REPLY, "feature_missing")
        pressed = self._appliance_bot(scan)
        if pressed is not None:
            # A Bot presses the appliance's button; a plug switches the appliance on.
            op = Op.TURN_ON if pressed.kind is DeviceKind.PLUG else Op.PRESS
            return self._act(Request(op), [pressed], language)
        commanding = any(
            scan.has(tag)
            for tag in (
                _Tag.OP, _Tag.KIND, _Tag.DEVICE, _Tag.COOLER, _Tag.WARMER, _Tag.BUTTON,
                _Tag.DARK, _Tag.GLARE, _Tag.DRY_AIR,
            )
        )  # fmt: skip
        scenes = _unique(scan.values(_Tag.SCENE))
        starting_only = set(scan.values(_Tag.OP)) <= {Op.TURN_ON} and not any(
            scan.has(tag) for tag in (_Tag.KIND, _Tag.DEVICE, _Tag.BUTTON, _Tag.COLOR)
        )
        if scenes and starting_only:
            # "Start the leaving home routine": starting is what a scene does.
            commanding = False
        if scenes:
            if commanding or len(scenes) > 1:
                return _reply(language, lx.CONFLICT_REPLY, "conflict")
            return self._scene(scenes[0], language)
        weak_scenes = _unique(scan.values(_Tag.WEAK_SCENE))
        if weak_scenes and not commanding and len(weak_scenes) == 1:
            return self._scene(weak_scenes[0], language)
        targeted = any(scan.has(tag) for tag in (_Tag.DEVICE, _Tag.KIND, _Tag.WEAK_DEVICE))
        if scan.has(_Tag.RUN) and not scan.has(_Tag.OP) and targeted:
            # "Run the robot vacuum": a start verb once a device is named.
            scan.tags[_Tag.OP] = [Op.TURN_ON]
        outcome = self._command(scan, language, context)
        if outcome.result is not None:
            return outcome.result
        assert outcome.request is not None  # noqa: S101 - _command sets one or the other
        return self._act(outcome.request, outcome.devices, language)

    def _mode_target(self, scan: _Scan) -> bool:
        """Whether a device with modes (circulator, humidifier) is named."""
        kinds = set(scan.values(_Tag.KIND))
        for tag in (_Tag.DEVICE, _Tag.WEAK_DEVICE):
            kinds |= {self._devices[device_id].kind for device_id in scan.values(tag)}
        return bool(kinds & _MODE_KINDS)

    def _appliance_bot(self, scan: _Scan) -> DeviceInfo | None:
        """The one Bot (or plug) doing an appliance's job: 「お湯を沸かして」, "brew coffee"."""
        bots = _unique(scan.values(_Tag.APPLIANCE))
        if not bots and scan.has(_Tag.HEAT_WATER):
            # "Heat up the water heater": the Bot named by its appliance.
            named_ids = {*scan.values(_Tag.DEVICE), *scan.values(_Tag.WEAK_DEVICE)}
            bots = [
                device_id
                for device_id in _unique(named_ids)
                if self._devices[device_id].kind is DeviceKind.BOT
            ]
        switched_on = bool(set(scan.values(_Tag.OP)) & {Op.TURN_ON, Op.PRESS})
        asked = scan.has(_Tag.HEAT_WATER) or scan.has(_Tag.RUN) or switched_on
        if len(bots) != 1 or not asked:
            return None
        named = set(scan.values(_Tag.DEVICE)) | set(scan.values(_Tag.WEAK_DEVICE))
        if scan.has(_Tag.KIND) and not named:
            return None
        if named - set(bots) or scan.has(_Tag.NEGATION):
            return None
        ops = set(scan.values(_Tag.OP)) - {Op.TURN_ON, Op.PRESS, Op.CLOSE}
        return None if ops else self._devices[bots[0]]

    def _scene(self, scene_id: str, language: Language) -> ParseResult:
        scene = next(scene for scene in self._snapshot.scenes if scene.scene_id == scene_id)
        name = scene.name if language == "ja" else _ascii_first(scene.aliases, scene.name)
        reply = lx.SCENE_REPLY[0 if language == "ja" else 1].format(name=name)
        return ParseResult(language, True, reply, scene_id=scene_id, intent="scene")

    def _act(self, request: Request, devices: list[DeviceInfo], language: Language) -> ParseResult:
        actions: list[Action] = []
        phrases: list[str] = []
        for device in devices:
            if request.op in (Op.COOLER, Op.WARMER):
                mode = lx.AC_MODE_COOL if request.op is Op.COOLER else lx.AC_MODE_HEAT
                setpoint = comfort_setpoint(request.op, self._room_temperature(device.area))
                built = build_actions(device, replace(request, ac_mode=mode, setpoint=setpoint))
            else:
                built = build_actions(device, request)
            if not built:
                continue
            actions.extend(built)
            phrases.append(self._describe(request, device, built, language))
        if not actions:
            name = self._device_name(devices[0], language) if devices else ""
            return _reply(language, lx.UNSUPPORTED_REPLY, "unsupported", name=name)
        dangerous = any(action.dangerous for action in actions)
        if language == "ja":
            reply = "、".join(phrases) + "。"
            if dangerous:
                reply = reply[:-1] + lx.CONFIRM_SUFFIX[0] + "。"
        else:
            reply = "; ".join(phrases)
            reply = reply[0].upper() + reply[1:] + (lx.CONFIRM_SUFFIX[1] if dangerous else "") + "."
        return ParseResult(language, True, reply, tuple(actions), intent=request.op.value)

    def _describe(
        self, request: Request, device: DeviceInfo, actions: Sequence[Action], language: Language
    ) -> str:
        index = 0 if language == "ja" else 1
        value: str | int = ""
        action = actions[0]
        if request.op in (Op.BRIGHTNESS, Op.HUMIDITY, Op.POSITION, Op.VOLUME):
            value = request.percent or 0
        elif request.op is Op.COLOR and request.rgb is not None:
            value = lx.COLOR_WORDS[request.rgb][1][index]
        elif request.op is Op.COLOR_TEMPERATURE:
            value = request.kelvin or 0
        elif request.op is Op.FAN_SPEED:
            if request.percent is not None:
                value = f"{request.percent}%"
            elif request.fan_speed is not None:
                named = lx.FAN_SPEED_NAMES.get(request.fan_speed)
                level = request.fan_speed.removeprefix("level")
                value = (
                    named[index]
                    if named
                    else (f"レベル{level}" if index == 0 else f"level {level}")
                )
        elif request.op is Op.CUSTOM:
            value = request.button or ""
        elif request.op is Op.CHANNEL:
            value = request.channel or 0
        elif request.op is Op.MODE and request.mode is not None:
            value = lx.MODE_NAMES[request.mode][index]
        if action.command in ("start", "startClean") and request.op is Op.TURN_ON:
            # "Start the robot vacuum": say what it does.
            return lx.ACTION_REPLIES[Op.CLEAN][index].format(
                name=self._device_name(device, language), value=value
            )
        if action.command == "setAll" and isinstance(action.parameter, str):
            temp, mode, _fan, _power = action.parameter.split(",")
            mode_name = lx.AC_MODE_NAMES[int(mode)][index]
            value = f"{mode_name}{temp}度" if language == "ja" else f"{mode_name} at {temp} °C"
            return lx.ACTION_REPLIES[Op.CLIMATE][index].format(
                name=self._device_name(device, language), value=value
            )
        templates = lx.ACTION_REPLIES[request.op]
        if request.op is Op.FAN_SPEED and device.kind is DeviceKind.HUMIDIFIER:
            templates = lx.HUMIDIFIER_LEVEL_REPLY
        return templates[index].format(name=self._device_name(device, language), value=value)

    def _room_temperature(self, area: str | None) -> float | None:
        """The area's temperature, else the first one measured anywhere in the home."""
        if (value := self._reading("temperature", area)) is not None:
            return value
        for other in _unique(device.area for device in self._snapshot.devices):
            if (value := self._reading("temperature", other)) is not None:
                return value
        return None

    def _device_name(self, device: DeviceInfo, language: Language) -> str:
        return device.name if language == "ja" else _ascii_first(device.aliases, device.name)

    def _area_name(self, area_name: str | None, language: Language) -> str:
        if area_name is None:
            return "家" if language == "ja" else "home"
        area = self._areas.get(area_name)
        if area is None or language == "ja":
            return area_name
        return _ascii_first(area.aliases, area.name)

    # --- Commands ------------------------------------------------------------------------

    def _command(
        self, scan: _Scan, language: Language, context: Sequence[DeviceInfo] = ()
    ) -> _Outcome:
        kinds = _unique(scan.values(_Tag.KIND))
        explicit = [self._devices[device_id] for device_id in _unique(scan.values(_Tag.DEVICE))]
        if DeviceKind.FAN in kinds and scan.has(_Tag.FAN_SPEED):
            about_ac = (
                DeviceKind.AIR_CONDITIONER in kinds
                or any(device.kind is DeviceKind.AIR_CONDITIONER for device in explicit)
                # "Cool it to 26 with a low fan": a cooling mode is the air conditioner's.
                or (not explicit and scan.has(_Tag.AC_MODE))
            )
            generic = all(
                term in lx.GENERIC_FAN_WORDS
                for kind, term in scan.kind_terms
                if kind is DeviceKind.FAN
            )
            if about_ac and generic:
                # "AC fan low": the air conditioner's fan, not the circulator.
                kinds = [kind for kind in kinds if kind is not DeviceKind.FAN]
        weak = [self._devices[device_id] for device_id in _unique(scan.values(_Tag.WEAK_DEVICE))]
        if explicit:
            # "コーヒーメーカーとサーキュレーター": a named device plus one called by its kind.
            named_kinds = {device.kind for device in explicit}
            explicit += [device for device in weak if device.kind not in named_kinds]
        elif context and not any(scan.has(tag) for tag in _TARGET_TAG_SET):
            # "… and set it to 50 %": the devices of the previous clause.
            explicit = list(context)
        buttons = scan.values(_Tag.BUTTON)
        if buttons:
            device_id, button = buttons[0]
            if self._means_button(
                self._devices[device_id], button, scan, kinds, [*explicit, *weak]
            ):
                button_request = Request(Op.CUSTOM, button=button)
                return _Outcome(button_request, [self._devices[device_id]])
        target_kinds = set(kinds) | {device.kind for device in explicit}
        request = self._request(scan, target_kinds)
        from_context = bool(context) and explicit == list(context)
        if (
            from_context
            and request is not None
            and not any(build_actions(device, request) for device in explicit)
        ):
            # "Open the curtains and turn up the lights": not the curtain's to do.
            explicit = []
            request = self._request(scan, set(kinds))
        if request is not None and not _in_range(request):
            return _Outcome(result=_reply(language, lx.OUT_OF_RANGE_REPLY, "out_of_range"))
        if request is None:
            if scan.has(_Tag.OP) and len(set(scan.values(_Tag.OP))) > 1:
                return _Outcome(result=_reply(language, lx.CONFLICT_REPLY, "conflict"))
            return _Outcome(result=_reply(language, lx.HELP_REPLY, "unknown"))
        if explicit:
            return _Outcome(request, explicit)
        if not kinds and (Op.CLEAN in scan.values(_Tag.OP) or scan.has(_Tag.MOP)):
            # "掃除を停止": the cleaning words name the robot even when the verb is "stop".
            kinds = [DeviceKind.VACUUM]
        if not kinds and request.op in _AV_OPS:
            has_tv = any(device.kind is DeviceKind.TV for device in self._snapshot.devices)
            kinds = [DeviceKind.TV if has_tv else DeviceKind.OTHER]
        if not kinds and request.op is Op.TURN_ON and scan.has(_Tag.DRY_AIR):
            # "乾燥してる": the humidifier.
            kinds = [DeviceKind.HUMIDIFIER]
        if (
            not kinds
            and request.op is Op.TURN_ON
            and scan.has(_Tag.START)
            and not _names_something_unknown(scan)
        ):
            # "スタートして" alone: the robot vacuum is what starts ("start the washing
            # machine" names something else: nothing is started).
            kinds = [DeviceKind.VACUUM]
        if not kinds:
            kinds = self._infer_kinds(request, scan)
            if not kinds:
                return _Outcome(result=_reply(language, lx.HELP_REPLY, "unknown"))
        return self._select(request, kinds, scan, language)

    def _means_button(
        self,
        owner: DeviceInfo,
        button: str,
        scan: _Scan,
        kinds: list[DeviceKind],
        named_devices: list[DeviceInfo],
    ) -> bool:
        """Whether a learned button's name is the request ("常夜灯つけて", "Open Netflix").

        The remote must be named (by name, by its kind, or by a kind word its name holds in
        its room: 「寝室の照明を全灯に」), or nothing else may be: "set the living room
        lights to full" is the ceiling light, not the bedroom remote's 全灯 button.
        """
        if owner.device_id in {device.device_id for device in named_devices}:
            return True
        if owner.kind in kinds and owner.kind is not DeviceKind.OTHER:
            return True
        areas = set(scan.values(_Tag.AREA))
        if areas:
            # "the bedroom ceiling light": a ceiling light elsewhere is not the one meant.
            named_devices = [device for device in named_devices if device.area in (*areas, None)]
        owner_names = [normalize(name) for name in (owner.name, *owner.aliases)]
        literal = normalize(button) in scan.text
        kind_in_name = any(term in name for _kind, term in scan.kind_terms for name in owner_names)
        if literal and kind_in_name and (not areas or owner.area in areas):
            return True
        double_meaning = not literal and any(
            _Tag.BUTTON in found and len(found) > 1 for *_span, found in scan.spans
        )
        if kinds and not named_devices and areas and owner.area in areas and not double_meaning:
            # "Put the bedroom light on the night light setting": the remote in that room.
            return True
        if kinds and not named_devices and (not areas or owner.area in (*areas, None)):
            # "bedroom light night light" in a home whose only bedroom "light" is the remote.
            return not any(
                device.kind in kinds and (not areas or device.area in areas)
                for device in self._snapshot.devices
                if device is not owner
            )
        if named_devices or kinds or (areas and owner.area not in areas):
            return False
        ops = set(scan.values(_Tag.OP))
        # Pressing, opening or switching on a button is pressing it; off or close is not.
        # (全灯 is an "all" word too: it counts as one only outside a button's name.)
        every = any(_Tag.ALL in found and _Tag.BUTTON not in found for *_span, found in scan.spans)
        # Another name for the button that means something else too ("full" brightness)
        # names nothing on its own.
        return not every and not double_meaning and ops <= _BUTTON_OPS

    def _request(self, scan: _Scan, kinds: set[DeviceKind]) -> Request | None:
        """Decide the single operation asked for, with its values."""
        ops = _unique(scan.values(_Tag.OP))
        percent = _first_number(scan, "percent")
        degrees = _first_number(scan, "degree")
        kelvin = _first_number(scan, "kelvin")
        bare = _first_number(scan, None)
        modes = _unique(scan.values(_Tag.AC_MODE))
        speeds = _unique(scan.values(_Tag.FAN_SPEED))
        no_kind = not kinds
        wants_off = Op.TURN_OFF in ops or Op.STOP in ops

        # TV, streamer, set-top box: volume, mute, channels.
        if not kinds - {DeviceKind.TV, DeviceKind.OTHER}:
            av = _av_request(scan, bare, tv_named=DeviceKind.TV in kinds)
            if av is not None:
                return av

        # A volume level ("vacuum volume to 20"): remotes only step, so a device that sets it.
        level = percent if percent is not None else bare
        if scan.has(_Tag.VOLUME) and level is not None and kinds and _AV_KINDS.isdisjoint(kinds):
            return Request(Op.VOLUME, percent=round(level))

        # Air conditioner: comfort, mode, setpoint, fan speed.
        comfort = scan.values(_Tag.COOLER) or scan.values(_Tag.WARMER)
        ac_target = DeviceKind.AIR_CONDITIONER in kinds
        explicit_setting = modes or degrees is not None or (ac_target and bare is not None)
        if comfort and (no_kind or ac_target) and not wants_off and not explicit_setting:
            # "I'm freezing": a setpoint from the room; "... heating on at 23" is said below.
            return Request(Op(comfort[0]))
        temperature_said = "temperature" in scan.values(_Tag.TOPIC)
        up, down = scan.has(_Tag.UP), scan.has(_Tag.DOWN)
        about_degrees = (
            degrees is not None or temperature_said or _DEGREE_WORD.search(scan.text) is not None
        )
        stepping = up != down and about_degrees and not speeds and not wants_off
        if (ac_target or (no_kind and temperature_said)) and stepping:
            # 「1度上げて」, "lower the temperature": a step from the setpoint it has now.
            step = degrees if degrees is not None else (bare if bare is not None else 1)
            if 0 < step <= lx.MAX_SETPOINT_STEP:
                return Request(Op.CLIMATE, setpoint_step=round(step) * (1 if up else -1))
        if no_kind and temperature_said and bare is not None and not modes:
            # "Set the temperature to 24": the air conditioner's setpoint.
            degrees = bare
        if ac_target or (no_kind and (modes or degrees is not None)):
            if wants_off:
                return Request(Op.TURN_OFF)
            if not modes and "auto" in scan.values(_Tag.MODE):
                modes = [lx.AC_MODE_AUTO]
            setpoint = degrees if degrees is not None else (bare if ac_target or modes else None)
            if modes or setpoint is not None or speeds:
                if len(modes) > 1 or (speeds and DeviceKind.FAN in kinds):
                    # Two modes, or a fan speed that may be the circulator's: ask instead.
                    return None
                if (
                    not modes
                    and setpoint is not None
                    and any(term in lx.COOLING_KIND_WORDS for _kind, term in scan.kind_terms)
                ):
                    modes = [lx.AC_MODE_COOL]  # 「クーラーを24度で」: the cooler cools
                return Request(
                    Op.CLIMATE,
                    ac_mode=modes[0] if modes else None,
                    setpoint=None if setpoint is None else round(setpoint),
                    fan_speed=speeds[0] if speeds else None,
                )
        # Locks are decided by their own verbs before generic open/close.
        lock_ops = [op for op in ops if op in (Op.LOCK, Op.UNLOCK, Op.DEADBOLT)]
        if lock_ops:
            return Request(lock_ops[0]) if len(lock_ops) == 1 else None
        # Lights: colour temperature, colour, brightness.
        light_target = DeviceKind.LIGHT in kinds or no_kind
        if light_target and not wants_off:
            if comfort and DeviceKind.LIGHT in kinds:
                # "Make the lamp warmer": a warmer white, not the air conditioner.
                warmer = scan.has(_Tag.WARMER)
                return Request(
                    Op.COLOR_TEMPERATURE,
                    kelvin=lx.COLOR_TEMPERATURE_MIN if warmer else lx.COLOR_TEMPERATURE_MAX,
                )
            kelvins = scan.values(_Tag.KELVIN)
            if kelvin is not None or kelvins:
                return Request(
                    Op.COLOR_TEMPERATURE,
                    kelvin=round(kelvin) if kelvin is not None else kelvins[0],
                )
            colors = _unique(scan.values(_Tag.COLOR))
            if colors:
                return Request(Op.COLOR, rgb=colors[0]) if len(colors) == 1 else None
            level = percent if percent is not None else bare
            brightness_words = DeviceKind.LIGHT in kinds or scan.has(_Tag.BRIGHTNESS_CONTEXT)
            if level is not None and brightness_words:
                return Request(Op.BRIGHTNESS, percent=round(level))
            extremes = scan.values(_Tag.LEVEL)
            if extremes and (brightness_words or Op.BRIGHTER in ops or Op.DIMMER in ops):
                # "明るさ最大", "full brightness", "lowest brightness".
                return Request(Op.BRIGHTNESS, percent=extremes[0])
            feelings = _unique([*scan.values(_Tag.DARK), *scan.values(_Tag.GLARE)])
            if feelings and not ops and not scan.has(_Tag.DRY_AIR) and not scan.has(_Tag.WHY):
                # "暗いな" / "too bright": a step brighter or dimmer; both at once is nothing.
                return Request(feelings[0]) if len(feelings) == 1 else None
        # Circulator wind modes and humidifier modes.
        mode_names = _unique(scan.values(_Tag.MODE))
        if mode_names and kinds & _MODE_KINDS and not wants_off and not speeds:
            return Request(Op.MODE, mode=mode_names[0]) if len(mode_names) == 1 else None
        dry_air = scan.has(_Tag.DRY_AIR) and not scan.has(_Tag.WHY)
        humidifier_named = no_kind or DeviceKind.HUMIDIFIER in kinds
        if dry_air and humidifier_named and (not ops or ops == [Op.TURN_ON]):
            # "乾燥してる": switch the humidifier on.
            return Request(Op.TURN_ON)
        # Fans: speed as a percentage or a word.
        if DeviceKind.FAN in kinds and not wants_off:
            level = percent if percent is not None else bare
            if level is not None or speeds:
                return Request(
                    Op.FAN_SPEED,
                    percent=None if level is None else round(level),
                    fan_speed=speeds[0] if speeds else None,
                )
        level_said = _HUMIDIFIER_LEVEL.search(scan.text)
        if DeviceKind.HUMIDIFIER in kinds and level_said and not wants_off:
            # "level 1" of 4 (Humidifier2).
            return Request(Op.FAN_SPEED, fan_speed=f"level{level_said.group(1)}")
        if DeviceKind.HUMIDIFIER in kinds and speeds and not wants_off and percent is None:
            # 「加湿器を強に」: its output level, said like a fan's speed.
            return Request(Op.FAN_SPEED, fan_speed=speeds[0]) if len(speeds) == 1 else None
        # Humidifiers: a target humidity.
        humidifier_target = (
            DeviceKind.HUMIDIFIER in kinds
            or scan.has(_Tag.HUMIDITY_CONTEXT)
            # "keep the bedroom at 45 percent humidity": a target, not a question.
            or (no_kind and "humidity" in scan.values(_Tag.TOPIC))
        )
        if humidifier_target and not wants_off and percent is not None:
            return Request(Op.HUMIDITY, percent=round(percent))
        # Covers: a position ("30%", "half") is the open percentage, or closed with 閉めて.
        cover_target = bool(kinds & {DeviceKind.CURTAIN, DeviceKind.BLIND}) or no_kind
        half = scan.values(_Tag.HALF)
        position = percent if percent is not None else (half[0] if half else None)
        if position is None and bare is not None and kinds and kinds <= _COVER_KINDS:
            # "Set the blinds to 60": a cover's only number is its position.
            position = bare
        if cover_target and position is not None and (Op.OPEN in ops or Op.CLOSE in ops or kinds):
            open_percent = round(position)
            if Op.CLOSE in ops:
                open_percent = 100 - open_percent
            return Request(Op.POSITION, percent=open_percent)
        if scan.has(_Tag.MOP) and not ops:
            ops = [Op.CLEAN]
        if DeviceKind.VACUUM in kinds or (no_kind and Op.CLEAN in ops):
            ops = [op for op in ops if op is not Op.TURN_ON] if Op.CLEAN in ops else ops
            ops = [op for op in ops if op is not Op.STOP] if Op.DOCK in ops else ops
            stopping = Op.STOP in ops or Op.TURN_OFF in ops
            ops = [op for op in ops if op is not Op.CLEAN] if stopping else ops
        plain = [op for op in ops if op is not Op.CLEAN or DeviceKind.VACUUM in kinds or no_kind]
        if len(plain) != 1 or any(value is not None for value in (percent, degrees, kelvin)):
            return None
        return Request(plain[0], mop=scan.has(_Tag.MOP))

    @staticmethod
    def _infer_kinds(request: Request, scan: _Scan) -> list[DeviceKind]:
        """The device kinds an operation implies when the utterance names none."""
        match request.op:
            case Op.LOCK | Op.UNLOCK | Op.DEADBOLT:
                return [DeviceKind.LOCK]
            case Op.CLEAN | Op.DOCK:
                return [DeviceKind.VACUUM]
            case Op.COOLER | Op.WARMER | Op.CLIMATE:
                return [DeviceKind.AIR_CONDITIONER]
            case Op.BRIGHTNESS | Op.COLOR | Op.COLOR_TEMPERATURE | Op.BRIGHTER | Op.DIMMER:
                return [DeviceKind.LIGHT]
            case Op.HUMIDITY:
                return [DeviceKind.HUMIDIFIER]
            case Op.PRESS:
                return [DeviceKind.BOT]
            case Op.OPEN | Op.CLOSE | Op.POSITION | Op.STOP if scan.has(_Tag.AREA):
                return [DeviceKind.CURTAIN, DeviceKind.BLIND, DeviceKind.LOCK]
            case Op.TURN_OFF if scan.has(_Tag.ALL) and (scan.has(_Tag.AREA) or scan.has(_Tag.HOME)):
                # "Turn everything off in the bedroom": every device that can be turned off.
                return list(DeviceKind)
        return []

    def _select(
        self, request: Request, kinds: list[DeviceKind], scan: _Scan, language: Language
    ) -> _Outcome:
        """Pick the devices per kind, by area, asking when one of several is meant."""
        areas = _unique(scan.values(_Tag.AREA))
        whole_home = scan.has(_Tag.HOME)
        every = scan.has(_Tag.ALL) or scan.has(_Tag.PLURAL) or whole_home
        inferred = not scan.has(_Tag.KIND)
        chosen: list[DeviceInfo] = []
        ambiguous: list[DeviceInfo] = []
        found_any = False
        for kind in kinds:
            candidates = self._candidates(kind, areas if not whole_home else [], request)
            if not candidates and kind in _COVER_KINDS and not inferred:
                # People call a blind a curtain and the other way round.
                (other,) = _COVER_KINDS - {kind}
                candidates = self._candidates(other, areas if not whole_home else [], request)
            found_any = found_any or bool(candidates)
            capable = [device for device in candidates if build_actions(device, request)]
            if not capable:
                continue
            narrowed = self._narrow_by_name(kind, capable, scan)
            if len(narrowed) > 1 and not every and not areas and request.op in _STEP_OPS:
                # "暗いな" with no room named: the one light that is on.
                lit = [device for device in narrowed if _is_on(device)]
                narrowed = lit if len(lit) == 1 else narrowed
            if len(narrowed) > 1 and not every:
                ambiguous.extend(narrowed)
                continue
            chosen.extend(narrowed)
        if ambiguous and not (inferred and chosen):
            return _Outcome(result=self._ask_which(ambiguous, language))
        if not chosen:
            if found_any:
                of_kind = [device for device in self._snapshot.devices if device.kind in kinds]
                if len(kinds) == 1 and of_kind:
                    name = self._device_name(of_kind[0], language)
                    return _Outcome(
                        result=_reply(language, lx.UNSUPPORTED_REPLY, "unsupported", name=name)
                    )
            return _Outcome(result=_reply(language, lx.NO_DEVICE_REPLY, "no_device"))
        mixed_kinds = len({device.kind for device in chosen}) > 1
        if inferred and mixed_kinds and request.op in _OPS_NEEDING_TARGET_AREA:
            # "Open" in an area with a curtain and a lock: too unclear to guess.
            return _Outcome(result=self._ask_which(chosen, language))
        return _Outcome(request, chosen)

    def _ask_which(self, devices: list[DeviceInfo], language: Language) -> ParseResult:
        """Ask which device is meant; the choices ride along for the next turn's answer."""
        separator = "、" if language == "ja" else ", "
        names = separator.join(self._device_name(device, language) for device in devices)
        asked = _reply(language, lx.AMBIGUOUS_REPLY, "ambiguous", choices=names)
        return replace(asked, choices=tuple(device.device_id for device in devices))

    # --- Answers to "which one?" -----------------------------------------------------------

    def answer_choice(
        self, request: str, choices: Sequence[str], answer: str
    ) -> ParseResult | None:
        """The earlier `request` carried out on the device(s) the `answer` picks, or None.

        "Which one: the ceiling light or the bedroom lamp?" - "the bedroom one" / 「寝室の」 /
        "both" / "the first". None when the answer picks none of them: it is a new request.
        """
        offered = [self._devices[device_id] for device_id in choices if device_id in self._devices]
        said = _colloquial(read_numbers(normalize(answer)))
        asked_for = set(self._scan(_colloquial(read_numbers(normalize(request)))).values(_Tag.OP))
        answered = self._scan(said)
        new_request = answered.numbers or any(
            answered.has(_Tag(tag)) for tag in _ACTION_TAGS if tag != "op"
        )
        if new_request or not set(answered.values(_Tag.OP)) <= asked_for:
            return None  # "turn off the bedroom lamp": a new request, not an answer
        picked = self._picked(offered, said, answered)
        if not picked:
            return None
        actions: list[Action] = []
        replies: list[str] = []
        language = detect_language(request)
        for device in picked:
            # The same words again, in a home where the other choices are out of the way.
            others = {choice.device_id for choice in offered} - {device.device_id}
            narrowed = replace(
                self._snapshot,
                devices=tuple(d for d in self._snapshot.devices if d.device_id not in others),
            )
            result = FallbackParser(narrowed).parse(request)
            if not result.actions or any(
                action.device_id != device.device_id for action in result.actions
            ):
                return None
            actions.extend(result.actions)
            replies.append(result.reply)
            language = result.language
        reply = ("" if language == "ja" else " ").join(replies)
        return ParseResult(language, True, reply, tuple(actions), intent="chosen")

    @staticmethod
    def _picked(offered: list[DeviceInfo], answer: str, scan: _Scan) -> list[DeviceInfo]:
        if _EVERY_CHOICE.search(answer):
            return offered
        named = {*scan.values(_Tag.DEVICE), *scan.values(_Tag.WEAK_DEVICE)}
        areas = set(scan.values(_Tag.AREA))
        kinds = set(scan.values(_Tag.KIND))
        fits = [
            device
            for device in offered
            if (not named or device.device_id in named)
            and (not areas or device.area in areas)
            and (not kinds or device.kind in kinds)
        ]
        if (named or areas or kinds) and len(fits) == 1:
            return fits
        for words, index in _ORDINALS:
            if words.search(answer) and index < len(offered):
                return [offered[index]]
        return []

    def _candidates(self, kind: DeviceKind, areas: list[str], request: Request) -> list[DeviceInfo]:
        candidates = [device for device in self._snapshot.devices if device.kind is kind]
        if not areas:
            return candidates
        in_area = [device for device in candidates if device.area in areas]
        if not in_area and kind is DeviceKind.VACUUM and request.op is Op.CLEAN:
            # "Clean the living room": the robot cleans a room it does not live in.
            return candidates
        return in_area

    @staticmethod
    def _narrow_by_name(
        kind: DeviceKind, devices: list[DeviceInfo], scan: _Scan
    ) -> list[DeviceInfo]:
        """Prefer the device a kind word also names ("電球" is the bedroom's bulb)."""
        weak = set(scan.values(_Tag.WEAK_DEVICE))
        named = [device for device in devices if device.device_id in weak]
        return named or devices

    # --- Questions -----------------------------------------------------------------------

    @staticmethod
    def _is_question(text: str, scan: _Scan, language: Language) -> bool:
        if _YES_NO_QUESTION.search(text):
            # "Is the front door shut?": asked, never done.
            return True
        topics = set(scan.values(_Tag.TOPIC))
        if not topics or scan.numbers:
            return False
        if "?" not in text and any(scan.has(tag) for tag in _FEELING_TAG_SET):
            # "空気が乾燥してる": a complaint, not a question about the air.
            return False
        if scan.has(_Tag.OP) and not scan.has(_Tag.QUESTION) and _POLITE_REQUEST.search(text):
            # "Can you switch the lamp on?", 「つけてくれる？」: a request asked politely.
            return False

        marked = "?" in text or scan.has(_Tag.QUESTION)
        if not marked and language == "ja":
            marked = text.rstrip(_TRAILING_PUNCTUATION).endswith(lx.QUESTION_ENDINGS)
        if marked:
            return True
        # "CO2濃度", "bedroom humidity": a bare reading topic with nothing to do is a question.
        measuring = topics & {"temperature", "humidity", "co2", "battery"}
        return bool(measuring) and not (
            scan.has(_Tag.OP) or scan.has(_Tag.COOLER) or scan.has(_Tag.WARMER)
        )

    def _answer(self, scan: _Scan, language: Language) -> ParseResult:
        topics = _unique(scan.values(_Tag.TOPIC))
        if "battery" in topics:
            return self._answer_battery(scan, language)
        detected = [topic for topic in topics if topic in _DETECTION_FEATURES]
        if detected:
            return self._answer_detection(detected[0], scan, language)
        measured = [topic for topic in topics if topic != "state"]
        if measured:
            return self._answer_reading(measured[0], scan, language)
        return self._answer_state(scan, language)

    def _reading_areas(self, scan: _Scan) -> list[str | None]:
        areas: list[str | None] = list(_unique(scan.values(_Tag.AREA)))
        if areas:
            return areas
        explicit = [self._devices[device_id] for device_id in _unique(scan.values(_Tag.DEVICE))]
        kinds = set(scan.values(_Tag.KIND))
        related = explicit or [device for device in self._snapshot.devices if device.kind in kinds]
        if related:
            return list(_unique(device.area for device in related))
        return list(_unique(device.area for device in self._snapshot.devices))

    def _reading(self, field_name: str, area: str | None) -> float | None:
        """The first reading in the area, dedicated sensors before other devices."""
        in_area = [device for device in self._snapshot.devices if device.area == area]
        in_area.sort(key=lambda device: device.kind is not DeviceKind.SENSOR)
        for device in in_area:
            value = device.state.get(field_name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
        return None

    def _answer_reading(self, topic: str, scan: _Scan, language: Language) -> ParseResult:
        field_name = _SENSOR_FIELDS[topic]
        readings = [
            (area, value)
            for area in self._reading_areas(scan)
            if (value := self._reading(field_name, area)) is not None
        ]
        topic_name = {
            "temperature": ("温度", "temperature"),
            "humidity": ("湿度", "humidity"),
            "co2": ("CO2濃度", "CO2"),
        }[topic]
        index = 0 if language == "ja" else 1
        if not readings:
            return _reply(language, lx.NO_READING_REPLY, "question", topic=topic_name[index])
        parts = [
            (self._area_name(area, language), _format_reading(topic, value, language))
            for area, value in readings
        ]
        if language == "ja":
            if len(parts) == 1:
                answer = f"{parts[0][0]}の{topic_name[0]}は{parts[0][1]}です。"
            else:
                joined = "、".join(f"{area}は{value}" for area, value in parts)
                answer = f"{topic_name[0]}は、{joined}です。"
        elif len(parts) == 1:
            answer = f"The {topic_name[1]} in the {parts[0][0]} is {parts[0][1]}."
        else:
            joined = ", ".join(f"{area} {value}" for area, value in parts)
            answer = f"The {topic_name[1]} is: {joined}."
        return ParseResult(language, True, answer, answer=answer, intent="question")

    def _answer_detection(self, topic: str, scan: _Scan, language: Language) -> ParseResult:
        """Whether the leak or motion sensors (in the rooms asked about) detect anything."""
        features = _DETECTION_FEATURES[topic]
        areas = _unique(scan.values(_Tag.AREA))
        sensors = [
            device
            for device in self._snapshot.devices
            if not device.is_infrared
            and any(catalog.has_feature(device.device_type, feature) for feature in features)
            and (not areas or device.area in areas)
        ]
        if not sensors:
            return _reply(language, lx.NO_DETECTOR_REPLY, "question")
        index = 0 if language == "ja" else 1
        parts = [
            lx.DETECTION_REPLIES[topic][_detects(device, topic)][index].format(
                area=self._area_name(device.area, language)
            )
            for device in sensors
        ]
        answer = ("" if language == "ja" else " ").join(parts)
        return ParseResult(language, True, answer, answer=answer, intent="question")

    def _answer_battery(self, scan: _Scan, language: Language) -> ParseResult:
        """Battery levels of the devices asked about (every battery device when none is)."""
        devices = self._asked_devices(scan, default_kinds=[])
        if not devices and not any(scan.has(tag) for tag in _TARGET_TAG_SET):
            devices = list(self._snapshot.devices)
        levels = [
            (device, int(level))
            for device in devices
            if isinstance(level := device.state.get("battery"), int | float)
            and not isinstance(level, bool)
        ]
        if not levels:
            return _reply(language, lx.NO_BATTERY_REPLY, "question")
        if language == "ja":
            answer = "".join(f"{device.name}の電池残量は{level}%です。" for device, level in levels)
        else:
            answer = " ".join(
                f"The {self._device_name(device, language)} battery is at {level}%."
                for device, level in levels
            )
        return ParseResult(language, True, answer, answer=answer, intent="question")

    def _asked_devices(self, scan: _Scan, default_kinds: list[DeviceKind]) -> list[DeviceInfo]:
        """The devices a question names: by name, else by kind and area."""
        devices = [self._devices[device_id] for device_id in _unique(scan.values(_Tag.DEVICE))]
        if devices:
            return devices
        kinds = _unique(scan.values(_Tag.KIND))
        weak = set(scan.values(_Tag.WEAK_DEVICE))
        areas = _unique(scan.values(_Tag.AREA))
        if not kinds:
            if weak:
                return [self._devices[device_id] for device_id in _unique(weak)]
            kinds = default_kinds if areas else []
        found = [
            device
            for device in self._snapshot.devices
            if device.kind in kinds and (not areas or device.area in areas)
        ]
        return [device for device in found if device.device_id in weak] or found

    def _answer_state(self, scan: _Scan, language: Language) -> ParseResult:
        devices = [self._devices[device_id] for device_id in _unique(scan.values(_Tag.DEVICE))]
        if not devices:
            kinds = _unique(scan.values(_Tag.KIND))
            weak = set(scan.values(_Tag.WEAK_DEVICE))
            areas = _unique(scan.values(_Tag.AREA))
            if not kinds:
                kinds = [DeviceKind.LOCK] if areas else []
            devices = [
                device
                for device in self._snapshot.devices
                if device.kind in kinds and (not areas or device.area in areas)
            ]
            devices = [device for device in devices if device.device_id in weak] or devices
        described = [
            (device, text)
            for device in devices
            if (text := _describe_state(device, language)) is not None
        ]
        if not described:
            return _reply(language, lx.HELP_REPLY, "unknown")
        if language == "ja":
            answer = "".join(f"{device.name}は{text}。" for device, text in described)
        else:
            answer = " ".join(
                f"The {self._device_name(device, language)} is {text}."
                for device, text in described
            )
        return ParseResult(language, True, answer, answer=answer, intent="question")


def _describe_state(device: DeviceInfo, language: Language) -> str | None:
    """One device's current state in words, or None when nothing useful is known."""
    state = device.state
    ja = language == "ja"
    if device.kind is DeviceKind.LOCK and "lockState" in state:
        lock_state = str(state["lockState"]).lower()
        words = {
            "lock": ("施錠されています", "locked"),
            "latchboltlocked": ("施錠されています", "locked"),
            "unlock": ("解錠されています", "unlocked"),
            "jammed": ("ジャムしています", "jammed"),
        }.get(lock_state, (lock_state, lock_state))
        text = words[0 if ja else 1]
        if state.get("doorState") in ("open", "close"):
            door_open = state["doorState"] == "open"
            suffix = (
                ("（ドアは開いています）", " (door open)")
                if door_open
                else ("（ドアは閉まっています）", " (door closed)")
            )
            text += suffix[0 if ja else 1]
        return text
    if device.kind in (DeviceKind.CURTAIN, DeviceKind.BLIND) and "slidePosition" in state:
        position = int(state["slidePosition"])
        # Curtains report 0 = open; Blind Tilt reports 0 = closed.
        zero_is_closed = catalog.family_of(device.device_type) is Family.BLIND_TILT
        open_percent = position if zero_is_closed else 100 - position
        if open_percent >= 100:
            return "開いています" if ja else "open"
        if open_percent <= 0:
            return "閉まっています" if ja else "closed"
        return f"{open_percent}%開いています" if ja else f"{open_percent}% open"
    power = state.get("power")
    if isinstance(power, str) and power.lower() in ("on", "off"):
        on = power.lower() == "on"
        if device.kind in (DeviceKind.PLUG, DeviceKind.SWITCH):
            if ja:
                return "電源が入っています（オン）" if on else "電源が切れています（オフ）"
            return "on" if on else "off"
        if on and isinstance(state.get("brightness"), int | float):
            brightness = state["brightness"]
            return f"ついています（明るさ{brightness}%）" if ja else f"on at {brightness}%"
        if ja:
            return "ついています" if on else "消えています"
        return "on" if on else "off"
    if isinstance(state.get("fanSpeed"), int | float):
        speed = state["fanSpeed"]
        return f"風量{speed}%です" if ja else f"set to speed {speed}%"
    if "workingStatus" in state:
        status = str(state["workingStatus"])
        words = lx.VACUUM_STATUS_WORDS.get(status.lower().replace("_", ""), (status, status))
        return f"{words[0]}です" if ja else words[1]
    return None


_MODE_KINDS: Final = frozenset({DeviceKind.FAN, DeviceKind.HUMIDIFIER})
_AV_OPS: Final = frozenset(
    {Op.VOLUME_UP, Op.VOLUME_DOWN, Op.MUTE, Op.CHANNEL_UP, Op.CHANNEL_DOWN, Op.CHANNEL}
)


def _av_request(scan: _Scan, bare: float | None, *, tv_named: bool = False) -> Request | None:
    """Volume, mute and channel requests for TV-like remotes, or None."""
    up, down = scan.has(_Tag.UP), scan.has(_Tag.DOWN)
    if tv_named and up != down and not scan.has(_Tag.CHANNEL) and not scan.has(_Tag.VOLUME):
        # "Turn the TV down a notch": its volume.
        counts = scan.values(_Tag.COUNT)
        steps = max(1, min(lx.MAX_REPEAT, counts[0] if counts else 1))
        return Request(Op.VOLUME_UP if up else Op.VOLUME_DOWN, count=steps)
    counts = scan.values(_Tag.COUNT)
    steps = counts[0] if counts else (int(bare) if bare is not None and bare == int(bare) else 1)
    steps = max(1, min(lx.MAX_REPEAT, steps))
    volume_up = scan.has(_Tag.VOLUME_UP) or (scan.has(_Tag.VOLUME) and up and not down)
    volume_down = scan.has(_Tag.VOLUME_DOWN) or (scan.has(_Tag.VOLUME) and down and not up)
    channel = scan.has(_Tag.CHANNEL)
    wanted: list[Request] = []
    if volume_up != volume_down:
        wanted.append(Request(Op.VOLUME_UP if volume_up else Op.VOLUME_DOWN, count=steps))
    if scan.has(_Tag.MUTE):
        wanted.append(Request(Op.MUTE))
    if channel and bare is not None and bare == int(bare):
        wanted.append(Request(Op.CHANNEL, channel=int(bare)))
    elif channel and up != down and not scan.has(_Tag.VOLUME):
        wanted.append(Request(Op.CHANNEL_UP if up else Op.CHANNEL_DOWN))
    return wanted[0] if len(wanted) == 1 else None


_STEP_OPS: Final = frozenset({Op.BRIGHTER, Op.DIMMER})


_DETECTION_FEATURES: Final = {
    "leak": (catalog.Feature.LEAK,),
    "motion": (catalog.Feature.MOTION, catalog.Feature.PRESENCE),
}


def _detects(device: DeviceInfo, topic: str) -> bool | None:
    """A sensor's reading: True when it detects, None when it has not reported."""
    if topic == "leak":
        status = device.state.get("status")
        return status in (1, "1") if status in (0, 1, "0", "1") else None
    for field_name in ("moveDetected", "Detected"):
        if isinstance(value := device.state.get(field_name), bool):
            return value
    return None


_CORRECTION: Final = re.compile(rf"[\s、,。.]*(?:{CORRECTION_WORDS})[\s、,。.]*")
_FILLER_GAP: Final = re.compile(r"[\s、,。.…]*(?:あっ?|えっ?と?|oh|uh|um)?[\s、,。.…]*")
_VALUE_TAGS: Final = frozenset(
    {
        _Tag.COLOR, _Tag.AC_MODE, _Tag.MODE, _Tag.FAN_SPEED, _Tag.KELVIN,
        # 「リビングの、いや寝室の電気」, "the lamp, I mean the ceiling light".
        _Tag.AREA, _Tag.DEVICE, _Tag.WEAK_DEVICE,
    }
)  # fmt: skip


def _drop_corrected_value(text: str, scan: _Scan) -> str | None:
    """The text without a value the speaker took back ("red, no wait, blue"), or None.

    Only a value right before the correction word, with a value of the same kind after it.
    """
    for match in _CORRECTION.finditer(text):
        before = [
            (start, found)
            for start, end, found in scan.spans
            if end <= match.start()
            and found & _VALUE_TAGS
            and re.fullmatch(r"[\sにでをへの、,]*", text[end : match.start()])
        ]
        after = [found for start, _end, found in scan.spans if start >= match.end()]
        if before and after and before[-1][1] & _VALUE_TAGS & after[0]:
            return text[: before[-1][0]] + text[match.end() :]
        # 「エアコンつけて、いや、サーキュレーターつけて」: the whole request before is taken back.
        spans_before = [span for span in scan.spans if span[1] <= match.start()]
        ops_before = [start for start, _end, found in spans_before if _Tag.OP in found]
        right_before = bool(spans_before) and _FILLER_GAP.fullmatch(
            text[spans_before[-1][1] : match.start()]
        )
        valued_after = any(found & (_VALUE_TAGS | {_Tag.HALF}) for found in after) or any(
            at >= match.end() for at in scan.number_starts
        )
        if (
            ops_before
            and right_before
            and valued_after
            and not any(_Tag.OP in found for found in after)
        ):
            # 「カーテン閉めて、あ、やっぱり半分で」: the verb gives way to the value said after.
            op_start, op_end = next(
                (start, end) for start, end, found in reversed(spans_before) if _Tag.OP in found
            )
            kept = text[op_end : match.start()].strip()
            return f"{text[:op_start]} {kept} {text[match.end() :]}".strip()
        if ops_before and right_before and any(_Tag.OP in found for found in after):
            breaks = [
                cut.end()
                for cut in _CLAUSE_BREAK.finditer(text, 0, match.start())
                if cut.end() <= ops_before[-1] and cut.end() > cut.start()
            ]
            start = max((end for end in breaks if end <= spans_before[-1][0]), default=0)
            start = min(start, ops_before[-1])
            return text[:start] + text[match.end() :]
    return None


_MARK: Final = "\x00"
_UNKNOWN_PART_JA: Final = re.compile(rf"{_MARK}の([^\s{_MARK}、,]{{2,}}?)[をもは]\s*{_MARK}")
_UNKNOWN_PART_EN: Final = re.compile(
    rf"^(?:turn|switch|put)\s+(?:on|off)\s+(?:the\s+|my\s+)?(?!the\b|my\b)([a-z]{{3,}}(?:\s+[a-z]{{3,}})?)"
    rf"\s+(?:on|of|for|{_MARK})\s+"
    rf"(?:the\s+|my\s+)?{_MARK}"
)
_KNOWN_PARTS: Final = frozenset(
    {"スイッチ", "ボタン", "ほう", "やつ", "シーン", "電源", "switch", "power", "button", "scene"}
)


def _unknown_part_of_device(scan: _Scan) -> bool:
    """Whether a request names an unknown part of a device before its verb."""
    masked = scan.text
    for start, end, _found in reversed(scan.spans):
        masked = masked[:start] + _MARK + masked[end:]
    first_end = scan.spans[0][1] if scan.spans else 0
    # (The English verb at the start stays readable: "turn on X on the TV".)
    english = scan.text[:first_end] + masked[masked.index(_MARK) + 1 :] if first_end else masked
    for pattern, text in ((_UNKNOWN_PART_JA, masked), (_UNKNOWN_PART_EN, english)):
        if (match := pattern.search(text)) and match.group(1) not in _KNOWN_PARTS:
            return True
    return False


def _names_something_unknown(scan: _Scan) -> bool:
    """Whether words the parser does not know are left over, as in "start the washing machine"."""
    chars = list(scan.text)
    for start, end, _found in scan.spans:
        chars[start:end] = " " * (end - start)
    rest = "".join(chars)
    for word in sorted((*lx.FILLER_WORDS, *_LEFTOVER_STOPWORDS), key=len, reverse=True):
        rest = re.sub(rf"(?<![a-z]){re.escape(word)}(?![a-z])", " ", rest)
    return _is_unknown_clause(rest) or any(len(word) >= 3 for word in re.findall(r"[a-z]+", rest))


_LEFTOVER_STOPWORDS: Final = ("the", "my", "our", "it", "up", "again", "を", "して", "に", "は")


def _is_on(device: DeviceInfo) -> bool:
    power = device.state.get("power")
    return isinstance(power, str) and power.lower() == "on"


def _is_unknown_clause(piece: str) -> bool:
    """A piece with no recognised phrase at all: more than a filler word."""
    rest = piece
    for word in sorted(lx.FILLER_WORDS, key=len, reverse=True):
        rest = re.sub(rf"(?<![a-z]){re.escape(word)}(?![a-z])", " ", rest)
    rest = rest.strip(_TRAILING_PUNCTUATION + "?？")
    if rest.isascii():
        return len(rest.split()) >= 2
    return len(rest.replace(" ", "")) >= 3


def _colloquial(text: str) -> str:
    """The plain form of a request: 消しといて → 消して, いってきまーす → いってきます."""
    # A long mark after hiragana only stretches the sound; in katakana words it is spelling.
    text = _STRETCH.sub("", text)
    for colloquial, plain in lx.TE_OKU_FORMS:
        text = text.replace(colloquial, plain)
    return _CHANNEL_SUFFIX.sub(r"\1 \2", text)


def _in_range(request: Request) -> bool:
    """Values the devices accept; anything else is refused rather than clamped."""
    if (
        request.setpoint is not None
        and request.op is Op.CLIMATE
        and not lx.AC_MIN_TEMPERATURE <= request.setpoint <= lx.AC_MAX_TEMPERATURE
    ):
        return False
    if request.percent is not None and not 0 <= request.percent <= 100:
        return False
    return request.kelvin is None or (
        lx.COLOR_TEMPERATURE_MIN <= request.kelvin <= lx.COLOR_TEMPERATURE_MAX
    )


def _format_reading(topic: str, value: float, language: Language) -> str:
    if topic == "temperature":
        return f"{value:g}℃" if language == "ja" else f"{value:g} °C"
    if topic == "humidity":
        return f"{value:g}%"
    return f"{value:g} ppm"


def _unit_class(unit: str | None) -> str | None:
    if unit is None:
        return None
    if unit in lx.PERCENT_UNITS:
        return "percent"
    if unit in lx.KELVIN_UNITS:
        return "kelvin"
    return "degree"


def _first_number(scan: _Scan, unit_class: str | None) -> float | None:
    return next((value for value, unit in scan.numbers if unit == unit_class), None)


def _substring_spans(text: str, term: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = text.find(term)
    while start != -1:
        spans.append((start, start + len(term)))
        start = text.find(term, start + len(term))
    return spans


def _unique[T](values: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(values))


_DELAY: Final = re.compile(lx.DELAY_PATTERN)
_EVERY_CHOICE: Final = re.compile(lx.EVERY_CHOICE_WORDS)
_NO_MOP: Final = re.compile(lx.NO_MOP_WORDS)
_HUMIDIFIER_LEVEL: Final = re.compile(r"(?:\blevel|レベル)\s*([1-4])(?!\d)")
_ORDINALS: Final = tuple((re.compile(words), index) for words, index in lx.ORDINAL_WORDS)
_LATER: Final = re.compile(lx.LATER_PATTERN)
_OFF_LATER: Final = re.compile(lx.OFF_LATER_WORDS)
_TIMER_WORDS: Final = re.compile(lx.TIMER_WORDS)


def _say_duration(seconds: int, language: Language) -> str:
    """3600 → 「1時間」 / "1 hour"; 5400 → 「1時間30分」 / "1 hour 30 minutes"."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if language == "ja":
        units = ((hours, "時間"), (minutes, "分"), (secs, "秒"))
        return "".join(f"{value}{unit}" for value, unit in units if value)
    names = ((hours, "hour"), (minutes, "minute"), (secs, "second"))
    return " ".join(f"{value} {name}{'s' if value > 1 else ''}" for value, name in names if value)


_FEATURES: Final = tuple((re.compile(words), commands) for words, commands in lx.FEATURE_COMMANDS)


_FEATURE_OFF: Final = re.compile(lx.FEATURE_OFF_WORDS)
_FEATURE_DIM: Final = re.compile(lx.FEATURE_DIM_WORDS)
_FEATURE_DRY: Final = re.compile(lx.FEATURE_DRY_WORDS)


def _feature_value(command: str, values: tuple[str, ...], text: str) -> str | None:
    """The parameter a feature's command takes for what was said, from the catalog's codes."""
    if command == "addWaterForHumi":
        return "default"
    if command == "selfClean":
        return "2" if _FEATURE_DRY.search(text) else "1"  # 1 washes the mop, 2 dries it
    if command == "setChildLock" and len(values) == 2:
        on, off = ("1", "0") if set(values) == {"0", "1"} else ("true", "false")
        return off if _FEATURE_OFF.search(text) else on
    if command == "setNightLightMode" and len(values) >= 3:
        if _FEATURE_OFF.search(text):
            return values[0]
        return values[2] if _FEATURE_DIM.search(text) else values[1]
    return None


_OPENING: Final = re.compile(lx.OPENING_WORDS)
_TILT_UP: Final = re.compile(lx.TILT_UP_WORDS)
_TILT_DOWN: Final = re.compile(lx.TILT_DOWN_WORDS)


def _as_said(text: str, result: ParseResult) -> ParseResult:
    """Details the words settle and a request's operation may miss.

    "Open the door lock" names a lock but asks to open it: it is an unlock (confirmed
    first), never a lock. A Blind Tilt faces up or down as said ("close it facing up").
    """
    actions: list[Action] = []
    for action in result.actions:
        if action.command == "lock" and _OPENING.search(text):
            action = replace(action, command="unlock", dangerous=True)
        elif action.command == "closeDown" and _TILT_UP.search(text):
            action = replace(action, command="closeUp")
        elif (
            action.command == "setPosition"
            and isinstance(action.parameter, str)
            and action.parameter.startswith("up;")
            and _TILT_DOWN.search(text)
        ):
            action = replace(action, parameter="down;" + action.parameter.removeprefix("up;"))
        actions.append(action)
    if tuple(actions) == result.actions:
        return result
    return replace(result, actions=tuple(actions))


def _bound_to_features(text: str, result: ParseResult, language: Language) -> ParseResult:
    """A feature word binds to the device that has the feature, or nothing is sent.

    "Turn on the child lock" must never lock the front door: when the words name a feature,
    every action must be one of that feature's commands (or a learned button).
    """
    if not result.actions:
        return result
    for words, commands in _FEATURES:
        if words.search(text) is None:
            continue
        for action in result.actions:
            # A learned button was matched by its own name (全灯, 常夜灯): the remote knows it.
            learned_button = action.command_type == "customize"
            if action.command not in commands and not learned_button:
                return _reply(language, lx.FEATURE_REPLY, "feature_missing")
    return result


def _reply(
    language: Language, templates: tuple[str, str], intent: str, **values: str
) -> ParseResult:
    """A reply with no action: not understood, ambiguous, unsupported, or a refusal."""
    text = templates[0 if language == "ja" else 1].format(**values)
    return ParseResult(language, False, text, intent=intent)


def comfort_setpoint(op: Op, room_temperature: float | None) -> int:
    """Cooling aims 2 °C below the room, heating 2 °C above, within the AC's 16-30 °C."""
    mode = lx.AC_MODE_COOL if op is Op.COOLER else lx.AC_MODE_HEAT
    if room_temperature is None:
        return lx.AC_DEFAULT_TEMPERATURE[mode]
    step = -lx.COMFORT_STEP if op is Op.COOLER else lx.COMFORT_STEP
    # math.floor(x + 0.5): 23.5 rounds up, unlike Python's banker's round().
    setpoint = math.floor(room_temperature + 0.5) + step
    return max(lx.AC_MIN_TEMPERATURE, min(lx.AC_MAX_TEMPERATURE, setpoint))


def _contradicts(actions: list[Action]) -> bool:
    """Whether two actions ask one device for opposite or different things."""
    seen: dict[tuple[str, str], Action] = {}
    for action in actions:
        key = (action.device_id, action.command)
        earlier = seen.setdefault(key, action)
        if earlier.parameter != action.parameter:
            return True
    return any(
        (device_id, "turnOff") in seen and command == "turnOn" for device_id, command in seen
    )
