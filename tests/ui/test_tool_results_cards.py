"""A tool's structured result, its hints and its title on its card, against the test MCP server
(`tests/core/mcp_server.py` with `mcp_parts/results.py`) run as its own process, driven
through the window by keyboard: the title shown after the server with the real name in the
tooltip, the structured result folded until asked for, a mismatch noted, and a destructive
tool waiting for approval under its server's "allow", saying why."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from chatdesk.ui.conversation.tool_card import ToolCallCard
from chatdesk.ui.main_window import MainWindow
from tests.ui.test_window import answer_done, send
from tests.ui.tool_windows import last_card, press, window_with_server

SHOTS = os.environ.get("CHATDESK_SHOTS")  # a folder: the cards are saved there as images


def _window(make_core: Any, open_window: Any, qtbot: QtBot, finish: Any) -> MainWindow:
    return window_with_server(make_core, open_window, qtbot, finish, "test", "Results")


def _done(
    qtbot: QtBot, window: MainWindow, tool: str, more: str = "", count: int = 2
) -> ToolCallCard:
    """Ask for a call of `tool`; its card once the answer (the `count`th message) ended."""
    send(qtbot, window, f"use the {tool} tool{more}")

    def ended() -> bool:
        card = last_card(window)
        return card is not None and card.call.tool == tool and answer_done(window, count)

    qtbot.waitUntil(ended, timeout=30_000)
    card = last_card(window)
    assert card is not None
    return card


def _key(qtbot: QtBot, button: Any) -> None:
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)


def _shot(card: ToolCallCard, name: str) -> None:
    """With CHATDESK_SHOTS set, save the card in the light and the dark theme."""
    if not SHOTS:
        return
    from PySide6.QtWidgets import QApplication

    from chatdesk.ui.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for theme in ("light", "dark"):
        apply_theme(app, theme)
        app.processEvents()  # laid out in the theme's sizes
        card.grab().save(str(Path(SHOTS) / f"{name}-{theme}.png"))
    apply_theme(app, "")


def test_a_structured_result_shows_folded_and_a_mismatch_is_noted(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = _window(make_core, open_window, qtbot, finish)
    card = _done(qtbot, window, "forecast", " with city=Oslo")
    assert card.call.state == "done"
    assert card._title.text().endswith("test › Weather forecast")  # its title, after its server
    assert "test › forecast" in card._title.toolTip()  # the name it is called by
    assert card.warning is None  # nothing to warn of
    _key(qtbot, card._fold)
    view = card.structured
    assert view is not None
    assert view.isVisible()
    assert not view.text.isVisible()  # folded until asked for
    _key(qtbot, view.fold)
    qtbot.waitUntil(view.text.isVisible)
    assert json.loads(view.text.toPlainText()) == {"city": "Oslo", "celsius": 21.5, "sky": "clear"}
    _key(qtbot, view.copy)
    assert json.loads(QGuiApplication.clipboard().text())["sky"] == "clear"
    _shot(card, "structured")

    wrong = _done(qtbot, window, "miscount", count=4)
    assert wrong.call.state == "done"
    assert wrong.warning is not None
    assert wrong.warning.isVisible()
    said = wrong.warning.text()
    assert said.startswith("The result does not match what miscount said it returns: ")
    assert "items" in said
    _key(qtbot, wrong._fold)
    _shot(wrong, "mismatch")


def test_a_destructive_tool_waits_under_its_servers_allow_and_says_why(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window = _window(make_core, open_window, qtbot, finish)
    send(qtbot, window, "use the wipe tool with what=tmp")

    def waiting() -> bool:
        card = last_card(window)
        return card is not None and card.call.state == "waiting"

    qtbot.waitUntil(waiting, timeout=30_000)
    card = last_card(window)
    assert card is not None
    assert card._title.text().endswith("test › Wipe everything")
    assert card.warning is not None
    assert card.warning.isVisible()
    assert card.warning.text() == "This tool may delete or change things"
    _shot(card, "destructive-waiting")
    press(qtbot, card, "deny")
    qtbot.waitUntil(lambda: answer_done(window), timeout=30_000)
    assert card.call.state == "not_run"
    assert not card.warning.isVisible()  # said while it waited
