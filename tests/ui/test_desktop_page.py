"""Preferences ▸ Desktop: what it shows, what each control puts in use as it changes, and, with
the running window's desktop parts, the tray and the login item following it (the autostart
entry written for real under XDG_CONFIG_HOME)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.config import Settings
from chatdesk.ui.desktop.hub import Desktop
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.preferences import PreferencesDialog
from tests.ui.test_preferences import show_tab


@pytest.fixture
def dialog(qtbot: QtBot) -> PreferencesDialog:
    made = PreferencesDialog(Settings())
    qtbot.addWidget(made)
    with qtbot.waitExposed(made):
        made.show()
    show_tab(made, "Desktop")
    return made


def test_shows_the_settings_and_puts_changes_in_use(
    dialog: PreferencesDialog, qtbot: QtBot
) -> None:
    page = dialog.desktop
    assert page.shortcut.keySequence().toString() == "Ctrl+Alt+Space"
    assert page.quick_chats.currentData() == "project"
    assert page.tray.isChecked()
    assert not page.close_to_tray.isChecked()
    assert not page.start_at_login.isChecked()
    assert page.notify.isChecked()
    assert not page.shortcut_status.isVisible()  # nothing said until the shortcut's part tells

    with qtbot.waitSignal(dialog.edited):
        page.close_to_tray.click()
    with qtbot.waitSignal(dialog.edited):
        page.quick_chats.setCurrentIndex(page.quick_chats.findData("temporary"))
    page.shortcut.setFocus()
    with qtbot.waitSignal(dialog.edited):  # applied once the keys are pressed (a moment after)
        QTest.keyClick(page.shortcut, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    desktop = dialog.settings_from(Settings()).desktop
    assert desktop.close_to_tray
    assert desktop.quick_chats == "temporary"
    assert desktop.quick_shortcut == "Ctrl+K"

    with qtbot.waitSignal(dialog.edited):  # cleared: no keys at all
        page.shortcut.clear()
    assert dialog.settings_from(Settings()).desktop.quick_shortcut == ""


def test_close_to_tray_needs_the_tray(dialog: PreferencesDialog) -> None:
    page = dialog.desktop
    assert page.close_to_tray.isEnabled()
    page.tray.click()
    assert not page.close_to_tray.isEnabled()
    assert not dialog.settings_from(Settings()).desktop.tray


def test_the_shortcut_line_says_what_it_is_told(dialog: PreferencesDialog) -> None:
    page = dialog.desktop
    page.show_shortcut_status("Ctrl+Alt+Space works in every program.")
    assert page.shortcut_status.isVisible()
    assert page.shortcut_status.text() == "Ctrl+Alt+Space works in every program."
    page.show_shortcut_status("")
    assert not page.shortcut_status.isVisible()


@pytest.fixture
def running(attached_window: tuple[MainWindow, Core]) -> Iterator[tuple[MainWindow, Desktop]]:
    window, core = attached_window
    desktop = Desktop(window, core)
    desktop.start()
    yield window, desktop
    desktop.close()


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG entry is Linux's")
def test_the_running_chatdesk_follows_the_page(
    running: tuple[MainWindow, Desktop],
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    entry = tmp_path / "xdg" / "autostart" / "io.github.chatdesk.Chatdesk.desktop"
    window, desktop = running
    window.settings.open_preferences()
    opened: Any = window.settings.dialog
    assert isinstance(opened, PreferencesDialog)
    show_tab(opened, "Desktop")
    assert desktop.tray is not None

    opened.desktop.start_at_login.click()
    qtbot.waitUntil(entry.exists)
    assert "--tray" in entry.read_text()
    opened.desktop.start_at_login.click()
    qtbot.waitUntil(lambda: not entry.exists())

    opened.desktop.tray.click()
    assert desktop.tray is None  # the icon leaves the tray at once
    opened.desktop.tray.click()
    assert desktop.tray is not None
    opened.close()
