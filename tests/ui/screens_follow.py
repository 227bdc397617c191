"""Screenshots of the view following the user: a message edited in place of its bubble, and
the status bar while an answer is written ("…: writing an answer…"). Light and dark.

    .venv/bin/python tests/ui/screens_follow.py [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from chatdesk.core.kinds import AnswerStage
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from chatdesk.ui.window.provider_status import live_words
from tests.ui.screens import _core, _until, run_alone


async def follow_screens(app: QApplication, out: Path) -> None:
    core = _core()
    try:
        await core.start()
        for theme in ("light", "dark"):  # a chat each: the edit is of its only question
            question = "Which database suits a desktop app?\nOne line more."
            turn = await core.service.send_new(question)
            await core.service.wait_for_answer(turn.answer.id)
            apply_theme(app, theme)
            window = MainWindow(core.service)
            window.resize(1280, 860)
            window.show()
            window.start()
            try:
                window.show_thread(turn.answer.thread_id)
                await _until(lambda w=window: len(w.view.widgets) == 2, 60)  # type: ignore[misc]
                await _shoot_follow(core, window, out, theme)
            finally:
                window.close()
                await window.aclose()
                window.deleteLater()
    finally:
        await core.aclose()


async def _shoot_follow(core: object, window: MainWindow, out: Path, theme: str) -> None:
    window.view.widgets[0].start_editing()
    await asyncio.sleep(0.3)  # let layout settle
    window.grab().save(str(out / f"edit-in-place-{theme}.png"))
    print(out / f"edit-in-place-{theme}.png")
    window.view.widgets[0]._finish_editing(None)
    mock = core.providers.get("mock")  # type: ignore[attr-defined]
    mock.tokens_per_second = 6
    answer = (await core.service.send(window.current_thread_id, "Tell me more")).answer  # type: ignore[attr-defined]
    writing = live_words(AnswerStage.WRITING, answer.provider, answer.model)  # as shown
    await _until(lambda: window.provider_status.text() == writing, 60)
    await asyncio.sleep(0.3)
    window.grab().save(str(out / f"status-writing-{theme}.png"))
    print(out / f"status-writing-{theme}.png")
    await core.service.stop(answer.id)  # type: ignore[attr-defined]
    mock.tokens_per_second = 0


if __name__ == "__main__":
    sys.exit(run_alone(follow_screens))
