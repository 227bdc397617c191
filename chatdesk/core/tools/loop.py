"""The thread the MCP sessions live on: one asyncio loop of its own, started on first use, so
that no server's traffic, start-up or hang ever runs on the window's loop. A coroutine handed
to `run` executes there; cancelling the caller cancels it there (a call cancelled this way is
cancelled at its server too)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

STOP_TIMEOUT = 10.0


class ToolsLoop:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def started(self) -> bool:
        return self._loop is not None

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` on the tools loop and wait for it here."""
        future = asyncio.run_coroutine_threadsafe(work, self._ensure())
        return await asyncio.wrap_future(future)

    def stop(self) -> None:
        """Stop the loop (after its sessions were closed) and wait for its thread."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(STOP_TIMEOUT)

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                # A plain asyncio loop whatever loop policy the app installed (the window's
                # is Qt's, which must not run on another thread).
                loop = asyncio.DefaultEventLoopPolicy().new_event_loop()
                ready = threading.Event()
                thread = threading.Thread(
                    target=_serve, args=(loop, ready), name="chatdesk-tools", daemon=True
                )
                thread.start()
                ready.wait()
                self._loop, self._thread = loop, thread
            return self._loop


def _serve(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
    asyncio.set_event_loop(loop)
    loop.call_soon(ready.set)
    try:
        loop.run_forever()
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
