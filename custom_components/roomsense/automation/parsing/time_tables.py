"""The words and patterns of times, one table per language, for the one time reader (`times`).

A table holds what differs between languages: the patterns (with the named groups the
reader looks for), the words for units, halves of the day, dates, days and periods, and the
few English-only habits (a bare number is no time; "from 10 to 6 am" starts in the evening).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from ...home_model import Language
from .defaults import Period

type Half = Literal["am", "pm"]


@dataclass(frozen=True, slots=True)
class TimeTable:
    """What the time reader needs to know of one language."""

    # "in 10 minutes" / "10分後": groups n, unit, extra (and a half), or fixed amounts.
    relative: re.Pattern[str]
    relative_fixed: dict[str, int]
    # "every 10 minutes" / "10分ごと": the same groups.
    interval: re.Pattern[str]
    interval_fixed: dict[str, int]
    hour_units: frozenset[str]
    # "between 22:00 and 6:00" (clocks a and b), "after 23:00" (clock a, group side).
    range: re.Pattern[str]
    after_before: re.Pattern[str]
    before_words: frozenset[str]
    # Groups night / day; what may follow and is taken with them.
    named_windows: re.Pattern[str]
    named_window_tail: re.Pattern[str] | None
    # Group word: days from today, and the period a date word also names ("tonight").
    date: re.Pattern[str]
    date_offsets: dict[str, int]
    date_periods: dict[str, Period]
    # Groups daily / weekdays / weekend / list; `day_word` finds each day of a list.
    days: re.Pattern[str]
    days_tail: re.Pattern[str] | None
    day_word: re.Pattern[str]
    day_names: dict[str, str]
    # A clock on its own (groups h, m, … of the clock, p a period before it).
    clock_alone: re.Pattern[str]
    daily_period_words: frozenset[str]
    # English: a bare number is a time only with "at", a colon, am / pm or a part of day.
    needs_marker: bool
    set_point_before: re.Pattern[str] | None
    part_of_day: dict[str, Period]
    # A period on its own ("朝", "every morning"): groups p (or p2) and every.
    period_alone: re.Pattern[str]
    every_prefixes: tuple[str, ...]
    period_phrase_group: str | int
    # The words a clock's period or half-of-day marker may be.
    period_words: dict[str, Period]
    half_words: dict[str, Half]
    # "from 10 to 6 am": without its own half the first hour is the evening before.
    evening_before_morning_end: bool


_EN_NUMBER: Final = (
    r"(?:\d+|forty-five|an|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|fifteen|twenty|thirty|forty|fifty|sixty|ninety)"
)
_EN_HOUR: Final = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
# After a number: what makes it a measurement, not a time of day.
_UNIT_AHEAD: Final = r"(?!\s*(?:°|degrees?|%|percent|per cent|celsius|c\b|minutes?|mins?|hours?))"


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

# An amount of time ("10分", "1時間半"), after which or every which: groups n, unit, extra.
_JA_AMOUNT: Final = r"(?P<n>\d+)\s*(?P<unit>分|時間)(?P<extra>半)?"
_JA_RELATIVE: Final = re.compile(_JA_AMOUNT + r"\s*(?:後|たったら|経ったら|したら)" + _JA_TIME_TAIL)
_JA_INTERVAL: Final = re.compile(
    rf"(?:{_JA_AMOUNT}\s*(?:ごと|毎|おき|置き|に\s*1\s*回|に一回)|(?P<hourly>毎時|1時間ごと))"
    + _JA_TIME_TAIL
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


# An amount of time ("10 minutes", "two hours"), in which or every which: groups n, unit.
_EN_AMOUNT: Final = rf"(?P<n>{_EN_NUMBER})\s+(?P<unit>minutes?|mins?|hours?|hrs?)"
_EN_RELATIVE: Final = re.compile(
    rf"\bin\s+(?:{_EN_AMOUNT}(?P<extra>\s+and\s+a\s+half)?|(?P<half>half\s+an?\s+hour)"
    r"|(?P<quarter>a\s+quarter\s+of\s+an\s+hour))\b(?:\s+from\s+now)?"
)
_EN_INTERVAL: Final = re.compile(
    rf"\b(?:every|each)\s+(?:{_EN_AMOUNT}|(?P<hour>hour)|(?P<half>half\s+(?:an\s+)?hour)"
    r"|(?P<other>other\s+hour))\b|\b(?P<hourly>hourly)\b"
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
_EN_DAY_STEM: Final = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tues|thurs)"
_EN_DAY: Final = _EN_DAY_STEM + "s?"
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


_EN_PART_OF_DAY: Final[dict[str, Period]] = {
    "in the morning": "morning",
    "in the afternoon": "evening",
    "in the evening": "evening",
    "at night": "night",
    "tonight": "night",
}
# "heat at 21" is a set point, not a time.
_SET_POINT_BEFORE: Final = re.compile(
    r"\b(?:heat|heating|cool|cooling|dry|warm|set(?:\s+it)?(?:\s+to)?|to)\s*$", re.IGNORECASE
)
_WINDOW_TAIL: Final = re.compile(r"(?:に|は|で|、|,)*")

JA_TIMES: Final = TimeTable(
    relative=_JA_RELATIVE,
    relative_fixed={},
    interval=_JA_INTERVAL,
    interval_fixed={"hourly": 60},
    hour_units=frozenset({"時間"}),
    range=_JA_RANGE,
    after_before=_JA_AFTER_BEFORE,
    before_words=frozenset({"より前", "以前"}),
    named_windows=_JA_NAMED_WINDOWS,
    named_window_tail=_WINDOW_TAIL,
    date=_JA_DATE,
    date_offsets={"明後日": 2, "あさって": 2, "明日": 1, "あした": 1, "あす": 1},
    date_periods={"今夜": "night", "今晩": "night"},
    days=_JA_DAYS,
    days_tail=_JA_DAYS_TAIL,
    # "月曜日" and "月曜" are "月": the 日 of 曜日 is no Sunday.
    day_word=re.compile(r"([月火水木金土日])(?:曜日?)?"),
    day_names=_JA_DAY_CHARS,
    clock_alone=_JA_CLOCK_ALONE,
    daily_period_words=frozenset({"毎朝", "毎晩", "毎夜", "毎夕"}),
    needs_marker=False,
    set_point_before=None,
    part_of_day={},
    period_alone=_JA_PERIOD_ALONE,
    every_prefixes=("毎",),
    period_phrase_group="p",
    period_words=_JA_PERIOD_WORDS,
    half_words={"午前": "am", "午後": "pm"},
    evening_before_morning_end=False,
)
EN_TIMES: Final = TimeTable(
    relative=_EN_RELATIVE,
    relative_fixed={"half": 30, "quarter": 15},
    interval=_EN_INTERVAL,
    interval_fixed={"hour": 60, "hourly": 60, "half": 30, "other": 120},
    hour_units=frozenset({"hour", "hours", "hr", "hrs"}),
    range=_EN_RANGE,
    after_before=_EN_AFTER_BEFORE,
    before_words=frozenset({"before"}),
    named_windows=_EN_NAMED_WINDOWS,
    named_window_tail=None,
    date=_EN_DATE,
    date_offsets={"the day after tomorrow": 2, "tomorrow": 1},
    date_periods={"tonight": "night", "this evening": "evening", "this morning": "morning"},
    days=_EN_DAYS,
    days_tail=None,
    day_word=re.compile(f"({_EN_DAY_STEM})s?"),
    day_names=_EN_DAY_NAMES,
    clock_alone=_EN_CLOCK_ALONE,
    daily_period_words=frozenset(),
    needs_marker=True,
    set_point_before=_SET_POINT_BEFORE,
    part_of_day=_EN_PART_OF_DAY,
    period_alone=_EN_PERIOD,
    every_prefixes=(),
    period_phrase_group=0,
    period_words=_EN_PERIOD_WORDS,
    half_words={"am": "am", "pm": "pm"},
    evening_before_morning_end=True,
)
TIME_TABLES: Final[dict[Language, TimeTable]] = {"ja": JA_TIMES, "en": EN_TIMES}
