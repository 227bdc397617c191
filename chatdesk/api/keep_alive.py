"""A stream of server-sent events kept alive through a long silence.

An answer can be silent for a while before its first word or between two: a tool server
starting, a call waiting for the user's approval, a slow model thinking. A proxy, or a client
with a read timeout, takes a long silence for a dead connection and drops it. So when nothing
was written for `every` seconds, a comment line goes (`: keep-alive`), which every
server-sent-events reader skips (the OpenAI SDKs among them).

The source is read by a task of its own, so waiting for it can time out without cancelling it
in the middle of an event; the reader's end (the client gone, the stream ended) cancels that
task and closes the source.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

# Under the clients' read timeouts, not only the proxies' idle ones (30–60 s): httpx, which
# many tools call the API with, gives up after 5 s without a byte, and a tool server fetched
# and started on first use is silent for longer. A comment is 15 bytes; every 2 s, one late
# comment still comes within 5 s.
KEEP_ALIVE_SECONDS = 2.0
COMMENT = b": keep-alive\n\n"
AHEAD = 16  # chunks the source may run ahead of the writer
_END = object()


async def kept_alive(
    chunks: AsyncIterable[Any], every: float = KEEP_ALIVE_SECONDS
) -> AsyncIterator[Any]:
    """`chunks` in order, and `COMMENT` whenever none came for `every` seconds; a failure of
    the source is raised where it happened."""
    # The source runs a few chunks ahead of the reader, no more: with room for one only, each
    # chunk would cost two turns of the loop (the reader's get, then the source's put).
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=AHEAD)
    failed: list[BaseException] = []

    async def pump() -> None:
        try:
            async for chunk in chunks:
                await queue.put(chunk)
        except Exception as error:
            failed.append(error)
        finally:
            await queue.put(_END)

    reader = asyncio.create_task(pump())
    try:
        while True:
            try:
                async with asyncio.timeout(every):
                    chunk = await queue.get()
            except TimeoutError:
                yield COMMENT
                continue
            if chunk is _END:
                if failed:
                    raise failed[0]
                return
            yield chunk
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        closing = getattr(chunks, "aclose", None)
        if closing is not None:
            await closing()


def keep_alive_seconds(app: Any) -> float:
    """The app's `state.keep_alive_seconds` (`KEEP_ALIVE_SECONDS` unless it says otherwise)."""
    every: float = getattr(getattr(app, "state", None), "keep_alive_seconds", KEEP_ALIVE_SECONDS)
    return every


class KeptAliveStream(StreamingResponse):
    """Server-sent events with a comment through each silence of `keep_alive_seconds`; with
    `alive`, `content` writes those comments itself (a source read by a task of its own
    already, whose waits can time out without a second task and queue between it and the
    socket)."""

    def __init__(
        self, content: AsyncIterator[bytes], headers: dict[str, str] | None, *, alive: bool = False
    ) -> None:
        super().__init__(content, media_type="text/event-stream", headers=headers)
        self._alive = alive

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._alive:
            self.body_iterator = kept_alive(
                self.body_iterator, keep_alive_seconds(scope.get("app"))
            )
        await _written(self, receive, send)


async def _written(response: StreamingResponse, receive: Receive, send: Send) -> None:
    """The response's head, then its chunks as they come, until they end or the client goes.

    Starlette writes a stream from a task of its own in one of anyio's task groups, beside
    another that waits for the client to go: per request, more than the rest of a first
    token's way through chatdesk. Here the chunks are written by the request's own task, and
    one plain task waits for the client to go and cancels it; the source is closed either way.
    """
    writing = asyncio.current_task()
    assert writing is not None
    gone = False

    async def listen() -> None:
        nonlocal gone
        while (await receive())["type"] != "http.disconnect":
            pass
        gone = True
        writing.cancel()

    listening = asyncio.create_task(listen())
    chunks = response.body_iterator
    try:
        head = response.raw_headers
        await send({"type": "http.response.start", "status": response.status_code, "headers": head})
        async for chunk in chunks:
            body = chunk.encode(response.charset) if isinstance(chunk, str) else chunk
            await send({"type": "http.response.body", "body": body, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        if response.background is not None:
            await response.background()
    except asyncio.CancelledError:
        if not gone or writing.uncancel() > 0:
            raise  # cancelled from elsewhere (the server stopping): cancelled still
    finally:
        listening.cancel()
        closing = getattr(chunks, "aclose", None)  # left at a write, not at a chunk
        if closing is not None:
            await closing()
