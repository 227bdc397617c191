"""Save screenshots of the main window in the light and the dark theme, for review and docs.

    .venv/bin/python tests/ui/screens.py [OUTPUT_DIR]     (default: screenshots/)

Runs offscreen on a throwaway database with two threads of answered messages (mock provider).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtWidgets import QApplication

from chatdesk.app import build_core, configure
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme

PROMPTS = (
    ("Plan a small weekend project", ()),
    (
        "How should I store chat history locally?",
        ("And how do I keep the database fast when a thread gets long?",),
    ),
)


async def _until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("the window did not get there in time")


async def main(app: QApplication, out: Path) -> int:
    core = build_core(configure())
    try:
        await core.start()
        service = core.service
        shown = None
        for first, more in PROMPTS:
            thread = await service.create_thread()
            for text in (first, *more):
                turn = await service.send(thread.id, text)
                await service.wait_for_answer(turn.answer.id)
            shown = thread.id
        assert shown is not None
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            window = MainWindow(service)
            window.show()
            window.start()
            await _until(lambda w=window: w._threads.rowCount() == len(PROMPTS))
            window.select_thread(shown)
            await _until(lambda w=window: len(w._messages) == 4 and w._busy == 0)
            window._composer.setPlainText("A draft that is not sent yet")
            await asyncio.sleep(0.1)  # let layout settle
            path = out / f"window-{theme}.png"
            window.grab().save(str(path))
            print(path)
            window.close()
            await window.aclose()
            window.deleteLater()
    finally:
        await core.aclose()
    return 0


def run() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        os.environ["CHATDESK_HOME"] = home
        os.environ["CHATDESK_MOCK_TOKENS_PER_SECOND"] = "0"
        app = QApplication(sys.argv[:1])
        app.setApplicationName("chatdesk")
        app.setQuitOnLastWindowClosed(False)
        code: int = qasync.run(main(app, out.resolve()))
        return code


if __name__ == "__main__":
    sys.exit(run())
