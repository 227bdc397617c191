"""A provider's stream bounded by silence: STALLED after `idle` seconds without an event while
it is waited for; the reader's own time and an announced wait are not silence; a Stop is a
Stop, not a stall."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from chatdesk.core.providers.base import ErrorKind, ProviderError, StreamEvent, TextDelta, Waiting
from chatdesk.core.providers.silence import within

IDLE = 0.05


async def _events(*steps: StreamEvent | asyncio.Event) -> AsyncIterator[StreamEvent]:
    for step in steps:
        if isinstance(step, asyncio.Event):
            await step.wait()  # silent until set (forever, when never set)
        else:
            yield step


async def _read(
    stream: AsyncIterator[StreamEvent], pause: float = 0.0, into: list[str] | None = None
) -> list[str]:
    got = [] if into is None else into
    async for event in within(stream, IDLE):
        got.append(getattr(event, "text", type(event).__name__))
        await asyncio.sleep(pause)  # the reader's own time
    return got


@pytest.mark.asyncio
async def test_a_silent_stream_stalls_after_what_it_sent() -> None:
    got: list[str] = []

    async def read() -> None:
        await _read(_events(TextDelta("a"), asyncio.Event()), into=got)

    with pytest.raises(ProviderError) as raised:
        await read()
    assert raised.value.kind is ErrorKind.STALLED
    assert got == ["a"]


@pytest.mark.asyncio
async def test_the_readers_own_time_is_not_silence() -> None:
    events = [TextDelta(str(n)) for n in range(4)]
    assert await _read(_events(*events), pause=IDLE * 3) == ["0", "1", "2", "3"]


@pytest.mark.asyncio
async def test_an_announced_wait_is_not_silence() -> None:
    later = asyncio.Event()
    asyncio.get_running_loop().call_later(IDLE * 4, later.set)
    stream = _events(Waiting(seconds=IDLE * 40, reason="rate limit"), later, TextDelta("b"))
    assert await _read(stream) == ["Waiting", "b"]


@pytest.mark.asyncio
async def test_a_stop_is_a_cancellation_not_a_stall() -> None:
    reading = asyncio.create_task(_read(_events(TextDelta("a"), asyncio.Event())))
    await asyncio.sleep(0)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
