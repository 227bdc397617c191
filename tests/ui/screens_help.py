"""Screenshots of the Help menu's dialogs (the keyboard shortcuts, About chatdesk, Report a
problem), a message's copy button with its menu open, and the conversation zoomed to 150 %.
Light and dark.

    .venv/bin/python tests/ui/screens_help.py [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QWidget

from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _core, _grab_dialog, _until, run_alone


async def help_screens(app: QApplication, out: Path) -> None:
    core = _core()
    try:
        await core.start()
        turn = await core.service.send_new("Give me code for a tiny web server")
        await core.service.wait_for_answer(turn.answer.id)
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            window = MainWindow(core.service)
            window.help.data_folder = core.config.paths.data_dir
            window.help.log_folder = core.config.paths.log_dir
            window.resize(1100, 760)
            window.show()
            window.start()
            try:
                window.show_thread(turn.answer.thread_id)
                await _until(lambda w=window: _formatted(w))  # type: ignore[misc]
                await _shoot(window, out, theme)
            finally:
                window.close()
                await window.aclose()
                window.deleteLater()
        apply_theme(app, "light")
    finally:
        await core.aclose()


def _formatted(window: MainWindow) -> bool:
    widgets = window.view.widgets
    return len(widgets) == 2 and all(w.rendered is not None for w in widgets)


async def _shoot(window: MainWindow, out: Path, theme: str) -> None:
    answer = window.view.widgets[1]
    footer = answer.footer
    footer.set_hovered(True)
    menu = footer.copy.menu()
    menu.popup(footer.copy.mapToGlobal(QPoint(0, footer.copy.height())))
    await asyncio.sleep(0.3)
    # The offscreen screen is smaller than the window: the menu is drawn where a desktop puts
    # it, under the button and inside the window.
    shot = window.grab()
    painter = QPainter(shot)
    painter.drawPixmap(footer.copy.mapTo(window, QPoint(0, footer.copy.height())), menu.grab())
    painter.end()
    menu.close()
    _save(shot.toImage(), out / f"copy-menu-{theme}.png")
    footer.set_hovered(False)

    for name, opener in (
        ("shortcuts", window.help.show_shortcuts),
        ("about", window.help.about),
        ("report", window.help.report_problem),
    ):
        opener()
        dialog = window.help.dialog
        assert dialog is not None
        await _grab_dialog(dialog, out / f"help-{name}-{theme}.png")
        dialog.close()

    window.settings.zoom_to(150)
    await asyncio.sleep(0.5)  # the messages are laid out again at the new size
    await _grab(window, out / f"zoom-150-{theme}.png")
    window.settings.zoom_to(100)


async def _grab(widget: QWidget, path: Path) -> None:
    await asyncio.sleep(0.3)
    _save(widget.grab().toImage(), path)


def _save(image: object, path: Path) -> None:
    image.save(str(path))  # type: ignore[attr-defined]
    print(path)


if __name__ == "__main__":
    sys.exit(run_alone(help_screens))
