"""A running call's progress, as its server reports it, made into `ToolCallProgressed` events:
given from any thread (the tools loop's), published on the chat's loop, and coalesced, so a
server that reports a hundred times a second costs the window a few redraws a second (the
latest report wins; the last one is never lost)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid

from chatdesk.core.chat.events import EventBus, ToolCallProgressed

EVERY = 0.1  # seconds between two events of one call, at least
MAX_MESSAGE = 500  # characters of a progress message kept


class CallProgress:
    """Called as `(progress, total, message)`; made on the loop the events go out on."""

    def __init__(
        self, events: EventBus, thread_id: uuid.UUID, message_id: uuid.UUID, call_id: str
    ) -> None:
        self._events = events
        self._loop = asyncio.get_running_loop()
        self._ids = (message_id, thread_id, call_id)
        self._lock = threading.Lock()
        self._latest: tuple[float, float | None, str] | None = None
        self._scheduled = False
        self._last = 0.0  # when the last event went out (loop's clock)
        self.closed = False

    def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        with self._lock:
            self._latest = (progress, total, (message or "")[:MAX_MESSAGE])
            if self._scheduled or self.closed:
                return
            self._scheduled = True
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody listens any more
            self._loop.call_soon_threadsafe(self._schedule)

    def _schedule(self) -> None:
        wait = self._last + EVERY - self._loop.time()
        if wait > 0:
            self._loop.call_later(wait, self._publish)
        else:
            self._publish()

    def _publish(self) -> None:
        with self._lock:
            latest, self._latest, self._scheduled = self._latest, None, False
        if latest is None or self.closed:
            return
        self._last = self._loop.time()
        self._events.publish(ToolCallProgressed(*self._ids, *latest))

    def close(self) -> None:
        """The call ended: what comes later is not shown."""
        self.closed = True
