"""The line under an answer whose question's document went to the model only in part: shown
as the answer starts, and read from the database after a restart."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from chatdesk.ui.conversation.frame import CutNotice
from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.main_window import MainWindow
from tests.core import attachment_files as files

LINES = "\n".join(["figures and notes on the quarter, line by line"] * 30)


def _notice(window: MainWindow) -> str | None:
    """The words under the thread's answer saying what was cut, once they are on screen."""
    widgets = window.view.widgets
    if len(widgets) != 2 or not widgets[1].message.status.is_final:
        return None
    notice = widgets[1].findChild(CutNotice)
    return notice.text() if notice is not None and notice.isVisible() else None


def test_the_answer_says_its_document_was_cut_to_fit_and_still_does_after_a_restart(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    service = core.service
    pages = [f"Page {n} lists item {n}:\n{LINES}" for n in range(1, 41)]
    report = finish(service.attacher.attach_bytes("report.pdf", files.pdf(pages)), 60_000)
    thread = finish(service.create_thread())
    finish(service.set_thread_context_window(thread.id, 4_000))
    window = open_window(core)
    window.show_thread(thread.id)
    qtbot.waitUntil(lambda: window.current_thread_id == thread.id)

    turn = finish(service.send(thread.id, "What does it cover?", attachments=[report]))
    [cut] = finish(service.wait_for_answer(turn.answer.id)).cuts
    said = f"report.pdf was cut to fit: pages 1–{cut.sent} of 40 sent"
    assert 1 < cut.sent < 40
    qtbot.waitUntil(lambda: _notice(window) == said)  # as the answer is written
    assert window.view.widgets[0].findChild(CutNotice) is None  # under the answer only

    restarted = open_window(make_core())  # another start on the same data
    restarted.show_thread(thread.id)
    qtbot.waitUntil(lambda: _notice(restarted) == said)
    answer = restarted.view.widgets[1]
    assert isinstance(answer, MessageWidget)
    notice = answer.findChild(CutNotice)
    assert notice is not None
    assert notice.accessibleName() == "Documents cut to fit"
