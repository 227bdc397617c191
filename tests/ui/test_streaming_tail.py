"""A streaming answer's unfinished tail is drawn as it will be: a table, bold, never raw syntax.

A real local OpenAI-compatible server streams the answer and holds it at a chosen event, so the
test reads the window while the answer is still arriving, then lets it finish.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtGui import QFont, QTextCursor
from pytestqt.qtbot import QtBot

from chatdesk.core.kinds import Status
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.render import render_markdown
from chatdesk.ui.conversation.browser import MessageBrowser
from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.main_window import MainWindow
from tests.core.sse_server import FakeOpenAI, Reply, chunk, usage_chunk

BEFORE_HOLD = [
    "Here is **the pl",
    "an**:\n\n",
    "| Step | Ow",
    "ner |\n|---",
    "|---|\n| Draft | **An",
    "n",
]
AFTER_HOLD = ["y** |\n| Review | Bo |\n\n", "Done."]


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("m",)).start()
    yield fake
    fake.release.set()
    fake.close()


def held_reply() -> Reply:
    tokens = BEFORE_HOLD + AFTER_HOLD
    events = [chunk(token) for token in tokens]
    events += [chunk(finish="stop"), usage_chunk(7, len(tokens))]
    return Reply(events=events, hold_after=len(BEFORE_HOLD))


def answer(window: MainWindow) -> MessageWidget | None:
    widgets = window.view.widgets
    return widgets[1] if len(widgets) == 2 else None


def find(widget: MessageWidget, word: str) -> QTextCursor:
    return widget.body.document().find(word)


def in_table(widget: MessageWidget, word: str) -> bool:
    found = find(widget, word)
    return not found.isNull() and found.currentTable() is not None


def test_a_table_and_bold_text_stream_formatted_and_finish_as_the_normal_render(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, server: FakeOpenAI
) -> None:
    core = make_core()
    finish(core.profiles.save(ProviderProfile("box", server.url, default_model="m")))
    thread = finish(core.service.create_thread(provider="box", model="m"))
    server.replies.append(held_reply())
    window = open_window(core)
    window.show_thread(thread.id)
    finish(core.service.send(thread.id, "Plan the release"))

    # Held after "| Draft | **Ann": the row has arrived, its cell's bold is still open.
    qtbot.waitUntil(lambda: server.holding.is_set())
    # Before the render child's first answer the tail shows as it is; then as it will be.
    qtbot.waitUntil(lambda: (w := answer(window)) is not None and in_table(w, "Ann"))
    widget = answer(window)
    assert widget is not None
    assert widget.message.status is Status.STREAMING
    shown = widget.body.toPlainText()
    assert "|" not in shown
    assert "---" not in shown
    assert "**" not in shown
    cell = find(widget, "Ann")
    assert cell.currentTable() is not None  # a table, with the row so far
    assert cell.charFormat().fontWeight() >= QFont.Weight.Bold
    owner = find(widget, "Owner")
    assert owner.currentTable() is cell.currentTable()
    assert find(widget, "the plan").charFormat().fontWeight() >= QFont.Weight.Bold

    server.release.set()
    qtbot.waitUntil(lambda: widget.message.status.is_final and widget.rendered is not None)
    text = widget.message.content
    assert text == "".join(BEFORE_HOLD + AFTER_HOLD)
    reference = MessageBrowser()
    reference.show_rendered(render_markdown(text, widget.formatting.options(widget.message)))
    assert widget.body.toHtml() == reference.toHtml()
    assert find(widget, "Anny").currentTable() is not None


def blocks(widget: MessageWidget) -> list[str]:
    block, texts = widget.body.document().begin(), []
    while block.isValid():
        texts.append(block.text())
        block = block.next()
    return texts


def test_a_list_streams_under_its_paragraph_without_an_empty_line_between(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, server: FakeOpenAI
) -> None:
    core = make_core()
    finish(core.profiles.save(ProviderProfile("box", server.url, default_model="m")))
    thread = finish(core.service.create_thread(provider="box", model="m"))
    held = ["Two steps:\n\n", "1. Tag the release\n2. Run the `scr"]
    events = [chunk(token) for token in [*held, "ipt`\n\nDone."]]
    server.replies.append(Reply(events=[*events, chunk(finish="stop")], hold_after=len(held)))
    window = open_window(core)
    window.show_thread(thread.id)
    finish(core.service.send(thread.id, "How?"))

    def listed() -> bool:
        widget = answer(window)
        found = find(widget, "scr") if widget is not None else None
        return found is not None and not found.isNull() and found.currentList() is not None

    qtbot.waitUntil(listed)  # the list's last item so far, its code span closed
    widget = answer(window)
    assert widget is not None
    assert widget.message.status is Status.STREAMING
    shown = blocks(widget)
    assert shown[: shown.index("Tag the release")] == ["Two steps:"]
    assert "`" not in widget.body.toPlainText()
    server.release.set()
    qtbot.waitUntil(lambda: widget.message.status.is_final and widget.rendered is not None)
    reference = MessageBrowser()
    options = widget.formatting.options(widget.message)
    reference.show_rendered(render_markdown(widget.message.content, options))
    assert widget.body.toHtml() == reference.toHtml()
