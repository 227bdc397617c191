"""Assistants in the window, with real widgets offscreen over a started core on a real SQLite
file: chosen for a new chat from the composer ("+" ▸ Assistant, a chip once chosen), the new
chat shows who will answer and its examples; the answer and the header say which assistant
answers; a chat can change its assistant, from the menu or the chip's ✕."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from chatdesk.ui.composer.assistant_menu import AssistantMenu
from chatdesk.ui.main_window import MainWindow
from tests.ui.composer_parts import chip_words, chips, choose, switch_off

LEFT = Qt.MouseButton.LeftButton


def _picker(window: MainWindow) -> AssistantMenu:
    """ "+" ▸ Assistant."""
    return window.composer.plus_menu.assistants


def _action(picker: AssistantMenu, label: str) -> QAction:
    return next(a for a in picker.actions() if a.text() == label)


def _choose(qtbot: QtBot, window: MainWindow, label: str) -> None:
    """ "+" ▸ Assistant ▸ `label`, as the user does."""
    choose(qtbot, window.composer, "Assistant", label)


def _count(picker: AssistantMenu) -> int:
    return len(picker.entries())


def test_a_new_chat_with_an_assistant_shows_it_and_its_answers_name_it(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = open_window(core)
    picker = _picker(window)
    qtbot.waitUntil(lambda: _count(picker) == 6 and picker.menuAction().isVisible())
    assert picker.entries()[0] == ("", "No assistant")
    assert _action(picker, "No assistant").isChecked()
    assert chip_words(window.composer) == []  # none chosen: no chip
    assert picker.menuAction().toolTip() == (
        "Who answers in this chat: an assistant's prompt and model"
    )
    greeting = window.greeting
    assert greeting.title.text() in ("Good morning", "Good afternoon", "Good evening")
    qtbot.waitUntil(lambda: not greeting.emblem.pixmap().isNull())  # drawn after the paint
    general = [b.suggestion.said_by for b in window.suggestions.buttons]
    assert "Translator" in general  # one example of each assistant, named

    _choose(qtbot, window, "Translator")

    assert greeting.title.text() == "Translator"
    assert greeting.emblem.isVisible()
    assert not greeting.emblem.pixmap().isNull()  # its badge
    assert "Translates faithfully" in greeting.hint.text()
    assert "Translator" in window.header.model.text()
    example = window.suggestions.buttons[1]
    assert example.accessibleName() == "Translate into French: …"
    qtbot.mouseClick(example, LEFT)
    assert window.composer.text() == "Translate into French: "
    assert window.composer.editor.hasFocus() or not window.isActiveWindow()
    qtbot.keyClicks(window.composer.editor, "good morning")
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)

    qtbot.waitUntil(
        lambda: len(window.view.widgets) == 2 and window.conversation.messages()[-1].status.is_final
    )
    user, answer = window.view.widgets
    assert user.body.toPlainText() == "Translate into French: good morning"
    assert answer._head is not None
    assert answer._head.name.text() == "Translator"
    thread = finish(core.service.get_thread(window.current_thread_id))
    translator = finish(core.service.assistants.find("Translator"))
    disc = answer._head.disc.pixmap().toImage()  # the answer's head wears the assistant's colour
    middle = disc.pixelColor(disc.width() // 2, disc.height() // 8).name()
    assert middle == translator.fields.colour
    assert thread.assistant_id == translator.id
    assert chip_words(window.composer) == ["Translator"]
    assert _action(picker, "Translator").isChecked()
    chip = chips(window.composer)["assistant"]
    assert chip.off.accessibleName() == "Answer without Translator"
    assert not chip.label.icon().isNull()  # its badge
    assert "Translator" in window.header.model.text()


def test_the_shown_chat_changes_its_assistant_from_the_composer(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    thread = finish(core.service.create_thread(title="Homework"))
    window = open_window(core)
    window.show_thread(thread.id)
    qtbot.waitUntil(lambda: window.current_thread_id == thread.id)
    picker = _picker(window)
    qtbot.waitUntil(lambda: _count(picker) == 6)

    _choose(qtbot, window, "Tutor")

    tutor = finish(core.service.assistants.find("Tutor"))
    qtbot.waitUntil(lambda: finish(core.service.get_thread(thread.id)).assistant_id == tutor.id)
    qtbot.waitUntil(lambda: "Tutor" in window.header.model.text())
    assert chip_words(window.composer) == ["Tutor"]
    _choose(qtbot, window, "No assistant")
    qtbot.waitUntil(lambda: finish(core.service.get_thread(thread.id)).assistant_id is None)
    qtbot.waitUntil(lambda: "Tutor" not in window.header.model.text())
    assert chip_words(window.composer) == []
    _choose(qtbot, window, "Tutor")
    qtbot.waitUntil(lambda: "Tutor" in window.header.model.text())
    switch_off(qtbot, window.composer, "assistant")  # the chip's ✕
    qtbot.waitUntil(lambda: finish(core.service.get_thread(thread.id)).assistant_id is None)
    assert chip_words(window.composer) == []


def test_a_new_assistant_is_offered_at_once(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    from chatdesk.core.assistants.model import AssistantFields

    core = make_core()
    window = open_window(core)
    picker = _picker(window)
    qtbot.waitUntil(lambda: _count(picker) == 6)
    finish(core.service.assistants.create(AssistantFields(name="Poet", icon="🪶")))
    qtbot.waitUntil(lambda: _count(picker) == 7)
    assert not _action(picker, "Poet").icon().isNull()  # its badge


def test_the_header_names_the_assistant_as_read_again(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    from dataclasses import replace

    core = make_core()
    tutor = finish(core.service.assistants.find("Tutor"))
    thread = finish(core.service.create_thread(title="Homework"))
    finish(core.service.assistants.use_in(thread.id, tutor.id))
    window = open_window(core)
    window.show_thread(thread.id)
    qtbot.waitUntil(lambda: window.header.model.text().startswith("Tutor · "))

    finish(core.service.assistants.update(tutor.id, replace(tutor.fields, name="Teacher")))
    qtbot.waitUntil(lambda: window.header.model.text().startswith("Teacher · "))
