"""The simulator's notion of "now", which tests can move.

The signature freshness window (`t`), the replay memory and the daily quota all read this
clock, so a test can jump five minutes or a day ahead without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime


class Clock:
    """Wall-clock time plus an adjustable offset.

    `now` is the underlying source of epoch seconds (`time.time` by default); inject another
    callable to drive time completely from a test.
    """

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._offset_seconds = 0.0

    def time(self) -> float:
        """Epoch seconds."""
        return self._now() + self._offset_seconds

    def now_ms(self) -> int:
        """Epoch milliseconds, the unit of the API's `t` header and of webhook timestamps."""
        return int(self.time() * 1000)

    def utc_day(self) -> str:
        """The current UTC calendar day as YYYY-MM-DD (the quota's day)."""
        return datetime.fromtimestamp(self.time(), UTC).date().isoformat()

    def advance(self, seconds: float = 0.0, *, days: float = 0.0) -> None:
        """Move the clock forward (negative values move it back)."""
        self._offset_seconds += seconds + days * 86_400

    def set_offset(self, seconds: float) -> None:
        """Set the total shift from the underlying source."""
        self._offset_seconds = seconds

    @property
    def offset_seconds(self) -> float:
        """The current shift from the underlying source."""
        return self._offset_seconds
