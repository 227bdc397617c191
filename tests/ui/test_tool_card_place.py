"""A tool call's card stands where the model made the call in its answer: the words it wrote
before the call read above the card, those written after it below. A real local
OpenAI-compatible server streams the answer (words, then a call of chatdesk's own search, then
more words after the result), and the window shows it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.tools.model import Policy
from chatdesk.core.trust.links import copy_code_href
from chatdesk.ui.conversation.browser import MessageBrowser
from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.main_window import MainWindow
from tests.core.sse_server import FakeOpenAI, Reply, chunk, text_reply, usage_chunk

BEFORE = "Let me look through your chats first."
AFTER = "Nothing turned up about alpha."
CODE_BEFORE, CODE_AFTER = "search('alpha')", "print('none')"


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("m",)).start()
    yield fake
    fake.close()


def _call(call_id: str, name: str, arguments: str) -> list[str]:
    """Chunks that stream one call, as OpenAI does."""
    head = {"index": 0, "id": call_id, "type": "function", "function": {"name": name}}
    rest = {"index": 0, "function": {"arguments": arguments}}
    return [
        chunk(tool_calls=[head]),  # type: ignore[arg-type]
        chunk(tool_calls=[rest]),  # type: ignore[arg-type]
        chunk(finish="tool_calls"),
        usage_chunk(20, 10),
    ]


def _answer(window: MainWindow) -> MessageWidget | None:
    widgets = window.view.widgets
    return widgets[1] if len(widgets) == 2 else None


def _top(widget: QWidget, within: QWidget) -> int:
    return widget.mapTo(within, widget.rect().topLeft()).y()


def _holding(widget: MessageWidget, words: str) -> MessageBrowser | None:
    """The view of the answer that shows `words`, once it shows them."""
    for browser in widget.findChildren(MessageBrowser):
        if browser.isVisible() and words in browser.toPlainText():
            return browser
    return None


def test_the_words_before_a_call_read_above_its_card_and_those_after_below(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, server: FakeOpenAI
) -> None:
    core = make_core()
    finish(core.profiles.save(ProviderProfile("box", server.url, default_model="m")))
    core.service.tools.policies.set("chatdesk", Policy.ALLOW)
    thread = finish(core.service.create_thread(provider="box", model="m"))
    finish(core.service.set_thread_tools(thread.id, ["chatdesk"]))
    asked = json.dumps({"query": "alpha"})
    server.queue(
        Reply(
            events=[
                chunk(f"{BEFORE}\n\n```\n{CODE_BEFORE}\n```\n"),
                *_call("call_a", "search_chats", asked),
            ]
        ),
        text_reply(f"{AFTER}\n\n```\n{CODE_AFTER}\n```\n"),
    )
    window = open_window(core)
    window.show_thread(thread.id)
    finish(core.service.send(thread.id, "What did I say about alpha?"))

    def placed() -> bool:
        widget = _answer(window)
        return (
            widget is not None
            and widget.message.status.is_final
            and widget.tool_calls is not None
            and bool(widget.tool_calls.cards)
            and _holding(widget, BEFORE) is not None
            and _holding(widget, AFTER) is not None
            and len(widget.code_blocks()) == 2  # both formatted
        )

    qtbot.waitUntil(placed, timeout=30_000)
    widget = _answer(window)
    assert widget is not None
    assert widget.tool_calls is not None
    [card] = widget.tool_calls.cards.values()
    before, after = _holding(widget, BEFORE), _holding(widget, AFTER)
    assert before is not None
    assert after is not None
    assert before is not after  # the card between them
    assert AFTER not in before.toPlainText()
    assert BEFORE not in after.toPlainText()
    QApplication.processEvents()  # laid out
    assert _top(before, widget) + before.height() <= _top(card, widget)
    assert _top(card, widget) + card.height() <= _top(after, widget)

    window.actions_.copy(widget.message.id, plain=True)  # the words whole, in their order
    copied = QApplication.clipboard().text()
    assert copied.index(BEFORE) < copied.index(AFTER)
    # Each code block's Copy copies its own, above the card and below it.
    for view, code in ((before, CODE_BEFORE), (after, CODE_AFTER)):
        view.link_activated.emit(copy_code_href(0))  # each view's first block
        assert QApplication.clipboard().text().strip() == code
