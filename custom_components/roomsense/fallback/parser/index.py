"""The phrases the parser knows for one home: the lexicon plus the home's own names."""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, Final

from ...home_model import AreaInfo, DeviceKind, HomeDevice, HomeSnapshot
from .. import lexicon as lx
from ..lexicon import Op
from .scan import Meaning, Tag, Term
from .text import blank_words, normalize, term_pattern

type _Add = Callable[[str, Meaning], None]

_INDEXES: Final[OrderedDict[Hashable, list[Term]]] = OrderedDict()
_INDEXES_KEPT: Final = 8

# Word lists that each carry one meaning.
_SIMPLE_MEANINGS: Final[tuple[tuple[Iterable[str], Meaning], ...]] = (
    (lx.HOME_WORDS, (Tag.HOME, True)),
    (lx.ALL_WORDS, (Tag.ALL, True)),
    (lx.COOLER_PHRASES, (Tag.COOLER, Op.COOLER)),
    (lx.WARMER_PHRASES, (Tag.WARMER, Op.WARMER)),
    (lx.FAN_SPEED_CONTEXT, (Tag.FAN_CONTEXT, True)),
    (lx.HALF_WORDS, (Tag.HALF, 50)),
    (lx.BRIGHTNESS_CONTEXT, (Tag.BRIGHTNESS_CONTEXT, True)),
    (lx.HUMIDITY_SET_CONTEXT, (Tag.HUMIDITY_CONTEXT, True)),
    (lx.MOP_WORDS, (Tag.MOP, True)),
    (lx.QUESTION_WORDS, (Tag.QUESTION, True)),
    (lx.NEGATION_WORDS, (Tag.NEGATION, True)),
    (lx.TEMPERATURE_TOPIC, (Tag.TOPIC, "temperature")),
    (lx.HUMIDITY_TOPIC, (Tag.TOPIC, "humidity")),
    (lx.CO2_TOPIC, (Tag.TOPIC, "co2")),
    (lx.STATE_TOPIC, (Tag.TOPIC, "state")),
    (lx.LEAK_TOPIC, (Tag.TOPIC, "leak")),
    (lx.MOTION_TOPIC, (Tag.TOPIC, "motion")),
    (lx.BATTERY_TOPIC, (Tag.TOPIC, "battery")),
    (lx.RUN_WORDS, (Tag.RUN, True)),
    (lx.START_WORDS, (Tag.START, True)),
    (lx.VOLUME_CONTEXT, (Tag.VOLUME, True)),
    (lx.CHANNEL_CONTEXT, (Tag.CHANNEL, True)),
    (lx.UP_WORDS, (Tag.UP, True)),
    (lx.DOWN_WORDS, (Tag.DOWN, True)),
    (lx.VOLUME_UP_PHRASES, (Tag.VOLUME_UP, True)),
    (lx.VOLUME_DOWN_PHRASES, (Tag.VOLUME_DOWN, True)),
    (lx.MUTE_WORDS, (Tag.MUTE, True)),
    (lx.LEVEL_MAX_WORDS, (Tag.LEVEL, 100)),
    (lx.LEVEL_MIN_WORDS, (Tag.LEVEL, 1)),
    (lx.DARK_PHRASES, (Tag.DARK, Op.BRIGHTER)),
    (lx.GLARE_PHRASES, (Tag.GLARE, Op.DIMMER)),
    (lx.DRY_AIR_PHRASES, (Tag.DRY_AIR, True)),
    (lx.HEAT_WATER_WORDS, (Tag.HEAT_WATER, True)),
    # (An appliance's own job: the same meaning for a coffee maker's plug.)
    (lx.BREW_WORDS, (Tag.HEAT_WATER, True)),
    (lx.WHY_WORDS, (Tag.WHY, True)),
    (lx.ABSENT_APPLIANCE_WORDS, (Tag.ABSENT, True)),
)


def phrase_index(snapshot: HomeSnapshot) -> list[Term]:
    """Every phrase the parser knows for this home, longest first.

    A snapshot is built every turn, but its names rarely change: the index is reused.
    """
    key = _naming_key(snapshot)
    cached = _INDEXES.get(key)
    if cached is not None:
        _INDEXES.move_to_end(key)
        return cached
    terms = _build_index(snapshot)
    _INDEXES[key] = terms
    if len(_INDEXES) > _INDEXES_KEPT:
        _INDEXES.popitem(last=False)
    return terms


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


def _adder(meanings: dict[str, list[Meaning]]) -> _Add:
    """Record a meaning of a phrase (normalised), once."""

    def add(term: str, meaning: Meaning) -> None:
        term = normalize(term)
        if term and meaning not in (bucket := meanings.setdefault(term, [])):
            bucket.append(meaning)

    return add


def _build_index(snapshot: HomeSnapshot) -> list[Term]:
    # The fixed lexicon is the bulk of the terms: normalised once per process, copied here.
    meanings = {term: list(found) for term, found in _lexicon_meanings().items()}
    add = _adder(meanings)
    _add_areas(add, snapshot.areas)
    _add_scenes(add, snapshot)
    _add_appliances(add, snapshot.devices)
    _add_devices(add, snapshot)
    return [
        (term, tuple(found), term_pattern(term))
        for term, found in sorted(meanings.items(), key=lambda item: -len(item[0]))
    ]


@functools.cache
def _lexicon_meanings() -> dict[str, tuple[Meaning, ...]]:
    """The lexicon's terms, normalised, with what each means."""
    meanings: dict[str, list[Meaning]] = {}
    _add_lexicon(_adder(meanings))
    return {term: tuple(found) for term, found in meanings.items()}


@functools.cache
def _kind_terms() -> frozenset[str]:
    """Every word for a kind of device, normalised."""
    return frozenset(normalize(word) for words in lx.KIND_WORDS.values() for word in words)


def _add_lexicon(add: _Add) -> None:
    for kind, words in lx.KIND_WORDS.items():
        for word in words:
            add(word, (Tag.KIND, kind))
            if word in lx.PLURAL_KIND_WORDS:
                add(word, (Tag.PLURAL, kind))
    _add_words_of(add, Tag.OP, lx.OP_PHRASES)
    for phrases_of_meaning, meaning in _SIMPLE_MEANINGS:
        for phrase in phrases_of_meaning:
            add(phrase, meaning)
    for phrase in lx.LIGHTS_OUT_PHRASES:
        add(phrase, (Tag.OP, Op.TURN_OFF))
        add(phrase, (Tag.KIND, DeviceKind.LIGHT))
    _add_words_of(add, Tag.AC_MODE, lx.AC_MODE_WORDS)
    _add_words_of(add, Tag.MODE, lx.MODE_WORDS)
    _add_words_of(add, Tag.COUNT, lx.COUNT_WORDS)
    _add_words_of(add, Tag.FAN_SPEED, lx.FAN_SPEED_WORDS)
    _add_words_of(add, Tag.COLOR, {rgb: words for rgb, (words, _names) in lx.COLOR_WORDS.items()})
    _add_words_of(add, Tag.KELVIN, lx.COLOR_TEMPERATURE_WORDS)


def _add_words_of(add: _Add, tag: Tag, words_by_value: Mapping[Any, Iterable[str]]) -> None:
    """Each value's words, tagged with that value."""
    for value, words in words_by_value.items():
        for word in words:
            add(word, (tag, value))


def _area_names(area: AreaInfo) -> tuple[str, ...]:
    return (area.name, *area.aliases)


def _add_areas(add: _Add, areas: Sequence[AreaInfo]) -> None:
    known = {normalize(name) for area in areas for name in _area_names(area)}
    for area in areas:
        names = {normalize(name) for name in _area_names(area)}
        for name in names:
            add(name, (Tag.AREA, area.name))
        for canonical, words in lx.AREA_WORDS.items():
            if names & {normalize(word) for word in (canonical, *words)}:
                for word in words:
                    add(word, (Tag.AREA, area.name))
    # Areas the home does not have still count, so "キッチンの電気" finds nothing
    # instead of every light in the home.
    for canonical, words in lx.AREA_WORDS.items():
        if not known & {normalize(word) for word in words}:
            for word in words:
                add(word, (Tag.AREA, f"?{canonical}"))


def _add_appliances(add: _Add, devices: Iterable[HomeDevice]) -> None:
    """A Bot called by what it presses: "給湯器のボット" answers to "お湯", "bath"."""
    for device in devices:
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
                    add(word, (Tag.APPLIANCE, device.device_id))


def _add_scenes(add: _Add, snapshot: HomeSnapshot) -> None:
    for scene in snapshot.scenes:
        names = {normalize(name) for name in (scene.name, *scene.aliases)}
        strong: set[str] = set()
        for canonical, phrases in lx.SCENE_PHRASES.items():
            group = {normalize(phrase) for phrase in (canonical, *phrases)}
            if names & group:
                strong |= group
        for name in names:
            # A bare English alias ("home") is too common a word to act on alone.
            if name.isascii() and name not in strong:
                add(name, (Tag.WEAK_SCENE, scene.scene_id))
            else:
                strong.add(name)
        for phrase in strong:
            add(phrase, (Tag.SCENE, scene.scene_id))


def _add_devices(add: _Add, snapshot: HomeSnapshot) -> None:
    """Device names (weak when they are also a kind word) and their learned buttons."""
    kinds = _kind_terms()
    area_words = _all_area_words(snapshot.areas)
    for device in snapshot.devices:
        for key in _device_keys(device, area_words):
            add(key, (Tag.WEAK_DEVICE if key in kinds else Tag.DEVICE, device.device_id))
        for button in device.custom_buttons:
            add(button, (Tag.BUTTON, (device.device_id, button)))
            for group in lx.BUTTON_SYNONYMS:
                if normalize(button) in {normalize(word) for word in group}:
                    for word in group:
                        add(word, (Tag.BUTTON, (device.device_id, button)))


def _all_area_words(areas: Iterable[AreaInfo]) -> frozenset[str]:
    words = {normalize(word) for group in lx.AREA_WORDS.values() for word in group}
    for area in areas:
        words |= {normalize(name) for name in _area_names(area)}
    return frozenset(words)


def _device_keys(device: HomeDevice, area_words: frozenset[str]) -> set[str]:
    """Full names and aliases, plus the same without the area ("シーリングライト")."""
    keys: set[str] = set()
    for raw in (device.name, *device.aliases):
        name = normalize(raw)
        keys.add(name)
        keys |= _parts_without_area(name, area_words)
        if name.isascii():
            keys |= _english_keys_without_area(name, area_words)
    for key in list(keys):
        words = key.split()
        for one, other in lx.NAME_VARIANTS:
            for old, new in ((one, other), (other, one)):
                if old in words:
                    keys.add(" ".join(new if word == old else word for word in words))
    return {key for key in keys if len(key) >= (3 if key.isascii() else 2)}


def _parts_without_area(name: str, area_words: frozenset[str]) -> set[str]:
    """The parts of "寝室の電球" that are not a room."""
    parts: set[str] = set()
    for part in name.split("の"):
        part = part.strip()
        if (
            part
            and part not in area_words
            and not any(part.startswith(word) for word in area_words if not word.isascii())
        ):
            parts.add(part)
    return parts


def _english_keys_without_area(name: str, area_words: frozenset[str]) -> set[str]:
    """English names without the area: "bedroom lamp" is also "lamp".

    "coffee maker plug" is also just "the coffee maker".
    """
    stripped = " ".join(blank_words(name, (w for w in area_words if w.isascii())).split())
    keys = {stripped}
    head, _, last = stripped.rpartition(" ")
    kinds = _kind_terms()
    if head and last in kinds and head not in kinds | area_words:
        keys.add(head)
    return keys
