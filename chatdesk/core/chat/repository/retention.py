"""One bounded batch of the purge of expired deleted threads (`chatdesk/core/chat/retention.py`
says what is purged and when)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from chatdesk.core.chat.repository import drafts
from chatdesk.core.chat.repository.branches import delete_messages
from chatdesk.core.store.models import Attachment, Draft, Message, MessagePart, Thread

BATCH_MESSAGES = 2_000  # per transaction: a few ms of the writer's time


@dataclass(frozen=True)
class Purged:
    threads: int = 0
    messages: int = 0

    def __add__(self, other: Purged) -> Purged:
        return Purged(self.threads + other.threads, self.messages + other.messages)


def purge_batch(session: Session, cutoff: datetime, budget: int) -> Purged:
    """At most `budget` messages of expired threads, and the threads they emptied."""
    expired = session.scalars(
        select(Thread.id)
        .where(Thread.deleted_at < cutoff, Thread.team_id.is_(None))
        .order_by(Thread.deleted_at)
        .limit(50)
    ).all()
    purged = Purged()
    for thread_id in expired:
        removed = _purge_messages(session, thread_id, budget - purged.messages)
        purged += Purged(0, removed)
        if session.scalar(select(exists().where(Message.thread_id == thread_id))):
            break  # the budget ran out inside this thread: the next batch goes on with it
        session.execute(delete(Draft).where(Draft.key == drafts.key(thread_id)))
        session.execute(delete(Thread).where(Thread.id == thread_id))  # summaries cascade
        purged += Purged(1, 0)
        if purged.messages >= budget:
            break
    return purged


def _purge_messages(session: Session, thread_id: uuid.UUID, budget: int) -> int:
    if budget <= 0:
        return 0
    ids = list(
        session.scalars(
            select(Message.id)
            .where(Message.thread_id == thread_id)
            .order_by(Message.depth.desc())
            .limit(budget)
        )
    )
    if not ids:
        return 0
    attachments = set(
        session.scalars(
            select(MessagePart.attachment_id).where(
                MessagePart.message_id.in_(ids), MessagePart.attachment_id.is_not(None)
            )
        )
    )
    delete_messages(session, ids)
    if attachments:
        unused = ~exists().where(MessagePart.attachment_id == Attachment.id)
        session.execute(delete(Attachment).where(Attachment.id.in_(attachments), unused))
    return len(ids)


def purge_thread(session: Session, thread_id: uuid.UUID) -> int:
    """Remove one thread for good at once, in the trash or not (a chat the local API made for
    an answer it was asked not to keep); the number of its messages removed."""
    removed = _purge_messages(session, thread_id, 1 << 30)
    session.execute(delete(Draft).where(Draft.key == drafts.key(thread_id)))
    session.execute(delete(Thread).where(Thread.id == thread_id))  # summaries, links cascade
    return removed
