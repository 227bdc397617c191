"""Screenshots of the quick window over a running main window: empty, with the copied text
offered as a chip (added), while the answer streams, and answered. Light and dark (and any
language: CHATDESK_UI_LANGUAGE). Run through tests/ui/screens.py, or alone:

    .venv/bin/python tests/ui/screens_quick.py [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from chatdesk.ui.desktop.hub import Desktop
from chatdesk.ui.quick.asking import QuickAsk
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _core, _until, shown_window
from tests.ui.screens_compare import _save

COPIED = (
    "Tenants must give at least one month's notice in writing, ending on the last day of a "
    "rental period, unless the tenancy agreement allows a shorter break clause."
)
QUESTION = "Does this mean I can leave in the middle of the month?"


async def quick_screens(app: QApplication, out: Path) -> None:
    core = _core(CHATDESK_MOCK_TOKENS_PER_SECOND="25")
    try:
        await core.start()
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            async with shown_window(core, 1200, 800) as window:
                desktop = Desktop(window)
                try:
                    await _shots(desktop, out, theme)
                finally:
                    await desktop.aclose()
    finally:
        await core.aclose()


async def _shots(desktop: Desktop, out: Path, theme: str) -> None:
    QGuiApplication.clipboard().setText("")
    desktop.quick_ask()
    quick = desktop.quick
    assert quick is not None
    await _until(lambda: quick.pickers.assistants.isVisible())
    await _shot(quick, out / f"quick-empty-{theme}.png")
    quick.window.hide()
    QGuiApplication.clipboard().setText(COPIED)
    desktop.quick_ask()
    quick.window.chip.toggle()
    quick.window.question.setPlainText(QUESTION)
    await _shot(quick, out / f"quick-context-{theme}.png")
    quick.window.question.setFocus()
    quick.ask(QUESTION)
    await _until(lambda: len(quick.window.answer.toPlainText()) > 120)
    await _shot(quick, out / f"quick-streaming-{theme}.png")
    await _until(lambda: quick.answer_id is None and quick.window.copy.isVisible(), 60)
    await _until(quick.window.formatted.isVisible, 60)  # formatted in the render child
    await _shot(quick, out / f"quick-answered-{theme}.png")
    quick.window.hide()


async def _shot(quick: QuickAsk, path: Path) -> None:
    await asyncio.sleep(0.2)  # laid out and painted
    _save(quick.window.grab(), path)


if __name__ == "__main__":
    from tests.ui.screens import run_alone

    sys.exit(run_alone(quick_screens))
