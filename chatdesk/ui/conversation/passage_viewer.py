"""A cited passage in its document: the document's text as it was indexed (read through the
Runner, never on the GUI thread), scrolled to the passage and highlighted, with "Save original
as…" while the file on disk is still the one indexed. A document no longer in its base shows the
passage the answer was given, saying so; a very long one shows the text around the passage
(laying out 20 MB of text takes the GUI thread over half a second)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.errors import ChatdeskError, NotFound
from chatdesk.core.i18n import mark, number, tr
from chatdesk.core.units import format_size
from chatdesk.ui.runner import Runner

if TYPE_CHECKING:
    from chatdesk.core.knowledge.model import DocumentText
    from chatdesk.core.knowledge.service import Knowledge
    from chatdesk.core.views import CitedSource
    from chatdesk.ui.conversation.page_viewer import PageViewer

MAX_SHOWN = 1_000_000  # characters set at once (~20 ms); a longer document shows a window
WINDOW = 200_000  # characters around the passage when it does
REMOVED = mark(
    "This document was removed from the knowledge base; the passage the answer was given is shown."
)
CHANGED = mark(
    "The document has changed since this answer; the passage the answer was given is shown."
)
NOT_HERE = mark(
    "This passage came with an imported chat; its document is not in your knowledge bases."
)


def title_of(source: CitedSource) -> str:
    name = source.name or tr("Passage")
    return f"{name} — {source.location}" if source.location else name


class PassageViewer(QDialog):
    def __init__(
        self, source: CitedSource, knowledge: Knowledge, runner: Runner, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.source = source
        self._knowledge = knowledge
        self._runner = runner
        self.offset = 0  # where in the document the shown text begins (a window of a long one)
        self.setWindowTitle(title_of(source))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._build()
        self.resize(820, 640)
        if source.document_id is None:
            self._show_passage_only(tr(NOT_HERE))
        else:
            self._runner.run(
                knowledge.document(source.document_id),
                done=self.show_document,
                failure=self._not_read,
                owner=self,
            )

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        where = " · ".join(p for p in (self.source.path, self.source.base) if p)
        self.where = QLabel(where)
        self.where.setObjectName("passageWhere")
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = QLabel()
        self.note.setObjectName("passageNote")
        self.note.setWordWrap(True)
        self.note.hide()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName(tr("Text of {name}", name=self.source.name))
        self.text.setPlaceholderText(tr("Reading the document…"))
        self.status = QLabel()
        self.status.setObjectName("passageStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton(tr("Save original as…"))
        self.save_button.setToolTip(tr("Save a copy of the file, if it has not changed since"))
        self.save_button.setEnabled(False)  # once the document is read
        self.save_button.clicked.connect(self.ask_where_to_save)
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        for widget in (self.where, self.note, self.text):
            layout.addWidget(widget)
        layout.addLayout(buttons)

    # -- the text --------------------------------------------------------------------------------

    def show_document(self, document: DocumentText) -> None:
        source, text = self.source, document.text
        start = source.start
        if text[start : source.end] != source.text:  # offsets of another version: look for it
            start = text.find(source.text) if source.text else -1
        if start < 0:
            self._show_passage_only(tr(CHANGED))
            return
        end = start + len(source.text)
        self.offset = 0
        if len(text) > MAX_SHOWN:
            self.offset = _line_start(text, max(0, start - WINDOW // 2))
            upto = min(len(text), max(end, self.offset + WINDOW))
            size = format_size(len(text.encode("utf-8", "surrogatepass")))
            self._say(
                tr(
                    "This document holds {size} of text; the part around the passage is shown "
                    "(characters {first} to {last} of {count}).",
                    size=size,
                    first=number(self.offset + 1),
                    last=number(upto),
                    count=number(len(text)),
                )
            )
            text = text[self.offset : upto]
        self.text.setPlainText(text)
        self._mark(start - self.offset, end - self.offset)
        self.save_button.setEnabled(True)

    def _show_passage_only(self, why: str) -> None:
        self._say(why)
        self.text.setPlainText(self.source.text)
        self._mark(0, len(self.source.text))

    def _mark(self, start: int, end: int) -> None:
        """Highlight the passage in the theme's selection colours and scroll it to the middle."""
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        colours = QTextCharFormat()
        palette = self.text.palette()
        colours.setBackground(palette.color(QPalette.ColorRole.Highlight))
        colours.setForeground(palette.color(QPalette.ColorRole.HighlightedText))
        selection.format = colours
        self.text.setExtraSelections([selection])
        at = QTextCursor(self.text.document())
        at.setPosition(end)
        self.text.setTextCursor(at)  # the passage's end in view, then its start at the middle
        self.text.ensureCursorVisible()
        at.setPosition(start)
        self.text.setTextCursor(at)
        self.text.centerCursor()

    def passage(self) -> tuple[int, int]:
        """Where the highlighted passage is in the document (for tests and screenshots)."""
        [selection] = self.text.extraSelections()
        cursor = selection.cursor
        return self.offset + cursor.selectionStart(), self.offset + cursor.selectionEnd()

    def _not_read(self, error: ChatdeskError) -> None:
        self._show_passage_only(tr(REMOVED) if isinstance(error, NotFound) else str(error))

    def _say(self, words: str) -> None:
        self.note.setText(words)
        self.note.show()

    # -- saving ----------------------------------------------------------------------------------

    def ask_where_to_save(self) -> None:
        dialog = QFileDialog(self, tr("Save {name}", name=self.source.name))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(self.source.name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.save_to(Path(name)))
        dialog.open()  # not exec() or getSaveFileName(): no nested event loop under qasync

    def save_to(self, target: Path) -> None:
        if self.source.document_id is None:
            return
        self.status.setProperty("state", "")
        self.status.setText(tr("Saving {name}…", name=target.name))

        def saved(_: object) -> None:
            self.status.setText(tr("Saved {path}", path=target))

        def failed(error: ChatdeskError) -> None:
            self.status.setProperty("state", "error")
            self.status.style().polish(self.status)
            self.status.setText(str(error))

        call = self._knowledge.save_original(self.source.document_id, target)
        self._runner.run(call, done=saved, failure=failed, owner=self)


class Passages(QObject):
    """Opens an answer's sources in viewers, one per click, each on its own: a passage in its
    document, a web page's text as it was read (`page_viewer.py`), whose Open page goes through
    `open_link(url, parent)`, the window's confirmation."""

    def __init__(
        self,
        window: QWidget,
        knowledge: Knowledge,
        runner: Runner,
        open_link: Callable[[str, QWidget], None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._knowledge = knowledge
        self._runner = runner
        self._open_link = open_link
        self.viewers: list[PassageViewer | PageViewer] = []  # open, for tests and screenshots

    def open(self, source: CitedSource) -> PassageViewer | PageViewer:
        viewer: PassageViewer | PageViewer
        if source.is_web:
            from chatdesk.ui.conversation.page_viewer import PageViewer

            viewer = PageViewer(source, self._open_link, self._window)
        else:
            viewer = PassageViewer(source, self._knowledge, self._runner, self._window)
        viewer.destroyed.connect(
            lambda: self.viewers.remove(viewer) if viewer in self.viewers else None
        )
        self.viewers.append(viewer)
        viewer.show()
        return viewer


def _line_start(text: str, at: int) -> int:
    """The start of the line `at` is on, unless that is far back (one huge line)."""
    found = text.rfind("\n", max(0, at - 2_000), at)
    return found + 1 if found >= 0 else at
