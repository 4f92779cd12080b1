"""The daily request quota (reference §2): 10,000 calls per account per day by default.

The README leaves the reset time open; the simulator starts a new day at 00:00 UTC.
"""

from __future__ import annotations

from .clock import Clock
from .spec import JsonObject

DEFAULT_DAILY_LIMIT = 10_000
OVER_QUOTA_MESSAGE = "Requests reached the daily limit"


class Quota:
    """Counts authenticated API calls of the current UTC day."""

    def __init__(self, clock: Clock, limit: int = DEFAULT_DAILY_LIMIT) -> None:
        self._clock = clock
        self.limit = limit
        self.day = clock.utc_day()
        self._used = 0

    @property
    def used(self) -> int:
        """Calls counted today."""
        self._roll_over()
        return self._used

    @used.setter
    def used(self, value: int) -> None:
        self._roll_over()
        self._used = value

    def try_consume(self) -> bool:
        """Count one call; False (and nothing counted) once today's limit is reached."""
        self._roll_over()
        if self._used >= self.limit:
            return False
        self._used += 1
        return True

    def reset(self) -> None:
        """Start the current day afresh."""
        self.day = self._clock.utc_day()
        self._used = 0

    def snapshot(self) -> JsonObject:
        """`GET /_sim/quota`."""
        used = self.used
        return {
            "used": used,
            "limit": self.limit,
            "remaining": max(0, self.limit - used),
            "day": self.day,
        }

    def _roll_over(self) -> None:
        today = self._clock.utc_day()
        if today != self.day:
            self.day = today
            self._used = 0
