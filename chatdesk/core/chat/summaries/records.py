"""Summary rows: which ones a thread has, and their views. Plain functions over a Session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.errors import NotFound
from chatdesk.core.i18n import tr
from chatdesk.core.store.models import Message, Summary, Thread
from chatdesk.core.views import SummaryView

S = Summary.__table__
M = Message.__table__


@dataclass(frozen=True)
class Candidate:
    """A summary of the thread, with the depth of the message it covers through."""

    id: uuid.UUID
    covers_through: uuid.UUID
    depth: int
    content: str


_CANDIDATES = (
    select(S.c.id, S.c.covers_through_message_id, M.c.depth, S.c.content)
    .join(M, M.c.id == S.c.covers_through_message_id)
    .order_by(S.c.created_at.desc(), S.c.id.desc())
)


def candidates(session: Session, thread_id: uuid.UUID) -> list[Candidate]:
    """The thread's summaries, newest first; the first whose message is on the branch wins."""
    rows = session.execute(_CANDIDATES.where(S.c.thread_id == thread_id))
    return [
        Candidate(row.id, row.covers_through_message_id, row.depth, row.content) for row in rows
    ]


def summary_row(session: Session, summary_id: uuid.UUID) -> Summary:
    row = session.get(Summary, summary_id)
    if row is None:
        raise NotFound(tr("no summary with id {summary_id}", summary_id=summary_id))
    return row


def view(row: Summary, *, in_use: bool = False) -> SummaryView:
    return SummaryView(
        id=row.id,
        thread_id=row.thread_id,
        covers_through_message_id=row.covers_through_message_id,
        content=row.content,
        token_count=row.token_count,
        provider=row.provider,
        model=row.model,
        created_at=row.created_at,
        edited_at=row.edited_at,
        in_use=in_use,
    )


def views(session: Session, thread_id: uuid.UUID, in_use: uuid.UUID | None) -> list[SummaryView]:
    """All the thread's summaries, oldest first, the one in use marked."""
    rows = session.scalars(
        select(Summary).where(Summary.thread_id == thread_id).order_by(Summary.created_at)
    )
    return [view(row, in_use=row.id == in_use) for row in rows]


def add(
    session: Session,
    *,
    now: datetime,
    thread_id: uuid.UUID,
    covers_through: uuid.UUID,
    content: str,
    tokens: int,
    provider: str | None,
    model: str | None,
) -> SummaryView:
    row = Summary(
        thread_id=thread_id,
        covers_through_message_id=covers_through,
        content=content,
        token_count=tokens,
        provider=provider,
        model=model,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return view(row, in_use=True)


def edit(
    session: Session, summary_id: uuid.UUID, content: str, tokens: int, now: datetime
) -> SummaryView:
    """Replace a summary's text (the user edited it)."""
    row = summary_row(session, summary_id)
    row.content, row.token_count, row.edited_at = content, tokens, now
    return view(row)


def remove(session: Session, summary_id: uuid.UUID) -> uuid.UUID:
    """Delete a summary and pause automatic ones in its thread; the thread's id."""
    row = summary_row(session, summary_id)
    thread = session.get(Thread, row.thread_id)
    session.delete(row)
    if thread is not None:
        thread.summaries_paused = True
    return row.thread_id
