"""opening a 10,000-message thread in the window: first paint (p50 < 100 ms), formatted (≤ 1.2×).

In one process, a real core and a shown `MainWindow` (benchmarks/window.py): the time from
`window.show_thread(id)` (the sidebar's click handler) to (a) the first paint of the thread's
message widgets, and (b) every message widget in the viewport holding its formatted form
(`w.rendered`, from the render worker) and the paint after that (the first paint, when each
message it painted held its formatted form). The view builds the page's widgets newest first,
each made in one turn of the loop and put in place in the next, paints nothing of it until those
made fill the viewport, laid out and formatted (`ConversationView.page_shown`), and makes the
rest above them afterwards the same way, a turn left to each repaint (the stall counts those
turns too). On a 10,000- and a 100,000-message thread (quick: 1,000 and 10,000), opened in
turns, the formatter's cache cleared before each open (so every open formats its page); their
p50 ratio shows it is flat in thread length. A 60-message thread is opened first to start the
window up (its time is shown, not judged): the render worker's first answers, the first
layouts. Also shown: the event-loop stall during the opens (a 5 ms timer's lateness), its max,
and its p99 judged against a frame (docs/design.md §3 wants nothing on the GUI thread to take
longer).

Baselines, same run: the newest 30 rows read with bare sqlite3 (a copy of the rows, with an
index on (thread_id, depth)) and their text put into a bare QListView (a QStringListModel) until
its first paint: the least any list of these messages can cost. And for the guard, the same read
and a read-only QTextEdit per message, newest first, as tall as its plain text, until they fill
the view as chatdesk's first paint does: the least that paints these messages as text widgets.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, QStringListModel
from PySide6.QtWidgets import QListView, QScrollArea, QTextEdit, QVBoxLayout, QWidget

from benchmarks.common import (
    INFO,
    Target,
    percentile,
    ratio_target,
    raw_clone,
    report,
    report_latency,
    running_core,
    spread,
)
from benchmarks.window import (
    TICK_MS,
    Paints,
    StallMeter,
    all_formatted,
    fill_thread,
    on_screen_formatted,
    run_qt,
    shown_window,
    thread_shown,
    until,
)
from chatdesk.app import Core
from chatdesk.core.render.kept import KeptRenders
from chatdesk.ui.column import DEFAULT_MEASURE
from chatdesk.ui.conversation.controller import FIRST_PAGE, PAGE
from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.main_window import MainWindow

TARGET = Target("< 150 ms", 150.0)
FIRST_PAINT = Target("< 100 ms", 100.0)  # its p50, never formatted before (docs/design.md §11)
# The guard's: the first paint p50 against text widgets painting the same messages, which take
# about 10 ms here: ≤ 10× is the 100 ms above, read against this run's machine. On a two-core
# machine 4–8× at full size and 4–8× at --quick (decision 0083); 10–12× after decision 0078,
# about 20–25× when the whole first page was made before its first paint.
AS_TEXTS = ratio_target(10.0, "texts")
TEXTS = "sqlite3+QTextEdits"
MARGIN = 300  # pixels above the viewport that the first paint's messages fill too (the view's)
FLAT = Target("< 1.5× (flat)", 1.5)
FORMATTED = Target("≤ 1.2× first paint", 1.2)  # docs/design.md §11
# Formatted in an earlier run: every message on screen formatted at its first paint.
NONE_PLAIN = Target("0 % (none)", 0.5)
STALL = Target("< 16 ms", 16.0)  # a frame (docs/design.md §3), at the 99th percentile
BARE = "sqlite3+QListView"
LEVELS = (("p50", 50.0), ("max", 100.0))
NEWEST = f"SELECT * FROM messages WHERE thread_id = ? ORDER BY depth DESC LIMIT {PAGE}"


def run(workdir: Path, quick: bool) -> None:
    sizes = (10_000, 1_000) if quick else (100_000, 10_000)
    run_qt(lambda: _measure(workdir, sizes, 5 if quick else 15))


async def _measure(workdir: Path, sizes: tuple[int, int], runs: int) -> None:
    async with running_core(workdir / "home") as core:
        threads = {size: await fill_thread(core, size) for size in sizes}
        warm = await fill_thread(core, 60, "warm-up")
        raw = raw_clone(core.insides.store.path, workdir / "bare.db", copy=("threads", "messages"))
        raw.execute("CREATE INDEX bare_thread_depth ON messages (thread_id, depth)")
        kept = KeptRenders(workdir / "cache")
        async with shown_window(core, kept) as window:
            await until(lambda: not window.sidebar.model.loading)
            first = await _open(window, warm)
            cold: dict[int, list[Opened]] = {size: [] for size in sizes}
            again: dict[int, list[Opened]] = {size: [] for size in sizes}
            widgets = set()
            stalls: list[float] = []
            for _ in range(runs):
                for size in sizes:  # in turns, so each open switches threads
                    window.formatter.clear()
                    await _forget_kept(core, kept, threads[size])  # never formatted before
                    meter = StallMeter()
                    meter.start()
                    cold[size].append(await _open(window, threads[size]))
                    stalls.extend(meter.stop())
                    widgets.add(len(window.view.widgets))
            for size in sizes:
                await _kept_on_disk(core, kept, threads[size])
            for _ in range(runs):
                for size in sizes:
                    window.formatter.clear()  # a restart: nothing in memory, the disk kept
                    again[size].append(await _open(window, threads[size]))
            view_size = window.view.size()
        kept.close()
        bare, bare_stalls = await _bare(raw, threads, runs)
        texts = await _bare_texts(raw, threads, runs, view_size)
        raw.close()
    print(
        f"      (first open in the window, 60 messages: painted {first.painted:.0f} ms, "
        f"formatted {first.formatted:.0f} ms; message widgets per open: "
        f"{', '.join(map(str, sorted(widgets)))})"
    )
    for size in sorted(sizes):
        painted_ms = [o.painted for o in cold[size]]
        formatted_ms = [o.formatted for o in cold[size]]
        name = f"open {size:,}: first paint"
        report_latency(name, painted_ms, bare[size], FIRST_PAINT, bare=BARE, levels=LEVELS[:1])
        report_latency(name, painted_ms, bare[size], TARGET, bare=BARE, levels=LEVELS[1:])
        name = f"open {size:,}: formatted + paint"
        report_latency(name, formatted_ms, bare[size], TARGET, bare=BARE, levels=LEVELS)
    for size in sorted(sizes):
        painted_ms = [o.painted for o in cold[size]]
        name = f"open {size:,}: first paint ÷ texts, p50"
        chat, bare_texts = percentile(painted_ms, 50), percentile(texts[size], 50)
        noise = spread(texts[size], 50)
        report(name, chat, bare_texts, "ms", AS_TEXTS, bare=TEXTS, noise=noise)
    for size in sorted(sizes):
        painted, formatted = (percentile(column, 50) for column in _columns(cold[size]))
        name = f"open {size:,}: formatted ÷ first paint, p50"
        report(name, formatted / painted, None, "×", FORMATTED)
        plain = max(100 - o.formatted_at_first_paint for o in cold[size])
        report(f"open {size:,}: plain at first paint, max", plain, None, "%", INFO)
    print("      (opened again after a restart: formatted in an earlier run, kept on disk)")
    for size in sorted(sizes):
        painted_ms, _ = _columns(again[size])
        name = f"reopen {size:,}: first paint"
        report_latency(name, painted_ms, bare[size], TARGET, bare=BARE, levels=LEVELS)
        plain = max(100 - o.formatted_at_first_paint for o in again[size])
        report(f"reopen {size:,}: plain at first paint, max", plain, None, "%", NONE_PLAIN)
    name = "loop stall while opening, max"
    report(name, max(stalls), max(bare_stalls), "ms", INFO, bare=BARE)
    name = "loop stall while opening, p99"
    report(name, percentile(stalls, 99), max(bare_stalls), "ms", STALL, bare=BARE)
    big, small = sizes
    bare_flat = percentile(bare[big], 50) / percentile(bare[small], 50)
    for column, what in zip(range(2), ("first paint", "formatted"), strict=True):
        chat_big, chat_small = (percentile(_columns(cold[n])[column], 50) for n in (big, small))
        flat = chat_big / chat_small
        report(f"flatness {what}, {big:,} ÷ {small:,}", flat, bare_flat, "×", FLAT, bare=BARE)


@dataclass(frozen=True)
class Opened:
    painted: float  # ms from the click to the first paint of the message widgets
    formatted: float  # ms to every one formatted and painted
    formatted_at_first_paint: float  # % of the painted message widgets formatted at their first


def _columns(opens: list[Opened]) -> tuple[list[float], list[float]]:
    return [o.painted for o in opens], [o.formatted for o in opens]


async def _forget_kept(core: Core, kept: KeptRenders, thread_id: uuid.UUID) -> None:
    """What is kept of the newest messages (after the formatting written so far)."""
    page = await core.service.list_messages(thread_id, limit=PAGE * 2)
    await asyncio.wrap_future(kept.submit(kept.forget, [m.id for m in page.messages]))


async def _kept_on_disk(core: Core, kept: KeptRenders, thread_id: uuid.UUID) -> None:
    page = await core.service.list_messages(thread_id, limit=FIRST_PAGE)
    wanted = {m.id for m in page.messages}

    async def kept_ids() -> set[uuid.UUID]:
        return set(await asyncio.wrap_future(kept.submit(kept.message_ids)))

    deadline = time.perf_counter() + 10
    while not wanted <= await kept_ids():
        if time.perf_counter() > deadline:
            raise TimeoutError("the formatting of the page was not kept")
        await asyncio.sleep(0.01)


class _FirstPaints(QObject):
    """Whether each watched message widget held its formatted text at its first paint."""

    def __init__(self) -> None:
        super().__init__()
        self._widgets: dict[QObject, MessageWidget] = {}
        self.formatted: dict[uuid.UUID, bool] = {}

    def watch(self, widgets: list[MessageWidget]) -> None:
        for widget in widgets:
            self._widgets[widget.body.viewport()] = widget
            widget.body.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        widget = self._widgets.get(watched)
        if event.type() == QEvent.Type.Paint and widget is not None:
            self.formatted.setdefault(widget.message.id, widget.rendered is not None)
        return False


async def _open(window: MainWindow, thread_id: uuid.UUID) -> Opened:
    """From `show_thread` to the first paint, and to formatted and painted."""
    paints = Paints()
    firsts = _FirstPaints()
    loaded: list[float] = []

    def on_shown() -> None:
        # The view built the page's widgets (a few per turn of the loop) and paints them next.
        model = window.controller.model
        if model.thread_id == thread_id and model.rowCount() and not loaded:
            loaded.append(time.perf_counter())
            paints.watch(w.body.viewport() for w in window.view.made_widgets)
            firsts.watch(window.view.made_widgets)

    window.view.page_shown.connect(on_shown)
    try:
        start = time.perf_counter()
        window.show_thread(thread_id)
        await until(lambda: bool(loaded))
        painted = await paints.after(loaded[0])
        if firsts.formatted and all(firsts.formatted.values()):
            shown = painted  # each message painted first held its formatted text
        else:
            formatted = await until(lambda: on_screen_formatted(window, thread_id))
            shown = await paints.after(formatted, nudge=window.view.widget())
        await until(lambda: thread_shown(window, thread_id) and all_formatted(window))
    finally:
        window.view.page_shown.disconnect(on_shown)
    share = 100 * sum(firsts.formatted.values()) / max(1, len(firsts.formatted))
    return Opened((painted - start) * 1000, (shown - start) * 1000, share)


async def _bare_texts(
    raw: sqlite3.Connection, threads: dict[int, uuid.UUID], runs: int, size: QSize
) -> dict[int, list[float]]:
    """sqlite3 read of the newest page, and a read-only QTextEdit per message, newest first,
    each as tall as its plain text at the column's width, until they fill the viewport and
    `MARGIN` above it, in a QScrollArea scrolled to its end, until painted: the least that
    paints what chatdesk paints first, messages as text widgets."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.resize(size)
    area.show()
    await Paints([area.viewport()]).after(0.0)
    samples: dict[int, list[float]] = {size: [] for size in threads}
    try:
        for _ in range(runs):
            for count, thread_id in threads.items():
                content = QWidget()
                column = QVBoxLayout(content)
                start = time.perf_counter()
                cursor = raw.execute(NEWEST, (thread_id.hex,))
                text = [d[0] for d in cursor.description].index("content")
                made = 0
                width = min(area.viewport().width(), DEFAULT_MEASURE)
                for row in cursor.fetchall():  # newest first
                    shown = QTextEdit(readOnly=True)
                    shown.setPlainText(row[text])
                    shown.document().setTextWidth(width)
                    shown.setFixedHeight(int(shown.document().size().height()) + 8)
                    column.insertWidget(0, shown)
                    made += shown.height()
                    if made >= area.viewport().height() + MARGIN:
                        break
                area.setWidget(content)  # the one before is deleted
                column.activate()
                bar = area.verticalScrollBar()
                bar.setValue(bar.maximum())
                painted = Paints([content])
                samples[count].append((await painted.after(start) - start) * 1000)
                await asyncio.sleep(2 * TICK_MS / 1000)
    finally:
        area.close()
        area.deleteLater()
    return samples


async def _bare(
    raw: sqlite3.Connection, threads: dict[int, uuid.UUID], runs: int
) -> tuple[dict[int, list[float]], list[float]]:
    """sqlite3 read of the newest page + a QListView of its texts, until painted."""
    view = QListView()
    view.resize(830, 600)
    model = QStringListModel(view)
    view.setModel(model)
    view.show()
    paints = Paints([view.viewport()])
    await paints.after(0.0)
    samples: dict[int, list[float]] = {size: [] for size in threads}
    stalls: list[float] = []
    try:
        for _ in range(runs):
            for size, thread_id in threads.items():
                model.setStringList([])
                await paints.after(time.perf_counter())
                meter = StallMeter()
                meter.start()
                start = time.perf_counter()
                cursor = raw.execute(NEWEST, (thread_id.hex,))
                content = [d[0] for d in cursor.description].index("content")
                rows = cursor.fetchall()
                model.setStringList([row[content] for row in reversed(rows)])
                samples[size].append((await paints.after(start) - start) * 1000)
                await asyncio.sleep(2 * TICK_MS / 1000)  # a tick after the paint, as for chatdesk
                stalls.append(max(meter.stop(), default=0.0))
    finally:
        view.close()
        view.deleteLater()
    return samples, stalls
