"""The Sidebar: flat rows from top to bottom. New chat and Search (which opens the window's
search, Ctrl+K); the thread tree, its Projects heading ending in a New project button; and the
Archived row, which shows the archived chats instead. Typing in the list filters it by title:
the filter field shows above the list while it holds text (decision 0095).

All changes go to the service through the Runner; the tree updates when the service's events
come back, so a change made elsewhere (another window, the CLI flow in the same process) shows
the same way as one made here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFocusEvent, QIcon, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.ui.runner import Runner
from chatdesk.ui.sidebar import snapshot
from chatdesk.ui.sidebar.actions import SidebarActions
from chatdesk.ui.sidebar.delegate import SidebarDelegate
from chatdesk.ui.sidebar.flat_row import INSET, PADDING
from chatdesk.ui.sidebar.model import ThreadTreeModel
from chatdesk.ui.sidebar.placeholder import (
    MARGIN,
    MIN_WIDTH,
    SPACING,
    archived_row,
    new_project_button,
    top_rows,
)
from chatdesk.ui.sidebar.widgets import NoticeBar, ThreadTree
from chatdesk.ui.theme import current_look
from chatdesk.ui.theme.icons import icon, set_icon

if TYPE_CHECKING:  # the service loads SQLAlchemy, which the window's shell does without
    from chatdesk.core.service import ChatService

_POPUP = Qt.FocusReason.PopupFocusReason
_ANOTHER_WINDOW = Qt.FocusReason.ActiveWindowFocusReason
FILTER_DELAY_MS = 150  # typing pauses shorter than this do not start a search
PREFETCH_PX = 300  # read the next page when its place is this close to the viewport


class Sidebar(QWidget):
    thread_selected = Signal(object)  # uuid.UUID, chosen by the user
    new_chat_requested = Signal(object)  # the project's uuid.UUID, or None
    search_requested = Signal()  # the Search row: the window opens its search

    def __init__(
        self,
        service: ChatService,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._selected: uuid.UUID | None = None
        self._revealing: uuid.UUID | None = None  # shown, its row to be brought into view
        self._open_projects: set[uuid.UUID] = set()
        self.model = ThreadTreeModel(service, runner, self, now=now)
        self.setMinimumWidth(MIN_WIDTH)
        self._build()
        self.commands = SidebarActions(service, runner, self.model, self.tree, self.notice, self)
        self._connect()

    # -- public ----------------------------------------------------------------------------------

    def start(self) -> None:
        self.model.start()

    def select(self, thread_id: uuid.UUID | None, project_id: uuid.UUID | None = None) -> None:
        """Highlight the thread the window shows (None: a new chat, nothing highlighted),
        without emitting `thread_selected`; it stays highlighted, found again by its id,
        whatever the list does next (`_keep_selection`). Its row is brought into view: in
        `project_id` (the project it is in), a closed project is opened, its threads read, and
        the row shown when it comes."""
        self._selected, self._revealing = thread_id, None
        index = self._keep_selection(told=True)
        if index.isValid():
            self._reveal(index)
        elif thread_id is not None and project_id is not None:
            self._revealing = thread_id
            self.tree.expand(self.model.index_of_project(project_id))

    def _reveal(self, index: QModelIndex) -> None:
        self._revealing = None
        if index.parent().isValid() and index.parent() != self.tree.rootIndex():
            self.tree.expand(index.parent())
        self.tree.scrollTo(index)

    @property
    def selected(self) -> uuid.UUID | None:
        """The thread the highlight is on, if any."""
        thread = self.model.thread_at(self.tree.currentIndex())
        selected = self.tree.selectionModel().isSelected(self.tree.currentIndex())
        return thread.id if thread is not None and selected else None

    def _keep_selection(self, *, told: bool = False) -> QModelIndex:
        """The highlight goes to the shown thread's row, looked up by id, or nowhere. Qt keeps
        a highlight on a row number as rows come, go and move between groups, so after a pin,
        a delete or a re-sort the row under it may be another chat's. With a new chat shown,
        rows changing leave alone a highlight the keys moved (`told`: the window said so)."""
        wanted = self._selected
        if wanted is None and not told:
            return QModelIndex()
        index = self.model.index_of_thread(wanted) if wanted is not None else QModelIndex()
        current = self.tree.currentIndex()
        chosen = self.tree.selectionModel()
        if index.isValid():
            if current != index or not chosen.isSelected(index):
                flags = chosen.SelectionFlag.ClearAndSelect
                chosen.setCurrentIndex(index, flags)
            if self._revealing == wanted:  # read since it was shown: brought into view now
                self._reveal(index)
        elif current.isValid() or chosen.hasSelection():
            chosen.clearSelection()
            chosen.setCurrentIndex(QModelIndex(), chosen.SelectionFlag.Clear)
        return index

    def rename(self, thread_id: uuid.UUID) -> None:
        """Start renaming a thread in place (F2 anywhere in the window)."""
        self.select(thread_id)
        index = self.tree.currentIndex()
        if index.isValid():
            self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.tree.edit(index)

    def kept_rows(self) -> list[snapshot.GroupRow] | None:
        """The rows to show at the next start (`snapshot.py`): those of the usual view, or
        None when the list shows the archive or a filter, which the next start would not."""
        if self.archived.isChecked() or self.filter.text():
            return None
        return snapshot.take(self.tree)

    def menu_for(self, index: QModelIndex) -> QMenu | None:
        """The context menu of a row, or None (tests trigger its actions directly)."""
        return self.commands.menu_for(index)

    # -- layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.new_chat, self.search = top_rows()
        _describe(self.new_chat, tr("New chat"), tr("Starts a new chat in no project."))
        _describe(
            self.search,
            tr("Search", context="chats"),
            tr("Opens the search of every chat's title and messages."),
        )
        self.filter = self._filter_field()
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setContentsMargins(INSET + PADDING, 0, INSET + PADDING, 0)  # as the titles
        self.caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        _describe(self.caption, tr("List status"), tr("What the chat list shows now."))
        self.tree = ThreadTree()
        self.tree.setModel(self.model)
        self.delegate = SidebarDelegate(self.tree)
        self.tree.setItemDelegate(self.delegate)
        # At the end of the Projects heading, kept there by the tree as the list moves.
        self.new_project = new_project_button(self.tree)
        self.tree.heading_button = self.new_project
        _describe(
            self.tree,
            tr("Chats"),
            tr(
                "Enter opens a chat, F2 renames it, Delete deletes it, the menu key shows more; "
                "typing filters the list."
            ),
        )
        self.notice = NoticeBar()
        self.archived = archived_row()
        _describe(
            self.archived, tr("Archived chats"), tr("Shows archived chats instead of the others.")
        )
        self._lay_out()
        self._paint_icons()

    def _filter_field(self) -> FilterEdit:
        """The field that filters the list by title: hidden until the list is typed in."""
        field = FilterEdit()
        field.setPlaceholderText(tr("Filter chats"))
        field.setClearButtonEnabled(True)
        self._search_mark = field.addAction(QIcon(), QLineEdit.ActionPosition.LeadingPosition)
        _describe(field, tr("Filter chats"), tr("Shows only chats whose title contains this text."))
        for button in field.findChildren(QToolButton):  # the line edit's own icons
            if button.defaultAction() is self._search_mark:
                # translators: the magnifier in the chat list's filter
                name = tr("Search")
            else:
                name = tr("Clear the filter")
            button.setAccessibleName(name)
            # On the action: its button takes the tooltip again from it at each change (the
            # mark's icon follows the theme).
            button.defaultAction().setToolTip(name)
        field.hide()
        return field

    def _paint_icons(self) -> None:
        look = current_look()
        set_icon(self.new_chat, "new-chat", look, "text")
        set_icon(self.search, "search", look, "text")
        set_icon(self.archived, "archive", look, "text")
        set_icon(self.notice.dismiss, "close", look, "text")
        self._search_mark.setIcon(icon("search", look))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # the theme changed: the filter's mark
            self._search_mark.setIcon(icon("search", current_look()))  # (buttons: set_icon)
        super().changeEvent(event)

    def _lay_out(self) -> None:
        filter_row = QHBoxLayout()  # the field lined up with the rows' ground
        filter_row.setContentsMargins(INSET, SPACING, INSET, 0)
        filter_row.addWidget(self.filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        layout.setSpacing(0)  # the rows' own height spaces them, as the list's rows
        layout.addWidget(self.new_chat)
        layout.addWidget(self.search)
        layout.addLayout(filter_row)
        layout.addSpacing(SPACING)
        layout.addWidget(self.caption)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.notice)
        layout.addWidget(self.archived)
        self.caption.hide()
        QWidget.setTabOrder(self.new_chat, self.search)
        QWidget.setTabOrder(self.search, self.filter)
        QWidget.setTabOrder(self.filter, self.tree)
        QWidget.setTabOrder(self.tree, self.new_project)  # in the list: right after it
        QWidget.setTabOrder(self.new_project, self.notice.action)
        QWidget.setTabOrder(self.notice.action, self.notice.dismiss)
        QWidget.setTabOrder(self.notice.dismiss, self.archived)

    def _connect(self) -> None:
        self._filter_timer = _single_shot(self, FILTER_DELAY_MS, self._apply_view)
        self._fetch_timer = _single_shot(self, 0, self._fetch_visible)
        self.new_chat.clicked.connect(lambda: self.new_chat_requested.emit(None))
        self.search.clicked.connect(self.search_requested)
        self.new_project.clicked.connect(self.commands.create_project)
        self.commands.new_chat_requested.connect(self.new_chat_requested)
        self.filter.textChanged.connect(lambda _: self._filter_timer.start())
        self.filter.textChanged.connect(lambda _: self._show_filter())
        self.filter.left.connect(self._show_filter)
        self.filter.moved_down.connect(self._enter_list)
        self.tree.typed.connect(self._filter_from_list)
        self.filter.returnPressed.connect(self._open_first)
        self.archived.toggled.connect(self._apply_view)
        self.tree.thread_activated.connect(self._activated)
        self.tree.delete_requested.connect(self.commands.ask_delete)
        self.tree.menu_requested.connect(self._show_menu)
        self.tree.expanded.connect(lambda i: self._remember_open(i, True))
        self.tree.collapsed.connect(lambda i: self._remember_open(i, False))
        self.tree.verticalScrollBar().valueChanged.connect(lambda _: self._fetch_timer.start())
        self.delegate.renamed.connect(self.commands.rename)
        self.delegate.rename_refused.connect(
            lambda: self.notice.show_notice(tr("A name cannot be empty; the old one was kept."))
        )
        model = self.model
        model.modelReset.connect(self._after_reset)
        model.rowsInserted.connect(self._after_insert)
        model.rowsRemoved.connect(lambda *_: self._after_change())
        model.rowsMoved.connect(lambda *_: self._keep_selection())
        model.layoutChanged.connect(lambda *_: self._keep_selection())
        model.page_loaded.connect(self._after_change)
        model.clock.ticked.connect(self.tree.viewport().update)  # the rows' ages move on

    # -- keeping the tree in shape ---------------------------------------------------------------

    def _after_reset(self) -> None:
        self.tree.setRootIndex(self.model.flat_root())
        for row in range(self.model.rowCount()):
            self._open_group(self.model.index(row, 0))
        self._after_change()

    def _after_insert(self, parent: QModelIndex, first: int, last: int) -> None:
        if not parent.isValid():
            for row in range(first, last + 1):
                self._open_group(self.model.index(row, 0))
        self._after_change()

    def _after_change(self) -> None:
        self._keep_selection()
        self._update_caption()
        self._fetch_timer.start()

    def _open_group(self, index: QModelIndex) -> None:
        """Date and pinned groups are always open; projects stay as the user left them."""
        project = self.model.project_at(index)
        if project is None or project.id in self._open_projects:
            self.tree.expand(index)

    def _remember_open(self, index: QModelIndex, is_open: bool) -> None:
        project = self.model.project_at(index)
        if project is None and not is_open:
            self.tree.expand(index)  # Left or "-" on a date header: those stay open
        elif project is not None:
            (self._open_projects.add if is_open else self._open_projects.discard)(project.id)
        self._fetch_timer.start()

    def _fetch_visible(self) -> None:
        """Read the next page of every open group whose end is on screen, or nearly."""
        model, tree = self.model, self.tree
        parents = (
            [tree.rootIndex()]
            if model.is_flat
            else [model.index(row, 0) for row in range(model.rowCount())]
        )
        bottom = tree.viewport().height() + PREFETCH_PX
        for parent in parents:
            if not model.canFetchMore(parent):
                continue
            if not model.is_flat and not tree.isExpanded(parent):
                continue
            rows = model.rowCount(parent)
            end = tree.visualRect(model.index(rows - 1, 0, parent)) if rows else None
            if end is None or end.top() <= bottom:
                model.fetchMore(parent)

    def _update_caption(self) -> None:
        text = self.filter.text().strip()
        if not self.model.is_flat:
            self.caption.hide()
            return
        empty = self.model.rowCount(self.tree.rootIndex()) == 0 and not self.model.loading
        if text and self.archived.isChecked():
            if empty:
                words = tr("No archived chats match “{text}”.", text=text)
            else:
                words = tr("Archived, “{text}”", text=text)
        elif text:
            if empty:
                words = tr("No chats match “{text}”.", text=text)
            else:
                words = tr("Titles containing “{text}”", text=text)
        else:
            words = tr("No archived chats.") if empty else tr("Archived chats")
        self.caption.setText(words)
        self.caption.show()

    # -- user actions ----------------------------------------------------------------------------

    def _apply_view(self) -> None:
        self._filter_timer.stop()
        self.model.set_view(archived=self.archived.isChecked(), text=self.filter.text())
        self._update_caption()

    def _show_filter(self) -> None:
        """The filter field shows while it holds text or has the keys, hidden otherwise."""
        self.filter.setVisible(bool(self.filter.text()) or self.filter.hasFocus())

    def _filter_from_list(self, text: str) -> None:
        """A letter typed in the list starts (or goes on with) filtering it by title."""
        self.filter.show()
        self.filter.setFocus(Qt.FocusReason.OtherFocusReason)
        self.filter.end(False)
        self.filter.insert(text)

    def _activated(self, thread_id: uuid.UUID) -> None:
        self._selected = thread_id
        self.thread_selected.emit(thread_id)

    def _enter_list(self) -> None:
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.tree.currentIndex().isValid():
            first = self._first_thread()
            if first.isValid():
                self.tree.setCurrentIndex(first)

    def _open_first(self) -> None:
        """Enter in the filter opens the first match."""
        self._apply_view()
        first = self._first_thread()
        thread = self.model.thread_at(first)
        if thread is not None:
            self.tree.setCurrentIndex(first)
            self._activated(thread.id)

    def _first_thread(self) -> QModelIndex:
        root = self.tree.rootIndex()
        for row in range(self.model.rowCount(root)):
            index = self.model.index(row, 0, root)
            if self.model.thread_at(index) is not None:
                return index
            if self.tree.isExpanded(index) and self.model.rowCount(index):
                return self.model.index(0, 0, index)
        return QModelIndex()

    def _show_menu(self, index: QModelIndex, where: QPoint) -> None:
        menu = self.menu_for(index)
        if menu is not None:
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.popup(where)


class FilterEdit(QLineEdit):
    """The filter box: Down goes to the list; Escape clears, or leaves when already empty."""

    moved_down = Signal()
    left = Signal()  # the keys went elsewhere

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        # Not for its own context menu, nor while another window is in front.
        if event.reason() not in (_POPUP, _ANOTHER_WINDOW):
            self.left.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.moved_down.emit()
        elif event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
        elif event.key() == Qt.Key.Key_Escape:
            self.moved_down.emit()
        else:
            super().keyPressEvent(event)


def _single_shot(owner: QObject, delay_ms: int, slot: Callable[[], None]) -> QTimer:
    timer = QTimer(owner)
    timer.setSingleShot(True)
    timer.setInterval(delay_ms)
    timer.timeout.connect(slot)
    return timer


def _describe(widget: QWidget, name: str, description: str) -> None:
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(description)
