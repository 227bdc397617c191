"""An assistant's badge: a disc in its colour with its emoji on it, or, where no font on the
system draws emoji (many Linux desktops), the first letter of its name, so a badge never shows
as an empty box."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication

from chatdesk.ui.theme.colours import MARK_DEFAULT, letter_on

if TYPE_CHECKING:
    from chatdesk.core.assistants.model import AssistantView

DEFAULT_COLOUR = MARK_DEFAULT


@functools.cache
def emoji_drawn() -> bool:
    """Whether a font that draws emoji is installed (looked up once)."""
    return any("emoji" in family.lower() for family in QFontDatabase.families())


def badge_text(name: str, icon: str | None) -> str:
    """What the disc shows: the emoji when it can be drawn, else the name's first letter."""
    if icon and (emoji_drawn() or all(ord(c) < 0x2000 for c in icon)):
        return icon
    return (name.strip()[:1] or "?").upper()


def disc_pixmap(
    colour: str, size: int, draw: Callable[[QPainter, QRectF], None], ratio: float = 0.0
) -> QPixmap:
    """A disc `size` pixels across in `colour`, with `draw(painter, area)` on it, for a screen
    of pixel ratio `ratio` (0: the app's)."""
    if not ratio:
        app = QApplication.instance()
        ratio = app.devicePixelRatio() if isinstance(app, QApplication) else 1.0
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        area = QRectF(0, 0, size, size)
        painter.drawEllipse(area)
        draw(painter, area)
    finally:
        painter.end()
    return pixmap


def badge_pixmap(name: str, icon: str | None, colour: str | None, size: int) -> QPixmap:
    def letter(painter: QPainter, area: QRectF) -> None:
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(6, round(size * 0.55)))
        painter.setFont(font)
        painter.setPen(QColor(letter_on(QColor(colour or DEFAULT_COLOUR).name())))
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter, badge_text(name, icon))

    return disc_pixmap(colour or DEFAULT_COLOUR, size, letter)


def badge_icon(name: str, icon: str | None, colour: str | None, size: int = 16) -> QIcon:
    return QIcon(badge_pixmap(name, icon, colour, size))


def assistant_badge(assistant: AssistantView, size: int = 16) -> QIcon:
    return badge_icon(assistant.name, assistant.fields.icon, assistant.fields.colour, size)
