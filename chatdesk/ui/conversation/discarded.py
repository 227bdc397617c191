"""Widgets no longer shown, deleted one per turn of the loop: a page's dozen message widgets
deleted in one turn take about 8 ms on a quiet two-core machine, which would stall a frame, and
each takes about 1 ms, which the turns that build the next page share (decision 0084)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

PER_TURN = 1


class Discarded(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._widgets: list[QWidget] = []
        self._next = QTimer(self, singleShot=True, interval=0)
        self._next.timeout.connect(self._delete_some)

    def keep(self, widgets: Sequence[QWidget]) -> None:
        """Hide `widgets` now (their layout has let them go); they wait for `delete_soon`."""
        for widget in widgets:
            widget.hide()
        self._widgets.extend(widgets)

    def delete_soon(self) -> None:
        """Delete them from the next turn of the loop on, `PER_TURN` a turn."""
        if self._widgets:
            self._next.start()

    def _delete_some(self) -> None:
        some, self._widgets = self._widgets[:PER_TURN], self._widgets[PER_TURN:]
        for widget in some:
            widget.deleteLater()
        self.delete_soon()
