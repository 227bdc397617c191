"""The main window: threads on the left; the conversation and a composer on the right.

Widgets never touch the database, files or the network: every `ChatService` call goes through
`MainWindow._run`, and changes arrive as service events.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import uuid
from collections.abc import Coroutine, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QFont,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListView,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.chat import events as ev
from chatdesk.core.chat.service import ChatService
from chatdesk.core.chat.views import MessageView, ThreadView
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.store.models import Role, Status

SHOWN_MESSAGES = 50
_ROOT = QModelIndex()
# GitHub markdown; raw HTML from a model is shown as text, never interpreted.
_MARKDOWN = QTextDocument.MarkdownFeature(
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub.value
    | QTextDocument.MarkdownFeature.MarkdownNoHTML.value
)
_ERROR_COLOUR = "#e0524a"  # readable on both the light and the dark palette


class ThreadListModel(QAbstractListModel):
    """The first page of threads (newest activity first), kept current by service events."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._threads: list[ThreadView] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._threads)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        thread = self._threads[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return thread.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{thread.title}\n{thread.message_count} messages"
        return None

    def thread_at(self, row: int) -> ThreadView:
        return self._threads[row]

    def row_of(self, thread_id: uuid.UUID) -> int:
        return next((i for i, t in enumerate(self._threads) if t.id == thread_id), -1)

    def add_loaded(self, threads: Sequence[ThreadView]) -> None:
        """Append a loaded page, skipping threads already known from (newer) events."""
        new = [t for t in threads if self.row_of(t.id) < 0]
        if new:
            start = len(self._threads)
            self.beginInsertRows(_ROOT, start, start + len(new) - 1)
            self._threads.extend(new)
            self.endInsertRows()

    def upsert(self, thread: ThreadView) -> None:
        row = self.row_of(thread.id)
        if thread.archived or thread.deleted:
            self.remove(thread.id)
        elif row >= 0:
            self._threads[row] = thread
            self.dataChanged.emit(self.index(row), self.index(row))
        else:
            self.beginInsertRows(_ROOT, 0, 0)
            self._threads.insert(0, thread)
            self.endInsertRows()

    def remove(self, thread_id: uuid.UUID) -> None:
        row = self.row_of(thread_id)
        if row >= 0:
            self.beginRemoveRows(_ROOT, row, row)
            del self._threads[row]
            self.endRemoveRows()


class Composer(QPlainTextEdit):
    """The message editor; Ctrl+Enter submits."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class MainWindow(QMainWindow):
    def __init__(self, service: ChatService) -> None:
        super().__init__()
        self._service = service
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy = 0  # service calls in flight
        self._thread_id: uuid.UUID | None = None  # None: a new chat not saved yet
        self._messages: list[MessageView] = []
        self._more_before = False
        self._loading: uuid.UUID | None = None  # thread whose messages are being read
        self._live: dict[uuid.UUID, uuid.UUID] = {}  # thread id -> answer being written
        self._build()
        self._unsubscribe = service.events.subscribe(self._on_event)

    # -- layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.setWindowTitle("chatdesk")
        self.resize(1000, 680)
        self._threads = ThreadListModel(self)
        self._list = QListView()
        self._list.setModel(self._threads)
        self._list.setUniformItemSizes(True)
        self._list.setAccessibleName("Threads")
        self._list.selectionModel().currentChanged.connect(self._on_current_changed)
        self._new = QPushButton("&New chat")
        self._new.setAccessibleName("New chat")
        self._new.clicked.connect(self._new_chat)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 0, 6)
        left_layout.addWidget(self._new)
        left_layout.addWidget(self._list)

        self._view = QTextBrowser()
        self._view.setOpenLinks(False)
        self._view.setOpenExternalLinks(False)
        self._view.setAccessibleName("Conversation")
        self._view.setPlaceholderText("Type a message below to start a new chat.")
        self._composer = Composer()
        self._composer.setAccessibleName("Message composer")
        self._composer.setPlaceholderText("Message (Ctrl+Enter sends)")
        self._composer.setFixedHeight(96)
        self._composer.submitted.connect(self._send_clicked)
        self._composer.textChanged.connect(self._update_controls)
        self._stop = QPushButton("S&top")
        self._stop.setAccessibleName("Stop answer")
        self._stop.clicked.connect(self._stop_clicked)
        self._send = QPushButton("&Send")
        self._send.setAccessibleName("Send message")
        self._send.setDefault(True)
        self._send.clicked.connect(self._send_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self._stop)
        buttons.addWidget(self._send)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 6, 6, 6)
        right_layout.addWidget(self._view, 1)
        right_layout.addWidget(self._composer)
        right_layout.addLayout(buttons)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 750])
        self.setCentralWidget(splitter)
        self.setTabOrder(self._composer, self._send)
        self.setTabOrder(self._send, self._stop)

        menu = self.menuBar().addMenu("&File")
        # Explicit keys: StandardKey.Quit is empty on Windows (and on the offscreen platform).
        for text, keys, slot in (
            ("&New chat", "Ctrl+N", self._new_chat),
            ("&Quit", "Ctrl+Q", self.close),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(slot)
            menu.addAction(action)
        self.statusBar()  # created now so that the first message does not shift the layout
        self._update_controls()

    def _update_controls(self) -> None:
        idle = self._busy == 0
        live = self._thread_id in self._live
        self._send.setEnabled(idle and not live and bool(self._composer.toPlainText().strip()))
        self._stop.setEnabled(live)
        self._new.setEnabled(idle)

    # -- running service calls -------------------------------------------------------------------

    def _run(self, call: Coroutine[Any, Any, object]) -> asyncio.Task[None]:
        """Run a service call: controls wait for it, expected failures go to the status bar."""
        task = asyncio.get_running_loop().create_task(self._guarded(call))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _guarded(self, call: Coroutine[Any, Any, object]) -> None:
        self._busy += 1
        self._update_controls()
        try:
            await call
        except ChatdeskError as error:
            self.statusBar().showMessage(str(error))
        except Exception as error:  # a bug: the crash reporter logs and shows it
            sys.excepthook(type(error), error, error.__traceback__)
        finally:
            self._busy -= 1
            self._update_controls()

    def start(self) -> None:
        self._run(self._load_threads())

    async def aclose(self) -> None:
        """Stop listening and let pending calls end (before the core closes)."""
        self._unsubscribe()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._unsubscribe()
        super().closeEvent(event)

    @property
    def current_thread_id(self) -> uuid.UUID | None:
        return self._thread_id

    # -- user actions ----------------------------------------------------------------------------

    def _send_clicked(self) -> None:
        if self._send.isEnabled():
            self.statusBar().clearMessage()
            self._run(self._send_text(self._composer.toPlainText()))

    async def _send_text(self, text: str) -> None:
        thread_id = self._thread_id
        if thread_id is None:
            thread_id = (await self._service.create_thread()).id
            self.select_thread(thread_id, load=False)  # it is empty: nothing to read
        await self._service.send(thread_id, text)
        if self._composer.toPlainText() == text:  # saved: clear it (on failure the text stays)
            self._composer.clear()

    def _stop_clicked(self) -> None:
        answer_id = self._live.get(self._thread_id) if self._thread_id else None
        if answer_id is not None:
            self._run(self._service.stop(answer_id))

    def _new_chat(self) -> None:
        if not self._new.isEnabled():  # Ctrl+N while a call is in flight
            return
        self._list.setCurrentIndex(QModelIndex())
        self._show(None)
        self._composer.setFocus()

    def select_thread(self, thread_id: uuid.UUID, *, load: bool = True) -> None:
        self._show(thread_id, load=load)
        row = self._threads.row_of(thread_id)
        if row >= 0:
            self._list.setCurrentIndex(self._threads.index(row))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            thread = self._threads.thread_at(current.row())
            if thread.id != self._thread_id:
                self._show(thread.id)

    def _show(self, thread_id: uuid.UUID | None, *, load: bool = True) -> None:
        self._thread_id = thread_id
        self._messages, self._more_before = [], False
        row = self._threads.row_of(thread_id) if thread_id else -1
        title = self._threads.thread_at(row).title if row >= 0 else "New chat"
        self.setWindowTitle(f"{title} — chatdesk")
        self._render()
        self._update_controls()
        if thread_id is not None and load:
            self._loading = thread_id
            self._run(self._load_messages(thread_id))

    # -- loading ---------------------------------------------------------------------------------

    async def _load_threads(self) -> None:
        page = await self._service.list_threads()
        self._threads.add_loaded(page.threads)

    async def _load_messages(self, thread_id: uuid.UUID) -> None:
        try:
            page = await self._service.list_messages(thread_id, limit=SHOWN_MESSAGES)
        finally:
            if self._loading == thread_id:
                self._loading = None
        if thread_id != self._thread_id:
            return  # the user moved on
        # Messages that arrived by event while reading are as new as the snapshot or newer.
        merged = list(page.messages)
        for seen in self._messages:
            index = next((i for i, m in enumerate(merged) if m.id == seen.id), None)
            if index is None:
                merged.append(seen)
            elif seen.status.is_final:
                merged[index] = seen
        self._messages, self._more_before = merged[-SHOWN_MESSAGES:], page.has_more_before
        self._render()

    # -- service events --------------------------------------------------------------------------

    def _on_event(self, event: ev.Event) -> None:
        try:
            self._apply(event)
        except Exception as error:  # the bus would only log it; a UI bug should be seen
            sys.excepthook(type(error), error, error.__traceback__)

    def _apply(self, event: ev.Event) -> None:
        match event:
            case ev.ThreadCreated(thread) | ev.ThreadUpdated(thread) | ev.ThreadRestored(thread):
                self._threads.upsert(thread)
                if thread.id == self._thread_id:
                    self.setWindowTitle(f"{thread.title} — chatdesk")
            case ev.ThreadDeleted(thread_id):
                self._threads.remove(thread_id)
                if thread_id == self._thread_id:
                    self._show(None)
            case ev.MessageAdded(message):
                if message.role is Role.ASSISTANT and not message.status.is_final:
                    self._live[message.thread_id] = message.id
                if message.thread_id == self._thread_id:
                    self._messages = [*self._messages, message][-SHOWN_MESSAGES:]
                    self._render()
            case ev.AnswerTextAppended(message_id, thread_id, text, _reasoning):
                if thread_id == self._thread_id and self._loading != thread_id:
                    self._append_streamed(message_id, text)
            case ev.MessageFinished(message):
                if self._live.get(message.thread_id) == message.id:
                    del self._live[message.thread_id]
                if message.status is Status.ERROR:
                    self.statusBar().showMessage(f"The answer failed: {message.error_detail}")
                if message.thread_id == self._thread_id:
                    self._messages = [message if m.id == message.id else m for m in self._messages]
                    self._render()
            case ev.MessagesDeleted(thread_id, _) | ev.BranchSwitched(thread_id, _):
                if thread_id == self._thread_id:
                    self._show(thread_id)
            case _:
                pass
        self._update_controls()

    # -- the conversation ------------------------------------------------------------------------

    def _append_streamed(self, message_id: uuid.UUID, text: str) -> None:
        if not self._messages or self._messages[-1].id != message_id:
            return
        last = self._messages[-1]
        self._messages[-1] = dataclasses.replace(last, content=last.content + text)
        bar = self._view.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        cursor = QTextCursor(self._view.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text, QTextCharFormat())
        if at_end:
            bar.setValue(bar.maximum())

    def _render(self) -> None:
        """Show the messages: finished answers as markdown, the rest as plain text."""
        bar = self._view.verticalScrollBar()
        at_end, position = bar.value() >= bar.maximum() - 4, bar.value()
        document = self._view.document()
        document.clear()
        cursor = QTextCursor(document)
        palette = self._view.palette()
        muted = _char_format(palette.color(QPalette.ColorRole.PlaceholderText), italic=True)
        if self._more_before:
            cursor.insertText("Older messages are not shown.", muted)
        for message in self._messages:
            if not cursor.atStart():
                cursor.insertBlock()
                cursor.insertBlock()
            assistant = message.role is Role.ASSISTANT
            header = f"Assistant · {message.model}" if assistant and message.model else "You"
            colour = QPalette.ColorRole.Link if assistant else QPalette.ColorRole.Text
            cursor.insertText(header, _char_format(palette.color(colour), bold=True))
            cursor.insertBlock()
            cursor.setCharFormat(QTextCharFormat())
            if assistant and message.status.is_final and message.content:
                cursor.insertMarkdown(message.content, _MARKDOWN)
            else:
                cursor.insertText(message.content, QTextCharFormat())
            note = _status_note(message)
            if note:
                cursor.insertBlock()
                error = message.status is Status.ERROR
                cursor.insertText(
                    note, _char_format(_ERROR_COLOUR, italic=True) if error else muted
                )
        bar.setValue(bar.maximum() if at_end else position)  # keep the place of a reader


def _char_format(
    colour: QColor | str, *, bold: bool = False, italic: bool = False
) -> QTextCharFormat:
    result = QTextCharFormat()
    result.setForeground(QColor(colour))
    if bold:
        result.setFontWeight(QFont.Weight.Bold)
    result.setFontItalic(italic)
    return result


def _status_note(message: MessageView) -> str:
    if message.status is Status.INTERRUPTED:
        return "Stopped; the answer is incomplete."
    if message.status is Status.ERROR:
        return f"Failed: {message.error_detail or message.error_type}"
    return ""
