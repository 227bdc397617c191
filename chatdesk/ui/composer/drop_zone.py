"""What the composer's box shows while files are dragged over it: "Drop files to attach" beside
the "drop" icon, in the box's shape with a dashed accent edge. Made on the first drag (its icon
is drawn then, never before the window's first paint)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QWidget

from chatdesk.core.i18n import mark, tr
from chatdesk.ui.composer.rounded import paint_rounded
from chatdesk.ui.theme import ThemeWatcher, current_look
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.theme.icons import picture
from chatdesk.ui.theme.scale import ICON, SPACE

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

DROP_TEXT = mark("Drop files to attach")
EDGE = 2  # px, the dashed edge


class DropZone(QWidget):
    """Over the whole box, opaque. Transparent for the mouse: a drag's events still reach the
    composer and its text field beneath, which decide what a drop does."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("composerDropZone")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAccessibleName(tr(DROP_TEXT))
        self.icon = QLabel(self)
        self.icon.setObjectName("dropZoneIcon")
        self.text = QLabel(tr(DROP_TEXT), self)
        self.text.setObjectName("dropZoneText")
        row = QHBoxLayout(self)
        row.setSpacing(SPACE["s"])
        row.addStretch(1)
        row.addWidget(self.icon)
        row.addWidget(self.text)
        row.addStretch(1)
        self._tint()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        ThemeWatcher.of(app).changed.connect(self._tint)
        self.hide()

    def _tint(self, _dark: bool = False) -> None:
        """The icon in the accent of the look shown now (it changed)."""
        accent = colours(current_look())["accent"]
        self.icon.setPixmap(picture("drop", accent, ICON["m"], self.devicePixelRatioF()))

    def paintEvent(self, event: QPaintEvent) -> None:
        paint_rounded(self, "accent", EDGE, Qt.PenStyle.DashLine)
