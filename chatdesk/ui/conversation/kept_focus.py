"""The keyboard focus kept across a message's replacement: when a message whose action has the
focus goes (another version takes its place, it was regenerated, its thread's page was shown
again), the action of the same name on the widget that comes at its row takes the focus, so
the next Tab goes on from there, not from the window's top."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from chatdesk.ui.conversation.message import MessageWidget


class KeptFocus:
    def __init__(self) -> None:
        self._wanted: tuple[int, str] | None = None  # (row, footer part)

    def remember(self, going: Sequence[MessageWidget], first: int) -> None:
        """The widgets of rows `first`… are going: which action of theirs had the focus."""
        for row, widget in enumerate(going, start=first):
            part = widget.footer.focus_held()  # read again before it settled: still wanted
            if part is not None:
                self._wanted = (row, part)
                focused = QApplication.focusWidget()
                if focused is not None and widget.isAncestorOf(focused):
                    focused.clearFocus()  # not left on a widget that is going

    def placed(self, row: int, widget: MessageWidget) -> None:
        """`widget` came at `row`: it takes the focus when the one that went there had it."""
        if self._wanted is not None and self._wanted[0] == row:
            widget.footer.focus_part(self._wanted[1])
            self._wanted = None
