"""QuickSwitcher (Ctrl+K): type part of a title, pick a chat with the arrows and Enter.

The search runs in the database (`ThreadFilter(text=...)`), so it finds any chat, not only
the ones the sidebar has loaded; with nothing typed it lists the most recent chats.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFontMetrics, QKeyEvent, QPainter, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.chat.views import ProjectView, ThreadFilter, ThreadPage, ThreadView
from chatdesk.ui.runner import Runner
from chatdesk.ui.sidebar.feeds import relative_time
from chatdesk.ui.sidebar.groups import THREAD_ID_ROLE

if TYPE_CHECKING:  # the service loads SQLAlchemy, which the window's shell does without
    from chatdesk.core.chat.service import ChatService

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
SEARCH_DELAY_MS = 150
SHOWN = 50
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 20  # "Project · 3 h"
_NAVIGATION = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)


class SwitcherModel(QAbstractListModel):
    """The chats found, each with its project's name and how long ago it was active."""

    def __init__(self, now: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._now = now
        self._threads: list[ThreadView] = []
        self._projects: dict[uuid.UUID, str] = {}

    def show_threads(self, threads: Sequence[ThreadView]) -> None:
        self.beginResetModel()
        self._threads = list(threads)
        self.endResetModel()

    def set_projects(self, projects: Sequence[ProjectView]) -> None:
        self._projects = {p.id: p.name for p in projects}
        if self._threads:
            self.dataChanged.emit(self.index(0), self.index(len(self._threads) - 1))

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._threads)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._threads):
            return None
        thread = self._threads[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return thread.title
        if role == THREAD_ID_ROLE:
            return thread.id
        if role in (DETAIL_ROLE, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            detail = self._detail(thread)
            return detail if role == DETAIL_ROLE else f"{thread.title} — {detail}"
        return None

    def _detail(self, thread: ThreadView) -> str:
        when = relative_time(thread.last_activity_at, self._now())
        project = self._projects.get(thread.project_id) if thread.project_id else None
        return f"{project} · {when}" if project else when


class SwitcherDelegate(QStyledItemDelegate):
    """Title on the left, project and time muted on the right."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(0, QFontMetrics(option.font).height() + 14)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette = opt.palette
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        detail_role = text_role if selected else QPalette.ColorRole.PlaceholderText
        metrics = QFontMetrics(opt.font)
        area = opt.rect.adjusted(10, 0, -10, 0)
        detail = str(index.data(DETAIL_ROLE) or "")
        detail = metrics.elidedText(detail, Qt.TextElideMode.ElideLeft, area.width() // 2)
        room = area.width() - metrics.horizontalAdvance(detail) - 16
        title = metrics.elidedText(str(index.data()), Qt.TextElideMode.ElideRight, room)
        painter.save()
        centre = Qt.AlignmentFlag.AlignVCenter
        painter.setPen(palette.color(text_role))
        painter.drawText(area, Qt.AlignmentFlag.AlignLeft | centre, title)
        painter.setPen(palette.color(detail_role))
        painter.drawText(area, Qt.AlignmentFlag.AlignRight | centre, detail)
        painter.restore()


class QueryEdit(QLineEdit):
    """The search line: arrow and page keys move through the results below it."""

    navigated = Signal(QKeyEvent)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _NAVIGATION:
            self.navigated.emit(event)
        else:
            super().keyPressEvent(event)


class QuickSwitcher(QDialog):
    thread_chosen = Signal(object)  # uuid.UUID

    def __init__(
        self,
        service: ChatService,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._search_number = 0  # answers to older searches are dropped
        self._choose_when_found = False  # Enter came before the search it was typed for
        self.setWindowTitle("Go to chat")
        self.setMinimumSize(420, 360)
        self.results_model = SwitcherModel(now or (lambda: datetime.now().astimezone()), self)
        self._build()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search)
        self.query.textChanged.connect(lambda _: self._timer.start())
        self.query.navigated.connect(self._navigate)
        self.query.returnPressed.connect(self._choose)
        self.results.activated.connect(self._choose)
        self.results.clicked.connect(self._choose)

    def _build(self) -> None:
        self.query = QueryEdit()
        self.query.setPlaceholderText("Go to chat…")
        self.query.setClearButtonEnabled(True)
        self.query.setAccessibleName("Chat title")
        self.query.setAccessibleDescription("Type part of a title; arrows pick, Enter opens.")
        self.results = QListView()
        self.results.setModel(self.results_model)
        self.results.setItemDelegate(SwitcherDelegate(self.results))
        self.results.setUniformItemSizes(True)
        self.results.setAccessibleName("Chats found")
        self.results.setAccessibleDescription("Enter or a click opens the chat.")
        self.empty = QLabel()
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty.setAccessibleName("Search status")
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.empty)

    def showEvent(self, event: QShowEvent) -> None:
        """Each opening starts afresh: empty line, recent chats, current project names."""
        super().showEvent(event)
        self.query.clear()
        self.query.setFocus()
        self._runner.run(
            self._service.list_projects(), done=self.results_model.set_projects, quiet=True
        )
        self._search()

    def _search(self) -> None:
        self._timer.stop()
        self._search_number += 1
        number, text = self._search_number, self.query.text().strip()
        where = ThreadFilter(text=text or None)
        call = self._service.list_threads(where, limit=SHOWN)
        self._runner.run(call, done=lambda page: self._found(number, text, page), quiet=True)

    def _found(self, number: int, text: str, page: ThreadPage) -> None:
        if number != self._search_number:
            return
        self.results_model.show_threads(page.threads)
        if page.threads:
            self.results.setCurrentIndex(self.results_model.index(0))
        self.empty.setText(f"No chats match “{text}”." if text else "No chats yet.")
        self.empty.setVisible(not page.threads)
        if self._choose_when_found:
            self._choose_when_found = False
            self._choose()

    def _navigate(self, event: QKeyEvent) -> None:
        QListView.keyPressEvent(self.results, event)

    def _choose(self) -> None:
        if self._timer.isActive():  # Enter typed faster than the search: search first
            self._choose_when_found = True
            self._search()
            return
        thread_id = self.results.currentIndex().data(THREAD_ID_ROLE)
        if isinstance(thread_id, uuid.UUID):
            self.thread_chosen.emit(thread_id)
            self.accept()
