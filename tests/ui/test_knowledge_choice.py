"""The composer's Knowledge menu (in its "+" menu), with real widgets offscreen over a started
core on a real SQLite file and real files: a base ticked for a new chat is linked to it when it
is made, its answer cites the base's passages, and the menu and the chip show the shown chat's
links; the chip's ✕ unlinks them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from chatdesk.core.kinds import Status
from tests.ui.composer_parts import chip_words, chips, choose, entries, open_plus, switch_off


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
    composer = window.composer
    menu = composer.plus_menu.knowledge
    qtbot.waitUntil(menu.menuAction().isVisible)  # a base exists: the menu is offered
    assert [a.text() for a in menu.actions()] == ["Home"]
    assert chip_words(composer) == []  # none is on
    choose(qtbot, composer, "Knowledge", "Home")
    assert chip_words(composer) == ["Home"]  # the base on, by its name
    assert chips(composer)["knowledge"].toolTip() == "Answers come from your knowledge bases: Home"
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
    qtbot.waitUntil(lambda: chip_words(composer) == ["Home"])  # the chat's own link
    switch_off(qtbot, composer, "knowledge")
    qtbot.waitUntil(lambda: finish(knowledge.links("thread_id", thread.id)) == [])
    qtbot.waitUntil(lambda: chip_words(composer) == [])


def test_no_base_no_entry(make_core: Any, open_window: Any, qtbot: QtBot) -> None:
    window = open_window(make_core())
    menu = window.composer.plus_menu
    qtbot.waitUntil(menu.tools.menuAction().isVisible)
    assert "Knowledge" not in entries(open_plus(qtbot, window.composer))
