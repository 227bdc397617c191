"""The preferences beside an open window, with no OK: a change is in use in the window at once
and in the settings file after it, a refused value never reaches the file, what was applied is
what the next start reads, and the window reopens on the section shown last."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QSpinBox
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken

from chatdesk.app import Core
from chatdesk.core.config import save_preferences
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.preferences import PreferencesDialog
from chatdesk.ui.theme import ThemeWatcher, apply_theme
from tests.ui.test_preferences import child, show_tab

OpenWindow = Callable[[], MainWindow]


@pytest.fixture
def open_window(make_core: Any, qtbot: QtBot, finish: Any) -> Iterator[OpenWindow]:
    """A window over a core on the test's home folder; called again, a second start of it
    (close the first one before)."""
    made: list[MainWindow] = []
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme = ThemeWatcher.of(app).theme

    def open_() -> MainWindow:
        core: Core = make_core()
        window = window_over(core)
        window.config_file = core.config.paths.config_file  # type: ignore[attr-defined]
        made.append(window)
        return window

    yield open_
    for window in made[-1:]:  # a first one is closed by its test
        dialog = window.settings.dialog
        if dialog is not None and Shiboken.isValid(dialog):
            dialog.close()  # no window of one test left for the next
        window.close()
        finish(window.aclose())
        window.deleteLater()
    apply_theme(app, theme)  # the next test starts with the look it expects


def window_over(core: Core) -> MainWindow:
    """The window over `core`, shown and started, saving its settings as chatdesk does."""
    paths = core.config.paths
    window = MainWindow(
        settings=core.config.settings,
        save_settings=lambda settings: save_preferences(paths.config_file, settings),
    )
    window.attach(
        core.service, profiles=core.profiles, backups=core.backups, data_folder=paths.data_dir
    )
    window.show()
    window.start()
    return window


def _preferences(qtbot: QtBot, window: MainWindow) -> PreferencesDialog:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.settings.dialog is not None)
    dialog = window.settings.dialog
    assert isinstance(dialog, PreferencesDialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def _saved(window: MainWindow) -> dict[str, Any]:
    """The settings file as it is now."""
    config_file: Path = window.config_file  # type: ignore[attr-defined]
    return tomllib.loads(config_file.read_text()) if config_file.exists() else {}


def _is_dark(widget: MainWindow) -> bool:
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


def _ink(dialog: PreferencesDialog) -> list[int]:
    """How light each section's icon is drawn: the mean lightness of its opaque pixels."""
    sections = dialog.tabs.list
    inks = []
    for row in range(sections.count()):
        image = sections.item(row).icon().pixmap(18, 18).toImage()
        pixels = [
            image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())
        ]
        opaque = [pixel.lightness() for pixel in pixels if pixel.alpha() > 200]
        inks.append(sum(opaque) // max(len(opaque), 1))
    return inks


def test_a_theme_chosen_is_in_use_in_the_open_window_without_ok(
    qtbot: QtBot, open_window: OpenWindow
) -> None:
    window = open_window()
    dialog = _preferences(qtbot, window)
    theme = child(dialog, QComboBox, "themeChoice")
    light = theme.findData("light")
    theme.setCurrentIndex(light)
    qtbot.waitUntil(lambda: not _is_dark(window))
    assert all(ink < 128 for ink in _ink(dialog)), "the sections' icons are dark on light"
    theme.setFocus()
    qtbot.keyClick(theme, Qt.Key.Key_Down)  # Light → Dark
    qtbot.waitUntil(lambda: _is_dark(window))  # the conversation beside it is dark already
    assert dialog.isVisible()
    assert all(ink > 128 for ink in _ink(dialog)), "the sections' icons are light on dark"
    qtbot.waitUntil(lambda: _saved(window).get("ui", {}).get("theme") == "dark")


def test_a_number_out_of_bounds_is_named_and_the_file_keeps_the_last_good_one(
    qtbot: QtBot, open_window: OpenWindow
) -> None:
    window = open_window()
    dialog = _preferences(qtbot, window)
    show_tab(dialog, "Usage")
    warn_at = child(dialog, QSpinBox, "capWarnAt")
    warn_at.setFocus()
    warn_at.selectAll()
    qtbot.keyClicks(warn_at, "90")
    qtbot.keyClick(warn_at, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _saved(window).get("caps", {}).get("warn_at") == 0.9)
    warn_at.selectAll()
    qtbot.keyClicks(warn_at, "5")
    qtbot.keyClick(warn_at, Qt.Key.Key_Return)
    error = child(dialog, QLabel, "capWarnAtError")
    assert error.isVisible()
    assert error.text() == "Between 10 and 100"
    show_tab(dialog, "Chat")
    titles = dialog.chat.controls()[7]  # "Name new threads from their first answer"
    titles.setFocus()
    titles.click()  # another change, saved after the refused one
    qtbot.waitUntil(lambda: _saved(window).get("chat", {}).get("auto_titles") is False)
    assert _saved(window)["caps"]["warn_at"] == 0.9  # the last good value


def test_what_was_applied_is_what_the_next_start_reads_and_it_reopens_on_the_last_section(
    qtbot: QtBot, open_window: OpenWindow, finish: Any
) -> None:
    window = open_window()
    dialog = _preferences(qtbot, window)
    width = child(dialog, QSpinBox, "columnWidth")
    width.setFocus()
    width.selectAll()
    qtbot.keyClicks(width, "1000")
    qtbot.keyClick(width, Qt.Key.Key_Return)
    show_tab(dialog, "Data")
    qtbot.keyClick(dialog.tabs.list, Qt.Key.Key_Escape)  # Esc closes; nothing to confirm
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert window.settings.current.ui.column_width == 1000  # in use in this window already
    qtbot.waitUntil(lambda: _saved(window).get("ui", {}).get("column_width") == 1000)

    again = _preferences(qtbot, window)
    assert again is not dialog
    assert again.tabs.currentWidget() is again.data  # where it was closed

    again.close()
    window.close()
    finish(window.aclose())
    window.deleteLater()  # its preferences with it
    second = open_window()  # chatdesk started again
    assert second.settings.current.ui.column_width == 1000
    reopened = _preferences(qtbot, second)
    assert child(reopened, QSpinBox, "columnWidth").value() == 1000
    reopened.close()
