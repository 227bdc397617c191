"""The composer's Knowledge menu, with real widgets offscreen over a started core on a real
SQLite file and real files: a base ticked for a new chat is linked to it when it is made, its
answer cites the base's passages, and the menu shows the shown chat's links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton
from pytestqt.qtbot import QtBot

from chatdesk.core.kinds import Status
from chatdesk.ui.main_window import MainWindow


def _button(window: MainWindow) -> QToolButton:
    found = window.composer.findChild(QToolButton, "knowledgeButton")
    assert found is not None
    return found


def test_a_base_ticked_for_a_new_chat_answers_in_it(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, tmp_path: Path
) -> None:
    core = make_core()
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "boiler.md").write_text(
        "# Boiler\n\nHold the red button for ten seconds to reset the boiler.\n", encoding="utf-8"
    )
    knowledge = core.service.knowledge
    base = finish(knowledge.create("Home"))
    finish(knowledge.add(base.id, notes))
    finish(knowledge.index(base.id), timeout=30_000)
    window = open_window(core)
    button = _button(window)
    qtbot.waitUntil(button.isVisible)  # a base exists: the menu is offered
    assert button.text() == "Knowledge"  # no count: none is on
    assert button.accessibleDescription() == "0 knowledge bases on for this chat"

    [entry] = button.menu().actions()
    assert entry.text() == "Home"
    entry.trigger()
    assert button.text() == "Knowledge · 1"  # how many are on
    assert button.accessibleDescription() == "1 knowledge base on for this chat"
    qtbot.keyClicks(window.composer.editor, "How do I reset the boiler?")
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: window._thread is not None)
    thread = window._thread
    assert thread is not None
    assert finish(knowledge.links("thread_id", thread.id)) == [base.id]
    page = finish(core.service.list_messages(thread.id))
    answer = finish(core.service.wait_for_answer(page.messages[-1].id))
    assert answer.status is Status.COMPLETE
    assert "red button" in answer.content
    assert [s.name for s in answer.sources] == ["boiler.md"]
    qtbot.waitUntil(lambda: button.text() == "Knowledge · 1")  # the chat's own link


def test_no_base_no_button(make_core: Any, open_window: Any, qtbot: QtBot) -> None:
    window = open_window(make_core())
    qtbot.waitUntil(lambda: window.composer.findChild(QToolButton, "toolsButton").isVisible())
    assert not _button(window).isVisible()
