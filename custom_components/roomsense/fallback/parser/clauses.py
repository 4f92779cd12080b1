"""Where one request ends and the next begins, and words taken back or not understood."""

from __future__ import annotations

import re
from typing import Final

from .. import lexicon as lx
from ..numbers import CORRECTION_WORDS
from .scan import ACTION_TAGS, Scan, Tag
from .text import TRAILING_PUNCTUATION, blank_words

# Where one request ends and the next begins: "、", "and", "then", or a verb's て-form.
CLAUSE_BREAK: Final = re.compile(
    r"\s*(?:[、,;。]|\band then\b|\band\b|\bthen\b|それから|そのあと|あと(?=[^\d]))\s*"
)
# A piece that speaks of the speaker or gives a reason ("I need caffeine", 「眠いから」) asks
# for nothing of its own.
_REMARK: Final = re.compile(
    r"^(?:i|i'm|im|i am|i've|we|we're|it's|because|since|cause|'cause)\b|(?:から|ので)$"
)
_CORRECTION: Final = re.compile(rf"[\s、,。.]*(?:{CORRECTION_WORDS})[\s、,。.]*")
_FILLER_GAP: Final = re.compile(r"[\s、,。.…]*(?:あっ?|えっ?と?|oh|uh|um)?[\s、,。.…]*")
_VALUE_TAGS: Final = frozenset(
    {
        Tag.COLOR, Tag.AC_MODE, Tag.MODE, Tag.FAN_SPEED, Tag.KELVIN,
        # 「リビングの、いや寝室の電気」, "the lamp, I mean the ceiling light".
        Tag.AREA, Tag.DEVICE, Tag.WEAK_DEVICE,
    }
)  # fmt: skip
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
_LEFTOVER_STOPWORDS: Final = ("the", "my", "our", "it", "up", "again", "を", "して", "に", "は")


def split_clauses(text: str, scan: Scan) -> list[str]:
    """Split "do A and do B" into requests; a piece with nothing to do joins its neighbour.

    Cuts fall on "、", "and", "then" and after a verb's て-form ("つけて|閉めて") when
    more follows, never inside a recognised phrase.
    """
    cuts = _cuts(text, scan)
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
    return _requests_of(text, scan, pieces)


def _cuts(text: str, scan: Scan) -> list[tuple[int, int]]:
    inside = bytearray(len(text) + 1)
    for start, end, _tags in scan.spans:
        inside[start:end] = b"\x01" * (end - start)
    cuts: list[tuple[int, int]] = [
        match.span()
        for match in CLAUSE_BREAK.finditer(text)
        if match.end() > match.start() and not inside[match.start()]
    ]
    for _start, end, found in scan.spans:
        more = text[end:].strip(TRAILING_PUNCTUATION)
        if Tag.OP in found and text[end - 1] == "て" and more:
            cuts.append((end, end))
    return cuts


def _requests_of(text: str, scan: Scan, pieces: list[tuple[int, int]]) -> list[str]:
    """The pieces that ask for something, each with the pieces around it that do not."""
    merged: list[list[int]] = []
    pending_start: int | None = None
    for start, end in pieces:
        piece = text[start:end].strip(TRAILING_PUNCTUATION)
        if not piece:
            continue
        # The whole sentence's tags inside this piece (cuts never split a phrase).
        inner = {tag for a, b, found in scan.spans if start <= a and b <= end for tag in found}
        numbered = any(start <= at < end for at in scan.number_starts)
        if not numbered and not inner & ACTION_TAGS:
            if not inner and is_unknown_clause(piece) and not _REMARK.search(piece):
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
    return [text[start:end].strip(TRAILING_PUNCTUATION + "、") for start, end in merged]


def is_unknown_clause(piece: str) -> bool:
    """A piece with no recognised phrase at all: more than a filler word."""
    rest = blank_words(piece, lx.FILLER_WORDS).strip(TRAILING_PUNCTUATION + "?？")
    if rest.isascii():
        return len(rest.split()) >= 2
    return len(rest.replace(" ", "")) >= 3


def drop_corrected_value(text: str, scan: Scan) -> str | None:
    """The text without a value the speaker took back ("red, no wait, blue"), or None.

    Only a value right before the correction word, with a value of the same kind after it.
    """
    for match in _CORRECTION.finditer(text):
        after = [found for start, _end, found in scan.spans if start >= match.end()]
        before = [
            (start, found)
            for start, end, found in scan.spans
            if end <= match.start()
            and found & _VALUE_TAGS
            and re.fullmatch(r"[\sにでをへの、,]*", text[end : match.start()])
        ]
        if before and after and before[-1][1] & _VALUE_TAGS & after[0]:
            return text[: before[-1][0]] + text[match.end() :]
        taken_back = _drop_request_taken_back(text, scan, match, after)
        if taken_back is not None:
            return taken_back
    return None


def _drop_request_taken_back(
    text: str, scan: Scan, match: re.Match[str], after: list[frozenset[Tag]]
) -> str | None:
    """「エアコンつけて、いや、サーキュレーターつけて」: the whole request before is taken back."""
    spans_before = [span for span in scan.spans if span[1] <= match.start()]
    ops_before = [start for start, _end, found in spans_before if Tag.OP in found]
    right_before = bool(spans_before) and _FILLER_GAP.fullmatch(
        text[spans_before[-1][1] : match.start()]
    )
    if not (ops_before and right_before):
        return None
    op_after = any(Tag.OP in found for found in after)
    valued_after = any(found & (_VALUE_TAGS | {Tag.HALF}) for found in after) or any(
        at >= match.end() for at in scan.number_starts
    )
    if valued_after and not op_after:
        # 「カーテン閉めて、あ、やっぱり半分で」: the verb gives way to the value said after.
        op_start, op_end = next(
            (start, end) for start, end, found in reversed(spans_before) if Tag.OP in found
        )
        kept = text[op_end : match.start()].strip()
        return f"{text[:op_start]} {kept} {text[match.end() :]}".strip()
    if op_after:
        breaks = [
            cut.end()
            for cut in CLAUSE_BREAK.finditer(text, 0, match.start())
            if cut.end() <= ops_before[-1] and cut.end() > cut.start()
        ]
        start = max((end for end in breaks if end <= spans_before[-1][0]), default=0)
        start = min(start, ops_before[-1])
        return text[:start] + text[match.end() :]
    return None


def unknown_part_of_device(scan: Scan) -> bool:
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


def names_something_unknown(scan: Scan) -> bool:
    """Whether words the parser does not know are left over, as in "start the washing machine"."""
    chars = list(scan.text)
    for start, end, _found in scan.spans:
        chars[start:end] = " " * (end - start)
    rest = blank_words("".join(chars), (*lx.FILLER_WORDS, *_LEFTOVER_STOPWORDS))
    return is_unknown_clause(rest) or any(len(word) >= 3 for word in re.findall(r"[a-z]+", rest))
