"""Rows and their views: getting a project, thread or message row by id (NotFound when there is
none), and turning rows into the frozen views the rest of chatdesk sees.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import Session

from chatdesk.core.chat.views import (
    MessageView,
    ProjectView,
    ThreadView,
    Usage,
)
from chatdesk.core.errors import NotFound
from chatdesk.core.store.models import Message, MessagePart, PartKind, Project, Thread

M = Message.__table__
P = MessagePart.__table__


def project_view(row: Project) -> ProjectView:
    return ProjectView(
        id=row.id,
        name=row.name,
        system_prompt=row.system_prompt,
        default_provider=row.default_provider,
        default_model=row.default_model,
        total_tokens=row.total_tokens,
        last_chat_at=row.last_chat_at,
        created_at=row.created_at,
    )


def thread_view(row: Thread) -> ThreadView:
    return ThreadView(
        id=row.id,
        title=row.title,
        title_set_by_user=row.title_set_by_user,
        project_id=row.project_id,
        pinned=row.pinned,
        archived=row.archived,
        deleted_at=row.deleted_at,
        provider=row.provider,
        model=row.model,
        system_prompt=row.system_prompt,
        active_leaf_id=row.active_leaf_id,
        message_count=row.message_count,
        total_tokens=row.total_tokens,
        last_activity_at=row.last_activity_at,
        created_at=row.created_at,
        context_window=row.context_window,
        summaries_paused=bool(row.summaries_paused),
        team_id=row.team_id,
    )


def message_select() -> Select[Any]:
    """Every column a MessageView needs, reasoning and branch position included."""
    siblings = M.alias("siblings")
    same_parent = and_(
        siblings.c.thread_id == M.c.thread_id,
        siblings.c.parent_id.is_not_distinct_from(M.c.parent_id),
    )
    count = select(func.count()).where(same_parent).scalar_subquery()
    index = select(func.count()).where(same_parent, siblings.c.id <= M.c.id).scalar_subquery()
    return select(
        *(M.c[name] for name in _MESSAGE_COLUMNS),
        P.c.text.label("reasoning"),
        index.label("sibling_index"),
        count.label("sibling_count"),
    ).outerjoin(P, and_(P.c.message_id == M.c.id, P.c.kind == PartKind.REASONING))


_MESSAGE_COLUMNS = (
    "id", "thread_id", "parent_id", "depth", "role", "status", "content", "provider", "model",
    "prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens", "cost_usd",
    "usage_estimated", "latency_ms",
    "first_token_ms", "error_type", "error_detail", "created_at", "completed_at", "author",
)  # fmt: skip


def message_view(row: Any) -> MessageView:
    return MessageView(
        id=row.id,
        thread_id=row.thread_id,
        parent_id=row.parent_id,
        depth=row.depth,
        role=row.role,
        status=row.status,
        content=row.content,
        reasoning=row.reasoning,
        provider=row.provider,
        model=row.model,
        usage=Usage(
            row.prompt_tokens,
            row.completion_tokens,
            row.cached_tokens,
            row.reasoning_tokens,
            row.cost_usd,
            bool(row.usage_estimated),
        ),
        latency_ms=row.latency_ms,
        first_token_ms=row.first_token_ms,
        error_type=row.error_type,
        error_detail=row.error_detail,
        created_at=row.created_at,
        completed_at=row.completed_at,
        sibling_index=row.sibling_index,
        sibling_count=row.sibling_count,
        author=row.author,
    )


_BY_IDS = message_select().where(M.c.id.in_(bindparam("ids", expanding=True)))


def message_views(session: Session, ids: Sequence[uuid.UUID]) -> list[MessageView]:
    """Views of the given messages, in the order given."""
    found = {row.id: message_view(row) for row in session.execute(_BY_IDS, {"ids": list(ids)})}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"no message with id {missing[0]}")
    return [found[i] for i in ids]


# -- projects ------------------------------------------------------------------------------------


def project_row(session: Session, project_id: uuid.UUID) -> Project:
    row = session.get(Project, project_id)
    if row is None:
        raise NotFound(f"no project with id {project_id}")
    return row


def project_of(session: Session, thread: Thread) -> Project | None:
    """The thread's project, if it is in one."""
    return session.get(Project, thread.project_id) if thread.project_id else None


def thread_row(session: Session, thread_id: uuid.UUID, *, deleted_ok: bool = False) -> Thread:
    row = session.get(Thread, thread_id)
    if row is None or (row.deleted_at is not None and not deleted_ok):
        raise NotFound(f"no thread with id {thread_id}")
    return row


def message_row(session: Session, message_id: uuid.UUID) -> Message:
    row = session.get(Message, message_id)
    if row is None:
        raise NotFound(f"no message with id {message_id}")
    return row
