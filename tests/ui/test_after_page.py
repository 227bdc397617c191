"""What a thread's opening reads beside its page (the gauge, the summary in use, the recent
models) waits for the page, and is never called once the window is closing (`MainWindow.aclose`
drops it: it would ask a closing core, from a loop that may have ended)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from chatdesk.ui.conversation.after_page import AfterPage


def test_the_latest_work_waits_for_the_page_and_comes_in_a_turn_of_its_own(qtbot: QtBot) -> None:
    after = AfterPage()
    called: list[str] = []
    after.wait(lambda: called.append("first thread"), built=False)
    after.wait(lambda: called.append("second thread"), built=False)
    after.page_built()
    assert called == []  # not in the turn that built the page
    qtbot.waitUntil(lambda: called == ["second thread"])
    after.wait(lambda: called.append("built already"), built=True)
    assert called == ["second thread", "built already"]


def test_work_dropped_as_the_window_closes_is_never_called(qtbot: QtBot) -> None:
    after = AfterPage()
    called: list[str] = []
    after.wait(lambda: called.append("dropped"), built=False)
    after.page_built()  # its turn is due
    after.drop()
    after.wait(lambda: called.append("later"), built=True)  # the next page's, in the open
    assert called == ["later"]
    QCoreApplication.processEvents()
    assert called == ["later"]
