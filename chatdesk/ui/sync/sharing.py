"""The sidebar's "Share with team ▸" and "Stop sharing" (asked first) on a thread's menu."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu, QWidget

from chatdesk.core.i18n import mark, tr
from chatdesk.ui.questions import ask
from chatdesk.ui.runner import Runner
from chatdesk.ui.sync.teams import TeamDirectory

if TYPE_CHECKING:
    from chatdesk.core.sync.service import TeamSync
    from chatdesk.core.views import ThreadView

NO_TEAMS = mark("No teams — set up in Preferences → Team")


class SharingActions(QObject):
    def __init__(
        self, team: TeamSync, runner: Runner, directory: TeamDirectory, owner: QWidget
    ) -> None:
        super().__init__(owner)
        self._team = team
        self._runner = runner
        self._directory = directory
        self._owner = owner
        self.dialog: QWidget | None = None  # the question opened last (for tests)

    def add_to(self, menu: QMenu, thread: ThreadView) -> None:
        """The sharing entries of a thread's context menu."""
        menu.addSeparator()
        if thread.team_id is not None:
            menu.addAction(tr("S&top sharing…"), lambda: self.ask_unshare(thread))
            return
        share = menu.addMenu(tr("S&hare with team"))
        share.setObjectName("shareMenu")
        if not self._directory.teams:
            share.addAction(tr(NO_TEAMS)).setEnabled(False)
        for team in self._directory.teams:
            share.addAction(team.name.replace("&", "&&"), self._sharer(thread.id, team.id))

    def _sharer(self, thread_id: uuid.UUID, team_id: uuid.UUID) -> Callable[[], object]:
        return lambda: self._runner.run(self._team.share(thread_id, team_id))

    def ask_unshare(self, thread: ThreadView) -> None:
        team = self._directory.names().get(thread.team_id) if thread.team_id else None
        if team:
            question = tr("Stop sharing “{title}” with {team}?", title=thread.title, team=team)
        else:
            question = tr("Stop sharing “{title}”?", title=thread.title)
        self.dialog = ask(
            self._owner,
            tr("Stop sharing"),
            question,
            tr(
                "It is deleted for the team (a teammate can restore it from their trash) and "
                "stays here as a personal chat."
            ),
            tr("Stop sharing"),
            lambda: self._runner.run(self._team.unshare(thread.id)),
        )
