"""The Help menu (the keyboard shortcuts, About chatdesk, Report a problem) and the View menu's
zoom, chosen from the window's own menus and keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from chatdesk import __version__
from chatdesk.app import Core
from chatdesk.core.config import save_preferences
from chatdesk.core.settings_start import read_start_settings
from chatdesk.ui.help.about import FactsDialog
from chatdesk.ui.help.shortcuts import ShortcutsDialog
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import ThemeWatcher, apply_theme
from chatdesk.ui.window.menus import SHORTCUTS
from tests.ui.shown import shown

CTRL = Qt.KeyboardModifier.ControlModifier
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def restore_font(qapp: QApplication) -> Iterator[None]:
    """The QApplication is shared by all tests: a zoom must not outlive its test."""
    theme = ThemeWatcher.of(qapp).theme
    yield
    apply_theme(qapp, theme)


@pytest.fixture
def window(make_core: Any, qtbot: QtBot, finish: Any) -> Iterator[MainWindow]:
    """The window as the application makes it: its settings saved to the config file, the
    data and log folders known."""
    core: Core = make_core()
    paths = core.config.paths
    made = MainWindow(
        settings=core.config.settings,
        save_settings=lambda settings: save_preferences(paths.config_file, settings),
    )
    made.attach(core.service, data_folder=paths.data_dir, log_folder=paths.log_dir)
    made.show()
    made.start()
    made.core = core  # type: ignore[attr-defined]
    yield made
    made.close()
    finish(made.aclose())
    made.deleteLater()


def _core(window: MainWindow) -> Core:
    core: Core = window.core  # type: ignore[attr-defined]
    return core


def _entry(window: MainWindow, menu: str, text: str) -> Any:
    """The action `text` of the menu bar's menu `menu`, as a user finds it."""
    [bar_menu] = [a.menu() for a in window.menuBar().actions() if a.text() == menu]
    [action] = [a for a in bar_menu.actions() if a.text() == text]
    return action


def _answered(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClicks(window.composer.editor, "Tell me about zoom")
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            len(window.view.widgets) == 2
            and window.conversation.messages()[-1].status.is_final
            and all(w.rendered is not None for w in window.view.widgets)
        )
    )


# -- keyboard shortcuts -------------------------------------------------------------------------


def test_the_shortcuts_dialog_lists_every_key_of_the_menus(
    qtbot: QtBot, window: MainWindow
) -> None:
    _entry(window, "&Help", "&Keyboard shortcuts").trigger()
    dialog = shown(qtbot, window, ShortcutsDialog)
    listed = dict(dialog.listed())

    for action in window.menus.actions.values():
        if action.shortcut().isEmpty():
            continue
        command = action.text().replace("&", "")
        assert listed[command] == action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    assert listed["Stop the answer"] == QKeySequence("Esc").toString(
        QKeySequence.SequenceFormat.NativeText
    )
    with_keys = [row for row in SHORTCUTS if row[2]]
    assert len(listed) == len(with_keys) + 1  # and Esc, which stops an answer
    dialog.reject()


def test_ctrl_slash_opens_the_shortcuts(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Slash, CTRL)
    dialog = shown(qtbot, window, ShortcutsDialog)
    assert "Zoom in" in dict(dialog.listed())
    dialog.reject()


# -- about and report ----------------------------------------------------------------------------


def test_about_names_the_version_the_folders_and_copies_them(
    qtbot: QtBot, window: MainWindow
) -> None:
    paths = _core(window).config.paths
    _entry(window, "&Help", "&About chatdesk").trigger()
    dialog = shown(qtbot, window, FactsDialog)
    assert dialog.windowTitle() == "About chatdesk"
    assert __version__ in dialog.words.text()
    assert "MIT" in dialog.words.text()
    facts = dialog.facts.toPlainText()
    assert str(paths.data_dir) in facts
    assert "Qt " in facts
    assert "Python " in facts

    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, LEFT)
    assert QGuiApplication.clipboard().text() == facts
    assert dialog.said.text() == "Copied. Paste it into your report."
    dialog.reject()


def test_report_a_problem_names_the_log_folder_and_copies_no_secret_nor_chat(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, finish: Any
) -> None:
    core = _core(window)
    secret = "sk-never-in-a-report-123"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    _answered(qtbot, window)
    said = window.view.widgets[1].message.content
    _entry(window, "&Help", "&Report a problem…").trigger()
    dialog = shown(qtbot, window, FactsDialog)
    assert str(core.config.paths.log_dir) in dialog.words.text()
    assert not [b for b in dialog.findChildren(QPushButton) if "Open" in b.text()]

    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, LEFT)
    copied = QGuiApplication.clipboard().text()
    assert str(core.config.paths.log_dir) in copied
    assert f"chatdesk {__version__}" in copied
    assert secret not in copied
    assert "Tell me about zoom" not in copied
    assert said[:40] not in copied
    dialog.reject()


# -- zoom -----------------------------------------------------------------------------------------


def _text_points(window: MainWindow) -> float:
    return window.view.widgets[1].body.font().pointSizeF()


def test_zoom_scales_the_messages_live_and_is_kept_for_the_next_start(
    qtbot: QtBot, window: MainWindow
) -> None:
    _answered(qtbot, window)
    answer = window.view.widgets[1]
    before = _text_points(window)
    height, px = answer.body.height(), window.formatter.reading.text_px

    _entry(window, "&View", "Zoom &in").trigger()
    qtbot.waitUntil(lambda: _text_points(window) > before)
    assert window.settings.current.ui.zoom == 110
    assert window.formatter.reading.text_px > px  # formulas are drawn to the new size too
    qtbot.waitUntil(lambda: answer.body.height() > height)  # laid out again at the new size
    assert "110 %" in window.statusBar().currentMessage()

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Equal, CTRL)
    assert window.settings.current.ui.zoom == 125
    config = _core(window).config.paths.config_file
    qtbot.waitUntil(lambda: config.exists() and read_start_settings(config).ui.zoom == 125)

    qtbot.keyClick(window, Qt.Key.Key_0, CTRL)
    qtbot.waitUntil(lambda: _text_points(window) == before)
    qtbot.waitUntil(lambda: read_start_settings(config).ui.zoom == 100)


def test_zoom_stops_at_its_bounds(qtbot: QtBot, window: MainWindow) -> None:
    zoom_out = _entry(window, "&View", "Zoom &out")
    for _ in range(12):
        zoom_out.trigger()
    assert window.settings.current.ui.zoom == 50
    zoom_in = _entry(window, "&View", "Zoom &in")
    for _ in range(12):
        zoom_in.trigger()
    assert window.settings.current.ui.zoom == 200


def test_a_zoom_out_of_bounds_in_the_file_is_reported_and_not_used(tmp_path: Any) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[ui]\nzoom = 400\n")
    assert read_start_settings(config).ui.zoom == 100
