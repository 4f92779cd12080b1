"""A workflow's name: the sentence, trimmed; in Japanese what says when, then what it does."""

from __future__ import annotations

import re
from typing import Final

from ...home_model import HomeDevice, Language
from .results import Reading
from .text import MASK

MAX_NAME_LENGTH: Final = 60


def workflow_name(reading: Reading, notifies: bool) -> str:
    """Japanese: when / if as said, then what in plain form; English: the sentence."""
    if reading.language == "en":
        return name_from_sentence(reading.text, "en")
    when = [trim_particles(phrase) for _start, phrase in sorted(reading.trigger_phrases)]
    what = [dictionary_form(piece) for piece in reading.request_phrases]
    if notifies:
        what.append("通知する")
    name = " ".join(part for part in (*when, "、".join(what)) if part)
    return name_from_sentence(name, "ja")


def name_from_sentence(text: str, language: Language) -> str:
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


def trim_particles(phrase: str) -> str:
    """A time or condition phrase without the particles that tie it to the sentence."""
    return _PARTICLE_TAIL.sub("", phrase.replace(MASK, " ")).strip(" 、,")


# Plain (dictionary) forms of the て-forms a request ends with.
_DICTIONARY_FORMS: Final = (
    ("消して", "消す"), ("押して", "押す"), ("沸かして", "沸かす"), ("動かして", "動かす"),
    ("回して", "回す"), ("戻して", "戻す"), ("下ろして", "下ろす"), ("落として", "落とす"),
    ("切って", "切る"), ("して", "する"), ("つけて", "つける"), ("けて", "ける"),
    ("めて", "める"), ("れて", "れる"), ("げて", "げる"), ("じて", "じる"), ("せて", "せる"),
)  # fmt: skip


def dictionary_form(request: str) -> str:
    """A request in plain form, for a name: "電気をつけて" → "電気をつける"."""
    request = re.sub(r"(?:ください|下さい|ほしい|欲しい|ね|よ)$", "", request)
    for te_form, plain in _DICTIONARY_FORMS:
        if request.endswith(te_form):
            return request[: -len(te_form)] + plain
    return request


def english_name(device: HomeDevice) -> str:
    """The device's first ASCII alias, else its name."""
    return next((alias for alias in device.aliases if alias.isascii()), device.name)
