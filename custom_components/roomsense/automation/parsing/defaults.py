"""The values a sentence means when it names no exact one (they are the rules' defaults).

朝 / morning 07:00, 昼 / noon 12:00, 夕方 / evening 18:00, 夜 / night 21:00,
寝る前 / bedtime 22:00; a day set without a time runs at 07:00.
暑い / hot: temperature above 28 °C; 寒い / cold: below 18 °C.
ジメジメ / humid: humidity above 60 %; 乾燥 / dry: below 40 %.
夜の間 / overnight: 22:00-06:00; 日中 / during the day: 09:00-17:00.
"""

from __future__ import annotations

from typing import Final, Literal

type Period = Literal["morning", "noon", "evening", "night", "bedtime", "midnight"]

PERIOD_TIMES: Final[dict[Period, tuple[int, int]]] = {
    "morning": (7, 0),
    "noon": (12, 0),
    "evening": (18, 0),
    "night": (21, 0),
    "bedtime": (22, 0),
    "midnight": (0, 0),
}
# 夜の間 / overnight, 日中 / during the day.
NIGHT_WINDOW: Final = ("22:00", "06:00")
DAY_WINDOW: Final = ("09:00", "17:00")
# Windows a bare period means when the sentence also has a condition ("夜にドアが開いたら").
PERIOD_WINDOWS: Final[dict[Period, tuple[str, str]]] = {
    "morning": ("06:00", "10:00"),
    "noon": DAY_WINDOW,
    "evening": ("17:00", "21:00"),
    "night": NIGHT_WINDOW,
}
DEFAULT_TIME: Final = (7, 0)
MAX_INTERVAL_MINUTES: Final = 10_080  # a week, as the schedule schema allows
HOT_ABOVE: Final = 28.0
COLD_BELOW: Final = 18.0
HUMID_ABOVE: Final = 60.0
DRY_BELOW: Final = 40.0
WEEKDAY_SET: Final = ("mon", "tue", "wed", "thu", "fri")
WEEKEND_SET: Final = ("sat", "sun")
