"""The memory package's SQL: memories kept, changed and deleted, read for a chat's place or for
the list, and their vectors. Every change of a memory's text reaches the full-text index in the
same statement (triggers, `index.py`); a change of its text drops its vector, made again."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, func, or_, select, update
from sqlalchemy.orm import Session

from chatdesk.core.errors import NotFound
from chatdesk.core.i18n import tr
from chatdesk.core.memory.model import MemoryStats, MemorySwitches, MemoryView, Place
from chatdesk.core.store.models import Assistant, Memory, Message, Project, Thread

_VIEW = (
    select(Memory, Assistant.name, Project.name, Thread.title)
    .outerjoin(Assistant, Assistant.id == Memory.assistant_id)
    .outerjoin(Project, Project.id == Memory.project_id)
    .outerjoin(Thread, and_(Thread.id == Memory.thread_id, Thread.deleted_at.is_(None)))
)


def add(session: Session, text: str, origin: str, now: datetime, **more: Any) -> int:
    """Keep a memory; `more`: assistant_id or project_id, thread_id, message_id, always,
    enabled, and (restoring one deleted) its `id` and `created_at`."""
    values = {"created_at": now, "updated_at": now, **more}
    row = Memory(text=text, origin=origin, **values)
    session.add(row)
    session.flush()
    return row.id


def row(session: Session, memory_id: int) -> Memory:
    found = session.get(Memory, memory_id)
    if found is None:
        raise NotFound(tr("There is no memory number {id}.", id=memory_id))
    return found


def change(session: Session, memory_id: int, now: datetime, **values: Any) -> None:
    """Set `values` on the memory (a new `text` drops its vector)."""
    found = row(session, memory_id)
    if "text" in values and values["text"] != found.text:
        found.vector, found.vector_model = None, None
    for name, value in values.items():
        setattr(found, name, value)
    found.updated_at = now


def remove(session: Session, memory_id: int) -> MemoryView:
    """Delete the memory (its index entry and vector with it); its view, to undo."""
    view = views(session, ids=[memory_id])
    if not view:
        raise NotFound(tr("There is no memory number {id}.", id=memory_id))
    session.execute(delete(Memory).where(Memory.id == memory_id))
    return view[0]


def views(
    session: Session,
    *,
    ids: Sequence[int] | None = None,
    containing: str = "",
) -> list[MemoryView]:
    """Memories as the list shows them, newest first: those of `ids`, or those whose text
    holds `containing` (any case)."""
    query = _VIEW.order_by(Memory.updated_at.desc(), Memory.id.desc())
    if ids is not None:
        query = query.where(Memory.id.in_(list(ids)))
    if containing:
        escaped = containing.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Memory.text.ilike(f"%{escaped}%", escape="\\"))
    return [_view(*found) for found in session.execute(query).all()]


def _view(
    memory: Memory, assistant: str | None, project: str | None, title: str | None
) -> MemoryView:
    return MemoryView(
        id=memory.id,
        text=memory.text,
        origin=memory.origin,
        enabled=memory.enabled,
        always=memory.always,
        created_at=memory.created_at,
        updated_at=memory.updated_at,
        used_at=memory.used_at,
        assistant_id=memory.assistant_id,
        assistant=assistant or "",
        project_id=memory.project_id,
        project=project or "",
        thread_id=memory.thread_id if title is not None else None,
        message_id=memory.message_id if title is not None else None,
        thread_title=title or "",
    )


def mark_used(session: Session, ids: Iterable[int], now: datetime) -> None:
    chosen = list(ids)
    if chosen:
        session.execute(update(Memory).where(Memory.id.in_(chosen)).values(used_at=now))


def stats(session: Session) -> MemoryStats:
    count, enabled, characters = session.execute(
        select(
            func.count(Memory.id),
            func.coalesce(func.sum(case((Memory.enabled.is_(True), 1), else_=0)), 0),
            func.coalesce(func.sum(func.length(Memory.text)), 0),
        )
    ).one()
    return MemoryStats(int(count), int(enabled), int(characters))


# -- vectors ---------------------------------------------------------------------------------------


def vectors(session: Session, key: str) -> list[tuple[int, bytes]]:
    """Every memory's vector made by the model `key` names."""
    query = select(Memory.id, Memory.vector).where(
        Memory.vector_model == key, Memory.vector.is_not(None)
    )
    return [(i, v) for i, v in session.execute(query).all() if v is not None]


def unembedded(session: Session, key: str, limit: int) -> list[tuple[int, str]]:
    """Memories with no vector of `key`'s model yet (new, edited, or of another model)."""
    query = (
        select(Memory.id, Memory.text)
        .where(or_(Memory.vector_model.is_(None), Memory.vector_model != key))
        .order_by(Memory.id)
        .limit(limit)
    )
    return [(i, t) for i, t in session.execute(query).all()]


def save_vectors(session: Session, key: str, made: Sequence[tuple[int, str, bytes]]) -> None:
    """Store vectors (id, the text they were made of, vector) of those whose text is still it."""
    for memory_id, text, vector in made:
        session.execute(
            update(Memory)
            .where(Memory.id == memory_id, Memory.text == text)
            .values(vector=vector, vector_model=key)
        )


# -- switches --------------------------------------------------------------------------------------


def message_text(session: Session, message_id: uuid.UUID) -> str:
    """The words of the message a question's memories are found for ("" when it is gone)."""
    found = session.execute(select(Message.content).where(Message.id == message_id)).scalar()
    return found or ""


def switches(
    session: Session, thread_id: uuid.UUID, everywhere: bool
) -> tuple[MemorySwitches, Place]:
    """A chat's memory switches, and its place (its assistant and project, those that exist):
    one statement, as it is read before every answer."""
    found = session.execute(_SWITCHES, {"thread_id": thread_id}).first()
    if found is None:
        raise NotFound(tr("no thread with id {thread_id}", thread_id=thread_id))
    chat_off, assistant_id, assistant_off, project_id, project_off = found
    switched = MemorySwitches(
        everywhere=everywhere,
        chat=not chat_off,
        assistant=not assistant_off,
        project=not project_off,
    )
    return switched, Place(assistant_id, project_id)


_A, _P = Assistant.__table__, Project.__table__
_SWITCHES = (
    select(
        Thread.__table__.c.memory_off,
        _A.c.id,
        func.coalesce(_A.c.memory_off, False),
        _P.c.id,
        func.coalesce(_P.c.memory_off, False),
    )
    .select_from(Thread.__table__)
    .outerjoin(_A, _A.c.id == Thread.__table__.c.assistant_id)
    .outerjoin(_P, _P.c.id == Thread.__table__.c.project_id)
    .where(Thread.__table__.c.id == bindparam("thread_id"))
)


def switch(
    session: Session, owner: type[Thread | Assistant | Project], owner_id: uuid.UUID, on: bool
) -> None:
    """Switch memory on or off for one chat, or for an assistant's or a project's chats."""
    done = session.execute(update(owner).where(owner.id == owner_id).values(memory_off=not on))
    if not getattr(done, "rowcount", 0):
        raise NotFound(tr("There is no such chat, assistant or project."))


def switched_off(session: Session, owner: type[Assistant | Project]) -> set[uuid.UUID]:
    """The assistants (or projects) whose chats have memory off."""
    return set(session.scalars(select(owner.id).where(owner.memory_off.is_(True))))
