"""What a rule does, as said: requests to be notified, and request pieces for the command parser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from ...fallback import lexicon as lx
from ...home_model import Language
from .condition_tables import EN_ACTION_VERBS
from .text import MASK, Masked

# "通知して" / "notify me", by language: group message, the words to send; in English,
# group todo, what to be reminded of.
_NOTIFY: Final[dict[Language, re.Pattern[str]]] = {
    "ja": re.compile(
        r"(?:[「『\"](?P<message>[^」』\"]+)[」』\"]\s*(?:と|って)\s*)?"
        r"(?:(?:スマホ|携帯|私|わたし|僕|俺|自分)に\s*)?"
        r"(?:プッシュ)?(?:通知|お知らせ|知らせ|連絡|リマインド|アラート|メッセージ|教え)"
        r"(?:を)?(?:送って|出して|して|する|て|てね|てほしい|てください|ください|下さい|くれ|お願い|ね)*"
    ),
    "en": re.compile(
        r"\b(?:notify me|notify|send (?:me )?(?:a |an )?(?:push )?(?:notification|alert|message|"
        r"reminder|text)|alert me|warn me|let me know|ping me|text me|message me|tell me"
        r"|give me a (?:heads[- ]up|notification|shout)|remind me(?: to (?P<todo>[^,\x00;]+))?"
        r"|send me a notification)\b(?:\s+(?:saying|that says|with)\s+[\"'](?P<message>[^\"']+)"
        r"[\"'])?"
    ),
}


@dataclass(frozen=True, slots=True)
class Notification:
    """A request to be told, with the words to send when the sentence gives them."""

    message: str | None
    span: tuple[int, int]


def find_notifications(masked: Masked, language: Language) -> list[Notification]:
    """Every "通知して" / "notify me" in what is left of the sentence (taken out)."""
    found: list[Notification] = []
    for match in masked.finditer(_NOTIFY[language]):
        message = match.group("message")
        if language == "en" and not message:
            message = match.group("todo")
        asked = language == "ja" and match.group().startswith("教え") and not message
        if asked and masked.text[match.end() :].strip(" 、,。" + MASK):
            # "教えて" mid-sentence asks a question ("温度を教えて"); only a rule's last
            # words make it a notification.
            continue
        found.append(
            Notification(message.strip() if message else None, (match.start(), match.end()))
        )
        masked.take(*match.span())
    return found


# --- Actions -------------------------------------------------------------------------------

# Dictionary and polite forms the fallback parser does not know, as its て-forms.
_JA_VERB_FORMS: Final = (
    ("開けます", "開けて"), ("開ける", "開けて"), ("あける", "あけて"),
    ("閉めます", "閉めて"), ("止めます", "止めて"), ("止める", "止めて"), ("とめる", "とめて"),
    ("つけます", "つけて"), ("消します", "消して"), ("入れます", "入れて"), ("入れる", "入れて"),
    ("回して", "つけて"), ("回す", "つけて"), ("動かす", "動かして"), ("押す", "押して"),
    ("沸かす", "沸かして"), ("実行する", "実行して"), ("実行します", "実行して"),
    ("起動する", "起動して"), ("かけます", "かけて"), ("下ろす", "下ろして"),
    ("にする", "にして"), ("にします", "にして"), ("オンする", "オンにして"),
)  # fmt: skip
_JA_TE_VERBS: Final = re.compile(
    r"(?:つけて|点けて|付けて|消して|けして|開けて|あけて|閉めて|しめて|止めて|とめて|入れて"
    r"|切って|押して|沸かして|動かして|かけて|して|下ろして|上げて|下げて|戻して|閉じて)"
    r"(?!おいて|おく|ください|下さい|くれ|ほしい|欲しい|ね|よ|もらえ|いて|る|$)"
)
_EN_PIECE_BREAK: Final = re.compile(r"\s*(?:[,;\x00]|\band then\b|\bthen\b|\band\b|\balso\b)\s*")
_JA_PIECE_BREAK: Final = re.compile(r"[、,。;\x00]|それから|そのあと|そして|あと(?=\S*を)")
_EN_VERB_PHRASE: Final = re.compile(
    r"^(?:please\s+)?(?P<verb>turn on|turn off|switch on|switch off|open|close|shut|start|stop"
    r"|lock|activate|run|power on|power off)\b"
)
_AUTOMATIC_WORDS: Final = re.compile(
    r"自動で|自動的に|勝手に|\bautomatically\b|\bfor me\b|\bplease\b|\bcould you\b|\bcan you\b"
)


def action_pieces(text: str, language: Language) -> list[tuple[str, str]]:
    """The requests in what is left of a sentence: (as said, as the command parser gets it)."""
    text = _AUTOMATIC_WORDS.sub(" ", text)
    return _ja_pieces(text) if language == "ja" else _en_pieces(text)


def _ja_pieces(text: str) -> list[tuple[str, str]]:
    """Japanese requests end in a て-form: "電気をつけてテレビを消して" is two."""
    for colloquial, plain in lx.TE_OKU_FORMS:
        text = text.replace(colloquial, plain)
    for form, te_form in _JA_VERB_FORMS:
        text = text.replace(form, te_form)
    pieces: list[str] = []
    for chunk in _JA_PIECE_BREAK.split(text):
        start = 0
        for match in _JA_TE_VERBS.finditer(chunk):
            if chunk[match.end() :].strip():
                pieces.append(chunk[start : match.end()])
                start = match.end()
        pieces.append(chunk[start:])
    return [(piece, piece) for piece in (_trim(piece) for piece in pieces) if piece]


def _en_pieces(text: str) -> list[tuple[str, str]]:
    """English requests split at commas and "and"; a piece without a verb borrows the last."""
    result: list[tuple[str, str]] = []
    verb: str | None = None
    for raw in _EN_PIECE_BREAK.split(text):
        piece = _trim(raw)
        if not piece:
            continue
        request = piece
        lead = _EN_VERB_PHRASE.match(piece)
        if lead:
            verb = lead.group("verb")
        elif verb is not None and not _starts_with_verb(piece):
            # "turn on the AC and the coffee maker": the second piece shares the verb.
            request = f"{verb} {piece}"
        result.append((piece, request))
    return result


def _starts_with_verb(piece: str) -> bool:
    first = piece.split(" ", 1)[0]
    return first in EN_ACTION_VERBS


_TRIM: Final = " 、,。.!！?？;:" + MASK + "~ー"
_JA_LEADING_PARTICLES: Final = re.compile(r"^(?:は|に|で|を|も|が|の|と|から)(?=\S)")


def _trim(piece: str) -> str:
    piece = piece.strip(_TRIM)
    piece = _JA_LEADING_PARTICLES.sub("", piece).strip(_TRIM)
    return " ".join(piece.split())
