"""A tool server's text that looks like markup is shown as it is, never rendered: a tool's
description in Preferences ▸ Tools (its tooltip), a server's command or address there, and the
description of a value a server's question asks for (its tooltip and its caption), with the
test MCP server (tests/core/mcp_server.py, mcp_parts/gapsui.py) run over stdio."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.core.tools.service import Tools
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.tools_page import ToolsPage
from tests.core.mcp_helpers import SERVER
from tests.core.mcp_parts.gapsui import MARKUP
from tests.ui.preference_pages import own_tools, tools_page
from tests.ui.test_preferences import LEFT
from tests.ui.test_questions_ui import _question, _window
from tests.ui.test_window import send


def seen(tip: str) -> str:
    """The words a tooltip shows: Qt renders one that might be rich text as rich text."""
    if not QtGui.Qt.mightBeRichText(tip):
        return tip
    document = QTextDocument()
    document.setHtml(tip)
    return document.toPlainText()


def test_the_check_can_fail() -> None:
    assert seen(MARKUP) != MARKUP  # as it is, a tooltip would show a bold x and a picture


@pytest.fixture
def tools(tmp_path: Path, finish: Any) -> Iterator[Tools]:
    yield from own_tools(tmp_path, finish)


@pytest.fixture
def page(qtbot: QtBot, runner: Runner, tools: Tools) -> Iterator[ToolsPage]:
    yield from tools_page(qtbot, runner, tools)


def _row(tree: Any, name: str) -> QTreeWidgetItem:
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    return next(item for item in items if item is not None and item.text(0) == name)


def test_a_tools_description_and_a_servers_command_show_as_they_are(
    page: ToolsPage, tools: Tools, qtbot: QtBot, finish: Any
) -> None:
    args = ("-I", str(SERVER), "stdio")
    notes = ServerConfig(
        "notes", Transport.STDIO, command=sys.executable, args=args, command_approved=True
    )
    odd = ServerConfig("odd", Transport.STDIO, command="run", args=(MARKUP,))
    for server in (notes, odd):
        finish(tools.add_server(server))
    page.refresh()
    odd_row = _row(page.list, "odd")
    assert "<b>x</b><img src=" in odd_row.text(2)
    assert seen(odd_row.toolTip(2)) == odd_row.text(2)

    page.list.setCurrentItem(_row(page.list, "notes"))
    qtbot.mouseClick(page.test_button, LEFT)
    qtbot.waitUntil(lambda: page.found.isVisible(), timeout=30_000)
    tool = _row(page.found, "marked_up")
    assert tool.text(2) == MARKUP
    assert seen(tool.toolTip(2)) == MARKUP


def test_a_questions_value_description_shows_as_it_is(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = _window(make_core, open_window, qtbot, finish)
    send(qtbot, window, "use the ask_marked tool")
    card = _question(window, qtbot)
    word = card.inputs["word"]
    assert seen(word.toolTip()) == MARKUP
    [caption] = [label for label in card.findChildren(QLabel) if MARKUP in label.text()]
    assert caption.textFormat() == Qt.TextFormat.PlainText
