"""The composer's slash menu, with real widgets offscreen over a started core on a real SQLite
file: `/` lists saved prompts and assistants, typing narrows the list, Enter takes one; a
prompt's {{variables}} are asked for; a message can be saved as a prompt, and a prompt removed
from the menu."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from chatdesk.ui.composer.prompt_values import PromptValues
from chatdesk.ui.main_window import MainWindow
from tests.ui.composer_parts import chip_words


def _listed(window: MainWindow) -> list[str]:
    menu = window.composer.slash
    return [menu.item(i).text() for i in range(menu.count())] if menu.isVisible() else []


def _ready(qtbot: QtBot, window: MainWindow, entries: int) -> None:
    qtbot.waitUntil(lambda: len(window.composer.slash.entries) == entries)


def test_slash_lists_prompts_and_assistants_and_narrows_as_you_type(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    finish(core.service.prompts.save("Reply to mail", "Write a {{tone}} reply to {{name}}."))
    finish(core.service.prompts.save("Plain English", "Rewrite this in plain English:"))
    window = open_window(core)
    _ready(qtbot, window, 7)
    editor = window.composer.editor

    qtbot.keyClick(editor, Qt.Key.Key_Slash)
    assert _listed(window)[:2] == ["Plain English", "Reply to mail"]
    assert "Tutor" in _listed(window)
    qtbot.keyClicks(editor, "rep")
    assert _listed(window) == ["Reply to mail"]
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # takes it: nothing is sent

    values = window.models.slash.values
    assert isinstance(values, PromptValues)
    assert list(values.fields) == ["tone", "name"]
    qtbot.keyClicks(values.fields["tone"], "warm")
    qtbot.keyClicks(values.fields["name"], "Ana")
    values.accept()
    assert window.composer.text() == "Write a warm reply to Ana."
    assert not window.composer.slash.isVisible()
    assert window.current_thread_id is None  # nothing was sent

    window.composer.editor.clear()
    qtbot.keyClicks(editor, "/plain")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert window.composer.text() == "Rewrite this in plain English:"


def test_slash_takes_an_assistant_and_esc_closes_the_menu(
    make_core: Any, open_window: Any, qtbot: QtBot
) -> None:
    window = open_window(make_core())
    _ready(qtbot, window, 5)
    editor = window.composer.editor
    qtbot.keyClicks(editor, "/t")  # the start of a word: not "Careful wri*t*er"
    assert _listed(window) == ["Translator", "Tutor"]
    qtbot.keyClicks(editor, "u")
    assert _listed(window) == ["Tutor"]
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: chip_words(window.composer) == ["Tutor"])  # who answers now
    assert "Tutor" in window.header.model.text()
    assert window.composer.text() == ""

    qtbot.keyClicks(editor, "/")
    assert window.composer.slash.isVisible()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert not window.composer.slash.isVisible()
    assert window.composer.text() == "/"  # what was typed stays
    qtbot.keyClicks(editor, "etc/hosts is a path")  # a message that starts with a slash
    assert not window.composer.slash.isVisible()


def test_a_message_is_saved_as_a_prompt_and_removed_from_the_menu(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = open_window(core)
    _ready(qtbot, window, 5)
    window.composer.save_prompt_asked.emit("Summarise {{document}} in three bullets.")
    dialog = window.models.slash.dialog
    assert dialog is not None
    field = dialog.findChild(QLineEdit)
    assert field is not None
    qtbot.keyClicks(field, "Three bullets")
    dialog.accept()
    qtbot.waitUntil(
        lambda: [p.name for p in finish(core.service.prompts.list())] == ["Three bullets"]
    )
    _ready(qtbot, window, 6)

    editor = window.composer.editor
    qtbot.keyClicks(editor, "/three")
    assert _listed(window) == ["Three bullets"]
    qtbot.keyClick(editor, Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: finish(core.service.prompts.list()) == [])
    _ready(qtbot, window, 5)
