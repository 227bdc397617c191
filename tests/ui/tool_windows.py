"""What the window tests of tool calls share: a window showing a chat (one with the test MCP
server on, tests/core/mcp_server.py), the card of the last answer's call, and picking on it by
keyboard."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from chatdesk.ui.conversation.tool_card import ToolCallCard
from chatdesk.ui.main_window import MainWindow
from tests.core.mcp_helpers import chat_with_server


def window_on(open_window: Any, qtbot: QtBot, core: Any, thread_id: uuid.UUID) -> MainWindow:
    """A window of `core` showing the chat `thread_id`."""
    window: MainWindow = open_window(core)
    window.show_thread(thread_id)
    qtbot.waitUntil(lambda: window.current_thread_id == thread_id)
    return window


def window_with_server(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, name: str, title: str
) -> MainWindow:
    """A window showing a new chat `title` with the test server on as `name`, calls allowed."""
    core = make_core()
    thread = finish(chat_with_server(core.service, name, title))
    return window_on(open_window, qtbot, core, thread.id)


def last_card(window: MainWindow) -> ToolCallCard | None:
    """The first call's card of the last answer, once there is one."""
    widgets = window.view.widgets
    if len(widgets) < 2 or widgets[-1].tool_calls is None:
        return None
    cards = list(widgets[-1].tool_calls.cards.values())
    return cards[0] if cards else None


def waiting(window: MainWindow) -> bool:
    """The last answer's first call waits for the user's choice."""
    card = last_card(window)
    return card is not None and card.call.state == "waiting"


def press(qtbot: QtBot, card: ToolCallCard, choice: str) -> None:
    """Allow once / Always / Deny (`choice`) on a waiting card, by keyboard."""
    button = card.choice_buttons[choice]
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
