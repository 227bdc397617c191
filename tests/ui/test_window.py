"""The main window driven as a person would: type, click, wait for what appears on screen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from chatdesk.core.providers.mock_text import mock_answer
from chatdesk.core.store.models import Role, Status

LEFT = Qt.MouseButton.LeftButton


def test_send_shows_the_answer_and_the_new_thread(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = open_window(core)
    prompt = "Hello there, how are you?"
    last_words = mock_answer(prompt).text.split("\n\n")[-1][-40:]

    qtbot.keyClicks(window._composer, prompt)
    qtbot.mouseClick(window._send, LEFT)

    qtbot.waitUntil(lambda: last_words in window._view.toPlainText())
    qtbot.waitUntil(lambda: not window._stop.isEnabled())  # the answer has finished
    threads = window._threads
    qtbot.waitUntil(lambda: threads.rowCount() == 1 and threads.data(threads.index(0)) == prompt)
    assert prompt in window._view.toPlainText()
    assert window._composer.toPlainText() == ""
    page = finish(core.service.list_messages(window.current_thread_id))
    assert [(m.role, m.status) for m in page.messages] == [
        (Role.USER, Status.COMPLETE),
        (Role.ASSISTANT, Status.COMPLETE),
    ]

    qtbot.mouseClick(window._new, LEFT)
    assert window.current_thread_id is None
    assert window._view.toPlainText() == ""
    assert threads.rowCount() == 1


def test_stop_keeps_the_partial_answer_as_interrupted(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core(tokens_per_second=20)
    window = open_window(core)
    prompt = "Explain something slowly"
    full = mock_answer(prompt).text

    qtbot.keyClicks(window._composer, prompt)
    qtbot.keyClick(window._composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window._stop.isEnabled() and full[:8] in window._view.toPlainText())
    assert not window._send.isEnabled()
    qtbot.mouseClick(window._stop, LEFT)

    qtbot.waitUntil(lambda: "Stopped" in window._view.toPlainText())
    assert not window._stop.isEnabled()
    answer = finish(core.service.list_messages(window.current_thread_id)).messages[-1]
    assert answer.status is Status.INTERRUPTED
    assert answer.content
    assert full.startswith(answer.content)
    assert answer.content != full


def test_a_refused_message_stays_in_the_composer(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    core = make_core(CHATDESK_CHAT_MAX_MESSAGE_CHARS="1000")
    window = open_window(core)
    too_long = "x" * 1001
    window._composer.setPlainText(too_long)  # as if pasted
    qtbot.mouseClick(window._send, LEFT)

    qtbot.waitUntil(lambda: "limit is 1,000" in window.statusBar().currentMessage())
    assert window._composer.toPlainText() == too_long
    assert window._send.isEnabled()  # the user can shorten it and try again


def test_interactive_widgets_have_accessible_names(make_core: Any, open_window: Any) -> None:
    window = open_window(make_core())
    widgets = (window._list, window._new, window._view, window._composer, window._send)
    assert all(w.accessibleName() for w in (*widgets, window._stop))


def test_ctrl_q_closes_the_window(make_core: Any, open_window: Any, qtbot: QtBot) -> None:
    window = open_window(make_core())
    qtbot.waitExposed(window)
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())
