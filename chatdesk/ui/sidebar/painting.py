"""The pieces a sidebar row is drawn from: headings, chevrons, icons, badges, a title in its own
direction. Each is placed on the row's leading or trailing side in logical terms ("from the
start of the line") and mirrored for a window laid out from the right (`visual`)."""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QStaticText,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.icons import icon
from chatdesk.ui.theme.scale import SPACE, TYPE

_DIRECTION = Qt.LayoutDirection
BADGE_MAX = 84  # a team badge's widest, in pixels (the tooltip has the whole name)
BADGE_PAD = SPACE["xs"] + SPACE["xxs"]  # between a badge's words and its outline
CAPTION_AIR = SPACE["m"]  # above a heading: it separates one section from the next
KEPT_TEXTS = 2000  # words laid out and kept: more than the rows of a few pages, at two widths


def visual(direction: Qt.LayoutDirection, row: QRect, logical: QRect) -> QRect:
    """`logical` (measured as if the row ran left to right) where it is drawn in `row`."""
    return QStyle.visualRect(direction, row, logical)


def text_direction(text: str, otherwise: Qt.LayoutDirection) -> Qt.LayoutDirection:
    """The direction of `text`'s first letter that has one (Unicode's rule), else `otherwise`."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return _DIRECTION.LeftToRight
        if kind in ("R", "AL"):
            return _DIRECTION.RightToLeft
    return otherwise


class Texts:
    """Words laid out once and kept for the next paints (a row's title, shortened to its
    width, and its age), drawn as QStaticText: the list paints its rows again as the mouse
    moves over them and as the minutes turn, and laying words out is most of a row's cost."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str, int, Qt.LayoutDirection], QStaticText] = {}
        self._fonts: list[tuple[QFont, str]] = []  # the fonts seen (two or three), their keys

    def draw_title(
        self, painter: QPainter, font: QFont, area: QRect, text: str, window: Qt.LayoutDirection
    ) -> None:
        """A title on the row's leading side, written in its own direction: an English title
        in a right-to-left window keeps its "?" at its end, and is shortened at its end."""
        laid = self._laid_out(text, font, area.width(), window)
        width = laid.size().width()
        x = area.right() + 1 - width if window is _DIRECTION.RightToLeft else area.left()
        self._draw(painter, font, laid, QPointF(x, area.top()), area.height())

    def draw_centred(
        self, painter: QPainter, font: QFont, area: QRect, text: str, window: Qt.LayoutDirection
    ) -> None:
        """Short words (an age) in the middle of `area`."""
        laid = self._laid_out(text, font, -1, window)
        x = area.left() + (area.width() - laid.size().width()) / 2
        self._draw(painter, font, laid, QPointF(x, area.top()), area.height())

    def width(self, text: str, font: QFont, window: Qt.LayoutDirection) -> int:
        return round(self._laid_out(text, font, -1, window).size().width())

    def _draw(
        self, painter: QPainter, font: QFont, laid: QStaticText, at: QPointF, height: int
    ) -> None:
        painter.setFont(font)
        top = at.y() + (height - laid.size().height()) / 2
        painter.drawStaticText(QPointF(at.x(), top), laid)

    def _key_of(self, font: QFont) -> str:
        """`font.key()`, found by comparing (cheap) rather than made (not)."""
        for seen, key in self._fonts:
            if seen == font:
                return key
        if len(self._fonts) >= 8:  # the text size changed: the fonts seen before are gone
            self._fonts.clear()
        self._fonts.append((QFont(font), font.key()))
        return self._fonts[-1][1]

    def _laid_out(
        self, text: str, font: QFont, width: int, window: Qt.LayoutDirection
    ) -> QStaticText:
        """`text` laid out in `font`, shortened to `width` pixels (-1: whole)."""
        key = (text, self._key_of(font), width, window)
        laid = self._kept.get(key)
        if laid is None:
            if len(self._kept) >= KEPT_TEXTS:
                self._kept.clear()
            shown = text
            if width >= 0:
                shown = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, width)
            laid = QStaticText(shown)
            laid.setTextFormat(Qt.TextFormat.PlainText)  # a title is never markup
            option = QTextOption()
            option.setWrapMode(QTextOption.WrapMode.NoWrap)
            option.setTextDirection(text_direction(text, window))
            laid.setTextOption(option)
            self._kept[key] = laid
        return laid


def small_font(option: QStyleOptionViewItem) -> QFont:
    """The font of headings, ages and badges: the caption size of the type scale."""
    font = QFont(option.font)
    font.setPointSizeF(max(6.0, font.pointSizeF() * TYPE["caption"]))
    return font


def caption_height(option: QStyleOptionViewItem) -> int:
    return QFontMetrics(small_font(option)).height() + CAPTION_AIR + SPACE["xs"]


def caption_line(option: QStyleOptionViewItem) -> QRect:
    """Where a heading's words sit in its row: at its foot, the air above it."""
    return option.rect.adjusted(0, CAPTION_AIR, 0, -SPACE["xs"])


def paint_caption(
    painter: QPainter, option: QStyleOptionViewItem, text: str, inset: int, colour: QColor
) -> None:
    """A section's heading ("Today", "Projects"): small, quiet words at the leading side."""
    font = small_font(option)
    font.setWeight(QFont.Weight.Medium)
    painter.setFont(font)
    painter.setPen(colour)
    area = caption_line(option).adjusted(inset, 0, -inset, 0)
    elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, area.width())
    painter.drawText(area, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)


def chevron(
    painter: QPainter, centre: QPointF, is_open: bool, colour: QColor, direction: Qt.LayoutDirection
) -> None:
    """Down when open; when closed, along the line (to the right, or to the left from the
    right)."""
    path = QPainterPath()
    x, y = centre.x(), centre.y()
    if is_open:
        path.moveTo(x - 4, y - 2)
        path.lineTo(x, y + 2)
        path.lineTo(x + 4, y - 2)
    else:
        ahead = -1 if direction is _DIRECTION.RightToLeft else 1
        path.moveTo(x - 2 * ahead, y - 4)
        path.lineTo(x + 2 * ahead, y)
        path.lineTo(x - 2 * ahead, y + 4)
    painter.setPen(colour)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)


def paint_icon(painter: QPainter, name: str, place: QRect, tone: str = "quiet") -> None:
    """The window's icon `name` (resources/ui-icons/) filling `place`, tinted for the look."""
    icon(name, current_look(), tone, place.width()).paint(painter, place)


def badge_width(option: QStyleOptionViewItem, text: str) -> int:
    metrics = QFontMetrics(small_font(option))
    return metrics.horizontalAdvance(_badge_text(metrics, text)) + 2 * BADGE_PAD


def paint_badge(
    painter: QPainter, option: QStyleOptionViewItem, text: str, place: QRect, colour: QColor
) -> None:
    """A shared thread's team (or "API" on a chat made through the local API) as a small
    outlined pill across `place` (as wide as `badge_width`), centred on its height."""
    font = small_font(option)
    metrics = QFontMetrics(font)
    height = metrics.height() + SPACE["xxs"]
    pill = QRect(place.left(), place.center().y() - height // 2, place.width(), height)
    outline = QColor(colour)
    outline.setAlphaF(0.55)
    painter.save()
    painter.setPen(outline)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(pill.adjusted(0, 0, -1, -1), height / 2, height / 2)
    painter.setFont(font)
    painter.setPen(colour)
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, _badge_text(metrics, text))
    painter.restore()


def _badge_text(metrics: QFontMetrics, text: str) -> str:
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, BADGE_MAX - 2 * BADGE_PAD)
