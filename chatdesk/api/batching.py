"""A stream's events in batches, so that a fast model costs the event loop one write per batch,
not one per token: the first event as soon as it comes (the first token is never held), then
what came meanwhile at most once per `every` seconds — the pace the window draws an answer at.

The source is read by a task of its own, so nothing it sends waits for the batch to be written;
closing the batches (the client left) cancels that task, which closes the source at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

EVERY = 0.04  # seconds between two batches: the pace the window draws at (core/chat/answering.py)


async def batched(
    events: AsyncIterator[T],
    every: float = EVERY,
    *,
    taken: Sequence[T] = (),
    shown: Callable[[list[T]], bool] = bool,
    idle: float | None = None,
) -> AsyncIterator[list[T]]:
    """Lists of `events`, in order, after those already `taken` from them; a failure of the
    source is raised after what came before it. Only a batch the client is `shown` anything
    of is followed by a pause: the first word after a stream's opening (its acceptance, a
    wait) is written as soon as it comes, not a batch later. With `idle`, an empty list
    whenever nothing came for that many seconds (a stream's keep-alive)."""
    buffer: list[T] = list(taken)
    arrived = asyncio.Event()
    if buffer:
        arrived.set()
    ended: list[Exception | None] = []

    async def pump() -> None:
        try:
            async for event in events:
                buffer.append(event)
                if not arrived.is_set():  # the first of a batch: the reader takes it now,
                    arrived.set()  # not after the burst it came in (a source that yields
                    await asyncio.sleep(0)  # the loop only now and then, as the mock)
        except Exception as error:  # the source's own failure: raised to the reader, in order
            ended.append(error)
        else:
            ended.append(None)
        finally:
            arrived.set()
            closing = getattr(events, "aclose", None)  # cancelled between two of its events
            if closing is not None:
                await closing()

    reader = asyncio.create_task(pump())
    try:
        while True:
            if not await _arrival(arrived, idle):
                yield []
                continue
            arrived.clear()
            batch = buffer[:]
            buffer.clear()
            if batch:
                yield batch
            if ended and not buffer:
                if ended[0] is not None:
                    raise ended[0]
                return
            if shown(batch):
                await asyncio.sleep(every)
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader


async def _arrival(arrived: asyncio.Event, idle: float | None) -> bool:
    """Whether `arrived` was set within `idle` seconds (waited for as long as it takes without
    `idle`, or when it is set already)."""
    if idle is None or arrived.is_set():
        await arrived.wait()
        return True
    try:
        async with asyncio.timeout(idle):
            await arrived.wait()
    except TimeoutError:
        return False
    return True
