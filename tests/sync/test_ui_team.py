# ruff: noqa: F811  (the window's fixtures are imported from tests/ui/conftest.py by name)
"""Team sync in the window against a real PostgreSQL: the Team preferences, sharing from the
sidebar, the status bar's indicator and the note about an edit that lost to a newer one.

Alice is the window (a real core, its engine connected to the test server); Bob is a second
chatdesk home with its own engine. The window's fixtures come from tests/ui/conftest.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken

from chatdesk.app import Core
from chatdesk.core.views import ThreadFilter
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.settings.notices import Tone
from chatdesk.ui.sidebar.roles import TEAM_ROLE
from tests.sync.client import Client
from tests.sync.conftest import Member, SyncDatabase, Team
from tests.ui.conftest import finish, make_core, qloop  # noqa: F401  (fixtures)

WAIT_MS = 15_000


@pytest.fixture
def team(sync_db: SyncDatabase) -> Team:
    return sync_db.team("red", ["alice", "bob"])


@pytest.fixture
def window(make_core: Any, finish: Any, sync_db: SyncDatabase) -> Iterator[tuple[MainWindow, Core]]:
    """Alice's window on a core with sync off; closed before the server's database goes."""
    core: Core = make_core()
    shown = MainWindow()
    shown.attach(core.service, team=core.team)
    shown.show()
    shown.start()
    yield shown, core
    if shown.settings.dialog is not None and Shiboken.isValid(shown.settings.dialog):
        shown.settings.dialog.close()
    shown.close()
    finish(shown.aclose())
    shown.deleteLater()


@pytest.fixture
def bob(tmp_path: Path, team: Team, finish: Any) -> Iterator[Client]:
    """Bob's chatdesk; its async calls run on the window's loop (`finish`), not its own."""
    client = Client(tmp_path / "bob", team.members["bob"])
    yield client
    client.engine.stop()
    finish(client.service.aclose())
    client.store.close()
    client.loop.close()


def fill_team_page(window: MainWindow, sync_db: SyncDatabase, member: Member, password: str) -> Any:
    window.settings.open_preferences(team_tab=True)
    dialog = window.settings.dialog
    assert dialog is not None
    assert dialog.tabs.currentWidget() is dialog.team
    page = dialog.team
    page.host.setText("127.0.0.1")
    page.port.setValue(sync_db.server.port)
    page.database.setText(sync_db.name)
    page.user.setText(member.name)
    page.tls.setCurrentText("disable")  # the test server has no TLS; it is on this machine
    page.password_line.setText(password)
    return page


def connect_alice(qtbot: QtBot, window: MainWindow, sync_db: SyncDatabase, team: Team) -> None:
    """Alice sets up her login in the Team tab and saves it: the window syncs from then on."""
    page = fill_team_page(window, sync_db, team.members["alice"], team.members["alice"].password)
    page.save.click()
    assert window.team_ui is not None
    status = window.team_ui.status
    qtbot.waitUntil(lambda: status.text().startswith("Team: up to date"), timeout=WAIT_MS)
    assert window.settings.dialog is not None
    window.settings.dialog.accept()


def thread_row(window: MainWindow, thread_id: uuid.UUID) -> Any:
    return window.sidebar.model.index_of_thread(thread_id)


def menu_entries(menu: QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def submenu(menu: QMenu, title: str) -> QMenu:
    for action in menu.actions():
        if action.text().replace("&", "") == title and action.menu() is not None:
            found = action.menu()
            assert isinstance(found, QMenu)
            return found
    raise AssertionError(f"no {title!r} in {menu_entries(menu)}")


def test_test_connection_lists_the_teams_or_says_why_not(
    qtbot: QtBot, window: tuple[MainWindow, Core], sync_db: SyncDatabase, team: Team
) -> None:
    shown, _ = window
    alice = team.members["alice"]
    page = fill_team_page(shown, sync_db, alice, "not-the-password")
    page.test.click()
    qtbot.waitUntil(lambda: page.result.tone is Tone.ERROR, timeout=WAIT_MS)
    assert "Connected" not in page.result.text()
    assert page.result.text()  # the typed error's own sentence

    page.password_line.setText(alice.password)
    page.test.click()
    qtbot.waitUntil(lambda: page.result.tone is Tone.SUCCESS, timeout=WAIT_MS)
    assert page.result.text() == "Connected. Your teams: red (member)."
    assert page.password_line.text() == alice.password  # testing saves nothing


def test_sharing_from_the_sidebar_badges_the_row_and_reaches_a_teammate(
    qtbot: QtBot,
    window: tuple[MainWindow, Core],
    sync_db: SyncDatabase,
    team: Team,
    bob: Client,
    finish: Any,
) -> None:
    shown, core = window
    thread = finish(core.service.create_thread(title="Launch plan"))
    qtbot.waitUntil(lambda: thread_row(shown, thread.id).isValid())
    personal = shown.sidebar.menu_for(thread_row(shown, thread.id))
    assert menu_entries(submenu(personal, "Share with team")) == [
        "No teams — set up in Preferences → Team"
    ]
    assert shown.team_ui is not None
    assert shown.team_ui.status.isHidden()  # sync is off

    connect_alice(qtbot, shown, sync_db, team)
    assert shown.team_ui.status.isVisible()
    qtbot.waitUntil(lambda: bool(shown.team_ui and shown.team_ui.teams.teams))
    menu = shown.sidebar.menu_for(thread_row(shown, thread.id))
    share = submenu(menu, "Share with team")
    assert menu_entries(share) == ["red"]
    share.actions()[0].trigger()
    qtbot.waitUntil(lambda: thread_row(shown, thread.id).data(TEAM_ROLE) == "red")
    assert "Shared with red" in thread_row(shown, thread.id).data(Qt.ItemDataRole.ToolTipRole)
    status = shown.team_ui.status
    qtbot.waitUntil(
        lambda: core.team.engine.outbox()[0] == 0 and status.text().startswith("Team: up to date"),
        timeout=WAIT_MS,
    )

    bob.engine.round()
    page = finish(bob.service.list_threads(ThreadFilter(), limit=10))
    [seen] = page.threads
    assert (seen.id, seen.title, seen.team_id) == (thread.id, "Launch plan", team.id)
    shared = shown.sidebar.menu_for(thread_row(shown, thread.id))
    assert "Stop sharing…" in menu_entries(shared)


def test_a_lost_rename_shows_a_note_until_dismissed(
    qtbot: QtBot,
    window: tuple[MainWindow, Core],
    sync_db: SyncDatabase,
    team: Team,
    bob: Client,
    finish: Any,
) -> None:
    shown, core = window
    thread = finish(core.service.create_thread(title="Budget"))
    connect_alice(qtbot, shown, sync_db, team)
    finish(core.team.share(thread.id, team.id))
    finish(core.team.sync_now())
    bob.engine.round()
    shown.show_thread(thread.id)
    qtbot.waitUntil(lambda: shown.current_thread_id == thread.id)
    assert shown.team_ui is not None
    banner = shown.team_ui.banner
    assert banner.isHidden()

    core.team.engine.stop()  # Alice's rename waits in her outbox while Bob renames after her
    finish(core.service.rename_thread(thread.id, "Budget (mine)"))
    finish(bob.service.rename_thread(thread.id, "Budget 2026"))
    bob.engine.round()
    finish(core.team.sync_now())  # her push loses to Bob's newer title

    qtbot.waitUntil(banner.isVisible, timeout=WAIT_MS)
    assert banner.text.text() == (
        f"Your title “Budget (mine)” was replaced by {team.members['bob'].name}'s newer "
        "“Budget 2026”. Both are kept in the team's history."
    )
    with qtbot.waitSignal(banner.dismissed, timeout=WAIT_MS):
        banner.dismiss.click()
    assert banner.isHidden()
    assert finish(core.team.notes(thread.id)) == []

    shown.new_chat()
    with qtbot.waitSignal(banner.notes_read, timeout=WAIT_MS):
        shown.show_thread(thread.id)
    assert shown.current_thread_id == thread.id
    assert banner.isHidden()
