"""Following an answer as it is written, from the core's events: what the API's streams (SSE
for `/v1/chat/completions` and `/api/v1/…/messages`, the WebSocket's frames) are made of.

A `Follower` subscribes to the service's events *before* the request that starts the answer, so
nothing published between the answer's row being written and the caller knowing its id is
missed; then `answer(message_id)` yields that answer's events until it has finished. An answer
never depends on its follower: a follower that stops (its client went away) only unsubscribes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

from chatdesk.core.chat.events import EventBus, MessageFinished


class Follower:
    """`with Follower(service.events) as follower: turn = await service.send(...);
    async for event in follower.answer(turn.answer.id): ...`"""

    def __init__(self, events: EventBus) -> None:
        self._events = events
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._unsubscribe: Any = None

    def __enter__(self) -> Follower:
        self._unsubscribe = self._events.subscribe(self._queue.put_nowait)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    async def answer(self, message_id: uuid.UUID) -> AsyncIterator[Any]:
        """The events about this message, in order, ending with its `MessageFinished`."""
        while True:
            event = await self._queue.get()
            if getattr(event, "message_id", None) == message_id:
                yield event
            elif _message_of(event) == message_id:
                yield event
                if isinstance(event, MessageFinished):
                    return


def _message_of(event: Any) -> uuid.UUID | None:
    message = getattr(event, "message", None)
    return getattr(message, "id", None)
