"""Numbers as people say them, in Japanese and English, rewritten as digits.

One reader for the whole parser: kanji numerals (二十五, 百二十, 千), 割 (三割 = 30 %),
半分 / half (50 %), full-width digits (NFKC does those before this runs), and English number
words up to the thousands ("twenty-five", "seventy five", "one hundred and ten",
"a quarter"). A correction keeps the last value said: 「25度、いや、27度」, "22, no wait, 24".
Pure functions on already normalised (NFKC, lower-case) text.
"""

from __future__ import annotations

import re
from typing import Final

_KANJI_DIGITS: Final = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_KANJI_UNITS: Final = {"十": 10, "百": 100, "千": 1000}
# A kanji numeral: the characters `kanji_to_int` reads.
_KANJI_NUMERAL: Final = f"[{''.join(_KANJI_DIGITS)}{''.join(_KANJI_UNITS)}]+"
# Kanji numerals read as digits, in this order: before a counter or unit (so 一番 or 一斉
# stay words); then after a particle or a setting's name, before に/で/まで/へ:
# 「チャンネルを十に」, 「風速九十で」.
_KANJI_NUMBERS: Final = (
    re.compile(
        rf"{_KANJI_NUMERAL}(?=\s*(?:度|%|パーセント|ケルビン|チャンネル|ch|割|時間|秒|段階"
        r"|分(?=\s*(?:後|間|で|経|た|し))))"
    ),
    re.compile(
        rf"(?:(?<=[をはが])|(?<=風速|風量|音量|温度|湿度)|(?<=明るさ)){_KANJI_NUMERAL}"
        r"(?=\s*(?:に|で|まで|へ))"
    ),
)
_WARI: Final = re.compile(r"(\d+)\s*割")
# 四分の三 = 75 %, 三分の一 = 33 %.
_FRACTION_JA: Final = re.compile(r"([一二三四1-4])\s*分の\s*([一二三1-3])")
_HALF_JA: Final = re.compile(r"半分")

_ONES: Final = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS: Final = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES: Final = {"hundred": 100, "thousand": 1000}
_NUMBER_WORD: Final = "|".join([*_ONES, *_TENS, *_SCALES])
_ENGLISH_NUMBER: Final = re.compile(
    rf"\b(?:{_NUMBER_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_NUMBER_WORD}))*\b"
)
_FRACTIONS: Final = (
    (re.compile(r"\b(?:a\s+)?quarter\b"), "25%"),
    (re.compile(r"\bthree\s+quarters\b"), "75%"),
    # ("half an hour" and "an hour and a half" are durations, read by `read_duration`.)
    (re.compile(r"(?<!and )(?<!and a )\b(?:a\s+)?half(?:\s*way)?\b(?!\s+(?:an?\s+)?hour)"), "50%"),
)

# "25度、いや、27度", "22, no wait, 24", "25じゃなくて27": the value after the word wins.
CORRECTION_WORDS: Final = (
    r"いや|いいや|やっぱり|やっぱ|じゃなくて|ではなくて|でなくて|訂正"
    r"|no wait|no,? wait|wait,? no|actually|i meant|i mean|sorry|make (?:it|that)|rather"
)
_VALUE: Final = r"\d+(?:\.\d+)?\s*(?:°c|°|%|パーセント|percent|per cent|degrees?|度|チャンネル)?"
_CORRECTION: Final = re.compile(
    # ("actually make it 26": correction words may follow one another.)
    # ("30, no, 45": a bare "no" between two values, set off by commas, corrects too.)
    rf"({_VALUE})\s*[、,。.…]*\s*(?:(?:{CORRECTION_WORDS}|(?<=,)\s*no(?=\s*,))\s*[、,。.…]*\s*)+(?=\d)"
)


def kanji_to_int(numeral: str) -> int:
    """二十五 → 25, 百二十 → 120, 千五百 → 1500, 三〇 → 30 (digits side by side)."""
    total = 0
    current = 0
    for char in numeral:
        if char in _KANJI_UNITS:
            total += (current or 1) * _KANJI_UNITS[char]
            current = 0
        else:
            current = current * 10 + _KANJI_DIGITS[char]
    return total + current


def english_to_int(words: str) -> int | None:
    """Read "twenty-five" as 25, "one hundred and ten" as 110, "two thousand" as 2000."""
    total = 0
    current = 0
    seen = False
    for word in re.split(r"[\s-]+", words):
        if word == "and" or not word:
            continue
        if word in _ONES:
            current += _ONES[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "thousand":
            total += (current or 1) * 1000
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _ja_fraction(match: re.Match[str]) -> str:
    whole, part = (
        kanji_to_int(group) if not group.isdigit() else int(group) for group in match.groups()
    )
    return f"{round(100 * part / whole)}%" if 0 < part < whole else match.group()


def spell_out_numbers(text: str) -> str:
    """Digits for every number said in words, 割 and 半分 as percentages.

    The text must already be NFKC-normalised and lower-case.
    """
    text = _FRACTION_JA.sub(_ja_fraction, text)
    for pattern in _KANJI_NUMBERS:
        text = pattern.sub(lambda match: str(kanji_to_int(match.group())), text)
    text = _WARI.sub(lambda match: f"{int(match.group(1)) * 10}%", text)
    text = _HALF_JA.sub("50%", text)
    for pattern, value in _FRACTIONS:
        text = pattern.sub(value, text)

    def english(match: re.Match[str]) -> str:
        # A lone "one" is as often a pronoun ("the one in the bedroom") as a number.
        if match.group() == "one":
            return match.group()
        value = english_to_int(match.group())
        return match.group() if value is None else str(value)

    return _ENGLISH_NUMBER.sub(english, text)


def keep_corrected_values(text: str) -> str:
    """Drop a value the speaker corrected, with the correction word: the last one wins."""
    previous = None
    while previous != text:
        previous = text
        text = _CORRECTION.sub("", text, count=1)
    return text


def read_numbers(text: str) -> str:
    """Numbers in words to digits, then corrections applied."""
    return keep_corrected_values(spell_out_numbers(text))


_DURATION_UNITS: Final = {
    "時間": 3600, "hour": 3600, "hours": 3600, "hr": 3600, "hrs": 3600,
    "分": 60, "minute": 60, "minutes": 60, "min": 60, "mins": 60,
    "秒": 1, "second": 1, "seconds": 1, "sec": 1, "secs": 1,
}  # fmt: skip
_DURATION_PART: Final = re.compile(
    r"(\d+(?:\.\d+)?|\ban?\b)\s*(時間|分|秒|hours?|hrs?|minutes?|mins?|seconds?|secs?)(?![a-z])"
    r"|(half\s+an?\s+hour|半時間|(?<=時間)半|\band\s+a\s+half\b)"
)


def read_duration(text: str) -> int | None:
    """Seconds of the duration said ("1時間半", "thirty minutes", "half an hour"), or None.

    The text must already have its numbers read (`read_numbers`).
    """
    seconds = 0
    found = False
    for match in _DURATION_PART.finditer(text):
        found = True
        if match.group(3):
            seconds += 1800  # half an hour, 1時間半, an hour and a half
            continue
        amount = match.group(1)
        value = 1.0 if amount in ("a", "an") else float(amount)
        seconds += round(value * _DURATION_UNITS[match.group(2)])
    return seconds if found and seconds > 0 else None
