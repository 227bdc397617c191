"""The composer's card: one rounded field that holds the attachments' chips, the text field and
the row of controls, top to bottom (`column`). While files are dragged over the composer its
drop zone covers the box (`drop_zone.py`, made on the first drag).

It paints itself from the look's colours — `surface`, a 1 px `border_strong` edge, and a 2 px
`focus` ring while anything inside it has the keyboard focus — rather than through the
window's style sheet: a sheet follows such a state only when the widget is polished again, and
polishing asks for PySide6's QStyle class, ~5 ms to make before the window's first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from chatdesk.ui.composer.rounded import paint_rounded
from chatdesk.ui.theme.scale import SPACE

if TYPE_CHECKING:  # made on the first drag
    from PySide6.QtGui import QResizeEvent

    from chatdesk.ui.composer.drop_zone import DropZone


class ComposerBox(QWidget):
    """The rounded field; the composer fills its `column`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composerBox")
        self.column = QVBoxLayout(self)
        # Room for the 2 px ring inside the edge, for the rounded corners beside the text, and
        # around the row's round buttons as much as beside them.
        self.column.setContentsMargins(SPACE["s"], SPACE["m"], SPACE["s"], SPACE["s"])
        self.column.setSpacing(SPACE["s"])
        self.focus_within = False
        self._drop: DropZone | None = None
        self._after_paint: Callable[[], None] | None = None
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_moved)

    def after_first_paint(self, then: Callable[[], None]) -> None:
        """Call `then` on the turn of the loop after the box first paints."""
        self._after_paint = then

    def show_drop_zone(self, shown: bool) -> None:
        """Cover the box with its drop zone (files are dragged over the composer), or not."""
        if shown and self._drop is None:
            from chatdesk.ui.composer.drop_zone import DropZone

            self._drop = DropZone(self)
            self._drop.setGeometry(self.rect())
        if self._drop is not None and self._drop.isVisible() != shown:
            self._drop.raise_()  # over the chips made since
            self._drop.setVisible(shown)

    def _focus_moved(self, _old: QWidget | None, now: QWidget | None) -> None:
        within = now is not None and self.isAncestorOf(now)
        if within != self.focus_within:
            self.focus_within = within
            self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._drop is not None:
            self._drop.setGeometry(self.rect())

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._after_paint is not None:
            QTimer.singleShot(0, self, self._after_paint)
            self._after_paint = None
        within = self.focus_within
        paint_rounded(self, "focus" if within else "border_strong", 2 if within else 1)
