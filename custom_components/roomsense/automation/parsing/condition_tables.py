"""The words and patterns of conditions ("if it gets hot", "湿度が60%を超えたら"), by language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from ... import catalog
from ...catalog import Family
from ...home_model import Language
from .defaults import COLD_BELOW, DRY_BELOW, HOT_ABOVE, HUMID_ABOVE

DOOR_WORDS: Final = ("ドア", "扉", "窓", "開閉センサー", "door", "doors", "window", "windows")
CONTACT_TYPES: Final = catalog.types_with(Family.CONTACT_SENSOR)
MOTION_TYPES: Final = catalog.types_with(Family.MOTION_SENSOR, Family.PRESENCE_SENSOR)
LEAK_TYPES: Final = catalog.types_with(Family.WATER_DETECTOR)

# A Japanese condition clause ends in a conditional form: 〜たら, 〜なら, 〜れば, 〜時は, ….
JA_CLAUSE: Final = re.compile(
    r"[^\x00、,。]*?(?:たら|だら|なら(?:ば)?(?![しせす])|れば|ければ|場合(?:は|に)?"
    r"|(?<![\d何])(?:時|とき)(?:は|に)|(?:以上|以下|未満|より上|より下)(?:で|の時|のとき)"
    r"|[くるうすつむ]と(?=[、,\s]))(?:、|,)?"
)
# "once" only as "once the door opens", not "run it once".
EN_CLAUSE_START: Final = re.compile(
    r"\b(?:if|when|whenever|as soon as|in case|while"
    r"|once(?=\s+(?:the|it|it's|its|someone|somebody|there|a|an|my|motion|humidity)\b))\b"
)
# Words that end an English condition clause when one starts a new request.
EN_ACTION_VERBS: Final = frozenset(
    {
        "turn", "switch", "open", "close", "shut", "start", "stop", "run", "set", "notify",
        "send", "let", "remind", "alert", "warn", "ping", "tell", "text", "lock", "unlock",
        "activate", "put", "dim", "brighten", "raise", "lower", "draw", "pull", "clean",
        "vacuum", "press", "push", "mute", "pause", "make", "give", "heat", "cool", "boil",
        "trigger", "play", "message", "email",
    }
)  # fmt: skip
# A verb after these is part of the condition ("is open", "the vacuum", "front door lock").
EN_NOT_A_START: Final = frozenset(
    {
        "is", "are", "be", "been", "was", "were", "gets", "get", "got", "goes", "stays",
        "stay", "it", "the", "a", "an", "my", "'s", "left", "still", "remains", "keeps",
        "becomes", "turns", "its", "being", "not", "isn't", "aren't", "front", "door",
    }
)  # fmt: skip


# A number as said, maybe negative, maybe with decimals.
_NUMBER: Final = r"-?\d+(?:\.\d+)?"
_JA_NUMBER_COMPARE: Final = re.compile(
    rf"(?P<n>{_NUMBER})\s*(?P<unit>度|°c|°|%|パーセント)?\s*"
    r"(?P<op>以上|を?超え|を?こえ|を?上回|より(?:も)?(?:高|上|大き)|以下|未満|を?下回|より(?:も)?"
    r"(?:低|下|小さ)|を?切|まで下が|まで上が|に(?:なったら|なると|なれば|達した))"
)
_JA_BETWEEN: Final = re.compile(
    rf"(?P<a>{_NUMBER})\s*(?:度|%|パーセント)?\s*(?:から|~|-|と)\s*(?P<b>{_NUMBER})"
    r"\s*(?P<unit>度|%|パーセント)\s*(?:の間|のあいだ|まで|の範囲|以内)"
)
_EN_NUMBER_COMPARE: Final = re.compile(
    r"(?P<op>above|over|more than|higher than|greater than|exceeds?|exceeding|hotter than"
    r"|warmer than|at least|reaches|hits|beyond|past|below|under|less than|lower than"
    rf"|colder than|cooler than|at most|beneath|drops? to|falls? to)\s+(?P<n>{_NUMBER})"
    r"\s*(?P<unit>°c|°f|°|degrees?(?:\s+(?:c|celsius))?|celsius|c\b|%|percent|per cent)?"
)
_EN_BETWEEN: Final = re.compile(
    rf"\bbetween\s+(?P<a>{_NUMBER})\s*(?:°c|°|degrees?|%|percent)?\s*(?:and|-)\s*"
    rf"(?P<b>{_NUMBER})\s*(?P<unit>°c|°|degrees?(?:\s+celsius)?|celsius|%|percent)?"
)
BELOW_WORDS: Final = (
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
TEMPERATURE_WORDS: Final = re.compile(
    r"温度|室温|気温|temperature|temp\b|hot|warm|cold|cool|degrees|°"
)
HUMIDITY_WORDS: Final = re.compile(r"湿度|湿気|humidity|humid|%|percent")

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
PRONOUNS: Final = re.compile(r"\b(?:it|they|it's|they're|its|that|them)\b|それ|これ")
LOCK_WORDS: Final = ("鍵", "カギ", "かぎ", "ロック", "施錠", "lock", "locks", "deadbolt")

# Words that make a piece nobody understood a condition: dropping it would change the rule.
CONDITION_WORDS: Final = re.compile(
    r"暑|寒|湿|乾燥|温度|気温|室温|雨|天気|限り|以外|なければ|なかったら|ついて(?:い)?[るた]"
    r"|\b(?:hot|cold|warm|cool|chilly|humid|dry|temperature|humidity|degrees?|unless|except"
    r"|only|rain|raining|rainy|weather|sunny)\b"
)


@dataclass(frozen=True, slots=True)
class ConditionTable:
    """What the condition reader needs to know of one language."""

    # "between 20 and 25 degrees": groups a, b, unit.
    between: re.Pattern[str]
    # "above 28 degrees": groups op, n, unit.
    compare: re.Pattern[str]
    # (measure, operator, value, pattern) of words without a number: "hot", "ジメジメ".
    qualitative: tuple[tuple[str, str, float, re.Pattern[str]], ...]
    states: tuple[tuple[re.Pattern[str], AbstractState], ...]


def _qualitative(
    hot: re.Pattern[str], cold: re.Pattern[str], humid: re.Pattern[str], dry: re.Pattern[str]
) -> tuple[tuple[str, str, float, re.Pattern[str]], ...]:
    """The words without a number, with the defaults they mean."""
    return (
        ("temperature", "above", HOT_ABOVE, hot),
        ("temperature", "below", COLD_BELOW, cold),
        ("humidity", "above", HUMID_ABOVE, humid),
        ("humidity", "below", DRY_BELOW, dry),
    )


CONDITION_TABLES: Final[dict[Language, ConditionTable]] = {
    "ja": ConditionTable(
        _JA_BETWEEN,
        _JA_NUMBER_COMPARE,
        _qualitative(_JA_HOT, _JA_COLD, _JA_HUMID, _JA_DRY),
        _JA_STATES,
    ),
    "en": ConditionTable(
        _EN_BETWEEN,
        _EN_NUMBER_COMPARE,
        _qualitative(_EN_HOT, _EN_COLD, _EN_HUMID, _EN_DRY),
        _EN_STATES,
    ),
}
