"""The composer's rounded card, painted by the box around the editor and by the drop zone that
covers it while files are dragged over, and the ground the card sits on."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.theme.scale import RADIUS


def paint_rounded(
    widget: QWidget, edge_role: str, edge: int, style: Qt.PenStyle = Qt.PenStyle.SolidLine
) -> None:
    """Fill `widget` with the look's `surface` in the composer's rounded shape, edged `edge`
    px wide in the colour of `edge_role` (in its paintEvent)."""
    named = colours(current_look())
    pen = QPen(QColor(named[edge_role]))
    pen.setWidth(edge)
    pen.setStyle(style)
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(pen)
    painter.setBrush(QColor(named["surface"]))
    half = edge / 2  # a pen draws half inside the line, half outside
    inside = QRectF(widget.rect()).adjusted(half, half, -half, -half)
    painter.drawRoundedRect(inside, RADIUS["xl"] - half, RADIUS["xl"] - half)
    painter.end()


def paint_ground(widget: QWidget) -> None:
    """Fill `widget` with the look's `surface`, the conversation's ground (in its paintEvent)."""
    painter = QPainter(widget)
    # A rectangle drawn without a pen, not `fillRect`: PySide6 makes QGradient's classes (its 180
    # presets, ~4 ms) the first time it resolves fillRect's overloads, before the first paint.
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colours(current_look())["surface"]))
    painter.drawRect(widget.rect())
    painter.end()
