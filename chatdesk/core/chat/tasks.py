"""The chat service's own background work (naming threads, caching token counts): started here,
waited for by `settle`, stopped by `aclose`. A failure is a bug in that work; it is logged with
its traceback and touches nothing else (the conversation is already saved)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("chatdesk.chat")


class BackgroundTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def pending(self) -> list[asyncio.Task[Any]]:
        return list(self._tasks)

    async def aclose(self) -> None:
        """Cancel what is still running and wait for it to end."""
        running = list(self._tasks)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("background task %s failed", task.get_name(), exc_info=error)
