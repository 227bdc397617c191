"""A message's actions and figures show while the mouse is over it or the keyboard is in it, and
always under the conversation's last message; elsewhere their places stay empty, so nothing
moves as they come and go, and nothing but their row is painted again (the conversation is not
laid out again); a comparison's answers, the last message, each show theirs. With real widgets
offscreen over a started core."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.main_window import MainWindow
from tests.ui.pointer import hover
from tests.ui.test_message_keyboard import TAB, ask_and_wait, tab_to


def painted(widget: QWidget) -> bool:
    """Something is drawn on `widget`'s ground (withheld, it is one colour)."""
    image = widget.grab().toImage()
    colours = {image.pixel(x, y) for x in range(image.width()) for y in range(image.height())}
    return len(colours) > 1


def shows_actions(message: MessageWidget) -> bool:
    """Its actions and its figures are painted (not one pixel of them otherwise)."""
    footer = message.footer
    shown = [painted(button) for button in footer.buttons if button.isVisibleTo(footer)]
    figures = painted(footer.meta)
    assert all(shown) == any(shown) == figures, "the row shows whole or not at all"
    return figures


class LayoutRequests(QObject):
    """Counts the conversation being laid out again (a layout request to its content)."""

    def __init__(self, content: QWidget) -> None:
        super().__init__()
        self.count = 0
        content.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def opened(qtbot: QtBot, open_window: Any, make_core: Any, finish: Any) -> MainWindow:
    """A window showing a thread of two questions and their answers, formatted."""
    core = make_core()
    thread = finish(core.service.create_thread(title="two questions"))
    for question in ("What is a heap?", "And a stack?"):
        turn = finish(core.service.send(thread.id, question))
        finish(core.service.wait_for_answer(turn.answer.id))
    window: MainWindow = open_window(core)
    window.show_thread(thread.id)
    qtbot.waitUntil(
        lambda: (
            len(window.view.widgets) == 4
            and all(w.rendered is not None and w.isVisible() for w in window.view.widgets)
        )
    )
    return window


def test_the_mouse_shows_a_messages_actions_and_only_the_last_keeps_them(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = opened(qtbot, open_window, make_core, finish)
    question, answer, _, last = window.view.widgets
    hover(window.composer.editor)
    assert not shows_actions(question)
    assert not shows_actions(answer)
    assert shows_actions(last)  # the last answer's show without the mouse

    hover(answer.body)
    qtbot.waitUntil(lambda: shows_actions(answer))
    assert not shows_actions(question)
    hover(question.body)
    qtbot.waitUntil(lambda: shows_actions(question))
    assert not shows_actions(answer)  # left: hidden again
    hover(window.composer.editor)
    qtbot.waitUntil(lambda: not shows_actions(question))
    assert shows_actions(last)  # and the last answer's stay


def test_showing_the_actions_moves_nothing_and_lays_nothing_out(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = opened(qtbot, open_window, make_core, finish)
    content = window.view.widget()
    hover(window.composer.editor)
    # What comes after the page (memory kept here: Remember this… under each message) is in.
    qtbot.waitUntil(lambda: all(w.footer.remember.isVisible() for w in window.view.widgets))
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    placed = [(w.geometry(), w.footer.geometry()) for w in window.view.widgets]
    requests = LayoutRequests(content)
    for message in window.view.widgets * 2:
        hover(message.body)
        qtbot.waitUntil(lambda message=message: shows_actions(message))
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    hover(window.composer.editor)
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    assert requests.count == 0  # the rows were painted again, the conversation not laid out
    assert [(w.geometry(), w.footer.geometry()) for w in window.view.widgets] == placed


def test_the_keyboard_in_a_message_shows_its_actions(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = opened(qtbot, open_window, make_core, finish)
    question, answer, _, last = window.view.widgets
    hover(window.composer.editor)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    question.footer.copy.setFocus(Qt.FocusReason.TabFocusReason)
    assert shows_actions(question)
    tab_to(qtbot, window, answer.footer.copy, TAB)  # Tab on, into the answer
    assert shows_actions(answer)
    assert not shows_actions(question)  # the focus left it
    assert shows_actions(last)

    window.composer.focus_editor()  # Ctrl+L: out of the conversation
    qtbot.waitUntil(lambda: not shows_actions(answer))
    assert shows_actions(last)


def test_the_last_answer_hands_its_shown_actions_to_the_next_one(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    hover(window.composer.editor)
    ask_and_wait(qtbot, window, "What is a heap?")
    first = window.view.widgets[-1]
    assert shows_actions(first)
    ask_and_wait(qtbot, window, "And a stack?", count=4)
    hover(window.composer.editor)
    assert not shows_actions(first)
    assert shows_actions(window.view.widgets[-1])


def test_a_comparisons_answers_each_show_theirs_as_the_last_message(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    from tests.ui.test_compare_ui import _columns, _compare, _tick

    window = open_window(make_core())
    _tick(_compare(qtbot, window), "mock/mock-1", "mock/mock-2")
    hover(window.composer.editor)
    qtbot.keyClicks(window.composer.editor, "Explain tides")
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _columns(window) is not None)
    columns = _columns(window)
    assert columns is not None
    answers = list(columns.widgets.values())
    qtbot.waitUntil(lambda: all(a.message.status.is_final and a.rendered for a in answers))
    assert all(shows_actions(answer) for answer in answers)
