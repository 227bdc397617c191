"""Rows and their views: getting a project, thread or message row by id (NotFound when there is
none), and turning rows into the frozen views the rest of chatdesk sees.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, and_, bindparam, func, or_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from chatdesk.core.chat.views import (
    MessageView,
    ProjectView,
    ThreadView,
    Usage,
)
from chatdesk.core.errors import NotFound
from chatdesk.core.store.models import (
    Message,
    MessagePart,
    PartKind,
    Project,
    Role,
    Status,
    Thread,
)

M = Message.__table__
T = Thread.__table__
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
        tools=tuple(row.tools or ()),
        default_assistant_id=row.default_assistant_id,
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
        assistant_id=row.assistant_id,
    )


def message_select() -> Select[Any]:
    """Every column a MessageView needs, reasoning and branch position included, in the order
    `message_view` reads them, then whether the message has attachments or sources
    (`attached`). The columns come as SQLite stores them (no SQLAlchemy result processing):
    `message_view` converts them, several times faster for a page of 50."""
    siblings = M.alias("siblings")
    same_parent = and_(
        siblings.c.thread_id == M.c.thread_id,
        siblings.c.parent_id.is_not_distinct_from(M.c.parent_id),
    )
    count = select(func.count()).where(same_parent).scalar_subquery()
    index = select(func.count()).where(same_parent, siblings.c.id <= M.c.id).scalar_subquery()
    parts = P.alias("attached_parts")
    attachment = select(parts.c.id).where(
        parts.c.message_id == M.c.id,
        or_(parts.c.kind == PartKind.ATTACHMENT, parts.c.kind == PartKind.SOURCE),
    )
    query = select(
        *(type_coerce(M.c[name], _AS_STORED).label(name) for name in _MESSAGE_COLUMNS),
        P.c.text.label("reasoning"),
        index.label("sibling_index"),
        count.label("sibling_count"),
        attachment.exists().label("attached"),
    ).outerjoin(P, and_(P.c.message_id == M.c.id, P.c.kind == PartKind.REASONING))
    return cast("Select[Any]", query)


_AS_STORED = NullType()
_MESSAGE_COLUMNS = (
    "id", "thread_id", "parent_id", "depth", "role", "status", "content", "provider", "model",
    "prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens", "cost_usd",
    "usage_estimated", "latency_ms",
    "first_token_ms", "error_type", "error_detail", "created_at", "completed_at", "author",
    "tool_time_ms", "agent",
)  # fmt: skip
_ROLES = {role.value: role for role in Role}
_STATUSES = {status.value: status for status in Status}


def _uuid(value: str, known: dict[str, uuid.UUID]) -> uuid.UUID:
    found = known.get(value)
    if found is None:
        found = known[value] = uuid.UUID(hex=value)
    return found


def _utc(value: str | None) -> datetime | None:
    """A stored naive-UTC timestamp (SQLite text, which SQLAlchemy writes without an offset)
    as an aware datetime; parsing it with the offset appended is ~5× faster than `replace`."""
    return None if value is None else datetime.fromisoformat(value + "+00:00")


def message_views_of(rows: Iterable[Sequence[Any]]) -> list[MessageView]:
    """The views of rows of `message_select`. An id met again (the thread's on every row, a
    parent that is the row before on a branch) is converted once: a page of 50 builds ~51
    `UUID`s rather than 150."""
    known: dict[str, uuid.UUID] = {}
    return [message_view(row, known) for row in rows]


def message_view(row: Sequence[Any], known: dict[str, uuid.UUID]) -> MessageView:
    """The view of one row of `message_select` (`known`: ids already converted, by text)."""
    (id_, thread_id, parent_id, depth, role, status, content, provider, model,
     prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost_usd,
     usage_estimated, latency_ms, first_token_ms, error_type, error_detail, created_at,
     completed_at, author, tool_time_ms, agent, reasoning, sibling_index, sibling_count,
     *_) = row  # fmt: skip
    if (
        prompt_tokens is None
        and completion_tokens is None
        and cached_tokens is None
        and reasoning_tokens is None
        and cost_usd is None
        and not usage_estimated
    ):
        usage = _NO_USAGE  # a question, or an answer without figures yet
    else:
        usage = Usage(
            prompt_tokens,
            completion_tokens,
            cached_tokens,
            reasoning_tokens,
            cost_usd,
            bool(usage_estimated),
        )
    # Every field set at once: a frozen dataclass's own __init__ sets each one through
    # `object.__setattr__`, ~3× slower for these 21 fields, the most of a page's Python time.
    # tests/core/test_chat_repository.py checks that this sets exactly MessageView's fields.
    view = _new(MessageView)
    view.__dict__.update(
        id=_uuid(id_, known),
        thread_id=_uuid(thread_id, known),
        parent_id=None if parent_id is None else _uuid(parent_id, known),
        depth=depth,
        role=_ROLES[role],
        status=_STATUSES[status],
        content=content,
        reasoning=reasoning,
        provider=provider,
        model=model,
        usage=usage,
        latency_ms=latency_ms,
        first_token_ms=first_token_ms,
        error_type=error_type,
        error_detail=error_detail,
        created_at=_utc(created_at),
        completed_at=_utc(completed_at),
        sibling_index=sibling_index,
        sibling_count=sibling_count,
        attachments=(),
        author=author,
        tool_calls=(),
        tool_time_ms=tool_time_ms,
        agent=agent,
        sources=(),
    )
    return view


_new = object.__new__
_NO_USAGE = Usage()


_BY_IDS = message_select().where(M.c.id.in_(bindparam("ids", expanding=True)))


def message_views(session: Session, ids: Sequence[uuid.UUID]) -> list[MessageView]:
    """Views of the given messages, in the order given."""
    views = message_views_of(session.execute(_BY_IDS, {"ids": list(ids)}))
    found = {view.id: view for view in views}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"no message with id {missing[0]}")
    return [found[i] for i in ids]


def existing_messages(session: Session, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Those of `ids` that are messages, asked for in batches (SQLite bounds a statement's
    parameters)."""
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        found.update(session.scalars(select(M.c.id).where(M.c.id.in_(batch))))
    return found


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
