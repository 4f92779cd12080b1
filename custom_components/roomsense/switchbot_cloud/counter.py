"""Per-account counter of SwitchBot Cloud API calls against the daily quota."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

DEFAULT_DAILY_LIMIT = 10_000


def _utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass
class CallCounter:
    """Counts the calls that reached the cloud today (UTC days; the reset time is undocumented).

    The cloud's own count is authoritative: when it answers that the daily limit is reached,
    `mark_exhausted` makes `remaining` zero for the rest of the day.
    """

    daily_limit: int = DEFAULT_DAILY_LIMIT
    today: Callable[[], date] = field(default=_utc_today, repr=False)
    day: date = field(init=False)
    total: int = field(init=False, default=0)
    _exhausted: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        """Start on the current day."""
        self.day = self.today()

    def _roll_over(self) -> None:
        current = self.today()
        if current != self.day:
            self.day = current
            self.total = 0
            self._exhausted = False

    def record(self) -> None:
        """Count one call that reached the cloud."""
        self._roll_over()
        self.total += 1

    def mark_exhausted(self) -> None:
        """The cloud said the daily limit is reached."""
        self._roll_over()
        self._exhausted = True

    @property
    def calls_today(self) -> int:
        """Calls made since the start of the current day."""
        self._roll_over()
        return self.total

    @property
    def remaining(self) -> int:
        """Calls left today."""
        self._roll_over()
        if self._exhausted:
            return 0
        return max(self.daily_limit - self.total, 0)

    def restore(self, day: date, total: int) -> None:
        """Continue a count saved earlier (ignored when it belongs to another day)."""
        if day == self.today():
            self.day = day
            self.total = max(total, 0)

    def as_dict(self) -> dict[str, int | str]:
        """A snapshot for storage and diagnostics."""
        return {
            "day": self.day.isoformat(),
            "calls_today": self.calls_today,
            "remaining": self.remaining,
            "daily_limit": self.daily_limit,
        }
