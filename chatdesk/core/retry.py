"""How long to wait before trying again: one policy of growing, capped and spread waits.

Only arithmetic: no clock, no sleeping, no asyncio. Each caller waits in its own way (a task's
sleep, which Stop cancels; the sync worker's bell, which a stop or a local change rings; a time
before which a tool server is not started again) and takes the lengths from here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Waits of `first` seconds, then `factor` times the one before, never over `cap`; each
    spread over ±`jitter` of itself, so clients that failed together do not all come back
    together. At most `retries` retries after the first try (None: no end, for work that keeps
    going until it is stopped)."""

    first: float
    factor: float
    cap: float
    retries: int | None
    jitter: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.first <= self.cap:
            raise ValueError(f"a back-off's first wait must be within 0…cap, not {self.first}")
        if self.factor < 1.0:
            raise ValueError(f"a back-off's waits must not shrink (factor {self.factor})")
        if not 0.0 <= self.jitter < 1.0:
            raise ValueError(f"a back-off's jitter is a share below 1, not {self.jitter}")
        if self.retries is not None and self.retries < 0:
            raise ValueError(f"a back-off's retries cannot be negative ({self.retries})")

    def delay(self, retry: int, *, draw: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry number `retry` (0: the first retry), whatever the
        number of retries. `draw` gives the jitter's number in [0, 1); a seeded
        `random.Random(…).random` makes it repeatable."""
        try:
            grown = min(self.first * self.factor**retry, self.cap)
        except OverflowError:  # a worker that has failed for days: long since at the cap
            grown = self.cap
        return grown * (1.0 - self.jitter + 2.0 * self.jitter * draw())

    def retry_in(
        self, retry: int, *, asked: float | None = None, draw: Callable[[], float] = random.random
    ) -> float | None:
        """Seconds to wait before retry number `retry`, or None when no retry is left. `asked`
        is what the server asked for (Retry-After): it knows best, so it is waited as it is,
        not spread, when it is within the cap; asking for longer ends the retries, since the
        one waiting is better told now than kept waiting past the cap."""
        if self.retries is not None and retry >= self.retries:
            return None
        if asked is not None:
            return max(0.0, float(asked)) if asked <= self.cap else None
        return self.delay(retry, draw=draw)


def asked_wait(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds a server asked to wait, from `retry-after-ms` or `retry-after` (seconds or an
    HTTP date, counted from `now`, a Unix time); None when it did not ask. `headers` are
    looked up by lower-case name."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    import email.utils  # ~10 ms at start-up, and only rate-limited users need it

    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now)
