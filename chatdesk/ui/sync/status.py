"""The status bar's team sync indicator: "Team: up to date · 2 min ago", "Team: syncing…",
"Team: offline — reason (3 waiting)", "Team: error — reason". A click offers "Sync now" and
the Team preferences. Hidden while sync is off.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from chatdesk.core.i18n import ntr, tr
from chatdesk.core.views import SyncState
from chatdesk.ui.runner import Runner

if TYPE_CHECKING:
    from chatdesk.core.sync.service import TeamSync

REFRESH_MS = 30_000  # "2 min ago" is redrawn this often


def status_text(
    state: SyncState, detail: str, pending: int, last_sync: datetime | None, now: datetime
) -> str:
    """What the indicator says for a sync state."""
    # translators: changes made here that wait to go to the team's server ("(3 waiting)")
    waiting = " " + ntr("({n} waiting)", "({n} waiting)", pending) if pending else ""
    reason = f" — {detail}" if detail else ""
    match state:
        case SyncState.UP_TO_DATE:
            return tr("Team: up to date") + _since(last_sync, now) + waiting
        case SyncState.SYNCING:
            return tr("Team: syncing…")
        case SyncState.OFFLINE:
            return tr("Team: offline") + reason + waiting
        case SyncState.ERROR:
            return tr("Team: error") + reason + waiting
        case _:
            return tr("Team: {state}", state=state)


def _since(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return " · " + tr("just now")
    if minutes < 60:
        return " · " + ntr("{n} min ago", "{n} min ago", minutes)
    hours = minutes // 60
    if hours < 24:
        return " · " + ntr("{n} h ago", "{n} h ago", hours)
    # translators: how long ago, in days ("2 d ago")
    return " · " + ntr("{n} d ago", "{n} d ago", hours // 24)


class SyncStatusButton(QToolButton):
    preferences_requested = Signal()  # "Team preferences…" was chosen

    def __init__(
        self,
        team: TeamSync,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._team = team
        self._runner = runner
        self._now = now or (lambda: datetime.now(UTC))
        self.setObjectName("syncStatus")
        self.setAutoRaise(True)
        self.setAccessibleName(tr("Team sync status"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.sync_menu = QMenu(self)
        self.sync_now_action = self.sync_menu.addAction(tr("&Sync now"), self.sync_now)
        self.sync_menu.addAction(tr("&Team preferences…"), self.preferences_requested.emit)
        self.setMenu(self.sync_menu)
        self._tick = QTimer(self)
        self._tick.setInterval(REFRESH_MS)
        self._tick.timeout.connect(self.refresh)
        self._tick.start()
        status = team.status
        self.show_state(status.state, status.detail, status.pending, status.rejected)

    def show_state(self, state: SyncState, detail: str, pending: int, rejected: int) -> None:
        """A SyncStateChanged arrived (or the indicator was made)."""
        self._state = (state, detail, pending, rejected)
        self.refresh()

    def refresh(self) -> None:
        state, detail, pending, rejected = self._state
        self.setVisible(state != SyncState.OFF)
        last_sync = self._team.status.last_sync  # kept in memory by the engine: no I/O
        text = status_text(state, detail, pending, last_sync, self._now())
        self.setText(text)
        lines = [text]
        if rejected:
            lines.append(
                ntr(
                    "{n} change was refused by the server.",
                    "{n} changes were refused by the server.",
                    rejected,
                )
            )
        lines.append(tr("Click to sync now or change the team settings."))
        self.setToolTip("\n".join(lines))
        if self.property("state") != state:
            self.setProperty("state", state)
            self.style().unpolish(self)
            self.style().polish(self)
        self.sync_now_action.setEnabled(state != SyncState.SYNCING)

    def sync_now(self) -> None:
        # Quiet: a round may wait on the network; the composer is not busy meanwhile.
        self._runner.run(self._team.sync_now(), quiet=True)  # the state arrives as events
