"""In-process window benchmarks' harness: offscreen Qt, a qasync loop inside it, a real window.

Like the app (chatdesk.ui.application) and the window tests (tests/ui/conftest.py): one
QApplication, asyncio running inside Qt's event loop through qasync, a core built by the
composition root, and a `MainWindow` over its service, shown and started. Waiting is done by
polling from a coroutine (1 ms steps), and paints are seen by an event filter, so nothing is
forced: the window lays out and paints when Qt would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import qasync
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from benchmarks.common import INFO, Target, chain, insert_rows, percentile, report, set_leaf
from chatdesk.app import Core
from chatdesk.core.render.kept import KeptRenders
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.qt_workarounds import protect_singleton_refcounts
from chatdesk.ui.theme import apply_theme

T = TypeVar("T")

TICK_MS = 5  # the stall meter's period
STALL_P99 = Target("< 16 ms", 16.0)  # a frame (docs/design.md §3)
IDLE = "idle window"


def run_qt(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `main()` on a qasync loop inside a QApplication (created once per process)."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # the budgets are for offscreen runs
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    app.setQuitOnLastWindowClosed(False)  # as chatdesk.ui.application does
    protect_singleton_refcounts()  # as chatdesk.ui.application does
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        result: T = loop.run_until_complete(main())
        return result
    finally:
        loop.close()
        asyncio.set_event_loop(None)


@contextlib.asynccontextmanager
async def shown_window(core: Core, kept: KeptRenders | None = None) -> AsyncIterator[MainWindow]:
    """A MainWindow as the app shows it (theme applied, shown, started; formatting kept in
    `kept`, as the app keeps it in the cache folder); closed at the end."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    ui = core.config.settings.ui
    apply_theme(app, ui.theme, ui.font_size)
    window = MainWindow(settings=core.config.settings)
    window.attach(core.service, kept_renders=kept)
    window.show()
    window.start()
    core.watch_outside()  # as the app, once the window is attached
    try:
        yield window
    finally:
        window.close()
        await window.aclose()
        window.deleteLater()
        await asyncio.sleep(0.05)  # the deferred deletes run


async def until(condition: Callable[[], bool], limit: float = 60.0) -> float:
    """Wait (letting Qt and asyncio run) until `condition()`; returns `perf_counter()` then.
    Raises TimeoutError after `limit` seconds."""
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"still waiting after {limit:.0f} s")
        await asyncio.sleep(0.001)
    return time.perf_counter()


class Paints(QObject):
    """Records when the watched widgets are painted (`perf_counter()`), via an event filter."""

    def __init__(self, widgets: Iterable[QWidget] = ()) -> None:
        super().__init__()
        self.times: list[float] = []
        self.watch(widgets)

    def watch(self, widgets: Iterable[QWidget]) -> None:
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.times.append(time.perf_counter())
        return False

    async def after(self, moment: float, nudge: QWidget | None = None) -> float:
        """When the first paint after `moment` happened (waiting for it if need be);
        `nudge.update()` first makes sure that one is coming."""
        if nudge is not None:
            nudge.update()
        await until(lambda: bool(self.times) and self.times[-1] > moment)
        return next(t for t in self.times if t > moment)


class StallMeter(QObject):
    """A precise timer every TICK_MS; each tick records how much later than due it came."""

    def __init__(self) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self.stalls: list[float] = []

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.stalls.append(max(0.0, (now - self._last) * 1000 - TICK_MS))
        self._last = now

    def stop(self) -> list[float]:
        self._timer.stop()
        return self.stalls


@dataclass(frozen=True)
class Stalls:
    """How late the meter's ticks came during some work (`busy`), and while the window then
    idled for as long (`idle`, the baseline)."""

    busy: list[float]
    idle: list[float]
    seconds: float  # how long the work took

    def ticks(self) -> str:
        return f"{len(self.busy)} ticks of {TICK_MS} ms; idle: {len(self.idle)} ticks"

    def report(self, name: str) -> None:
        """The p99 line (target: a frame) and the max line, each beside the idle window's."""
        p99, idle_p99 = percentile(self.busy, 99), percentile(self.idle, 99)
        report(f"{name}, p99", p99, idle_p99, "ms", STALL_P99, bare=IDLE)
        report(f"{name}, max", max(self.busy), max(self.idle), "ms", INFO, bare=IDLE)


async def stalls_during(work: Awaitable[T]) -> tuple[T, Stalls]:
    """`work`'s result, and the loop's stalls while it ran and then while idle for as long."""
    meter = StallMeter()
    meter.start()
    start = time.perf_counter()
    result = await work
    seconds = time.perf_counter() - start
    busy = meter.stop()
    idle = StallMeter()
    idle.start()
    await asyncio.sleep(seconds)
    return result, Stalls(busy, idle.stop(), seconds)


def thread_shown(window: MainWindow, thread_id: uuid.UUID) -> bool:
    """The thread's page is on screen: a widget for every row of the window's model (they are
    built a few per turn of the loop), each of a message of that thread."""
    widgets = window.view.made_widgets
    every_row = len(widgets) == window.conversation.rowCount()
    return bool(widgets) and every_row and all(w.message.thread_id == thread_id for w in widgets)


def on_screen_formatted(window: MainWindow, thread_id: uuid.UUID) -> bool:
    """The viewport is filled with the thread's messages, each holding its formatted text (the
    widgets above it may still be being built, a few per turn of the loop)."""
    view = window.view
    top = view.verticalScrollBar().value()
    bottom = top + view.viewport().height()
    made = view.made_widgets
    seen = [w for w in made if w.y() < bottom and w.y() + w.height() > top]
    every_row = len(made) == window.conversation.rowCount()
    filled = bool(seen) and (every_row or seen[0].y() <= top)  # no gap above the first
    return filled and all(w.message.thread_id == thread_id and w.rendered for w in seen)


def all_formatted(window: MainWindow) -> bool:
    return all(w.rendered is not None for w in window.view.made_widgets)


async def fill_thread(core: Core, size: int, title: str | None = None) -> uuid.UUID:
    """A thread of `size` messages in one linear branch (bulk-loaded, as page.py does)."""
    thread = await core.service.create_thread(title=title or f"{size:,} messages")
    last = None
    for rows in chain(thread.id, size):
        insert_rows(core, rows)
        last = rows[-1]["id"]
    assert last is not None
    set_leaf(core, thread.id, last, size)
    return thread.id
