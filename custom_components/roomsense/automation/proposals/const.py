"""The thresholds, settings and hours the rules of thumb go by."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Final


class Category(StrEnum):
    """What a proposal is about; proposals of equal confidence are listed in this order."""

    LIGHTING = "lighting"
    CLIMATE = "climate"
    SECURITY = "security"
    COMFORT = "comfort"
    ENERGY = "energy"


CATEGORIES: Final = tuple(Category)

HOT_ABOVE: Final = 28.0  # °C
COLD_BELOW: Final = 16.0
DRY_BELOW: Final = 40.0  # % relative humidity
HUMID_ABOVE: Final = 70.0
COOL_SETTING: Final = "26,2,1,on"  # setAll: 26 °C, cool, auto fan, on
HEAT_SETTING: Final = "22,5,1,on"  # 22 °C, heat
DRY_SETTING: Final = "25,3,1,on"  # 25 °C, dry
THERMOSTAT_HEAT: Final = "21"
HUMIDIFIER_TARGET: Final = 50
NIGHT_BRIGHTNESS: Final = 10

# Local times (minutes since midnight) that make an event telling.
DARK_HOURS: Final = (17 * 60, 5 * 60)  # evidence of "after dark"; the rule itself uses sun.sun
NIGHT_HOURS: Final = (22 * 60, 6 * 60)
LOCK_NIGHT_HOURS: Final = (21 * 60, 5 * 60)
LOCK_CHECK_TIME: Final = "23:00"
LONG_ON: Final = timedelta(hours=3)
NOBODY_FOR: Final = timedelta(hours=1)
SUN_ENTITY: Final = "sun.sun"
SUN_INTEGRATION: Final = "sun"  # the Home Assistant integration that provides SUN_ENTITY

MIN_QUOTA_FRIENDLY_INTERVAL: Final = 5  # minutes
AC_SETPOINT_RANGE: Final = (16, 30)
# Around a scheduled instant, the minutes two rules are taken to run "at the same time".
SAME_TIME_MARGIN: Final = 10
