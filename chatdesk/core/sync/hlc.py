"""Hybrid logical clocks: timestamps that order edits across machines whose clocks disagree.

An HLC is text, `'%013d.%06d.%s' % (unix_ms, counter, node)`, so comparing two of them as
strings compares (time, counter, node). Every local write takes a value above the wall clock,
above anything this machine wrote before and above anything it has seen from others, so an edit
made after seeing another always wins, even on a machine whose clock is behind. The node is a
fresh random id per launch: two values can never be equal, even after a database is restored
from a backup and edits again (decision 0018).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

NEVER = ""  # the HLC of a value nobody wrote: loses to every real one
_MAX_COUNTER = 999_999


def make(ms: int, counter: int, node: str) -> str:
    return f"{ms:013d}.{counter:06d}.{node}"


def parse(value: str) -> tuple[int, int, str]:
    """(ms, counter, node) of an HLC; ValueError when it is not one."""
    ms, counter, node = value.split(".")
    if len(ms) != 13 or len(counter) != 6 or len(node) != 32:
        raise ValueError(f"not an HLC: {value!r}")
    return int(ms), int(counter), node


class Clock:
    """The HLC source of one running chatdesk (thread-safe)."""

    def __init__(self, node: str | None = None, wall_ms: Callable[[], int] | None = None) -> None:
        self.node = node or uuid.uuid4().hex
        self._wall_ms = wall_ms or (lambda: time.time_ns() // 1_000_000)
        self._lock = threading.Lock()
        self._ms = 0
        self._counter = 0

    def now(self) -> str:
        """A new HLC, greater than every one this clock has made or seen."""
        with self._lock:
            wall = self._wall_ms()
            if wall > self._ms:
                self._ms, self._counter = wall, 0
            else:
                self._counter += 1
                if self._counter > _MAX_COUNTER:  # a million edits in one millisecond
                    self._ms, self._counter = self._ms + 1, 0
            return make(self._ms, self._counter, self.node)

    def observe(self, value: str) -> None:
        """Take note of an HLC from elsewhere (a pulled row, or one stored before this launch)."""
        if not value:
            return
        ms, counter, _ = parse(value)
        with self._lock:
            if (ms, counter) > (self._ms, self._counter):
                self._ms, self._counter = ms, counter
