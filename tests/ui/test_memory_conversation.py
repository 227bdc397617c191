"""Memory in the conversation, driven through the window with a real core and the offline mock:
the card of the model's "remember" shows the words it would keep and keeps them as proposed,
edited, or not at all (by keyboard too); an answer given a memory says so under it and lists
the memory's words; Remember this… keeps a message's words with the message as their source;
the composer's Memory switch keeps the chat's next answers from memories."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.memory.model import MemoryView, Origin
from chatdesk.ui.conversation.memory_card import MemoryCallCard
from chatdesk.ui.main_window import MainWindow
from tests.ui.composer_parts import chip_words, choose
from tests.ui.test_window import answer_done, send

REMEMBER = "Remember that I work on the Rust compiler"
PROPOSED = "I work on the Rust compiler."


def kept(core: Core, finish: Any) -> list[MemoryView]:
    assert core.service.memory is not None
    listed: list[MemoryView] = finish(core.service.memory.list())
    return listed


def _card(window: MainWindow) -> MemoryCallCard | None:
    widgets = window.view.widgets
    if len(widgets) < 2 or widgets[-1].tool_calls is None:
        return None
    cards = list(widgets[-1].tool_calls.cards.values())
    card = cards[0] if cards else None
    return card if isinstance(card, MemoryCallCard) else None


def _waiting_card(window: MainWindow, qtbot: QtBot) -> MemoryCallCard:
    def waiting() -> bool:
        card = _card(window)
        return card is not None and card.call.state == "waiting" and card.isVisible()

    qtbot.waitUntil(waiting)
    card = _card(window)
    assert card is not None
    return card


def _asked(make_core: Any, open_window: Any, qtbot: QtBot) -> tuple[Core, MainWindow]:
    core: Core = make_core()
    window: MainWindow = open_window(core)
    window.activateWindow()  # the keys go where the focus is, as on a desktop
    qtbot.waitUntil(lambda: window.isActiveWindow() and window.composer.editor.isVisible())
    send(qtbot, window, REMEMBER)
    return core, window


def _ended(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: answer_done(window))


def test_the_card_shows_the_proposed_words_and_keep_keeps_them(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core, window = _asked(make_core, open_window, qtbot)
    card = _waiting_card(window, qtbot)

    assert card._shown is not None
    assert card._shown.text() == PROPOSED  # the words, not the arguments' JSON
    assert card._shown.isVisible()
    assert not card._fold.isChecked()  # the arguments stay folded
    texts = {name: b.text().replace("&", "") for name, b in card.choice_buttons.items()}
    assert texts == {"once": "Keep", "edit": "Edit", "deny": "Don't keep"}
    assert kept(core, finish) == []  # nothing kept before the user says so

    qtbot.mouseClick(card.choice_buttons["once"], Qt.MouseButton.LeftButton)
    _ended(window, qtbot)

    memories = kept(core, finish)
    assert [m.text for m in memories] == [PROPOSED]
    assert memories[0].origin == Origin.MODEL
    qtbot.waitUntil(lambda: card.call.state == "done")
    assert card._state.text() == f"Kept as memory {memories[0].id}"
    assert not card.choice_buttons["once"].isVisible()


def test_edit_then_keep_keeps_the_edited_words(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core, window = _asked(make_core, open_window, qtbot)
    card = _waiting_card(window, qtbot)

    qtbot.mouseClick(card.choice_buttons["edit"], Qt.MouseButton.LeftButton)
    assert card._editor is not None
    qtbot.waitUntil(card._editor.isVisible)
    assert card._editor.toPlainText() == PROPOSED
    card._editor.selectAll()
    qtbot.keyClicks(card._editor, "I maintain rustc's borrow checker.")
    qtbot.mouseClick(card.choice_buttons["once"], Qt.MouseButton.LeftButton)
    _ended(window, qtbot)

    assert [m.text for m in kept(core, finish)] == ["I maintain rustc's borrow checker."]
    stored = window.conversation.messages()[-1].tool_calls[0]
    assert json.loads(stored.arguments) == {"text": "I maintain rustc's borrow checker."}


def test_dont_keep_keeps_nothing(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core, window = _asked(make_core, open_window, qtbot)
    card = _waiting_card(window, qtbot)

    qtbot.mouseClick(card.choice_buttons["deny"], Qt.MouseButton.LeftButton)
    _ended(window, qtbot)

    assert kept(core, finish) == []
    qtbot.waitUntil(lambda: card.call.state == "not_run")
    assert card._state.text() == "Not kept"


def test_enter_keeps_from_the_keyboard(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core, window = _asked(make_core, open_window, qtbot)
    card = _waiting_card(window, qtbot)
    keep = card.choice_buttons["once"]
    qtbot.waitUntil(keep.hasFocus)  # Keep took the keyboard when the card came

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    _ended(window, qtbot)

    assert [m.text for m in kept(core, finish)] == [PROPOSED]


def test_esc_refuses_from_the_keyboard_and_the_answer_goes_on(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core, window = _asked(make_core, open_window, qtbot)
    card = _waiting_card(window, qtbot)
    qtbot.waitUntil(card.choice_buttons["deny"].isVisible)
    card.choice_buttons["deny"].setFocus()

    qtbot.keyClick(card.choice_buttons["deny"], Qt.Key.Key_Escape)
    _ended(window, qtbot)

    assert kept(core, finish) == []
    answer = window.conversation.messages()[-1]
    assert answer.status.value == "complete"  # refused, not stopped: Esc is the card's


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")  # the popup
def test_an_answer_given_a_memory_says_so_and_lists_it(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core: Core = make_core()
    assert core.service.memory is not None
    rust = finish(core.service.memory.add(PROPOSED))
    gone = finish(core.service.memory.add("I build the Rust compiler with the nightly toolchain."))
    window: MainWindow = open_window(core)
    qtbot.waitUntil(window.composer.isVisible)
    send(qtbot, window, "Which compiler flags should I try for faster builds?")
    _ended(window, qtbot)
    answer = window.conversation.messages()[-1]
    assert set(answer.memories) == {rust.id, gone.id}
    finish(core.service.memory.remove(gone.id))

    footer = window.view.widgets[-1].footer
    qtbot.waitUntil(footer.memories.isVisible)
    assert footer.memories.text() == "Used 2 memories"
    footer.memories.setFocus()
    qtbot.keyClick(footer.memories, Qt.Key.Key_Space)  # by keyboard

    actions = window.actions_.memory
    qtbot.waitUntil(lambda: actions.popup is not None and actions.popup.isVisible())
    assert actions.popup is not None
    lines = [line.text() for line in actions.popup.lines]
    assert PROPOSED in lines
    assert f"Memory {gone.id} (deleted since)" in lines
    qtbot.mouseClick(actions.popup.manage, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.settings.dialog is not None and window.settings.dialog.isVisible()
    )
    dialog = window.settings.dialog
    assert dialog is not None
    assert dialog.tabs.currentWidget() is dialog.memory  # on the Memory page
    dialog.close()


def test_remember_this_keeps_a_messages_words_with_the_message_as_source(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core: Core = make_core()
    window: MainWindow = open_window(core)
    qtbot.waitUntil(window.composer.isVisible)
    send(qtbot, window, "I prefer answers in British English")
    _ended(window, qtbot)
    question = window.view.widgets[0]
    remember = question.footer.remember
    qtbot.waitUntil(lambda: remember.isVisibleTo(question))

    qtbot.mouseClick(remember, Qt.MouseButton.LeftButton)
    actions = window.actions_.memory
    qtbot.waitUntil(lambda: actions.dialog is not None and actions.dialog.isVisible())
    dialog = actions.dialog
    assert dialog is not None
    assert dialog.words.toPlainText() == "I prefer answers in British English"
    assert dialog.whom.currentText() == "Everyone"

    dialog.words.setPlainText("x" * 2_001)  # too long: said, and the dialog keeps the words
    dialog.keep_button.click()
    qtbot.waitUntil(dialog.error.isVisible)
    assert "2,000" in dialog.error.text()
    assert dialog.isVisible()
    assert dialog.words.toPlainText() == "x" * 2_001
    assert kept(core, finish) == []

    dialog.words.setPlainText("I prefer answers in British English.")
    dialog.keep_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    memories = kept(core, finish)
    assert [m.text for m in memories] == ["I prefer answers in British English."]
    assert memories[0].origin == Origin.CHAT
    assert (memories[0].thread_id, memories[0].message_id) == (
        question.message.thread_id,
        question.message.id,
    )


def test_the_composer_switch_off_gives_the_next_answer_no_memories(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core: Core = make_core()
    assert core.service.memory is not None
    finish(core.service.memory.add(PROPOSED))
    window: MainWindow = open_window(core)
    qtbot.waitUntil(window.composer.isVisible)
    send(qtbot, window, "Which compiler flags should I try?")
    _ended(window, qtbot)
    assert window.conversation.messages()[-1].memories != ()
    switch = window.composer.plus_menu.memory  # "+" ▸ Memory
    qtbot.waitUntil(lambda: switch.isVisible() and switch.isEnabled() and switch.isChecked())

    thread_id = window.current_thread_id
    assert thread_id is not None
    choose(qtbot, window.composer, "Memory")
    memory = core.service.memory
    qtbot.waitUntil(lambda: not finish(memory.switches(thread_id)).chat)
    qtbot.waitUntil(lambda: not switch.isChecked())
    assert chip_words(window.composer) == ["Memory off"]
    send(qtbot, window, "Which compiler flags should I try now?")
    qtbot.waitUntil(lambda: answer_done(window, 4))

    assert window.conversation.messages()[-1].memories == ()


def test_the_new_chats_switch_off_makes_it_with_memory_off(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core: Core = make_core()
    memory = core.service.memory
    assert memory is not None
    finish(memory.add(PROPOSED))
    window: MainWindow = open_window(core)
    switch = window.composer.plus_menu.memory  # "+" ▸ Memory
    qtbot.waitUntil(lambda: switch.isVisible() and switch.isEnabled() and switch.isChecked())

    choose(qtbot, window.composer, "Memory")  # before the new chat's first message
    qtbot.waitUntil(lambda: not switch.isChecked())
    send(qtbot, window, "Which compiler flags should I try?")
    _ended(window, qtbot)

    answer = window.conversation.messages()[-1]
    assert answer.memories == ()
    assert not finish(memory.switches(answer.thread_id)).chat


def test_a_temporary_chat_shows_nothing_of_memory(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    from tests.ui.test_temporary_ui import _ask, _start, _window

    core: Core = make_core()
    assert core.service.memory is not None
    finish(core.service.memory.add(PROPOSED))
    window = _window(open_window, core)
    qtbot.waitUntil(window.composer.isVisible)
    send(qtbot, window, "Which compiler flags should I try?")  # a saved chat first: all shows
    _ended(window, qtbot)
    switch = window.composer.plus_menu.memory  # "+" ▸ Memory
    qtbot.waitUntil(switch.isVisible)
    assert window.view.widgets[-1].footer.memories.isVisible()

    _start(qtbot, window)
    qtbot.waitUntil(lambda: not switch.isVisible())
    _ask(qtbot, window, "Which compiler flags should I try?", 2)

    question, answer = window.view.widgets
    assert answer.message.memories == ()
    assert not question.footer.remember.isVisibleTo(question)
    assert not answer.footer.remember.isVisibleTo(answer)
    assert not answer.footer.memories.isVisibleTo(answer)
    assert not switch.isVisible()


def test_forget_shows_the_memorys_words_and_deletes_it_once_agreed(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core: Core = make_core()
    assert core.service.memory is not None
    cat = finish(core.service.memory.add("My cat is called Miso."))
    window: MainWindow = open_window(core)
    qtbot.waitUntil(window.composer.isVisible)
    send(qtbot, window, f"Please forget memory {cat.id}")
    card = _waiting_card(window, qtbot)

    assert card._was is not None
    qtbot.waitUntil(lambda: "My cat is called Miso." in card._was.text())  # asked of the core
    assert card._was.text() == f"Forget memory {cat.id}: My cat is called Miso."
    assert card.choice_buttons["once"].text().replace("&", "") == "Forget it"
    assert not card.choice_buttons["edit"].isVisibleTo(card)  # nothing to edit
    qtbot.mouseClick(card.choice_buttons["once"], Qt.MouseButton.LeftButton)
    _ended(window, qtbot)

    assert kept(core, finish) == []
    qtbot.waitUntil(lambda: card._state.text() == f"Memory {cat.id} deleted")


def test_the_gauges_breakdown_counts_the_memories_given() -> None:
    from chatdesk.core.views import ContextBreakdown, ContextUsage
    from chatdesk.ui.header import usage_lines

    parts = ContextBreakdown(
        system=120, summary=0, history=300, draft=10, budget=6000, window=8000, estimated=False
    )
    usage = ContextUsage(used_tokens=430, budget_tokens=6000, estimated=False, breakdown=parts)
    assert not any("Memories" in line for line in usage_lines(usage))  # none given: no line

    given = dataclasses.replace(parts, memory=64, memories=2)
    assert "  Memories: 64 (2 memories)" in usage_lines(dataclasses.replace(usage, breakdown=given))
