"""The composer's text field: Enter sends (or Ctrl+Enter, as set), Shift+Enter starts a new
line, pastes and drops of more than 64 KB of text become an attachment instead of editor text
(laying out megabytes in an editor freezes the window), and dropped or pasted files are handed
on to be read (it says while files are dragged over it, for the composer's drop zone).
`EditorHeight` keeps it as tall as its text, within bounds."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFontMetricsF, QImage, QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QToolTip, QWidget

from chatdesk.core.i18n import tr

if TYPE_CHECKING:  # each of PySide6's classes costs time to load: these wait for first use
    from PySide6.QtCore import QMimeData
    from PySide6.QtGui import (
        QContextMenuEvent,
        QDragEnterEvent,
        QDragLeaveEvent,
        QDropEvent,
        QInputMethodEvent,
    )

PASTE_LIMIT_BYTES = 64 * 1024  # larger pastes become attachments
MIN_LINES = 2
MAX_LINES = 12
MAX_WINDOW_SHARE = 0.4  # the editor never takes more than this share of the window's height


def carries_files(source: QMimeData) -> bool:
    """Whether a drop of `source` would attach something: local files, or an image's pixels."""
    return any(url.isLocalFile() for url in source.urls()) or source.hasImage()


def is_too_large(text: str) -> bool:
    """More than PASTE_LIMIT_BYTES in UTF-8, without encoding megabytes when length tells."""
    if len(text) > PASTE_LIMIT_BYTES:  # every character is at least one byte
        return True
    if len(text) * 4 <= PASTE_LIMIT_BYTES:  # and at most four
        return False
    return len(text.encode("utf-8", "surrogatepass")) > PASTE_LIMIT_BYTES


class ComposerEditor(QPlainTextEdit):
    """The text field: turns Enter into `send_pressed` and oversized pastes into attachments."""

    send_pressed = Signal()
    large_text_given = Signal(str)
    files_given = Signal(list)  # list[Path]
    image_given = Signal(QImage)  # pixels pasted or dropped (a screenshot, an image copied)
    save_prompt_asked = Signal(str)  # "Save as prompt…" from its context menu: the text
    files_dragged = Signal(bool)  # files are dragged over it (True), or no longer (False)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enter_sends = True
        self.files_refused = ""  # why files cannot be attached here, if they cannot
        self._composing = False  # an input method is building a word (preedit)
        # Looks at a key first (the slash menu's arrows, Enter, Esc); True: it was used.
        self.key_hook: Callable[[QKeyEvent], bool] | None = None
        self.setTabChangesFocus(True)  # Tab leaves the editor, as in any form
        self.setObjectName("composerEditor")

    def set_enter_sends(self, enter_sends: bool) -> str:
        """Enter sends (Shift+Enter a new line), or Ctrl+Enter does; the keys that send."""
        self.enter_sends = enter_sends
        keys = "Enter" if enter_sends else "Ctrl+Enter"
        keyed = {"send": keys, "newline": "Shift+Enter" if enter_sends else "Enter"}
        self.setPlaceholderText(
            # translators: {send} and {newline} are keys: "Enter", "Ctrl+Enter", "Shift+Enter"
            tr("Message · {send} sends, {newline} starts a new line", **keyed)
        )
        self.setAccessibleDescription(
            # translators: {send} and {newline} are keys: "Enter", "Ctrl+Enter", "Shift+Enter"
            tr("Type a message. {send} sends it, {newline} starts a new line.", **keyed)
        )
        return keys

    def has_visible_text(self) -> bool:
        document = self.document()
        if document.isEmpty():  # as it starts, before the first paint: nothing more to load
            return False
        from PySide6.QtCore import QRegularExpression

        # Stops at the first non-space character instead of copying the whole text.
        found = document.find(QRegularExpression(r"\S"))
        return not found.isNull()

    def event(self, event: QEvent) -> bool:
        # Tab moves the focus before keyPressEvent sees it: the slash menu takes it first.
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Tab
            and self.key_hook is not None
            and self.key_hook(event)
        ):
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._composing and self.key_hook is not None and self.key_hook(event):
            return
        if self._composing or event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            super().keyPressEvent(event)
            return
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers == Qt.KeyboardModifier.ControlModifier:
            self.send_pressed.emit()
        elif modifiers == Qt.KeyboardModifier.ShiftModifier:
            self.textCursor().insertText("\n")  # a paragraph, not Qt's soft line break
            self.ensureCursorVisible()
        elif modifiers == Qt.KeyboardModifier.NoModifier and self.enter_sends:
            self.send_pressed.emit()
        else:
            super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu(event.pos())
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addSeparator()
        save = menu.addAction(tr("Save as prompt…"))
        save.setEnabled(bool(self.toPlainText().strip()))
        save.triggered.connect(lambda: self.save_prompt_asked.emit(self.toPlainText()))
        menu.popup(event.globalPos())  # not exec(): no nested event loop

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        self._composing = bool(event.preeditString())
        super().inputMethodEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        super().dragEnterEvent(event)
        if event.isAccepted() and carries_files(event.mimeData()):
            self.files_dragged.emit(True)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        super().dragLeaveEvent(event)
        self.files_dragged.emit(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self.files_dragged.emit(False)
        super().dropEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        if self.files_refused and carries_files(source):
            return False  # a drag of files shows it cannot be dropped here
        return source.hasUrls() or source.hasImage() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        """Used by paste and by drops alike. A file beats its picture (a file manager's copy
        offers both), and a picture beats its text (a browser's copy of an image). Where files
        are refused, a file or a picture pasted is not attached: the reason shows at the
        cursor."""
        if self.files_refused and carries_files(source):
            where = self.mapToGlobal(self.cursorRect().bottomLeft())
            QToolTip.showText(where, self.files_refused, self)
        elif source.hasUrls() and any(url.isLocalFile() for url in source.urls()):
            self._insert_urls(source)
        elif source.hasImage():
            image = source.imageData()
            if isinstance(image, QImage) and not image.isNull():
                self.image_given.emit(image)
        elif source.hasUrls():
            self._insert_urls(source)
        elif source.hasText():
            self.insert_text(source.text())
        else:
            super().insertFromMimeData(source)

    def _insert_urls(self, source: QMimeData) -> None:
        urls = source.urls()
        files = [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
        others = [url.toString() for url in urls if not url.isLocalFile()]
        if files:
            self.files_given.emit(files)
        if others:
            self.insert_text("\n".join(others))

    def insert_text(self, text: str) -> None:
        if is_too_large(text):
            self.large_text_given.emit(text)
        else:
            self.textCursor().insertText(text)
            self.ensureCursorVisible()


class EditorHeight(QObject):
    """Keeps `editor` as tall as its text, from MIN_LINES to MAX_LINES or MAX_WINDOW_SHARE of
    its window's height, then it scrolls. It follows the text, the font and style of `owner`
    (the widget that holds the editor), `owner` being shown, and the window's resizes."""

    def __init__(self, editor: QPlainTextEdit, owner: QWidget) -> None:
        super().__init__(owner)
        self._editor = editor
        self._owner = owner
        editor.document().documentLayout().documentSizeChanged.connect(self.fit)
        owner.installEventFilter(self)
        self.fit()

    def fit(self) -> None:
        editor = self._editor
        line = self._line_height()
        lines = math.ceil(editor.document().documentLayout().documentSize().height())
        margins = editor.contentsMargins()
        # QPlainTextEdit wants one pixel beyond the document margins before it hides the bar.
        chrome = margins.top() + margins.bottom() + 2 * editor.document().documentMargin() + 1
        wanted = math.ceil(max(lines, MIN_LINES) * line + chrome)
        limit = math.ceil(MAX_LINES * line + chrome)
        window = self._owner.window()
        if window is not self._owner:
            share = int(window.height() * MAX_WINDOW_SHARE)
            limit = min(limit, max(share, math.ceil(MIN_LINES * line + chrome)))
        editor.setFixedHeight(min(wanted, limit))

    def _line_height(self) -> float:
        """Measured on the text when it is laid out: Qt rounds lines up to whole pixels."""
        layout = self._editor.document().firstBlock().layout()
        if layout is not None and layout.lineCount() > 0:
            return layout.lineAt(0).height()
        return math.ceil(QFontMetricsF(self._editor.font()).height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._owner and kind == QEvent.Type.Show:
            window = self._owner.window()
            if window is not self._owner:
                # The limit follows the window's height. Installing again is a no-op, and a
                # filter left on an earlier window ignores it. No reference to the window is
                # kept: it would make a cycle that the garbage collector tears down in an
                # unsafe order.
                window.installEventFilter(self)
        refit = (QEvent.Type.Show, QEvent.Type.FontChange, QEvent.Type.StyleChange)
        if (watched is self._owner and kind in refit) or (
            kind == QEvent.Type.Resize and watched is self._owner.window()
        ):
            self.fit()
        return False
