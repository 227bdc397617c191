"""What other chatdesk processes wrote since a moment: the rows the watch of chat/outside.py
reads, leaving out those this process wrote (`OwnWrites`, and the answers it streams).

Every query is an index's: threads are few (their table is read whole), messages are found by
their time-ordered ids (new ones), the status index (answers being written) or their ids (the
answers followed so far). A message changed otherwise (a branch moved) shows as its thread."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.chat.repository.attachments import with_attachments
from chatdesk.core.chat.repository.branches import full_message
from chatdesk.core.chat.repository.rows import message_views, thread_view
from chatdesk.core.chat.repository.sources import with_sources
from chatdesk.core.chat.repository.tools import with_tool_calls
from chatdesk.core.store.models import Message, Status, Thread
from chatdesk.core.store.own_writes import OwnWrites
from chatdesk.core.views import MessageView, ThreadView

_LIVE = (Status.PENDING, Status.STREAMING)
_CHUNK = 500  # ids per statement, under SQLite's limit of bound values
# Beyond this many messages in one read (an import, a pull in another process) only the newest
# are told: their threads' events say the rest, read when a thread is opened.
_MAX_MESSAGES = 500


@dataclass(frozen=True)
class Outside:
    """Rows another process wrote, each with the `updated_at` it has now."""

    threads: tuple[tuple[ThreadView, datetime], ...]
    messages: tuple[tuple[MessageView, datetime], ...]


def written_outside(
    session: Session,
    since: datetime,
    own: OwnWrites,
    here: str,
    following: Collection[uuid.UUID],
) -> Outside:
    """Threads and messages changed after `since` by others than this process (`here`: its
    instance id), and the messages of `following` as they stand."""
    threads = tuple(
        (thread_view(row), row.updated_at)
        for row in session.scalars(select(Thread).where(Thread.updated_at > since))
        if not own.wrote(row.id, row.updated_at)
    )
    M = Message
    columns = (M.id, M.updated_at, M.stream_owner)
    found = list(session.execute(select(*columns).where(M.id >= _first_id(since))))
    found += session.execute(select(*columns).where(M.status.in_(_LIVE), M.updated_at > since))
    wanted = list(following)
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found += session.execute(select(*columns).where(M.id.in_(chunk)))
    stamps: dict[uuid.UUID, datetime] = {}
    for message_id, updated_at, owner in found:
        recent = updated_at > since or message_id in following
        if recent and owner != here and not own.wrote(message_id, updated_at):
            stamps[message_id] = updated_at
    # Time-ordered, a question before its answer; an import's thousands, the newest only.
    ids = sorted(stamps)[-_MAX_MESSAGES:]
    views = with_attachments(session, message_views(session, ids))
    views = with_tool_calls(session, with_sources(session, views))
    return Outside(threads, tuple((view, stamps[view.id]) for view in views))


def answer_and_owner(session: Session, message_id: uuid.UUID) -> tuple[MessageView, str | None]:
    """A message as the window shows it, and the chatdesk process writing it (None: none)."""
    owner = session.scalar(select(Message.stream_owner).where(Message.id == message_id))
    return full_message(session, message_id), owner


def _first_id(moment: datetime) -> uuid.UUID:
    """The lowest time-ordered id (UUIDv7, chatdesk/core/ids.py) made at `moment` or later."""
    return uuid.UUID(int=int(moment.timestamp() * 1000) << 80)
