"""The quick window, driven through its widgets offscreen over a started core on a real SQLite
file, the mock provider answering: `Desktop.quick_ask()` shows it with the question focused;
typing and Enter streams the answer into it, formatted as it comes; Stop stops it; Esc hides
it; its chats are in the "Quick" project and in the main window's sidebar, or, temporary,
nowhere on disk; Ctrl+Enter shows the chat in the main window; the clipboard's text is offered
as a chip, added only when asked; the pickers change who answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.errors import Closed
from chatdesk.core.kinds import Role, Status
from chatdesk.core.service import ChatService
from chatdesk.core.views import MessageView
from chatdesk.ui import language
from chatdesk.ui.application import attach_core
from chatdesk.ui.desktop.hub import Desktop
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.quick.asking import QuickAsk
from chatdesk.ui.quick.context import SENT_LIMIT
from chatdesk.ui.theme import ThemeWatcher, apply_theme

# The model menu pops up and grabs the keyboard, which the offscreen platform cannot.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def make_desktop(make_core: Any, finish: Any) -> Iterator[Any]:
    """`make_desktop(tokens_per_second=0, **env)`: a shown main window attached as the
    application attaches it, over a core made with `env`, and its Desktop."""
    made: list[Desktop] = []

    def make(tokens_per_second: float = 0, **env: str) -> Desktop:
        core = make_core(tokens_per_second, **env)
        window = MainWindow(settings=core.config.settings)
        attach_core(window, core)
        window.show()
        window.start()
        desktop = Desktop(window)
        desktop.core = core  # type: ignore[attr-defined]
        made.append(desktop)
        return desktop

    yield make
    for desktop in made:
        window = desktop._window
        finish(desktop.aclose())
        window.close()
        finish(window.aclose())
        window.deleteLater()


@pytest.fixture
def desktop(make_desktop: Any) -> Desktop:
    made: Desktop = make_desktop()
    return made


def _quick(qtbot: QtBot, desktop: Desktop) -> QuickAsk:
    desktop.quick_ask()
    quick = desktop.quick
    assert quick is not None
    qtbot.waitUntil(lambda: quick.window.isVisible() and quick.pickers.assistants.isVisible())
    return quick


def _ask(qtbot: QtBot, quick: QuickAsk, text: str) -> None:
    qtbot.keyClicks(quick.window.question, text)
    QTest.keyClick(quick.window.question, Qt.Key.Key_Return)


def _answered(qtbot: QtBot, quick: QuickAsk) -> None:
    qtbot.waitUntil(lambda: quick.thread_id is not None and quick.answer_id is None)
    qtbot.waitUntil(lambda: quick.window.copy.isVisible())


def _messages(finish: Any, service: ChatService, quick: QuickAsk) -> list[MessageView]:
    assert quick.thread_id is not None
    return list(finish(service.list_messages(quick.thread_id)).messages)


def test_a_question_is_answered_in_the_quick_window(
    qtbot: QtBot, desktop: Desktop, finish: Any
) -> None:
    screen = QGuiApplication.primaryScreen()
    QCursor.setPos(screen.geometry().center())  # the pointer on a screen, as on a desktop
    quick = _quick(qtbot, desktop)
    assert (
        quick.window.question.hasFocus() or QGuiApplication.focusObject() is quick.window.question
    )
    assert quick.window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert quick.window.windowFlags() & Qt.WindowType.FramelessWindowHint
    room = screen.availableGeometry()
    assert room.contains(quick.window.frameGeometry())  # on the screen with the pointer
    assert quick.window.accessibleName()
    assert quick.window.accessibleDescription()
    _ask(qtbot, quick, "What is a haiku?")
    _answered(qtbot, quick)
    user, answer = _messages(finish, desktop.core.service, quick)  # type: ignore[attr-defined]
    assert user.content == "What is a haiku?"
    assert answer.status is Status.COMPLETE
    assert quick.window.answer.toPlainText() == answer.content
    assert answer.content.strip()
    assert not quick.window.stop.isVisible()
    assert quick.window.formatted.isVisible()  # formatted as the main window does
    assert not quick.window.answer.isVisible()
    # the Markdown's marks become formatting
    qtbot.waitUntil(lambda: "**" not in quick.window.formatted.text())
    assert "offline demo" in quick.window.formatted.text()
    quick.window.copy.click()
    assert QGuiApplication.clipboard().text() == answer.content


def test_the_answer_is_formatted_while_it_is_written(
    qtbot: QtBot, make_desktop: Any, finish: Any
) -> None:
    desktop = make_desktop(4)  # slow enough to be read while written on a busy machine
    quick = _quick(qtbot, desktop)
    _ask(qtbot, quick, "What is a haiku?")
    shown = quick.window.formatted.text
    qtbot.waitUntil(lambda: "not an AI model" in shown() and not shown().startswith(">"))
    assert quick.answer_id is not None  # still being written
    assert quick.window.formatted.isVisible()
    assert not quick.window.answer.isVisible()
    assert quick.window.answer.toPlainText().startswith("> This is chatdesk")  # what Copy takes
    bar = quick.window.formatted.verticalScrollBar()
    assert bar.value() == bar.maximum()  # its end in sight as it grows
    quick.window.stop.click()
    _answered(qtbot, quick)
    answer = _messages(finish, desktop.core.service, quick)[-1]  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "**" not in quick.window.formatted.text())
    assert quick.window.answer.toPlainText() == answer.content


def test_stop_ends_the_answer_being_written(qtbot: QtBot, make_desktop: Any, finish: Any) -> None:
    desktop = make_desktop(8)
    quick = _quick(qtbot, desktop)
    _ask(qtbot, quick, "Tell me a long story")
    qtbot.waitUntil(lambda: bool(quick.window.answer.toPlainText()))
    assert quick.window.stop.isVisible()
    quick.window.stop.click()
    _answered(qtbot, quick)
    answer = _messages(finish, desktop.core.service, quick)[-1]  # type: ignore[attr-defined]
    assert answer.status is Status.INTERRUPTED
    assert quick.window.answer.toPlainText() == answer.content
    assert "Stopped" in quick.window.status.text()


def test_esc_hides_and_quick_ask_brings_it_back(qtbot: QtBot, desktop: Desktop) -> None:
    quick = _quick(qtbot, desktop)
    qtbot.keyClicks(quick.window.question, "half a question")
    desktop.quick_ask()  # a second call while shown: in front, nothing lost
    assert quick.window.question.toPlainText() == "half a question"
    QTest.keyClick(quick.window.question, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not quick.window.isVisible())
    desktop.quick_ask()
    qtbot.waitUntil(quick.window.isVisible)
    assert desktop.quick is quick  # made once


def test_its_chats_are_in_the_quick_project_and_the_sidebar(
    qtbot: QtBot, desktop: Desktop, finish: Any
) -> None:
    service: ChatService = desktop.core.service  # type: ignore[attr-defined]
    quick = _quick(qtbot, desktop)
    _ask(qtbot, quick, "first")
    _answered(qtbot, quick)
    first = quick.thread_id
    QTest.keyClick(quick.window.question, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not quick.window.isVisible())
    quick = _quick(qtbot, desktop)
    _ask(qtbot, quick, "second")
    _answered(qtbot, quick)
    assert quick.thread_id != first  # shown again: a new chat
    projects = [p for p in finish(service.list_projects()) if p.name == "Quick"]
    assert len(projects) == 1  # made once, found again by its name
    for thread_id in (first, quick.thread_id):
        assert thread_id is not None
        assert finish(service.get_thread(thread_id)).project_id == projects[0].id
    sidebar = desktop._window.sidebar
    qtbot.waitUntil(lambda: sidebar.model.index_of_project(projects[0].id).isValid())
    sidebar.tree.expand(sidebar.model.index_of_project(projects[0].id))
    assert quick.thread_id is not None
    qtbot.waitUntil(lambda: sidebar.model.index_of_thread(quick.thread_id).isValid())


def test_ctrl_enter_opens_the_chat_in_the_main_window(qtbot: QtBot, desktop: Desktop) -> None:
    quick = _quick(qtbot, desktop)
    _ask(qtbot, quick, "Open me")
    _answered(qtbot, quick)
    thread_id = quick.thread_id
    QTest.keyClick(quick.window.question, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not quick.window.isVisible())
    window = desktop._window
    qtbot.waitUntil(lambda: window.current_thread_id == thread_id)
    assert window.isVisible()
    qtbot.waitUntil(lambda: len(window.view.widgets) == 2)  # the question and its answer
    sidebar = window.sidebar
    qtbot.waitUntil(lambda: sidebar.selected == thread_id)  # its row, in the Quick project
    row = sidebar.model.index_of_thread(thread_id)
    assert sidebar.tree.isExpanded(row.parent())  # opened, though it was closed
    assert sidebar.tree.viewport().rect().intersects(sidebar.tree.visualRect(row))


def test_the_copied_text_is_offered_and_added_only_when_asked(
    qtbot: QtBot, desktop: Desktop, finish: Any
) -> None:
    long_text = "The quoted paragraph. " + "x" * (SENT_LIMIT + 500)
    QGuiApplication.clipboard().setText(long_text)
    quick = _quick(qtbot, desktop)
    chip = quick.window.chip
    assert chip.isVisible()
    assert not chip.added
    assert len(chip.quote.text()) < 200  # shortened on the chip
    assert chip.note.isVisible()  # says it is sent cut
    QTest.keyClick(quick.window.question, Qt.Key.Key_C, ALT)
    assert chip.added
    QTest.keyClick(quick.window.question, Qt.Key.Key_C, ALT)
    assert not chip.added  # the same key takes it out
    QTest.keyClick(chip.button, Qt.Key.Key_Space)  # or Tab to its button and Space
    assert chip.added
    QTest.keyClick(chip.button, Qt.Key.Key_Space)
    assert not chip.added
    QTest.keyClick(quick.window.question, Qt.Key.Key_C, ALT)
    _ask(qtbot, quick, "What does it say?")
    _answered(qtbot, quick)
    user = _messages(finish, desktop.core.service, quick)[0]  # type: ignore[attr-defined]
    assert user.role is Role.USER
    assert user.content.startswith("> The quoted paragraph. xxx")
    assert user.content.endswith("\n\nWhat does it say?")
    assert "522 more characters left out" in user.content  # past the limit, said
    assert len(user.content) < SENT_LIMIT + 200


def test_the_offered_text_is_not_sent_unless_added(
    qtbot: QtBot, desktop: Desktop, finish: Any
) -> None:
    QGuiApplication.clipboard().setText("a secret on the clipboard")
    quick = _quick(qtbot, desktop)
    assert quick.window.chip.isVisible()
    _ask(qtbot, quick, "Just this")
    _answered(qtbot, quick)
    user = _messages(finish, desktop.core.service, quick)[0]  # type: ignore[attr-defined]
    assert user.content == "Just this"


def test_temporary_quick_chats_keep_nothing(qtbot: QtBot, make_desktop: Any, finish: Any) -> None:
    desktop = make_desktop(CHATDESK_DESKTOP_QUICK_CHATS="temporary")
    service: ChatService = desktop.core.service  # type: ignore[attr-defined]
    quick = _quick(qtbot, desktop)
    _ask(qtbot, quick, "Forget me")
    _answered(qtbot, quick)
    assert quick.temporary is not None
    assert not finish(service.list_threads()).threads
    assert not finish(service.list_projects())
    thread_id = quick.thread_id
    QTest.keyClick(quick.window.question, Qt.Key.Key_Return, CTRL)  # to the main window
    window = desktop._window
    qtbot.waitUntil(lambda: window.temporary.shown and window.current_thread_id == thread_id)
    assert quick.temporary is None
    assert not finish(service.list_threads()).threads


def test_the_pickers_change_who_answers(qtbot: QtBot, desktop: Desktop, finish: Any) -> None:
    service: ChatService = desktop.core.service  # type: ignore[attr-defined]
    quick = _quick(qtbot, desktop)
    quick.pickers.models.click()
    menu = quick.pickers._model_menu()
    qtbot.waitUntil(menu.isVisible)
    qtbot.keyClicks(menu.search, "mock-3")
    QTest.keyClick(menu.search, Qt.Key.Key_Return)
    assert "mock-3" in quick.pickers.models.text()
    pill = quick.pickers.assistants
    action = next(a for a in pill.menu().actions() if a.data())  # the first assistant
    name, key = action.text(), action.data()
    action.trigger()
    assert pill.text() == name
    _ask(qtbot, quick, "Who are you?")
    _answered(qtbot, quick)
    answer = _messages(finish, service, quick)[-1]
    assert answer.model == "mock-3"
    assert answer.agent == name
    thread = finish(service.get_thread(quick.thread_id))
    assert thread.assistant_id is not None
    assert thread.assistant_id.hex == key


def test_a_formatted_answer_takes_the_new_look(
    qtbot: QtBot, desktop: Desktop, qapp: QApplication
) -> None:
    before = ThemeWatcher.of(qapp).theme
    quick = _quick(qtbot, desktop)
    _ask(qtbot, quick, "What is a haiku?")
    _answered(qtbot, quick)
    qtbot.waitUntil(quick.window.formatted.isVisible)
    light = quick.window.formatted.browser.toHtml()
    try:
        apply_theme(qapp, "dark" if before != "dark" else "light")
        qtbot.waitUntil(lambda: quick.window.formatted.browser.toHtml() != light)
    finally:
        apply_theme(qapp, before)


def test_a_new_temporary_quick_chat_drops_the_last_one(
    qtbot: QtBot, make_desktop: Any, finish: Any
) -> None:
    desktop = make_desktop(CHATDESK_DESKTOP_QUICK_CHATS="temporary")
    quick = _quick(qtbot, desktop)
    _ask(qtbot, quick, "First")
    _answered(qtbot, quick)
    last = quick.temporary
    assert last is not None
    first = quick.thread_id
    QTest.keyClick(quick.window.question, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not quick.window.isVisible())
    quick = _quick(qtbot, desktop)
    assert quick.temporary is None  # shown for a new chat: the last one is gone
    assert first is not None
    qtbot.waitUntil(lambda: all(closing.done() for closing in quick._closing))
    with pytest.raises(Closed):  # its database in memory is gone
        finish(last.service.get_thread(first))
    _ask(qtbot, quick, "Second")
    _answered(qtbot, quick)
    assert quick.temporary is not None
    assert quick.temporary is not last


def test_every_control_has_a_spoken_name(qtbot: QtBot, desktop: Desktop) -> None:
    QGuiApplication.clipboard().setText("something copied")
    quick = _quick(qtbot, desktop)
    controls = [
        widget
        for widget in quick.window.findChildren(QWidget)
        if widget.focusPolicy() != Qt.FocusPolicy.NoFocus and widget.isVisibleTo(quick.window)
    ]
    assert len(controls) >= 5  # the pills, the chip's button, the question, Open in chatdesk
    for widget in controls:
        said = widget.accessibleName() or (
            widget.text() if isinstance(widget, QAbstractButton) else ""
        )
        assert said.strip(), f"{widget.objectName() or type(widget).__name__} has no name"


def test_a_question_in_another_direction_keeps_its_own_order(
    qtbot: QtBot, desktop: Desktop
) -> None:
    quick = _quick(qtbot, desktop)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    language.start(app, "ar")
    try:
        quick.window.asked("Is it done?", formats=True)
        # set apart, its "?" stays at its end instead of going to the Arabic sentence's
        assert "\u2068Is it done?\u2069" in quick.window.asked_line.text()
    finally:
        language.start(app, "en")
