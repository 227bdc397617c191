"""Summaries in the window: the divider after the messages a summary stands in for, its text to
view and edit, deleting it (the originals are sent again), "Summarise now" with its busy state,
Cancel, and failures explained in the status bar."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.prompts import SUMMARY_INSTRUCTIONS
from chatdesk.core.providers.base import ChatRequest, ErrorKind, ProviderError, StreamEvent
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.service import ChatService
from chatdesk.ui.context.dialogs import SummaryEditor
from chatdesk.ui.conversation.model import ConversationModel
from chatdesk.ui.main_window import MainWindow
from tests.ui.test_window import answer_done, send

LEFT = Qt.MouseButton.LeftButton
NO_AUTO_SUMMARIES = {"CHATDESK_CHAT_SUMMARY_THRESHOLD": "0"}  # only "Summarise now" makes them


class SummaryMock(MockProvider):
    """The offline mock, whose summary requests can be held at a gate or refused."""

    def __init__(self, core: Core) -> None:
        super().__init__(core.config.settings.mock)
        self.gate = asyncio.Event()
        self.gate.set()
        self.asked = asyncio.Event()
        self.refusal: ProviderError | None = None
        self.refuse_as_too_long = 0  # chat requests to refuse as too long for the window
        self.chats: list[ChatRequest] = []

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        if request.messages[0].content == SUMMARY_INSTRUCTIONS:
            self.asked.set()
            if self.refusal is not None:
                raise self.refusal
            await self.gate.wait()
        else:
            self.chats.append(request)
            if self.refuse_as_too_long:
                self.refuse_as_too_long -= 1
                raise ProviderError(
                    ErrorKind.CONVERSATION_TOO_LONG, "The conversation is too long for mock-1."
                )
        async for event in super().stream(request):
            yield event


@pytest.fixture
def core(make_core: Any) -> Core:
    made: Core = make_core(**NO_AUTO_SUMMARIES)
    return made


@pytest.fixture
def mock(core: Core) -> SummaryMock:
    provider = SummaryMock(core)
    core.insides.providers.put(provider)
    return provider


@pytest.fixture
def thread_id(core: Core, finish: Any) -> uuid.UUID:
    """A thread of three questions and answers."""
    return thread_with(finish, core.service, QUESTIONS)


@pytest.fixture
def window(
    core: Core, mock: SummaryMock, thread_id: uuid.UUID, open_window: Any, qtbot: QtBot
) -> Any:
    """The window, showing `thread_id`."""
    shown = open_window(core)
    opened(qtbot, shown, thread_id, 6)
    return shown


def thread_with(finish: Any, service: ChatService, questions: list[str]) -> uuid.UUID:
    thread = finish(service.create_thread(title="long talk"))
    for question in questions:
        turn = finish(service.send(thread.id, question))
        finish(service.wait_for_answer(turn.answer.id))
    return thread.id  # type: ignore[no-any-return]


QUESTIONS = ["what is a heap?", "and a stack?", "which is faster?"]


def opened(qtbot: QtBot, window: MainWindow, thread_id: uuid.UUID, messages: int) -> None:
    window.show_thread(thread_id)
    qtbot.waitUntil(lambda: len(window.view.widgets) == messages)
    qtbot.waitUntil(lambda: window.header.gauge.isVisible())


def menu_action(window: MainWindow, text: str) -> QAction:
    for action in window.findChildren(QAction):
        if action.text().replace("&", "") == text:
            return action
    raise AssertionError(f"no menu action {text!r}")


def summarise_action(window: MainWindow) -> QAction:
    return menu_action(window, "Summarise earlier messages now")


def divider_follows(window: MainWindow, row: int) -> bool:
    """The divider is on screen between message `row` and the next one."""
    divider, widgets = window.view.divider, window.view.widgets
    if not divider.isVisible():
        return False
    below = widgets[row + 1].y() if row + 1 < len(widgets) else 10**9
    return widgets[row].y() < divider.y() < below


def summary_tokens(window: MainWindow) -> int:
    line = next(x for x in window.header.gauge.toolTip().splitlines() if "Summary:" in x)
    return int(line.split(":")[1].replace(",", ""))


def used_tokens(window: MainWindow) -> int:
    first = window.header.gauge.toolTip().splitlines()[0]
    return int(first.split("about ")[1].split(" of")[0].replace(",", ""))


def summarised(qtbot: QtBot, window: MainWindow) -> None:
    summarise_action(window).trigger()
    qtbot.waitUntil(lambda: window.view.divider.isVisible())
    qtbot.waitUntil(lambda: summary_tokens(window) > 0)


def test_summarise_now_puts_a_divider_after_the_messages_it_covers(
    core: Core,
    mock: SummaryMock,
    window: MainWindow,
    thread_id: uuid.UUID,
    qtbot: QtBot,
    finish: Any,
) -> None:
    assert not window.view.divider.isVisible()
    before = used_tokens(window)

    summarised(qtbot, window)
    [summary] = finish(core.service.list_summaries(thread_id))
    assert summary.in_use
    divider = window.view.divider
    # All but the last question and answer are summarised: the divider follows the 4th message.
    assert window.view.widgets[3].message.id == summary.covers_through_message_id
    qtbot.waitUntil(lambda: divider_follows(window, 3))
    assert divider.meta.text() == f"mock-1 · {summary.token_count:,} tokens"
    assert "summarised" in window.statusBar().currentMessage()
    assert used_tokens(window) < before  # the summary is shorter than what it stands in for
    assert not divider.text.isVisible()

    qtbot.mouseClick(divider.view_button, LEFT)
    assert divider.text.isVisible()
    assert (
        divider.text.text()
        == summary.content
        == "- Asked about: what is a heap?\n" + ("- Asked about: and a stack?")
    )
    assert "first 4 messages" in divider.note.text()
    assert divider.view_button.text() == "Hide"


def test_a_summary_can_be_edited_and_its_text_is_never_rich_text(
    core: Core,
    mock: SummaryMock,
    window: MainWindow,
    thread_id: uuid.UUID,
    qtbot: QtBot,
    finish: Any,
) -> None:
    summarised(qtbot, window)
    divider = window.view.divider

    qtbot.mouseClick(divider.edit_button, LEFT)
    dialog = window.summaries.dialog
    assert isinstance(dialog, SummaryEditor)
    assert dialog.text() == divider.text.text()
    dialog.editor.setPlainText("")
    assert not dialog.save.isEnabled()  # an empty summary is not saved: Delete is for that
    edited = "The user compares <b>heaps</b> and stacks <img src='/etc/passwd'>"
    dialog.editor.setPlainText(edited)
    qtbot.mouseClick(dialog.save, LEFT)

    qtbot.waitUntil(lambda: divider.text.text() == edited)
    assert divider.text.textFormat() == Qt.TextFormat.PlainText
    assert divider.meta.text().endswith("· edited")
    [summary] = finish(core.service.list_summaries(thread_id))
    assert summary.content == edited
    qtbot.waitUntil(lambda: summary_tokens(window) == summary.token_count)


def test_deleting_a_summary_asks_then_sends_the_originals_again(
    core: Core,
    mock: SummaryMock,
    window: MainWindow,
    thread_id: uuid.UUID,
    qtbot: QtBot,
    finish: Any,
) -> None:
    summarised(qtbot, window)
    with_summary = used_tokens(window)

    qtbot.mouseClick(window.view.divider.delete_button, LEFT)
    question = window.summaries.dialog
    assert isinstance(question, QMessageBox)
    assert "sent to the model again" in question.informativeText()
    assert question.defaultButton() is question.button(QMessageBox.StandardButton.Cancel)
    [delete] = [b for b in question.buttons() if b.text() == "Delete summary"]
    delete.click()

    qtbot.waitUntil(lambda: not window.view.divider.isVisible())
    qtbot.waitUntil(lambda: summary_tokens(window) == 0)
    assert used_tokens(window) > with_summary  # the originals are back in the context
    assert finish(core.service.list_summaries(thread_id)) == []
    assert finish(core.service.get_thread(thread_id)).summaries_paused


def test_a_failed_summary_says_why_and_leaves_the_conversation_alone(
    core: Core,
    mock: SummaryMock,
    window: MainWindow,
    thread_id: uuid.UUID,
    qtbot: QtBot,
    finish: Any,
) -> None:
    mock.refusal = ProviderError(ErrorKind.AUTH, "The API key was refused.")

    summarise_action(window).trigger()
    status = window.statusBar()
    qtbot.waitUntil(lambda: "The API key was refused." in status.currentMessage())
    assert status.currentMessage().startswith("The summary failed:")
    qtbot.waitUntil(lambda: summarise_action(window).isEnabled())
    assert not window.summaries.indicator.isVisible()
    assert not window.view.divider.isVisible()
    assert len(window.view.widgets) == 6


def test_a_summary_being_written_shows_in_the_status_bar_and_can_be_cancelled(
    core: Core,
    mock: SummaryMock,
    window: MainWindow,
    thread_id: uuid.UUID,
    qtbot: QtBot,
    finish: Any,
) -> None:
    mock.gate.clear()
    stop = menu_action(window, "Stop summarising")
    assert not stop.isEnabled()

    summarise_action(window).trigger()
    indicator = window.summaries.indicator
    qtbot.waitUntil(lambda: indicator.isVisible())
    qtbot.waitUntil(mock.asked.is_set)  # the model is writing it
    assert not summarise_action(window).isEnabled()
    assert stop.isEnabled()
    assert window.composer.editor.isEnabled()  # the conversation goes on meanwhile

    qtbot.mouseClick(indicator.cancel, LEFT)
    qtbot.waitUntil(lambda: "Summary stopped" in window.statusBar().currentMessage())
    qtbot.waitUntil(lambda: not indicator.isVisible())
    assert summarise_action(window).isEnabled()
    assert not stop.isEnabled()
    assert finish(core.service.list_summaries(thread_id)) == []
    assert not window.view.divider.isVisible()


def test_stopping_at_once_from_the_chat_menu_is_said_and_ends_the_busy_state(
    core: Core,
    mock: SummaryMock,
    window: MainWindow,
    thread_id: uuid.UUID,
    qtbot: QtBot,
    finish: Any,
) -> None:
    mock.gate.clear()
    summarise_action(window).trigger()
    qtbot.waitUntil(lambda: core.service.summarizing(thread_id))
    # At once: the run may not have asked the model yet, and then it announces nothing.
    menu_action(window, "Stop summarising").trigger()
    qtbot.waitUntil(lambda: not window.summaries.indicator.isVisible())
    assert "Summary stopped" in window.statusBar().currentMessage()
    assert summarise_action(window).isEnabled()
    assert finish(core.service.list_summaries(thread_id)) == []


def test_nothing_to_summarise_in_a_short_thread_is_said(
    core: Core, mock: SummaryMock, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    thread_id = thread_with(finish, core.service, QUESTIONS[:1])
    window = open_window(core)
    opened(qtbot, window, thread_id, 2)
    summarise_action(window).trigger()
    qtbot.waitUntil(lambda: "Nothing to summarise" in window.statusBar().currentMessage())
    assert not window.view.divider.isVisible()


def test_the_thread_menu_summarises_a_thread(
    core: Core,
    mock: SummaryMock,
    window: MainWindow,
    thread_id: uuid.UUID,
    qtbot: QtBot,
    finish: Any,
) -> None:
    sidebar = window.sidebar
    qtbot.waitUntil(lambda: sidebar.model.index_of_thread(thread_id).isValid())
    index = sidebar.model.index_of_thread(thread_id)
    menu = sidebar.menu_for(index)
    [action] = [a for a in menu.actions() if a.text().replace("&", "") == "Summarise now"]
    action.trigger()
    menu.deleteLater()
    qtbot.waitUntil(lambda: divider_follows(window, 3))


def test_an_automatic_summary_appears_as_the_thread_grows(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()  # summaries past 75 % of the budget
    service = core.service
    thread_id = finish(service.create_thread(title="small model")).id
    finish(service.set_thread_context_window(thread_id, 2_048))  # 1,024 for the request
    # Two of the offline demo's showcases (answers of a model's length) and a short answer.
    for question in (
        f"{QUESTIONS[0]} Show an example.",
        f"{QUESTIONS[1]} Show an example.",
        QUESTIONS[2],
    ):
        turn = finish(service.send(thread_id, question))
        finish(service.wait_for_answer(turn.answer.id))
    finish(service.settle())
    assert finish(service.list_summaries(thread_id)) == []  # not yet past 768 tokens
    window = open_window(core)
    opened(qtbot, window, thread_id, 6)
    assert not window.view.divider.isVisible()

    qtbot.keyClicks(window.composer.editor, "and which is simpler? Show an example.")
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.view.divider.isVisible())
    assert "Earlier messages were summarised" in window.statusBar().currentMessage()
    [summary] = finish(service.list_summaries(thread_id))
    row = window.conversation.row_of(summary.covers_through_message_id)
    qtbot.waitUntil(lambda: divider_follows(window, row))
    qtbot.waitUntil(lambda: summary_tokens(window) > 0)


def test_a_summary_of_messages_above_the_window_heads_it_until_they_are_read(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core(**NO_AUTO_SUMMARIES)
    service = core.service
    thread_id = thread_with(finish, service, QUESTIONS)
    summary = finish(service.summarize_now(thread_id))
    later = [f"then question {n}?" for n in range(7)]
    thread = finish(service.get_thread(thread_id))
    for question in later:
        turn = finish(service.send(thread.id, question))
        finish(service.wait_for_answer(turn.answer.id))
    window = open_window(core)
    window.show_thread(thread_id)
    qtbot.waitUntil(lambda: len(window.view.widgets) >= 12 and window.view.divider.isVisible())
    ids = [m.id for m in window.conversation.messages()]
    assert summary.covers_through_message_id not in ids  # its messages are above the window
    # The widgets read at each look: the page may be shown again meanwhile (a change noticed on
    # a busy machine rebuilds it), and an earlier list's widgets are gone.
    qtbot.waitUntil(lambda: window.view.divider.y() < window.view.widgets[0].y())

    while window.conversation.row_of(summary.covers_through_message_id) < 0:
        count = window.conversation.rowCount()
        window.controller.load_older()
        qtbot.waitUntil(lambda c=count: window.conversation.rowCount() > c)
    row = window.conversation.row_of(summary.covers_through_message_id)
    qtbot.waitUntil(lambda: divider_follows(window, row))


def test_the_model_with_a_summary_passes_the_model_tester(
    qtmodeltester: Any, make_core: Any, finish: Any
) -> None:
    core = make_core(**NO_AUTO_SUMMARIES)
    thread_id = thread_with(finish, core.service, QUESTIONS)
    summary = finish(core.service.summarize_now(thread_id))
    model = ConversationModel()
    model.show(thread_id, finish(core.service.list_messages(thread_id)))
    covered = finish(core.service.get_message(summary.covers_through_message_id))
    model.set_summary(summary, covered.depth)
    assert model.divider_after() == 3
    qtmodeltester.check(model)
    model.trim_front(5)
    assert model.divider_after() == 2
    model.trim_front(2)  # the covered message is above the window now: the divider heads it
    assert model.divider_after() == -1
    model.set_summary(None)
    assert model.divider_after() is None
    qtmodeltester.check(model)


# The offscreen platform cannot raise a popup or grab the keyboard for it, and says so.
@pytest.mark.qt_log_ignore(
    "This plugin does not support (raise|grabbing the keyboard|propagateSizeHints)"
)
def test_a_conversation_too_long_for_the_model_offers_a_summary_and_another_model(
    core: Core, mock: SummaryMock, window: MainWindow, qtbot: QtBot
) -> None:
    mock.refuse_as_too_long = 1
    send(qtbot, window, "and a queue?")
    qtbot.waitUntil(lambda: answer_done(window, 8))
    refused = window.view.widgets[-1]
    assert "The conversation is too long for mock-1." in refused._status.text()
    assert refused.status_buttons["summarise"].isVisible()
    assert refused.status_buttons["choose-model"].isVisible()

    qtbot.mouseClick(refused.status_buttons["choose-model"], LEFT)
    models = window.composer.model_menu
    qtbot.waitUntil(models.isVisible)
    models.hide()

    qtbot.mouseClick(refused.status_buttons["summarise"], LEFT)
    qtbot.waitUntil(lambda: window.view.divider.isVisible())
    qtbot.waitUntil(
        lambda: answer_done(window, 8) and window.view.widgets[-1].message.id != refused.message.id
    )
    retried = window.view.widgets[-1].message
    assert retried.content
    assert retried.sibling_count == 2
    sent = [m.content for m in mock.chats[-1].messages]
    assert QUESTIONS[0] not in sent  # the summary stands in for the older messages
    assert sent[-1] == "and a queue?"


def test_a_message_too_long_for_the_model_offers_another_model_only(
    core: Core, window: MainWindow, thread_id: uuid.UUID, qtbot: QtBot, finish: Any
) -> None:
    finish(core.service.set_thread_context_window(thread_id, 1_000))
    window.composer.editor.setFocus()  # pasted: 6,000 characters typed one by one take seconds
    window.composer.editor.insertPlainText("timeout on node 17, retrying " * 200)
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: answer_done(window, 8))
    refused = window.view.widgets[-1]
    assert refused.message.error_type == "context_too_long"
    assert refused.status_buttons["choose-model"].isVisible()
    assert not refused.status_buttons[
        "summarise"
    ].isVisible()  # summarising cannot shorten the message itself
