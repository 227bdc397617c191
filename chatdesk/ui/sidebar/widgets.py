"""The sidebar's two small widgets: the thread tree and the notice bar (with Undo)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QIcon,
    QKeyEvent,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
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

from chatdesk.ui.sidebar.groups import GROUP_KIND_ROLE, THREAD_ID_ROLE, GroupKind
from chatdesk.ui.sidebar.model import ThreadTreeModel

_KEY = Qt.Key


class ThreadTree(QTreeView):
    """A tree that says when the user (not the program) picks a thread or asks to delete.

    Arrow keys only move the highlight; a click or Enter opens a thread, so moving through
    the list does not load every conversation on the way.
    """

    thread_activated = Signal(object)  # uuid.UUID
    delete_requested = Signal(QModelIndex)  # a thread or a project row
    menu_requested = Signal(QModelIndex, QPoint)  # the row, where to show it (global)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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

    def _on_clicked(self, index: QModelIndex) -> None:
        thread_id = index.data(THREAD_ID_ROLE)
        if isinstance(thread_id, uuid.UUID):
            self.thread_activated.emit(thread_id)
        elif index.data(GROUP_KIND_ROLE) is GroupKind.PROJECT:
            self.setExpanded(index, not self.isExpanded(index))

    def doItemsLayout(self) -> None:
        # Pages are read when the end of a group comes into view (Sidebar), not on every
        # relayout, which is when QTreeView would otherwise ask for them.
        model = self.model()
        if isinstance(model, ThreadTreeModel):
            with model.fetching_paused():
                super().doItemsLayout()
        else:
            super().doItemsLayout()

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
        super().keyPressEvent(event)


class NoticeBar(QFrame):
    """A short message under the list, with an optional action (Undo) and a close button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAutoFillBackground(True)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Notice")
        self.label.setAccessibleDescription("The result of the last action in the chat list.")
        self.action = QPushButton()
        self.action.setAccessibleName("Undo")
        self.action.setAccessibleDescription("Takes back the last action.")
        self.action.clicked.connect(self._act)
        self.dismiss = QToolButton()
        self.dismiss.setAutoRaise(True)
        self.dismiss.setAccessibleName("Dismiss notice")
        self.dismiss.setAccessibleDescription("Hides this message.")
        self.dismiss.setToolTip("Dismiss")
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


def line_icon(kind: str, colour: QColor) -> QIcon:
    """A small outline icon in the palette's text colour ("compose", "folder-plus",
    "archive", "search"), so it suits the light and the dark theme alike."""
    pixmap = QPixmap(32, 32)
    pixmap.setDevicePixelRatio(2.0)  # drawn at 16×16 logical pixels, sharp on HiDPI too
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(colour, 1.4)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    _ICON_STROKES[kind](painter)
    painter.end()
    return QIcon(pixmap)


def _compose(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(2.5, 3.5, 10, 10), 2, 2)
    p.drawLine(QPointF(7.5, 6), QPointF(7.5, 11))
    p.drawLine(QPointF(5, 8.5), QPointF(10, 8.5))


def _folder_plus(p: QPainter) -> None:
    p.drawPolyline([QPointF(9, 12.5), QPointF(2, 12.5), QPointF(2, 3.5), QPointF(6, 3.5)])
    p.drawPolyline([QPointF(6, 3.5), QPointF(7.5, 5.5), QPointF(14, 5.5), QPointF(14, 8)])
    p.drawLine(QPointF(12.5, 10), QPointF(12.5, 15))
    p.drawLine(QPointF(10, 12.5), QPointF(15, 12.5))


def _archive(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(1.5, 3, 13, 3.5), 1, 1)
    p.drawPolyline([QPointF(2.5, 6.5), QPointF(2.5, 13.5), QPointF(13.5, 13.5)])
    p.drawLine(QPointF(13.5, 13.5), QPointF(13.5, 6.5))
    p.drawLine(QPointF(6, 9), QPointF(10, 9))


def _search(p: QPainter) -> None:
    p.drawEllipse(QPointF(7, 7), 4.5, 4.5)
    p.drawLine(QPointF(10.5, 10.5), QPointF(14, 14))


def _close(p: QPainter) -> None:
    p.drawLine(QPointF(4.5, 4.5), QPointF(11.5, 11.5))
    p.drawLine(QPointF(11.5, 4.5), QPointF(4.5, 11.5))


_ICON_STROKES = {
    "close": _close,
    "compose": _compose,
    "folder-plus": _folder_plus,
    "archive": _archive,
    "search": _search,
}
