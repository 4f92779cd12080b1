"""Request rate limits of the edge device endpoints: token buckets in bounded memory.

Each key (a device id, a source address) has a bucket that holds up to `burst` requests
and refills at `rate` per second; a request takes one. Only the `max_keys` keys used last
are remembered: a key forgotten comes back with a full bucket, so the bound costs an
attacker who rotates addresses at most one burst per address, never memory.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from time import monotonic
from typing import Final


class RateLimiter:
    """Token buckets per key, the least recently used forgotten past `max_keys`."""

    def __init__(
        self,
        rate: float,
        burst: int,
        max_keys: int,
        clock: Callable[[], float] = monotonic,
    ) -> None:
        """Allow `burst` requests at once per key, then `rate` per second."""
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self.clock = clock
        # key -> (tokens, when they were counted)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        """The keys remembered now."""
        return len(self._buckets)

    def _tokens(self, key: str) -> float:
        now = self.clock()
        tokens, counted_at = self._buckets.get(key, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - counted_at) * self.rate)

    def _store(self, key: str, tokens: float) -> None:
        self._buckets[key] = (tokens, self.clock())
        self._buckets.move_to_end(key)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)

    def _wait_for_one(self, tokens: float) -> int:
        """Whole seconds until the bucket holds a request again (a `Retry-After`)."""
        return max(1, math.ceil((1 - tokens) / self.rate))

    def retry_after(self, key: str) -> int | None:
        """Seconds to wait when the key has no request left; None when it has. Takes none."""
        tokens = self._tokens(key)
        return None if tokens >= 1 else self._wait_for_one(tokens)

    def give_back(self, key: str) -> None:
        """Return a request taken (it did useful work); the bucket never exceeds its burst."""
        self._store(key, min(float(self.burst), self._tokens(key) + 1))

    def take(self, key: str) -> int | None:
        """Take one request: None when allowed, else the seconds to wait (nothing taken)."""
        tokens = self._tokens(key)
        if tokens < 1:
            return self._wait_for_one(tokens)
        self._store(key, tokens - 1)
        return None


# Per device, once its token is checked: each request takes one, and a request that hands
# over or takes in work (a poll that gets a job, the first result of a dispatched job) gives
# it back. So a device draining a long queue is never slowed, while a runaway loop (`wait=0`
# polls of an empty queue, a result sent again and again) gets 20 at once, then 10 a
# second. A long poll counts once, however long it waits, and is counted as it opens, so
# polls held open at once are counted too.
DEVICE_RATE: Final = 10.0
DEVICE_BURST: Final = 20
# Per source address, for what no device token vouches for: pings and refused requests
# (a wrong token, an unknown device). A device needs a few at boot; a token guesser gets
# 20 tries, then 2 a second, and while its address is out of tries every device request
# from it answers 429 before any token is looked at.
SOURCE_RATE: Final = 2.0
SOURCE_BURST: Final = 20
# Keys (devices, addresses) whose buckets are remembered; the least recently used go.
MAX_RATE_LIMITED_KEYS: Final = 1024


class EdgeRateLimits:
    """The edge endpoints' rate limits, shared by their views."""

    def __init__(self) -> None:
        """Full buckets for every device and address."""
        self.devices = RateLimiter(DEVICE_RATE, DEVICE_BURST, MAX_RATE_LIMITED_KEYS)
        self.sources = RateLimiter(SOURCE_RATE, SOURCE_BURST, MAX_RATE_LIMITED_KEYS)
