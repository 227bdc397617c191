"""The resources a tool's result gave, on its card: a row each with Open and Attach, against a
real core and the test MCP server (tests/core/mcp_server.py over stdio). An embedded text opens
in a read-only viewer as plain text; a linked resource attaches like one chosen in the browser;
an http(s) link opens only after the user sees the address and chooses Open."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMainWindow, QMessageBox, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from chatdesk.core.views import ResultResource, ToolCallView
from chatdesk.ui.attachments.actions import AttachmentActions
from chatdesk.ui.conversation.tool_card import ToolCallCard
from tests.core.mcp_helpers import chat_with_server

LONG = 30_000  # ms: the server and the reading child start on first use


def _call(core: Any, finish: Any) -> ToolCallView:
    """A real answer's call of `linked` (a resource link and an embedded resource)."""
    service = core.service
    thread = finish(chat_with_server(service, "notes"))
    turn = finish(service.send(thread.id, "use the linked tool"))
    answer = finish(service.wait_for_answer(turn.answer.id), LONG)
    [call] = answer.tool_calls
    return call  # type: ignore[no-any-return]


def _buttons(card: ToolCallCard, row: int) -> tuple[QPushButton, QPushButton]:
    assert card.resources is not None
    opened, attach = card.resources.rows[row].findChildren(QPushButton)
    return opened, attach


def test_a_cards_resources_open_and_attach(
    make_core: Any, qtbot: QtBot, finish: Any, runner: Any
) -> None:
    core = make_core()
    call = _call(core, finish)
    window = QMainWindow()
    qtbot.addWidget(window)
    actions = AttachmentActions(window, core.service, runner)
    card = ToolCallCard(call)
    qtbot.addWidget(card)
    card.attachment_action.connect(actions.run)
    card.show()
    assert card.resources is not None
    described = [row.accessibleName() for row in card.resources.rows]
    assert described[0].startswith("shopping (note://shopping) · text/plain · ")
    assert described[0].endswith(" · link")
    assert described[1].startswith("note://inline · text/plain · ")

    opened, _ = _buttons(card, 1)  # the embedded text
    assert opened.accessibleName() == "Open note://inline"
    qtbot.mouseClick(opened, Qt.MouseButton.LeftButton)
    [viewer] = actions.resources.shown
    text = viewer.findChild(QPlainTextEdit)
    assert text is not None
    assert text.isReadOnly()
    assert text.toPlainText() == "Inline <b>words</b>"  # as it came, never markup

    made: list[Any] = []
    actions.resources.attached.connect(made.append)
    _, attach = _buttons(card, 0)  # the link: read from its server
    qtbot.mouseClick(attach, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(made) == 1, timeout=LONG)
    assert made[0].text.startswith("Remember the milk.")
    assert (made[0].origin_server, made[0].origin_uri) == ("notes", "note://shopping")


def test_an_http_link_opens_only_after_the_address_is_seen(
    make_core: Any, qtbot: QtBot, runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = make_core()
    window = QMainWindow()
    qtbot.addWidget(window)
    actions = AttachmentActions(window, core.service, runner)
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    link = ResultResource("https://example.org/a?b=<c>", server="notes")
    actions.run(link, "resource_open")
    [box] = actions.resources.shown
    assert isinstance(box, QMessageBox)
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.text().endswith("Host: example.org\n\nhttps://example.org/a?b=<c>")
    assert opened == []  # nothing opened because the server said so
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Open).click()
    assert opened == [QUrl("https://example.org/a?b=<c>").toString()]
