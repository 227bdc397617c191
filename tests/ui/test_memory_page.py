"""Preferences ▸ Memory, driven through its widgets over a started core on a real SQLite file:
the memories kept are listed (and narrowed by a search) with whom they are for and where they
came from, edited in place (a refusal said beside the words, which stay), deleted and brought
back with Undo under the same number, switched on, off and always, given to other chats, switched
off for an assistant's chats, written to a file and read back, and counted; a memory's chat
opens in the window at its message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QFileDialog, QListWidget, QListWidgetItem
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.assistants.model import AssistantFields
from chatdesk.core.chat.events import Event
from chatdesk.core.config import Settings
from chatdesk.core.memory.model import MemoriesChanged, MemoryView, Origin
from chatdesk.core.memory.service import Memories
from chatdesk.core.units import format_size
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.preferences import PreferencesDialog
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.memory_calls import memory_names
from chatdesk.ui.settings.memory_list import Column
from chatdesk.ui.settings.memory_page import MemoryPage
from tests.ui.test_preferences import LEFT, show_tab
from tests.ui.test_settings_live import OpenWindow, _preferences, _saved
from tests.ui.test_settings_live import open_window as open_window


@pytest.fixture
def memory(core: Core) -> Memories:
    assert core.service.memory is not None
    return core.service.memory


@pytest.fixture
def dialog(qtbot: QtBot, core: Core, runner: Runner) -> Iterator[PreferencesDialog]:
    service = core.service
    made = PreferencesDialog(
        Settings(),
        runner=runner,
        events=service.events.subscribe,
        embedders=service.knowledge.embedders,
        memory=service.memory,
        named=lambda: memory_names(service),
    )
    qtbot.addWidget(made)
    with qtbot.waitExposed(made):
        made.open()
    show_tab(made, "Memory")
    yield made
    made.close()


@pytest.fixture
def page(dialog: PreferencesDialog) -> MemoryPage:
    return dialog.memory


@pytest.fixture
def heard(core: Core) -> list[Event]:
    """The core's events from here on."""
    events: list[Event] = []
    core.service.events.subscribe(events.append)
    return events


def _texts(page: MemoryPage) -> list[str]:
    model = page.model
    return [str(model.index(row, Column.TEXT).data()) for row in range(model.rowCount())]


def _cell(page: MemoryPage, memory_id: int, column: Column) -> QModelIndex:
    row = page.model.row_of(memory_id)
    assert row >= 0
    return page.model.index(row, column)


def _choose(qtbot: QtBot, page: MemoryPage, memory_id: int) -> None:
    """Click the memory's words, as the user picks its row."""
    qtbot.waitUntil(lambda: page.model.row_of(memory_id) >= 0)
    rect = page.table.visualRect(_cell(page, memory_id, Column.TEXT))
    qtbot.mouseClick(page.table.viewport(), LEFT, pos=rect.center())
    qtbot.waitUntil(lambda: (chosen := page.current()) is not None and chosen.id == memory_id)


def _press_space_on(qtbot: QtBot, page: MemoryPage, memory_id: int, column: Column) -> None:
    page.table.setFocus()
    page.table.setCurrentIndex(_cell(page, memory_id, column))
    qtbot.keyClick(page.table, Qt.Key.Key_Space)


def _changed(heard: list[Event], memory_id: int | None = None) -> bool:
    wanted = () if memory_id is None else (memory_id,)
    return any(isinstance(e, MemoriesChanged) and e.ids == wanted for e in heard)


def test_the_memories_kept_are_listed_with_whom_and_where_from_and_a_search_narrows_them(
    page: MemoryPage, memory: Memories, core: Core, finish: Any, qtbot: QtBot, qtmodeltester: Any
) -> None:
    coder = finish(core.service.assistants.create(AssistantFields(name="Coder")))
    turn = finish(core.service.send_new("Which database for a desktop app?"))
    answer = finish(core.service.wait_for_answer(turn.answer.id))
    finish(memory.add("I write in British English."))
    finish(memory.add("I prefer pytest to unittest.", assistant_id=coder.id))
    from_chat = finish(
        memory.add(
            "The app keeps its data in SQLite.",
            origin=Origin.MODEL,
            thread_id=answer.thread_id,
            message_id=answer.id,
        )
    )

    qtbot.waitUntil(lambda: page.model.rowCount() == 3)  # read again on the core's events
    assert set(_texts(page)) == {
        "I write in British English.",
        "I prefer pytest to unittest.",
        "The app keeps its data in SQLite.",
    }
    rows = {text: row for row, text in enumerate(_texts(page))}
    whom = page.model.index(rows["I prefer pytest to unittest."], Column.WHOM).data()
    assert whom == "Assistant “Coder”"
    typed = page.model.index(rows["I write in British English."], Column.SOURCE).data()
    assert typed == "Typed here"
    chat = _cell(page, from_chat.id, Column.SOURCE).data()
    assert chat == finish(core.service.get_thread(answer.thread_id)).title
    qtmodeltester.check(page.model)

    page.search.setFocus()
    qtbot.keyClicks(page.search, "pytest")
    qtbot.waitUntil(lambda: _texts(page) == ["I prefer pytest to unittest."])
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    qtbot.keyClicks(page.search, "gardening")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0 and page.empty.isVisible())
    assert page.empty.text() == "No memory holds “gardening”."


def test_the_count_line_says_how_many_and_how_much(
    page: MemoryPage, memory: Memories, finish: Any, qtbot: QtBot
) -> None:
    qtbot.waitUntil(lambda: page.count.text() == "0 memories, 0 B")
    assert page.empty.isVisible()  # the page says how memories come to be kept
    finish(memory.add("I write in British English."))
    off = finish(memory.add("I am vegetarian."))
    finish(memory.set_enabled(off.id, False))
    size = format_size(len("I write in British English.") + len("I am vegetarian."))
    qtbot.waitUntil(lambda: page.count.text() == f"2 memories (1 on), {size}")
    assert not page.empty.isVisible()


def test_a_memory_edited_in_place_is_kept_with_its_new_words(
    page: MemoryPage, memory: Memories, finish: Any, qtbot: QtBot
) -> None:
    kept = finish(memory.add("I write in American English."))
    _choose(qtbot, page, kept.id)
    rect = page.table.visualRect(_cell(page, kept.id, Column.TEXT))
    qtbot.mouseDClick(page.table.viewport(), LEFT, pos=rect.center())
    qtbot.waitUntil(page.editor.isVisible)
    assert page.editor.text.toPlainText() == "I write in American English."

    page.editor.text.setPlainText("I write in British English.")
    qtbot.mouseClick(page.editor.save, LEFT)

    qtbot.waitUntil(lambda: page.status.text() == "Saved.")
    assert not page.editor.isVisible()
    assert finish(memory.get(kept.id)).text == "I write in British English."
    qtbot.waitUntil(lambda: _texts(page) == ["I write in British English."])


def test_an_over_long_edit_says_why_beside_the_words_and_keeps_them(
    page: MemoryPage, memory: Memories, finish: Any, qtbot: QtBot
) -> None:
    kept = finish(memory.add("I write in British English."))
    _choose(qtbot, page, kept.id)
    qtbot.mouseClick(page.edit_button, LEFT)
    too_long = "word " * 401  # 2,004 characters, trimmed to 2,004 - 1
    page.editor.text.setPlainText(too_long)
    qtbot.mouseClick(page.editor.save, LEFT)

    qtbot.waitUntil(page.editor.problem.isVisible)
    assert "at most 2,000 characters; this one has 2,004" in page.editor.problem.text()
    assert page.editor.isVisible()
    assert page.editor.text.toPlainText() == too_long  # the user's words, as typed
    assert finish(memory.get(kept.id)).text == "I write in British English."


def test_a_new_memory_is_added_for_a_project(
    page: MemoryPage, memory: Memories, core: Core, finish: Any, qtbot: QtBot
) -> None:
    thesis = finish(core.service.create_project("Thesis"))
    qtbot.mouseClick(page.add_button, LEFT)
    qtbot.waitUntil(page.editor.isVisible)
    qtbot.keyClicks(page.editor.text, "My supervisor is Dr. Okafor.")
    qtbot.waitUntil(lambda: page.editor.whom.findText("Project “Thesis”") >= 0)  # names read
    page.editor.whom.setCurrentIndex(page.editor.whom.findText("Project “Thesis”"))
    qtbot.mouseClick(page.editor.save, LEFT)

    qtbot.waitUntil(lambda: page.status.text() == "Kept.")
    [kept] = finish(memory.list())
    assert (kept.text, kept.project_id, kept.origin) == (
        "My supervisor is Dr. Okafor.",
        thesis.id,
        Origin.TYPED,
    )


def test_a_memory_given_to_an_assistant_is_moved(
    page: MemoryPage, memory: Memories, core: Core, finish: Any, qtbot: QtBot
) -> None:
    coder = finish(core.service.assistants.create(AssistantFields(name="Coder")))
    kept = finish(memory.add("I prefer pytest to unittest."))
    _choose(qtbot, page, kept.id)
    qtbot.mouseClick(page.edit_button, LEFT)
    whom = page.editor.whom
    qtbot.waitUntil(lambda: whom.findText("Assistant “Coder”") >= 0)
    whom.setCurrentIndex(whom.findText("Assistant “Coder”"))
    qtbot.mouseClick(page.editor.save, LEFT)

    qtbot.waitUntil(lambda: _cell(page, kept.id, Column.WHOM).data() == "Assistant “Coder”")
    moved: MemoryView = finish(memory.get(kept.id))
    assert (moved.assistant_id, moved.text) == (coder.id, "I prefer pytest to unittest.")


def test_a_deleted_memory_comes_back_with_undo_under_its_number(
    dialog: PreferencesDialog, page: MemoryPage, memory: Memories, finish: Any, qtbot: QtBot
) -> None:
    finish(memory.add("I am vegetarian."))
    kept = finish(memory.add("I write in British English.", always=True))
    _choose(qtbot, page, kept.id)
    qtbot.mouseClick(page.delete_button, LEFT)

    bar = dialog.undo_bar
    qtbot.waitUntil(bar.isVisible)
    assert bar.label.text().startswith("Deleted “I write in British English.”; older")
    assert "older backups hold it until they are rotated out." in bar.label.text()
    qtbot.waitUntil(lambda: _texts(page) == ["I am vegetarian."])
    assert kept.id not in [m.id for m in finish(memory.list())]

    qtbot.mouseClick(bar.action, LEFT)

    qtbot.waitUntil(lambda: page.model.row_of(kept.id) >= 0)
    back = finish(memory.get(kept.id))
    assert (back.text, back.always) == ("I write in British English.", True)


def test_the_on_and_always_switches_reach_the_store(
    page: MemoryPage, memory: Memories, finish: Any, qtbot: QtBot, heard: list[Event]
) -> None:
    kept = finish(memory.add("I write in British English."))
    qtbot.waitUntil(lambda: page.model.row_of(kept.id) >= 0)
    heard.clear()

    _press_space_on(qtbot, page, kept.id, Column.ON)
    qtbot.waitUntil(lambda: _changed(heard, kept.id))
    assert finish(memory.get(kept.id)).enabled is False

    heard.clear()
    _press_space_on(qtbot, page, kept.id, Column.ALWAYS)
    qtbot.waitUntil(lambda: _changed(heard, kept.id))
    now = finish(memory.get(kept.id))
    assert (now.enabled, now.always) == (False, True)
    always = Qt.ItemDataRole.CheckStateRole
    qtbot.waitUntil(
        lambda: _cell(page, kept.id, Column.ALWAYS).data(always) == Qt.CheckState.Checked
    )


def test_memory_switched_off_for_an_assistant_reaches_the_store(
    page: MemoryPage, memory: Memories, core: Core, finish: Any, qtbot: QtBot, heard: list[Event]
) -> None:
    coder = finish(core.service.assistants.create(AssistantFields(name="Coder")))
    page.refresh()
    box = page.where.assistants

    def coder_item() -> QListWidgetItem | None:
        found = box.findItems("Coder", Qt.MatchFlag.MatchExactly)
        return found[0] if found else None

    qtbot.waitUntil(lambda: coder_item() is not None)
    item = coder_item()
    assert item is not None
    assert item.checkState() == Qt.CheckState.Checked
    _toggle(qtbot, box, item)

    qtbot.waitUntil(lambda: _changed(heard))
    assistants_off, projects_off = finish(memory.switched_off())
    assert (assistants_off, projects_off) == ({coder.id}, set())


def _toggle(qtbot: QtBot, box: QListWidget, item: QListWidgetItem) -> None:
    box.setFocus()
    box.setCurrentItem(item)
    qtbot.keyClick(box, Qt.Key.Key_Space)


def test_memories_exported_then_imported_are_not_doubled(
    page: MemoryPage, memory: Memories, finish: Any, qtbot: QtBot, tmp_path: Path
) -> None:
    finish(memory.add("I write in British English."))
    finish(memory.add("I am vegetarian."))
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    path = tmp_path / "memories.json"

    _answer_file(qtbot, page, export=True, path=path)
    qtbot.waitUntil(lambda: page.status.text() == f"2 memories written to {path}.")
    assert path.exists()
    _answer_file(qtbot, page, export=False, path=path)

    qtbot.waitUntil(lambda: page.status.text() == "0 memories added; 2 were kept already.")
    assert len(finish(memory.list())) == 2


def _answer_file(qtbot: QtBot, page: MemoryPage, *, export: bool, path: Path) -> None:
    button = page.export_button if export else page.import_button
    qtbot.mouseClick(button, LEFT)
    chooser = page.files.dialog
    assert isinstance(chooser, QFileDialog)
    qtbot.waitUntil(chooser.isVisible)
    chooser.selectFile(str(path))
    chooser.accept()


def test_without_memories_the_page_says_so(qtbot: QtBot, runner: Runner) -> None:
    page = MemoryPage(None, Settings().memory, runner)
    qtbot.addWidget(page)
    page.show()
    assert page.unavailable.text() == "Memories are not available in this session."
    assert page.unavailable.isVisible()
    assert not page.kept_box.isEnabled()
    assert not page.where_box.isEnabled()
    assert page.using.enabled.isEnabled()  # the setting itself can still be changed


def test_a_memory_s_chat_opens_in_the_window_at_its_message(
    attached_window: tuple[MainWindow, Core], finish: Any, qtbot: QtBot
) -> None:
    window, core = attached_window
    service = core.service
    first = finish(service.send_new("Which database for a desktop app?"))
    answer = finish(service.wait_for_answer(first.answer.id))
    finish(service.send_new("Something else entirely"))
    assert service.memory is not None
    kept = finish(
        service.memory.add(
            "The app keeps its data in SQLite.",
            origin=Origin.MODEL,
            thread_id=answer.thread_id,
            message_id=answer.id,
        )
    )
    window.settings.open_preferences()
    dialog = window.settings.dialog
    assert dialog is not None
    show_tab(dialog, "Memory")
    page = dialog.memory
    qtbot.waitUntil(lambda: page.model.row_of(kept.id) >= 0)
    assert page.model.index(page.model.row_of(kept.id), Column.SOURCE).data() != "Typed here"

    rect = page.table.visualRect(_cell(page, kept.id, Column.SOURCE))
    qtbot.mouseClick(page.table.viewport(), LEFT, pos=rect.center())

    qtbot.waitUntil(lambda: window.current_thread_id == answer.thread_id)
    dialog.close()


def test_memory_switched_off_and_its_budget_are_in_use_at_once_and_saved(
    qtbot: QtBot, open_window: OpenWindow
) -> None:
    window = open_window()
    service = window._service
    assert service is not None
    assert service.memory is not None
    assert service.memory.enabled
    dialog = _preferences(qtbot, window)
    show_tab(dialog, "Memory")
    using = dialog.memory.using
    qtbot.keyClick(using.enabled, Qt.Key.Key_Space)
    assert dialog.memory.off_note.isVisible()  # the list says its memories go to no chat
    using.budget.setFocus()
    using.budget.selectAll()
    qtbot.keyClicks(using.budget, "1200")
    qtbot.keyClick(using.budget, Qt.Key.Key_Return)
    using.offer.setCurrentIndex(using.offer.findData("never"))

    assert not service.memory.enabled  # the next question is given none
    qtbot.waitUntil(lambda: _saved(window).get("memory", {}).get("offer_tools") == "never")
    assert _saved(window)["memory"]["enabled"] is False
    assert _saved(window)["memory"]["budget_tokens"] == 1200
    dialog.close()
