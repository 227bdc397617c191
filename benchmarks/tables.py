"""Tables on the GUI thread: what laying out one message with big tables costs Qt there.

The formatting runs in the render worker's child; what stays on the GUI thread is Qt taking
the HTML and laying it out at the message's width. For each case, the median of `RUNS` of
`MessageBrowser.show_rendered` (the conversation view's own widget, 760 px wide) and the
document's size (its whole layout, which the message's height needs); then, informational,
the first paint of the visible 800 px that follows. The bound in
`chatdesk/core/render/tables.py` decides which tables reach Qt as tables and shows the others
as aligned text. Baseline: the same message shown as plain text by the same widget, the
least any display of it costs. Targets: a table kept as a table is laid out within a frame;
a table shown as text costs no more than 1.5× its text shown plainly (a long text costs Qt
what its length costs, whatever it holds). The same cases without the bound are shown once,
for what the bound saves.

Then an answer of blank lines (10,000 and 50,000: a 50 KB message), shown as plain text as it
is while it is formatted and when it falls back: each run of blank lines is one blank line
(`render.plain.shown_plain`), beside the same text laid out line by line as Qt would take it
(what the window did before); target: within a frame. And its formatting, beside `html.escape`
of the same text (the render benchmark's baseline): linear in its length.
"""

from __future__ import annotations

import html
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.common import INFO, Target, report

FRAME = Target("< 16 ms", 16.0)
AS_TEXT = Target("< 1.5× plain", 1.5)
RUNS = 5
WIDTH = 760


def _table(rows: int, columns: int, cell: Callable[[int, int], str]) -> str:
    head = "|" + "|".join(f"c{c}" for c in range(columns)) + "|\n"
    rule = "|" + "|".join("--" for _ in range(columns)) + "|\n"
    body = "".join("|" + "|".join(cell(r, c) for c in range(columns)) + "|\n" for r in range(rows))
    return head + rule + body


def _cases(quick: bool) -> dict[str, str]:
    number: Callable[[int, int], str] = lambda r, c: str((r * 7 + c) % 10)  # noqa: E731
    words: Callable[[int, int], str] = lambda r, c: f"item {r}.{c} ok"  # noqa: E731
    wide = 500 if quick else 2_000
    return {
        f"table 3 rows × {wide:,} columns": _table(3, wide, number),
        "table 1,000 rows × 3 columns": _table(1_000, 3, words),
        "largest kept as a table (32 × 6)": _table(32, 6, words),
        "widest kept as a table (15 × 12)": _table(15, 12, number),
        "12 tables of 20 × 5 in one answer": "\n\nNext:\n\n".join(
            _table(20, 5, words) for _ in range(12)
        ),
    }


def run(workdir: Path, quick: bool) -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # the budgets are for offscreen runs
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    from chatdesk.core.render import render_markdown
    from chatdesk.ui.conversation.browser import MessageBrowser
    from chatdesk.ui.conversation.formatter import SHOWN_CHARS
    from chatdesk.ui.qt_workarounds import protect_singleton_refcounts

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    protect_singleton_refcounts()
    browser = MessageBrowser()
    browser.resize(WIDTH, 400)
    app.processEvents()

    def laid_out(show: Callable[[], None]) -> tuple[float, float]:
        """(layout ms, first paint ms) of one show."""
        started = time.perf_counter()
        show()
        browser.document().size()  # the whole layout, as the message widget's height needs
        middle = time.perf_counter()
        browser.grab(QRect(0, 0, WIDTH, 800))  # what a window shows of it at first
        return (middle - started) * 1000, (time.perf_counter() - middle) * 1000

    def median(show: Callable[[], None], runs: int = RUNS) -> tuple[float, float]:
        samples = [laid_out(show) for _ in range(runs)]
        return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)

    print(f"      (GUI thread: show and lay out one message at {WIDTH} px; median of {RUNS})")
    for name, text in _cases(quick).items():
        text = text[:SHOWN_CHARS]  # what a message widget shows of a longer answer
        rendered = render_markdown(text)
        layout, paint = median(lambda: browser.show_rendered(rendered))  # noqa: B023
        plain, plain_paint = median(lambda: browser.show_plain(text))  # noqa: B023
        if "<table" in rendered.html:
            report(f"{name}, layout", layout, plain, "ms", FRAME, bare="as plain text")
        else:
            report(f"{name}, as text ÷ plain", layout / plain, None, "×", AS_TEXT)
            report("  layout, as text", layout, plain, "ms", INFO, bare="as plain text")
        report("  first paint of 800 px", paint, plain_paint, "ms", INFO, bare="as plain text")
        with _unbounded():
            whole = render_markdown(text)
        if whole.html != rendered.html:
            before, _ = median(lambda: browser.show_rendered(whole), runs=1)  # noqa: B023
            report("  layout without the bound", before, plain, "ms", INFO, bare="as plain text")
    _blank_lines(browser, median)
    browser.deleteLater()
    app.processEvents()


def _blank_lines(browser: Any, median: Callable[..., tuple[float, float]]) -> None:
    from chatdesk.core.render import render_markdown

    for lines in (10_000, 50_000):
        text = "\n" * lines
        shown, _ = median(lambda: browser.show_plain(text))  # noqa: B023
        every, _ = median(lambda: browser.setPlainText(text), runs=1)  # noqa: B023
        name = f"{lines:,} blank lines shown plain, layout"
        report(name, shown, every, "ms", FRAME, bare="every line laid out")
        started = time.perf_counter()
        render_markdown(text)
        formatting = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        html.escape(text)
        escaped = (time.perf_counter() - started) * 1000
        report("  formatted", formatting, escaped, "ms", INFO, bare="html.escape")


@contextmanager
def _unbounded() -> Iterator[None]:
    """Every table laid out as a table, as before the bound."""
    from chatdesk.core.render import writer

    saved = writer.MAX_TABLE_CELLS, writer.MAX_TABLE_COLUMNS
    writer.MAX_TABLE_CELLS = writer.MAX_TABLE_COLUMNS = 10**9
    try:
        yield
    finally:
        writer.MAX_TABLE_CELLS, writer.MAX_TABLE_COLUMNS = saved
