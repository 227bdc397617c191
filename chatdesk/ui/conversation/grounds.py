"""The grounds a message view draws behind its text, where Qt's rich text cannot: a code
block's card, rounded, its head a shade apart and an edge around it; a chip behind code within
a line, rounded and a little wider than its letters; and a table's header row, under the chips
it may hold.

Qt's rich text draws a table cell's ground and a run of text's ground as plain rectangles, the
latter no wider than the letters and as tall as the line, and a cell's ground over anything
drawn before it. The render leaves these without a ground of its own when the view draws them
(`ReadingType.grounds_drawn`): a code block is a table of two rows (its head, with the Copy
link, and its code), a chip's run of text and a table's header cells have the ground
`transparent`. Found in the document, they are drawn in the look's colours before Qt draws the
text over them, so selections, the caret, find and links stay Qt's.

A paint must stay cheap (a streaming answer is painted at every update): a message whose HTML
holds neither tables nor chips (`note`) costs nothing more; a table's card or header row, and
a block's chips (when the block is first painted), are found once and kept until a change
reaches them or the text is laid out anew (another width or size).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QBrush,
    QColor,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QPainter,
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
_MONOSPACE = "monospace"  # the family Qt gives `<code>`
_EDGE = 1.0  # px: a card's edge


@dataclass(frozen=True)
class _Card:
    box: QRectF  # the card, its edge on the table's cells' outline
    head: QRectF  # its head, the language and Copy


@dataclass(frozen=True)
class _Block:
    """What a paint needs of a block it has seen: where it is, where the next one starts, and
    its chips."""

    top: float
    bottom: float
    following: int  # the next block's position in the document (-1: none)
    chips: list[QRectF]


@dataclass(frozen=True)
class _Table:
    """What is drawn under a table: a code block's card, or a header row's ground."""

    last: int  # its last position in the document
    card: _Card | None
    head: QRectF | None


class Grounds:
    """What one document (a message view's) holds of grounds drawn here, and where."""

    def __init__(self, document: QTextDocument) -> None:
        self._document = document
        self._has_tables = False
        self._has_chips = False
        self._tables: dict[int, _Table] = {}  # by their first positions, as far as known
        self._tables_known = False  # no table was added or changed since they were found
        self._seen: dict[int, _Block] = {}  # the blocks a paint has seen, by their positions
        self._seen_at: list[int] = []  # their positions in order: a change drops its tail
        self._laid_out_as: tuple[float, QFont] = (-1.0, QFont())  # the width and font they are for
        document.contentsChange.connect(self._changed)

    def note(self, html: str) -> None:
        """`html` was put into the document: does it hold tables (code blocks among them) or
        chips."""
        self._has_tables = self._has_tables or "<table" in html
        self._has_chips = self._has_chips or _CHIP_MARK in html

    def forget(self) -> None:
        """The document was emptied (plain text shown)."""
        self._has_tables = self._has_chips = False

    def _changed(self, position: int, _removed: int, _added: int) -> None:
        """What stands before a change keeps its place; what the change touched or moved is
        found again (a streaming answer changes at its end)."""
        self._tables_known = False
        if not (self._tables or self._seen_at):
            return  # nothing found yet (a message without tables or chips)
        changed = self._document.findBlock(position).position()
        self._tables = {at: t for at, t in self._tables.items() if t.last < changed}
        dropped = bisect.bisect_left(self._seen_at, changed)
        for at in self._seen_at[dropped:]:
            del self._seen[at]
        del self._seen_at[dropped:]

    def paint(self, painter: QPainter, exposed: QRectF) -> None:
        """Draw the grounds within `exposed` (in the document's coordinates; the painter's
        too)."""
        if not (self._has_tables or self._has_chips):
            return
        self._follow_layout()
        named = colours(current_look())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        if self._has_tables:
            tables = self.tables()
            for card in (t.card for t in tables if t.card is not None):
                if card.box.intersects(exposed):
                    _draw_card(painter, card, named)
            painter.setBrush(QColor(named["table_head"]))
            for head in (t.head for t in tables if t.head is not None):
                if head.intersects(exposed):
                    painter.drawRect(head)
        if self._has_chips:
            painter.setBrush(QColor(named["code_inline"]))
            radius = RADIUS["s"]
            for chip in self.chips(exposed):
                painter.drawRoundedRect(chip, radius, radius)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _follow_layout(self) -> None:
        """What was found for another width or font is laid out elsewhere now."""
        laid_out_as = (self._document.textWidth(), self._document.defaultFont())
        if laid_out_as != self._laid_out_as:
            self._laid_out_as = laid_out_as
            self._tables, self._tables_known = {}, False
            self._seen, self._seen_at = {}, []

    def _layout(self) -> QAbstractTextDocumentLayout:
        return self._document.documentLayout()

    # -- finding them ----------------------------------------------------------------------------

    def tables(self) -> list[_Table]:
        """Where the document's code blocks (tables whose head holds a Copy link) and its
        tables' header rows (marked) are drawn: those not known yet are found."""
        if not self._tables_known:
            layout = self._layout()
            for table in _tables(self._document.rootFrame()):
                first = table.firstPosition()
                if first not in self._tables:
                    self._tables[first] = _table_of(layout, table)
            self._tables_known = True
        return list(self._tables.values())

    def chips(self, exposed: QRectF) -> Iterator[QRectF]:
        """The grounds of the chips of code in the blocks within `exposed`: each block is read
        once, when first painted, and then known by its position until it changes."""
        layout = self._layout()
        start = layout.hitTest(QPointF(0, exposed.top()), Qt.HitTestAccuracy.FuzzyHit)
        position = self._document.findBlock(max(start, 0)).position()
        while position >= 0:
            seen = self._seen.get(position)
            if seen is None:
                seen = self._seen[position] = _block_at(layout, self._document, position)
                bisect.insort(self._seen_at, position)
            if seen.top > exposed.bottom():
                return
            yield from seen.chips
            position = seen.following


def _block_at(
    layout: QAbstractTextDocumentLayout, document: QTextDocument, position: int
) -> _Block:
    block = document.findBlock(position)
    bounds = layout.blockBoundingRect(block)
    following = block.next()
    return _Block(
        bounds.top(),
        bounds.bottom(),
        following.position() if following.isValid() else -1,
        list(_chips_of(block, bounds)),
    )


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


def _chips_of(block: QTextBlock, bounds: QRectF) -> Iterator[QRectF]:
    """The grounds of the chips in `block`, laid out at `bounds`: one per line a chip is on,
    a little wider than its letters at each side."""
    lines = block.layout()
    origin = bounds.topLeft()
    fragments = block.begin()
    past = READING["chip_across"] * QFontInfo(block.document().defaultFont()).pixelSize()
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


def _below(layout: QAbstractTextDocumentLayout, table: QTextTable, row: int) -> float:
    """Where `table`'s row `row` begins: its first cell's text, less that cell's padding."""
    cell = table.cellAt(row, 0)
    padding = cell.format().toTableCellFormat().topPadding()
    return layout.blockBoundingRect(cell.firstCursorPosition().block()).top() - padding


def _table_of(layout: QAbstractTextDocumentLayout, table: QTextTable) -> _Table:
    card = _card_of(layout, table) if _is_card(table) else None
    head = _head_of(layout, table) if _is_marked(_cell_ground(table)) else None
    return _Table(table.lastPosition(), card, head)


def _card_of(layout: QAbstractTextDocumentLayout, table: QTextTable) -> _Card:
    box = _table_box(layout, table)
    head = QRectF(box.left(), box.top(), box.width(), _below(layout, table, 1) - box.top())
    return _Card(box, head)


def _head_of(layout: QAbstractTextDocumentLayout, table: QTextTable) -> QRectF:
    """Where `table`'s header row is drawn (all of it, for a table of one row)."""
    whole = _table_box(layout, table)
    if table.rows() < 2:
        return whole
    return QRectF(whole.left(), whole.top(), whole.width(), _below(layout, table, 1) - whole.top())


def _draw_card(painter: QPainter, card: _Card, named: dict[str, str]) -> None:
    """A code block's card: an edge, and within it the code's ground, rounded, under a head of
    its own shade. Each is a filled shape: stroking a rounded outline with a smooth pen costs
    ten times as much as filling one, at every paint."""
    radius = RADIUS["m"]
    painter.setBrush(QColor(named["border"]))
    painter.drawRoundedRect(card.box, radius, radius)
    inner = card.box.adjusted(_EDGE, _EDGE, -_EDGE, -_EDGE)
    painter.setBrush(QColor(named["code"]))
    painter.drawRoundedRect(inner, radius - _EDGE, radius - _EDGE)
    painter.save()
    painter.setClipRect(card.head, Qt.ClipOperation.IntersectClip)
    painter.setBrush(QColor(named["code_head"]))
    painter.drawRoundedRect(inner, radius - _EDGE, radius - _EDGE)
    painter.restore()


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
