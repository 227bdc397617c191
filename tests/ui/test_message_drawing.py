"""How a formatted answer is drawn in a message: what the renderer's HTML leaves to the view."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QTextBlock
from pytestqt.qtbot import QtBot

from chatdesk.core.render import render_markdown
from chatdesk.ui.conversation.browser import MessageBrowser
from chatdesk.ui.theme.scale import INDENT

NESTED = "- top\n  - middle\n    - deepest\n"
QT_LEVEL_PX = 40  # what Qt indents each level of a list by, left alone


def _block(browser: MessageBrowser, text: str) -> QTextBlock:
    block = browser.document().begin()
    while block.isValid() and block.text() != text:
        block = block.next()
    assert block.isValid(), text
    return block


def _left(browser: MessageBrowser, text: str) -> float:
    """Where the line of `text` begins, in the message's pixels."""
    document = browser.document()
    document.setTextWidth(480)
    bounds = document.documentLayout().blockBoundingRect(_block(browser, text))  # lays it out
    lines = _block(browser, text).layout()
    assert lines.lineCount() == 1
    return bounds.x() + lines.lineAt(0).x()


def _shown(qtbot: QtBot, point_size: int) -> MessageBrowser:
    browser = MessageBrowser()
    qtbot.addWidget(browser)
    font = QFont(browser.font())
    font.setPointSize(point_size)
    browser.setFont(font)
    browser.resize(500, 100)
    browser.show_rendered(render_markdown(NESTED))
    return browser


def test_nested_lists_are_indented_on_the_type_scale(qtbot: QtBot) -> None:
    browser = _shown(qtbot, 10)
    level = INDENT["list"] * browser.fontInfo().pixelSize()
    tops, deepest = _left(browser, "top"), _left(browser, "deepest")
    assert deepest - tops == pytest.approx(level * 2, abs=1)  # two levels in, a step each
    assert deepest < 3 * QT_LEVEL_PX  # not Qt's deep steps


def test_a_list_indent_grows_with_the_text(qtbot: QtBot) -> None:
    small, large = _shown(qtbot, 9), _shown(qtbot, 18)
    step_small = _left(small, "middle") - _left(small, "top")
    step_large = _left(large, "middle") - _left(large, "top")
    assert step_large > 1.5 * step_small
