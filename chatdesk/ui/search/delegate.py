"""Draws a palette row: a chat's title with its project and time, or a message's snippet under
the name of its chat. Matched words are made bold on a tint by text layout formats, so nothing
a message holds is ever read as markup."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from chatdesk.core.search import Snippet
from chatdesk.ui.search.results import ROW_ROLE, SECTION_ROLE, Kind, Row

Index = QModelIndex | QPersistentModelIndex
PAD_X = 12
PAD_Y = 6
SNIPPET_LINES = 2
TINT = 0.32  # how much of the highlight colour a matched word's background takes
_ROLE = QPalette.ColorRole


class ResultDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        """One line for a chat; for a message, its heading and as many snippet lines as the
        list's width needs (up to SNIPPET_LINES; the list lays its rows out again when its
        width changes)."""
        line = QFontMetrics(option.font).height()
        row = index.data(ROW_ROLE)
        lines = 1
        if isinstance(row, Row) and row.kind is Kind.MESSAGE:
            view = option.widget
            shown = view.viewport() if isinstance(view, QAbstractScrollArea) else view
            width = (shown.width() if shown is not None else option.rect.width()) - 2 * PAD_X
            marks = _marks(option.palette, selected=False)
            wrapped = _lines(row.text, option.font, marks, width, SNIPPET_LINES)
            lines += max(len(wrapped), 1)
        caption = _caption_height(option.font) if index.data(SECTION_ROLE) else 0
        return QSize(0, caption + lines * line + 2 * PAD_Y + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        row = index.data(ROW_ROLE)
        if not isinstance(row, Row):
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        painter.save()
        caption = index.data(SECTION_ROLE)
        if caption:
            top = _caption_height(opt.font)
            _draw_caption(
                painter, opt, str(caption), QRect(opt.rect.x(), opt.rect.y(), opt.rect.width(), top)
            )
            opt.rect = opt.rect.adjusted(0, top, 0, 0)
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:  # the row's background: selection, hover, focus
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        _draw_row(painter, opt, row)
        painter.restore()


def _caption_height(font: QFont) -> int:
    return QFontMetrics(_small(font)).height() + 10


def _small(font: QFont) -> QFont:
    small = QFont(font)
    small.setPointSizeF(max(font.pointSizeF() * 0.88, 7.0))
    return small


def _draw_caption(painter: QPainter, opt: QStyleOptionViewItem, text: str, area: QRect) -> None:
    font = _small(opt.font)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(opt.palette.color(_ROLE.PlaceholderText))
    inner = area.adjusted(PAD_X, 4, -PAD_X, 0)
    painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
    painter.setPen(opt.palette.color(_ROLE.Mid))
    painter.drawLine(
        inner.left() + QFontMetrics(font).horizontalAdvance(text) + 8,
        inner.center().y(),
        inner.right(),
        inner.center().y(),
    )


def _draw_row(painter: QPainter, opt: QStyleOptionViewItem, row: Row) -> None:
    selected = bool(opt.state & QStyle.StateFlag.State_Selected)
    palette = opt.palette
    text = palette.color(_ROLE.HighlightedText if selected else _ROLE.Text)
    muted = text if selected else palette.color(_ROLE.PlaceholderText)
    marks = _marks(palette, selected)
    area = opt.rect.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)
    line = QFontMetrics(opt.font).height()
    small = _small(opt.font)
    if row.kind is Kind.THREAD:
        detail = QFontMetrics(small).elidedText(
            row.detail, Qt.TextElideMode.ElideLeft, area.width() // 3
        )
        painter.setFont(small)
        painter.setPen(muted)
        painter.drawText(area, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, detail)
        room = area.width() - QFontMetrics(small).horizontalAdvance(detail) - 16
        title = QRect(area.x(), area.y() + (area.height() - line) // 2, room, line)
        _draw_marked(painter, row.text, opt.font, text, marks, title, 1)
        return
    painter.setFont(small)
    painter.setPen(muted)
    heading = QRect(area.x(), area.y(), area.width(), line)
    shown = QFontMetrics(small).elidedText(row.detail, Qt.TextElideMode.ElideMiddle, area.width())
    painter.drawText(heading, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
    body = QRect(area.x(), area.y() + line, area.width(), area.height() - line)
    _draw_marked(painter, row.text, opt.font, text, marks, body, SNIPPET_LINES)


def _marks(palette: QPalette, selected: bool) -> QTextCharFormat:
    """Matched words: bold; on a tint of the highlight colour, or underlined in a selected row
    (which is drawn in the highlight colour already)."""
    form = QTextCharFormat()
    form.setFontWeight(QFont.Weight.Bold)
    if selected:
        form.setFontUnderline(True)
        return form
    base, accent = palette.color(_ROLE.Base), palette.color(_ROLE.Highlight)
    form.setBackground(_mix(base, accent, TINT))
    return form


def _mix(a: QColor, b: QColor, amount: float) -> QColor:
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


def _draw_marked(
    painter: QPainter,
    snippet: Snippet,
    font: QFont,
    colour: QColor,
    marks: QTextCharFormat,
    area: QRect,
    max_lines: int,
) -> None:
    """The snippet in at most `max_lines` lines of `area`, its highlights in `marks`."""
    painter.setPen(colour)
    y = float(area.top())
    for part in _lines(snippet, font, marks, area.width(), max_lines):
        layout = QTextLayout(part.text, font)
        layout.setFormats(_ranges(part, marks))
        layout.beginLayout()
        line = layout.createLine()
        line.setPosition(QPointF(0, 0))
        layout.endLayout()
        layout.draw(painter, QPointF(area.left(), y))
        y += line.height()


def _lines(
    snippet: Snippet, font: QFont, marks: QTextCharFormat, width: int, max_lines: int
) -> list[Snippet]:
    """The snippet broken into lines of `width` as drawn (matched words bold); the last line
    holds the rest, cut to the width with "…"."""
    layout = QTextLayout(snippet.text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.setFormats(_ranges(snippet, marks))
    starts: list[int] = []
    layout.beginLayout()
    while len(starts) < max_lines:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        starts.append(_characters(snippet.text, line.textStart()))
    layout.endLayout()
    bounds = [*starts, len(snippet.text)]
    parts = [_part(snippet, start, end) for start, end in itertools.pairwise(bounds)]
    if parts and _width(parts[-1], font, marks) > width:
        bold = QFont(font)
        bold.setBold(True)  # measured bold, the wider case: matched words are
        last = parts[-1]
        shown = QFontMetrics(bold).elidedText(last.text, Qt.TextElideMode.ElideRight, width)
        parts[-1] = _cut(last, shown)
    return parts


def _width(snippet: Snippet, font: QFont, marks: QTextCharFormat) -> float:
    """How wide the snippet is drawn on one line, its matched words in `marks`."""
    layout = QTextLayout(snippet.text, font)
    layout.setFormats(_ranges(snippet, marks))
    layout.beginLayout()
    line = layout.createLine()
    layout.endLayout()
    return line.naturalTextWidth() if line.isValid() else 0.0


def _part(snippet: Snippet, start: int, end: int) -> Snippet:
    highlights = tuple(
        (max(s, start) - start, min(e, end) - start)
        for s, e in snippet.highlights
        if s < end and e > start
    )
    return Snippet(snippet.text[start:end], highlights)


def _cut(snippet: Snippet, shown: str) -> Snippet:
    """`shown` is the snippet, or a beginning of it and "…": the highlights inside it."""
    if shown == snippet.text:
        return snippet
    keep = len(shown) - 1 if shown.endswith("…") else len(shown)
    return Snippet(shown, _part(snippet, 0, keep).highlights)


def _ranges(snippet: Snippet, marks: QTextCharFormat) -> list[QTextLayout.FormatRange]:
    """Highlights as Qt format ranges, whose positions count UTF-16 units, not characters."""
    ranges = []
    for start, end in snippet.highlights:
        item = QTextLayout.FormatRange()
        item.start = _units(snippet.text[:start])
        item.length = _units(snippet.text[start:end])
        item.format = marks
        ranges.append(item)
    return ranges


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _characters(text: str, units: int) -> int:
    """How many characters of `text` its first `units` UTF-16 units hold."""
    return len(text.encode("utf-16-le")[: units * 2].decode("utf-16-le", "ignore"))
