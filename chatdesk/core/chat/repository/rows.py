"""Rows and their views: getting a project, thread or message row by id (NotFound when there is
none), and turning rows into the frozen views the rest of chatdesk sees.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Uuid,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from chatdesk.core.errors import NotFound
from chatdesk.core.i18n import tr
from chatdesk.core.store.models import (
    USAGE_COLUMNS,
    Message,
    MessagePart,
    PartKind,
    Project,
    Role,
    Status,
    Thread,
)
from chatdesk.core.store.prepared import Prepared, connection_of
from chatdesk.core.views import (
    MessageView,
    ProjectView,
    ThreadView,
    Usage,
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
        origin=row.origin,
    )


def sibling_count() -> ColumnElement[int]:
    """How many messages share the message's parent (itself included), counted on the index
    of (thread, parent) alone."""
    siblings = M.alias("siblings")
    return select(func.count()).where(_same_parent(siblings)).scalar_subquery()


def _same_parent(siblings: FromClause) -> ColumnElement[bool]:
    return and_(
        siblings.c.thread_id == M.c.thread_id,
        siblings.c.parent_id.is_not_distinct_from(M.c.parent_id),
    )


def message_select(count: ColumnElement[int] | None = None) -> Select[Any]:
    """Every column a MessageView needs, reasoning and branch position included, in the order
    `message_view` reads them, then whether the message has attachments or sources
    (`attached`). The columns come as SQLite stores them (no SQLAlchemy result processing):
    `message_view` converts them, several times faster for a page of 50.

    `count`: the message's `sibling_count`, when the query has it already (a branch's walk
    counts it once per row); else it is counted here, where it is read twice."""
    siblings = M.alias("siblings")
    same_parent = _same_parent(siblings)
    if count is None:
        count = sibling_count()
    before = select(func.count()).where(same_parent, siblings.c.id <= M.c.id).scalar_subquery()
    # Counted (through the table, by id) only for a message that has siblings: most have none.
    index = case((count > 1, before), else_=1)
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
    "id",
    "thread_id",
    "parent_id",
    "depth",
    "role",
    "status",
    "content",
    "provider",
    "model",
    *USAGE_COLUMNS,
    "latency_ms",
    "first_token_ms",
    "error_type",
    "error_detail",
    "created_at",
    "completed_at",
    "author",
    "tool_time_ms",
    "agent",
    "memories",
)
ROLES = {role.value: role for role in Role}  # by the text stored
STATUSES = {status.value: status for status in Status}


class _Ids(dict[str, uuid.UUID]):
    """Ids converted so far, by their stored text; a new one is converted on lookup."""

    def __missing__(self, value: str) -> uuid.UUID:
        made = self[value] = stored_uuid(value)
        return made


def stored_uuid(value: str) -> uuid.UUID:
    """An id as stored (32 hex digits) as a UUID, its integer set directly: `UUID(hex=…)`
    checks and strips the text first, ~2.5× slower, and a page makes 50 of them."""
    if len(value) != 32 or value[0] == "-":
        # Not as chatdesk stores ids: refused as UUID refuses it (`int` alone would take a
        # leading minus and make a negative UUID).
        return uuid.UUID(hex=value)
    made = _new(uuid.UUID)
    _set(made, "int", int(value, 16))
    _set(made, "is_safe", _UNKNOWN)
    return made


def message_views_of(rows: Iterable[Sequence[Any]]) -> list[MessageView]:
    """The views of rows of `message_select`. An id met again (the thread's on every row, a
    parent that is the row before on a branch) is converted once: a page of 50 builds ~51
    `UUID`s rather than 150."""
    as_uuid = _Ids().__getitem__
    return [message_view(row, as_uuid) for row in rows]


def message_view(row: Sequence[Any], as_uuid: Callable[[str], uuid.UUID]) -> MessageView:
    """The view of one row of `message_select`, its ids converted by `as_uuid`.

    Every field is set at once, as the instance's dict: a frozen dataclass's own __init__ sets
    each one through `object.__setattr__`, the most of a page's Python time (`benchmarks/page.py`
    prints what it saves beside the constructor's path; tests/core/test_fast_views.py checks the
    view is still frozen and equal to the constructor's)."""
    view = _new(MessageView)
    _set(view, "__dict__", message_fields(row, as_uuid))
    return view


def message_fields(row: Sequence[Any], as_uuid: Callable[[str], uuid.UUID]) -> dict[str, Any]:
    """MessageView's fields from one row of `message_select`, ids converted by `as_uuid`."""
    (
        id_,
        thread_id,
        parent_id,
        depth,
        role,
        status,
        content,
        provider,
        model,
        *counted,  # its tokens and cost: _usage's
        latency_ms,
        first_token_ms,
        error_type,
        error_detail,
        created_at,
        completed_at,
        author,
        tool_time_ms,
        agent,
        memories,
        reasoning,
        sibling_index,
        sibling_count,
        _attached,
    ) = row
    usage = _usage(*counted)
    return {
        "id": as_uuid(id_),
        "thread_id": as_uuid(thread_id),
        "parent_id": None if parent_id is None else as_uuid(parent_id),
        "depth": depth,
        "role": ROLES[role],
        "status": STATUSES[status],
        "content": content,
        "reasoning": reasoning,
        "provider": provider,
        "model": model,
        "usage": usage,
        "latency_ms": latency_ms,
        "first_token_ms": first_token_ms,
        "error_type": error_type,
        "error_detail": error_detail,
        # Stored as naive UTC (SQLite text, written by SQLAlchemy without an offset);
        # parsed with the offset appended, ~5× faster than `replace` after.
        "created_at": _parsed(created_at + "+00:00"),
        "completed_at": None if completed_at is None else _parsed(completed_at + "+00:00"),
        "sibling_index": sibling_index,
        "sibling_count": sibling_count,
        "author": author,
        "tool_time_ms": tool_time_ms,
        "agent": agent,
        "memories": () if memories is None else memory_ids(memories),
        **_READ_APART,
    }


# MessageView's fields a page reads apart from its rows (attachments, tool calls, sources and
# cuts), or not at all (the servers left out are known only while an answer is written).
_READ_APART: dict[str, tuple[()]] = {
    "attachments": (),
    "tool_calls": (),
    "sources": (),
    "cuts": (),
    "left_out": (),
}


def memory_ids(stored: str) -> tuple[int, ...]:
    """An answer's memories as stored (JSON text, as read without SQLAlchemy's processing)."""
    try:
        found = json.loads(stored)
    except ValueError:
        return ()
    if not isinstance(found, list):
        return ()
    return tuple(i for i in found if isinstance(i, int) and not isinstance(i, bool))


def _usage(
    prompt_tokens: int | None,
    completion_tokens: int | None,
    cached_tokens: int | None,
    reasoning_tokens: int | None,
    cost_usd: float | None,
    usage_estimated: bool | None,
) -> Usage:
    if (
        prompt_tokens is None
        and completion_tokens is None
        and cached_tokens is None
        and reasoning_tokens is None
        and cost_usd is None
        and not usage_estimated
    ):
        return _NO_USAGE  # a question, or an answer without figures yet
    return Usage(
        prompt_tokens,
        completion_tokens,
        cached_tokens,
        reasoning_tokens,
        cost_usd,
        bool(usage_estimated),
    )


_new = object.__new__
_set = object.__setattr__
_parsed = datetime.fromisoformat
_UNKNOWN = uuid.SafeUUID.unknown
_NO_USAGE = Usage()


_PLACES = tuple(f"id{n}" for n in range(8))
_BY_IDS = Prepared(
    message_select().where(M.c.id.in_([bindparam(name, type_=Uuid()) for name in _PLACES]))
)


def message_views(session: Session, ids: Sequence[uuid.UUID]) -> list[MessageView]:
    """Views of the given messages, in the order given. Read eight at a time by a statement
    compiled once (a place not given is NULL, which matches nothing): a turn asks for two."""
    connection = connection_of(session)
    rows: list[Any] = []
    for start in range(0, len(ids), len(_PLACES)):
        given = zip(_PLACES, ids[start : start + len(_PLACES)], strict=False)  # the last: fewer
        rows += _BY_IDS.rows(connection, **dict(given))
    found = {view.id: view for view in message_views_of(rows)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(tr("no message with id {message_id}", message_id=missing[0]))
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
        raise NotFound(tr("no project with id {project_id}", project_id=project_id))
    return row


def project_of(session: Session, thread: Thread) -> Project | None:
    """The thread's project, if it is in one."""
    return session.get(Project, thread.project_id) if thread.project_id else None


def thread_row(session: Session, thread_id: uuid.UUID, *, deleted_ok: bool = False) -> Thread:
    row = session.get(Thread, thread_id)
    if row is None or (row.deleted_at is not None and not deleted_ok):
        raise NotFound(tr("no thread with id {thread_id}", thread_id=thread_id))
    return row


_THREAD = Prepared(select(T).where(T.c.id == bindparam("thread", type_=Uuid())))


def thread_copy(session: Session, thread_id: uuid.UUID) -> Thread:
    """The thread's row as a Thread the session does not hold, read without the ORM's loading
    (several times dearer for one row, on every send); nothing set on it is saved unless the
    caller writes it (`repository/turns.py` does)."""
    row = _THREAD.first(connection_of(session), thread=thread_id)
    thread = None if row is None else Thread(**_THREAD.converted(row))
    if thread is None or thread.deleted_at is not None:
        raise NotFound(tr("no thread with id {thread_id}", thread_id=thread_id))
    return thread


def message_row(session: Session, message_id: uuid.UUID) -> Message:
    row = session.get(Message, message_id)
    if row is None:
        raise NotFound(tr("no message with id {message_id}", message_id=message_id))
    return row
