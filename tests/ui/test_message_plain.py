"""Text a message widget shows as it is, before or without formatting: the text shown while a
message is being formatted, a streaming answer's unfinished tail and the reasoning. It gets
the plain fallback's clean-up (NUL and lone surrogates as U+FFFD, line breaks as LF) and cap."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from chatdesk.core.kinds import Status
from chatdesk.core.render.worker import RenderWorker
from chatdesk.core.views import MessageView
from chatdesk.ui.conversation.browser import CARET
from chatdesk.ui.conversation.formatter import SHOWN_CHARS, Formatter
from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.render_one import message_alone
from chatdesk.ui.runner import Runner

HOSTILE = "first\0line\r\nsecond \ud800 line\rthird"
CLEANED = "first\ufffdline\nsecond \ufffd line\nthird"


@pytest.fixture
def waiting_formatter() -> Formatter:
    """A formatter whose answers never arrive: what the widget shows is its own plain text."""
    formatter = Formatter(RenderWorker(), Runner())
    formatter.close()
    return formatter


def _message(
    content: str, status: Status = Status.COMPLETE, reasoning: str | None = None
) -> MessageView:
    shown = message_alone(content)
    done = shown.completed_at if status.is_final else None
    return replace(shown, status=status, reasoning=reasoning, completed_at=done)


def test_text_shown_while_formatting_has_no_nul_or_lone_surrogate(
    qtbot: QtBot, waiting_formatter: Formatter
) -> None:
    widget = MessageWidget(_message(HOSTILE), waiting_formatter)
    qtbot.addWidget(widget)
    assert widget.rendered is None  # nothing formatted yet: this is the text as it is
    assert widget.body.toPlainText() == CLEANED


def test_a_streaming_tail_is_cleaned_as_it_grows(
    qtbot: QtBot, waiting_formatter: Formatter
) -> None:
    message = _message("tail\0 so", Status.STREAMING)
    widget = MessageWidget(message, waiting_formatter)
    qtbot.addWidget(widget)
    assert widget.body.toPlainText() == "tail\ufffd so" + CARET  # the caret shows it grows
    widget.update_message(replace(message, content="tail\0 so far\r\nand\ud800 on"))
    assert widget.body.toPlainText() == "tail\ufffd so far\nand\ufffd on" + CARET
    widget.update_message(replace(message, content="tail so far", status=Status.COMPLETE))
    assert widget.body.toPlainText() == "tail so far"  # ended: no caret


def test_reasoning_is_cleaned_and_capped(qtbot: QtBot, waiting_formatter: Formatter) -> None:
    reasoning = "why\0" + "x" * (3 * SHOWN_CHARS)
    widget = MessageWidget(_message("Answer", reasoning=reasoning), waiting_formatter)
    qtbot.addWidget(widget)
    widget._thinking.click()
    assert widget._reasoning is not None
    shown = widget._reasoning.toPlainText()
    assert shown.startswith("why\ufffdxxx")
    assert len(shown) < SHOWN_CHARS + 100
    assert f"the first {SHOWN_CHARS:,} of {len(reasoning):,} characters" in shown


def test_an_answer_of_blank_lines_is_shown_as_one_blank_line(
    qtbot: QtBot, waiting_formatter: Formatter
) -> None:
    content = "Above" + "\n \t" * 10_000 + "\n" * 10_000 + "Below"  # 20,000 blank lines
    widget = MessageWidget(_message(content), waiting_formatter)
    qtbot.addWidget(widget)
    assert widget.body.toPlainText() == "Above\n\nBelow"
    assert widget.body.document().blockCount() == 3  # not a line laid out per blank line
    assert widget.message.content == content  # the message keeps every line


def test_blank_lines_within_text_are_kept_as_one(
    qtbot: QtBot, waiting_formatter: Formatter
) -> None:
    widget = MessageWidget(_message("one\n\ntwo\nthree\n\n\n\nfour"), waiting_formatter)
    qtbot.addWidget(widget)
    assert widget.body.toPlainText() == "one\n\ntwo\nthree\n\nfour"
