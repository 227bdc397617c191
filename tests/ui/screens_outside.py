"""Screenshots of what another chatdesk process writes, shown live in the window: an answer
`chatdesk ask` is writing in the open thread, half-way (its server holds the rest), with a thread
it started in the sidebar; Stop pressed on it, the status bar saying why it cannot; the answer
ended. Light and dark (and any language: CHATDESK_UI_LANGUAGE). Run through tests/ui/screens.py,
or alone:

    .venv/bin/python tests/ui/screens_outside.py [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.core.second_process import ask_command
from tests.core.sse_server import FakeOpenAI, Reply, chunk
from tests.e2e.cli import chatdesk
from tests.ui.screens import _core, _until, shown_window
from tests.ui.screens_compare import _formatted, _save

QUESTION = "Summarise the meeting notes in three lines"
HALF = "1. The release moves to **Thursday**.\n\n2. "
REST = "Maria reviews the migration.\n\n3. Next meeting: Monday, 10:00."


async def outside_screens(app: QApplication, out: Path) -> None:
    server = FakeOpenAI(("llama3.2",)).start()
    core = _core()
    try:
        await core.start()
        added = chatdesk("providers", "add", "home", "--preset", "ollama", "--base-url", server.url)
        assert added.returncode == 0, added.stderr
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            turn = await core.service.send_new(f"Plan the week ({theme})")
            await core.service.wait_for_answer(turn.answer.id)
            async with shown_window(core, 1400, 900) as window:
                core.watch_outside()
                window.show_thread(turn.answer.thread_id)
                await _until(lambda: _formatted(window, 2))
                await _elsewhere(window, server, turn.answer.thread_id.hex, out, theme)
    finally:
        server.release.set()
        await core.aclose()
        server.close()


async def _elsewhere(
    window: MainWindow, server: FakeOpenAI, thread: str, out: Path, theme: str
) -> None:
    new = chatdesk("ask", "Draft a packing list for the trip")
    assert new.returncode == 0, new.stderr
    server.release.clear()
    server.queue(Reply(events=[chunk(HALF), chunk(REST, finish="stop")], hold_after=1))
    asked = (QUESTION, "--thread", thread, "--provider", "home", "--model", "llama3.2")
    other = await asyncio.create_subprocess_exec(*ask_command(*asked), stdout=subprocess.DEVNULL)
    await _until(lambda: _last(window) == HALF)
    await _until(lambda: all(w.rendered is not None for w in window.view.widgets[:3]))
    await asyncio.sleep(0.3)  # let layout and formatting settle
    _save(window.grab(), out / f"outside-streaming-{theme}.png")
    window.sending.stop()
    await _until(lambda: bool(window.statusBar().currentMessage()))
    await asyncio.sleep(0.3)
    _save(window.grab(), out / f"outside-stop-{theme}.png")
    server.release.set()
    await other.wait()
    await _until(lambda: window.view.widgets[3].message.status.is_final and _formatted(window, 4))
    await asyncio.sleep(0.3)
    _save(window.grab(), out / f"outside-ended-{theme}.png")


def _last(window: MainWindow) -> str:
    widgets = window.view.widgets
    return widgets[3].message.content if len(widgets) == 4 else ""


if __name__ == "__main__":
    from tests.ui.screens import run_alone

    sys.exit(run_alone(outside_screens))
