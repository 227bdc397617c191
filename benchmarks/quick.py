"""the quick window shown after `Desktop.quick_ask()` in a running window: < 150 ms p95 (issue 50).

In one process (benchmarks/window.py): a real core and a shown `MainWindow`, its `Desktop` as
the application makes it. From the call to `Desktop.quick_ask()` (what a second start's
hand-over, the global shortcut and the tray call) until the quick window's first paint after it
(seen by an event filter). Three cases: the very first call of the process (the quick window's
modules imported and its widgets made: one sample), made anew (a fresh Desktop each time, so
its quick window is made again with its modules loaded: 20 samples, quick: 5), and shown again
(hidden with Esc's `hide`, then asked for again: 40 samples, quick: 10). p50 / p95 / max.

Target: p95 < 150 ms (docs/design.md §11). Baseline, same run: a bare frameless, always-on-top
QWidget holding a QLineEdit, made and shown the same way (and shown again), until its first
paint.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from benchmarks.common import Target, percentile, report, report_latency, running_core
from benchmarks.window import Paints, run_qt, shown_window, until
from chatdesk.ui.desktop.hub import Desktop

TARGET = Target("< 150 ms", 150.0)
BARE = "bare window"


def run(workdir: Path, quick: bool) -> None:
    run_qt(lambda: _measure(workdir, 5 if quick else 20, 10 if quick else 40))


async def _measure(workdir: Path, anew: int, again: int) -> None:
    async with running_core(workdir / "home") as core, shown_window(core) as window:
        await until(lambda: not window.sidebar.model.loading)
        await asyncio.sleep(0.3)  # the window settles: its first paints are not counted
        made: list[Desktop] = []
        first = await _first_paint(lambda: _ask(made, window))
        bare_first = await _first_paint(_bare)
        fresh, bare_fresh, shown, bare_shown = [], [], [], []
        for _ in range(anew):
            fresh.append(await _first_paint(lambda: _ask(made, window)))
            bare_fresh.append(await _first_paint(_bare))
        desktop, bare = made[-1], _bare()
        for _ in range(again):
            shown.append(await _first_paint(lambda: _again(desktop)))
            bare_shown.append(await _first_paint(lambda: _show(bare)))
        for each in made:
            await each.aclose()
        bare.deleteLater()
    print(f"      (load average {os.getloadavg()[0]:.2f}; {anew} made anew, {again} shown again)")
    report("first call (made, modules loaded)", first, bare_first, "ms", TARGET, bare=BARE)
    report_latency("made anew", fresh, bare_fresh, TARGET, bare=BARE)
    report_latency("shown again", shown, bare_shown, TARGET, bare=BARE)
    ratio = percentile(shown, 95) / max(percentile(bare_shown, 95), 1e-6)
    print(f"      (shown again, p95: {ratio:.1f}× the bare window)")


async def _first_paint(show: Callable[[], QWidget]) -> float:
    """Milliseconds from `show()` until the first paint of the window it shows."""
    started = time.perf_counter()
    shown = show()
    paints = Paints([shown])
    painted = await paints.after(started)
    shown.hide()
    await asyncio.sleep(0.02)  # hidden before the next one
    return (painted - started) * 1000


def _ask(made: list[Desktop], window: QWidget) -> QWidget:
    """A fresh Desktop asked for the quick window (made on this first call)."""
    from chatdesk.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    desktop = Desktop(window)
    made.append(desktop)
    return _again(desktop)


def _again(desktop: Desktop) -> QWidget:
    desktop.quick_ask()
    assert desktop.quick is not None
    return desktop.quick.window


def _bare() -> QWidget:
    flags = Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
    bare = QWidget(None, flags | Qt.WindowType.WindowStaysOnTopHint)
    field = QLineEdit(bare)
    QVBoxLayout(bare).addWidget(field)
    bare.resize(620, 160)
    return _show(bare)


def _show(bare: QWidget) -> QWidget:
    bare.show()
    bare.raise_()
    bare.activateWindow()
    bare.findChild(QLineEdit).setFocus()
    return bare
