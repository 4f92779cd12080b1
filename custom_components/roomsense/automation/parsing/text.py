"""Normalised sentence text: numerals as digits, masking what is understood, measuring the rest.

Each recogniser works on normalised text (`fallback.normalize`: NFKC, lower case, single
spaces) and masks what it consumed with `MASK` characters of the same length, so later
recognisers see only what is left and every span keeps its place in the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from ...fallback.numbers import kanji_to_int
from ...fallback.parser import normalize
from ...home_model import Language

MASK: Final = "\x00"

# --- Numbers -------------------------------------------------------------------------------

_KANJI_TIME_NUMBER: Final = re.compile(r"[〇零一二三四五六七八九十]+(?=\s*(?:時|分|日|度|%))")
_ENGLISH_NUMBERS: Final = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45,
    "fifty": 50, "sixty": 60, "ninety": 90,
}  # fmt: skip


def english_number(word: str) -> int:
    """`"15"` → 15, `"fifteen"` → 15, `"an"` → 1."""
    return int(word) if word.isdigit() else _ENGLISH_NUMBERS[word]


def prepare(text: str) -> str:
    """Normalised text with kanji numerals of times and units as digits (七時 → 7時)."""
    text = normalize(text)
    text = _KANJI_TIME_NUMBER.sub(lambda match: str(kanji_to_int(match.group())), text)
    return text.replace("〜", "~").replace("～", "~")


# --- Masked text ---------------------------------------------------------------------------


@dataclass(slots=True)
class Masked:
    """The sentence with the phrases understood so far blanked out."""

    text: str

    def take(self, start: int, end: int) -> str:
        """Blank out `text[start:end]` and return what was there."""
        taken = self.text[start:end]
        self.text = self.text[:start] + MASK * (end - start) + self.text[end:]
        return taken

    def finditer(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """Matches on the current text (masking a match does not move later ones)."""
        yield from list(pattern.finditer(self.text))


# --- What is left over ---------------------------------------------------------------------

_JA_FILLERS: Final = (
    "ください", "下さい", "お願い", "おねがい", "ほしい", "欲しい", "してね", "ように", "ね", "よ",
    "たら", "なら", "れば", "場合", "とき", "時", "は", "が", "を", "に", "で", "の", "と", "も",
    "から", "まで", "て", "だっ", "なっ", "い", "こと", "もし", "毎回", "自動", "部屋", "家",
    "空気", "検知", "感知", "反応", "した", "超え", "下回", "上回", "以上", "以下", "未満", "かっ",
    "くな", "度", "%", "ちょうど", "すぐ",
)  # fmt: skip
_EN_FILLERS: Final = frozenset(
    {
        "if", "when", "whenever", "once", "as", "soon", "the", "a", "an", "is", "are", "it",
        "it's", "its", "gets", "get", "goes", "go", "and", "or", "then", "to", "in", "on",
        "at", "of", "my", "me", "please", "be", "been", "still", "becomes", "room", "house",
        "home", "there", "there's", "that", "this", "do", "does", "for", "up", "so", "too",
        "very", "really", "than", "i", "you", "can", "could", "would", "will", "should",
        "also", "just", "make", "sure", "case", "while", "inside", "here", "ok", "okay",
        "hey", "now", "all", "every", "each", "time", "from", "by", "with", "detected",
        "detects", "detect", "drops", "drop", "falls", "fall", "rises", "rise", "climbs",
        "dips", "hotter", "colder", "warmer", "cooler", "degrees", "degree", "percent", "air",
        "above", "below", "over", "under", "more", "less", "higher", "lower", "reaches",
    }
)  # fmt: skip


def content_size(text: str, language: Language) -> int:
    """How much a piece of text says: letters and digits beyond filler words."""
    text = text.replace(MASK, " ")
    if language == "ja":
        for word in sorted(_JA_FILLERS, key=len, reverse=True):
            text = text.replace(word, " ")
        return sum(1 for char in text if char.isalnum())
    words = re.findall(r"[a-z0-9']+", text)
    return sum(len(word) for word in words if word not in _EN_FILLERS)


def without_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with the spans blanked out."""
    chars = list(text)
    for start, end in spans:
        for position in range(max(0, start), min(len(chars), end)):
            chars[position] = " "
    return "".join(chars)


def word_pattern(term: str) -> re.Pattern[str]:
    """English terms match whole words; Japanese ones anywhere."""
    if term.isascii():
        return re.compile(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])")
    return re.compile(re.escape(term))


def contains_any(text: str, words: Iterable[str]) -> bool:
    """Whether any word occurs (English ones as whole words)."""
    return any(word_pattern(word).search(text) for word in words if word in text)
