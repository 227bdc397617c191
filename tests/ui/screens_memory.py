"""Screenshots of memory in the conversation: the card of the model's "remember" (proposed,
being edited, kept), an answer's "Used 2 memories" with its list open, Remember this… (and its
refusal of words too long), and the composer's Memory switch on, off, and off in Preferences.
Light and dark (`CHATDESK_UI_LANGUAGE=de` or `=ar` for long words and right to left).

    .venv/bin/python -m tests.ui.screens_memory [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from chatdesk.app import Core
from chatdesk.core.tools.service import Tools
from chatdesk.ui.conversation.memory_card import MemoryCallCard
from chatdesk.ui.main_window import MainWindow
from tests.ui.screens import _grab_dialog, _until, run_alone
from tests.ui.screens_composer import WIDE, _grab, _grab_with
from tests.ui.screens_first_steps import in_own_home


async def memory_screens(app: QApplication, out: Path) -> None:
    await in_own_home(app, out, _shoot)


async def _shoot(core: Core, tools: Tools, runner: object, out: Path, theme: str) -> None:
    memory = core.service.memory
    assert memory is not None
    for kept in await memory.list():
        await memory.remove(kept.id)
    await memory.add("I work on the Rust compiler.")
    await memory.add("I build it with the nightly toolchain, on a laptop with 16 GB of memory.")
    window = MainWindow(core.service)
    window.resize(WIDE, 760)
    window.show()
    window.start()
    try:
        current = window.settings.current
        window.settings.apply(replace(current, ui=replace(current.ui, theme=theme)))
        await _card(core, window, out, theme)
        await _used(core, window, out, theme)
        await _remember_this(window, out, theme)
        await _switch(window, out, theme)
    finally:
        window.close()
        await window.aclose()
        window.deleteLater()


def _memory_card(window: MainWindow) -> MemoryCallCard | None:
    widgets = window.view.widgets
    calls = widgets[-1].tool_calls if widgets else None
    cards = list(calls.cards.values()) if calls is not None else []
    return cards[0] if cards and isinstance(cards[0], MemoryCallCard) else None


async def _card(core: Core, window: MainWindow, out: Path, theme: str) -> None:
    thread = await core.service.create_thread(title="Faster builds")
    window.show_thread(thread.id)
    await _until(lambda: window.current_thread_id == thread.id)
    asked = "Remember that I prefer answers with the commands first, then why"
    sent = asyncio.ensure_future(core.service.send(thread.id, asked))

    def waiting() -> bool:
        card = _memory_card(window)
        return card is not None and card.call.state == "waiting" and card.isVisible()

    await _until(waiting)
    card = _memory_card(window)
    assert card is not None
    await _grab(window, out / f"memory-card-{theme}.png")
    card.start_editing()
    assert card._editor is not None
    card._editor.setPlainText("I prefer answers with the commands first, then a line on why.")
    await _grab(window, out / f"memory-card-editing-{theme}.png")
    card.choose("once")
    await _until(lambda: card.call.state == "done")
    turn = await sent
    await core.service.wait_for_answer(turn.answer.id)
    await _grab(window, out / f"memory-card-kept-{theme}.png")


async def _used(core: Core, window: MainWindow, out: Path, theme: str) -> None:
    thread_id = window.current_thread_id
    assert thread_id is not None
    asked = "Which compiler flags should I try for faster builds?"
    turn = await core.service.send(thread_id, asked)
    await core.service.wait_for_answer(turn.answer.id)
    await _until(lambda: window.view.widgets[-1].footer.memories.isVisible())
    footer = window.view.widgets[-1].footer
    await _grab(window, out / f"memory-used-{theme}.png")
    footer.memories.click()
    actions = window.actions_.memory
    await _until(lambda: actions.popup is not None and actions.popup.isVisible())
    assert actions.popup is not None
    await _grab_dialog(actions.popup, out / f"memory-used-list-{theme}.png")
    actions.popup.close()


async def _remember_this(window: MainWindow, out: Path, theme: str) -> None:
    question = window.view.widgets[-2]
    question.footer.remember.click()
    actions = window.actions_.memory
    await _until(lambda: actions.dialog is not None and actions.dialog.isVisible())
    dialog = actions.dialog
    assert dialog is not None
    await _grab_dialog(dialog, out / f"memory-remember-this-{theme}.png")
    dialog.words.setPlainText("A long note. " * 160)
    dialog.keep_button.click()
    await _until(dialog.error.isVisible)
    await _grab_dialog(dialog, out / f"memory-remember-too-long-{theme}.png")
    dialog.reject()


async def _switch(window: MainWindow, out: Path, theme: str) -> None:
    """ "+" ▸ Memory, ticked; switched off, the chip "Memory off", at 1280 px and narrowest."""
    composer = window.composer
    switch = composer.plus_menu.memory
    await _until(lambda: switch.isVisible() and switch.isChecked())
    composer.open_plus()
    await _grab_with(window, [composer.plus_menu], out / f"memory-switch-on-{theme}.png")
    switch.trigger()  # as a click on the entry does
    composer.plus_menu.hide()
    await _until(lambda: not switch.isChecked())
    await _grab(window, out / f"memory-switch-off-{theme}.png")
    window.resize(window.minimumSizeHint().width(), 760)
    await _grab(window, out / f"memory-switch-narrow-{theme}.png")
    window.resize(WIDE, 760)
    composer.memory.switch(True)
    await _until(switch.isChecked)


if __name__ == "__main__":
    sys.exit(run_alone(memory_screens))
