# ruff: noqa: F811  (the window's fixtures are imported by name)
"""The tray's Pause team sync against a real PostgreSQL: there once team sync is set up; while
ticked, what Alice changes waits in her outbox and Bob does not get it; unticked, it goes."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.views import ThreadFilter
from chatdesk.ui.desktop.hub import Desktop
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.sidebar.roles import TEAM_ROLE
from tests.sync.client import Client
from tests.sync.conftest import SyncDatabase, Team
from tests.sync.test_ui_team import (  # noqa: F401  (fixtures)
    WAIT_MS,
    bob,
    connect_alice,
    submenu,
    team,
    thread_row,
    window,
)
from tests.ui.conftest import finish, make_core, qloop  # noqa: F401  (fixtures)


def test_pause_team_sync_from_the_tray(
    qtbot: QtBot,
    window: tuple[MainWindow, Core],
    sync_db: SyncDatabase,
    team: Team,
    bob: Client,
    finish: Any,
) -> None:
    shown, core = window
    desktop = Desktop(shown, core)
    desktop.start()
    assert desktop.tray is not None
    entry = desktop.tray.pause_sync
    desktop.tray.menu.aboutToShow.emit()
    assert not entry.isVisible()  # no team server yet: nothing to pause

    thread = finish(core.service.create_thread(title="Launch plan"))
    qtbot.waitUntil(lambda: thread_row(shown, thread.id).isValid())
    connect_alice(qtbot, shown, sync_db, team)
    qtbot.waitUntil(lambda: bool(shown.team_ui and shown.team_ui.teams.teams))
    submenu(shown.sidebar.menu_for(thread_row(shown, thread.id)), "Share with team").actions()[
        0
    ].trigger()
    qtbot.waitUntil(lambda: thread_row(shown, thread.id).data(TEAM_ROLE) == "red")
    qtbot.waitUntil(lambda: core.team.engine.outbox()[0] == 0, timeout=WAIT_MS)
    desktop.tray.menu.aboutToShow.emit()
    assert entry.isVisible()
    assert not entry.isChecked()

    stopping = desktop.pause_team_sync(True)  # as the tick does: entry.trigger()
    assert stopping is not None
    qtbot.waitUntil(stopping.done, timeout=WAIT_MS)
    desktop.tray.menu.aboutToShow.emit()
    assert entry.isChecked()
    finish(core.service.rename_thread(thread.id, "Launch plan, final"))
    assert core.team.engine.outbox()[0] == 1  # waits: no worker to send it
    bob.engine.round()
    [seen] = finish(bob.service.list_threads(ThreadFilter(), limit=10)).threads
    assert seen.title == "Launch plan"

    entry.trigger()  # unticked: resumed
    assert not desktop.team_sync_paused
    qtbot.waitUntil(lambda: core.team.engine.outbox()[0] == 0, timeout=WAIT_MS)
    bob.engine.round()
    [seen] = finish(bob.service.list_threads(ThreadFilter(), limit=10)).threads
    assert seen.title == "Launch plan, final"
    desktop.close()
