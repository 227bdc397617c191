"""A window of temporary chats, with real widgets offscreen over a started core on a real
SQLite file: opened from the main window (Ctrl+Shift+N), marked as temporary, its chats absent
from the main window's list; closing it asks while a chat is not kept; Keep saves the chat
shown, which the main window then shows; files are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken

from chatdesk.core.temporary import NO_FILES
from chatdesk.core.views import ThreadFilter
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.temporary_window import TemporaryWindow, offer_temporary_chats
from chatdesk.ui.theme import ThemeWatcher


def _open_temporary(qtbot: QtBot, window: MainWindow, core: Any) -> TemporaryWindow:
    offer_temporary_chats(window, core.temporary)
    window.menus.actions["on_demand.open_temporary"].trigger()
    qtbot.waitUntil(lambda: bool(window.on_demand.temporary_windows))  # made off the GUI thread
    temporary = window.on_demand.temporary_windows[-1]
    assert isinstance(temporary, TemporaryWindow)
    qtbot.waitUntil(lambda: temporary.isVisible() and temporary._service is not None)
    return temporary


def _close(qtbot: QtBot, temporary: TemporaryWindow, finish: Any) -> None:
    temporary.close()
    _ended(qtbot, temporary, finish)


def _ended(qtbot: QtBot, temporary: TemporaryWindow, finish: Any) -> None:
    """Wait until the closed window has dropped its chats."""
    qtbot.waitUntil(lambda: temporary.ending is not None)
    ending = temporary.ending
    assert ending is not None

    async def wait() -> None:
        await ending

    finish(wait())


def test_a_temporary_chat_is_marked_kept_out_of_the_list_and_kept_on_request(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = open_window(core)
    temporary = _open_temporary(qtbot, window, core)
    assert temporary.banner.isVisible()
    assert temporary.header.title.text() == "New chat · temporary"  # before any chat
    assert temporary.windowTitle() == "New chat (temporary) — chatdesk"
    note = temporary.banner.findChild(QLabel, "temporaryNote")
    assert note is not None
    assert "live only in memory" in note.text()

    qtbot.keyClicks(temporary.composer.editor, "Private question")
    qtbot.keyClick(temporary.composer.editor, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            len(temporary.view.widgets) == 2
            and temporary.conversation.messages()[-1].status.is_final
        )
    )
    assert temporary.header.title.text().endswith("· temporary")
    assert "(temporary)" in temporary.windowTitle()
    listed = finish(core.service.list_threads(ThreadFilter(archived=None), limit=5, cursor=None))
    assert listed.threads == ()

    temporary.close()  # not kept: it asks
    assert temporary.isVisible()
    assert isinstance(temporary.question, QMessageBox)
    assert "lose 1 temporary chat" in temporary.question.text()
    temporary.question.reject()

    thread_id = temporary.current_thread_id
    qtbot.mouseClick(temporary.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_thread_id == thread_id)
    assert temporary.header.title.text().endswith("· kept")
    assert not temporary.keep_button.isEnabled()
    assert temporary.keep_button.text() == "Kept"
    qtbot.waitUntil(lambda: len(window.view.widgets) == 2)
    assert window.view.widgets[0].body.toPlainText() == "Private question"

    chats = temporary._chats
    _close(qtbot, temporary, finish)  # everything kept: no question
    assert not Shiboken.isValid(temporary)  # closed and gone
    assert chats.store._closed  # the database in memory went with it
    assert finish(core.service.get_thread(thread_id)).id == thread_id


def test_closing_after_agreeing_drops_the_chats_and_files_are_refused(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, tmp_path: Path
) -> None:
    core = make_core()
    window = open_window(core)
    temporary = _open_temporary(qtbot, window, core)
    note = tmp_path / "notes.txt"
    note.write_text("secret notes")
    temporary.composer.files_dropped.emit([note])
    qtbot.waitUntil(lambda: NO_FILES[:40] in temporary.statusBar().currentMessage())
    assert temporary.composer.attachments() == []
    qtbot.keyClicks(temporary.composer.editor, "Throwaway")
    qtbot.keyClick(temporary.composer.editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: temporary.conversation.messages()[-1:] != [])

    temporary.close()
    assert isinstance(temporary.question, QMessageBox)
    [lose] = [b for b in temporary.question.buttons() if b.text() == "Close and lose it"]
    lose.click()
    _ended(qtbot, temporary, finish)
    listed = finish(core.service.list_threads(ThreadFilter(archived=None), limit=5, cursor=None))
    assert listed.threads == ()


def test_the_banner_stays_marked_when_the_theme_changes(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, qapp: QApplication
) -> None:
    core = make_core()
    window = open_window(core)
    temporary = _open_temporary(qtbot, window, core)
    ThemeWatcher.of(qapp).changed.emit(False)  # as when the desktop's theme changes
    banner = temporary.banner.grab().toImage()
    header = temporary.header.grab().toImage()
    assert QColor(banner.pixel(4, 4)) != QColor(header.pixel(4, 4))
    _close(qtbot, temporary, finish)  # no chat was made: no question
