"""Screenshots of a new chat's welcome (the plain one is screens.py's "empty"): at the peers'
size (1600×1000), the greeting over the message box in the middle and the assistants' examples
suggested under it; with an assistant chosen (its badge, name and examples); and the first
start, "Connect a model" in the conversation's place, said once. Light and dark. Run through
tests/ui/screens.py, or alone:

    .venv/bin/python -m tests.ui.screens_new_chat [OUTPUT_DIR]

In Arabic: CHATDESK_UI_LANGUAGE=ar in the environment.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from chatdesk.app import Core
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _core, _still, _until, run_alone

GALLERY = (1280, 860)
PEERS = (1600, 1000)  # Open WebUI's new chat, at half its picture's size


async def new_chat_screens(app: QApplication, out: Path) -> None:
    before = os.environ.get("CHATDESK_HOME")
    with tempfile.TemporaryDirectory() as home:
        os.environ["CHATDESK_HOME"] = home
        core = _core(CHATDESK_UI_OFFLINE_DEMO="true")
        try:
            await core.start()
            await core.service.send_new("What is a good name for a cat?")
            for theme in ("light", "dark"):
                apply_theme(app, theme)
                await _welcome(core, out, theme)
        finally:
            await core.aclose()
        first = _core(CHATDESK_UI_OFFLINE_DEMO="false")
        try:
            await first.start()
            for theme in ("light", "dark"):
                apply_theme(app, theme)
                await _first_run(first, out, theme)
        finally:
            await first.aclose()
    if before is not None:
        os.environ["CHATDESK_HOME"] = before


async def _welcome(core: Core, out: Path, theme: str) -> None:
    for size in (PEERS, GALLERY):
        window = MainWindow(core.service)
        window.resize(*size)
        window.show()
        window.start()
        try:
            await _until(lambda: bool(window.suggestions.buttons))  # noqa: B023
            await _until(lambda: window.sidebar.model.rowCount() > 0)  # noqa: B023
            if size == PEERS:
                await _shot(window, out / f"new-chat-wide-{theme}.png")
            else:
                await _with_the_tutor(window, out / f"new-chat-assistant-{theme}.png")
        finally:
            window.close()
            await window.aclose()
            window.deleteLater()


async def _with_the_tutor(window: MainWindow, path: Path) -> None:
    tutor = next(a for a in window.models.assistants.known() if a.fields.icon == "🎓")
    window.composer.assistant_changed.emit(tutor.id.hex)
    await _until(lambda: window.greeting.assistant == tutor.name)
    await _shot(window, path)


async def _first_run(core: Core, out: Path, theme: str) -> None:
    """The first start: "Connect a model" in the conversation's place, said once."""
    from chatdesk.ui.application import attach_core

    window = MainWindow()
    window.resize(*GALLERY)
    attach_core(window, core)  # type: ignore[arg-type]
    window.show()
    window.start()
    try:
        page = window.connecting.page
        assert page is not None
        await _until(lambda: page.local.again.isEnabled())
        await _shot(window, out / f"first-run-{theme}.png")
    finally:
        window.close()
        await window.aclose()
        window.deleteLater()


async def _shot(window: MainWindow, path: Path) -> None:
    await _until(_still(window))
    window.grab().save(str(path))
    print(path)


def run() -> int:
    return run_alone(new_chat_screens)


if __name__ == "__main__":
    sys.exit(run())
