"""Client-side request limits: at most N requests to a provider in any 60-second window.

A burst of regenerations, or background summaries and titles running beside the user's own
messages, would otherwise run into the provider's limit and come back as 429 errors. The
limiter makes the extra requests wait their turn instead, in the order they asked.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable

WINDOW_SECONDS = 60.0


class RateLimiter:
    """A sliding one-minute window; `per_minute` 0 means no limit."""

    def __init__(
        self,
        per_minute: int = 0,
        *,
        clock: Callable[[], float] = time.monotonic,
        window: float = WINDOW_SECONDS,  # shorter only in tests
    ) -> None:
        self._clock = clock
        self._window = window
        self._started: collections.deque[float] = collections.deque()
        self.per_minute = per_minute

    def __repr__(self) -> str:
        return f"RateLimiter(per_minute={self.per_minute})"

    @property
    def per_minute(self) -> int:
        return self._per_minute

    @per_minute.setter
    def per_minute(self, value: int) -> None:
        if value < 0:
            raise ValueError("a rate limit cannot be negative")
        self._per_minute = value

    def wait_time(self) -> float:
        """Seconds until one more request may start (0 if it may start now)."""
        if not self._per_minute:
            return 0.0
        now = self._clock()
        self._forget_before(now - self._window)
        if len(self._started) < self._per_minute:
            return 0.0
        return max(0.0, self._started[-self._per_minute] + self._window - now)

    def record(self) -> None:
        """Count a request that starts now. Checking `wait_time()` and recording with no
        `await` in between is what keeps concurrent callers on one loop within the limit."""
        self._started.append(self._clock())

    def _forget_before(self, moment: float) -> None:
        while self._started and self._started[0] <= moment:
            self._started.popleft()
