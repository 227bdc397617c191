"""The conversation as a list model over message ids: a window of the active branch.

The model never holds a whole thread. It holds a window (a few pages) that the view grows with
`before`/`after` pages as the user scrolls, and trims at the far end. A streaming answer's text
is appended to its row and announced with `dataChanged` for that row only.

The summary the next request sends is not a row: rows are messages. The model holds it beside
them, with where its divider goes (`divider_after`), so paging and streaming stay as they are
(decision 0013).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from chatdesk.core.kinds import Status

if TYPE_CHECKING:  # the views load with the core, behind the window's first paint
    from chatdesk.core.views import (
        CitedSource,
        DocumentCut,
        MessagePage,
        MessageView,
        ServerLeftOut,
        SummaryView,
        ToolCallView,
    )

_ROOT = QModelIndex()
MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 1  # the MessageView
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # its uuid


class ConversationModel(QAbstractListModel):
    summary_changed = Signal()  # the summary in use, or its text, changed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[MessageView] = []
        self._index: dict[uuid.UUID, int] = {}
        self.thread_id: uuid.UUID | None = None
        self.reading = False  # a thread shown whose first page is being read
        self.has_more_before = False
        self.has_more_after = False
        self.summary: SummaryView | None = None
        self._covered_depth = -1  # the depth of the summary's last covered message

    # -- Qt model interface ----------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        message = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return message.content
        if role == MESSAGE_ROLE:
            return message
        if role == ID_ROLE:
            return message.id
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({MESSAGE_ROLE: QByteArray(b"message"), ID_ROLE: QByteArray(b"messageId")})
        return names

    # -- reading ---------------------------------------------------------------------------------

    def message(self, row: int) -> MessageView:
        return self._rows[row]

    def messages(self) -> list[MessageView]:
        return list(self._rows)

    def row_of(self, message_id: uuid.UUID) -> int:
        return self._index.get(message_id, -1)

    @property
    def last(self) -> MessageView | None:
        return self._rows[-1] if self._rows else None

    @property
    def covered_count(self) -> int:
        """How many messages of the branch the summary stands in for."""
        return self._covered_depth + 1

    def divider_after(self) -> int | None:
        """The row the summary's divider follows: the last message it covers; -1 when that
        message is above the window (the divider heads it); None when there is no summary
        or the window holds only messages it covers (the user scrolled far up)."""
        if self.summary is None or not self._rows:
            return None
        row = self._index.get(self.summary.covers_through_message_id)
        if row is not None:
            return row
        return -1 if self._covered_depth < self._rows[0].depth else None

    # -- changing --------------------------------------------------------------------------------

    def show(self, thread_id: uuid.UUID | None, page: MessagePage | None = None) -> None:
        """Replace everything: another thread (None: a new chat) or a fresh first page."""
        self.beginResetModel()
        if thread_id != self.thread_id:
            self.summary = None  # the new thread's arrives after its first page
        self.thread_id = thread_id
        self.reading = thread_id is not None and page is None
        self._rows = list(page.messages) if page else []
        self.has_more_before = bool(page and page.has_more_before)
        self.has_more_after = bool(page and page.has_more_after)
        self._reindex()
        self.endResetModel()

    def set_summary(self, summary: SummaryView | None, covered_depth: int = -1) -> None:
        """The summary in use (None: none) and the depth of the last message it covers."""
        if summary is not None and summary.thread_id != self.thread_id:
            return  # read for a thread that is no longer shown
        if (summary, covered_depth) != (self.summary, self._covered_depth):
            self.summary, self._covered_depth = summary, covered_depth
            self.summary_changed.emit()

    def prepend(self, page: MessagePage) -> int:
        """Older messages above the window; returns how many were added."""
        new = [m for m in page.messages if m.id not in self._index]
        self.has_more_before = page.has_more_before
        if new:
            self.beginInsertRows(_ROOT, 0, len(new) - 1)
            self._rows[:0] = new
            self._reindex()
            self.endInsertRows()
        return len(new)

    def extend(self, page: MessagePage) -> int:
        """Newer messages below the window (after it was trimmed at the bottom)."""
        new = [m for m in page.messages if m.id not in self._index]
        self.has_more_after = page.has_more_after
        for message in new:
            self.add(message)
        return len(new)

    def add(self, message: MessageView) -> None:
        if message.id in self._index:
            self.replace(message)
            return
        row = len(self._rows)
        self.beginInsertRows(_ROOT, row, row)
        self._rows.append(message)
        self._index[message.id] = row
        self.endInsertRows()

    def replace(self, message: MessageView) -> bool:
        row = self._index.get(message.id)
        if row is None:
            return False
        had = self._rows[row].left_out
        if had and not message.left_out:  # said by an event, never read back: kept on screen
            message = dataclasses.replace(message, left_out=had)
        self._rows[row] = message
        index = self.index(row)
        self.dataChanged.emit(index, index)
        return True

    def append_text(self, message_id: uuid.UUID, text: str, reasoning: str, offset: int) -> bool:
        """Add streamed text to a row; False when the row is not in the window or the text
        does not join up (the view then reloads the message)."""
        row = self._index.get(message_id)
        if row is None:
            return False
        message = self._rows[row]
        if offset != len(message.content):
            return offset < len(message.content)  # already seen (a page read it): ignore
        self._rows[row] = dataclasses.replace(
            message,
            status=Status.STREAMING,  # text is arriving, whatever the last full read said
            content=message.content + text,
            reasoning=((message.reasoning or "") + reasoning) or None,
        )
        index = self.index(row)
        self.dataChanged.emit(index, index)
        return True

    def update_tool_call(self, message_id: uuid.UUID, call: ToolCallView) -> bool:
        """Put a call's new state on its answer (a call not seen yet is added at the end);
        False when the answer is not in the window."""
        row = self._index.get(message_id)
        if row is None:
            return False
        message = self._rows[row]
        calls = list(message.tool_calls)
        found = next((i for i, c in enumerate(calls) if c.call_id == call.call_id), None)
        if found is None:
            calls.append(call)
        else:
            calls[found] = call
        self._rows[row] = dataclasses.replace(message, tool_calls=tuple(calls))
        index = self.index(row)
        self.dataChanged.emit(index, index)
        return True

    def set_sources(self, message_id: uuid.UUID, sources: tuple[CitedSource, ...]) -> bool:
        """An answer's sources, all it has now; False when it is not in the window."""
        return self._changed(message_id, sources=sources)

    def set_cuts(self, message_id: uuid.UUID, cuts: tuple[DocumentCut, ...]) -> bool:
        """What an answer records of its question's documents sent in part; False when it is
        not in the window."""
        return self._changed(message_id, cuts=cuts)

    def set_left_out(self, message_id: uuid.UUID, servers: tuple[ServerLeftOut, ...]) -> bool:
        """The tool servers an answer went without; False when it is not in the window."""
        return self._changed(message_id, left_out=servers)

    def _changed(self, message_id: uuid.UUID, **fields: Any) -> bool:
        row = self._index.get(message_id)
        if row is None:
            return False
        self._rows[row] = dataclasses.replace(self._rows[row], **fields)
        index = self.index(row)
        self.dataChanged.emit(index, index)
        return True

    def remove(self, message_ids: Sequence[uuid.UUID]) -> None:
        for message_id in message_ids:
            row = self._index.get(message_id)
            if row is None:
                continue
            self.beginRemoveRows(_ROOT, row, row)
            del self._rows[row]
            self._reindex()
            self.endRemoveRows()

    def trim_front(self, keep: int) -> None:
        """Drop the oldest rows beyond `keep` (the user scrolled far down)."""
        extra = len(self._rows) - keep
        if extra > 0:
            self.beginRemoveRows(_ROOT, 0, extra - 1)
            del self._rows[:extra]
            self._reindex()
            self.has_more_before = True
            self.endRemoveRows()

    def trim_back(self, keep: int) -> None:
        """Drop the newest rows beyond `keep` (the user scrolled far up)."""
        if len(self._rows) > keep:
            self.beginRemoveRows(_ROOT, keep, len(self._rows) - 1)
            del self._rows[keep:]
            self._reindex()
            self.has_more_after = True
            self.endRemoveRows()

    def _reindex(self) -> None:
        self._index = {m.id: i for i, m in enumerate(self._rows)}
