"""The teams this user is in, as of the last sync: for the share menu and the sidebar badges.

Read again after every successful round (membership may have changed on the server).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from chatdesk.ui.runner import Runner

if TYPE_CHECKING:
    from chatdesk.core.sync.service import Team, TeamSync


class TeamDirectory(QObject):
    changed = Signal()  # the list of teams was read again and differs

    def __init__(self, team: TeamSync, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._team = team
        self._runner = runner
        self.teams: list[Team] = []

    def refresh(self) -> None:
        self._runner.run(self._team.teams(), done=self._read, quiet=True)

    def names(self) -> dict[uuid.UUID, str]:
        return {team.id: team.name for team in self.teams}

    def _read(self, teams: list[Team]) -> None:
        if teams != self.teams:
            self.teams = teams
            self.changed.emit()
