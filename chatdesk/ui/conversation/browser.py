"""A read-only text view for one message that cannot be turned against the user.

Qt's rich-text engine would read any file named as an image (`/etc/passwd`, `/dev/zero`) and
`QTextBrowser` would follow links by itself. Here `loadResource` serves only the images that the
renderer produced for this message, links are reported (never followed), and the height follows
the content so that the surrounding list scrolls, not each message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QRectF, QSize, QUrl, Signal
from PySide6.QtGui import (
    QFontInfo,
    QFontMetricsF,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QFrame, QSizePolicy, QTextBrowser, QWidget

from chatdesk.core.render.model import ICON_PREFIX, Rendered
from chatdesk.core.render.plain import plain_text, shown_plain
from chatdesk.ui.conversation.grounds import Grounds
from chatdesk.ui.theme import ThemeWatcher
from chatdesk.ui.theme.scale import INDENT, READING

_MAX_IMAGE_PIXELS = 4096 * 4096
_PNG = b"\x89PNG\r\n\x1a\n"
_DRAWN_ICONS = frozenset({"copy"})  # the icons a rendered message may show (ICON_PREFIX)
_RATIO = re.compile(r"@(\d{1,2}(?:\.\d{1,4})?)x\.png$")
CARET = "\u258d"  # ▍ after a streaming answer's last word


def _pixel_ratio(name: str) -> float:
    """The pixel ratio a picture was drawn for, from its name ("math:…@2x.png"): shown at
    its size on a screen of that ratio, pixel for pixel, not scaled."""
    found = _RATIO.search(name)
    return min(max(float(found.group(1)), 1.0), 4.0) if found else 1.0


class MessageBrowser(QTextBrowser):
    link_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._images: dict[str, bytes] = {}
        self._tail_start = -1  # document position where the unformatted streaming tail begins
        self._tail = ""
        self._caret = False  # the streaming caret ends the document
        self._tail_formatted = False  # the tail is formatted (not plain text appended to)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setSearchPaths([])
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(self.verticalScrollBarPolicy().ScrollBarAlwaysOff)
        # A code block keeps its lines: one longer than the text's width scrolls sideways.
        self.setHorizontalScrollBarPolicy(self.horizontalScrollBarPolicy().ScrollBarAsNeeded)
        self.horizontalScrollBar().rangeChanged.connect(self._start_at_the_left)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)  # the window's sheet makes it transparent
        self.document().setDocumentMargin(2)
        self.anchorClicked.connect(self._on_anchor)
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)
        # The conversation's reading type (theme/reading.py): set before any text, which is
        # then laid out once, and followed when Preferences or the zoom change it.
        watcher = ThemeWatcher.of(_application())
        self.setFont(watcher.reading)
        watcher.changed.connect(self._follow_reading)
        self._grounds = Grounds(self.document())
        self._plain_lines = QTextBlockFormat()  # plain text's lines as high as formatted text's
        self._plain_lines.setLineHeight(
            READING["line"] * 100, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value
        )

    # -- safety ----------------------------------------------------------------------------------

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        """Only the renderer's own images; nothing from disk, nothing from the network."""
        if kind == QTextDocument.ResourceType.ImageResource.value:
            named = name.toString() if isinstance(name, QUrl) else name
            if named.startswith(ICON_PREFIX) and named[len(ICON_PREFIX) :] in _DRAWN_ICONS:
                return self._icon(named[len(ICON_PREFIX) :])
            data = self._images.get(named)
            if data is not None:
                # The renderer's formulas are PNG: named, Qt reads them without loading every
                # image plugin to sniff the format (~0.7 MB, and their load on the first image).
                # PySide6's stub wants bytes; at run time it takes the format as text only.
                png = "PNG" if data.startswith(_PNG) else None
                image = QImage.fromData(data, png)  # type: ignore[arg-type]
                if not image.isNull() and image.width() * image.height() <= _MAX_IMAGE_PIXELS:
                    image.setDevicePixelRatio(_pixel_ratio(named))
                    return image
        return None

    def _icon(self, name: str) -> QImage:
        """One of the window's icons, in the quiet text colour of the look."""
        from chatdesk.ui.theme import current_look
        from chatdesk.ui.theme.colours import colours
        from chatdesk.ui.theme.icons import picture

        colour = colours(current_look())["text_quiet"]
        return picture(name, colour, 14, self.devicePixelRatioF()).toImage()

    def setSource(self, name: QUrl | str, type: Any = None) -> None:
        """Never navigate: a click on a link is reported, not followed."""

    def _on_anchor(self, url: QUrl) -> None:
        self.link_activated.emit(url.toString())

    # -- content ---------------------------------------------------------------------------------

    def show_rendered(self, rendered: Rendered) -> None:
        self._indent_lists()
        self._images = dict(rendered.images)
        self._caret = False
        self._tail_start, self._tail = -1, ""
        self._grounds.forget()
        self._grounds.note(rendered.html)
        self.setHtml(rendered.html)

    def show_plain(self, text: str) -> None:
        self._images = {}
        self._caret = False
        self._tail_start, self._tail = -1, ""
        self._grounds.forget()
        self.clear()
        cursor = QTextCursor(self.document())
        cursor.setBlockFormat(self._plain_lines)
        cursor.insertText(shown_plain(text))

    def append_formatted(self, html: str, images: Mapping[str, bytes]) -> None:
        """Streaming: a block became complete; put its formatted form where the tail began.
        The tail is dropped: a formatted or plain tail for what follows it comes next."""
        self._images.update(images)
        self._indent_lists()
        self._grounds.note(html)
        cursor = self._drop_tail()
        start = cursor.position()
        cursor.insertHtml(html)
        self._no_empty_line_at(start)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertBlock()
        self._tail_start = cursor.position()

    def set_formatted_tail(self, html: str, images: Mapping[str, bytes]) -> None:
        """Streaming: the unfinished last blocks, formatted as they will be (their open
        constructs closed tentatively); replaces the tail shown before, nothing above it."""
        self._images.update(images)
        self._indent_lists()
        self._grounds.note(html)
        cursor = self._start_tail()
        cursor.insertHtml(html)
        self._no_empty_line_at(self._tail_start)
        self._tail_formatted = True
        self._end_with_caret(in_table=True)

    def set_tail(self, tail: str) -> None:
        """Streaming: the unfinished last block, as plain text; appends only what is new."""
        tail = plain_text(tail)
        if self._tail_start >= 0 and not self._tail_formatted and tail.startswith(self._tail):
            cursor = QTextCursor(self.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            if self._caret:
                cursor.deletePreviousChar()
            cursor.insertText(tail[len(self._tail) :])
        else:
            cursor = self._start_tail()
            cursor.setBlockFormat(self._plain_lines)
            cursor.insertText(tail)
        self._tail = tail
        self._end_with_caret()

    def _start_tail(self) -> QTextCursor:
        if self._tail_start < 0:
            cursor = QTextCursor(self.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            self._tail_start = cursor.position()
        return self._drop_tail()

    def _end_with_caret(self, in_table: bool = False) -> None:
        """The streaming caret: where the answer grows, in the link colour, after the text;
        in the last cell of a table the tail ends with (`in_table`), not in the empty line
        Qt keeps after it."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if in_table and cursor.block().length() == 1 and cursor.position() > self._tail_start:
            cell = QTextCursor(cursor)
            cell.movePosition(QTextCursor.MoveOperation.PreviousCharacter)
            if cell.currentTable() is not None:
                cursor = cell
        caret = QTextCharFormat(cursor.charFormat())
        caret.setForeground(self.palette().color(QPalette.ColorRole.Link))
        cursor.insertText(CARET, caret)
        self._caret = True

    def _no_empty_line_at(self, position: int) -> None:
        """HTML that begins with a list, inserted into an empty line, leaves that line empty
        above the list: the list takes its place (and keeps its own format)."""
        block = self.document().findBlock(position)
        following = block.next()
        if block.length() == 1 and following.isValid() and following.textList() is not None:
            QTextCursor(following).deletePreviousChar()

    def _indent_lists(self) -> None:
        """A list level indented on the type scale, so nested lists stay near the text."""
        self.document().setIndentWidth(INDENT["list"] * QFontInfo(self.font()).pixelSize())

    def _drop_tail(self) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if self._tail_start >= 0:
            cursor.setPosition(self._tail_start, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            listed = cursor.block().textList()
            if listed is not None:  # the tail began with a list: its line becomes plain again
                listed.remove(cursor.block())
                cursor.setBlockFormat(QTextBlockFormat())
        self._tail = ""
        self._tail_formatted = False
        self._caret = False
        return cursor

    # -- type and grounds -----------------------------------------------------------------------

    def leading(self) -> float:
        """The room a line of text has below its letters past the font's own line: Qt sets a
        taller line's letters at its top, so the last line of a message has this much more
        room under it than the first has above."""
        return (READING["line"] - 1) * QFontMetricsF(self.font()).height()

    def _follow_reading(self) -> None:
        font = ThemeWatcher.of(_application()).reading
        if font != self.font():
            self.setFont(font)
            self._indent_lists()

    def paintEvent(self, event: QPaintEvent) -> None:
        """The grounds of code under the text Qt draws (grounds.py)."""
        painter = QPainter(self.viewport())
        bar = self.horizontalScrollBar()
        across = bar.maximum() - bar.value() if self.isRightToLeft() else bar.value()
        down = self.verticalScrollBar().value()
        painter.translate(-across, -down)
        self._grounds.paint(painter, QRectF(event.rect()).translated(across, down))
        painter.end()
        super().paintEvent(event)

    # -- size ------------------------------------------------------------------------------------

    def _fit_height(self) -> None:
        height = int(self.document().size().height()) + 2 * self.frameWidth() + 2
        bar = self.horizontalScrollBar()
        if bar.maximum() > 0:  # a code line wider than the text: room for its scroll bar
            height += bar.sizeHint().height()
        if height != self.height():
            self.setFixedHeight(height)

    def _start_at_the_left(self, _minimum: int, maximum: int) -> None:
        """Qt lays a message's tables and code out left to right in any language, but a
        right-to-left window's scroll bar starts at the right: an answer wider than its view
        would open with its lines' beginnings hidden. It opens at their start instead."""
        if self.isRightToLeft():
            self.horizontalScrollBar().setValue(maximum)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Only a new width needs a new layout; height changes come from the content itself
        # (each streamed piece), and re-laying out the whole answer then would be quadratic.
        width = self.viewport().width()
        if width != self.document().textWidth():
            self.document().setTextWidth(width)
        self._fit_height()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.height())

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()  # the conversation scrolls, not the message


def _application() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app
