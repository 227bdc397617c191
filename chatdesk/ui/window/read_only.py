"""While the chats are read-only (the data folder's disk is full, or the folder cannot be
written): the banner over the conversation, which says what is wrong and what to do and goes
by itself once chatdesk can save again (the core looks every few seconds); and the question
before closing a window whose typed words could not be saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from chatdesk.core.i18n import tr

if TYPE_CHECKING:  # the core's events load with the core, after the first paint
    from PySide6.QtGui import QCloseEvent

    from chatdesk.core.chat.events import Event
    from chatdesk.ui.window.drafts import Drafts


class ReadOnlyBanner(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readOnlyBanner")
        self.setAccessibleName(tr("Chats are read-only"))
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_state(self, blocked: str | None) -> None:
        """`blocked`: why nothing can be saved (shown), or None (hidden)."""
        if blocked is None:
            self.clear()
            self.hide()
            return
        self.setText(f"⚠ {blocked}")
        self.show()

    def apply(self, event: Event) -> None:
        from chatdesk.core.chat.events import SavingStateChanged

        if isinstance(event, SavingStateChanged):
            self.show_state(event.blocked)


class CloseGuard:
    """Asks before a window that cannot save closes with words typed in it."""

    def __init__(self, window: QWidget, drafts: Drafts) -> None:
        self._window, self._drafts = window, drafts
        self._agreed = False

    def stops(self, event: QCloseEvent) -> bool:
        """Whether this close waits for the user's answer (the event is then ignored)."""
        blocked = self._drafts.saving_blocked
        if self._agreed or blocked is None or not self._drafts.at_risk():
            return False
        event.ignore()
        from chatdesk.ui.questions import ask

        ask(
            self._window,
            tr("Close without saving"),
            tr("What you typed cannot be saved, and closing loses it."),
            tr(
                "{blocked}\n\nKeep the window open to copy it elsewhere, or until chatdesk can "
                "save again.",
                blocked=blocked,
            ),
            tr("Close and lose it"),
            self._close_anyway,
        )
        return True

    def _close_anyway(self) -> None:
        self._agreed = True
        self._window.close()
