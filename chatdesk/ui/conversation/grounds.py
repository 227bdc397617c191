"""The grounds a message view draws behind its text, where Qt's rich text cannot: a code
block's card, rounded, its head a shade apart and an edge around it; a chip behind code within
a line, rounded and a little wider than its letters; and a table's header row, under the chips
it may hold.

Qt's rich text draws a table cell's ground and a run of text's ground as plain rectangles, the
latter no wider than the letters and as tall as the line, and a cell's ground over anything
drawn before it. The render leaves these without a ground of its own when the view draws them
(`ReadingType.grounds_drawn`): a code block is a table of two rows (its head, with the Copy
link, and its code), a chip's run of text and a table's header cells have the ground
`transparent`. Found in the document (`cards`, `heads`, `chips`), they are drawn in the look's
colours before Qt draws the text over them, so selections and the caret stay Qt's.

A message's HTML says whether it holds either (`note`): a message without code costs its paint
nothing more. The cards are found again after the document changed, walking its frames (a
table is one; a message has a few). Chips are looked for only in the blocks the paint exposes.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QBrush,
    QColor,
    QFontInfo,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QTextBlock,
    QTextCharFormat,
    QTextDocument,
    QTextFormat,
    QTextFrame,
    QTextLine,
    QTextTable,
)

from chatdesk.core.trust.links import COPY_CODE_PREFIX
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import colours
from chatdesk.ui.theme.scale import RADIUS, READING

_CHIP_MARK = "background-color: transparent"  # how the render marks a chip (writer.py)
_EDGE = 1.0  # px: a card's edge
_MONOSPACE = "monospace"  # the family Qt gives `<code>`


class Grounds:
    """What one document (a message view's) holds of code drawn on a ground of its own."""

    def __init__(self, document: QTextDocument) -> None:
        self._document = document
        self._has_cards = False
        self._has_chips = False
        self._cards: list[QTextTable] | None = None  # found again after a change
        self._heads: list[QTextTable] = []  # the tables with a header row, found with them
        document.contentsChanged.connect(self._changed)

    def note(self, html: str) -> None:
        """`html` was put into the document: does it hold code blocks or chips."""
        self._has_cards = self._has_cards or "<table" in html
        self._has_chips = self._has_chips or _CHIP_MARK in html

    def forget(self) -> None:
        """The document was emptied (plain text shown)."""
        self._has_cards = self._has_chips = False
        self._cards = None

    def _changed(self) -> None:
        self._cards = None

    def paint(self, painter: QPainter, exposed: QRectF) -> None:
        """Draw the grounds within `exposed` (in the document's coordinates; the painter's
        too)."""
        if not (self._has_cards or self._has_chips):
            return
        named = colours(current_look())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._has_cards:
            for table in self.cards():
                _card(painter, self._layout(), table, exposed, named)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(named["table_head"]))
            for table in self._heads:
                painter.drawRect(_head_of(self._layout(), table).intersected(exposed))
        if self._has_chips:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(named["code_inline"]))
            radius = RADIUS["s"]
            for chip in self.chips(exposed):
                painter.drawRoundedRect(chip, radius, radius)
            painter.setBrush(Qt.BrushStyle.NoBrush)

    def _layout(self) -> QAbstractTextDocumentLayout:
        return self._document.documentLayout()

    # -- finding them ----------------------------------------------------------------------------

    def cards(self) -> list[QTextTable]:
        """The document's code blocks: tables whose head holds a Copy link (and, aside, its
        tables whose header row's ground is drawn here)."""
        if self._cards is None:
            tables = list(_tables(self._document.rootFrame()))
            self._cards = [table for table in tables if _is_card(table)]
            self._heads = [table for table in tables if _is_marked(_cell_ground(table))]
        return self._cards

    def chips(self, exposed: QRectF) -> Iterator[QRectF]:
        """The grounds of the chips of code in the blocks within `exposed`."""
        layout = self._layout()
        past = READING["chip_across"] * QFontInfo(self._document.defaultFont()).pixelSize()
        start = layout.hitTest(exposed.topLeft(), Qt.HitTestAccuracy.FuzzyHit)
        block = self._document.findBlock(max(start, 0))
        while block.isValid():
            bounds = layout.blockBoundingRect(block)
            if bounds.top() > exposed.bottom():
                return
            if bounds.bottom() >= exposed.top():
                yield from _chips_of(block, bounds, past)
            block = block.next()


def _tables(frame: QTextFrame) -> Iterator[QTextTable]:
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            yield child
        yield from _tables(child)


def _cell_ground(table: QTextTable) -> QBrush:
    return table.cellAt(0, 0).format().background()


def _is_card(table: QTextTable) -> bool:
    if table.columns() != 1 or table.rows() != 2:
        return False
    head = table.cellAt(0, 0).firstCursorPosition().block()
    fragments = head.begin()
    while not fragments.atEnd():
        if fragments.fragment().charFormat().anchorHref().startswith(COPY_CODE_PREFIX):
            return True
        fragments += 1
    return False


def _chips_of(block: QTextBlock, bounds: QRectF, past: float) -> Iterator[QRectF]:
    """The grounds of the chips in `block`, laid out at `bounds`: one per line a chip is on,
    `past` pixels wider than its letters at each side."""
    lines = block.layout()
    origin = bounds.topLeft()
    fragments = block.begin()
    while not fragments.atEnd():
        fragment = fragments.fragment()
        fragments += 1
        look = fragment.charFormat()
        if not _is_chip(look):
            continue
        start = fragment.position() - block.position()
        end = start + fragment.length()
        metrics = QFontMetricsF(look.font())
        for index in range(lines.lineCount()):
            line = lines.lineAt(index)
            first, last = line.textStart(), line.textStart() + line.textLength()
            if end <= first or start >= last:
                continue
            left, right = _x(line, max(start, first)), _x(line, min(end, last))
            baseline = origin.y() + line.y() + line.ascent()
            yield QRectF(
                origin.x() + min(left, right) - past,
                baseline - metrics.ascent() - 1,
                abs(right - left) + 2 * past,
                metrics.ascent() + metrics.descent() + 2,
            )


def _x(line: QTextLine, position: int) -> float:
    """Where the caret at `position` stands on `line` (PySide gives it with the position)."""
    found = line.cursorToX(position)
    return float(found[0] if isinstance(found, tuple) else found)  # type: ignore[arg-type]


def _is_chip(look: QTextCharFormat) -> bool:
    """Code (`<code>`, in Qt's monospace) on a ground the render marked: the words of a table's
    header cell are on their cell's marked ground too, in the text's font."""
    if not look.hasProperty(QTextFormat.Property.BackgroundBrush):
        return False
    return _is_marked(look.background()) and _MONOSPACE in (look.fontFamilies() or ())


def _is_marked(ground: QBrush) -> bool:
    """A ground the render made `transparent`: one drawn here."""
    return ground.style() != Qt.BrushStyle.NoBrush and ground.color().alpha() == 0


def _head_of(layout: QAbstractTextDocumentLayout, table: QTextTable) -> QRectF:
    """Where `table`'s header row is drawn (all of it, for a table of one row)."""
    whole = _table_box(layout, table)
    if table.rows() < 2:
        return whole
    below = table.cellAt(1, 0)
    padding = below.format().toTableCellFormat().topPadding()
    top = layout.blockBoundingRect(below.firstCursorPosition().block()).top() - padding
    return QRectF(whole.left(), whole.top(), whole.width(), top - whole.top())


def _card(
    painter: QPainter,
    layout: QAbstractTextDocumentLayout,
    table: QTextTable,
    exposed: QRectF,
    named: dict[str, str],
) -> None:
    """A code block's card: the code's ground, rounded, under a head of its own shade, and an
    edge around both."""
    whole = _table_box(layout, table)
    if not whole.intersects(exposed):
        return
    code = table.cellAt(1, 0)
    padding = code.format().toTableCellFormat().topPadding()
    head_end = layout.blockBoundingRect(code.firstCursorPosition().block()).top() - padding
    card = whole.adjusted(_EDGE / 2, _EDGE / 2, -_EDGE / 2, -_EDGE / 2)
    radius = RADIUS["m"]
    outline = QPainterPath()
    outline.addRoundedRect(card, radius, radius)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(named["code"]))
    painter.drawPath(outline)
    head = QPainterPath()
    head.addRect(QRectF(card.left(), card.top(), card.width(), head_end - card.top()))
    painter.setBrush(QColor(named["code_head"]))
    painter.drawPath(outline.intersected(head))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QColor(named["border"]))
    painter.drawPath(outline)


def _table_box(layout: QAbstractTextDocumentLayout, table: QTextTable) -> QRectF:
    """Where `table`'s cells are drawn. Qt's `frameBoundingRect` of a table stands at its first
    cell's text (past that cell's padding) and is as tall as the table with its margins."""
    found = layout.frameBoundingRect(table)
    first = table.cellAt(0, 0).format().toTableCellFormat()
    margins = table.format()
    return QRectF(
        found.left() - first.leftPadding(),
        found.top() - first.topPadding(),
        found.width(),
        found.height() - margins.topMargin() - margins.bottomMargin(),
    )
