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

from chatdesk.ui.runner import Runner

if TYPE_CHECKING:
    from chatdesk.core.sync.service import TeamSync

REFRESH_MS = 30_000  # "2 min ago" is redrawn this often


def status_text(
    state: str, detail: str, pending: int, last_sync: datetime | None, now: datetime
) -> str:
    """What the indicator says for a sync state."""
    waiting = f" ({pending} waiting)" if pending else ""
    reason = f" — {detail}" if detail else ""
    match state:
        case "up to date":
            return f"Team: up to date{_since(last_sync, now)}{waiting}"
        case "syncing":
            return "Team: syncing…"
        case "offline":
            return f"Team: offline{reason}{waiting}"
        case "error":
            return f"Team: error{reason}{waiting}"
        case _:
            return f"Team: {state}"


def _since(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return " · just now"
    if minutes < 60:
        return f" · {minutes} min ago"
    hours = minutes // 60
    return f" · {hours} h ago" if hours < 24 else f" · {hours // 24} d ago"


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
        self.setAccessibleName("Team sync status")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.sync_menu = QMenu(self)
        self.sync_now_action = self.sync_menu.addAction("&Sync now", self.sync_now)
        self.sync_menu.addAction("&Team preferences…", self.preferences_requested.emit)
        self.setMenu(self.sync_menu)
        self._tick = QTimer(self)
        self._tick.setInterval(REFRESH_MS)
        self._tick.timeout.connect(self.refresh)
        self._tick.start()
        status = team.status
        self.show_state(status.state, status.detail, status.pending, status.rejected)

    def show_state(self, state: str, detail: str, pending: int, rejected: int) -> None:
        """A SyncStateChanged arrived (or the indicator was made)."""
        self._state = (state, detail, pending, rejected)
        self.refresh()

    def refresh(self) -> None:
        state, detail, pending, rejected = self._state
        self.setVisible(state != "off")
        last_sync = self._team.status.last_sync  # kept in memory by the engine: no I/O
        text = status_text(state, detail, pending, last_sync, self._now())
        self.setText(text)
        refused = f"\n{rejected} change(s) were refused by the server." if rejected else ""
        self.setToolTip(f"{text}{refused}\nClick to sync now or change the team settings.")
        if self.property("state") != state:
            self.setProperty("state", state)
            self.style().unpolish(self)
            self.style().polish(self)
        self.sync_now_action.setEnabled(state != "syncing")

    def sync_now(self) -> None:
        # Quiet: a round may wait on the network; the composer is not busy meanwhile.
        self._runner.run(self._team.sync_now(), quiet=True)  # the state arrives as events
