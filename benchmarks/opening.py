"""opening a 10,000-message thread in the window: first paint, formatted (≤ 1.2× first paint).

In one process, a real core and a shown `MainWindow` (benchmarks/window.py): the time from
`window.show_thread(id)` (the sidebar's click handler) to (a) the first paint of the thread's
message widgets, plain text at first, and (b) every message widget holding its formatted form
(`w.rendered`, from the render worker) and the paint after that. On a 10,000- and a
100,000-message thread (quick: 1,000 and 10,000), opened in turns, the formatter's cache cleared
before each open (so every open formats its page); their p50 ratio shows it is flat in thread
length. A 60-message thread is opened first to start the window up (its time is shown, not
judged): the render worker's first answers, the first layouts. Also shown, not judged: the
longest event-loop stall during an open (a 5 ms timer's lateness; docs/design.md §3 wants nothing on
the GUI thread to take longer than a frame).

Baseline, same run: the newest 30 rows read with bare sqlite3 (a copy of the rows, with an index
on (thread_id, depth)) and their text put into a bare QListView (a QStringListModel) until its
first paint: the least any list of these messages can cost.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from pathlib import Path

from PySide6.QtCore import QStringListModel
from PySide6.QtWidgets import QListView

from benchmarks.common import (
    INFO,
    Target,
    percentile,
    raw_clone,
    report,
    report_latency,
    running_core,
)
from benchmarks.window import (
    TICK_MS,
    Paints,
    StallMeter,
    all_formatted,
    fill_thread,
    run_qt,
    shown_window,
    thread_shown,
    until,
)
from chatdesk.ui.conversation.controller import PAGE
from chatdesk.ui.main_window import MainWindow

TARGET = Target("< 150 ms", 150.0)
FLAT = Target("< 1.5× (flat)", 1.5)
FORMATTED = Target("≤ 1.2× first paint", 1.2)  # docs/design.md §11
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
        raw = raw_clone(core.store.path, workdir / "bare.db", copy=("threads", "messages"))
        raw.execute("CREATE INDEX bare_thread_depth ON messages (thread_id, depth)")
        async with shown_window(core) as window:
            await until(lambda: not window.sidebar.model.loading)
            first = await _open(window, warm)
            chat: dict[int, tuple[list[float], list[float]]] = {size: ([], []) for size in sizes}
            widgets = set()
            stalls: list[float] = []
            for _ in range(runs):
                for size in sizes:  # in turns, so each open switches threads
                    window.formatter.clear()
                    meter = StallMeter()
                    meter.start()
                    painted, formatted = await _open(window, threads[size])
                    stalls.append(max(meter.stop(), default=0.0))
                    chat[size][0].append(painted)
                    chat[size][1].append(formatted)
                    widgets.add(len(window.view.widgets))
        bare, bare_stalls = await _bare(raw, threads, runs)
        raw.close()
    print(
        f"      (first open in the window, 60 messages: painted {first[0]:.0f} ms, formatted "
        f"{first[1]:.0f} ms; message widgets per open: {', '.join(map(str, sorted(widgets)))})"
    )
    for size in sorted(sizes):
        painted_ms, formatted_ms = chat[size]
        name = f"open {size:,}: first paint"
        report_latency(name, painted_ms, bare[size], TARGET, bare=BARE, levels=LEVELS)
        name = f"open {size:,}: formatted + paint"
        report_latency(name, formatted_ms, bare[size], TARGET, bare=BARE, levels=LEVELS)
    for size in sorted(sizes):
        painted, formatted = (percentile(chat[size][column], 50) for column in (0, 1))
        name = f"open {size:,}: formatted ÷ first paint, p50"
        report(name, formatted / painted, None, "×", FORMATTED)
    name = "loop stall while opening, max"
    report(name, max(stalls), max(bare_stalls), "ms", INFO, bare=BARE)
    big, small = sizes
    bare_flat = percentile(bare[big], 50) / percentile(bare[small], 50)
    for column, what in ((0, "first paint"), (1, "formatted")):
        flat = percentile(chat[big][column], 50) / percentile(chat[small][column], 50)
        report(f"flatness {what}, {big:,} ÷ {small:,}", flat, bare_flat, "×", FLAT, bare=BARE)


async def _open(window: MainWindow, thread_id: uuid.UUID) -> tuple[float, float]:
    """Milliseconds from `show_thread` to the first paint, and to formatted and painted."""
    paints = Paints()
    loaded: list[float] = []

    def on_loaded(shown: object) -> None:
        if shown == thread_id:  # the view built the page's widgets just before this signal
            loaded.append(time.perf_counter())
            paints.watch(w.body.viewport() for w in window.view.widgets)

    window.controller.loaded.connect(on_loaded)
    try:
        start = time.perf_counter()
        window.show_thread(thread_id)
        await until(lambda: bool(loaded))
        painted = await paints.after(loaded[0])
        formatted = await until(lambda: thread_shown(window, thread_id) and all_formatted(window))
        shown = await paints.after(formatted, nudge=window.view.viewport())
    finally:
        window.controller.loaded.disconnect(on_loaded)
    return (painted - start) * 1000, (shown - start) * 1000


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
