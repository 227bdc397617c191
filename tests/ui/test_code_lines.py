"""A code block keeps its lines: a line longer than the answer's width stays one line and the
answer scrolls sideways to it (a scroll bar under it shows there is more), in the conversation
and in a comparison's narrow answers alike; the words around it still wrap."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QTextBlock
from pytestqt.qtbot import QtBot

from chatdesk.ui.conversation.browser import MessageBrowser
from tests.ui.test_conversation import open_thread, seed_answer

LONG_LINE = "result = compute(" + ", ".join(f"argument_{n}" for n in range(40)) + ")"
PROSE = "The call below passes every argument on one line, as the code was written. " * 6
TEXT = f"{PROSE}\n\n```python\n{LONG_LINE}\nprint(result)\n```\n"


def _block(browser: MessageBrowser, starting: str) -> QTextBlock:
    block = browser.document().begin()
    while block.isValid():
        if block.text().startswith(starting):
            return block
        block = block.next()
    raise AssertionError(f"no block starts with {starting!r}")


def test_a_long_code_line_stays_one_line_and_scrolls_sideways(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    thread = seed_answer(core, finish, TEXT)
    window = open_window(core)
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() == 800)
    open_thread(window, qtbot, thread.id, 2)
    body = window.view.widgets[1].body
    qtbot.waitUntil(lambda: body.horizontalScrollBar().maximum() > 0)
    assert body.fontMetrics().horizontalAdvance(LONG_LINE) > body.viewport().width()
    code = _block(body, "result = compute(")
    assert code.layout().lineCount() == 1  # whole, not wrapped
    assert _block(body, "The call below").layout().lineCount() > 1  # the words still wrap
    bar = body.horizontalScrollBar()
    assert bar.isVisible()
    # The scroll bar has its own room: the last line is not hidden under it.
    last = body.document().documentLayout().blockBoundingRect(_block(body, "print(result)"))
    assert last.bottom() <= body.viewport().height()
    copy = body.document().find("Copy")  # the code's Copy link is in sight, not past the edge
    assert not copy.isNull()
    assert body.cursorRect(copy).right() < body.viewport().width()
    bar.setValue(bar.maximum())  # scrolled to the line's end
    assert bar.value() > 0
