"""The reading child: every attached file is sniffed, decoded and extracted in a child process
(its loop: `child.py`; `chatdesk/core/trust/children.py` starts and supervises it), never in
chatdesk's own.

A hostile or broken file can loop, crash a C library or hold the GIL for seconds; in a child it
costs a kill. Each file has a time bound; past it, or when the child dies, the child is killed
(the next file starts a new one) and the file is refused with the reason. The child imports
Pillow, PDFium and defusedxml only when a file needs them, and stops after `IDLE_STOP` seconds
without work, so the window's process never holds them.

Protocol: the child sends ("ready",) once started, then answers (number, name, data, limits)
with (number, Read, None) or (number, None, reason); a page from the web is asked as (number,
url, data, PageAsk) and answered with a PageText in the place of the Read.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from chatdesk.core.attach.child import serve
from chatdesk.core.attach.model import Limits, PageAsk, PageText, Read
from chatdesk.core.i18n import tr
from chatdesk.core.trust.children import Child, ChildFailed

log = logging.getLogger("chatdesk.attach")

READY_TIMEOUT = 30.0  # starting an interpreter; generous for a loaded machine
IDLE_STOP = 120.0  # seconds without a file before the child is stopped


class ReadFailed(Exception):
    """The file could not be read; `reason` says why, for the user ("it is empty", "it took
    longer than 30 s to read")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Reader:
    """`await reader.read(name, data, limits, bound)`: one file read in the child within
    `bound` seconds. Files are read one at a time, in order; any event loop may call it."""

    def __init__(self, idle_stop: float = IDLE_STOP) -> None:
        self._idle_stop = idle_stop
        self._lock = threading.Lock()
        self._child: Child | None = None
        self._number = 0
        self._idle: threading.Timer | None = None
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="chatdesk-attach")
        self._closed = False

    @property
    def pid(self) -> int | None:
        child = self._child
        return child.pid if child else None

    async def read(self, name: str, data: bytes, limits: Limits, bound: float) -> Read:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.read_now, name, data, limits, bound)

    def read_now(self, name: str, data: bytes, limits: Limits, timeout: float) -> Read:
        """`read`, blocking until the child answers: for a worker thread (an import)."""
        read = self._call(name, data, limits, timeout)
        assert isinstance(read, Read)
        return read

    async def read_page(self, data: bytes, asked: PageAsk, bound: float) -> PageText:
        """A page from the web as the text a model reads (chatdesk/core/attach/page.py), in the
        child within `bound` seconds, in turn with the files."""
        loop = asyncio.get_running_loop()
        page = await loop.run_in_executor(self._pool, self._call, asked.url, data, asked, bound)
        assert isinstance(page, PageText)
        return page

    def _call(self, name: str, data: bytes, asked: Limits | PageAsk, timeout: float) -> object:
        with self._lock:
            if self._closed:
                raise ReadFailed(tr("chatdesk is closing"))
            if self._idle is not None:
                self._idle.cancel()
            try:
                return self._ask(name, data, asked, timeout)
            finally:
                self._idle = threading.Timer(self._idle_stop, self._stop_idle)
                self._idle.daemon = True
                self._idle.start()

    def _ask(self, name: str, data: bytes, asked: Limits | PageAsk, timeout: float) -> object:
        # A child that read earlier files may have died meanwhile (killed while idle): the
        # file gets one fresh child before it is blamed.
        tries = 2 if self._child is not None and self._child.is_alive() else 1
        for tried in range(1, tries + 1):
            try:
                return self._ask_child(name, data, asked, timeout)
            except ChildFailed as failure:
                log.warning("reading child stopped: %s (%d bytes)", failure.reason, len(data))
                self._drop_child()
                if failure.timed_out:
                    raise ReadFailed(
                        tr("reading it took longer than {seconds} s", seconds=f"{timeout:.0f}")
                    ) from None
                if tried == tries:
                    raise ReadFailed(tr("the reader stopped on it (it may be damaged)")) from None
        raise AssertionError("unreachable")

    def _ask_child(self, name: str, data: bytes, asked: Limits | PageAsk, timeout: float) -> object:
        if self._child is None or not self._child.is_alive():
            self._drop_child()
            self._child = Child("chatdesk-attach", serve, ready_timeout=READY_TIMEOUT)
        self._child.wait_ready()
        self._number += 1
        read, reason = self._child.ask((self._number, name, data, asked), timeout)
        if read is None:
            raise ReadFailed(str(reason))
        return read

    def _stop_idle(self) -> None:
        with self._lock:
            if self._child is not None:
                log.info("reading child stopped after %.0f s without a file", self._idle_stop)
            self._drop_child()

    def _drop_child(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            child.stop()

    def rest(self) -> None:
        """Stop the child now, not when idle: a burst of reading is over (an import's images).
        The next read starts a new one."""
        with self._lock:
            if self._idle is not None:
                self._idle.cancel()
                self._idle = None
            self._drop_child()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._idle is not None:
                self._idle.cancel()
            self._drop_child()
        self._pool.shutdown(wait=False)


__all__ = ["Limits", "ReadFailed", "Reader"]
