"""The text the user had selected or copied, offered to the quick window's question as a quoted
context chip. Never added by itself: one key adds it (Alt+C, or Space on the chip's button) and
the same key takes it out again. Where the system has a selection of its own (X11's primary
selection: the text highlighted last, in any program) that is offered, else the clipboard's
text. A long text shows shortened on the chip and is sent whole up to `SENT_LIMIT` characters;
past that the chip and the message say how much was left out."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QClipboard, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from chatdesk.core.i18n import ntr, number, tr
from chatdesk.ui.theme.scale import SPACE

SENT_LIMIT = 20_000  # characters of context a question carries at most
SHOWN_LIMIT = 140  # characters of it the chip shows


def offered_text() -> str:
    """The selection (where the system has one and it holds text), else the clipboard's text;
    "" when neither holds any."""
    clipboard = QGuiApplication.clipboard()
    if clipboard.supportsSelection():
        selected = clipboard.text(QClipboard.Mode.Selection)
        if selected.strip():
            return selected
    copied = clipboard.text(QClipboard.Mode.Clipboard)
    return copied if copied.strip() else ""


def shortened(text: str, limit: int = SHOWN_LIMIT) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def with_context(question: str, context: str) -> str:
    """The message sent: the context quoted (up to `SENT_LIMIT` characters, and a note of what
    was left out past it), then the question."""
    if not context.strip():
        return question
    kept = context[:SENT_LIMIT]
    quoted = "\n".join(f"> {line}" if line else ">" for line in kept.splitlines())
    if len(context) > SENT_LIMIT:
        left_out = len(context) - SENT_LIMIT
        quoted += "\n>\n> " + ntr(
            "[…{count} more character left out]",
            "[…{count} more characters left out]",
            left_out,
            count=number(left_out),
        )
    return f"{quoted}\n\n{question}"


class ContextChip(QFrame):
    """The offered text, quoted and shortened, with the button that adds it to the question or
    takes it out (`added`). Hidden while nothing is offered."""

    added_changed = Signal(bool)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("quickContext")
        self.text = ""
        self.added = False
        self._quoted = ""  # the quote as shown whole, elided to the chip's width
        row = QHBoxLayout(self)
        row.setContentsMargins(SPACE["m"], SPACE["xs"], SPACE["xs"], SPACE["xs"])
        row.setSpacing(SPACE["s"])
        self.quote = QLabel(self)
        self.quote.setObjectName("quickContextQuote")
        self.quote.setTextFormat(Qt.TextFormat.PlainText)
        self.quote.setMinimumWidth(1)  # the text is cut to fit, never the window widened
        self.note = QLabel(self)
        self.note.setObjectName("quickContextNote")
        self.button = QToolButton(self)
        self.button.setObjectName("quickContextButton")
        self.button.clicked.connect(self.toggle)
        row.addWidget(self.quote, 1)
        row.addWidget(self.note)
        row.addWidget(self.button)
        self.hide()

    def offer(self, text: str) -> None:
        """Offer `text` (not added); "" offers nothing."""
        self.text, self.added = text, False
        self.setVisible(bool(text))
        self._quoted = f"“{shortened(text)}”"
        self._elide()
        self.quote.setToolTip(shortened(text, 600))
        chars = len(text)
        self.note.setVisible(chars > SENT_LIMIT)
        self.note.setText(
            # translators: a long quoted text is sent cut to its first {sent} characters
            ntr(
                "first {sent} of {count} character sent",
                "first {sent} of {count} characters sent",
                chars,
                sent=number(SENT_LIMIT),
                count=number(chars),
            )
        )
        self._show()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        """The quote cut with an ellipsis where the chip ends, never mid-letter."""
        width = max(self.quote.width(), 1)
        elided = self.quote.fontMetrics().elidedText(
            self._quoted, Qt.TextElideMode.ElideRight, width
        )
        self.quote.setText(elided)

    def toggle(self) -> None:
        """Add the offered text to the question, or take it out."""
        if not self.text:
            return
        self.added = not self.added
        self._show()
        self.added_changed.emit(self.added)

    def context(self) -> str:
        """What goes with the question: the text when added, else nothing."""
        return self.text if self.added else ""

    def _show(self) -> None:
        self.setProperty("added", self.added)
        for part in (self, self.quote, self.note):  # their rules follow the chip's state
            part.style().unpolish(part)
            part.style().polish(part)
        self.button.setText(
            # translators: takes the quoted text out of the quick question again (Alt+C)
            tr("Remove (Alt+C)")
            if self.added
            # translators: adds the selected or copied text to the quick question (Alt+C)
            else tr("Add as context (Alt+C)")
        )
        self.button.setAccessibleName(
            tr("Remove the quoted text from the question")
            if self.added
            else tr("Add the quoted text to the question")
        )
        self.setAccessibleName(tr("Selected or copied text"))
        self.setAccessibleDescription(
            tr("Added to the question: {text}", text=shortened(self.text))
            if self.added
            else tr("Offered, not added: {text}", text=shortened(self.text))
        )
