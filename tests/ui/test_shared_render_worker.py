"""The window and HTML export format with one render worker, the core's: one child, started by
the first message the window formats, not closed by an export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.transfer import ExportFormat
from chatdesk.ui.main_window import MainWindow
from tests.ui.test_window import answer_done, send


def test_the_window_and_html_export_share_one_render_worker(
    attached_window: tuple[MainWindow, Core], qtbot: QtBot, finish: Any, tmp_path: Path
) -> None:
    window, core = attached_window
    renderer = core.renderer
    assert renderer.pid is None  # nothing formatted yet: no child
    send(qtbot, window, "Tell me about tide pools")
    qtbot.waitUntil(lambda: answer_done(window))
    qtbot.waitUntil(lambda: renderer.pid is not None)  # the window formats with the core's
    pid = renderer.pid
    thread_id = window.current_thread_id
    assert thread_id is not None

    page = tmp_path / "tides.html"
    finish(core.transfer.export_thread(thread_id, ExportFormat.HTML, page))
    assert "</p>" in page.read_text(encoding="utf-8")  # the answers rendered, not plain
    assert renderer.pid == pid  # by the same child, still up for the window
