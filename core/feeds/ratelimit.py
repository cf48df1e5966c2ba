"""Token buckets, one per source: ``rate`` messages a second sustained, ``burst`` at once.

The clock is injected (a monotonic seconds function), so tests step time instead of
sleeping. Thread-safe: the listener's connections share one limiter.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping


class TokenBucket:
    def __init__(self, rate: float, burst: int, now: float) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate, self.burst = rate, float(burst)
        self.tokens = float(burst)
        self.stamp = now

    def take(self, now: float) -> bool:
        """One message at ``now``: True when a token was there."""
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class RateLimiter:
    """``allow(source)`` for every message of a configured source."""

    def __init__(
        self,
        limits: Mapping[str, tuple[float, int]],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._monotonic = monotonic
        now = monotonic()
        self._buckets = {
            name: TokenBucket(rate, burst, now) for name, (rate, burst) in limits.items()
        }
        self._lock = threading.Lock()

    def allow(self, source: str) -> bool:
        bucket = self._buckets.get(source)
        if bucket is None:
            return False
        with self._lock:
            return bucket.take(self._monotonic())
