"""Rendering in a child process, so a slow input can be stopped.

Pygments lexers and regex-heavy parsing have inputs that take seconds or loop (CVE-2021-20270),
and they hold the GIL while they do: a thread cannot be interrupted and would stall the GUI
thread too. A process can be killed. The child is started with "spawn" (a fresh interpreter:
forking a process that runs Qt threads is unsafe) and never imports Qt.

Protocol over one Pipe: the child sends ("ready",) once its imports are done, then answers each
(number, text, options) with (number, Rendered, math_loaded). Blocking pipe reads run on one
helper thread, so the asyncio loop never waits; numbering lets an answer to a cancelled
request be skipped instead of being taken for the next one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import logging
import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any

from chatdesk.core.render.limits import MAX_CHARS, too_long
from chatdesk.core.render.model import Rendered, RenderOptions
from chatdesk.core.render.plain import render_plain

log = logging.getLogger("chatdesk.render")

READY_TIMEOUT = 30.0  # starting the interpreter and importing; generous for a loaded machine
FIRST_MATH_TIMEOUT = 30.0  # matplotlib's first import may build its font cache (once per user)
TOO_SLOW = "took too long to format"
FAILED = "could not be formatted"


class _ChildFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RenderWorker:
    """`await worker.render(text, options)` renders in a child process within `timeout`
    seconds; past it, or if the child dies, the child is killed (restarted on the next call)
    and the text comes back as plain text. Calls are served one at a time, in order."""

    def __init__(self, timeout: float = 2.0) -> None:
        self.timeout = timeout
        self._context: SpawnContext = multiprocessing.get_context("spawn")
        self._child: _Child | None = None
        self._next_number = 0
        self._math_loaded = False
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
            self._child = _Child(self._context)

    async def render(self, text: str, options: RenderOptions = RenderOptions()) -> Rendered:  # noqa: B008
        if len(text) > MAX_CHARS:  # refused anyway: no need to ship megabytes to the child
            return render_plain(text, too_long(text))
        async with self._lock:
            return await self._render_in_child(text, options)

    async def _render_in_child(self, text: str, options: RenderOptions) -> Rendered:
        child = await self._live_child()
        self._next_number += 1
        request = (self._next_number, text, _picklable(options))
        timeout = self._timeout_for(text)
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._reader, child.wait_ready)
            rendered, self._math_loaded = await loop.run_in_executor(
                self._reader, child.ask, request, timeout
            )
        except _ChildFailed as failure:
            log.warning("render child stopped: %s (%d characters)", failure.reason, len(text))
            await self._discard_child()
            return render_plain(text, failure.reason)
        return rendered

    def _timeout_for(self, text: str) -> float:
        if self._math_loaded or not ("$" in text or "\\(" in text or "\\[" in text):
            return self.timeout
        return max(self.timeout, FIRST_MATH_TIMEOUT)

    async def _live_child(self) -> _Child:
        if self._child is not None and not self._child.is_alive():
            await self._discard_child()  # died between calls: start a fresh one quietly
        self.start()
        assert self._child is not None
        return self._child

    async def _discard_child(self) -> None:
        child, self._child = self._child, None
        self._math_loaded = False
        if child is not None:
            child.kill()  # wakes a read still waiting on the helper thread
            await asyncio.get_running_loop().run_in_executor(self._reader, child.release)

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._discard_child()
        self._reader.shutdown(wait=True)


def _picklable(options: RenderOptions) -> RenderOptions:
    return dataclasses.replace(options, remote_image_data=dict(options.remote_image_data))


class _Child:
    """The child process and the parent's end of its pipe. All methods but `kill` and
    `is_alive` block, and run on the worker's helper thread."""

    def __init__(self, context: SpawnContext) -> None:
        self._connection, child_end = context.Pipe(duplex=True)
        self._process: SpawnProcess = context.Process(
            target=_serve, args=(child_end,), name="chatdesk-render", daemon=True
        )
        self._process.start()
        child_end.close()  # so that the child's death reads as end-of-file here
        self._ready = False

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def is_alive(self) -> bool:
        return self._process.is_alive()

    def kill(self) -> None:
        self._process.kill()  # a no-op once the child has been waited for

    def wait_ready(self) -> None:
        if not self._ready:
            self._receive(time.monotonic() + READY_TIMEOUT)
            self._ready = True

    def ask(self, request: tuple[int, str, RenderOptions], timeout: float) -> tuple[Rendered, bool]:
        deadline = time.monotonic() + timeout
        try:
            self._connection.send(request)
        except OSError as error:  # the child is gone
            raise _ChildFailed(FAILED) from error
        while True:
            reply = self._receive(deadline)
            if reply[0] == request[0]:  # earlier numbers answer cancelled requests
                return reply[1], reply[2]

    def _receive(self, deadline: float) -> Any:
        try:
            if not self._connection.poll(max(0.0, deadline - time.monotonic())):
                self.kill()  # here, not by the caller: the caller may have been cancelled
                raise _ChildFailed(TOO_SLOW)
            return self._connection.recv()
        except (EOFError, OSError) as error:
            raise _ChildFailed(FAILED) from error

    def release(self) -> None:
        self._process.join(timeout=5)
        self._connection.close()
        if self._process.exitcode is not None:
            self._process.close()


def _serve(connection: Connection) -> None:
    """The child's loop: render what arrives until the parent closes its end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    os.environ.setdefault("MPLBACKEND", "Agg")  # matplotlib must never pick a GUI backend
    from chatdesk.core.render.markdown import render_markdown

    _freeze_imports()
    connection.send(("ready",))
    math_loaded = False
    while True:
        try:
            number, text, options = connection.recv()
        except EOFError:
            return
        try:
            rendered = render_markdown(text, options)
        except Exception:  # a bug must cost this message its formatting, not the child
            log.exception("rendering failed")
            rendered = render_plain(text, FAILED)
        if not math_loaded and "matplotlib" in sys.modules:
            math_loaded = True
            _freeze_imports()
        connection.send((number, rendered, math_loaded))


def _freeze_imports() -> None:
    """Keep imported modules out of garbage collection: with matplotlib loaded a full
    collection walks ~70,000 objects (~50 ms), which would land inside random renders."""
    gc.collect()
    gc.freeze()
