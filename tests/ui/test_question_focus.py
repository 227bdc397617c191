"""A server's question does not take the keys of someone typing: with words in the composer the
focus stays there, the card says which keys go to it, and those keys do; with the composer idle
and empty, the card takes the focus. The mock model calls the test server's ask_form tool
(tests/core/mcp_server.py with mcp_parts/asks.py, over stdio)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from chatdesk.core.tools.model import Policy
from chatdesk.ui.main_window import MainWindow
from tests.ui.test_questions_ui import WAIT, _question, _result, _window
from tests.ui.test_window import send


def _allow_once(window: MainWindow, qtbot: QtBot) -> QPushButton:
    """The "Allow once" of the call waiting for approval."""

    def found() -> QPushButton | None:
        widget = window.view.widgets[-1] if len(window.view.widgets) == 2 else None
        calls = widget.tool_calls if widget is not None else None
        cards = list(calls.cards.values()) if calls is not None else []
        return cards[0].choice_buttons.get("once") if cards else None

    qtbot.waitUntil(lambda: found() is not None, timeout=WAIT)
    button = found()
    assert button is not None
    return button


def test_a_question_waits_beside_words_being_typed_and_its_keys_go_to_it(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = _window(make_core, open_window, qtbot, finish, Policy.ASK)
    editor = window.composer.editor
    send(qtbot, window, "use the ask_form tool")
    allow = _allow_once(window, qtbot)
    editor.setFocus()
    qtbot.keyClicks(editor, "dra")  # the next message, begun before the question comes
    allow.click()  # as a screen reader's press does: the focus stays in the composer
    card = _question(window, qtbot)
    name = card.inputs["name"]
    assert isinstance(name, QLineEdit)
    assert editor.hasFocus()
    qtbot.keyClicks(editor, "ft")
    assert window.composer.text() == "draft"  # not a letter lost to the question
    assert name.text() == ""
    assert card.keys_hint.isVisible()
    assert card.keys_hint.text().endswith(": answer the question")
    assert "J" in card.keys_hint.text()
    assert card.visibleRegion().boundingRect().height() == card.height()  # wholly in sight

    qtbot.keyClick(editor, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert name.hasFocus()
    assert not card.keys_hint.isVisible()
    qtbot.keyClicks(name, "Ada")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert _result(window, qtbot).startswith("accept ")
    assert window.composer.text() == "draft"


def test_with_the_composer_idle_and_empty_the_question_takes_the_focus(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = _window(make_core, open_window, qtbot, finish)
    send(qtbot, window, "use the ask_form tool")
    card = _question(window, qtbot)
    qtbot.waitUntil(card.inputs["name"].hasFocus)
    assert not card.keys_hint.isVisible()
    # What is wrong is said in the words the core checks answers with (as the terminal says).
    assert card.errors["name"].text() == "an answer is required"
