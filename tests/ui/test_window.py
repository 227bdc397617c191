"""The main window driven as a person would: type, click, press keys, wait for what appears."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QToolTip,
)
from pytestqt.qtbot import QtBot

from chatdesk.core.providers.mock_text import mock_answer
from chatdesk.core.store.models import Role, Status
from chatdesk.core.views import DraftView
from chatdesk.ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier


def send(qtbot: QtBot, window: MainWindow, text: str) -> None:
    qtbot.keyClicks(window.composer.editor, text)
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)


def texts(window: MainWindow) -> list[str]:
    return [w.body.toPlainText() for w in window.view.widgets]


def answer_done(window: MainWindow, count: int = 2) -> bool:
    messages = window.conversation.messages()
    return len(messages) == count and messages[-1].status.is_final


def _shown(window: MainWindow, count: int) -> bool:
    """The conversation's `count` message widgets are built and on screen."""
    widgets = window.view.widgets
    return len(widgets) == count and all(w.isVisible() for w in widgets)


def streaming_text_shown(window: MainWindow) -> bool:
    """The answer below the question has started to arrive."""
    widgets = window.view.widgets
    return len(widgets) == 2 and bool(widgets[1].message.content)


def formatted(window: MainWindow) -> bool:
    return all(w.rendered is not None for w in window.view.widgets)


def test_enter_sends_and_the_formatted_answer_appears_in_a_new_thread(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = open_window(core)
    prompt = "Show me a table and some code"
    assert window.greeting.isVisible()  # a new chat's welcome
    send(qtbot, window, prompt)

    qtbot.waitUntil(lambda: answer_done(window) and formatted(window))
    user, answer = window.view.widgets
    assert user.body.toPlainText() == prompt
    expected = mock_answer(prompt).text
    assert answer.message.content == expected
    assert "```" not in answer.body.toPlainText()  # fences became a formatted block
    assert answer.rendered is not None
    assert answer.rendered.code_blocks
    assert window.composer.text() == ""
    assert not window.greeting.isVisible()
    assert window.view.isVisible()
    assert window.current_thread_id is not None
    assert window.header.title.text() == prompt
    page = finish(core.service.list_messages(window.current_thread_id))
    assert [(m.role, m.status) for m in page.messages] == [
        (Role.USER, Status.COMPLETE),
        (Role.ASSISTANT, Status.COMPLETE),
    ]


def test_stop_keeps_the_partial_answer_and_continue_finishes_it(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core(tokens_per_second=40)
    window = open_window(core)
    send(qtbot, window, "Explain something slowly")
    qtbot.waitUntil(lambda: streaming_text_shown(window))
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.conversation.messages()[-1].status is Status.INTERRUPTED)
    answer = window.view.widgets[1]
    partial = answer.message.content
    assert partial
    assert partial in mock_answer("Explain something slowly").text
    assert answer.status_buttons["continue"].isVisible()
    assert answer.status_buttons["regenerate"].isVisible()
    qtbot.waitUntil(lambda: answer._status.isVisible())
    assert answer._status.text() == "Stopped before the answer was complete."  # said once

    qtbot.mouseClick(answer.status_buttons["continue"], LEFT)
    qtbot.waitUntil(lambda: window.conversation.messages()[-1].status is Status.STREAMING)
    # The answer goes on where it stopped: what it had is shown once, not again before the rest.
    qtbot.waitUntil(lambda: len(answer.body.toPlainText()) > len(partial) + 10)
    first = partial.splitlines()[0]
    assert answer.body.toPlainText().count(first) <= answer.message.content.count(first)
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.conversation.messages()[-1].status.is_final)
    longer = window.conversation.messages()[-1].content
    assert longer.startswith(partial)
    assert len(window.view.widgets) == 2


def test_an_error_keeps_the_partial_and_retry_writes_a_new_version(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    core = make_core(CHATDESK_MOCK_FAULT="error_after:5")
    window = open_window(core)
    send(qtbot, window, "This will fail")
    # The answer may end before the new chat's page is built: its widget shows a moment later.
    qtbot.waitUntil(lambda: answer_done(window) and _shown(window, 2))
    failed = window.view.widgets[1]
    assert failed.message.status is Status.ERROR
    assert failed.message.content
    assert failed._status.isVisible()
    assert "failed" in failed._status.text()
    assert failed.status_buttons["retry"].isVisible()
    qtbot.waitUntil(lambda: "error" in window.provider_status.text())
    qtbot.mouseClick(failed.status_buttons["retry"], LEFT)
    qtbot.waitUntil(
        lambda: answer_done(window) and window.conversation.messages()[-1].id != failed.message.id
    )
    retried = window.view.widgets[1]
    assert retried.message.sibling_count == 2
    assert retried.footer.branch.text() == "2/2"
    qtbot.mouseClick(retried.footer.previous, LEFT)
    qtbot.waitUntil(lambda: window.conversation.messages()[-1].id == failed.message.id)
    assert window.view.widgets[1].footer.branch.text() == "1/2"


def test_edit_and_resend_makes_a_branch(make_core: Any, open_window: Any, qtbot: QtBot) -> None:
    window = open_window(make_core())
    send(qtbot, window, "first wording")
    qtbot.waitUntil(lambda: answer_done(window))
    user = window.view.widgets[0]
    qtbot.mouseClick(user.footer.edit_button, LEFT)
    editor = next(
        e for e in user.findChildren(QPlainTextEdit) if e.accessibleName() == "Edit your message"
    )
    editor.setPlainText("second wording")
    save = next(b for b in user.findChildren(QPushButton) if b.text() == "Save && send")
    qtbot.mouseClick(save, LEFT)
    qtbot.waitUntil(
        lambda: (
            answer_done(window) and window.conversation.messages()[0].content == "second wording"
        )
    )
    assert window.view.widgets[0].footer.branch.text() == "2/2"


def test_delete_removes_the_message_and_its_answer(
    make_core: Any, open_window: Any, qtbot: QtBot, monkeypatch: Any
) -> None:
    window = open_window(make_core())
    send(qtbot, window, "one")
    qtbot.waitUntil(lambda: answer_done(window))
    send(qtbot, window, "two")
    qtbot.waitUntil(lambda: answer_done(window, 4))
    qtbot.mouseClick(window.view.widgets[2].footer.delete, LEFT)
    box = qtbot.waitUntil(lambda: _open_box(window) is not None) or _open_box(window)
    assert box is not None
    box.done(QMessageBox.StandardButton.Yes)
    qtbot.waitUntil(lambda: len(window.conversation.messages()) == 2)
    assert texts(window)[0] == "one"


def _open_box(window: MainWindow) -> QMessageBox | None:
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    return boxes[0] if boxes else None


def test_copy_actions_and_keyboard_shortcuts(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    send(qtbot, window, "Give me code")
    qtbot.waitUntil(lambda: answer_done(window) and formatted(window))
    answer = window.view.widgets[1]
    clipboard = QGuiApplication.clipboard()
    qtbot.keyClick(window, Qt.Key.Key_C, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert clipboard.text() == answer.message.content
    menu = answer.footer.copy.menu()
    as_text, as_markdown = (
        next(a for a in menu.actions() if a.text() == text)
        for text in ("Copy as &text", "Copy as &Markdown")
    )
    as_text.trigger()
    assert clipboard.text() == answer.body.toPlainText()
    assert "```" not in clipboard.text()
    assert window.statusBar().currentMessage() == "Copied as plain text."
    as_markdown.trigger()
    assert clipboard.text() == answer.message.content
    as_text.trigger()
    face = answer.footer.copy  # a click on the button, left of its menu's arrow: the Markdown
    qtbot.mouseClick(face, LEFT, pos=QPoint(4, face.height() // 2))
    assert clipboard.text() == answer.message.content
    window.actions_.follow_link("chatdesk:copy-code/0", answer.message.id)
    assert answer.rendered is not None
    assert clipboard.text() == answer.rendered.code_blocks[0]
    assert QToolTip.text() == "✓ Copied"  # said beside the link
    assert window.actions_.last_announcement == "Code copied."  # and to a screen reader

    qtbot.keyClick(window, Qt.Key.Key_R, CTRL)  # regenerate
    qtbot.waitUntil(lambda: answer_done(window) and window.view.widgets[1] is not answer)
    assert window.view.widgets[1].message.sibling_count == 2

    qtbot.keyClick(window, Qt.Key.Key_B, CTRL)
    assert not window.sidebar.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_B, CTRL)
    assert window.sidebar.isVisible()

    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    assert window.find_bar.isVisible()
    qtbot.keyClicks(window.find_bar.field, "Give me")
    assert window.find_bar.count.text().startswith("1 of")
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible()

    qtbot.keyClick(window, Qt.Key.Key_L, CTRL)
    assert window.composer.editor.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    assert window.current_thread_id is None
    assert not window.view.widgets


def test_drafts_follow_the_thread_and_survive_a_restart(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = open_window(core)
    send(qtbot, window, "a thread")
    qtbot.waitUntil(lambda: answer_done(window))
    first = window.current_thread_id
    qtbot.keyClicks(window.composer.editor, "unsent words")
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    assert window.composer.text() == ""
    qtbot.waitUntil(lambda: finish(core.service.load_draft(first)).text == "unsent words")
    window.show_thread(first)
    qtbot.waitUntil(lambda: window.composer.text() == "unsent words")
    qtbot.keyClicks(window.composer.editor, " and more")
    window.close()
    finish(window.aclose())
    assert finish(core.service.load_draft(first)) == DraftView("unsent words and more")


def test_the_last_answer_is_announced_once_and_the_gauge_is_fed(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    send(qtbot, window, "hello")
    qtbot.waitUntil(lambda: answer_done(window))
    qtbot.waitUntil(lambda: window.header.gauge.isVisible() and window.header.gauge.value() >= 1)
    assert window.actions_.last_announcement == "Answer complete."
    assert "tokens" in window.header.gauge.toolTip()


def test_every_control_has_an_accessible_name(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    send(qtbot, window, "hello")
    qtbot.waitUntil(lambda: answer_done(window))
    unnamed = [
        w
        for kind in (QAbstractButton, QLineEdit, QPlainTextEdit)
        for w in window.findChildren(kind)
        if not (w.accessibleName() or getattr(w, "text", lambda: "")())
        and not w.objectName().startswith("qt_")  # Qt's own (the menu bar's overflow)
    ]
    assert [
        (type(w).__name__, w.parent().objectName(), type(w.parent()).__name__) for w in unnamed
    ] == []


def test_closing_mid_answer_keeps_the_partial_as_interrupted(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core(tokens_per_second=40)
    window = open_window(core)
    send(qtbot, window, "A long answer please")
    qtbot.waitUntil(lambda: streaming_text_shown(window))
    answer_id = window.view.widgets[1].message.id
    window.close()
    finish(window.aclose())
    finish(core.aclose())
    core = make_core()
    stored = finish(core.service.get_message(answer_id))
    assert stored.status is Status.INTERRUPTED
    assert stored.content
    assert stored.content in mock_answer("A long answer please").text


def test_window_geometry_and_sidebar_state_are_remembered(
    make_core: Any, qtbot: QtBot, finish: Any, tmp_path: Any
) -> None:
    core = make_core()
    state = tmp_path / "window.ini"
    first = MainWindow(core.service, state_file=state)
    first.show()
    first.resize(700, 500)  # inside the offscreen screen (800 x 600): restore clamps to it
    first.splitter.setSizes([200, 700])
    first.panes.toggle_side()
    size = first.size()
    first.close()
    finish(first.aclose())
    first.deleteLater()
    second = MainWindow(core.service, state_file=state)
    second.show()
    try:
        assert second.size() == size
        assert not second.sidebar.isVisible()
    finally:
        second.close()
        finish(second.aclose())
        second.deleteLater()


def test_a_dropped_file_is_sent_as_an_attachment(
    make_core: Any, open_window: Any, qtbot: QtBot, tmp_path: Any
) -> None:
    window = open_window(make_core())
    notes = tmp_path / "notes.txt"
    notes.write_text("line one\nline two\n", encoding="utf-8")
    window.composer.files_dropped.emit([notes])
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == 1)
    binary = tmp_path / "photo.bin"
    binary.write_bytes(b"\x00\x01\x02")
    window.composer.files_dropped.emit([binary])
    qtbot.waitUntil(lambda: "photo.bin was not attached" in window.statusBar().currentMessage())
    assert "none of the kinds of file chatdesk reads" in window.statusBar().currentMessage()
    assert len(window.composer.attachments()) == 1
    send(qtbot, window, "What is in this file?")
    qtbot.waitUntil(lambda: answer_done(window))
    user = window.view.widgets[0]
    assert [a.name for a in user.message.attachments] == ["notes.txt"]
    assert user.attachments is not None
    assert [b.accessibleName() for b in user.attachments.buttons] == ["Attachment notes.txt"]
    assert window.composer.attachments() == []


def test_rename_search_and_preferences_from_the_keyboard(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    from chatdesk.ui.preferences import PreferencesDialog
    from chatdesk.ui.search.palette import SearchPalette
    from chatdesk.ui.search.results import ROW_ROLE, Kind

    window = open_window(make_core())
    send(qtbot, window, "first thread")
    qtbot.waitUntil(lambda: answer_done(window))
    first = window.current_thread_id
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    send(qtbot, window, "second thread")
    qtbot.waitUntil(lambda: answer_done(window) and window.current_thread_id != first)

    qtbot.keyClick(window, Qt.Key.Key_F2)
    editor = qtbot.waitUntil(lambda: window.sidebar.tree.focusWidget() is not None) or (
        QApplication.focusWidget()
    )
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "Renamed by keyboard")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.header.title.text() == "Renamed by keyboard")

    qtbot.keyClick(window, Qt.Key.Key_K, CTRL)
    [palette] = window.findChildren(SearchPalette)
    assert palette.isVisible()
    qtbot.keyClicks(palette.query, "first")
    model = palette.results_model
    qtbot.waitUntil(
        lambda: (
            (top := model.index(0).data(ROW_ROLE)) is not None
            and top.kind is Kind.THREAD
            and "first" in top.text.text
        )
    )
    with qtbot.waitSignal(palette.thread_chosen):
        qtbot.keyClick(palette.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_thread_id == first)

    window.activateWindow()  # the palette had the focus
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, ",", CTRL)
    dialog = window.findChildren(PreferencesDialog)[0]
    assert dialog.isVisible()
    dialog.reject()


def test_the_model_picker_sets_the_thread_model(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = open_window(core)
    window.composer.model_changed.emit("mock/mock-2")  # chosen before the chat exists
    assert window.header.model.text() == "mock-2"
    send(qtbot, window, "which model?")
    qtbot.waitUntil(lambda: answer_done(window))
    assert window.conversation.messages()[-1].model == "mock-2"
    window.composer.model_changed.emit("mock/mock-3")
    qtbot.waitUntil(lambda: window.header.model.text() == "mock-3")
    thread = finish(core.service.get_thread(window.current_thread_id))
    assert thread.model == "mock-3"
