"""A new chat's welcome, with real widgets offscreen over a started core on a real SQLite file:
the greeting over the message box, which stands a little above the middle, and the assistants'
examples suggested under it; a whole question taken is sent at once with its assistant, the
start of one goes to the message box with what was typed; the message box moves to the foot
when the chat has a message, without a frame of it over an empty page, keeping what is typed
and the keyboard's focus; the first frame shows the welcome where it stays; right to left in
Arabic (decision 0096)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core import i18n
from chatdesk.core.assistants.builtin import BUILT_IN
from chatdesk.ui.conversation.greeting import greeting_for
from chatdesk.ui.conversation.suggestion import SuggestionButton, whole
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.window.layout import MINIMUM_SIZE
from tests.ui.test_window import answer_done, send

LEFT = Qt.MouseButton.LeftButton
WHOLE = {  # the first whole question of each built-in assistant, as a new chat suggests them
    "Careful writer": "Write a short, friendly note declining a meeting invitation.",
    "Code reviewer": "Is sum(values) / len(values) a safe way to average a list in Python?",
    "Summariser": "Summarise the story of Romeo and Juliet in five bullet points.",
    "Translator": "Translate “Where is the train station?” into French, Spanish and Japanese.",
    "Tutor": "Explain derivatives as if I had only done school algebra.",
}


def _in(widget: QWidget, area: QWidget) -> QRect:
    return QRect(widget.mapTo(area, QPoint(0, 0)), widget.size())


def _suggested(window: MainWindow, qtbot: QtBot, count: int = 5) -> list[SuggestionButton]:
    qtbot.waitUntil(lambda: len(window.suggestions.buttons) == count)
    return window.suggestions.buttons


def _choose(window: MainWindow, qtbot: QtBot, core: Core, finish: Any, name: str) -> None:
    """`name` chosen for the new chat in the composer's assistant menu."""
    _suggested(window, qtbot)
    chosen = finish(core.service.assistants.find(name))
    window.composer.assistant_changed.emit(chosen.id.hex)
    qtbot.waitUntil(lambda: window.greeting.assistant == name)


@pytest.mark.parametrize("code", ["en", "de", "es", "fr", "ja", "zh_CN", "ar"])
def test_each_built_in_example_is_whole_or_to_finish_in_every_language(code: str) -> None:
    """Sent at once or put in the message box to finish, in every language as in English."""
    i18n.set_language(code)
    try:
        for fields in BUILT_IN:
            for example in fields.examples:
                assert whole(i18n.tr(example)) == whole(example), (code, i18n.tr(example))
        assert all(whole(fields.examples[0]) for fields in BUILT_IN)  # one to suggest each
    finally:
        i18n.set_language(i18n.SOURCE)


def test_the_greeting_follows_the_hour() -> None:
    assert [greeting_for(hour) for hour in (5, 11, 12, 17, 18, 23, 0, 4)] == [
        *("Good morning", "Good morning", "Good afternoon", "Good afternoon"),
        *("Good evening", "Good evening", "Good evening", "Good evening"),
    ]


def test_a_new_chat_greets_over_the_centred_box_and_suggests_an_example_of_each_assistant(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window: MainWindow = open_window(make_core())
    window.resize(1280, 860)
    buttons = _suggested(window, qtbot)
    greeting = window.greeting
    assert greeting.isVisible()
    assert not window.view.isVisible()
    assert greeting.title.text() in {greeting_for(hour) for hour in range(24)}
    assert greeting.hint.text() == "How can I help you today?"
    qtbot.waitUntil(lambda: all(button.isVisible() for button in buttons))
    page = window.panes.right
    box = _in(window.composer, page)
    assert page.height() * 0.3 < box.center().y() < page.height() * 0.5  # above the middle
    assert _in(greeting.hint, page).bottom() < box.top()
    assert all(_in(button, page).top() > box.bottom() for button in buttons)
    assert {b.suggestion.said_by: b.accessibleName() for b in buttons} == WHOLE
    tutor = next(b for b in buttons if b.suggestion.said_by == "Tutor")
    assert tutor.accessibleDescription() == "Sends this prompt as a new chat, answered by Tutor"
    assert window.suggestions.heading.isVisible()
    assert window.suggestions.heading.text() == "Suggested"


def test_a_whole_question_taken_is_sent_with_its_assistant_and_what_was_typed_is_kept(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window: MainWindow = open_window(core)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    buttons = _suggested(window, qtbot)
    qtbot.keyClicks(window.composer.editor, "half a thought")
    tutor = next(b for b in buttons if b.suggestion.said_by == "Tutor")
    for _ in range(40):  # the suggestions come after the message box's controls
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if QApplication.focusWidget() is tutor:
            break
    assert QApplication.focusWidget() is tutor

    qtbot.keyClick(tutor, Qt.Key.Key_Space)

    qtbot.waitUntil(lambda: answer_done(window))
    question, answer = window.conversation.messages()
    assert question.content == WHOLE["Tutor"]
    assert "A derivative measures how fast something changes" in answer.content  # the demo's
    thread = finish(core.service.get_thread(window.current_thread_id))
    assert thread.assistant_id == finish(core.service.assistants.find("Tutor")).id
    assert window.view.isVisible()
    assert not window.greeting.isVisible()
    assert window.composer.editor.hasFocus()  # the next thing typed is the next question
    assert window.composer.text() == ""
    page = window.panes.right
    assert _in(window.composer, page).bottom() == page.height() - 1  # at the foot

    window.new_chat()
    qtbot.waitUntil(lambda: window.composer.text() == "half a thought")  # the new chat's draft


def test_the_start_of_a_question_goes_to_the_box_around_what_was_typed_and_undoes_in_one(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window: MainWindow = open_window(core)
    _choose(window, qtbot, core, finish, "Code reviewer")
    assert window.greeting.title.text() == "Code reviewer"
    assert window.greeting.hint.text().startswith("Reviews code for bugs")
    buttons = _suggested(window, qtbot, 4)
    assert not any(button.suggestion.said_by for button in buttons)  # its own: not named
    review = next(b for b in buttons if b.accessibleName().startswith("Review this function"))
    assert review.accessibleName().endswith(" …")  # to be finished
    assert review.accessibleDescription() == "Puts this prompt in the message box to finish"
    editor = window.composer.editor
    qtbot.keyClicks(editor, "def f(): pass")

    qtbot.mouseClick(review, LEFT)

    said = "Review this function for bugs and edge cases:\n\n```\ndef f(): pass\n```"
    assert window.composer.text() == said
    assert editor.textCursor().position() == len(said) - len("\n```")  # after what was typed
    assert window.greeting.isVisible()  # nothing sent
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.composer.text() == "def f(): pass"


class _Paints(QObject):
    """Where the message box was each time it painted, and whether the conversation painted
    then."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.seen: list[tuple[int, bool]] = []
        window.composer.editor.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            view = self.window.view
            self.seen.append((self.window.composer.y(), view.isVisible() and view.updatesEnabled()))
        return False


def test_the_first_message_moves_the_box_to_the_foot_in_one_frame_keeping_the_focus(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window: MainWindow = open_window(make_core())
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    _suggested(window, qtbot)
    paints = _Paints(window)
    centred = window.composer.y()

    send(qtbot, window, "Show me a table and some code")

    qtbot.waitUntil(lambda: answer_done(window))
    qtbot.waitUntil(lambda: window.composer.y() > centred and bool(paints.seen))
    foot = window.composer.y()
    qtbot.waitUntil(lambda: paints.seen[-1][0] == foot)  # painted there
    # Never a frame of the box at the foot over a conversation not painted yet.
    assert all(view_painted for y, view_painted in paints.seen if y == foot)
    assert window.composer.editor.hasFocus()


class _FirstPaint(QObject):
    """Where `parts` were in `window` when `watched` first painted."""

    def __init__(self, window: MainWindow, watched: QWidget, *parts: QWidget) -> None:
        super().__init__(window)
        self.window, self.parts = window, parts
        self.seen: list[QRect] | None = None
        watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.seen is None:
            self.seen = [_in(part, self.window) for part in self.parts]
        return False


def test_the_first_frame_shows_the_welcome_where_it_stays(
    make_core: Any, qtbot: QtBot, finish: Any
) -> None:
    window = MainWindow(build_later=True)
    window.resize(1100, 740)
    greeting, composer = window.greeting, window.composer
    first = _FirstPaint(window, composer, greeting.title, composer)
    window.show()
    window.start()
    try:
        qtbot.waitUntil(lambda: first.seen is not None)
        assert greeting.isVisible()
        window.attach(make_core().service)
        qtbot.waitUntil(lambda: bool(window.suggestions.buttons))
        qtbot.waitUntil(lambda: all(b.isVisible() for b in window.suggestions.buttons))
        # The composer's, the header's and the status bar's heights change as their controls
        # come: the composer's top stays put, and the greeting over it.
        title, box = first.seen or []
        assert _in(greeting.title, window) == title
        assert _in(composer, window).top() == box.top()
    finally:
        window.close()
        finish(window.aclose())
        window.deleteLater()


def test_at_the_smallest_window_the_welcome_keeps_what_fits_and_nothing_overlaps(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window: MainWindow = open_window(make_core())
    buttons = _suggested(window, qtbot)
    window.resize(200, 150)
    qtbot.waitUntil(lambda: window.height() == MINIMUM_SIZE.height())
    page = window.panes.right
    box = _in(window.composer, page)
    qtbot.waitUntil(lambda: _in(window.greeting.title, page).bottom() < box.top())
    shown = [button for button in buttons if button.isVisible()]
    assert shown  # at least one suggestion fits
    suggestions = _in(window.suggestions, page)
    for button in shown:
        assert suggestions.contains(_in(button, page))
        assert _in(button, page).top() > box.bottom()


def test_in_arabic_the_welcome_is_translated_and_laid_out_from_the_right(
    arabic: str, make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window: MainWindow = open_window(make_core())
    window.resize(1280, 860)
    buttons = _suggested(window, qtbot)
    qtbot.waitUntil(lambda: all(button.isVisible() for button in buttons))
    assert window.greeting.hint.text() not in ("", "How can I help you today?")
    assert window.suggestions.heading.text() not in ("", "Suggested")
    first = buttons[0]
    assert first.accessibleName() not in WHOLE.values()  # the example in Arabic
    assert first.mark is not None  # the assistant's disc leads, on the right
    assert _in(first.mark, first).left() > _in(first.words, first).left()
