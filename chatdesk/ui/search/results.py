"""What the palette lists: chats whose title matches, then messages, as one list model.

Rows are plain values made from the core's results (`found_rows`) or from the recent chats
(`recent_rows`, for an empty query). Text stays text: a row holds the snippet and where its
matched words are, never markup, and the delegate draws them.
"""

from __future__ import annotations

import dataclasses
import enum
import html
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from chatdesk.core.i18n import mark, tr
from chatdesk.core.kinds import Role
from chatdesk.core.search import MessageHit, Ranking, SearchResults, Snippet
from chatdesk.core.views import ThreadView
from chatdesk.ui.sidebar.feeds import relative_time

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_R = Qt.ItemDataRole
ROW_ROLE = _R.UserRole + 40  # the Row
SECTION_ROLE = _R.UserRole + 41  # a caption drawn above the first row of a section, or None
THREAD_ROWS = 10  # chats listed at most, above the messages
_ROLE_NAMES = {
    # translators: who wrote a message found ("Thread title · You · 3 h")
    Role.USER: mark("You"),
    # translators: who wrote a message found ("Thread title · Assistant · 3 h")
    Role.ASSISTANT: mark("Assistant"),
    # translators: who wrote a message found: the system prompt ("Thread title · System · 3 h")
    Role.SYSTEM: mark("System"),
}
_BLANKS = str.maketrans({c: " " for c in "\r\n\t\v\f\x85\u2028\u2029"})


class Kind(enum.Enum):
    THREAD = "thread"
    MESSAGE = "message"


@dataclass(frozen=True)
class Row:
    kind: Kind
    thread_id: uuid.UUID
    message_id: uuid.UUID | None
    text: Snippet  # the title, or the message's snippet (one line: line breaks are spaces)
    detail: str  # "Project · 3 h", or "Thread title · You · Mar 3"
    section: str | None = None  # the caption above this row, when it starts a section


class ResultsModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []

    def show_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, index: Index) -> Row | None:
        valid = index.isValid() and 0 <= index.row() < len(self._rows)
        return self._rows[index.row()] if valid else None

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = _R.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role == _R.DisplayRole:
            return row.text.text
        if role == _R.ToolTipRole:
            return tip_html(row)
        if role == _R.AccessibleTextRole:
            return f"{row.text.text} — {row.detail}"
        if role == ROW_ROLE:
            return row
        if role == SECTION_ROLE:
            return row.section
        return None


def tip_html(row: Row) -> str:
    """The row's tooltip: its text as written, matched words in bold, then its detail. Qt reads
    a tooltip that looks like markup as markup, so this one is always markup, every character
    of the message escaped: "<i>" and "&amp;" read as typed, never as italics or "&"."""
    text, pieces, at = row.text.text, [], 0
    for start, end in row.text.highlights:
        pieces += [html.escape(text[at:start]), "<b>", html.escape(text[start:end]), "</b>"]
        at = end
    pieces.append(html.escape(text[at:]))
    shown, detail = "".join(pieces), html.escape(row.detail)
    # The detail kept on one line also keeps a short snippet from being wrapped word by word.
    return f'<p style="white-space: pre-wrap">{shown}</p><p style="white-space: pre">{detail}</p>'


def recent_rows(
    threads: Iterable[ThreadView], projects: Mapping[uuid.UUID, str], now: datetime
) -> list[Row]:
    """The most recent chats, for an empty query."""
    rows = [
        _thread_row(t.id, Snippet(t.title), t.project_id, t.last_activity_at, projects, now)
        for t in threads
    ]
    return _captioned(rows, tr("Recent chats"))


def found_rows(
    results: SearchResults,
    titled: Iterable[ThreadView],
    projects: Mapping[uuid.UUID, str],
    now: datetime,
) -> list[Row]:
    """Chats first (the index's title matches, then `titled`: titles that contain the text as
    typed, such as the start of a word), then the messages."""
    chats = [
        _thread_row(t.thread_id, t.title, t.project_id, t.last_activity_at, projects, now)
        for t in results.threads
    ]
    seen = {t.thread_id for t in results.threads}
    chats += [
        _thread_row(
            t.id, contains(t.title, results.text), t.project_id, t.last_activity_at, projects, now
        )
        for t in titled
        if t.id not in seen
    ]
    messages = [_message_row(hit, now) for hit in results.messages]
    newest = results.ranking is Ranking.NEWEST
    caption = tr("Messages · newest first") if newest else tr("Messages")
    return _captioned(chats[:THREAD_ROWS], tr("Chats")) + _captioned(messages, caption)


def contains(title: str, text: str) -> Snippet:
    """`title` with each occurrence of `text` (ignoring case) marked."""
    needle, folded = text.strip().casefold(), title.casefold()
    if not needle or len(folded) != len(title):  # case folding changed the length: no marks
        return Snippet(title)
    marks, start = [], folded.find(needle)
    while start >= 0:
        marks.append((start, start + len(needle)))
        start = folded.find(needle, start + len(needle))
    return Snippet(title, tuple(marks))


def _message_row(hit: MessageHit, now: datetime) -> Row:
    role = tr(_ROLE_NAMES[hit.role]) if hit.role in _ROLE_NAMES else hit.role.value.title()
    # translators: where a message found matched: in a file attached to it ("in report.pdf")
    found = (tr("in {file}", file=hit.attachment),) if hit.attachment else ()
    detail = " · ".join((hit.thread_title, role, *found, relative_time(hit.created_at, now)))
    return Row(Kind.MESSAGE, hit.thread_id, hit.message_id, _one_line(hit.snippet), detail)


def _thread_row(
    thread_id: uuid.UUID,
    title: Snippet,
    project_id: uuid.UUID | None,
    active: datetime,
    projects: Mapping[uuid.UUID, str],
    now: datetime,
) -> Row:
    when = relative_time(active, now)
    project = projects.get(project_id) if project_id else None
    detail = f"{project} · {when}" if project else when
    return Row(Kind.THREAD, thread_id, None, _one_line(title), detail)


def _one_line(snippet: Snippet) -> Snippet:
    """Line breaks as spaces: one character for one, so the highlights stay where they are."""
    return Snippet(snippet.text.translate(_BLANKS), snippet.highlights)


def _captioned(rows: list[Row], caption: str) -> list[Row]:
    if rows:
        rows[0] = dataclasses.replace(rows[0], section=caption)
    return rows
