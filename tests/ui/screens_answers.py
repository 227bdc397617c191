"""Screenshots of an answer laid out as the peers lay it out: a wide table that scrolls
sideways, display maths at the text's size, a nested list, a quote in English and one in
Arabic (each bar on the side its text begins). At 1600×1000, and at 800×600 also with the
table scrolled to its last column, at the answer's end, and scrolled up from a later question
to the table's scroll bar ("↓ Latest" under the messages); light and dark; Arabic with
CHATDESK_UI_LANGUAGE=ar.

    .venv/bin/python tests/ui/screens_answers.py [OUTPUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _core, _formatted, _still, _until, run_alone, seed_answered

ANSWER = r"""Here are the engines side by side:

| Engine | Best at | Runs as | Licence | Written in | First released | Writers at once |
|---|---|---|---|---|---|---|
| SQLite | local apps and files | a library in the app | public domain | C | 2000 | one |
| PostgreSQL | shared data, many writers | a server | PostgreSQL licence | C | 1996 | many |
| DuckDB | analytics over columns | a library in the app | MIT licence | C++ | 2019 | one |

For a B-tree of order $b$ holding $n$ keys, the height is at most

$$h \le \log_{b} \frac{n + 1}{2}$$

Before choosing:

1. Count the writers, then
   - one process: SQLite
   - many: PostgreSQL
2. Check where the data must live

> A database is chosen for its failure modes, not its features.

> تُختار قاعدة البيانات لطريقة فشلها، لا لميزاتها.
"""
QUESTION = "Which engine, and why?"
SIZES = ((1600, 1000, "wide"), (800, 600, "narrow"))


async def answer_screens(app: QApplication, out: Path) -> None:
    core = _core()
    try:
        await core.start()
        thread = await core.service.create_thread(title="Which database?")
        seed_answered(core, thread.id, QUESTION, ANSWER)
        followed = await core.service.create_thread(title="Which database, then?")
        seed_answered(core, followed.id, QUESTION, ANSWER)
        turn = await core.service.send(followed.id, "And for a phone?")
        await core.service.wait_for_answer(turn.answer.id)
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            window = MainWindow(core.service)
            window.show()
            window.start()
            try:
                window.show_thread(thread.id)
                await _until(lambda w=window: _formatted(w, 2))  # type: ignore[misc]
                await _shoot_sizes(window, out, theme)
                await _shoot_latest(window, followed.id, out, theme)
            finally:
                window.close()
                await window.aclose()
                window.deleteLater()
    finally:
        await core.aclose()


async def _shoot_sizes(window: MainWindow, out: Path, theme: str) -> None:
    for asked, height, name in SIZES:
        # No narrower than the window allows: its composer's pills (a knowledge base made by an
        # earlier screen adds one) set its least width.
        width = max(asked, window.minimumWidth())
        window.resize(width, height)
        await _until(lambda w=window, s=(width, height): (w.width(), w.height()) == s)  # type: ignore[misc]
        await _until(lambda w=window: _formatted(w, 2))  # type: ignore[misc]
        await _until(_still(window))  # the answer laid out again at its new width
        answer = window.view.widgets[-1]
        window.view.verticalScrollBar().setValue(answer.y())
        await _grab(window, out / f"answer-{name}-{theme}.png")
        if name == "wide":
            continue
        sideways = answer.body.horizontalScrollBar()
        start, end = sideways.maximum(), sideways.minimum()  # a right-to-left bar's ends
        if not window.isRightToLeft():
            start, end = end, start
        sideways.setValue(end)  # the table scrolled to its last column
        await _grab(window, out / f"answer-{name}-scrolled-{theme}.png")
        sideways.setValue(start)
        window.view.jump_to_latest()  # the list, the quotes
        await _grab(window, out / f"answer-{name}-end-{theme}.png")


async def _shoot_latest(window: MainWindow, thread_id: Any, out: Path, theme: str) -> None:
    """At 800×600, scrolled up from a later question to the table's scroll bar: "↓ Latest"
    stands under the messages, covering neither the bar nor the text."""
    window.show_thread(thread_id)
    await _until(lambda: window.current_thread_id == thread_id and _formatted(window, 4))
    await _until(_still(window))
    view, answer = window.view, window.view.widgets[1]
    bar = answer.body.horizontalScrollBar()
    bottom = bar.mapTo(view.widget(), bar.rect().bottomLeft()).y()
    view.verticalScrollBar().setValue(bottom + 16 - view.viewport().height())
    await _until(view._jump.isVisible)
    view.verticalScrollBar().setValue(bottom + 16 - view.viewport().height())  # in its strip
    await _grab(window, out / f"answer-narrow-latest-{theme}.png")


async def _grab(window: MainWindow, path: Path) -> None:
    await _until(_still(window))  # scrolled: "↓ Latest" placed, its strip made or gone
    window.grab().save(str(path))
    print(path)


if __name__ == "__main__":
    sys.exit(run_alone(answer_screens))
