"""SQL for threads, messages and projects. Plain functions over a Session, run by the Store
on its threads; they return frozen views, never live ORM objects.

A thread's messages form a tree (`parent_id`). The branch on screen is the path from the root
to `threads.active_leaf_id`; it is walked with bounded recursive queries, so a page costs the
same in a thread of 100 or 100,000 messages.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, func, literal, or_, select, update
from sqlalchemy.orm import Session

from chatdesk.core.chat import attachments as attached
from chatdesk.core.chat.titles import wants_title
from chatdesk.core.chat.views import (
    MessagePage,
    MessageView,
    ProjectView,
    ThreadFilter,
    ThreadPage,
    ThreadView,
    Usage,
)
from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.ids import new_id
from chatdesk.core.store.models import Message, MessagePart, PartKind, Project, Role, Status, Thread

M = Message.__table__
T = Thread.__table__
P = MessagePart.__table__


# -- views ---------------------------------------------------------------------------------------


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


def _view_select() -> Select[Any]:
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


def _view(row: Any) -> MessageView:
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


def message_views(session: Session, ids: Sequence[uuid.UUID]) -> list[MessageView]:
    """Views of the given messages, in the order given."""
    found = {row.id: _view(row) for row in session.execute(_BY_IDS, {"ids": list(ids)})}
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


def list_projects(session: Session) -> list[ProjectView]:
    rows = session.scalars(select(Project).order_by(func.lower(Project.name), Project.id))
    return [project_view(row) for row in rows]


# -- threads -------------------------------------------------------------------------------------


def thread_row(session: Session, thread_id: uuid.UUID, *, deleted_ok: bool = False) -> Thread:
    row = session.get(Thread, thread_id)
    if row is None or (row.deleted_at is not None and not deleted_ok):
        raise NotFound(f"no thread with id {thread_id}")
    return row


def resolve_thread_id(session: Session, text: str) -> uuid.UUID:
    """A full thread id, or a unique prefix of one (as printed by `chatdesk threads list`)."""
    cleaned = text.strip().lower().replace("-", "")
    if not cleaned or any(c not in "0123456789abcdef" for c in cleaned) or len(cleaned) > 32:
        raise NotFound(f"no thread matches {text!r}")
    if len(cleaned) == 32:
        thread_row(session, uuid.UUID(cleaned), deleted_ok=True)
        return uuid.UUID(cleaned)
    low = uuid.UUID(cleaned.ljust(32, "0"))
    high = uuid.UUID(cleaned.ljust(32, "f"))
    ids = session.scalars(
        select(Thread.id).where(Thread.id >= low, Thread.id <= high).limit(2)
    ).all()
    if not ids:
        raise NotFound(f"no thread matches {text!r}")
    if len(ids) > 1:
        raise InvalidRequest(f"{text!r} matches more than one thread; give more of the id")
    return ids[0]


def list_threads(
    session: Session, where: ThreadFilter, limit: int, cursor: str | None
) -> ThreadPage:
    if not 1 <= limit <= 1000:
        raise InvalidRequest("limit must be between 1 and 1000")
    query = select(Thread)
    query = query.where(
        Thread.deleted_at.is_not(None) if where.deleted else Thread.deleted_at.is_(None)
    )
    if where.project_id is not None:
        query = query.where(Thread.project_id == where.project_id)
    elif where.only_unfiled:
        query = query.where(Thread.project_id.is_(None))
    if where.pinned is not None:
        query = query.where(Thread.pinned == where.pinned)
    if where.archived is not None:
        query = query.where(Thread.archived == where.archived)
    if where.text:
        query = query.where(Thread.title.ilike(_contains_pattern(where.text), escape="\\"))
    if cursor:
        at, last_id = _decode_cursor(cursor)
        query = query.where(
            or_(
                Thread.last_activity_at < at,
                and_(Thread.last_activity_at == at, Thread.id < last_id),
            )
        )
    query = query.order_by(Thread.last_activity_at.desc(), Thread.id.desc()).limit(limit + 1)
    rows = session.scalars(query).all()
    page = rows[:limit]
    next_cursor = _encode_cursor(page[-1]) if len(rows) > limit else None
    return ThreadPage(tuple(thread_view(row) for row in page), next_cursor)


def _contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own `%`, `_` and `\\` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _encode_cursor(row: Thread) -> str:
    raw = f"{row.last_activity_at.isoformat()}|{row.id.hex}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, _, last = base64.urlsafe_b64decode(padded.encode()).decode().partition("|")
        return datetime.fromisoformat(at), uuid.UUID(last)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidRequest(f"not a thread-list cursor: {cursor!r}") from error


# -- messages ------------------------------------------------------------------------------------


def message_row(session: Session, message_id: uuid.UUID) -> Message:
    row = session.get(Message, message_id)
    if row is None:
        raise NotFound(f"no message with id {message_id}")
    return row


def insert_message(
    session: Session,
    now: datetime,
    thread: Thread,
    parent: Message | None,
    role: Role,
    status: Status,
    content: str = "",
    *,
    provider: str | None = None,
    model: str | None = None,
    owner: str | None = None,
) -> Message:
    row = Message(
        id=new_id(),
        thread_id=thread.id,
        parent_id=parent.id if parent else None,
        depth=parent.depth + 1 if parent else 0,
        role=role,
        status=status,
        content=content,
        provider=provider,
        model=model,
        stream_owner=owner,
        created_at=now,
        updated_at=now,
        completed_at=now if status.is_final else None,
    )
    session.add(row)
    thread.message_count += 1
    thread.last_activity_at = now
    thread.updated_at = now
    return row


def _walk(start: Any, limit: Any, *, down: bool) -> Select[Any]:
    """At most `limit` messages from `start` following parent (up) or active-child (down)
    pointers, in branch order. A counter bounds the walk on SQLite and PostgreSQL alike."""
    walk = (
        select(M.c.id, M.c.parent_id, M.c.active_child_id, literal(1).label("n"))
        .where(M.c.id == start)
        .cte("walk", recursive=True)
    )
    link = M.c.id == (walk.c.active_child_id if down else walk.c.parent_id)
    step = select(M.c.id, M.c.parent_id, M.c.active_child_id, (walk.c.n + 1).label("n"))
    walk = walk.union_all(step.join(walk, link).where(walk.c.n < limit))
    return _view_select().join(walk, M.c.id == walk.c.id).order_by(M.c.depth)


_UP = _walk(bindparam("start"), bindparam("limit"), down=False)
_DOWN = _walk(bindparam("start"), bindparam("limit"), down=True)
_BY_IDS = _view_select().where(M.c.id.in_(bindparam("ids", expanding=True)))


def path_to(session: Session, message_id: uuid.UUID, limit: int) -> list[MessageView]:
    """The message and its ancestors, at most `limit` of them, oldest first."""
    return [_view(row) for row in session.execute(_UP, {"start": message_id, "limit": limit})]


def walk_down(session: Session, message_id: uuid.UUID, limit: int) -> list[MessageView]:
    """The message and the messages that follow it on its branch, at most `limit`."""
    return [_view(row) for row in session.execute(_DOWN, {"start": message_id, "limit": limit})]


def branch_page(
    session: Session,
    thread_id: uuid.UUID,
    *,
    before: uuid.UUID | None,
    after: uuid.UUID | None,
    limit: int,
    around: uuid.UUID | None = None,
) -> MessagePage:
    if sum(m is not None for m in (before, after, around)) > 1:
        raise InvalidRequest("give only one of before, after or around, not both")
    if not 1 <= limit <= 1000:
        raise InvalidRequest("limit must be between 1 and 1000")
    found = session.execute(select(T.c.active_leaf_id).where(T.c.id == thread_id)).first()
    if found is None:
        raise NotFound(f"no thread with id {thread_id}")
    leaf = found.active_leaf_id
    if before is not None:
        cursor = _cursor_row(session, thread_id, before)
        views = path_to(session, cursor.parent_id, limit) if cursor.parent_id else []
    elif after is not None:
        cursor = _cursor_row(session, thread_id, after)
        start = cursor.active_child_id
        views = walk_down(session, start, limit) if start else []
    elif around is not None:
        cursor = _cursor_row(session, thread_id, around)
        views = path_to(session, around, limit // 2 + 1)  # it and the messages before it
        rest = limit - len(views)
        if cursor.active_child_id and rest > 0:
            views += walk_down(session, cursor.active_child_id, rest)
    else:
        views = path_to(session, leaf, limit) if leaf else []
    if not views:
        return MessagePage((), has_more_before=after is not None, has_more_after=before is not None)
    return MessagePage(
        tuple(views),
        has_more_before=views[0].parent_id is not None,
        has_more_after=views[-1].id != leaf,
    )


def _cursor_row(session: Session, thread_id: uuid.UUID, message_id: uuid.UUID) -> Any:
    row = session.execute(
        select(M.c.thread_id, M.c.parent_id, M.c.active_child_id).where(M.c.id == message_id)
    ).first()
    if row is None or row.thread_id != thread_id:
        raise NotFound(f"no message {message_id} in thread {thread_id}")
    return row


def end_of_branch(session: Session, message_id: uuid.UUID) -> uuid.UUID:
    """Follow active-child pointers from `message_id` to the end: where the user last was."""
    walk = (
        select(M.c.id, M.c.active_child_id, literal(1).label("n"))
        .where(M.c.id == message_id)
        .cte("branch", recursive=True)
    )
    step = select(M.c.id, M.c.active_child_id, (walk.c.n + 1).label("n"))
    walk = walk.union_all(step.join(walk, M.c.id == walk.c.active_child_id))
    last: uuid.UUID = session.scalars(select(walk.c.id).order_by(walk.c.n.desc()).limit(1)).one()
    return last


def set_active_leaf(session: Session, thread: Thread, leaf_id: uuid.UUID | None) -> None:
    """Make `leaf_id` the end of the branch on screen, pointing each ancestor at its child on
    that branch (stopping at the first one that already does)."""
    thread.active_leaf_id = leaf_id
    if leaf_id is None:
        return
    child = message_row(session, leaf_id)
    while child.parent_id is not None:
        parent = message_row(session, child.parent_id)
        if parent.active_child_id == child.id:
            return
        parent.active_child_id = child.id
        child = parent


def sibling_ids(session: Session, row: Message) -> list[uuid.UUID]:
    query = select(M.c.id).where(M.c.thread_id == row.thread_id)
    if row.parent_id is None:
        query = query.where(M.c.parent_id.is_(None))
    else:
        query = query.where(M.c.parent_id == row.parent_id)
    return list(session.scalars(query.order_by(M.c.id)))


def subtree_ids(session: Session, message_id: uuid.UUID) -> list[uuid.UUID]:
    """The message and all its descendants."""
    walk = select(M.c.id).where(M.c.id == message_id).cte("subtree", recursive=True)
    walk = walk.union_all(select(M.c.id).join(walk, M.c.parent_id == walk.c.id))
    return list(session.scalars(select(walk.c.id)))


def delete_branch(session: Session, thread: Thread, row: Message, now: datetime) -> list[uuid.UUID]:
    """Delete `row` and everything below it; the thread shows a sibling's branch if there is
    one, else the parent's. The ids deleted."""
    ids = subtree_ids(session, row.id)
    others = [i for i in sibling_ids(session, row) if i != row.id]
    parent = message_row(session, row.parent_id) if row.parent_id else None
    if parent is not None and parent.active_child_id == row.id:
        parent.active_child_id = others[-1] if others else None
    if thread.active_leaf_id in ids:
        leaf = end_of_branch(session, others[-1]) if others else row.parent_id
        set_active_leaf(session, thread, leaf)
    session.flush()
    delete_messages(session, ids)
    thread.message_count -= len(ids)
    thread.updated_at = now
    return ids


def delete_messages(session: Session, ids: Sequence[uuid.UUID]) -> None:
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        session.execute(delete(MessagePart).where(MessagePart.message_id.in_(chunk)))
    # One statement for the whole subtree: the parent references are checked at its end.
    session.execute(delete(Message).where(Message.id.in_(list(ids))))


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


# -- titles --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TitleInputs:
    """What a model is shown to name a thread, and the title it may replace."""

    thread_id: uuid.UUID
    title: str
    question: str
    answer: str


def title_inputs(session: Session, answer_id: uuid.UUID) -> TitleInputs | None:
    """The first question and answer of the thread, if `answer` is its first complete answer
    and the user has not named the thread; otherwise None (no title is wanted)."""
    answer = session.get(Message, answer_id)
    if answer is None or answer.parent_id is None or answer.depth != 1:
        return None
    thread = session.get(Thread, answer.thread_id)
    if thread is None or thread.deleted_at is not None or thread.title_set_by_user:
        return None
    complete = session.scalar(
        select(func.count()).where(
            M.c.thread_id == thread.id,
            M.c.depth == 1,
            M.c.role == Role.ASSISTANT,
            M.c.status == Status.COMPLETE,
        )
    )
    if complete != 1:
        return None  # a regenerated first answer: the thread was named after the first one
    question = message_row(session, answer.parent_id)
    if not wants_title(question.content):
        return None  # the question is short enough to be the title as it is
    files = attached.texts(session, [question.id])
    text = attached.for_model(question.content, files.get(question.id, ()))
    return TitleInputs(thread.id, thread.title, text, answer.content)


def retitle(
    session: Session, thread_id: uuid.UUID, expected: str, title: str, now: datetime
) -> ThreadView | None:
    """Set a generated title, unless the title is no longer `expected` (renamed meanwhile)
    or the user has named the thread; None when nothing changed."""
    thread = session.get(Thread, thread_id)
    if thread is None or thread.deleted_at is not None:
        return None
    if thread.title_set_by_user or thread.title != expected:
        return None
    thread.title = title
    thread.updated_at = now
    return thread_view(thread)
