"""A temporary chat in the main window, with real widgets offscreen over a started core on a real
SQLite file: Ctrl+Shift+N or the header's switch (an icon) starts it, marked (banner, header,
switch) and answered by the temporary chats' service, nothing of it in the database file;
leaving it (the switch, Ctrl+W, another chat, New chat, closing) returns to the saved chat shown
before and asks first while words would be lost; Keep as a normal chat saves it with what was
typed; the attach button is disabled and says why."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QToolTip
from pytestqt.qtbot import QtBot

from chatdesk.core.views import ThreadFilter
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import ThemeWatcher, current_look
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.window.temporary import NO_FILES
from tests.ui.pixels import inked

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _window(open_window: Any, core: Any) -> MainWindow:
    window: MainWindow = open_window(core)
    window.temporary.make = core.temporary  # as the application sets it (attach_core)
    return window


def _start(qtbot: QtBot, window: MainWindow) -> None:
    """Ctrl+Shift+N, as a user presses it; the database in memory is made off the GUI thread."""
    window.activateWindow()  # offscreen, a question closed gives the activation back to none
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window, Qt.Key.Key_N, CTRL | SHIFT)
    qtbot.waitUntil(lambda: window.temporary.shown and window.drafts.shown)


def _ask(qtbot: QtBot, window: MainWindow, text: str, count: int) -> None:
    window.composer.focus_editor()
    qtbot.keyClicks(window.composer.editor, text)
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            len(window.view.widgets) == count
            and window.conversation.messages()[-1].status.is_final
            and window.current_thread_id is not None
        )
    )


def _question(window: MainWindow) -> QMessageBox:
    question = window.temporary.question
    assert isinstance(question, QMessageBox)
    assert question.isVisible()
    return question


def _answer(window: MainWindow, label: str) -> None:
    [button] = [b for b in _question(window).buttons() if b.text() == label]
    assert button.isVisible()
    button.click()


def _in_file(core: Any, text: str, role: str = "%") -> int:
    """How many messages of the database file (as it is on disk) hold `text`."""
    path = core.config.paths.data_dir / "chatdesk.db"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        found: int = db.execute(
            "SELECT count(*) FROM messages WHERE content LIKE ? AND role LIKE ?",
            (f"%{text}%", role),
        ).fetchone()[0]
    return found


def test_a_temporary_chat_is_marked_and_nothing_of_it_reaches_the_database(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = _window(open_window, core)
    assert not window.temporary.banner.isVisible()
    assert window.menus.actions["temporary.start"].shortcut().toString() == "Ctrl+Shift+N"
    _start(qtbot, window)
    assert window.temporary.banner.isVisible()
    note = window.temporary.banner.findChild(QLabel, "temporaryNote")
    assert note is not None
    assert note.text() == "Temporary chat — not saved, searched or backed up"
    assert window.temporary.toggle.isChecked()
    assert window.header.title.text() == "New chat · temporary"
    assert window.windowTitle() == "New chat · temporary — chatdesk"

    _ask(qtbot, window, "Private question", 2)
    assert window.header.title.text().endswith("· temporary")
    assert window.temporary.keep_button.isEnabled()
    assert _in_file(core, "Private question") == 0  # answered from memory only
    listed = finish(core.service.list_threads(ThreadFilter(archived=None), limit=5, cursor=None))
    assert listed.threads == ()
    assert not window.menus.actions["export_thread"].isEnabled()  # it is not in the database


def test_the_switch_off_returns_to_the_saved_chat_shown_before_once_agreed(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = _window(open_window, core)
    _ask(qtbot, window, "Saved question", 2)
    saved = window.current_thread_id
    qtbot.mouseClick(window.temporary.toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.temporary.shown and window.current_thread_id is None)
    qtbot.waitUntil(lambda: window.view.widgets == [])  # the saved chat is no longer shown
    _ask(qtbot, window, "Throwaway", 2)
    chats = window.temporary.chats
    assert chats is not None

    qtbot.mouseClick(window.temporary.toggle, Qt.MouseButton.LeftButton)  # off: it asks
    assert "lose it" in _question(window).text()
    _question(window).reject()  # Cancel (Esc)
    assert window.temporary.shown
    assert window.temporary.toggle.isChecked()
    assert window.conversation.messages()[0].content == "Throwaway"

    qtbot.mouseClick(window.temporary.toggle, Qt.MouseButton.LeftButton)
    _answer(window, "Leave and lose it")
    qtbot.waitUntil(lambda: window.current_thread_id == saved and len(window.view.widgets) == 2)
    assert window.view.widgets[0].body.toPlainText() == "Saved question"
    assert not window.temporary.shown
    assert not window.temporary.banner.isVisible()
    assert window.header.title.text() == window.windowTitle().removesuffix(" — chatdesk")
    assert "temporary" not in window.header.title.text()
    qtbot.waitUntil(lambda: chats.store._closed)  # the database in memory is gone
    assert _in_file(core, "Throwaway") == 0


def test_keep_as_a_normal_chat_saves_it_with_what_was_typed(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = _window(open_window, core)
    _start(qtbot, window)
    _ask(qtbot, window, "Keep me", 2)
    thread_id = window.current_thread_id
    qtbot.keyClicks(window.composer.editor, "a follow-up not sent yet")
    qtbot.mouseClick(window.temporary.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            not window.temporary.shown
            and window.current_thread_id == thread_id
            and window.composer.text() == "a follow-up not sent yet"
        )
    )
    assert window.header.title.text() != ""
    assert "temporary" not in window.header.title.text()
    assert _in_file(core, "Keep me", role="user") == 1
    listed = finish(core.service.list_threads(ThreadFilter(archived=None), limit=5, cursor=None))
    assert [t.id for t in listed.threads] == [thread_id]
    qtbot.waitUntil(lambda: window.sidebar.selected == thread_id)


def test_words_typed_are_never_dropped_silently(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = _window(open_window, core)
    qtbot.waitUntil(lambda: window.drafts.shown)
    qtbot.keyClicks(window.composer.editor, "words for the saved new chat")
    _start(qtbot, window)
    assert window.composer.text() == ""  # they stay with the saved chat
    qtbot.keyClicks(window.composer.editor, "half a thought")

    QTest.keyClick(window, Qt.Key.Key_N, CTRL)  # New chat: it asks, nothing sent to keep
    question = _question(window)
    assert "what you typed" in question.informativeText()
    shown = sorted(b.text() for b in question.buttons() if b.isVisible())
    assert shown == ["Cancel", "Leave and lose it"]  # no chat yet: nothing to keep
    question.reject()
    assert window.temporary.shown
    assert window.composer.text() == "half a thought"

    QTest.keyClick(window, Qt.Key.Key_W, CTRL)  # Ctrl+W: leaves it, asking the same
    _answer(window, "Leave and lose it")
    qtbot.waitUntil(
        lambda: (
            not window.temporary.shown and window.composer.text() == "words for the saved new chat"
        )
    )

    _start(qtbot, window)  # nothing typed: leaving asks nothing
    QTest.keyClick(window, Qt.Key.Key_W, CTRL)
    qtbot.waitUntil(lambda: not window.temporary.shown and window.drafts.shown)
    assert window.composer.text() == "words for the saved new chat"


def test_files_cannot_be_attached_and_the_attach_entries_say_why(
    make_core: Any, open_window: Any, qtbot: QtBot, tmp_path: Path
) -> None:
    core = make_core()
    window = _window(open_window, core)
    menu = window.composer.plus_menu
    attach = [menu.files, menu.resource]  # "+" ▸ Attach files…, Resource from a server…
    assert all(action.isEnabled() for action in attach)
    _start(qtbot, window)
    assert not any(action.isEnabled() for action in attach)
    assert [action.toolTip() for action in attach] == [NO_FILES, NO_FILES]

    note = tmp_path / "notes.txt"
    note.write_text("secret notes")
    files = QMimeData()
    files.setUrls([QUrl.fromLocalFile(str(note))])
    editor = window.composer.editor
    assert not editor.canInsertFromMimeData(files)  # a drag of files shows it cannot drop
    editor.insertFromMimeData(files)  # pasted: said where the user looks
    qtbot.waitUntil(lambda: QToolTip.isVisible() and QToolTip.text() == NO_FILES)
    QToolTip.hideText()  # the application is shared by the tests that follow
    assert window.composer.attachments() == []
    assert window.statusBar().currentMessage() == ""

    QTest.keyClick(window, Qt.Key.Key_W, CTRL)
    qtbot.waitUntil(lambda: not window.temporary.shown)
    assert all(action.isEnabled() for action in attach)
    assert editor.canInsertFromMimeData(files)


def test_closing_the_window_asks_while_a_temporary_chat_has_words(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, qapp: QApplication
) -> None:
    core = make_core()
    window = _window(open_window, core)
    _start(qtbot, window)
    ThemeWatcher.of(qapp).changed.emit(False)  # as when the desktop's theme changes
    banner = window.temporary.banner.grab().toImage()
    header = window.header.grab().toImage()
    assert QColor(banner.pixel(4, 4)) != QColor(header.pixel(4, 4))  # still violet
    _ask(qtbot, window, "Before closing", 2)
    chats = window.temporary.chats
    assert chats is not None

    window.close()
    assert window.isVisible()
    _answer(window, "Leave and lose it")
    qtbot.waitUntil(lambda: not window.isVisible())
    finish(window.aclose())
    qtbot.waitUntil(lambda: chats.store._closed)


def test_the_switch_and_the_menu_entry_wait_for_a_way_to_make_temporary_chats(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    core = make_core()
    window: MainWindow = open_window(core)  # as tests and the screenshots make it: no maker
    qtbot.waitUntil(lambda: window.drafts.shown)
    start = window.menus.actions["temporary.start"]
    assert not window.temporary.toggle.isEnabled()
    assert not start.isEnabled()
    window.temporary.make = core.temporary
    assert window.temporary.toggle.isEnabled()
    assert start.isEnabled()
    assert not window.menus.actions["temporary.close_chat"].isEnabled()  # none shown yet


def test_a_long_title_is_cut_before_it_stops_saying_temporary(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    core = make_core()
    window = _window(open_window, core)
    _start(qtbot, window)
    _ask(qtbot, window, "A question whose title will be far too long for a narrow header", 2)
    title = window.header.title
    qtbot.waitUntil(lambda: title.text().endswith("· temporary") and len(title.text()) > 40)
    narrow = title.fontMetrics().horizontalAdvance(title.text()) // 2
    shown = title.shown_text(narrow)
    assert shown.endswith("· temporary")
    assert "…" in shown
    assert title.fontMetrics().horizontalAdvance(shown) <= narrow


def _ground(image: QImage) -> str:
    """The colour most of `image` is."""
    counted = Counter(
        QColor(image.pixel(x, y)).name()
        for x in range(image.width())
        for y in range(image.height())
    )
    return counted.most_common(1)[0][0]


def test_the_switch_is_an_icon_a_screen_reader_names_and_plainly_on(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    core = make_core()
    window = _window(open_window, core)
    toggle = window.temporary.toggle
    qtbot.waitUntil(toggle.isVisible)
    assert toggle.text() == ""  # no word in the header: an icon
    assert toggle.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
    assert toggle.accessibleName() == "Temporary chat"
    assert toggle.toolTip() == "A chat that is not saved, searched or backed up (Ctrl+Shift+N)"
    assert toggle.accessibleDescription() == toggle.toolTip()
    assert toggle.isCheckable()
    assert toggle.focusPolicy() & Qt.FocusPolicy.TabFocus
    roles = colours(current_look())
    size = toggle.iconSize()
    assert inked(toggle.icon().pixmap(size).toImage()) == {roles["text_quiet"]}  # quiet at rest
    assert _ground(toggle.grab().toImage()) != roles["temporary_tint"]

    _start(qtbot, window)
    assert toggle.isChecked()
    # On, it stands on the banner's violet, its icon in the text's colour.
    assert _ground(toggle.grab().toImage()) == roles["temporary_tint"]
    assert inked(toggle.icon().pixmap(size).toImage()) == {roles["text"]}
    QTest.keyClick(window, Qt.Key.Key_W, CTRL)  # nothing typed: it ends at once
    qtbot.waitUntil(lambda: not window.temporary.shown)
    assert not toggle.isChecked()
    assert inked(toggle.icon().pixmap(size).toImage()) == {roles["text_quiet"]}


def test_the_switch_is_not_shown_over_the_connect_page(
    attached_window: tuple[MainWindow, Any], qtbot: QtBot
) -> None:
    window, _core = attached_window
    qtbot.waitUntil(lambda: window.temporary.toggle.isVisible())
    window.connecting.offer()  # File ▸ Connect a model
    page = window.connecting.page
    assert page is not None
    qtbot.waitUntil(page.isVisible)
    assert not window.temporary.toggle.isVisible()
    window.connecting.close()
    assert window.temporary.toggle.isVisible()
