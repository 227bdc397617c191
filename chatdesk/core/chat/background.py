"""Requests chatdesk makes on its own (summaries, titles): the whole answer as text.

Unlike an answer, nothing is shown while it streams, so any failure can simply be tried again,
even after text has arrived: a cut-off or stalled stream is retried like a rate limit, with
backoff (the provider's `retry_after` when it gives one). All of it goes through the provider's
`stream`, so its request limit counts these requests too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace

from chatdesk.core.i18n import tr
from chatdesk.core.providers.base import (
    ChatRequest,
    ErrorKind,
    Finished,
    Provider,
    ProviderError,
    StreamEvent,
    TextDelta,
    Waiting,
)
from chatdesk.core.retry import Backoff

log = logging.getLogger("chatdesk.chat")

# Nobody watches a title or a summary being written, so its waits start longer than an
# answer's: 1 s, 2 s, 4 s … (4 s at the most within a summary's three retries), spread ±25 %
# so clients cut off together do not return together. A server's Retry-After is waited up to
# a minute; asking for longer, the work fails now and is tried again at its next turn. How
# many retries is the caller's (`complete_text`'s `retries`).
BACKGROUND_BACKOFF = Backoff(first=1.0, factor=2.0, cap=60.0, retries=0, jitter=0.25)
_AGAIN = {ErrorKind.CUT_OFF, ErrorKind.STALLED}


async def complete_text(
    provider: Provider,
    request: ChatRequest,
    *,
    idle_timeout: float,
    retries: int,
) -> str:
    """The provider's whole answer to `request`; raises the last ProviderError when the
    retries are used up or the error is not worth retrying."""
    backoff = replace(BACKGROUND_BACKOFF, retries=retries)
    attempt = 0
    while True:
        try:
            return await _collect(provider, request, idle_timeout)
        except ProviderError as error:
            delay = _retry_delay(error, attempt, backoff)
            if delay is None:
                raise
            attempt += 1
            log.info("background request retried in %.2fs: %s", delay, error.kind.value)
            await asyncio.sleep(delay)


def _retry_delay(error: ProviderError, attempt: int, backoff: Backoff) -> float | None:
    if not (error.retryable or error.kind in _AGAIN):
        return None
    return backoff.retry_in(attempt, asked=error.retry_after)


async def _collect(provider: Provider, request: ChatRequest, idle_timeout: float) -> str:
    stream = provider.stream(request)
    parts: list[str] = []
    finished = False
    grace = 0.0  # an announced wait (the request limit) is not silence
    try:
        while (event := await _next(stream, idle_timeout + grace)) is not None:
            grace = event.seconds if isinstance(event, Waiting) else 0.0
            if isinstance(event, TextDelta):
                parts.append(event.text)
            finished = finished or isinstance(event, Finished)
    finally:
        closer = getattr(stream, "aclose", None)
        if closer is not None:
            await closer()
    if not finished:
        raise ProviderError(
            ErrorKind.CUT_OFF, tr("The connection ended before the answer was complete.")
        )
    return "".join(parts)


async def _next(stream: AsyncIterator[StreamEvent], seconds: float) -> StreamEvent | None:
    try:
        async with asyncio.timeout(seconds):
            return await anext(stream)
    except StopAsyncIteration:
        return None
    except TimeoutError:
        raise ProviderError(
            ErrorKind.STALLED,
            tr("The provider sent nothing for {seconds} seconds.", seconds=f"{seconds:g}"),
        ) from None
