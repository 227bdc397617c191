"""A provider's stream, bounded by silence: `within(stream, idle)` gives its events and fails
with `STALLED` once it has sent nothing for `idle` seconds while it was being waited for (an
announced wait, `Waiting`, adds its seconds; the time the reader spends on an event is not
silence).

One timer per silence, not one per event: at a few hundred tokens a second, and many answers at
once, a deadline set and cancelled around every token (`asyncio.timeout`) was the largest cost
of a streamed token on the event loop. Here the timer is set once; when it comes due it looks
whether the stream has been silent that long and, if not, sets itself for the new deadline.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from chatdesk.core.i18n import tr
from chatdesk.core.providers.base import ErrorKind, ProviderError, StreamEvent, Waiting


def stalled(idle: float) -> ProviderError:
    return ProviderError(
        ErrorKind.STALLED,
        tr("The provider sent nothing for {seconds} seconds.", seconds=f"{idle:g}"),
        hint=tr("Retry, or check that the server is still running."),
    )


async def within(stream: AsyncIterator[StreamEvent], idle: float) -> AsyncIterator[StreamEvent]:
    """`stream`'s events until it ends; it is the caller's to close."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    due, waiting, fired = 0.0, False, False
    # Its own note of when the timer is set for: qasync's loop (the window's) gives a handle
    # that does not say.
    timer: asyncio.Handle | None = None
    timer_at = 0.0

    def arm() -> None:
        nonlocal timer, timer_at
        timer, timer_at = loop.call_at(due, look), due

    def look() -> None:
        nonlocal timer, fired
        timer = None
        if not waiting:
            return  # the reader has the event: the next wait sets the timer again
        if loop.time() >= due:
            fired = True
            task.cancel()
        else:
            arm()

    grace = 0.0
    try:
        while True:
            due = loop.time() + idle + grace
            if timer is not None and timer_at > due:  # after a longer announced wait
                timer.cancel()
                timer = None
            if timer is None:
                arm()
            waiting = True
            try:
                event = await anext(stream)
            except StopAsyncIteration:
                return
            except asyncio.CancelledError:
                if fired and task.uncancel() == 0:  # cancelled by the silence alone
                    raise stalled(idle) from None
                raise
            finally:
                waiting = False
            grace = event.seconds if isinstance(event, Waiting) else 0.0
            yield event
    finally:
        if timer is not None:
            timer.cancel()
