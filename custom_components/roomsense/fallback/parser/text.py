"""Text as the parser reads it: normalised, in plain forms, and the small word helpers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

from ...home_model import Language
from .. import lexicon as lx
from ..numbers import kanji_to_int, read_numbers

_JAPANESE_CHARS: Final = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_ASCII_TERM: Final = re.compile(r"[a-z0-9]")
# Numbers are read this early only before a unit: the lexicon's own words stay words.
_KANJI_NUMBER: Final = re.compile(
    r"[〇零一二三四五六七八九十百]+(?=\s*(?:度|%|パーセント|ケルビン))"
)
TRAILING_PUNCTUATION: Final = " 。.!！、,~〜ー…♪"


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters, half-width kana), lower case, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("‘", "'").replace("℃", "°c")
    text = _KANJI_NUMBER.sub(lambda match: str(kanji_to_int(match.group())), text)
    return " ".join(text.split())


def detect_language(text: str) -> Language:
    """Japanese as soon as any kana or kanji appears, English otherwise."""
    return "ja" if _JAPANESE_CHARS.search(text) else "en"


def in_language[T](pair: tuple[T, T], language: Language) -> T:
    """The Japanese or the English one of a (Japanese, English) pair."""
    return pair[0 if language == "ja" else 1]


def sentence_joiner(language: Language) -> str:
    """Japanese sentences follow one another directly; English ones after a space."""
    return "" if language == "ja" else " "


_STRETCH: Final = re.compile(r"(?<=[\u3041-\u309f])ー+")
_CHANNEL_SUFFIX: Final = re.compile(r"(\d)(ch)(?![a-z])")


def colloquial(text: str) -> str:
    """The plain form of a request: 消しといて → 消して, いってきまーす → いってきます."""
    # A long mark after hiragana only stretches the sound; in katakana words it is spelling.
    text = _STRETCH.sub("", text)
    for colloquial_form, plain in lx.TE_OKU_FORMS:
        text = text.replace(colloquial_form, plain)
    return _CHANNEL_SUFFIX.sub(r"\1 \2", text)


def read_utterance(text: str) -> str:
    """Raw words as the parser reads them: normalised, numbers as digits, plain forms."""
    return colloquial(read_numbers(normalize(text)))


@lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern[str] | None:
    """English terms match whole words only ("ac" must not match "back")."""
    if not _ASCII_TERM.search(term) or _JAPANESE_CHARS.search(term):
        return None
    return re.compile(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])")


def blank_words(text: str, words: Iterable[str]) -> str:
    """The text with each English word (longest first) replaced by a space."""
    for word in sorted(words, key=len, reverse=True):
        text = re.sub(rf"(?<![a-z]){re.escape(word)}(?![a-z])", " ", text)
    return text


def substring_spans(text: str, term: str) -> list[tuple[int, int]]:
    """Where a term stands in the text, without overlaps."""
    spans: list[tuple[int, int]] = []
    start = text.find(term)
    while start != -1:
        spans.append((start, start + len(term)))
        start = text.find(term, start + len(term))
    return spans


def ascii_first(names: Iterable[str], fallback: str) -> str:
    """The first English name, for English replies."""
    return next((name for name in names if name.isascii()), fallback)


def unique[T](values: Iterable[T]) -> list[T]:
    """The values without repeats, first occurrence first."""
    return list(dict.fromkeys(values))
