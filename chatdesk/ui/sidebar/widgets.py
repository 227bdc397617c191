"""The sidebar's two small widgets: the thread tree and the notice bar (with Undo)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QKeyEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QTreeView,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.ui.sidebar.delegate import heading_button_place
from chatdesk.ui.sidebar.roles import GROUP_KIND_ROLE, THREAD_ID_ROLE, GroupKind

_KEY = Qt.Key


class ThreadTree(QTreeView):
    """A tree that says when the user (not the program) picks a thread or asks to delete.

    Arrow keys only move the highlight; a click or Enter opens a thread, so moving through
    the list does not load every conversation on the way. A letter typed is handed on
    (`typed`), to filter the list by, rather than jumping to a title that starts with it.
    """

    thread_activated = Signal(object)  # uuid.UUID
    delete_requested = Signal(QModelIndex)  # a thread or a project row
    menu_requested = Signal(QModelIndex, QPoint)  # the row, where to show it (global)
    typed = Signal(str)  # what a key typed in the list wrote

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A button kept at the end of the Projects heading (the sidebar's New project); a
        # child of the viewport, not an index widget, which would take the keys from the list
        # each time the heading becomes the current row.
        self.heading_button: QWidget | None = None
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(0)  # the delegate indents a project's threads itself
        self.setUniformRowHeights(False)
        self.setExpandsOnDoubleClick(False)  # double-click renames
        self.setMouseTracking(True)  # hover highlight
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        triggers = QAbstractItemView.EditTrigger
        self.setEditTriggers(triggers.EditKeyPressed | triggers.DoubleClicked)
        self.setAutoFillBackground(False)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        self.clicked.connect(self._on_clicked)
        self.verticalScrollBar().valueChanged.connect(self._place_heading_button)
        # Placed a turn later: rows inserted ask for it, and reading where the heading is then
        # would lay the whole list out at once, in the middle of the insert.
        self._heading_later = QTimer(self)
        self._heading_later.setSingleShot(True)
        self._heading_later.setInterval(0)
        self._heading_later.timeout.connect(self._place_heading_button)

    def _on_clicked(self, index: QModelIndex) -> None:
        thread_id = index.data(THREAD_ID_ROLE)
        if isinstance(thread_id, uuid.UUID):
            self.thread_activated.emit(thread_id)
        elif index.data(GROUP_KIND_ROLE) is GroupKind.PROJECT:
            self.setExpanded(index, not self.isExpanded(index))

    def doItemsLayout(self) -> None:
        # Pages are read when the end of a group comes into view (Sidebar), not on every
        # relayout, which is when QTreeView would otherwise ask for them.
        paused = getattr(self.model(), "fetching_paused", None)  # ThreadTreeModel's
        if paused is not None:
            with paused():
                super().doItemsLayout()
        else:
            super().doItemsLayout()

    def updateEditorGeometries(self) -> None:
        super().updateEditorGeometries()  # as rows are laid out: the button with them
        if self.heading_button is not None:
            self._heading_later.start()

    def _place_heading_button(self) -> None:
        button = self.heading_button
        if button is None:
            return
        model, root = self.model(), self.rootIndex()
        rows = (model.index(row, 0, root) for row in range(model.rowCount(root)))
        heading = next((i for i in rows if i.data(GROUP_KIND_ROLE) is GroupKind.PROJECTS), None)
        row = self.visualRect(heading) if heading is not None else QRect()
        if row.isValid() and row.intersects(self.viewport().rect()):
            button.setGeometry(heading_button_place(row, self.layoutDirection()))
            button.show()
        else:
            button.hide()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """A right click opens the menu of the row under the mouse; the menu key (or
        Shift+F10) the menu of the highlighted row, under that row."""
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            index = self.currentIndex()
            at = self.visualRect(index).bottomLeft()
        else:
            index = self.indexAt(event.pos())
            at = event.pos()
        if index.isValid():
            self.menu_requested.emit(index, self.viewport().mapToGlobal(at))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        current = self.currentIndex()
        if self.state() != QAbstractItemView.State.EditingState and current.isValid():
            if event.key() in (_KEY.Key_Return, _KEY.Key_Enter):
                self._on_clicked(current)
                return
            if event.key() == _KEY.Key_Delete:
                self.delete_requested.emit(current)
                return
        if self.state() != QAbstractItemView.State.EditingState and _writes(event):
            self.typed.emit(event.text())
            return
        super().keyPressEvent(event)


def _writes(event: QKeyEvent) -> bool:
    """Whether a key writes something to filter by: a printable character, not Space (which
    chooses a row) and not a shortcut's."""
    text = event.text()
    chords = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    chords |= Qt.KeyboardModifier.MetaModifier
    return (
        bool(text) and text.isprintable() and not text.isspace() and not event.modifiers() & chords
    )


class NoticeBar(QFrame):
    """A short message under the list, with an optional action (Undo) and a close button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAutoFillBackground(True)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName(tr("Notice"))
        self.label.setAccessibleDescription(tr("The result of the last action in the chat list."))
        self.action = QPushButton()
        self.action.setAccessibleName(tr("Undo"))
        self.action.setAccessibleDescription(tr("Takes back the last action."))
        self.action.clicked.connect(self._act)
        self.dismiss = QToolButton()
        self.dismiss.setAutoRaise(True)
        self.dismiss.setAccessibleName(tr("Dismiss notice"))
        self.dismiss.setAccessibleDescription(tr("Hides this message."))
        self.dismiss.setToolTip(tr("Dismiss"))
        self.dismiss.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action)
        layout.addWidget(self.dismiss)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self._on_action: Callable[[], object] | None = None
        self.hide()

    def show_notice(
        self,
        text: str,
        *,
        action: str | None = None,
        on_action: Callable[[], object] | None = None,
        seconds: float = 6,
    ) -> None:
        self.label.setText(text)
        self._on_action = on_action
        self.action.setVisible(action is not None)
        self.action.setText(action or "")
        self.action.setAccessibleName(action or "")
        self.show()
        self._timer.start(int(seconds * 1000))

    def _act(self) -> None:
        on_action, self._on_action = self._on_action, None
        self.hide()
        if on_action is not None:
            on_action()
