"""Small outline icons drawn in a palette colour, so they suit the light and the dark theme."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap


def line_icon(kind: str, colour: QColor) -> QIcon:
    """A small outline icon in the palette's text colour ("compose", "folder-plus",
    "archive", "search"), so it suits the light and the dark theme alike."""
    pixmap = QPixmap(32, 32)
    pixmap.setDevicePixelRatio(2.0)  # drawn at 16×16 logical pixels, sharp on HiDPI too
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(colour, 1.4)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    _ICON_STROKES[kind](painter)
    painter.end()
    return QIcon(pixmap)


def _compose(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(2.5, 3.5, 10, 10), 2, 2)
    p.drawLine(QPointF(7.5, 6), QPointF(7.5, 11))
    p.drawLine(QPointF(5, 8.5), QPointF(10, 8.5))


def _folder_plus(p: QPainter) -> None:
    p.drawPolyline([QPointF(9, 12.5), QPointF(2, 12.5), QPointF(2, 3.5), QPointF(6, 3.5)])
    p.drawPolyline([QPointF(6, 3.5), QPointF(7.5, 5.5), QPointF(14, 5.5), QPointF(14, 8)])
    p.drawLine(QPointF(12.5, 10), QPointF(12.5, 15))
    p.drawLine(QPointF(10, 12.5), QPointF(15, 12.5))


def _archive(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(1.5, 3, 13, 3.5), 1, 1)
    p.drawPolyline([QPointF(2.5, 6.5), QPointF(2.5, 13.5), QPointF(13.5, 13.5)])
    p.drawLine(QPointF(13.5, 13.5), QPointF(13.5, 6.5))
    p.drawLine(QPointF(6, 9), QPointF(10, 9))


def _search(p: QPainter) -> None:
    p.drawEllipse(QPointF(7, 7), 4.5, 4.5)
    p.drawLine(QPointF(10.5, 10.5), QPointF(14, 14))


def _close(p: QPainter) -> None:
    p.drawLine(QPointF(4.5, 4.5), QPointF(11.5, 11.5))
    p.drawLine(QPointF(11.5, 4.5), QPointF(4.5, 11.5))


_ICON_STROKES = {
    "close": _close,
    "compose": _compose,
    "folder-plus": _folder_plus,
    "archive": _archive,
    "search": _search,
}
