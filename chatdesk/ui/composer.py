"""Where the user writes: a growing plain-text editor, attachment chips, Attach/Send/Stop, model.

The composer never touches the filesystem or the service. It asks: `send_requested` with the
text and attachments (the window clears it with `clear_after_send()` once the message is
saved), `files_dropped` with local paths (the window reads them off the GUI thread and calls
`add_attachment`), `stop_requested`, `model_changed` and, debounced, `draft_changed`.

Pastes and drops of more than 64 KB of text become an attachment chip instead of editor text:
laying out megabytes in an editor freezes the window (web-based chat apps
froze for 10–20 s on a 20,000-line paste).
"""

from __future__ import annotations

import html
import itertools
import math
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QMimeData,
    QObject,
    QPoint,
    QRect,
    QRegularExpression,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QFontMetricsF,
    QInputMethodEvent,
    QKeyEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.units import format_size

QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's largest widget size
PASTE_LIMIT_BYTES = 64 * 1024  # larger pastes become attachments
MIN_LINES = 2
MAX_LINES = 12
MAX_WINDOW_SHARE = 0.4  # the editor never takes more than this share of the window's height
DRAFT_DELAY_MS = 500
PREVIEW_LINES = 20
PREVIEW_LINE_CHARS = 120
CHIP_TEXT_WIDTH = 320  # px; longer names are shortened in the middle, keeping the extension


@dataclass(frozen=True)
class DraftAttachment:
    name: str
    text: str
    kind: str  # "paste" | "file"


def is_too_large(text: str) -> bool:
    """More than PASTE_LIMIT_BYTES in UTF-8, without encoding megabytes when length tells."""
    if len(text) > PASTE_LIMIT_BYTES:  # every character is at least one byte
        return True
    if len(text) * 4 <= PASTE_LIMIT_BYTES:  # and at most four
        return False
    return len(text.encode("utf-8", "surrogatepass")) > PASTE_LIMIT_BYTES


def describe_attachment(attachment: DraftAttachment) -> str:
    """Name, size and, for pastes, lines: "Pasted text · 1.2 MB · 20,123 lines"."""
    parts = [attachment.name, format_size(len(attachment.text.encode("utf-8", "surrogatepass")))]
    if attachment.kind == "paste":
        # A final newline ends the last line; it does not start another.
        lines = attachment.text.count("\n") + (not attachment.text.endswith("\n"))
        parts.append(f"{lines:,} line" + ("" if lines == 1 else "s"))
    return " · ".join(parts)


def preview_tooltip(attachment: DraftAttachment) -> str:
    """The first lines, escaped: a tooltip renders rich text, and the text is not ours."""
    head = attachment.text.split("\n", PREVIEW_LINES)
    lines = [line[:PREVIEW_LINE_CHARS] for line in head[:PREVIEW_LINES]]
    more = "\n…" if len(head) > PREVIEW_LINES else ""
    return (
        f"<p><b>{html.escape(describe_attachment(attachment))}</b></p>"
        f"<pre>{html.escape(chr(10).join(lines) + more)}</pre>"
    )


class ComposerEditor(QPlainTextEdit):
    """The text field: turns Enter into `send_pressed` and oversized pastes into attachments."""

    send_pressed = Signal()
    large_text_given = Signal(str)
    files_given = Signal(list)  # list[Path]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enter_sends = True
        self._composing = False  # an input method is building a word (preedit)
        self.setTabChangesFocus(True)  # Tab leaves the editor, as in any form
        self.setObjectName("composerEditor")

    def keyPressEvent(self, event: QKeyEvent) -> None:
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

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        self._composing = bool(event.preeditString())
        super().inputMethodEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasUrls() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        """Used by paste and by drops alike."""
        if source.hasUrls():
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


class AttachmentChip(QFrame):
    """A small rounded label with the attachment's name and size and a ✕ to remove it."""

    remove_clicked = Signal()

    def __init__(self, attachment: DraftAttachment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.attachment = attachment
        self.setObjectName("attachmentChip")
        self.setAccessibleName(f"Attachment {attachment.name}")
        self.setAccessibleDescription(describe_attachment(attachment))
        self.setToolTip(preview_tooltip(attachment))
        label = QLabel(self)
        label.setText(
            label.fontMetrics().elidedText(
                describe_attachment(attachment), Qt.TextElideMode.ElideMiddle, CHIP_TEXT_WIDTH
            )
        )
        self.remove_button = QToolButton(self)
        self.remove_button.setObjectName("chipRemove")
        self.remove_button.setText("✕")
        self.remove_button.setAccessibleName(f"Attachment {attachment.name}, remove")
        self.remove_button.setToolTip(f"Remove {attachment.name}")
        self.remove_button.clicked.connect(self.remove_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 2, 2)
        layout.setSpacing(4)
        layout.addWidget(label)
        layout.addWidget(self.remove_button)


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new row when the width runs out."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """Place the items in `rect` (if `place`); the height they need either way."""
        x, y, row_height = rect.x(), rect.y(), 0
        for item in self._items:
            if item.isEmpty():  # hidden
                continue
            size = item.sizeHint().boundedTo(QSize(rect.width(), QWIDGETSIZE_MAX))
            if x > rect.x() and x + size.width() > rect.x() + rect.width():
                x, y, row_height = rect.x(), y + row_height + self._gap, 0
            if place:
                item.setGeometry(QRect(QPoint(x, y), size))
            x += size.width() + self._gap
            row_height = max(row_height, size.height())
        return y + row_height - rect.y()


class AttachmentStrip(QWidget):
    """The chips, wrapping onto more rows when they do not fit; hidden when empty."""

    removed = Signal(object)  # DraftAttachment

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentStrip")
        self.setAccessibleName("Attachments")
        self._layout = FlowLayout(self)
        self.chips: list[AttachmentChip] = []
        self.hide()

    def add(self, attachment: DraftAttachment) -> AttachmentChip:
        chip = AttachmentChip(attachment, self)
        chip.remove_clicked.connect(lambda: self._remove(chip))
        self._layout.addWidget(chip)
        chip.show()  # a layout shows new widgets of a visible parent only later
        self.chips.append(chip)
        self.show()
        return chip

    def clear(self) -> None:
        for chip in self.chips:
            chip.hide()
            chip.deleteLater()
        self.chips = []
        self.hide()

    def _remove(self, chip: AttachmentChip) -> None:
        self.chips.remove(chip)
        chip.hide()
        chip.deleteLater()
        self.setVisible(bool(self.chips))
        self.removed.emit(chip.attachment)


class Composer(QWidget):
    send_requested = Signal(str, list)  # text, list[DraftAttachment]
    stop_requested = Signal()
    draft_changed = Signal()  # user edits, at most every DRAFT_DELAY_MS
    files_dropped = Signal(list)  # list[Path]: dropped, pasted or picked files to read
    model_changed = Signal(str)  # "provider/model"

    def __init__(self, parent: QWidget | None = None, *, enter_sends: bool = True) -> None:
        super().__init__(parent)
        self._attachments: list[DraftAttachment] = []
        self._streaming = False
        self._busy = False
        self._loading = False  # set while the text is changed by code, not by the user
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.draft_changed)
        self._build()
        self.setAcceptDrops(True)  # drops on the chips or buttons count as drops on the editor
        self.set_enter_sends(enter_sends)
        self._update_controls()
        self._fit_editor()

    # --- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self._strip = AttachmentStrip(self)
        self._strip.removed.connect(self._attachment_removed)
        self._editor = ComposerEditor(self)
        self._editor.setAccessibleName("Message")
        self._editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._editor.send_pressed.connect(self._send)
        self._editor.large_text_given.connect(self._add_pasted_text)
        self._editor.files_given.connect(self.files_dropped)
        self._editor.textChanged.connect(self._text_changed)
        document_layout = self._editor.document().documentLayout()
        document_layout.documentSizeChanged.connect(self._fit_editor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addStretch(1)  # spare height goes above, so the composer sits at the bottom
        layout.addWidget(self._strip)
        layout.addWidget(self._editor)
        layout.addLayout(self._build_buttons())
        self._update_tab_order()

    def _build_buttons(self) -> QHBoxLayout:
        self._attach = QPushButton("Attach file…", self)
        self._attach.setObjectName("attachButton")
        self._attach.setAccessibleDescription("Choose text files to send with the message")
        self._attach.setToolTip("Attach text files (you can also drop or paste them here)")
        self._attach.clicked.connect(self._choose_files)
        self._models = QComboBox(self)
        self._models.setObjectName("modelPicker")
        self._models.setAccessibleName("Model")
        self._models.setToolTip("Model that writes the next answer")
        self._models.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._models.activated.connect(self._model_chosen)
        self._send_button = QPushButton("Send", self)
        self._send_button.setObjectName("sendButton")
        self._send_button.setProperty("primary", True)
        self._send_button.clicked.connect(self._send)
        self._stop = QPushButton("Stop", self)
        self._stop.setObjectName("stopButton")
        self._stop.setToolTip("Stop the answer (Esc)")
        self._stop.setAccessibleDescription("Stop the answer being written; its text is kept")
        self._stop.clicked.connect(self.stop_requested)
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self._attach)
        row.addWidget(self._models)
        row.addStretch(1)
        row.addWidget(self._stop)
        row.addWidget(self._send_button)
        return row

    def _update_tab_order(self) -> None:
        chain = [
            self._editor,
            *(chip.remove_button for chip in self._strip.chips),
            self._attach,
            self._models,
            self._send_button,
            self._stop,
        ]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    # --- public API -----------------------------------------------------------------------

    @property
    def editor(self) -> QPlainTextEdit:
        return self._editor

    def text(self) -> str:
        return self._editor.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the text (not a user edit: no draft_changed)."""
        self._loading = True
        try:
            self._editor.setPlainText(text)
        finally:
            self._loading = False
        self._editor.moveCursor(self._editor.textCursor().MoveOperation.End)
        self._update_controls()

    def attachments(self) -> list[DraftAttachment]:
        return list(self._attachments)

    def add_attachment(self, attachment: DraftAttachment) -> None:
        self._attachments.append(attachment)
        self._strip.add(attachment)
        self._update_tab_order()
        self._user_changed()

    def set_draft(self, text: str, attachments: list[DraftAttachment]) -> None:
        """Show a saved draft (switching threads). A pending draft_changed is dropped, so call
        `flush_draft()` first while the old thread is still current."""
        self._draft_timer.stop()
        self._attachments = list(attachments)
        self._strip.clear()
        for attachment in attachments:
            self._strip.add(attachment)
        self._update_tab_order()
        self.set_text(text)

    def flush_draft(self) -> None:
        """Emit a pending draft_changed now instead of after the delay."""
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self.draft_changed.emit()

    def clear_after_send(self) -> None:
        self.set_draft("", [])

    def set_streaming(self, streaming: bool) -> None:
        self._streaming = streaming
        self._update_controls()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_controls()

    def set_enter_sends(self, enter_sends: bool) -> None:
        self._editor.enter_sends = enter_sends
        keys = "Enter" if enter_sends else "Ctrl+Enter"
        newline = "Shift+Enter" if enter_sends else "Enter"
        self._editor.setPlaceholderText(f"Message · {keys} sends, {newline} starts a new line")
        self._editor.setAccessibleDescription(
            f"Type a message. {keys} sends it, {newline} starts a new line."
        )
        self._send_button.setToolTip(f"Send the message ({keys})")

    def set_models(self, models: list[tuple[str, str]], current: str) -> None:
        """Offer `(key, label)` models; `current` is shown even when it is not offered."""
        self._models.clear()
        for key, label in models:
            self._models.addItem(label, key)
        if current and self._models.findData(current) < 0:
            self._models.addItem(current, current)
        self._models.setCurrentIndex(max(self._models.findData(current), 0))

    def focus_editor(self) -> None:
        self._editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- behaviour ------------------------------------------------------------------------

    def _can_send(self) -> bool:
        if self._streaming or self._busy:
            return False
        return bool(self._attachments) or self._has_visible_text()

    def _has_visible_text(self) -> bool:
        # Stops at the first non-space character instead of copying the whole text.
        found = self._editor.document().find(QRegularExpression(r"\S"))
        return not found.isNull()

    def _send(self) -> None:
        if self._can_send():
            self.send_requested.emit(self.text(), self.attachments())

    def _update_controls(self) -> None:
        self._send_button.setEnabled(self._can_send())
        self._stop.setEnabled(self._streaming)

    def _text_changed(self) -> None:
        if self._loading:
            self._update_controls()
        else:
            self._user_changed()

    def _user_changed(self) -> None:
        self._update_controls()
        self._draft_timer.start()

    def _add_pasted_text(self, text: str) -> None:
        self.add_attachment(DraftAttachment("Pasted text", text, "paste"))

    def _attachment_removed(self, attachment: DraftAttachment) -> None:
        self._attachments = [a for a in self._attachments if a is not attachment]
        self._update_tab_order()
        self._user_changed()
        self.focus_editor()  # the ✕ that had focus is gone

    def _model_chosen(self, index: int) -> None:
        key = self._models.itemData(index)
        if isinstance(key, str):
            self.model_changed.emit(key)

    def _choose_files(self) -> None:
        # open(), not exec(): no nested event loop under qasync.
        dialog = QFileDialog(self, "Attach files")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(
            lambda names: self.files_dropped.emit([Path(n) for n in names])
        )
        dialog.open()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Esc reaches here from the editor and the buttons, which do not use it.
        if event.key() == Qt.Key.Key_Escape and self._streaming:
            self.stop_requested.emit()
        else:
            super().keyPressEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._editor.canInsertFromMimeData(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self._editor.insertFromMimeData(event.mimeData())
        event.acceptProposedAction()

    # --- height -----------------------------------------------------------------------------

    def _fit_editor(self) -> None:
        """As tall as the text, from MIN_LINES to MAX_LINES or the window's share, then scroll."""
        editor = self._editor
        line = self._line_height()
        lines = math.ceil(editor.document().documentLayout().documentSize().height())
        margins = editor.contentsMargins()
        # QPlainTextEdit wants one pixel beyond the document margins before it hides the bar.
        chrome = margins.top() + margins.bottom() + 2 * editor.document().documentMargin() + 1
        wanted = math.ceil(max(lines, MIN_LINES) * line + chrome)
        limit = math.ceil(MAX_LINES * line + chrome)
        window = self.window()
        if window is not self:
            share = int(window.height() * MAX_WINDOW_SHARE)
            limit = min(limit, max(share, math.ceil(MIN_LINES * line + chrome)))
        editor.setFixedHeight(min(wanted, limit))

    def _line_height(self) -> float:
        """Measured on the text when it is laid out: Qt rounds lines up to whole pixels."""
        layout = self._editor.document().firstBlock().layout()
        if layout is not None and layout.lineCount() > 0:
            return layout.lineAt(0).height()
        return math.ceil(QFontMetricsF(self._editor.font()).height())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_editor()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        window = self.window()
        if window is not self:
            # The editor's limit follows the window's height. Installing again is a no-op, and a
            # filter left on an earlier window ignores it. No reference to the window is kept:
            # it would make a cycle that the garbage collector tears down in an unsafe order.
            window.installEventFilter(self)
        self._fit_editor()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.window():
            self._fit_editor()
        return False
