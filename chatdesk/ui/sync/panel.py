"""The window's team sync pieces together, and the service events they follow."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QStatusBar, QVBoxLayout

from chatdesk.core.chat import events as ev
from chatdesk.core.views import SyncState
from chatdesk.ui.runner import Runner
from chatdesk.ui.sync.notes import SyncNoteBanner
from chatdesk.ui.sync.sharing import SharingActions
from chatdesk.ui.sync.status import SyncStatusButton
from chatdesk.ui.sync.teams import TeamDirectory

if TYPE_CHECKING:
    from chatdesk.core.sync.service import TeamSync
    from chatdesk.core.views import ThreadView
    from chatdesk.ui.sidebar.view import Sidebar


class TeamSyncUi(QObject):
    """The status bar's indicator, the teams known, the sidebar's sharing entries and badge
    names, and the lost-edit note; the window hands in the events."""

    def __init__(self, team: TeamSync, runner: Runner, sidebar: Sidebar, owner: QObject) -> None:
        super().__init__(owner)
        self.status = SyncStatusButton(team, runner)
        self.teams = TeamDirectory(team, runner, self)
        self.sharing = SharingActions(team, runner, self.teams, sidebar)
        self.banner = SyncNoteBanner(team, runner)
        self._sidebar = sidebar
        sidebar.commands.sharing = self.sharing
        self.teams.changed.connect(lambda: sidebar.model.set_team_names(self.teams.names()))
        if team.configured:
            self.teams.refresh()

    def place(
        self, status: QStatusBar, column: QVBoxLayout, preferences: Callable[..., object]
    ) -> None:
        """Put the indicator in the status bar and the lost-edit note in the window's column,
        between the header and the messages; the indicator's menu opens `preferences` on the
        Team tab (`preferences(team_tab=True)`)."""
        status.addPermanentWidget(self.status)
        column.insertWidget(1, self.banner)
        self.status.preferences_requested.connect(lambda: preferences(team_tab=True))

    def thread_opened(self, thread: ThreadView | None) -> None:
        """Only a team thread can have lost edits to show (no read for personal ones)."""
        shared = thread is not None and thread.team_id is not None
        self.banner.show_thread(thread.id if shared and thread is not None else None)

    def apply(self, event: ev.Event) -> None:
        match event:
            case ev.SyncStateChanged(state, detail, pending, rejected):
                self.status.show_state(state, detail, pending, rejected)
                if state in (SyncState.UP_TO_DATE, SyncState.OFF):
                    self.teams.refresh()  # joined or left a team on the server, or signed out
            case ev.SyncEditLost(note):
                self.banner.add(note)
            case _:
                pass
