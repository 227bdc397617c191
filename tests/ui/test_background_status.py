"""Automatic backups that stop working are said in the status bar, not only in the log, until
a later run makes one again."""

from __future__ import annotations

import shutil
from typing import Any

from PySide6.QtWidgets import QStatusBar
from pytestqt.qtbot import QtBot

from chatdesk.core.chat.events import BackgroundProblem
from chatdesk.ui.window.background_status import BackgroundStatus


def test_problems_show_until_each_is_solved(qtbot: QtBot) -> None:
    bar = QStatusBar()
    qtbot.addWidget(bar)
    status = BackgroundStatus()
    bar.addPermanentWidget(status)
    bar.show()
    assert not status.isVisible()  # nothing is failing
    status.apply(BackgroundProblem("backups", "automatic backups stopped: the disk is full"))
    status.apply(BackgroundProblem("retention", "old deleted chats are not purged: locked"))
    assert status.isVisible()
    assert status.text() == "⚠ Old deleted chats are not purged (+1 more)"
    assert status.toolTip().splitlines() == [
        "Automatic backups stopped: the disk is full",
        "Old deleted chats are not purged: locked",
    ]
    status.apply(BackgroundProblem("retention", None))
    assert status.text() == "⚠ Automatic backups stopped"
    status.apply(BackgroundProblem("backups", None))
    assert not status.isVisible()


def test_a_failing_automatic_backup_shows_in_the_window_until_one_is_made(
    make_core: Any, open_window: Any, finish: Any, qtbot: QtBot
) -> None:
    core = make_core()
    window = open_window(core)
    folder = core.config.paths.backups_dir
    shutil.rmtree(folder, ignore_errors=True)
    folder.write_text("a file where the backups folder should be")
    finish(core.maintenance.run_once())
    status = window.background_status
    qtbot.waitUntil(status.isVisible)
    assert status.text() == "⚠ Automatic backups stopped"
    assert "cannot write backups" in status.toolTip()
    folder.unlink()
    finish(core.maintenance.run_once())
    qtbot.waitUntil(lambda: not status.isVisible())
