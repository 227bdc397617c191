"""Screenshots of the reading column: a thread with a one-line question, a long one and a long
answer, at 1600×1000 (the column centred, "↓ Latest" beside the text), at 800×600 (the sidebar
folded away, the button that brings it back in the header) and at the window's minimum size.
Light, dark and high contrast; Arabic with CHATDESK_UI_LANGUAGE=ar.

    .venv/bin/python tests/ui/screens_column.py [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _core, _formatted, _until, run_alone

SHORT = "Which database suits a desktop app?"
LONG = (
    "I keep my notes in plain files today and I would like to move them into something I can "
    "search and sync between two laptops without running a server at home. What would you "
    "choose, and what would you watch out for?"
)
SIZES = ((1600, 1000, "wide"), (800, 600, "narrow"))


async def column_screens(app: QApplication, out: Path) -> None:
    core = _core()
    try:
        await core.start()
        first = await core.service.send_new(SHORT)
        await core.service.wait_for_answer(first.answer.id)
        second = await core.service.send(first.answer.thread_id, LONG)
        await core.service.wait_for_answer(second.answer.id)
        for theme in ("light", "dark", "high-contrast"):
            apply_theme(app, theme)
            window = MainWindow(core.service)
            window.show()
            window.start()
            try:
                window.show_thread(first.answer.thread_id)
                await _until(lambda w=window: _formatted(w, 4))  # type: ignore[misc]
                await _shoot_sizes(window, out, theme)
            finally:
                window.close()
                await window.aclose()
                window.deleteLater()
    finally:
        await core.aclose()


async def _shoot_sizes(window: MainWindow, out: Path, theme: str) -> None:
    for width, height, name in SIZES:
        window.resize(width, height)
        await asyncio.sleep(0.3)  # let layout and formatting settle
        window.view.jump_to_latest()
        await _grab(window, out / f"column-{name}-{theme}.png")
        bar = window.view.verticalScrollBar()
        bar.setValue(0)  # the one-line question's small bubble; "↓ Latest" shows
        await _grab(window, out / f"column-{name}-scrolled-{theme}.png")
    smallest = window.minimumSize()
    window.resize(smallest)
    await _grab(window, out / f"column-minimum-{theme}.png")


async def _grab(window: MainWindow, path: Path) -> None:
    await asyncio.sleep(0.3)
    window.grab().save(str(path))
    print(path)


if __name__ == "__main__":
    sys.exit(run_alone(column_screens))
