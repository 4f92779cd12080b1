"""The phrases the workflow parser recognises, in Japanese and English.

Each recogniser works on normalised text (`fallback.normalize`: NFKC, lower case, single
spaces) and masks what it consumed with `MASK` characters of the same length, so later
recognisers see only what is left and every span keeps its place in the sentence.

Conventions, for sentences that name no exact value (they are the rules' defaults):
    朝 / morning 07:00, 昼 / noon 12:00, 夕方 / evening 18:00, 夜 / night 21:00,
    寝る前 / bedtime 22:00; a day set without a time runs at 07:00.
    暑い / hot: temperature above 28 °C; 寒い / cold: below 18 °C.
    ジメジメ / humid: humidity above 60 %; 乾燥 / dry: below 40 %.
    夜の間 / overnight: 22:00-06:00; 日中 / during the day: 09:00-17:00.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from .. import catalog
from ..catalog import Family, Feature
from ..fallback import lexicon as lx
from ..fallback.model import DeviceInfo, DeviceKind, HomeSnapshot, Language
from ..fallback.parser import normalize

MASK: Final = "\x00"

# --- Defaults ------------------------------------------------------------------------------

type Period = Literal["morning", "noon", "evening", "night", "bedtime", "midnight"]

PERIOD_TIMES: Final[dict[Period, tuple[int, int]]] = {
    "morning": (7, 0),
    "noon": (12, 0),
    "evening": (18, 0),
    "night": (21, 0),
    "bedtime": (22, 0),
    "midnight": (0, 0),
}
# Windows a bare period means when the sentence also has a condition ("夜にドアが開いたら").
PERIOD_WINDOWS: Final[dict[Period, tuple[str, str]]] = {
    "morning": ("06:00", "10:00"),
    "noon": ("09:00", "17:00"),
    "evening": ("17:00", "21:00"),
    "night": ("22:00", "06:00"),
}
NIGHT_WINDOW: Final = ("22:00", "06:00")
DAY_WINDOW: Final = ("09:00", "17:00")
DEFAULT_TIME: Final = (7, 0)
MAX_INTERVAL_MINUTES: Final = 10_080  # a week, as the schedule schema allows
HOT_ABOVE: Final = 28.0
COLD_BELOW: Final = 18.0
HUMID_ABOVE: Final = 60.0
DRY_BELOW: Final = 40.0
WEEKDAY_SET: Final = ("mon", "tue", "wed", "thu", "fri")
WEEKEND_SET: Final = ("sat", "sun")

# --- Numbers -------------------------------------------------------------------------------

_KANJI_DIGITS: Final = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_KANJI_TIME_NUMBER: Final = re.compile(r"[〇零一二三四五六七八九十]+(?=\s*(?:時|分|日|度|%))")
_ENGLISH_NUMBERS: Final = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45,
    "fifty": 50, "sixty": 60, "ninety": 90,
}  # fmt: skip
_EN_NUMBER: Final = (
    r"(?:\d+|forty-five|an|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|fifteen|twenty|thirty|forty|fifty|sixty|ninety)"
)
_EN_HOUR: Final = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
# After a number: what makes it a measurement, not a time of day.
_UNIT_AHEAD: Final = r"(?!\s*(?:°|degrees?|%|percent|per cent|celsius|c\b|minutes?|mins?|hours?))"


def english_number(word: str) -> int:
    """`"15"` → 15, `"fifteen"` → 15, `"an"` → 1."""
    return int(word) if word.isdigit() else _ENGLISH_NUMBERS[word]


def _kanji_to_int(numeral: str) -> int:
    total = current = 0
    for char in numeral:
        if char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = current * 10 + _KANJI_DIGITS[char]
    return total + current


def prepare(text: str) -> str:
    """Normalised text with kanji numerals of times and units as digits (七時 → 7時)."""
    text = normalize(text)
    text = _KANJI_TIME_NUMBER.sub(lambda match: str(_kanji_to_int(match.group())), text)
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


# --- Times ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Clock:
    """A time of day as said: the hour may still need its period ("7" in "夜7時")."""

    hour: int
    minute: int
    # "am" / "pm" when the sentence says which half of the day.
    half: Literal["am", "pm"] | None = None
    period: Period | None = None
    phrase: str = ""


@dataclass(slots=True)
class TimeFacts:
    """Everything about *when* a sentence says, before it becomes a schedule or a condition."""

    clocks: list[Clock] = field(default_factory=list)
    periods: list[tuple[Period, bool, str]] = field(default_factory=list)  # (period, every, text)
    days: set[str] = field(default_factory=set)
    daily: bool = False
    date_offset: int | None = None
    relative_minutes: int | None = None
    interval_minutes: int | None = None
    # Explicit time conditions ("夜の間", "between 22:00 and 6:00", "after 23:00").
    windows: list[dict[str, Any]] = field(default_factory=list)
    phrases: list[tuple[int, str]] = field(default_factory=list)  # (start, text) for names

    def note(self, start: int, phrase: str) -> None:
        """Remember a phrase (for the rule's name) at its place in the sentence."""
        self.phrases.append((start, phrase))


def clock_text(hour: int, minute: int) -> str:
    """`HH:MM`."""
    return f"{hour:02d}:{minute:02d}"


def resolve_hour(clock: Clock, context: Period | None = None) -> tuple[int, int] | None:
    """The 24 h time of a clock, with its own period or the sentence's; None if impossible."""
    hour, minute = clock.hour, clock.minute
    if minute > 59 or hour > 24:
        return None
    if clock.half is not None:
        if hour > 12:
            return None
        hour = hour % 12 + (12 if clock.half == "pm" else 0)
        return hour, minute
    period = clock.period or context
    if hour == 24 or (period in ("morning", "midnight") and hour == 12):
        hour = 0
    elif (period in ("evening", "bedtime") and hour < 12) or (period == "noon" and 1 <= hour <= 6):
        hour += 12
    elif period == "night":
        if 5 <= hour < 12:
            hour += 12
        elif hour == 12:
            hour = 0
    return (hour, minute) if hour < 24 else None


_JA_PERIOD_WORDS: Final[dict[str, Period]] = {
    "午前": "morning",
    "朝": "morning",
    "毎朝": "morning",
    "早朝": "morning",
    "明け方": "morning",
    "昼": "noon",
    "お昼": "noon",
    "午後": "evening",  # any afternoon hour takes +12 the same way
    "夕方": "evening",
    "毎夕": "evening",
    "夕": "evening",
    "夜": "night",
    "晩": "night",
    "毎晩": "night",
    "毎夜": "night",
    "今夜": "night",
    "今晩": "night",
    "夜中": "midnight",
    "深夜": "midnight",
    "寝る前": "bedtime",
    "就寝前": "bedtime",
    "寝る時": "bedtime",
}
_JA_PERIOD: Final = "|".join(sorted(_JA_PERIOD_WORDS, key=len, reverse=True))
# Particles after a time phrase ("7時に", "朝は", "22時になったら").
_JA_TIME_TAIL: Final = (
    r"(?:ちょうど|頃|ごろ|くらい)?"
    r"(?:になったら|になると|になれば|になる前に|に|には|は|の|で|から|、|,)?"
)

_JA_RELATIVE: Final = re.compile(
    r"(?P<n>\d+)\s*(?P<unit>分|時間)(?P<half>半)?\s*(?:後|たったら|経ったら|したら)" + _JA_TIME_TAIL
)
_JA_INTERVAL: Final = re.compile(
    r"(?:(?P<n>\d+)\s*(?P<unit>分|時間)(?P<half>半)?\s*(?:ごと|毎|おき|置き|に\s*1\s*回|に一回)"
    r"|(?P<hourly>毎時|1時間ごと))" + _JA_TIME_TAIL
)
_JA_CLOCK: Final = (
    rf"(?:(?P<{{p}}>{_JA_PERIOD})の?\s*)?"
    # 一時停止 (pause) and 一時的 (for now) are not one o'clock.
    r"(?:(?P<{h}>\d{{1,2}})\s*時(?!間|停止|的)\s*(?:(?P<{half}>半)|(?P<{m}>\d{{1,2}})\s*分)?"
    r"|(?P<{h2}>\d{{1,2}}):(?P<{m2}>\d{{2}}))"
)


def _ja_clock(suffix: str) -> str:
    return _JA_CLOCK.format(
        p=f"p{suffix}",
        h=f"h{suffix}",
        half=f"half{suffix}",
        m=f"m{suffix}",
        h2=f"hh{suffix}",
        m2=f"mm{suffix}",
    )


_JA_RANGE: Final = re.compile(
    _ja_clock("a")
    + r"\s*(?:から|~|-|－|より)\s*"
    + _ja_clock("b")
    + r"\s*(?:まで|の間|のあいだ|の時間帯)?(?:に|は|で|、)?"
)
_JA_AFTER_BEFORE: Final = re.compile(
    _ja_clock("a")
    + r"\s*(?P<side>以降|過ぎ|を過ぎたら|よりあと|より後|以後|より前|以前)(?:に|は|で|、)?"
)
_JA_NAMED_WINDOWS: Final = re.compile(
    r"(?P<night>夜の間|夜のあいだ|夜間|寝ている間|寝てる間|就寝中|深夜|夜中)"
    r"|(?P<day>日中|昼間|昼の間)"
)
_JA_DATE: Final = re.compile(
    r"(?P<word>明後日|あさって|明日|あした|あす|今日|きょう|今夜|今晩)(?:の|に|は|、)?"
)
_JA_DAY_CHARS: Final = dict(
    zip("月火水木金土日", ("mon", "tue", "wed", "thu", "fri", "sat", "sun"), strict=True)
)
_JA_DAYS: Final = re.compile(
    r"(?P<daily>毎日|毎朝毎晩)"
    r"|(?P<weekdays>平日|ウィークデー)"
    r"|(?P<weekend>週末|土日|土曜と日曜|土曜日と日曜日|休日|休みの日)"
    r"|(?:毎週\s*)?(?P<list>(?:[月火水木金土日](?:曜日?)?\s*(?:と|・|、|,|や|及び)\s*)*"
    r"[月火水木金土日]曜日?)"
)
_JA_DAYS_TAIL: Final = re.compile(r"(?:は|の|に|も)?(?:毎週)?(?:、|,)?")
_JA_CLOCK_ALONE: Final = re.compile(_ja_clock("") + _JA_TIME_TAIL)
_JA_PERIOD_ALONE: Final = re.compile(
    # Not inside colour and lamp words: 昼白色 / 昼光色 are light colours, 常夜灯 a nightlight.
    r"(?P<p>毎朝|毎晩|毎夜|毎夕|寝る前|就寝前|寝る時|夕方|お昼|朝(?!食|ご飯|ごはん)"
    r"|昼(?!食|ご飯|白|光)|(?<!常)夜(?!灯)|晩(?!ご飯|ごはん))" + _JA_TIME_TAIL
)

_EN_CLOCK: Final = (
    r"(?P<{h}>{hour})(?!\d)(?::(?P<{m}>\d{{2}}))?\s*(?P<{ap}>a\.?m\.?|p\.?m\.?|o'clock)?"
)


def _en_clock(suffix: str) -> str:
    return _EN_CLOCK.format(h=f"h{suffix}", m=f"m{suffix}", ap=f"ap{suffix}", hour=_EN_HOUR)


_EN_RELATIVE: Final = re.compile(
    rf"\bin\s+(?:(?P<n>{_EN_NUMBER})\s+(?P<unit>minutes?|mins?|hours?|hrs?)"
    r"(?P<more>\s+and\s+a\s+half)?|(?P<half>half\s+an?\s+hour)|(?P<quarter>a\s+quarter\s+of\s+"
    r"an\s+hour))\b(?:\s+from\s+now)?"
)
_EN_INTERVAL: Final = re.compile(
    rf"\b(?:every|each)\s+(?:(?P<n>{_EN_NUMBER})\s+(?P<unit>minutes?|mins?|hours?|hrs?)"
    r"|(?P<hour>hour)|(?P<half>half\s+(?:an\s+)?hour)|(?P<other>other\s+hour))\b"
    r"|\b(?P<hourly>hourly)\b"
)
_EN_RANGE: Final = re.compile(
    r"\b(?:between|from)\s+" + _en_clock("a") + r"\s*(?:and|to|until|till|-)\s+"
    r"" + _en_clock("b") + _UNIT_AHEAD + r"(?:\s+(?P<night>at night|in the night))?"
)
_EN_AFTER_BEFORE: Final = re.compile(r"\b(?P<side>after|before)\s+" + _en_clock("a") + _UNIT_AHEAD)
_EN_NAMED_WINDOWS: Final = re.compile(
    r"\b(?:(?P<night>overnight|during the night|through the night|while i'?m asleep"
    r"|while i sleep|at night time|at nighttime|in the middle of the night)"
    r"|(?P<day>during the day|in the daytime|during daytime|during the daytime))\b"
)
_EN_DATE: Final = re.compile(
    r"\b(?P<word>the day after tomorrow|tomorrow|today|tonight|this evening|this morning)\b"
)
_EN_DAY_NAMES: Final = {
    "monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu",
    "friday": "fri", "saturday": "sat", "sunday": "sun", "tues": "tue", "thurs": "thu",
}  # fmt: skip
_EN_DAY: Final = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tues|thurs)s?"
_EN_DAYS: Final = re.compile(
    r"\b(?:(?P<daily>every\s*day|each day|daily|everyday|every single day|once a day)"
    r"|(?P<weekdays>(?:on\s+|every\s+|each\s+)?(?:weekdays|weekday|workdays|work days|workday)"
    r"|(?:from\s+)?monday\s+(?:to|through|-)\s+friday|mon\s*-\s*fri)"
    r"|(?P<weekend>(?:on\s+|every\s+|each\s+|at\s+|over\s+)?(?:the\s+)?weekends?)"
    rf"|(?:on\s+|every\s+|each\s+)?(?P<list>{_EN_DAY}(?:\s*(?:,|and|&|or)\s*(?:and\s+)?"
    rf"{_EN_DAY})*))\b"
)
# "morning" / "night" alone are too common ("good night" is a scene): only with a lead-in.
_EN_PERIOD: Final = re.compile(
    r"\b(?:(?P<every>every|each)\s+|in\s+the\s+|at\s+|before\s+|this\s+)"
    r"(?P<p>morning|afternoon|evening|night|noon|midday|midnight|bedtime|bed time|bed)s?\b"
    r"|\b(?P<p2>noon|midnight|bedtime)\b"
)
_EN_PERIOD_WORDS: Final[dict[str, Period]] = {
    "morning": "morning",
    "afternoon": "evening",
    "evening": "evening",
    "night": "night",
    "noon": "noon",
    "midday": "noon",
    "midnight": "midnight",
    "bedtime": "bedtime",
    "bed time": "bedtime",
    "bed": "bedtime",
}
_EN_CLOCK_ALONE: Final = re.compile(
    r"\b(?:(?P<at>at|by|around|@)\s+)?(?:"
    r"(?P<rel>half|quarter)\s+(?P<dir>past|to)\s+(?P<rh>\d{1,2}|one|two|three|four|five|six"
    r"|seven|eight|nine|ten|eleven|twelve)"
    r"|" + _en_clock("") + r")" + _UNIT_AHEAD + r"(?:\s+(?P<part>in the morning|in the "
    r"afternoon|in the evening|at night|tonight))?\b"
)


def _clock_from(match: re.Match[str], suffix: str, language: Language) -> Clock | None:
    """A Clock from one of the clock patterns' named groups."""
    if language == "ja":
        hour_text = match.group(f"h{suffix}") or match.group(f"hh{suffix}")
        if hour_text is None:
            return None
        minute_text = match.group(f"m{suffix}") or match.group(f"mm{suffix}")
        minute = 30 if match.group(f"half{suffix}") else int(minute_text or 0)
        period_word = match.group(f"p{suffix}")
        clock = Clock(int(hour_text), minute, phrase=match.group())
        if period_word:
            if period_word == "午前":
                clock.half = "am"
            elif period_word == "午後":
                clock.half = "pm"
            else:
                clock.period = _JA_PERIOD_WORDS[period_word]
        return clock
    hour_word = match.group(f"h{suffix}")
    if hour_word is None:
        return None
    minute = int(match.group(f"m{suffix}") or 0)
    marker = (match.group(f"ap{suffix}") or "").replace(".", "")
    half: Literal["am", "pm"] | None = None
    if marker in ("am", "pm"):
        half = "am" if marker == "am" else "pm"
    return Clock(english_number(hour_word), minute, half=half, phrase=match.group())


def find_times(masked: Masked, language: Language) -> TimeFacts:
    """Every phrase about when: relative times, intervals, windows, dates, days, clocks."""
    facts = TimeFacts()
    if language == "ja":
        _find_times_ja(masked, facts)
    else:
        _find_times_en(masked, facts)
    return facts


def _window(operator: str, value: str | list[str]) -> dict[str, Any]:
    return {"type": "time", "operator": operator, "value": value}


def _find_times_ja(masked: Masked, facts: TimeFacts) -> None:
    for match in masked.finditer(_JA_RELATIVE):
        minutes = int(match.group("n")) * (60 if match.group("unit") == "時間" else 1)
        if match.group("half"):
            minutes += 30 if match.group("unit") == "時間" else 0
        facts.relative_minutes = minutes
        facts.note(match.start(), masked.take(*match.span()))
    for match in masked.finditer(_JA_INTERVAL):
        if match.group("hourly"):
            minutes = 60
        else:
            minutes = int(match.group("n")) * (60 if match.group("unit") == "時間" else 1)
            if match.group("half") and match.group("unit") == "時間":
                minutes += 30
        facts.interval_minutes = minutes
        facts.note(match.start(), masked.take(*match.span()))
    for match in masked.finditer(_JA_RANGE):
        opening, closing = _clock_from(match, "a", "ja"), _clock_from(match, "b", "ja")
        if opening is None or closing is None:
            continue
        first = resolve_hour(opening)
        second = resolve_hour(closing, opening.period)
        if first is None or second is None:
            continue
        facts.windows.append(_window("between", [clock_text(*first), clock_text(*second)]))
        facts.note(match.start(), masked.take(*match.span()))
    for match in masked.finditer(_JA_AFTER_BEFORE):
        clock = _clock_from(match, "a", "ja")
        resolved = resolve_hour(clock) if clock is not None else None
        if resolved is None:
            continue
        side = "before" if match.group("side") in ("より前", "以前") else "after"
        facts.windows.append(_window(side, clock_text(*resolved)))
        facts.note(match.start(), masked.take(*match.span()))
    for match in masked.finditer(_JA_NAMED_WINDOWS):
        window = NIGHT_WINDOW if match.group("night") else DAY_WINDOW
        facts.windows.append(_window("between", list(window)))
        end = match.end()
        tail = re.match(r"(?:に|は|で|、|,)*", masked.text[end:])
        end += tail.end() if tail else 0
        facts.note(match.start(), masked.take(match.start(), end))
    for match in masked.finditer(_JA_DATE):
        word = match.group("word")
        facts.date_offset = {"明後日": 2, "あさって": 2, "明日": 1, "あした": 1, "あす": 1}.get(
            word, 0
        )
        if word in ("今夜", "今晩"):
            facts.periods.append(("night", False, word))
        facts.note(match.start(), masked.take(*match.span()))
    for match in masked.finditer(_JA_DAYS):
        if match.group("daily"):
            facts.daily = True
        elif match.group("weekdays"):
            facts.days.update(WEEKDAY_SET)
        elif match.group("weekend"):
            facts.days.update(WEEKEND_SET)
        else:
            listed = re.sub(r"曜日?", "", match.group("list"))
            facts.days.update(_JA_DAY_CHARS[char] for char in listed if char in _JA_DAY_CHARS)
        end = match.end()
        tail = _JA_DAYS_TAIL.match(masked.text, end)
        end = tail.end() if tail else end
        facts.note(match.start(), masked.take(match.start(), end))
    for match in masked.finditer(_JA_CLOCK_ALONE):
        clock = _clock_from(match, "", "ja")
        if clock is None:
            continue
        if match.group("p") in ("毎朝", "毎晩", "毎夜", "毎夕"):
            facts.daily = True
        facts.clocks.append(clock)
        facts.note(match.start(), masked.take(*match.span()))
    for match in masked.finditer(_JA_PERIOD_ALONE):
        word = match.group("p")
        every = word.startswith("毎")
        facts.periods.append((_JA_PERIOD_WORDS[word], every, word))
        facts.note(match.start(), masked.take(*match.span()))


def _find_times_en(masked: Masked, facts: TimeFacts) -> None:
    for match in masked.finditer(_EN_RELATIVE):
        if match.group("half"):
            minutes = 30
        elif match.group("quarter"):
            minutes = 15
        else:
            count = english_number(match.group("n"))
            minutes = count * (60 if match.group("unit").startswith("h") else 1)
            if match.group("more"):
                minutes += 30 if match.group("unit").startswith("h") else 0
        facts.relative_minutes = minutes
        facts.note(match.start(), masked.take(*match.span()))
    for match in masked.finditer(_EN_INTERVAL):
        if match.group("hour") or match.group("hourly"):
            minutes = 60
        elif match.group("half"):
            minutes = 30
        elif match.group("other"):
            minutes = 120
        else:
            count = english_number(match.group("n"))
            minutes = count * (60 if match.group("unit").startswith("h") else 1)
        facts.interval_minutes = minutes
        facts.note(match.start(), masked.take(*match.span()))
    for match in masked.finditer(_EN_RANGE):
        opening, closing = _clock_from(match, "a", "en"), _clock_from(match, "b", "en")
        if opening is None or closing is None:
            continue
        if opening.half is None and closing.half == "am" and opening.hour <= 12:
            # "from 10 to 6 am": the first hour is the evening before.
            opening.half = "pm"
        if match.group("night") and closing.half is None:
            opening.period, closing.period = "night", "morning"
        first, second = resolve_hour(opening), resolve_hour(closing)
        if first is None or second is None:
            continue
        facts.windows.append(_window("between", [clock_text(*first), clock_text(*second)]))
        facts.note(match.start(), masked.take(*match.span()))
    for match in masked.finditer(_EN_AFTER_BEFORE):
        clock = _clock_from(match, "a", "en")
        resolved = resolve_hour(clock) if clock is not None else None
        if resolved is None:
            continue
        side = "before" if match.group("side") == "before" else "after"
        facts.windows.append(_window(side, clock_text(*resolved)))
        facts.note(match.start(), masked.take(*match.span()))
    for match in masked.finditer(_EN_NAMED_WINDOWS):
        window = NIGHT_WINDOW if match.group("night") else DAY_WINDOW
        facts.windows.append(_window("between", list(window)))
        facts.note(match.start(), masked.take(*match.span()))
    for match in masked.finditer(_EN_DATE):
        word = match.group("word")
        facts.date_offset = {"the day after tomorrow": 2, "tomorrow": 1}.get(word, 0)
        if word in ("tonight", "this evening"):
            facts.periods.append(("night" if word == "tonight" else "evening", False, word))
        elif word == "this morning":
            facts.periods.append(("morning", False, word))
        facts.note(match.start(), masked.take(*match.span()))
    for match in masked.finditer(_EN_DAYS):
        if match.group("daily"):
            facts.daily = True
        elif match.group("weekdays"):
            facts.days.update(WEEKDAY_SET)
        elif match.group("weekend"):
            facts.days.update(WEEKEND_SET)
        else:
            for name in re.findall(_EN_DAY, match.group("list")):
                facts.days.add(_EN_DAY_NAMES.get(name) or _EN_DAY_NAMES[name[:-1]])
        facts.note(match.start(), masked.take(*match.span()))
    for match in masked.finditer(_EN_CLOCK_ALONE):
        clock = _en_clock_alone(match)
        if clock is None:
            continue
        facts.clocks.append(clock)
        facts.note(match.start(), masked.take(*match.span()))
    for match in masked.finditer(_EN_PERIOD):
        word = match.group("p") or match.group("p2")
        every = bool(match.group("every"))
        facts.periods.append((_EN_PERIOD_WORDS[word], every, match.group()))
        facts.note(match.start(), masked.take(*match.span()))


_EN_PART_OF_DAY: Final[dict[str, Period]] = {
    "in the morning": "morning",
    "in the afternoon": "evening",
    "in the evening": "evening",
    "at night": "night",
    "tonight": "night",
}


_SET_POINT_BEFORE: Final = re.compile(
    r"\b(?:heat|heating|cool|cooling|dry|warm|set(?:\s+it)?(?:\s+to)?|to)\s*$", re.IGNORECASE
)


def _en_clock_alone(match: re.Match[str]) -> Clock | None:
    """A clock said with "at", a colon, am / pm or "half past"; not a bare number."""
    if match.group("rel"):
        hour = english_number(match.group("rh"))
        if match.group("dir") == "past":
            clock = Clock(hour, 30 if match.group("rel") == "half" else 15)
        else:
            clock = Clock((hour - 1) % 12 or 12, 45 if match.group("rel") == "quarter" else 30)
    else:
        parsed = _clock_from(match, "", "en")
        if parsed is None:
            return None
        marked = match.group("at") or match.group("m") or match.group("ap") or match.group("part")
        if not marked:
            return None
        exact = match.group("m") or match.group("ap")
        # "up by two" is a step, not two o'clock; "heat at 21" is a set point.
        if match.group("at") == "by" and not exact:
            return None
        if not exact and _SET_POINT_BEFORE.search(match.string[: match.start()]):
            return None
        clock = parsed
    part = match.group("part")
    if part and clock.half is None:
        clock.period = _EN_PART_OF_DAY[part]
    clock.phrase = match.group()
    return clock


# --- Home index: devices, areas and kinds by the words for them ------------------------------

_DOOR_WORDS: Final = ("ドア", "扉", "窓", "開閉センサー", "door", "doors", "window", "windows")
_CONTACT_TYPES: Final = catalog.types_with(Family.CONTACT_SENSOR)
_MOTION_TYPES: Final = catalog.types_with(Family.MOTION_SENSOR, Family.PRESENCE_SENSOR)
_LEAK_TYPES: Final = catalog.types_with(Family.WATER_DETECTOR)
# Device types that report temperature and humidity (SwitchBot Open API §5).
MEASURING_TYPES: Final = catalog.types_with(features={Feature.CLIMATE_READINGS})


@dataclass(frozen=True, slots=True)
class Mention:
    """What a piece of text names: devices by name, kinds, areas, and where those words are."""

    devices: tuple[DeviceInfo, ...]
    kinds: frozenset[DeviceKind]
    areas: frozenset[str]
    spans: tuple[tuple[int, int], ...]


def _word_pattern(term: str) -> re.Pattern[str]:
    """English terms match whole words; Japanese ones anywhere."""
    if term.isascii():
        return re.compile(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])")
    return re.compile(re.escape(term))


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
    def _device_terms(device: DeviceInfo, area_words: set[str]) -> set[str]:
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
            pattern = self._patterns[term] = _word_pattern(term)
        return [match.span() for match in pattern.finditer(text)]

    def mention(self, text: str) -> Mention:
        """Devices named in full, kinds and areas in `text`; longer words win."""
        claimed = bytearray(len(text))
        devices: list[DeviceInfo] = []
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

    def sensors(self, field_name: str, area: str | None = None) -> list[DeviceInfo]:
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

    def of_types(self, types: Iterable[str]) -> list[DeviceInfo]:
        """Devices of the given SwitchBot types, in snapshot order."""
        wanted = set(types)
        return [device for device in self.snapshot.devices if device.device_type in wanted]

    def of_kinds(self, kinds: Iterable[DeviceKind]) -> list[DeviceInfo]:
        """Devices of the given kinds, in snapshot order."""
        wanted = set(kinds)
        return [device for device in self.snapshot.devices if device.kind in wanted]


def contains_any(text: str, words: Iterable[str]) -> bool:
    """Whether any word occurs (English ones as whole words)."""
    return any(_word_pattern(word).search(text) for word in words if word in text)


# --- Conditions ----------------------------------------------------------------------------

# A Japanese condition clause ends in a conditional form: 〜たら, 〜なら, 〜れば, 〜時は, ….
_JA_CLAUSE: Final = re.compile(
    r"[^\x00、,。]*?(?:たら|だら|なら(?:ば)?(?![しせす])|れば|ければ|場合(?:は|に)?"
    r"|(?<![\d何])(?:時|とき)(?:は|に)|(?:以上|以下|未満|より上|より下)(?:で|の時|のとき)"
    r"|[くるうすつむ]と(?=[、,\s]))(?:、|,)?"
)
# "once" only as "once the door opens", not "run it once".
_EN_CLAUSE_START: Final = re.compile(
    r"\b(?:if|when|whenever|as soon as|in case|while"
    r"|once(?=\s+(?:the|it|it's|its|someone|somebody|there|a|an|my|motion|humidity)\b))\b"
)
# Words that end an English condition clause when one starts a new request.
_EN_ACTION_VERBS: Final = frozenset(
    {
        "turn", "switch", "open", "close", "shut", "start", "stop", "run", "set", "notify",
        "send", "let", "remind", "alert", "warn", "ping", "tell", "text", "lock", "unlock",
        "activate", "put", "dim", "brighten", "raise", "lower", "draw", "pull", "clean",
        "vacuum", "press", "push", "mute", "pause", "make", "give", "heat", "cool", "boil",
        "trigger", "play", "message", "email",
    }
)  # fmt: skip
# A verb after these is part of the condition ("is open", "the vacuum", "front door lock").
_EN_NOT_A_START: Final = frozenset(
    {
        "is", "are", "be", "been", "was", "were", "gets", "get", "got", "goes", "stays",
        "stay", "it", "the", "a", "an", "my", "'s", "left", "still", "remains", "keeps",
        "becomes", "turns", "its", "being", "not", "isn't", "aren't", "front", "door",
    }
)  # fmt: skip


def condition_clauses(masked: Masked, language: Language) -> list[tuple[int, int]]:
    """Spans of the clauses that say "if/when …" (not yet taken out of the text)."""
    if language == "ja":
        return [match.span() for match in _JA_CLAUSE.finditer(masked.text) if match.group()]
    spans: list[tuple[int, int]] = []
    text = masked.text
    for match in _EN_CLAUSE_START.finditer(text):
        if spans and match.start() < spans[-1][1]:
            continue
        end = _en_clause_end(text, match.end())
        spans.append((match.start(), end))
    return spans


def _en_clause_end(text: str, position: int) -> int:
    """Where an English condition clause stops: a comma, "then", or the next request."""
    previous = ""
    for token in re.finditer(r"[a-z']+|[,;\x00]|\S", text[position:]):
        word = token.group()
        start = position + token.start()
        if word in (",", ";", MASK) or word == "then":
            return start
        if word in _EN_ACTION_VERBS and previous not in _EN_NOT_A_START:
            # "… and notify me": the "and" belongs to the next request.
            head = text[:start].rstrip()
            return len(head[:-4]) if head.endswith(" and") else start
        previous = word if not word.endswith("'s") else "'s"
    return len(text)


@dataclass(slots=True)
class ConditionFinding:
    """The conditions found in one clause and what of the clause they explain."""

    conditions: list[dict[str, Any]] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    # Problems to tell the user: "ambiguous:<device names>", "no_device".
    problems: list[str] = field(default_factory=list)
    # A state condition about "it": the device comes from the actions.
    pronoun_state: AbstractState | None = None
    no_sensor: set[str] = field(default_factory=set)


_JA_NUMBER_COMPARE: Final = re.compile(
    r"(?P<n>-?\d+(?:\.\d+)?)\s*(?P<unit>度|°c|°|%|パーセント)?\s*"
    r"(?P<op>以上|を?超え|を?こえ|を?上回|より(?:も)?(?:高|上|大き)|以下|未満|を?下回|より(?:も)?"
    r"(?:低|下|小さ)|を?切|まで下が|まで上が|に(?:なったら|なると|なれば|達した))"
)
_JA_BETWEEN: Final = re.compile(
    r"(?P<a>-?\d+(?:\.\d+)?)\s*(?:度|%|パーセント)?\s*(?:から|~|-|と)\s*(?P<b>-?\d+(?:\.\d+)?)"
    r"\s*(?P<unit>度|%|パーセント)\s*(?:の間|のあいだ|まで|の範囲|以内)"
)
_EN_NUMBER_COMPARE: Final = re.compile(
    r"(?P<op>above|over|more than|higher than|greater than|exceeds?|exceeding|hotter than"
    r"|warmer than|at least|reaches|hits|beyond|past|below|under|less than|lower than"
    r"|colder than|cooler than|at most|beneath|drops? to|falls? to)\s+(?P<n>-?\d+(?:\.\d+)?)"
    r"\s*(?P<unit>°c|°f|°|degrees?(?:\s+(?:c|celsius))?|celsius|c\b|%|percent|per cent)?"
)
_EN_BETWEEN: Final = re.compile(
    r"\bbetween\s+(?P<a>-?\d+(?:\.\d+)?)\s*(?:°c|°|degrees?|%|percent)?\s*(?:and|-)\s*"
    r"(?P<b>-?\d+(?:\.\d+)?)\s*(?P<unit>°c|°|degrees?(?:\s+celsius)?|celsius|%|percent)?"
)
_BELOW_WORDS: Final = (
    "以下", "未満", "下回", "低", "下", "小さ", "切", "下が",
    "below", "under", "less", "lower", "colder", "cooler", "most", "beneath", "drop", "fall",
)  # fmt: skip
_JA_HOT: Final = re.compile(r"暑|あつ(?:かった|くな|い時|いとき|ければ)|蒸し暑|猛暑")
_JA_COLD: Final = re.compile(r"寒|さむ(?:かった|くな|い時|いとき|ければ)|冷え込|冷えたら|冷えてき")
_JA_HUMID: Final = re.compile(
    r"ジメジメ|じめじめ|湿度が高|湿度が上が|湿気が(?:多|高|ひど)|ムシムシ|むしむし|蒸し蒸し"
)
_JA_DRY: Final = re.compile(r"乾燥|湿度が低|湿度が下が|カラカラ|からから|乾いて")
_EN_HOT: Final = re.compile(r"\b(?:hot|too warm|boiling|scorching|sweltering|heatwave)\b")
_EN_COLD: Final = re.compile(r"\b(?:cold|chilly|freezing|too cool)\b")
_EN_HUMID: Final = re.compile(r"\b(?:humid|muggy|damp|sticky)\b")
_EN_DRY: Final = re.compile(r"\b(?:dry|too dry|air is dry)\b")
_TEMPERATURE_WORDS: Final = re.compile(
    r"温度|室温|気温|temperature|temp\b|hot|warm|cold|cool|degrees|°"
)
_HUMIDITY_WORDS: Final = re.compile(r"湿度|湿気|humidity|humid|%|percent")

type AbstractState = Literal["on", "off", "open", "closed", "locked", "unlocked", "motion", "leak"]


def _any_of(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives))


# In order: the first state found in a clause is its state ("ついていなかったら" is off).
_JA_STATES: Final[tuple[tuple[re.Pattern[str], AbstractState], ...]] = (
    (
        _any_of(
            r"(?:鍵|カギ|かぎ|ロック)が?(?:かかって|掛かって)(?:い)?(?:ない|なかった|なけれ)",
            r"施錠され(?:て(?:い)?)?(?:ない|なかった|なけれ)|施錠していな|閉め忘れ",
            r"解錠|開錠|アンロック|ロックが(?:外れ|解除)",
        ),
        "unlocked",
    ),
    (_any_of(r"施錠され", r"(?:鍵|カギ|かぎ|ロック)が?(?:かかっ|掛かっ)"), "locked"),
    (_any_of(r"水漏れ|漏水|水濡れ|浸水|水を検知"), "leak"),
    (
        _any_of(
            r"人が(?:来|通|動|い|入)|動きを?(?:検知|感知)|動きがあ|人の動き",
            r"人感センサーが?(?:反応|検知|オン)|人を検知|人の気配|誰かが",
        ),
        "motion",
    ),
    (
        _any_of(
            r"(?:つ|点|付)いて(?:い)?(?:ない|なかった|なけれ)",
            r"消えて(?:い)?(?:る|た)|消えたら|オフ(?:に|の|だ|なら|になっ)|切れて(?:い)?(?:る|た)",
        ),
        "off",
    ),
    (
        _any_of(
            r"(?:つ|点|付)いて(?:い)?(?:る|た)|(?:つ|点|付)いたら|オン(?:に|の|だ|なら|になっ)",
            r"つけっぱな|入って(?:い)?(?:る|た)|動いて(?:い)?(?:る|た)",
        ),
        "on",
    ),
    (
        _any_of(
            r"(?:開|あ|空)いて(?:い)?(?:る|た)|(?:開|あ|空)いたら|(?:開|あ)けっぱな",
            r"開いた(?:時|とき)|(?:開|あ)いた|(?:開|あ)くと",
        ),
        "open",
    ),
    (
        _any_of(
            r"(?:閉|し)まって(?:い)?(?:る|た)|(?:閉|し)まったら|閉じたら|閉じて(?:い)?(?:る|た)",
            r"(?:閉|し)まった|(?:閉|し)まると",
        ),
        "closed",
    ),
)
_EN_BE: Final = (
    r"\b(?:is|are|was|'s|gets|get|got|goes|go|been|be|stays|left)\s+(?:still\s+|left\s+)?"
)
_EN_STATES: Final[tuple[tuple[re.Pattern[str], AbstractState], ...]] = (
    (
        _any_of(
            _EN_BE + r"unlocked",
            r"\bunlocks?\b|\bunlocked\b",
            r"\b(?:is|are|'s)\s+not\s+locked|\b(?:isn't|aren't)\s+locked",
        ),
        "unlocked",
    ),
    (_any_of(_EN_BE + r"locked", r"\blocks\b"), "locked"),
    (
        _any_of(
            r"\bleak(?:s|ing|age)?\b|\bwater\s+(?:is\s+)?detected\b",
            r"\bdetects?\s+water|\bwater\s+on\s+the\s+floor",
        ),
        "leak",
    ),
    (
        _any_of(
            r"\bmotion\b|\bmovement\b|\bpresence\b",
            r"\bsomeone\b|\bsomebody\b|\banyone\b|\banybody\b",
        ),
        "motion",
    ),
    (
        _any_of(
            _EN_BE + r"(?:turned\s+)?off\b",
            r"\bturns?\s+off\b|\b(?:is|are|'s)\s+not\s+on\b|\b(?:isn't|aren't)\s+on\b",
        ),
        "off",
    ),
    (
        _any_of(
            _EN_BE + r"(?:turned\s+)?on\b",
            r"\bturns?\s+on\b|\b(?:is|are|'s)\s+running\b|\bleft on\b",
        ),
        "on",
    ),
    (_any_of(r"\bopens?\b|\bopened\b|\bopening\b", _EN_BE + r"open\b"), "open"),
    (_any_of(r"\bcloses?\b|\bclosed\b|\bclosing\b|\bshuts?\b", _EN_BE + r"shut\b"), "closed"),
)
_PRONOUNS: Final = re.compile(r"\b(?:it|they|it's|they're|its|that|them)\b|それ|これ")
_LOCK_WORDS: Final = ("鍵", "カギ", "かぎ", "ロック", "施錠", "lock", "locks", "deadbolt")


class ConditionReader:
    """Reads temperature, humidity and device-state conditions out of one clause."""

    def __init__(self, index: HomeIndex) -> None:
        """Conditions name devices through `index`."""
        self.index = index

    def read(self, clause: str, language: Language) -> ConditionFinding:
        """Every condition in the clause."""
        finding = ConditionFinding()
        mention = self.index.mention(clause)
        self._numbers(clause, language, mention, finding)
        self._qualitative(clause, language, mention, finding)
        self._state(clause, language, mention, finding)
        return finding

    # --- temperature and humidity ---

    def _measure(self, clause: str, at: int, unit: str | None) -> str:
        """Temperature or humidity: by the unit, else by the nearest word before the number."""
        if unit in ("%", "パーセント", "percent", "per cent"):
            return "humidity"
        if unit:
            return "temperature"
        before = clause[:at]
        temperature = [match.start() for match in _TEMPERATURE_WORDS.finditer(before)]
        humidity = [match.start() for match in _HUMIDITY_WORDS.finditer(before)]
        if humidity and (not temperature or humidity[-1] > temperature[-1]):
            return "humidity"
        return "temperature"

    def _source(self, measure: str, mention: Mention, finding: ConditionFinding) -> dict[str, str]:
        """The sensor of the named area (the first one, as the fallback parser reads it)."""
        if not self.index.sensors(measure):
            finding.no_sensor.add(measure)
            return {}
        for area in sorted(mention.areas):
            in_area = self.index.sensors(measure, area)
            if in_area:
                return {"device_id": in_area[0].device_id}
        measuring = {device.device_id for device in self.index.sensors(measure)}
        named = [device for device in mention.devices if device.device_id in measuring]
        return {"device_id": named[0].device_id} if named else {}

    def _add(
        self,
        finding: ConditionFinding,
        measure: str,
        operator: str,
        value: float | list[float],
        mention: Mention,
        span: tuple[int, int],
    ) -> None:
        condition: dict[str, Any] = {"type": measure, "operator": operator, "value": value}
        condition.update(self._source(measure, mention, finding))
        finding.conditions.append(condition)
        finding.spans.append(span)

    def _numbers(
        self, clause: str, language: Language, mention: Mention, finding: ConditionFinding
    ) -> None:
        between = _JA_BETWEEN if language == "ja" else _EN_BETWEEN
        taken: list[tuple[int, int]] = []
        for match in between.finditer(clause):
            low, high = sorted((float(match.group("a")), float(match.group("b"))))
            measure = self._measure(clause, match.start(), match.group("unit"))
            self._add(finding, measure, "between", [low, high], mention, match.span())
            taken.append(match.span())
        compare = _JA_NUMBER_COMPARE if language == "ja" else _EN_NUMBER_COMPARE
        for match in compare.finditer(clause):
            if any(start <= match.start() < end for start, end in taken):
                continue
            number = float(match.group("n"))
            op_words = match.group("op")
            if op_words.startswith("に") and language == "ja":
                # "28度になったら": the direction it crosses, judged from the number.
                below = number < (HOT_ABOVE + COLD_BELOW) / 2 or "寒" in clause
            else:
                below = any(word in op_words for word in _BELOW_WORDS)
            measure = self._measure(clause, match.start(), match.group("unit"))
            if measure == "humidity" and not _HUMIDITY_WORDS.search(clause):
                measure = "temperature" if match.group("unit") is None else measure
            self._add(
                finding,
                measure,
                "below" if below else "above",
                number,
                mention,
                match.span(),
            )

    def _qualitative(
        self, clause: str, language: Language, mention: Mention, finding: ConditionFinding
    ) -> None:
        measured = {condition["type"] for condition in finding.conditions}
        ja = language == "ja"
        table = (
            ("temperature", "above", HOT_ABOVE, _JA_HOT if ja else _EN_HOT),
            ("temperature", "below", COLD_BELOW, _JA_COLD if ja else _EN_COLD),
            ("humidity", "above", HUMID_ABOVE, _JA_HUMID if ja else _EN_HUMID),
            ("humidity", "below", DRY_BELOW, _JA_DRY if ja else _EN_DRY),
        )
        for measure, operator, value, pattern in table:
            if measure in measured:
                continue
            match = pattern.search(clause)
            if match is None:
                continue
            self._add(finding, measure, operator, value, mention, match.span())
            measured.add(measure)

    # --- device states ---

    def _state(
        self, clause: str, language: Language, mention: Mention, finding: ConditionFinding
    ) -> None:
        table = _JA_STATES if language == "ja" else _EN_STATES
        for pattern, state in table:
            match = pattern.search(clause)
            if match is None:
                continue
            if (
                state in ("on", "off", "open", "closed")
                and finding.conditions
                and not (mention.devices or mention.kinds or contains_any(clause, _DOOR_WORDS))
            ):
                # "it gets hot … turns on": nothing named, the state word is not a device's.
                return
            device, words = self._state_device(clause, state, mention)
            if device is None:
                if words == "pronoun":
                    finding.pronoun_state = state
                    finding.spans.append(match.span())
                elif words:
                    finding.problems.append(words)
                return
            condition = {"type": "device_state", "device_id": device.device_id}
            condition.update(state_value(device, state))
            finding.conditions.append(condition)
            finding.spans.append(match.span())
            finding.spans.extend(mention.spans)
            return

    def _state_device(
        self, clause: str, state: AbstractState, mention: Mention
    ) -> tuple[DeviceInfo | None, str]:
        """The one device a state is about, or None and why ("ambiguous:…", "pronoun")."""
        index = self.index
        candidates: list[DeviceInfo]
        if state == "motion":
            candidates = index.of_types(_MOTION_TYPES)
        elif state == "leak":
            candidates = index.of_types(_LEAK_TYPES)
        elif state in ("locked", "unlocked"):
            candidates = index.of_kinds([DeviceKind.LOCK])
        elif mention.devices:
            candidates = list(mention.devices)
            if state in ("open", "closed") and contains_any(clause, _DOOR_WORDS):
                # "玄関ドアの開閉センサー" named in full still means the sensor.
                contacts = [d for d in candidates if d.device_type in _CONTACT_TYPES]
                candidates = contacts or candidates
        elif state in ("open", "closed") and contains_any(clause, _LOCK_WORDS):
            candidates = index.of_kinds([DeviceKind.LOCK])
        elif state in ("open", "closed") and contains_any(clause, _DOOR_WORDS):
            candidates = index.of_types(_CONTACT_TYPES)
        elif mention.kinds - {DeviceKind.LOCK}:
            candidates = index.of_kinds(mention.kinds - {DeviceKind.LOCK})
        elif _PRONOUNS.search(clause) or not clause.strip(" 、,"):
            return None, "pronoun"
        else:
            return None, ""
        if mention.areas and len(candidates) > 1:
            candidates = [d for d in candidates if d.area in mention.areas] or candidates
        if len(candidates) == 1:
            return candidates[0], ""
        if not candidates:
            return None, "no_device"
        return None, "ambiguous:" + "、".join(device.name for device in candidates)


def state_value(device: DeviceInfo, state: AbstractState) -> dict[str, str]:
    """The operator and value a RoomSense entity of this device shows for the state.

    Binary sensors (contact, motion, leak) are "on" when open / detecting; covers are
    "open" / "closed"; locks "locked" / "unlocked"; a climate entity shows its HVAC mode,
    so "on" is "not off"; a vacuum "cleaning" / "docked"; everything else "on" / "off".
    """
    if device.device_type in _CONTACT_TYPES | _MOTION_TYPES | _LEAK_TYPES:
        active = state in ("open", "on", "motion", "leak", "unlocked")
        return {"operator": "equals", "value": "on" if active else "off"}
    if device.kind is DeviceKind.LOCK:
        opened = state in ("open", "unlocked", "off")
        return {"operator": "equals", "value": "unlocked" if opened else "locked"}
    if device.kind in (DeviceKind.CURTAIN, DeviceKind.BLIND):
        opened = state in ("open", "on")
        return {"operator": "equals", "value": "open" if opened else "closed"}
    if device.kind is DeviceKind.AIR_CONDITIONER:
        running = state in ("on", "open")
        return {"operator": "not_equals" if running else "equals", "value": "off"}
    if device.kind is DeviceKind.VACUUM:
        running = state in ("on", "open")
        return {"operator": "equals", "value": "cleaning" if running else "docked"}
    running = state in ("on", "open", "unlocked")
    return {"operator": "equals", "value": "on" if running else "off"}


# --- Notifications -------------------------------------------------------------------------

_JA_NOTIFY: Final = re.compile(
    r"(?:[「『\"](?P<message>[^」』\"]+)[」』\"]\s*(?:と|って)\s*)?"
    r"(?:(?:スマホ|携帯|私|わたし|僕|俺|自分)に\s*)?"
    r"(?:プッシュ)?(?:通知|お知らせ|知らせ|連絡|リマインド|アラート|メッセージ|教え)"
    r"(?:を)?(?:送って|出して|して|する|て|てね|てほしい|てください|ください|下さい|くれ|お願い|ね)*"
)
_EN_NOTIFY: Final = re.compile(
    r"\b(?:notify me|notify|send (?:me )?(?:a |an )?(?:push )?(?:notification|alert|message|"
    r"reminder|text)|alert me|warn me|let me know|ping me|text me|message me|tell me"
    r"|give me a (?:heads[- ]up|notification|shout)|remind me(?: to (?P<todo>[^,\x00;]+))?"
    r"|send me a notification)\b(?:\s+(?:saying|that says|with)\s+[\"'](?P<message>[^\"']+)"
    r"[\"'])?"
)


@dataclass(frozen=True, slots=True)
class Notification:
    """A request to be told, with the words to send when the sentence gives them."""

    message: str | None
    span: tuple[int, int]


def find_notifications(masked: Masked, language: Language) -> list[Notification]:
    """Every "通知して" / "notify me" in what is left of the sentence (taken out)."""
    pattern = _JA_NOTIFY if language == "ja" else _EN_NOTIFY
    found: list[Notification] = []
    for match in masked.finditer(pattern):
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
    if language == "ja":
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
    return first in _EN_ACTION_VERBS


_TRIM: Final = " 、,。.!！?？;:" + MASK + "~ー"
_JA_LEADING_PARTICLES: Final = re.compile(r"^(?:は|に|で|を|も|が|の|と|から)(?=\S)")


def _trim(piece: str) -> str:
    piece = piece.strip(_TRIM)
    piece = _JA_LEADING_PARTICLES.sub("", piece).strip(_TRIM)
    return " ".join(piece.split())


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


# Words that make a piece nobody understood a condition: dropping it would change the rule.
CONDITION_WORDS: Final = re.compile(
    r"暑|寒|湿|乾燥|温度|気温|室温|雨|天気|限り|以外|なければ|なかったら|ついて(?:い)?[るた]"
    r"|\b(?:hot|cold|warm|cool|chilly|humid|dry|temperature|humidity|degrees?|unless|except"
    r"|only|rain|raining|rainy|weather|sunny)\b"
)


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
