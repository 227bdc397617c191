"""A tool server's question and a call's progress in the window, driven by the keyboard: the
mock model calls the test server's tools (tests/core/mcp_server.py with mcp_parts/asks.py, over
stdio); the question waits on the call's card, named for the server, until the person answers;
the server gets the answer; a URL opens only after the person confirms; a long call's progress
moves a bar on its card."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import uuid
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from chatdesk.core.chat.events import ToolCallProgressed
from chatdesk.core.tools.model import Policy
from chatdesk.core.tools.questions import Action, Answer, Question
from chatdesk.ui.conversation.asks import ProgressLine, WindowAsks
from chatdesk.ui.conversation.question_card import QuestionCard
from chatdesk.ui.main_window import MainWindow
from tests.core.mcp_helpers import chat_with_server
from tests.ui.test_window import answer_done, send
from tests.ui.tool_windows import window_on

WAIT = 30_000  # ms: the server starts as its own process (never reached when all is well)


def _window(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, policy: Policy = Policy.ALLOW
) -> MainWindow:
    core = make_core()
    thread = finish(chat_with_server(core.service, "shop", "Questions"))
    core.service.tools.policies.set("shop", policy)
    return window_on(open_window, qtbot, core, thread.id)


def _question(window: MainWindow, qtbot: QtBot) -> QuestionCard:
    asks = window.actions_.asks
    qtbot.waitUntil(lambda: bool(asks.cards), timeout=WAIT)
    [card] = asks.cards.values()
    qtbot.waitUntil(card.isVisible)
    return card


def _result(window: MainWindow, qtbot: QtBot) -> str:
    qtbot.waitUntil(lambda: answer_done(window), timeout=WAIT)
    [call] = window.conversation.messages()[-1].tool_calls
    return call.result or ""


def _labels(widget: QWidget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel)]


@pytest.fixture
def asked(make_core: Any, open_window: Any, qtbot: QtBot, finish: Any) -> Any:
    def ask(what: str) -> tuple[MainWindow, QuestionCard]:
        window = _window(make_core, open_window, qtbot, finish)
        send(qtbot, window, what)
        return window, _question(window, qtbot)

    return ask


def test_a_form_question_is_answered_by_keyboard_and_the_server_gets_it(
    asked: Any, qtbot: QtBot
) -> None:
    window, card = asked("use the ask_form tool")
    texts = _labels(card)
    assert texts[:2] == ["shop asks:", "Book a table: who is coming?"]  # the server named
    assert "Your name *" in texts  # required
    assert "shop asks you a question" in window.actions_.last_announcement
    name = card.inputs["name"]
    assert isinstance(name, QLineEdit)
    assert name.hasFocus()
    assert not card.buttons["accept"].isEnabled()
    qtbot.keyClicks(name, "A")
    assert card.errors["name"].text() == "at least 2 characters"
    qtbot.keyClick(name, Qt.Key.Key_Return)  # not while it is wrong
    assert card.isEnabled()
    qtbot.keyClicks(name, "da")
    assert card.errors["name"].text() == ""
    qtbot.keyClick(name, Qt.Key.Key_Tab)  # on to the number of guests
    guests = card.inputs["guests"]
    assert guests.hasFocus()
    qtbot.keyClick(guests, Qt.Key.Key_Up)
    qtbot.keyClick(guests, Qt.Key.Key_Return)
    said = _result(window, qtbot)
    assert said.startswith("accept ")
    sent = json.loads(said.removeprefix("accept "))
    assert (sent["name"], sent["guests"], sent["seat"]) == ("Ada", 3, "window")
    qtbot.waitUntil(lambda: not window.actions_.asks.cards)  # the card goes with the question


def test_escape_cancels_a_question_and_the_server_is_told(asked: Any, qtbot: QtBot) -> None:
    window, card = asked("use the ask_form tool")
    qtbot.keyClick(card.inputs["name"], Qt.Key.Key_Escape)
    assert _result(window, qtbot) == "cancel"
    assert window.conversation.messages()[-1].status.value == "complete"  # not stopped


def test_decline_is_chosen_by_tab_and_enter(asked: Any, qtbot: QtBot) -> None:
    window, card = asked("use the ask_form tool")
    decline = card.buttons["decline"]
    while not decline.hasFocus():
        qtbot.keyClick(card.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(decline, Qt.Key.Key_Return)
    assert _result(window, qtbot) == "decline"


def test_a_url_opens_only_after_the_person_confirms(
    asked: Any, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(
        "chatdesk.ui.window.message_actions.QDesktopServices.openUrl",
        lambda url: opened.append(url.toString()) or True,
    )
    window, card = asked("use the ask_url tool")
    url = "https://pay.example.com/checkout?order=7"
    texts = _labels(card)
    assert texts[:4] == ["shop asks:", "Finish paying on the shop's page.", "pay.example.com", url]
    open_button = card.buttons["accept"]
    assert open_button.text() == "Open in browser…"
    assert open_button.hasFocus()  # no fields: the first button
    qtbot.keyClick(open_button, Qt.Key.Key_Return)
    assert opened == []  # asked first
    confirm = card.buttons["open"]
    assert isinstance(confirm, QPushButton)
    qtbot.waitUntil(confirm.hasFocus)
    qtbot.keyClick(confirm, Qt.Key.Key_Return)
    assert opened == [url]
    assert window.actions_.opened_links == [url]
    assert _result(window, qtbot) == "accept"


def test_a_long_calls_progress_moves_a_bar_on_its_card(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = _window(make_core, open_window, qtbot, finish)
    send(qtbot, window, "use the count tool with steps=40 every=0.05")
    asks = window.actions_.asks
    qtbot.waitUntil(lambda: bool(asks.progress), timeout=WAIT)
    [line] = asks.progress.values()
    assert line.isVisible()  # at once, with its first report
    assert line.bar.value() > 0
    assert line.message.text().startswith("step ")
    assert line.bar.maximum() == 1000  # determinate: the server gives a total
    assert _result(window, qtbot) == "counted 40"
    qtbot.waitUntil(lambda: not asks.progress)  # gone with the call


def test_a_question_waits_while_another_chat_is_shown_and_is_there_on_coming_back(
    asked: Any, qtbot: QtBot, finish: Any
) -> None:
    window, _ = asked("use the ask_form tool")
    thread_id = window.current_thread_id
    other = finish(window.actions_._service.create_thread(title="Elsewhere"))
    window.show_thread(other.id)
    qtbot.waitUntil(lambda: window.current_thread_id == other.id)
    asks = window.actions_.asks
    qtbot.waitUntil(lambda: not any(c.isVisible() for c in _valid(asks.cards.values())))
    window.show_thread(thread_id)
    qtbot.waitUntil(lambda: any(c.isVisible() for c in _valid(asks.cards.values())))
    [again] = _valid(asks.cards.values())
    assert len(window.view.widgets) == 2  # the question and its answer, each shown once
    qtbot.keyClicks(again.inputs["name"], "Ada")
    qtbot.keyClick(again.inputs["name"], Qt.Key.Key_Return)
    assert _result(window, qtbot).startswith("accept ")


def test_a_question_comes_to_its_calls_card_shown_again_before_the_old_page_is_deleted(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, finish: Any
) -> None:
    # Coming back to a chat builds its page anew while the page left is still being deleted,
    # one widget a turn (conversation/discarded.py): the question must come to the card
    # shown now, not stay on the hidden one waiting for its deletion.
    left, again = QWidget(), QWidget()  # the call's card on the page left, and on the new one
    for card in (left, again):
        QVBoxLayout(card)
        qtbot.addWidget(card)
        card.show()
    on_screen = [left]
    message_id = uuid.uuid4()
    asks = WindowAsks(
        lambda m, c: on_screen[0] if (m, c) == (message_id, "call") else None,
        lambda _words: None,
        lambda _url: False,
    )
    question = Question("shop", "Who is coming?", message_id=message_id, call_id="call")
    asked = qloop.create_task(asks.ask(question))
    qtbot.waitUntil(lambda: bool(asks.cards))
    left.hide()
    on_screen[0] = again
    asks.place_all()
    [card] = _valid(asks.cards.values())
    assert card.parentWidget() is again
    assert card.isVisible()
    card.answered.emit(Answer(Action.DECLINE))

    async def answer() -> Answer:
        return await asked

    assert finish(answer()).action is Action.DECLINE


def _valid(cards: Any) -> list[QuestionCard]:
    from shiboken6 import Shiboken

    return [card for card in cards if Shiboken.isValid(card)]


def test_stop_cancels_a_running_call_at_its_server(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = _window(make_core, open_window, qtbot, finish)
    listening = socket.create_server(("127.0.0.1", 0))
    listening.settimeout(WAIT / 1000)
    heard: list[bytes] = []

    def hear() -> None:  # the server's tool says "cancelled" here when it is stopped
        told, _ = listening.accept()
        with told:
            heard.append(told.recv(100))

    threading.Thread(target=hear, daemon=True).start()
    port = listening.getsockname()[1]
    send(qtbot, window, f"use the count tool with steps=10000 every=0.05 tell={port}")
    asks = window.actions_.asks
    qtbot.waitUntil(lambda: bool(asks.progress), timeout=WAIT)
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Escape)  # Stop
    qtbot.waitUntil(lambda: heard == [b"cancelled"], timeout=WAIT)
    qtbot.waitUntil(lambda: not asks.progress)
    listening.close()


def test_a_progress_with_no_message_says_how_far_in_numbers(qtbot: QtBot) -> None:
    line = ProgressLine()
    qtbot.addWidget(line)
    ids = uuid.uuid4(), uuid.uuid4()
    line.show_progress(ToolCallProgressed(*ids, "c1", 3, 20, ""))
    assert line.message.text() == "3 of 20"
    assert line.bar.value() == 150  # of 1000
    line.show_progress(ToolCallProgressed(*ids, "c1", 4, 20, "copying b.txt"))
    assert line.message.text() == "copying b.txt"  # the server's words when it gives some
    line.show_progress(ToolCallProgressed(*ids, "c1", 5, None, ""))
    assert line.message.text() == ""  # no end known: the bar moves, no numbers
    assert line.bar.maximum() == 0


def test_with_no_browser_the_address_is_copied_and_the_person_says_when_it_is_open(
    asked: Any, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "chatdesk.ui.window.message_actions.QDesktopServices.openUrl", lambda url: False
    )
    window, card = asked("use the ask_url tool")
    url = "https://pay.example.com/checkout?order=7"
    qtbot.keyClick(card.buttons["accept"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "open" in card.buttons and card.buttons["open"].hasFocus())
    qtbot.keyClick(card.buttons["open"], Qt.Key.Key_Return)  # no browser opens
    copy = card.buttons["open"]
    assert copy.text() == "Copy address"
    assert "No browser could be opened" in " ".join(_labels(card))
    assert card.isEnabled()  # not answered: the server is not told a page opened
    qtbot.keyClick(copy, Qt.Key.Key_Return)
    assert QApplication.clipboard().text() == url
    assert card.buttons["opened"].hasFocus()  # the next step, once it is open
    qtbot.keyClick(card.buttons["opened"], Qt.Key.Key_Return)
    assert _result(window, qtbot) == "accept"
