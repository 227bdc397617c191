"""An answer's rows from its start to its end: reopened to be continued, saved as it streams,
finished with its usage, and marked interrupted when the chatdesk writing it is gone."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from chatdesk.core.chat.repository.rows import (
    message_row,
    message_views,
    project_row,
    thread_row,
    thread_view,
)
from chatdesk.core.chat.repository.sources import (
    with_sources,
)
from chatdesk.core.chat.repository.tools import (
    add_tool_figures,
    close_open_calls,
    tool_time_of,
    with_tool_calls,
)
from chatdesk.core.errors import Busy, InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.ids import new_id
from chatdesk.core.kinds import ChatErrorKind
from chatdesk.core.store import changes
from chatdesk.core.store.models import Message, MessagePart, PartKind, Status, Thread
from chatdesk.core.views import (
    MessageView,
    ThreadView,
)


def save_progress(
    session: Session,
    now: datetime,
    message_id: uuid.UUID,
    content: str,
    reasoning: str,
    first_token_ms: int | None,
) -> None:
    session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(
            status=Status.STREAMING,
            content=content,
            first_token_ms=first_token_ms,
            updated_at=now,
        )
    )
    if reasoning:
        set_reasoning(session, message_id, reasoning)


def set_reasoning(session: Session, message_id: uuid.UUID, reasoning: str) -> None:
    part = session.scalars(
        select(MessagePart).where(
            MessagePart.message_id == message_id, MessagePart.kind == PartKind.REASONING
        )
    ).first()
    if part is None:
        session.add(
            MessagePart(
                id=new_id(),
                message_id=message_id,
                position=0,
                kind=PartKind.REASONING,
                text=reasoning,
            )
        )
    else:
        part.text = reasoning


def finish_answer(
    session: Session,
    now: datetime,
    message_id: uuid.UUID,
    values: dict[str, Any],
    reasoning: str,
    spent: int,
    *,
    stopped_by_user: bool = False,
) -> tuple[MessageView, ThreadView]:
    """Store an answer's final state (`values`: status, text, usage, tool figures …) and add
    the tokens it `spent` and its tool figures to its thread's and project's totals; calls it
    left waiting or running are marked not finished (as `stopped_by_user`). A continued
    answer's tool figures are those of all its runs."""
    run_time, run_counts = values.get("tool_time_ms") or 0, values.get("tool_counts")
    if values.get("tool_counts") is not None:
        before = session.execute(
            select(Message.tool_time_ms, Message.tool_counts).where(Message.id == message_id)
        ).one_or_none()
        if before is not None and before.tool_time_ms is not None:
            values = {**values, "tool_time_ms": before.tool_time_ms + (values["tool_time_ms"] or 0)}
            counts = dict(before.tool_counts or {})
            for tool, count in values["tool_counts"].items():
                counts[tool] = int(counts.get(tool, 0)) + count
            values["tool_counts"] = counts
    values = {
        **values,
        "completed_at": now,
        "updated_at": now,
        "stream_owner": None,
        "token_count": None,  # counted again, from the final text
        "token_encoding": None,
    }
    session.execute(update(Message).where(Message.id == message_id).values(**values))
    changes.touched(session, "message", [message_id])
    if reasoning:
        set_reasoning(session, message_id, reasoning)
    close_open_calls(session, [message_id], by_user=stopped_by_user)
    row = message_row(session, message_id)
    thread = thread_row(session, row.thread_id, deleted_ok=True)
    if run_counts:  # the thread's totals grow by this run's figures only
        add_tool_figures(thread, run_time, run_counts)
    thread.total_tokens += spent
    thread.last_activity_at = now
    thread.updated_at = now
    if thread.project_id is not None:
        project = project_row(session, thread.project_id)
        project.total_tokens += spent
        project.last_chat_at = now
    session.flush()
    views = with_sources(session, message_views(session, [message_id]))
    return with_tool_calls(session, views)[0], thread_view(thread)


def reopen_answer(
    session: Session, now: datetime, thread: Thread, message_id: uuid.UUID, owner: str
) -> MessageView:
    """Put a stopped answer back to `pending` so that it can be continued."""
    leaf = session.get(Message, thread.active_leaf_id) if thread.active_leaf_id else None
    if leaf is not None and not leaf.status.is_final:
        raise Busy(tr("an answer is still being written in this thread; stop it or wait"))
    row = message_row(session, message_id)
    if row.thread_id != thread.id:
        raise InvalidRequest(tr("that message belongs to another thread"))
    row.status, row.stream_owner, row.completed_at, row.updated_at = (
        Status.PENDING,
        owner,
        None,
        now,
    )
    row.error_type = row.error_detail = None
    row.token_count = row.token_encoding = None  # its text is about to grow
    thread.last_activity_at = thread.updated_at = now
    session.flush()
    return message_views(session, [row.id])[0]


def interrupt_unfinished(
    session: Session, now: datetime, owner_alive: Callable[[str], bool]
) -> int:
    """Mark answers left `pending`/`streaming` by a chatdesk that is gone as `interrupted`;
    how many there were."""
    rows = session.scalars(
        select(Message).where(Message.status.in_([Status.PENDING, Status.STREAMING]))
    ).all()
    count = 0
    for row in rows:
        if row.stream_owner and owner_alive(row.stream_owner):
            continue
        row.status = Status.INTERRUPTED
        row.error_type = ChatErrorKind.APP_EXIT
        row.error_detail = tr("chatdesk closed before this answer was complete.")
        row.stream_owner = None
        row.completed_at = now
        row.updated_at = now
        close_open_calls(session, [row.id])
        if row.tool_time_ms is None:  # its calls are read with it (and sent as notes)
            row.tool_time_ms = tool_time_of(session, row.id)
        count += 1
    return count
