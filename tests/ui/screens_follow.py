"""Screenshots of the view following the user: a message edited in place of its bubble (a short
one, and a long one scrolled partly off the top, at 1600×1000, 800×600 and the window's
smallest, 560×420), the status bar while an answer is written ("…: writing an answer…"), and
three models' answers compared at 800×600 and 560×420 (at 1600×1000: screens_compare.py), at
their top and scrolled up from the end with "↓ Latest" shown. Light and dark
(`CHATDESK_UI_LANGUAGE=ar` for right to left).

    .venv/bin/python tests/ui/screens_follow.py [OUTPUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from chatdesk.app import Core
from chatdesk.core.kinds import AnswerStage
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from chatdesk.ui.window.provider_status import live_words
from tests.ui.screens import _core, _formatted, _shoot, _still, _until, run_alone

SIZES = ((1600, 1000), (800, 600), (560, 420))
MODELS = [("mock", "mock-1"), ("mock", "mock-2"), ("mock", "mock-3")]
LONG_QUESTION = "\n".join(
    f"Step {n}: check the backups, the disk space and the logs of server {n}." for n in range(40)
)


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
                await _until(lambda w=window: _formatted(w, 2), 60)  # type: ignore[misc]
                await _shoot_follow(core, window, out, theme)
            finally:
                window.close()
                await window.aclose()
                window.deleteLater()
        await _sized_screens(app, core, out)
    finally:
        await core.aclose()


async def _shoot_follow(core: object, window: MainWindow, out: Path, theme: str) -> None:
    window.view.widgets[0].start_editing()
    await _until(_still(window))  # the editor in the bubble's place, the view scrolled to it
    window.grab().save(str(out / f"edit-in-place-{theme}.png"))
    print(out / f"edit-in-place-{theme}.png")
    window.view.widgets[0]._finish_editing(None)
    mock = core.insides.providers.get("mock")  # type: ignore[attr-defined]
    mock.tokens_per_second = 6
    answer = (await core.service.send(window.current_thread_id, "Tell me more")).answer  # type: ignore[attr-defined]
    writing = live_words(AnswerStage.WRITING, answer.provider, answer.model)  # as shown
    await _until(lambda: window.provider_status.text() == writing, 60)
    # A word of the answer on screen (the body's text: its quote's bar is drawn before it)
    await _until(lambda: any(c.isalpha() for c in window.view.widgets[-1].body.toPlainText()))
    window.grab().save(str(out / f"status-writing-{theme}.png"))
    print(out / f"status-writing-{theme}.png")
    await core.service.stop(answer.id)  # type: ignore[attr-defined]
    mock.tokens_per_second = 0


async def _sized_screens(app: QApplication, core: Core, out: Path) -> None:
    """The comparison and the long message's edit at each of `SIZES`."""
    turn = await core.service.comparisons.send(None, "demo", MODELS)
    for answer in (turn.answer, *turn.others):
        await core.service.wait_for_answer(answer.id)
    compared = turn.answer.thread_id
    asked = await core.service.send_new(LONG_QUESTION)
    await core.service.wait_for_answer(asked.answer.id)
    long_chat = asked.answer.thread_id

    async def columns(window: MainWindow) -> None:
        window.show_thread(compared)
        await _until(lambda: _columns_formatted(window), 60)
        window.view.verticalScrollBar().setValue(0)

    async def columns_latest(window: MainWindow) -> None:
        await columns(window)
        await _until(_still(window))  # the comparison laid out: the range to scroll is known
        bar = window.view.verticalScrollBar()
        bar.setValue(max(bar.maximum() - window.view.viewport().height(), bar.maximum() // 2))
        if bar.maximum() > 100:  # else it all fits: nothing to jump to
            await _until(lambda: window.view._jump.isVisible())

    async def editing(window: MainWindow) -> None:
        window.show_thread(long_chat)
        await _until(lambda: len(window.view.widgets) == 2, 60)
        await _until(lambda: window.view.widgets[1].rendered is not None, 60)
        await _until(_still(window))  # the long question laid out at its height
        user = window.view.widgets[0]
        bottom = user.geometry().bottom()
        window.view.verticalScrollBar().setValue(bottom - window.view.viewport().height() // 2)
        user.footer.edit_button.click()

    for name, setup, sizes in (
        ("compare", columns, SIZES[1:]),  # at 1600×1000: compare-wide (screens_compare.py)
        ("compare-latest", columns_latest, SIZES[1:]),  # at 1600×1000 the answers fit the view
        ("edit-long", editing, SIZES),
    ):
        for width, height in sizes:
            await _shoot(app, core, out, f"{name}-{width}x{height}", setup, size=(width, height))


def _columns_formatted(window: MainWindow) -> bool:
    shown = [c for c in window.actions_.compared.shown if c.isVisible()]
    return bool(shown) and all(w.rendered is not None for c in shown for w in c.widgets.values())


if __name__ == "__main__":
    sys.exit(run_alone(follow_screens))
