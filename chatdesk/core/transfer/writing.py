"""Imported threads into the database: whole threads per transaction, batched, never duplicated.

A batch is written in one transaction on the Store's writer. Before inserting, it looks up
which of its threads (and their messages) are already stored: those are skipped whole, so
importing a file again changes nothing. Rows go in with executemany, parents before children.
Attachments and projects already stored under the same id are shared, not copied.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Column, MetaData, Table, insert, select
from sqlalchemy.orm import Session

from chatdesk.core.chat import repository as repo
from chatdesk.core.i18n import tr
from chatdesk.core.store.models import Project, Thread
from chatdesk.core.store.records import (
    ASSISTANTS,
    ATTACHMENTS,
    MESSAGES,
    PARTS,
    PROJECTS,
    SUMMARIES,
    THREADS,
)
from chatdesk.core.views import ProjectView, ThreadView

Row = dict[str, Any]
_CHUNK = 500  # ids per IN (...) list


@dataclass
class ImportedThread:
    """One thread ready to insert: every row filled in, messages parents first."""

    label: str  # how a report names it ("'Title' (conversation 12)")
    thread: Row
    messages: list[Row] = field(default_factory=list)
    parts: list[Row] = field(default_factory=list)
    attachments: list[Row] = field(default_factory=list)
    blobs: list[bytes] = field(default_factory=list)  # the attachments' files, to store first
    summaries: list[Row] = field(default_factory=list)
    project: Row | None = None
    notes: list[str] = field(default_factory=list)  # what was left out, for the report

    @property
    def id(self) -> uuid.UUID:
        thread_id: uuid.UUID = self.thread["id"]
        return thread_id

    @property
    def weight(self) -> int:
        """Roughly what holding it costs, for sizing batches: a row, or a kB of text, is 1."""
        text = sum(len(m["content"]) for m in self.messages)
        text += sum(len(p["text"] or "") for p in self.parts)
        text += sum(len(a["data"] or b"") + len(a["text"] or "") for a in self.attachments)
        return len(self.messages) + len(self.parts) + text // 1024


@dataclass
class Written:
    """What one batch did."""

    added: list[ThreadView] = field(default_factory=list)
    projects: list[ProjectView] = field(default_factory=list)
    skipped: list[tuple[ImportedThread, str]] = field(default_factory=list)  # (thread, why)
    messages: int = 0


def write_batch(
    session: Session, batch: Sequence[ImportedThread], projects: Sequence[Row] = ()
) -> Written:
    """Store the threads of `batch` not stored yet, and the `projects` (and those the threads
    name) not stored yet."""
    written = Written()
    fresh = _not_stored(session, batch, written)
    named = (t.project for t in fresh if t.project is not None)
    projects = _new_rows(session, PROJECTS, [*projects, *named])
    attachments = _new_rows(session, ATTACHMENTS, (a for t in fresh for a in t.attachments))
    _forget_unknown_assistants(session, projects, "default_assistant_id")
    _forget_unknown_assistants(session, [t.thread for t in fresh], "assistant_id")
    _insert(session, PROJECTS, projects)
    _insert(session, THREADS, [t.thread for t in fresh])
    _insert(session, ATTACHMENTS, attachments)
    _insert(session, MESSAGES, [m for t in fresh for m in t.messages])
    _insert(session, PARTS, [p for t in fresh for p in t.parts])
    _insert(session, SUMMARIES, [s for t in fresh for s in t.summaries])
    written.messages = sum(len(t.messages) for t in fresh)
    if projects:
        query = select(Project).where(Project.id.in_([r["id"] for r in projects]))
        written.projects = [repo.project_view(row) for row in session.scalars(query)]
    if fresh:
        rows = session.scalars(select(Thread).where(Thread.id.in_([t.id for t in fresh])))
        views = {row.id: repo.thread_view(row) for row in rows}
        written.added = [views[t.id] for t in fresh]
    return written


def _not_stored(
    session: Session, batch: Sequence[ImportedThread], written: Written
) -> list[ImportedThread]:
    threads = _stored(session, THREADS, [t.id for t in batch])
    messages = _stored(session, MESSAGES, [m["id"] for t in batch for m in t.messages])
    fresh: list[ImportedThread] = []
    seen: set[uuid.UUID] = set()
    for item in batch:
        if item.id in threads or item.id in seen:
            written.skipped.append((item, "already imported"))
        elif any(m["id"] in messages for m in item.messages):
            written.skipped.append((item, tr("its messages are already stored in another thread")))
        else:
            fresh.append(item)
            seen.add(item.id)
    return fresh


def _forget_unknown_assistants(session: Session, rows: Sequence[Row], key: str) -> None:
    """An assistant is this machine's own: a thread (or project) imported with one that is not
    here goes on without one; its answers keep the name of the assistant they came from."""
    named = [row[key] for row in rows if row.get(key) is not None]
    known = _stored(session, ASSISTANTS, named) if named else set()
    for row in rows:
        if row.get(key) is not None and row[key] not in known:
            row[key] = None


def _new_rows(session: Session, table: Table, rows: Iterable[Row]) -> list[Row]:
    """`rows` without those already stored (or repeated), by id."""
    unique = {row["id"]: row for row in rows}
    stored = _stored(session, table, list(unique))
    return [row for row_id, row in unique.items() if row_id not in stored]


def _stored(session: Session, table: Table, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for chunk in _chunks(ids):
        found.update(session.scalars(select(table.c.id).where(table.c.id.in_(chunk))))
    return found


def _insert(session: Session, table: Table, rows: list[Row]) -> None:
    if rows:
        session.execute(insert(_for_insert(table)), rows)


@functools.cache
def _for_insert(table: Table) -> Table:
    """`table` as executemany sees it: the same columns and types, except that None in a JSON
    column is SQL NULL (what the ORM stores for a value never set), not the JSON text null."""
    columns = [
        Column(c.name, JSON(none_as_null=True) if isinstance(c.type, JSON) else c.type)
        for c in table.columns
    ]
    return Table(table.name, MetaData(), *columns)


def _chunks(ids: list[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]
