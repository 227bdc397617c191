"""Ctrl+F: find text in the messages on screen, highlighted in place."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeyEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QTextEdit, QToolButton, QWidget

from chatdesk.core.i18n import ntr, tr
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.colours import colours

Documents = Callable[[], Sequence[QTextEdit]]


class FindBar(QWidget):
    def __init__(self, documents: Documents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._documents = documents
        self._hits: list[tuple[QTextEdit, QTextCursor]] = []
        self._current = -1
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        self.field = QLineEdit()
        self.field.setPlaceholderText(tr("Find in this thread"))
        self.field.setAccessibleName(tr("Find in this thread"))
        self.field.textChanged.connect(self.search)
        self.field.returnPressed.connect(self.next)
        self.count = QLabel()
        # translators: the find bar's count of the matches in the thread ("2 of 5")
        self.count.setAccessibleName(tr("Matches"))
        previous = self._tool("↑", tr("Previous match"), self.previous)
        following = self._tool("↓", tr("Next match"), self.next)
        close = self._tool("✕", tr("Close find"), self.close_bar)
        for widget in (self.field, self.count, previous, following, close):
            layout.addWidget(widget)
        self.hide()

    def _tool(self, text: str, name: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setAutoRaise(True)
        button.setAccessibleName(name)
        button.setToolTip(name)
        button.clicked.connect(slot)
        return button

    def open_bar(self) -> None:
        self.show()
        self.field.setFocus()
        self.field.selectAll()
        self.search(self.field.text())

    def close_bar(self) -> None:
        self._mark([])
        self.hide()

    def search(self, text: str) -> None:
        hits: list[tuple[QTextEdit, QTextCursor]] = []
        if text:
            for view in self._documents():
                cursor = view.document().find(text, 0)
                while not cursor.isNull():
                    hits.append((view, cursor))
                    cursor = view.document().find(text, cursor, QTextDocument.FindFlag(0))
        self._mark(hits)
        self._current = -1
        self.next() if hits else self.count.setText(tr("No matches") if text else "")

    def next(self) -> None:
        self._go(+1)

    def previous(self) -> None:
        self._go(-1)

    def _go(self, step: int) -> None:
        if not self._hits:
            return
        self._current = (self._current + step) % len(self._hits)
        view, cursor = self._hits[self._current]
        view.setTextCursor(cursor)
        view.ensureCursorVisible()
        parent = view.parentWidget()
        while parent is not None and not hasattr(parent, "ensureWidgetVisible"):
            parent = parent.parentWidget()
        if parent is not None:
            rect = view.cursorRect(cursor)
            parent.ensureWidgetVisible(view, 50, max(50, rect.bottom()))
        # translators: which match of how many the find bar shows ("2 of 5")
        shown = ntr(
            "{current} of {n}", "{current} of {n}", len(self._hits), current=self._current + 1
        )
        self.count.setText(shown)

    def _mark(self, hits: list[tuple[QTextEdit, QTextCursor]]) -> None:
        for view, _ in self._hits:
            view.setExtraSelections([])
        self._hits = hits
        by_view: dict[int, list[QTextEdit.ExtraSelection]] = {}
        views: dict[int, QTextEdit] = {}
        roles = colours(current_look())
        for view, cursor in hits:
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            selection.format.setBackground(QColor(roles["find"]))
            selection.format.setForeground(QColor(roles["on_find"]))
            by_view.setdefault(id(view), []).append(selection)
            views[id(view)] = view
        for key, selections in by_view.items():
            views[key].setExtraSelections(selections)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        super().keyPressEvent(event)
