"""A message's actions by the keyboard alone: Tab and Shift+Tab reach each one, Space or Return
triggers it, and a screen reader finds it by its name. No mouse event is sent."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAccessible, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.main_window import MainWindow

TAB, BACKTAB = Qt.Key.Key_Tab, Qt.Key.Key_Backtab
SPACE, RETURN = Qt.Key.Key_Space, Qt.Key.Key_Return
STOPS = 80  # more than the window's tab stops: a target not met by then is not in the order


def focused(window: MainWindow) -> QWidget:
    """Where a key goes: the focus widget, else the active window (as on a desktop)."""
    return QApplication.focusWidget() or QApplication.activeWindow() or window


def press(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> None:
    QTest.keyClick(focused(window), key)


def tab_to(qtbot: QtBot, window: MainWindow, target: QWidget, key: Qt.Key = TAB) -> None:
    """Press Tab (or Shift+Tab) until `target` has the keyboard focus."""
    met = []
    for _ in range(STOPS):
        now = QApplication.focusWidget()
        if now is target:
            return
        met.append("nothing" if now is None else f"{type(now).__name__} {now.accessibleName()!r}")
        press(qtbot, window, key)
    path = "\n  ".join(met)
    raise AssertionError(f"{target.accessibleName()!r} not reached by {key.name}:\n  {path}")


def focus_within(widget: QWidget) -> bool:
    now = QApplication.focusWidget()
    return now is not None and widget.isAncestorOf(now)


def spoken(widget: QWidget) -> str:
    face = QAccessible.queryAccessibleInterface(widget)
    assert face is not None
    return face.text(QAccessible.Text.Name)


def drawn(button: QAbstractButton) -> bool:
    """The button paints something (withheld, it paints not a pixel)."""
    image = button.grab().toImage()
    return any(
        image.pixelColor(x, y).alpha() for x in range(image.width()) for y in range(image.height())
    )


def ask_and_wait(qtbot: QtBot, window: MainWindow, text: str, count: int = 2) -> None:
    """Type a question in the composer, send it with Return, wait for the formatted answer."""
    qtbot.waitUntil(window.isActiveWindow)  # the keys go to it
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # the composer
    assert window.composer.editor.hasFocus()
    QTest.keyClicks(focused(window), text)
    press(qtbot, window, RETURN)
    qtbot.waitUntil(lambda: settled(window, count))


def settled(window: MainWindow, count: int) -> bool:
    messages, widgets = window.conversation.messages(), window.view.widgets
    return (
        len(messages) == count
        and messages[-1].status.is_final
        and len(widgets) == count
        and all(w.rendered is not None and w.isVisible() for w in widgets)
    )


def answer_of(window: MainWindow) -> MessageWidget:
    widget: MessageWidget = window.view.widgets[-1]
    return widget


def test_a_screen_reader_finds_each_action_by_its_name(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    ask_and_wait(qtbot, window, "Give me code")
    user, answer = window.view.widgets
    remember = "Remember this…"  # memories are kept in a saved chat
    assert [spoken(b) for b in user.footer.buttons] == ["Copy", "Edit", remember, "Delete"]
    read = "Read aloud"
    assert [spoken(b) for b in answer.footer.buttons] == [
        "Copy",
        read,
        "Regenerate",
        remember,
        "Delete",
    ]
    for button in (*user.footer.buttons, *answer.footer.buttons):
        assert button.toolTip()
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    # Nothing is focused there and the mouse is elsewhere: only the last message's show.
    assert not any(drawn(b) for b in user.footer.buttons)
    assert all(drawn(b) for b in answer.footer.buttons)


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")  # the menu
def test_copy_and_its_menu_from_the_keyboard(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    ask_and_wait(qtbot, window, "Give me code")
    user, answer = window.view.widgets
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()

    tab_to(qtbot, window, answer.footer.copy)
    assert all(drawn(b) for b in answer.footer.buttons)  # the focused message's actions show
    assert not any(drawn(b) for b in user.footer.buttons)  # the others' stay withheld
    press(qtbot, window, SPACE)
    assert clipboard.text() == answer.message.content
    assert "```" in clipboard.text()  # the Markdown, fences and all

    # The Down key opens the copy button's menu; its second entry copies the text.
    chosen: list[str] = []

    def choose_text() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        chosen.extend(a.text() for a in menu.actions())
        QTest.keyClick(menu, Qt.Key.Key_Down)
        QTest.keyClick(menu, Qt.Key.Key_Down)
        QTest.keyClick(menu, RETURN)

    QTimer.singleShot(0, choose_text)  # the menu runs its own loop until it is closed
    press(qtbot, window, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: clipboard.text() == answer.body.toPlainText())
    assert chosen == ["Copy as &Markdown", "Copy as &text"]
    assert "```" not in clipboard.text()
    window.activateWindow()  # as the desktop does once a menu closes (offscreen does not)
    qtbot.waitUntil(window.isActiveWindow)
    assert answer.footer.copy.hasFocus()  # the focus is back where the key was pressed

    tab_to(qtbot, window, user.footer.copy, BACKTAB)  # back up to the question
    assert all(drawn(b) for b in user.footer.buttons)
    assert all(drawn(b) for b in answer.footer.buttons)  # the last answer's always show
    press(qtbot, window, SPACE)
    assert clipboard.text() == "Give me code"


def test_regenerate_then_the_version_arrows_from_the_keyboard(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    ask_and_wait(qtbot, window, "Give me code")
    first = answer_of(window)
    tab_to(qtbot, window, first.footer.regenerate_or_edit)
    assert spoken(first.footer.regenerate_or_edit) == "Regenerate"
    press(qtbot, window, SPACE)
    qtbot.waitUntil(lambda: settled(window, 2) and answer_of(window).message.id != first.message.id)
    second = answer_of(window)
    assert second.footer.branch.text() == "2/2"
    assert spoken(second.footer.previous) == "Previous version"
    # The focus stays on the action, on the version that took the old one's place.
    assert second.footer.regenerate_or_edit.hasFocus()

    tab_to(qtbot, window, second.footer.previous, BACKTAB)
    press(qtbot, window, SPACE)
    qtbot.waitUntil(
        lambda: (
            answer_of(window).message.id == first.message.id
            and settled(window, 2)
            and focus_within(answer_of(window).footer)
        )
    )
    earlier = answer_of(window)
    assert earlier.footer.branch.text() == "1/2"
    assert spoken(earlier.footer.next) == "Next version"
    assert focus_within(earlier.footer)  # "Previous" is off at 1/2: a neighbour has it

    tab_to(qtbot, window, earlier.footer.next)
    press(qtbot, window, SPACE)
    qtbot.waitUntil(lambda: answer_of(window).message.id == second.message.id)
    assert answer_of(window).footer.branch.text() == "2/2"


def test_edit_and_send_the_question_from_the_keyboard(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    ask_and_wait(qtbot, window, "first wording")
    editor, save = start_editing(qtbot, window)
    QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor, "second wording")
    # Shift+Tab leaves the editor (Tab types a tab character there: see the test below).
    tab_to(qtbot, window, save, BACKTAB)
    assert editor.toPlainText() == "second wording"
    press(qtbot, window, SPACE)
    qtbot.waitUntil(
        lambda: settled(window, 2) and window.conversation.messages()[0].content == "second wording"
    )
    assert window.view.widgets[0].footer.branch.text() == "2/2"


def test_tab_moves_on_from_the_message_editor(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    ask_and_wait(qtbot, window, "first wording")
    editor, save = start_editing(qtbot, window)
    press(qtbot, window, TAB)
    assert editor.toPlainText() == "first wording"  # no tab character typed
    assert not editor.hasFocus()  # on to the row under it: Cancel, then Save
    tab_to(qtbot, window, save)
    assert editor.toPlainText() == "first wording"


def start_editing(qtbot: QtBot, window: MainWindow) -> tuple[QPlainTextEdit, QPushButton]:
    """Edit the question by its Edit action: the editor, which has the focus, and its Save."""
    user = window.view.widgets[0]
    tab_to(qtbot, window, user.footer.regenerate_or_edit, BACKTAB)
    assert spoken(user.footer.regenerate_or_edit) == "Edit"
    press(qtbot, window, SPACE)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QPlainTextEdit)
    assert spoken(editor) == "Edit your message"
    save = next(b for b in user.findChildren(QPushButton) if b.text() == "Save && send")
    qtbot.waitUntil(save.isVisible)  # the editor's row is laid out on the next turn
    return editor, save


def test_delete_asks_and_the_question_is_answered_from_the_keyboard(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    ask_and_wait(qtbot, window, "one")
    ask_and_wait(qtbot, window, "two", 4)
    doomed = window.view.widgets[2]
    tab_to(qtbot, window, doomed.footer.delete)
    assert spoken(doomed.footer.delete) == "Delete"

    press(qtbot, window, SPACE)
    box = asked(qtbot, window)
    press(qtbot, window, RETURN)  # Enter takes the safe answer: nothing is deleted
    back_from(qtbot, window, box)
    assert len(window.conversation.messages()) == 4
    assert doomed.footer.delete.hasFocus()  # where the question came from

    tab_to(qtbot, window, doomed.footer.delete)
    press(qtbot, window, SPACE)
    box = asked(qtbot, window)
    yes = box.button(QMessageBox.StandardButton.Yes)
    tab_to(qtbot, window, yes)
    press(qtbot, window, SPACE)
    back_from(qtbot, window, box)
    qtbot.waitUntil(lambda: settled(window, 2))
    assert window.view.widgets[0].body.toPlainText() == "one"


def asked(qtbot: QtBot, window: MainWindow) -> QMessageBox:
    """The question on screen, once it has the keyboard focus."""
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox))
    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    qtbot.waitUntil(lambda: focus_within(box))
    return box


def back_from(qtbot: QtBot, window: MainWindow, box: QMessageBox) -> None:
    """The question is closed and the window has the keyboard again: a desktop activates the
    window a closed dialog leaves; the offscreen platform leaves that to the test."""
    qtbot.waitUntil(lambda: not box.isVisible())
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
