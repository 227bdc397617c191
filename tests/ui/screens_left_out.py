"""Screenshots of an answer whose chat has tool servers on that could not be used: the lines
above its words naming each (signed out, failed to start, switched off) with Sign in… or Tool
settings…. Light and dark; in Arabic with CHATDESK_UI_LANGUAGE=ar. Run through
tests/ui/screens.py, or alone:

    .venv/bin/python -m tests.ui.screens_left_out [OUTPUT_DIR]
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.ui.conversation.left_out import LeftOutNotice
from chatdesk.ui.main_window import MainWindow
from tests.core.mcp_helpers import stdio
from tests.core.oauth_server import remote_server
from tests.ui.screens import _core, _shoot, _until, run_alone

EXITS = ("-I", "-c", "raise SystemExit(3)")


async def left_out_screens(app: QApplication, out: Path) -> None:
    core = _core()
    with remote_server() as remote:
        try:
            await core.start()
            tools = core.service.tools
            await tools.add_server(ServerConfig("wiki", Transport.HTTP, url=remote.url))
            await tools.add_server(
                ServerConfig(
                    "journal",
                    Transport.STDIO,
                    command=sys.executable,
                    args=EXITS,
                    command_approved=True,
                )
            )
            await tools.add_server(dataclasses.replace(stdio("planner"), enabled=False))

            async def setup(window: MainWindow) -> None:
                service = core.service
                thread = await service.create_thread(title="Plan the week")
                await service.set_thread_tools(thread.id, ["journal", "planner", "wiki"])
                window.show_thread(thread.id)
                await _until(lambda: window.current_thread_id == thread.id)
                turn = await service.send(thread.id, "What is on my calendar this week?")
                await service.wait_for_answer(turn.answer.id)
                await _until(lambda: len(window.view.widgets) == 2)
                answer = window.view.widgets[-1]
                await _until(lambda: answer.rendered is not None)
                await _until(lambda: answer.findChild(LeftOutNotice) is not None)

            await _shoot(app, core, out, "tools-left-out", setup)
        finally:
            await core.aclose()


if __name__ == "__main__":
    sys.exit(run_alone(left_out_screens))
