"""Screenshots of a temporary chat in the main window: answered, marked by its banner, its header
and the header's Temporary switch, beside the saved chats (at 1600×1000 and at 800×600); the
question when it is left with words in it; the chat kept as a normal one. Light and dark (and
any language: CHATDESK_UI_LANGUAGE). Run through tests/ui/screens.py, or alone:

    .venv/bin/python tests/ui/screens_temporary.py [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _core, _until, shown_window
from tests.ui.screens_compare import _centred, _draw, _formatted, _save

QUESTION = "What should I ask a landlord before signing?"
SIZES = {"": (1600, 1000), "-small": (800, 600)}


async def temporary_screens(app: QApplication, out: Path) -> None:
    core = _core()
    try:
        await core.start()
        for title in ("Garden watering schedule", "Quarterly report outline"):
            await core.service.create_thread(title=title)
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            for size, (width, height) in SIZES.items():
                async with shown_window(core, width, height) as window:
                    window.temporary.make = core.temporary
                    await _temporary(window, out, f"{size}-{theme}", keep=not size)
    finally:
        await core.aclose()


async def _temporary(window: MainWindow, out: Path, name: str, *, keep: bool) -> None:
    await _until(lambda: window.sidebar.model.rowCount() > 0)
    window.temporary.start()
    await _until(lambda: window.temporary.shown and window.drafts.shown)
    window.sending.send(QUESTION, [])
    await _until(lambda: window.current_thread_id is not None and _formatted(window, 2))
    await _until(lambda: window.conversation.messages()[-1].status.is_final)
    window.composer.set_text("And the deposit?")
    await asyncio.sleep(0.3)  # let layout and formatting settle
    window.view.verticalScrollBar().setValue(0)
    _save(window.grab(), out / f"temporary{name}.png")
    if not keep:
        window.temporary.keep()  # not left with words: nothing is asked when it closes
        await _until(lambda: not window.temporary.shown)
        return
    window.temporary.close_chat()  # Ctrl+W: words would be lost, it asks
    question = window.temporary.question
    assert question is not None
    await asyncio.sleep(0.3)
    shot = window.grab()
    _draw(shot, question, _centred(window, question))
    _save(shot, out / f"temporary-leave{name}.png")
    question.close()  # Cancel: the chat stays
    window.temporary.keep()
    await _until(lambda: not window.temporary.shown and _formatted(window, 2))
    await _until(lambda: window.composer.text() == "And the deposit?")
    await asyncio.sleep(0.3)
    _save(window.grab(), out / f"temporary-kept{name}.png")


if __name__ == "__main__":
    from tests.ui.screens import run_alone

    sys.exit(run_alone(temporary_screens))
