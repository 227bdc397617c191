"""Screenshots of the local API in the window: Preferences ▸ Local API off, running, with the
port in use and with the network allowed (its warning), and the window with the API running
(the status bar's item) and a chat made through it open (the marks in its row and header).
Light and dark (and any language with CHATDESK_UI_LANGUAGE). Run through tests/ui/screens.py,
or alone:

    .venv/bin/python -m tests.ui.screens_local_api [OUTPUT_DIR]
"""

from __future__ import annotations

import os
import socket
import sqlite3
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from chatdesk.app import Core
from chatdesk.ui.application import attach_core
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.settings.api_state import Serving
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _core, _grab_dialog, _until, run_alone


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def local_api_screens(app: QApplication, out: Path) -> None:
    import keyring

    from tests.keyrings import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())  # never the real keyring of whoever runs this
    before = os.environ.get("CHATDESK_HOME")
    with tempfile.TemporaryDirectory() as home:
        os.environ["CHATDESK_HOME"] = home
        core = _core(CHATDESK_API_PORT=str(_free_port()), CHATDESK_UI_OFFLINE_DEMO="true")
        try:
            await core.start()
            await _seed(core)
            for theme in ("light", "dark"):
                apply_theme(app, theme)
                await _shoot(core, out, theme)
        finally:
            await core.aclose()
            os.environ.pop("CHATDESK_API_PORT", None)
            if before is not None:
                os.environ["CHATDESK_HOME"] = before


async def _seed(core: Core) -> None:
    service = core.service
    await service.create_thread(title="Trip to Lisbon")
    made = await service.create_thread(title="Summarise the release notes")
    turn = await service.send(made.id, "Summarise the release notes in three lines")
    await service.wait_for_answer(turn.answer.id)
    with sqlite3.connect(core.config.paths.database) as database:  # as the API's routes write it
        database.execute("UPDATE threads SET origin = 'api' WHERE id = ?", (made.id.hex,))


async def _shoot(core: Core, out: Path, theme: str) -> None:
    window = MainWindow(settings=core.config.settings)
    window.resize(1100, 700)
    attach_core(window, core)
    window.show()
    window.start()
    try:
        await _until(lambda: not window.sidebar.model.loading)
        await _preferences(window, out, theme)
        await _window(window, out, theme)
    finally:
        window.close()
        await window.aclose()
        window.deleteLater()


async def _preferences(window: MainWindow, out: Path, theme: str) -> None:
    window.settings.open_preferences(api_tab=True)
    dialog = window.settings.dialog
    assert dialog is not None
    page = dialog.api
    api = window.settings.local_api
    assert api is not None
    await _grab_dialog(dialog, out / f"local-api-off-{theme}.png")
    page.enabled.setChecked(True)
    await _until(lambda: api.state.serving is Serving.RUNNING and bool(page.key.text()))
    await _grab_dialog(dialog, out / f"local-api-running-{theme}.png")
    default = dialog.size()
    dialog.resize(800, 600)
    await _grab_dialog(dialog, out / f"local-api-800x600-{theme}.png")
    dialog.resize(default)
    page.lan.setChecked(True)
    await _until(lambda: api.state.serving is Serving.RUNNING and api.state.lan)
    await _grab_dialog(dialog, out / f"local-api-lan-{theme}.png")
    page.lan.setChecked(False)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        page.port.setValue(taken.getsockname()[1])
        await _until(lambda: api.state.serving is Serving.FAILED)
        await _grab_dialog(dialog, out / f"local-api-port-in-use-{theme}.png")
    page.port.setValue(_free_port())
    await _until(lambda: api.state.serving is Serving.RUNNING)
    dialog.close()


async def _window(window: MainWindow, out: Path, theme: str) -> None:
    model = window.sidebar.model
    made = next(
        thread
        for group in range(model.rowCount())
        for row in range(model.rowCount(model.index(group, 0)))
        if (thread := model.thread_at(model.index(row, 0, model.index(group, 0)))) is not None
        and thread.origin == "api"
    )
    window.show_thread(made.id)
    await _until(
        lambda: window.header.origin.isVisible() and len(window.conversation.messages()) == 2
    )
    window.statusBar().clearMessage()
    await _grab_dialog(window, out / f"local-api-window-{theme}.png")


if __name__ == "__main__":
    sys.exit(run_alone(local_api_screens))
