"""Which threads, messages and summaries a write transaction touched, for whoever follows them
(team sync), without the writers knowing who that is.

The writer's sessions note every such row the ORM inserts, changes or deletes; writes that
bypass the ORM (bulk updates and deletes) name their rows with `touched` and `deleted`. Before
the transaction commits, the store runs its write hooks, which collect the notes with `take`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from chatdesk.core.store.models import Message, Summary, Thread

WriteHook = Callable[[Session], None]

_ENTITIES: dict[type, str] = {Thread: "thread", Message: "message", Summary: "summary"}
_KEY = "chatdesk.changes"


@dataclass
class Changes:
    touched: set[tuple[str, uuid.UUID]] = field(default_factory=set)  # (entity, id)
    deleted: set[tuple[str, uuid.UUID, uuid.UUID]] = field(default_factory=set)  # + thread id

    def __bool__(self) -> bool:
        return bool(self.touched or self.deleted)


def touched(session: Session, entity: str, ids: Iterable[uuid.UUID]) -> None:
    """Note rows changed by a statement the ORM does not see."""
    _changes(session).touched.update((entity, i) for i in ids)


def deleted(session: Session, entity: str, thread_id: uuid.UUID, ids: Iterable[uuid.UUID]) -> None:
    """Note rows of `thread_id` removed by a statement the ORM does not see."""
    _changes(session).deleted.update((entity, i, thread_id) for i in ids)


def take(session: Session) -> Changes:
    """What this transaction touched so far (and forget it)."""
    found: Changes = session.info.pop(_KEY, None) or Changes()
    found.touched.difference_update((entity, i) for entity, i, _ in found.deleted)
    return found


def peek(session: Session) -> Changes:
    """What this transaction touched so far, left for `take` (a copy: a hook that only looks)."""
    found: Changes | None = session.info.get(_KEY)
    if found is None:
        return Changes()
    deleted = {(entity, i) for entity, i, _ in found.deleted}
    return Changes(found.touched - deleted, set(found.deleted))


def track(session: Session) -> None:
    """Start noting the ORM's inserts, changes and deletes in `session`."""
    event.listen(session, "before_flush", _note_flush)
    event.listen(session, "after_flush", _note_inserted)


def _changes(session: Session) -> Changes:
    found: Changes = session.info.setdefault(_KEY, Changes())
    return found


def _note_flush(session: Session, _context: Any, _instances: Any) -> None:
    notes = _changes(session)
    for obj in (*session.new, *session.dirty):
        entity = _ENTITIES.get(type(obj))
        if entity is not None and obj.id is not None:
            notes.touched.add((entity, obj.id))
    for obj in session.deleted:
        entity = _ENTITIES.get(type(obj))
        if entity is not None:
            thread_id = obj.id if entity == "thread" else obj.thread_id
            notes.deleted.add((entity, obj.id, thread_id))


def _note_inserted(session: Session, _context: Any) -> None:
    """New rows whose id comes from the column's default (a summary) have it only once
    inserted; `session.new` still lists them here."""
    notes = _changes(session)
    for obj in session.new:
        entity = _ENTITIES.get(type(obj))
        if entity is not None:
            notes.touched.add((entity, obj.id))
