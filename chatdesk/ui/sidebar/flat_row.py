"""A button drawn as one of the sidebar's rows: an icon and words on the row's leading side,
a rounded ground under the mouse, when held down or switched on, and a ring when focused.

New chat, Search and Archived are these, lined up with the thread rows below them (the same
height, inset and ground), so the sidebar reads as one list of flat rows. In the window's
first frame (the placeholder's, disabled) as in the live sidebar.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QIcon,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QAbstractButton, QWidget

from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.theme.scale import ICON, RADIUS, SPACE

INSET = SPACE["xs"]  # the ground's room at each side: the thread rows' (delegate.MARGIN)
PADDING = SPACE["s"]  # between the ground's edge and the icon
GAP = SPACE["s"]  # between the icon and the words
AIR = SPACE["m"] + SPACE["xxs"]  # the row's height over its line: the thread rows' (ROW_AIR)
_ROLE = QPalette.ColorRole
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class FlatRow(QAbstractButton):
    """`text` beside its icon; with no text, the icon alone in the middle (give it a tooltip)."""

    def __init__(
        self, text: str = "", parent: QWidget | None = None, *, inset: int = INSET
    ) -> None:
        super().__init__(parent)
        self._inset = inset
        self.setText(text)
        self.setIconSize(QSize(ICON["s"], ICON["s"]))
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)  # a repaint as the mouse comes and goes

    def sizeHint(self) -> QSize:
        metrics = QFontMetrics(self.font())
        room = 2 * (self._inset + PADDING) + self.iconSize().width()
        words = GAP + metrics.horizontalAdvance(self.text()) if self.text() else 0
        return QSize(room + words, metrics.height() + AIR)

    def minimumSizeHint(self) -> QSize:
        room = 2 * (self._inset + PADDING) + self.iconSize().width()
        return QSize(room, self.sizeHint().height())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER and not event.isAutoRepeat():
            self.click()  # as Space does: a row is chosen with either
        else:
            super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()  # a new size of text (Preferences, the zoom): a new height

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ground = self.rect().adjusted(self._inset, 0, -self._inset, 0)
        fill = self._fill()
        if fill is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(ground, RADIUS["m"], RADIUS["m"])
        if self.hasFocus():
            painter.setPen(QPen(self.palette().color(_ROLE.Highlight), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(ground.adjusted(1, 1, -1, -1), RADIUS["m"], RADIUS["m"])
        self._paint_content(painter, ground)

    def _fill(self) -> QColor | None:
        if not self.isEnabled():
            return None
        if self.isDown() or self.isChecked():
            return QColor(colours(current_look())["pressed"])
        if self.underMouse():
            return self.palette().color(_ROLE.Midlight)  # the look's hover colour
        return None

    def _paint_content(self, painter: QPainter, ground: QRect) -> None:
        direction = self.layoutDirection()
        side = self.iconSize().width()
        left = ground.left() + PADDING if self.text() else ground.center().x() - side // 2 + 1
        mark = QRect(left, ground.center().y() - side // 2 + 1, side, side)
        mode = QIcon.Mode.Normal
        if not self.isEnabled():
            mode = QIcon.Mode.Disabled
        elif self.underMouse() or self.hasFocus():
            mode = QIcon.Mode.Active
        self.icon().paint(painter, _visual(direction, ground, mark), mode=mode)
        if not self.text():
            return
        start = mark.right() + 1 + GAP
        words = QRect(start, ground.top(), ground.right() - PADDING - start, ground.height())
        colour = self.palette().color(
            QPalette.ColorGroup.Normal if self.isEnabled() else QPalette.ColorGroup.Disabled,
            _ROLE.ButtonText,
        )
        painter.setPen(colour)
        text = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, words.width()
        )
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter  # leading: mirrored
        painter.drawText(_visual(direction, ground, words), align, text)


def _visual(direction: Qt.LayoutDirection, outer: QRect, logical: QRect) -> QRect:
    """`logical` (as if the row ran left to right) where it is drawn in `outer`: QStyle's
    visualRect, without making PySide's QStyle class in the window's first frame (~15 ms)."""
    if direction is not Qt.LayoutDirection.RightToLeft:
        return logical
    left = outer.left() + outer.right() - logical.right()
    return QRect(left, logical.top(), logical.width(), logical.height())
