"""SearchPalette (Ctrl+K): type, see chats and messages that match, Enter opens one.

Searches run as the user types, a short pause after the last key, through the window's Runner
(the index is read on the store's threads, never on this one); an answer to an older query is
dropped. With nothing typed it lists the most recent chats, so going to a chat by its title
works as it always did. Titles are found by the index's words and also by the text as typed
(the start of a title word, say), chats first, then messages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.core.views import ProjectView, ThreadFilter, ThreadView
from chatdesk.ui.runner import Runner
from chatdesk.ui.search.delegate import ResultDelegate
from chatdesk.ui.search.filters import Chosen, FilterRow
from chatdesk.ui.search.results import (
    THREAD_ROWS,
    Kind,
    ResultsModel,
    Row,
    found_rows,
    recent_rows,
)

if TYPE_CHECKING:  # both load SQLAlchemy, long loaded when the palette is first opened
    from chatdesk.core.search import Search
    from chatdesk.core.service import ChatService

SEARCH_DELAY_MS = 120
SHOWN = 50  # messages per search; recent chats with nothing typed
HINT = mark("↑↓ choose · Enter opens · Tab filters · Esc closes")
_NAVIGATION = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
STYLE = """
#searchQuery { font-size: 15px; padding: 5px 6px; }
#searchStatus, #searchHint { color: palette(placeholder-text); }
"""
Found = tuple[list[Row], list[ProjectView]]


class QueryEdit(QLineEdit):
    """The search line: arrow and page keys move through the results below it."""

    navigated = Signal(QKeyEvent)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _NAVIGATION:
            self.navigated.emit(event)
        else:
            super().keyPressEvent(event)


class SearchPalette(QDialog):
    thread_chosen = Signal(object)  # thread id
    message_chosen = Signal(object, object)  # thread id, message id
    results_shown = Signal()  # the rows for the query as it stands are on screen

    def __init__(
        self,
        service: ChatService,
        search: Search,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._search = search
        self._runner = runner
        self._now = now or (lambda: datetime.now().astimezone())
        self._asked = 0  # searches started; an answer to an older one is dropped
        self._shown = 0  # the search whose rows are on screen
        self._choose_when_found = False  # Enter came before the rows it was typed for
        self.setWindowTitle(tr("Search"))
        self.resize(680, 480)
        self.results_model = ResultsModel(self)
        self._build()
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.query.textChanged.connect(lambda _: self._timer.start())
        self.query.navigated.connect(lambda event: QListView.keyPressEvent(self.results, event))
        self.filters.changed.connect(self.search_now)
        self.results.clicked.connect(self._choose)
        self.results.activated.connect(self._choose)

    def _build(self) -> None:
        self.query = QueryEdit()
        self.query.setObjectName("searchQuery")
        self.query.setPlaceholderText(tr("Search chats and messages…"))
        self.query.setClearButtonEnabled(True)
        self.query.setAccessibleName(tr("Search"))
        self.query.setAccessibleDescription(
            tr(
                "Type words from a title or a message; arrows pick, Enter opens, Tab reaches "
                "filters."
            )
        )
        for button in self.query.findChildren(QToolButton):  # the line edit's clear button
            button.setAccessibleName(tr("Clear the search"))
            button.defaultAction().setToolTip(tr("Clear the search"))  # the button copies it
        self.filters = FilterRow(self._now)
        self.results = QListView()
        self.results.setModel(self.results_model)
        self.results.setItemDelegate(ResultDelegate(self.results))
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setResizeMode(QListView.ResizeMode.Adjust)  # rows wrap to the new width
        self.results.setAccessibleName(tr("Results"))
        self.results.setAccessibleDescription(tr("Enter or a click opens the chat or the message."))
        self.status = self._muted("searchStatus", tr("Search status"))
        # translators: the name, for screen readers, of the line saying which keys do what
        hint = self._muted("searchHint", tr("Keys"))
        hint.setText(tr(HINT))
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(hint)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.filters)
        layout.addWidget(self.results, 1)
        layout.addLayout(bottom)
        self.setTabOrder(self.query, self.filters)
        self.setStyleSheet(STYLE)

    @staticmethod
    def _muted(name: str, accessible: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)  # it quotes what was typed
        label.setAccessibleName(accessible)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        return label

    def showEvent(self, event: QShowEvent) -> None:
        """Each opening shows the last query, selected (typing replaces it), searched again."""
        super().showEvent(event)
        self.query.selectAll()
        self.query.setFocus()
        self.search_now()

    # -- searching -------------------------------------------------------------------------------

    @property
    def searching(self) -> bool:
        """The rows on screen are not yet those of the query as it stands."""
        return self._timer.isActive() or self._shown != self._asked

    def search_now(self) -> None:
        self._timer.stop()
        self._asked += 1
        number, text, chosen = self._asked, self.query.text().strip(), self.filters.chosen()
        titles = self.filters.thread_filter(text or None)
        call = self._find(text, chosen, titles)
        self._runner.run(call, done=lambda found: self._found(number, text, found), quiet=True)

    async def _find(self, text: str, chosen: Chosen, titles: ThreadFilter) -> Found:
        projects = await self._service.list_projects()
        names = {p.id: p.name for p in projects}
        if not text:
            page = await self._service.list_threads(titles, limit=SHOWN)
            return recent_rows(page.threads, names, self._now()), projects
        results = await self._search.search(text, filters=chosen.search, limit=SHOWN)
        titled: Sequence[ThreadView] = ()
        if chosen.titles_too:
            titled = (await self._service.list_threads(titles, limit=THREAD_ROWS)).threads
        return found_rows(results, titled, names, self._now()), projects

    def _found(self, number: int, text: str, found: Found) -> None:
        if number != self._asked:
            return
        rows, projects = found
        self._shown = number
        self.filters.set_projects(projects)
        self.results_model.show_rows(rows)
        if rows:
            self.results.setCurrentIndex(self.results_model.index(0))
        self.status.setText(_status(text, rows))
        self.results_shown.emit()
        if self._choose_when_found:
            self._choose_when_found = False
            self._choose()

    # -- choosing --------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER:  # from the query, the list or a filter: open the row
            self._choose()
            return
        super().keyPressEvent(event)

    def _choose(self) -> None:
        if not self.isVisible():
            return
        if self.searching:
            self._choose_when_found = True  # Enter typed faster than the search: wait for it
            if self._timer.isActive():
                self.search_now()
            return
        row = self.results_model.row_at(self.results.currentIndex())
        if row is None:
            return
        self.accept()
        if row.kind is Kind.THREAD:
            self.thread_chosen.emit(row.thread_id)
        else:
            self.message_chosen.emit(row.thread_id, row.message_id)


def _status(text: str, rows: Sequence[Row]) -> str:
    if not rows:
        return tr("No results for “{text}”.", text=text) if text else tr("No chats yet.")
    if not text:
        return ""
    chats = sum(1 for r in rows if r.kind is Kind.THREAD)
    messages = len(rows) - chats
    counted = []
    if chats:  # "+": there may be more than were read
        if chats >= THREAD_ROWS:
            counted.append(ntr("{n}+ chat", "{n}+ chats", chats))
        else:
            counted.append(ntr("{n} chat", "{n} chats", chats))
    if messages:
        if messages >= SHOWN:
            counted.append(ntr("{n}+ message", "{n}+ messages", messages))
        else:
            counted.append(ntr("{n} message", "{n} messages", messages))
    return " · ".join(counted)
