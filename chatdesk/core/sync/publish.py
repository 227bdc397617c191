"""What a pull changed, told to the window as the chat service's own events."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.events import (
    Event,
    MessageAdded,
    MessageFinished,
    MessagesDeleted,
    SummaryCreated,
    SummaryDeleted,
    SummaryUpdated,
    ThreadCreated,
    ThreadDeleted,
    ThreadRestored,
    ThreadUpdated,
)
from chatdesk.core.chat.summaries import records
from chatdesk.core.store.models import Message, Summary, Thread
from chatdesk.core.store.store import Store
from chatdesk.core.sync.apply import Applied
from chatdesk.core.views import MessageView

# Beyond this many messages a pull is a backfill: the thread list and an open thread reload.
_MAX_MESSAGE_EVENTS = 500


def applied(store: Store, changes: Applied, publish: Callable[[Event], None]) -> None:
    """Read the views of what changed (after the pull's page committed) and announce them."""
    for event in store.read_now(lambda s: _events(s, changes)):
        publish(event)


def _events(session: Session, changes: Applied) -> list[Event]:
    events: list[Event] = []
    for thread_id in changes.threads_created:
        thread = session.get(Thread, thread_id)
        if thread is not None and thread.deleted_at is None:
            events.append(ThreadCreated(repo.thread_view(thread)))
    events.extend(ThreadDeleted(thread_id) for thread_id in changes.threads_deleted)
    for thread_id in changes.threads_restored:
        thread = session.get(Thread, thread_id)
        if thread is not None:
            events.append(ThreadRestored(repo.thread_view(thread)))
    for thread_id, ids in changes.messages_deleted.items():
        events.append(MessagesDeleted(thread_id, tuple(ids)))
    events.extend(MessageAdded(v) for v in _views(session, changes.messages_added))
    events.extend(MessageFinished(v) for v in _views(session, changes.messages_changed))
    for summary_id in changes.summaries_added:
        summary = session.get(Summary, summary_id)
        if summary is not None:
            events.append(SummaryCreated(records.view(summary)))
    for summary_id in changes.summaries_updated:
        summary = session.get(Summary, summary_id)
        if summary is not None:
            events.append(SummaryUpdated(records.view(summary)))
    events.extend(SummaryDeleted(thread, summary) for thread, summary in changes.summaries_deleted)
    touched = (
        (
            changes.threads_changed
            | set(changes.messages_deleted)
            | _threads_of(session, changes.messages_added)
        )
        - changes.threads_deleted
        - changes.threads_created
    )
    for thread_id in touched:
        thread = session.get(Thread, thread_id)
        if thread is not None:
            events.append(ThreadUpdated(repo.thread_view(thread)))
    return events


def _views(session: Session, ids: list[uuid.UUID]) -> list[MessageView]:
    """Views of the messages still here (one may be gone again later in the same pull)."""
    wanted = ids[:_MAX_MESSAGE_EVENTS]
    present = set(session.scalars(select(Message.id).where(Message.id.in_(wanted))))
    return repo.message_views(session, [i for i in wanted if i in present])


def _threads_of(session: Session, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(session.scalars(select(Message.thread_id).where(Message.id.in_(chunk))))
    return found
