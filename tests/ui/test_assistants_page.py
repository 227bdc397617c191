"""Preferences ▸ Assistants, driven through its widgets over a started core on a real SQLite
file: the built-in assistants listed with their badges, one made and edited in the form (what
the core keeps is exactly what was typed), a refused value said in the form with the input
kept, duplicate, and delete with its Undo, and an assistant file exported and imported through
the file dialogs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core import i18n
from chatdesk.core.assistants.model import AssistantFields
from chatdesk.core.config import Settings
from chatdesk.core.errors import NotFound
from chatdesk.ui.preferences import PreferencesDialog
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.assistant_editor import AssistantEditor
from chatdesk.ui.settings.assistants_page import AssistantsPage
from chatdesk.ui.settings.notices import Tone
from tests.ui.preference_pages import select_row, shown_on
from tests.ui.test_preferences import LEFT, show_tab

BUILT_IN = ["Careful writer", "Code reviewer", "Summariser", "Translator", "Tutor"]


@pytest.fixture
def page(qtbot: QtBot, core: Core, runner: Runner) -> Iterator[AssistantsPage]:
    service = core.service
    dialog = PreferencesDialog(
        Settings(),
        runner=runner,
        models=service.known_models,
        tools=service.tools,
        assistants=service.assistants,
    )
    shown_on(qtbot, dialog, "Assistants")
    qtbot.waitUntil(lambda: dialog.assistants.list.topLevelItemCount() == 5)
    yield dialog.assistants
    dialog.close()


def _rows(page: AssistantsPage) -> list[list[str]]:
    items = [page.list.topLevelItem(i) for i in range(page.list.topLevelItemCount())]
    return [[item.text(c) for c in range(3)] for item in items if item is not None]


def _current_name(page: AssistantsPage) -> str | None:
    current = page.current()
    return None if current is None else current.name


def _open_editor(qtbot: QtBot, page: AssistantsPage, button: QPushButton) -> AssistantEditor:
    before = page.editor
    qtbot.mouseClick(button, LEFT)
    qtbot.waitUntil(lambda: page.editor is not before and page.editor.isVisible())
    assert page.editor is not None
    return page.editor


def _save(qtbot: QtBot, editor: AssistantEditor) -> None:
    qtbot.mouseClick(editor.save, LEFT)


def _closed(editor: AssistantEditor) -> bool:
    """Saved and gone (it is deleted once closed)."""
    return not shiboken6.isValid(editor) or not editor.isVisible()


def _stored(core: Core, finish: Any, name: str) -> AssistantFields:
    return finish(core.service.assistants.find(name)).fields  # type: ignore[no-any-return]


def test_every_assistant_is_listed_with_its_badge_and_what_it_is_for(
    page: AssistantsPage,
) -> None:
    dialog = page.window()
    assert isinstance(dialog, PreferencesDialog)
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "A&ssistants"
    rows = _rows(page)
    assert [row[0] for row in rows] == BUILT_IN
    assert rows[3] == [
        "Translator",
        "the chat's own",
        "Translates faithfully and naturally, keeping tone and formatting.",
    ]
    first = page.list.topLevelItem(0)
    assert first is not None
    assert not first.icon(0).isNull()  # the badge
    assert _current_name(page) == "Careful writer"
    for button in (page.edit_button, page.duplicate_button, page.delete_button):
        assert button.isEnabled()


def test_new_makes_an_assistant_with_exactly_what_was_typed(
    page: AssistantsPage, core: Core, qtbot: QtBot, finish: Any
) -> None:
    editor = _open_editor(qtbot, page, page.new_button)
    assert editor.windowTitle() == "New assistant"
    assert editor.name.hasFocus() or not editor.isActiveWindow()
    qtbot.keyClicks(editor.name, "Release notes")
    editor.icon.insert("📝")  # QTest types one UTF-16 unit at a time
    qtbot.keyClicks(editor.colour, "#AA3300")
    editor.description.setPlainText("Writes release notes.\nFrom a list of changes.")
    editor.prompt.setPlainText("You write release notes: short, user-facing, grouped.")
    editor.model.setCurrentIndex(editor.model.findText("mock-1 (mock)"))
    editor.temperature.setValue(0.3)
    editor.answer.setValue(800)
    editor.tools_set.setChecked(True)
    chatdesk_tools = editor.tools.item(0)
    assert chatdesk_tools is not None
    assert chatdesk_tools.text().startswith("chatdesk")
    chatdesk_tools.setCheckState(Qt.CheckState.Checked)
    web = editor.tools.item(1)  # the web's tools, offered as the composer's Web switch is
    assert web is not None
    assert web.text() == "Web: search the web and read pages"
    web.setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(editor.examples.add, LEFT)
    qtbot.keyClicks(editor.examples.editors[0], "Notes for these changes: ")  # the space stays
    qtbot.mouseClick(editor.examples.add, LEFT)
    editor.examples.editors[1].setPlainText("From this diff:\n```\n\n```")
    qtbot.mouseClick(editor.examples.add, LEFT)  # left empty: dropped
    _save(qtbot, editor)

    qtbot.waitUntil(lambda: _closed(editor))
    assert _stored(core, finish, "Release notes") == AssistantFields(
        name="Release notes",
        icon="📝",
        colour="#aa3300",
        description="Writes release notes.\nFrom a list of changes.",
        system_prompt="You write release notes: short, user-facing, grouped.",
        provider="mock",
        model="mock-1",
        temperature=0.3,
        max_output_tokens=800,
        tools=("chatdesk", "web"),
        examples=("Notes for these changes: ", "From this diff:\n```\n\n```"),
    )
    qtbot.waitUntil(lambda: len(_rows(page)) == 6)
    assert _current_name(page) == "Release notes"
    assert page.status.tone is Tone.SUCCESS
    assert page.status.text() == "Added “Release notes”."
    assert ["Release notes", "mock-1", "Writes release notes."] in _rows(page)


def test_a_refused_value_is_said_in_the_form_which_keeps_what_was_typed(
    page: AssistantsPage, core: Core, qtbot: QtBot, finish: Any
) -> None:
    editor = _open_editor(qtbot, page, page.new_button)
    qtbot.keyClicks(editor.name, "TRANSLATOR")  # Translator's, in another case
    editor.prompt.setPlainText("Be terse.")
    qtbot.mouseClick(editor.examples.add, LEFT)
    qtbot.keyClicks(editor.examples.editors[0], "Say it shorter: ")
    _save(qtbot, editor)
    qtbot.waitUntil(lambda: editor.problem.isVisible())
    assert editor.problem.text() == "There is already an assistant named 'Translator'"
    assert editor.isVisible()
    assert editor.name.text() == "TRANSLATOR"
    assert editor.prompt.toPlainText() == "Be terse."
    assert editor.examples.examples() == ("Say it shorter: ",)
    assert editor.save.isEnabled()

    editor.name.setText("Terse")
    qtbot.keyClicks(editor.colour, "#12345")
    _save(qtbot, editor)  # refused before the core is asked
    assert editor.problem.text() == "The colour '#12345' is not of the form #RRGGBB"
    assert editor.isVisible()
    assert editor.colour.text() == "#12345"
    with pytest.raises(NotFound):
        _stored(core, finish, "Terse")

    qtbot.keyClicks(editor.colour, "6")
    _save(qtbot, editor)
    qtbot.waitUntil(lambda: _closed(editor))
    stored = _stored(core, finish, "Terse")
    assert (stored.colour, stored.examples) == ("#123456", ("Say it shorter: ",))


def test_colour_is_picked_and_a_temperature_out_of_range_is_refused(
    page: AssistantsPage, qtbot: QtBot
) -> None:
    editor = _open_editor(qtbot, page, page.new_button)
    qtbot.keyClicks(editor.name, "Painter")
    qtbot.mouseClick(editor.pick, LEFT)
    picker = editor.colour_dialog
    assert picker is not None
    qtbot.waitUntil(picker.isVisible)
    picker.setCurrentColor(QColor("#336699"))
    picker.accept()
    assert editor.colour.text() == "#336699"

    editor.temperature.setValue(-0.05)  # below 0, yet not "Not set"
    assert editor.temperature.text() == "-0.05"
    _save(qtbot, editor)
    assert editor.problem.text() == "The temperature must be between 0 and 2"
    assert editor.isVisible()
    assert editor.name.text() == "Painter"
    editor.reject()


def test_edit_changes_the_assistant_and_keeps_the_rest(
    page: AssistantsPage, core: Core, qtbot: QtBot, finish: Any
) -> None:
    before = _stored(core, finish, "Tutor")
    select_row(page.list, "Tutor")
    editor = _open_editor(qtbot, page, page.edit_button)
    assert editor.windowTitle() == "Assistant “Tutor”"
    assert editor.name.text() == "Tutor"
    assert editor.examples.examples() == before.examples
    assert editor.temperature.text() == f"{before.temperature:.2f}"
    editor.name.setText("Maths tutor")
    editor.temperature.setValue(editor.temperature.minimum())
    assert editor.temperature.text() == "Not set"
    _save(qtbot, editor)
    qtbot.waitUntil(lambda: _closed(editor))
    assert _stored(core, finish, "Maths tutor") == AssistantFields(
        **{**before.__dict__, "name": "Maths tutor", "temperature": None}
    )
    qtbot.waitUntil(lambda: "Maths tutor" in [row[0] for row in _rows(page)])
    assert "Tutor" not in [row[0] for row in _rows(page)]
    assert page.status.text() == "Saved “Maths tutor”."


def test_enter_on_a_row_edits_it(page: AssistantsPage, qtbot: QtBot) -> None:
    select_row(page.list, "Summariser")
    page.list.setFocus()
    qtbot.keyClick(page.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.editor is not None and page.editor.isVisible())
    assert page.editor is not None
    assert page.editor.name.text() == "Summariser"
    page.editor.reject()


def test_duplicate_adds_a_copy_and_delete_offers_undo_which_brings_it_back(
    page: AssistantsPage, core: Core, qtbot: QtBot, finish: Any
) -> None:
    select_row(page.list, "Translator")
    qtbot.mouseClick(page.duplicate_button, LEFT)
    qtbot.waitUntil(lambda: len(_rows(page)) == 6)
    assert _current_name(page) == "Translator (copy)"
    copy = _stored(core, finish, "Translator (copy)")
    assert copy.system_prompt == _stored(core, finish, "Translator").system_prompt
    assert page.status.text() == "Added “Translator (copy)”, a copy to change."
    service = core.service
    thread = finish(service.create_thread())
    copy_id = next(v.id for v in finish(service.assistants.list()) if v.name == copy.name)
    finish(service.assistants.use_in(thread.id, copy_id))

    dialog = page.window()
    assert isinstance(dialog, PreferencesDialog)
    qtbot.mouseClick(page.delete_button, LEFT)  # nothing to confirm: Undo instead
    qtbot.waitUntil(lambda: len(_rows(page)) == 5)
    with pytest.raises(NotFound):
        _stored(core, finish, "Translator (copy)")
    assert finish(service.get_thread(thread.id)).assistant_id is None
    assert page.findChild(QMessageBox, "confirmDelete") is None
    bar = dialog.undo_bar
    assert bar.isVisible()
    assert bar.label.text() == "Deleted “Translator (copy)”"

    qtbot.mouseClick(bar.action, LEFT)
    qtbot.waitUntil(lambda: len(_rows(page)) == 6)
    assert _current_name(page) == "Translator (copy)"
    assert _stored(core, finish, "Translator (copy)") == copy
    assert finish(service.get_thread(thread.id)).assistant_id == copy_id  # its chat has it again
    assert not bar.isVisible()


@pytest.fixture
def german_page(qtbot: QtBot, core: Core, runner: Runner) -> Iterator[AssistantsPage]:
    """The page on its own, in German."""
    i18n.set_language("de")
    page = AssistantsPage(core.service.assistants, runner)
    qtbot.addWidget(page)
    with qtbot.waitExposed(page):
        page.show()
    qtbot.waitUntil(lambda: page.list.topLevelItemCount() == 5)
    yield page
    i18n.set_language(i18n.SOURCE)


def test_built_in_assistants_read_in_the_users_language_and_a_renamed_one_keeps_its_name(
    german_page: AssistantsPage, core: Core, qtbot: QtBot, finish: Any
) -> None:
    page = german_page
    assert [row[0] for row in _rows(page)] == [
        "Code-Prüfer",
        "Sorgfältiger Autor",
        "Tutor",
        "Übersetzer",
        "Zusammenfasser",
    ]
    assert _rows(page)[3][2] == "Übersetzt treu und natürlich und behält Ton und Formatierung bei."
    select_row(page.list, "Zusammenfasser")
    editor = _open_editor(qtbot, page, page.edit_button)
    assert editor.name.text() == "Zusammenfasser"
    assert list(editor.examples.examples()[:2]) == [
        "Fasse die Geschichte von Romeo und Julia in fünf Stichpunkten zusammen.",
        "Fasse diesen Artikel zusammen: ",
    ]
    editor.name.setText("Meine Kurzfassung")
    _save(qtbot, editor)
    qtbot.waitUntil(lambda: _closed(editor))
    qtbot.waitUntil(lambda: "Meine Kurzfassung" in [row[0] for row in _rows(page)])
    assert "Zusammenfasser" not in [row[0] for row in _rows(page)]

    i18n.set_language(i18n.SOURCE)  # the user's name stays; the others are chatdesk's words
    names = [a.name for a in finish(core.service.assistants.list())]
    assert names == ["Careful writer", "Code reviewer", "Meine Kurzfassung", "Translator", "Tutor"]
    kept = _stored(core, finish, "Meine Kurzfassung")
    assert kept.examples[1] == "Summarise this article: "  # left as shown: chatdesk's words


def _answer_file_dialog(qtbot: QtBot, page: AssistantsPage, path: Path) -> None:
    """Pick `path` in the file dialog the page opened, as the user would."""
    qtbot.waitUntil(lambda: page.file_dialog is not None and page.file_dialog.isVisible())
    dialog = page.file_dialog
    assert dialog is not None
    assert dialog in page.findChildren(QFileDialog)
    dialog.selectFile(str(path))
    dialog.accept()


def test_export_then_import_round_trips_through_a_file(
    page: AssistantsPage, core: Core, qtbot: QtBot, finish: Any, tmp_path: Path
) -> None:
    select_row(page.list, "Code reviewer")
    page.list.topLevelItem(3).setSelected(True)  # type: ignore[union-attr]  # Translator too
    assert [v.name for v in page.selected()] == ["Code reviewer", "Translator"]
    page.export_selected_action.trigger()
    shared = tmp_path / "shared.json"
    _answer_file_dialog(qtbot, page, shared)
    qtbot.waitUntil(lambda: page.status.text().startswith("Wrote"))
    assert page.status.text() == f"Wrote 2 assistants to {shared}."
    written = json.loads(shared.read_text())
    assert [a["name"] for a in written["assistants"]] == ["Code reviewer", "Translator"]

    page.import_button.click()
    _answer_file_dialog(qtbot, page, shared)
    qtbot.waitUntil(lambda: len(_rows(page)) == 7)
    assert page.status.tone is Tone.SUCCESS
    assert page.status.text() == "Imported 2 assistants: “Code reviewer (2)”, “Translator (2)”."
    assert [v.name for v in page.selected()] == ["Code reviewer (2)", "Translator (2)"]
    assert _stored(core, finish, "Translator (2)") == AssistantFields(
        **{**_stored(core, finish, "Translator").__dict__, "name": "Translator (2)"}
    )

    page.export_all_action.trigger()
    every = tmp_path / "every"
    _answer_file_dialog(qtbot, page, every)
    qtbot.waitUntil(lambda: page.status.text() == f"Wrote 7 assistants to {every}.json.")

    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "chatdesk-assistants", "version": 1, "assistants": [{}]}')
    page.import_button.click()
    _answer_file_dialog(qtbot, page, broken)
    qtbot.waitUntil(lambda: page.status.tone is Tone.ERROR)
    assert page.status.text() == "Assistant 1 of the file: an assistant in the file has no name"
    assert len(_rows(page)) == 7


def test_without_the_core_the_tab_says_what_cannot_be_done(qtbot: QtBot, runner: Runner) -> None:
    dialog = PreferencesDialog(Settings(), runner=runner)
    qtbot.addWidget(dialog)
    show_tab(dialog, "Assistants")
    page = dialog.assistants
    assert page.status.text() == "Assistants can be managed once your chats are open."
    for button in (page.new_button, page.import_button, page.export_button, page.edit_button):
        assert not button.isEnabled()


def test_an_assistant_answers_from_the_knowledge_bases_ticked_in_its_editor(
    qtbot: QtBot, core: Core, runner: Runner, finish: Any, tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "car.md").write_text("The car's tyre pressure is 2.4 bar.\n", encoding="utf-8")
    knowledge = core.service.knowledge
    base = finish(knowledge.create("Garage"))
    finish(knowledge.add(base.id, notes))
    finish(knowledge.index(base.id), timeout=30_000)
    page = AssistantsPage(core.service.assistants, runner, knowledge=knowledge)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.list.topLevelItemCount() == 5)
    select_row(page.list, "Tutor")
    page.edit_current()
    qtbot.waitUntil(lambda: page.editor is not None and page.editor.bases.isVisible())
    editor = page.editor
    assert editor is not None
    [garage] = [editor.bases.item(i) for i in range(editor.bases.count())]
    assert garage is not None
    assert garage.text() == "Garage"
    assert garage.checkState() == Qt.CheckState.Unchecked
    garage.setCheckState(Qt.CheckState.Checked)  # as a click on its box does
    _save(qtbot, editor)
    qtbot.waitUntil(lambda: _closed(editor))

    tutor = finish(core.service.assistants.find("Tutor"))
    assert finish(knowledge.links("assistant_id", tutor.id)) == [base.id]
    turn = finish(core.service.send_new("What is the tyre pressure?", assistant_id=tutor.id))
    answer = finish(core.service.wait_for_answer(turn.answer.id))
    assert [s.name for s in answer.sources] == ["car.md"]
