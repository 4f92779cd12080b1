"""The home's devices, areas and kinds, found by the words a sentence uses for them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from ... import catalog
from ...catalog import Feature
from ...fallback import lexicon as lx
from ...fallback.parser import normalize
from ...home_model import DeviceKind, HomeDevice, HomeSnapshot
from .text import word_pattern

# Device types that report temperature and humidity (SwitchBot Open API §5).
MEASURING_TYPES: Final = catalog.types_with(features={Feature.CLIMATE_READINGS})


@dataclass(frozen=True, slots=True)
class Mention:
    """What a piece of text names: devices by name, kinds, areas, and where those words are."""

    devices: tuple[HomeDevice, ...]
    kinds: frozenset[DeviceKind]
    areas: frozenset[str]
    spans: tuple[tuple[int, int], ...]


class HomeIndex:
    """The snapshot's devices, areas and kinds, found by the words for them."""

    def __init__(self, snapshot: HomeSnapshot) -> None:
        """Index names, aliases, names without their area, kind words and area words."""
        self.snapshot = snapshot
        self.devices = {device.device_id: device for device in snapshot.devices}
        area_terms: dict[str, str] = {}
        for area in snapshot.areas:
            names = {normalize(name) for name in (area.name, *area.aliases)}
            for name in names:
                area_terms[name] = area.name
            for canonical, words in lx.AREA_WORDS.items():
                group = {normalize(word) for word in (canonical, *words)}
                if names & group:
                    for word in group:
                        area_terms.setdefault(word, area.name)
        self._areas = sorted(area_terms.items(), key=lambda item: -len(item[0]))
        name_terms: dict[str, set[str]] = {}
        for device in snapshot.devices:
            for term in self._device_terms(device, set(area_terms)):
                name_terms.setdefault(term, set()).add(device.device_id)
        self._names = sorted(name_terms.items(), key=lambda item: -len(item[0]))
        kind_terms = {
            normalize(word): kind for kind, words in lx.KIND_WORDS.items() for word in words
        }
        self._kinds = sorted(kind_terms.items(), key=lambda item: -len(item[0]))
        self._patterns: dict[str, re.Pattern[str]] = {}

    @staticmethod
    def _device_terms(device: HomeDevice, area_words: set[str]) -> set[str]:
        """Name and aliases, also without the area or a trailing kind word.

        "リビングのテレビ" is also "テレビ"; "coffee maker plug" also "coffee maker".
        """
        kind_words = {normalize(word) for words in lx.KIND_WORDS.values() for word in words}
        terms: set[str] = set()
        for raw in (device.name, *device.aliases):
            name = normalize(raw)
            terms.add(name)
            if not name.isascii() and "の" in name:
                head, rest = name.split("の", 1)
                if rest and rest not in area_words:
                    terms.add(rest)
                if head not in area_words:
                    terms.add(head)
            if name.isascii():
                for word in sorted(area_words, key=len, reverse=True):
                    if word.isascii() and name.startswith(f"{word} "):
                        name = name.removeprefix(f"{word} ")
                        terms.add(name)
                        break
                head, _, last = name.rpartition(" ")
                if head and last in kind_words and head not in kind_words:
                    terms.add(head)
        return {term for term in terms if len(term) >= 2 and term not in kind_words}

    def _find(self, text: str, term: str) -> list[tuple[int, int]]:
        if term not in text:
            return []
        pattern = self._patterns.get(term)
        if pattern is None:
            pattern = self._patterns[term] = word_pattern(term)
        return [match.span() for match in pattern.finditer(text)]

    def mention(self, text: str) -> Mention:
        """Devices named in full, kinds and areas in `text`; longer words win."""
        claimed = bytearray(len(text))
        devices: list[HomeDevice] = []
        kinds: set[DeviceKind] = set()
        areas: set[str] = set()
        spans: list[tuple[int, int]] = []

        def claim(term: str) -> bool:
            found = False
            for start, end in self._find(text, term):
                if any(claimed[start:end]):
                    continue
                claimed[start:end] = b"\x01" * (end - start)
                spans.append((start, end))
                found = True
            return found

        for term, ids in self._names:
            if claim(term):
                devices.extend(self.devices[device_id] for device_id in sorted(ids))
        for term, area in self._areas:
            if claim(term):
                areas.add(area)
        for term, kind in self._kinds:
            if claim(term):
                kinds.add(kind)
        # Devices hold their state (a dict): unique by id, not by value.
        unique = tuple({device.device_id: device for device in devices}.values())
        return Mention(unique, frozenset(kinds), frozenset(areas), tuple(spans))

    def sensors(self, field_name: str, area: str | None = None) -> list[HomeDevice]:
        """Devices that measure `temperature` / `humidity`, in snapshot order."""
        found = []
        for device in self.snapshot.devices:
            if device.kind is DeviceKind.AIR_CONDITIONER:
                continue
            reading = device.state.get(field_name)
            measures = device.device_type in MEASURING_TYPES or (
                device.kind is DeviceKind.SENSOR
                and isinstance(reading, int | float)
                and not isinstance(reading, bool)
            )
            if measures and (area is None or device.area == area):
                found.append(device)
        return found

    def of_types(self, types: Iterable[str]) -> list[HomeDevice]:
        """Devices of the given SwitchBot types, in snapshot order."""
        wanted = set(types)
        return [device for device in self.snapshot.devices if device.device_type in wanted]

    def of_kinds(self, kinds: Iterable[DeviceKind]) -> list[HomeDevice]:
        """Devices of the given kinds, in snapshot order."""
        wanted = set(kinds)
        return [device for device in self.snapshot.devices if device.kind in wanted]
