"""The tray's menu and close to tray, offscreen. Offscreen has no system tray: the icon itself,
its click and how a desktop draws its menu are not shown here; the menu's entries are
triggered as a click on them would, and close to tray runs with the tray said to be there
(`tray_available`), its icon never drawn."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.ui.desktop import tray as tray_module
from chatdesk.ui.desktop.hub import Desktop
from chatdesk.ui.main_window import MainWindow


@pytest.fixture
def desktop(attached_window: tuple[MainWindow, Core]) -> Iterator[Desktop]:
    window, core = attached_window
    made = Desktop(window, core)
    made.start()
    yield made
    made.close()


def _set(window: MainWindow, **desktop: Any) -> None:
    """Apply [desktop] settings as Preferences does."""
    current = window.settings.current
    window.settings.apply(
        dataclasses.replace(current, desktop=dataclasses.replace(current.desktop, **desktop))
    )


def _close_as_the_system_does(window: MainWindow) -> None:
    """The title bar's close button (a close event from outside chatdesk's Quit)."""
    window.close()


def _really_closed(window: MainWindow) -> bool:
    """The window took the close (it keeps its state and leaves): chatdesk ends after it."""
    return bool(window._leaving)


def test_menu_entries_show_the_window(desktop: Desktop, qtbot: QtBot) -> None:
    window = desktop.parent()
    assert isinstance(window, MainWindow)
    tray = desktop.tray
    assert tray is not None
    entries = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert entries == ["&New chat", "Quick &ask", "&Show chatdesk", "&Pause team sync", "&Quit"]
    tray.menu.aboutToShow.emit()
    assert not tray.pause_sync.isVisible()  # no team sync set up: nothing to pause
    assert tray.icon is None  # offscreen: no tray to put it in

    window.hide()
    tray.show_window.trigger()
    assert window.isVisible()

    # A click on the icon, or a double click (the window hidden just after a first click).
    clicks = QSystemTrayIcon.ActivationReason
    for reason in (clicks.Trigger, clicks.DoubleClick):
        window.hide()
        tray._activated(reason)
        assert window.isVisible()

    window.hide()
    tray.quick_ask.trigger()  # the quick window, over whatever is in front
    quick = desktop.quick
    assert quick is not None
    qtbot.waitUntil(quick.window.isVisible)
    assert not window.isVisible()  # the main window stays where it was
    quick.window.hide()


def test_new_chat_from_the_tray(desktop: Desktop, finish: Any, qtbot: QtBot) -> None:
    window = desktop.parent()
    assert isinstance(window, MainWindow)
    core = desktop._core
    assert core is not None
    turn = finish(core.service.send_new("hello"))
    window.show_thread(turn.answer.thread_id)
    qtbot.waitUntil(lambda: window.current_thread_id == turn.answer.thread_id)
    window.hide()
    assert desktop.tray is not None
    desktop.tray.new_chat.trigger()
    assert window.isVisible()
    qtbot.waitUntil(lambda: window.current_thread_id is None)


def test_quit_from_the_tray_ends_chatdesk(desktop: Desktop, qtbot: QtBot) -> None:
    window = desktop.parent()
    assert isinstance(window, MainWindow)
    _set(window, close_to_tray=True)
    window.hide()  # in the tray
    assert desktop.tray is not None
    with qtbot.waitSignal(desktop.ended):
        desktop.tray.quit.trigger()
    assert not window.isVisible()


# A tray icon shown offscreen looks for the X11 tray's window, which offscreen has not.
NO_TRAY_WINDOW = pytest.mark.qt_log_ignore(r"No such signal QPlatformNativeInterface::systemTray")


@NO_TRAY_WINDOW
def test_close_to_tray_hides_and_keeps_the_draft(
    desktop: Desktop, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tray_module, "tray_available", lambda: True)  # see the module's words
    window = desktop.parent()
    assert isinstance(window, MainWindow)
    _set(window, tray=False)
    _set(window, tray=True, close_to_tray=True)  # the tray made again, now "available"
    assert desktop.tray is not None
    assert desktop.tray.shown
    window.composer.editor.setPlainText("half a question")

    _close_as_the_system_does(window)
    assert not window.isVisible()
    assert not _really_closed(window)  # chatdesk keeps running
    assert desktop.close_to_tray is not None
    assert desktop.close_to_tray.told  # said once where it went
    desktop.tray.show_window.trigger()
    assert window.isVisible()
    assert window.composer.editor.toPlainText() == "half a question"

    _close_as_the_system_does(window)  # again: hidden, not told twice (nothing to check but
    assert not window.isVisible()  # that it is hidden again)
    desktop.show_window()

    # File ▸ Quit (Ctrl+Q) ends chatdesk even with close to tray on.
    window.menus.actions["close"].trigger()
    assert _really_closed(window)


@NO_TRAY_WINDOW
def test_without_close_to_tray_the_close_button_closes(
    desktop: Desktop, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tray_module, "tray_available", lambda: True)
    window = desktop.parent()
    assert isinstance(window, MainWindow)
    _set(window, tray=False)
    _set(window, tray=True, close_to_tray=False)
    _close_as_the_system_does(window)
    assert not window.isVisible()
    assert _really_closed(window)


def test_close_to_tray_needs_a_tray(desktop: Desktop, qtbot: QtBot) -> None:
    """Offscreen there is no tray: the close button closes, whatever the setting says (a
    hidden window with no icon to bring it back would be chatdesk lost)."""
    window = desktop.parent()
    assert isinstance(window, MainWindow)
    _set(window, close_to_tray=True)
    _close_as_the_system_does(window)
    assert _really_closed(window)
