"""The conversation's layout: its messages stand in the reading column (the layout's side
margins), but a comparison's answers side by side would get a third of it each. A message
showing a comparison is laid out wider than the column, centred on it: up to one measure per
answer, as much as the view allows. Only those messages are placed again; the others keep the
geometry the column gives them, so a resize lays out no more than before."""

from __future__ import annotations

import weakref

from PySide6.QtCore import QCoreApplication, QEvent, QRect
from PySide6.QtWidgets import QVBoxLayout, QWidget

from chatdesk.ui.column import column_side

# Around each answer's text: its column's frame and padding (comparison.py), the row's spacing;
# and the message's own margins around the row (message.py).
_ANSWER_EXTRA = 2 * 7 + 8
_MESSAGE_EXTRA = 2 * 12
_LAYOUT_PASSES = 4  # at most, to lay a page out before it is first painted


class ColumnLayout(QVBoxLayout):
    def __init__(self, parent: QWidget, measure: int) -> None:
        super().__init__(parent)
        self.measure = measure
        self._wide: weakref.WeakKeyDictionary[QWidget, int] = weakref.WeakKeyDictionary()

    def fit(self, width: int, port: QRect) -> None:
        """Centre the column in a view `width` wide, not in its viewport `port`, so that it
        lines up with the message box below whether the scroll bar shows or not (and on
        whichever side it is)."""
        side = column_side(width, self.measure)
        left = max(0, side - port.x())
        right = max(0, side - (width - port.x() - port.width()))
        margins = self.contentsMargins()
        if (left, right) != (margins.left(), margins.right()):
            self.setContentsMargins(left, margins.top(), right, margins.bottom())

    def settle(self, content: QWidget) -> None:
        """Lay `content` out now: a message's new width gives its text a new height, which
        lays its parents out again on the next pass."""
        height = -1
        for _ in range(_LAYOUT_PASSES):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            self.activate()
            if content.height() == height:
                break
            height = content.height()

    def widen(self, widget: QWidget, answers: int) -> None:
        """Lay `widget` out wide enough for `answers` side by side."""
        self._wide[widget] = answers
        self.invalidate()

    def has_wide(self) -> bool:
        """Some message shown is laid out wider than the column (a comparison)."""
        mine = self.parentWidget()
        return any(w.parentWidget() is mine and not w.isHidden() for w in list(self._wide))

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        for widget, answers in list(self._wide.items()):
            if widget.parentWidget() is self.parentWidget() and not widget.isHidden():
                widget.setGeometry(wide_geometry(widget.geometry(), rect, answers, self.measure))


def wide_geometry(placed: QRect, room: QRect, answers: int, measure: int) -> QRect:
    """Where a message of `answers` side by side goes: `placed` (the column's place) grown to
    `answers` measures, centred on the column, within `room` (the whole width of the view)."""
    wanted = answers * (measure + _ANSWER_EXTRA) + _MESSAGE_EXTRA
    width = max(placed.width(), min(wanted, room.width()))
    left = placed.center().x() - width // 2
    left = max(room.left(), min(left, room.right() + 1 - width))
    return QRect(left, placed.top(), width, placed.height())
