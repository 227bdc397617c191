"""Rendering in a child process, so a slow input can be stopped.

Pygments lexers and regex-heavy parsing have inputs that take seconds or loop (CVE-2021-20270),
and they hold the GIL while they do: a thread cannot be interrupted and would stall the GUI
thread too. A process can be killed. The child (its loop: `child.py`) is started and supervised
by `chatdesk/core/trust/children.py` and never imports Qt.

Protocol: the child sends ("ready",) once its imports are done, then answers each (number,
"render", text, options) with (number, Rendered, math_loaded), and (number, "math", None, None)
— load the math library — with (number, None, True), or (number, None, False) when it is not
installed (the `formulas` extra, decision 0075): formulas are then shown as their source, and
the render says so (`Rendered.formulas_missing`) until the extra is installed. Blocking pipe
reads run on one helper thread, so the asyncio loop never waits; numbering lets an answer to a
cancelled request be skipped instead of being taken for the next one.

Every message has the same time bound, and the whole of it — a child killed for overrunning
and the plain-text answer included — fits inside. The math library's first load (matplotlib,
seconds, longer while it builds its font cache) has a bound of its own: it is asked for apart,
before the first message that may hold a formula, so no message's content can stretch it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor

from chatdesk.core.extras import FORMULAS
from chatdesk.core.i18n import mark, tr
from chatdesk.core.render.child import FAILED, serve
from chatdesk.core.render.limits import MAX_CHARS, too_long
from chatdesk.core.render.model import Rendered, RenderOptions
from chatdesk.core.render.plain import render_plain
from chatdesk.core.trust.children import Child, ChildFailed

log = logging.getLogger("chatdesk.render")

READY_TIMEOUT = 30.0  # starting the interpreter and importing; generous for a loaded machine
FIRST_MATH_TIMEOUT = 30.0  # matplotlib's first import may build its font cache (once per user)
MATH_RETRY_AFTER = 300.0  # seconds before loading the math library again after it failed
IDLE_STOP = 300.0  # seconds without a render before the child is stopped (started again on need)
# The same, once the child holds the math library (~35 MB more): a formula after it waits ~0.2 s
# for the library to load again, so it is not kept for a window that only shows what it drew.
MATH_IDLE_STOP = 60.0
KILL_RESERVE = 0.1  # of a message's bound: for killing an overrunning child and answering plain
TOO_SLOW = mark("took too long to format")


class RenderWorker:
    """`await worker.render(text, options)` renders in a child process within `timeout`
    seconds; past it, or if the child dies, the child is killed (restarted on the next call)
    and the text comes back as plain text. Calls are served one at a time, in order.

    The child is started by the first render (or `start()`), and stopped after `idle_stop`
    seconds without one (17 MB), or `math_idle_stop` once it has loaded the math library (52
    MB): a window showing formatting it kept (chatdesk/core/render/kept.py), or a thread the
    user is reading, has no use for either."""

    def __init__(
        self,
        timeout: float = 2.0,
        idle_stop: float = IDLE_STOP,
        math_idle_stop: float = MATH_IDLE_STOP,
    ) -> None:
        self.timeout = timeout
        self._idle_stop = idle_stop
        self._math_idle_stop = math_idle_stop
        self._idle: asyncio.TimerHandle | None = None
        self._child: Child | None = None
        self._next_number = 0
        self._math_loaded = False
        self._math_retry_at = 0.0  # loading the math library failed: not again before this
        self._math_missing = False  # this child found no math library (asked again by the next)
        self._fresh_child = False  # an extra was installed: the next render starts a new child
        self._reaping: Future[None] | None = None  # a killed child being waited for
        self._lock = asyncio.Lock()
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatdesk-render")
        self._closed = False

    @property
    def pid(self) -> int | None:
        """The child's process id, while one runs."""
        return self._child.pid if self._child else None

    def start(self) -> None:
        """Start the child now, so the first render does not wait for its imports."""
        if self._closed:
            raise RuntimeError("the render worker is closed")
        if self._child is None:
            self._child = Child("chatdesk-render", serve, ready_timeout=READY_TIMEOUT)

    async def render(
        self,
        text: str,
        options: RenderOptions = RenderOptions(),  # noqa: B008
        *,
        bound: float | None = None,
    ) -> Rendered:
        """`text` rendered within `bound` seconds (the worker's `timeout` unless given)."""
        if len(text) > MAX_CHARS:  # refused anyway: no need to ship megabytes to the child
            return render_plain(text, too_long(text), options.palette, options.reading.line_height)
        async with self._lock:
            if self._idle is not None:
                self._idle.cancel()
            try:
                return await self._render_in_child(text, options, bound or self.timeout)
            finally:
                loop = asyncio.get_running_loop()
                idle = self._math_idle_stop if self._math_loaded else self._idle_stop
                self._idle = loop.call_later(idle, self._stop_idle_child, idle)

    def _stop_idle_child(self, idle: float) -> None:
        self._idle = None
        if not self._lock.locked() and self._child is not None:
            log.info("render child stopped after %.0f s without a message", idle)
            self._discard_child_later()

    async def _render_in_child(self, text: str, options: RenderOptions, limit: float) -> Rendered:
        loop = asyncio.get_running_loop()
        try:
            child = await self._live_child()
            await loop.run_in_executor(self._reader, child.wait_ready)
            if not self._math_loaded and not self._math_missing and _may_hold_math(text):
                child = await self._load_math(child)
            self._next_number += 1
            drawn = dataclasses.replace(options, draw_math=self._math_loaded)
            request = (self._next_number, "render", text, _picklable(drawn))
            bound = limit - min(KILL_RESERVE, limit / 4)
            answer = await loop.run_in_executor(self._reader, child.ask, request, bound)
        except ChildFailed as failure:
            log.warning("render child stopped: %s (%d characters)", failure.reason, len(text))
            self._discard_child_later()
            reason = tr(TOO_SLOW) if failure.timed_out else tr(FAILED)
            return render_plain(text, reason, options.palette, options.reading.line_height)
        rendered: Rendered = answer[0]
        self._math_loaded = bool(answer[1])
        if rendered.formulas_missing and not self._math_missing:  # not loaded yet, or failed
            rendered = dataclasses.replace(rendered, formulas_missing=False)
        if not drawn.draw_math and _may_hold_math(text):
            return dataclasses.replace(rendered, complete=False)
        return rendered

    async def _load_math(self, child: Child) -> Child:
        """Load the math library in the child, under its own bound; the child to render with
        (a new one when the load failed: then formulas show as source for a while)."""
        if time.monotonic() < self._math_retry_at:
            return child
        self._next_number += 1
        request = (self._next_number, "math", None, None)
        loop = asyncio.get_running_loop()
        try:
            answer = await loop.run_in_executor(
                self._reader, child.ask, request, FIRST_MATH_TIMEOUT
            )
        except ChildFailed as failure:
            log.warning("the math library did not load: %s", failure.reason)
            self._math_retry_at = time.monotonic() + MATH_RETRY_AFTER
            await self._discard_child()
            return await self._live_child()
        self._math_loaded = bool(answer[1])
        self._math_missing = not self._math_loaded
        return child

    def extra_installed(self, name: str) -> None:
        """An extra was installed while chatdesk runs: for formulas, the next render starts a
        fresh child, whose import path sees the new package."""
        if name == FORMULAS:
            self._fresh_child = True
            self._math_retry_at = 0.0

    async def _live_child(self) -> Child:
        if self._fresh_child:
            self._fresh_child = False
            await self._discard_child()
        if self._child is not None and not self._child.is_alive():
            await self._discard_child()  # died between calls: start a fresh one quietly
        self.start()
        assert self._child is not None
        return self._child

    async def _discard_child(self) -> None:
        self._discard_child_later()
        if self._reaping is not None:
            await asyncio.wrap_future(self._reaping)

    def _discard_child_later(self) -> None:
        """Kill the child now and reap it on the helper thread, without waiting: the answer
        for the message that overran does not wait for the process to be gone."""
        child, self._child = self._child, None
        self._math_loaded = self._math_missing = False
        if child is not None:
            child.kill()  # wakes a read still waiting on the helper thread
            self._reaping = self._reader.submit(child.stop)

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._idle is not None:
            self._idle.cancel()
        await self._discard_child()
        self._reader.shutdown(wait=True)


def _may_hold_math(text: str) -> bool:
    """Whether `text` has a math delimiter (chatdesk/core/render/mathsyntax.py) anywhere."""
    return "$" in text or "\\(" in text or "\\[" in text


def _picklable(options: RenderOptions) -> RenderOptions:
    return dataclasses.replace(options, remote_image_data=dict(options.remote_image_data))
