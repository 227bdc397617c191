"""SQL for threads, messages and projects. Plain functions over a Session, run by the Store
on its threads; they return frozen views, never live ORM objects.

A thread's messages form a tree (`parent_id`). The branch on screen is the path from the root
to `threads.active_leaf_id`; it is walked with bounded recursive queries, so a page costs the
same in a thread of 100 or 100,000 messages.
"""

from __future__ import annotations

import base64
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Select, and_, delete, func, literal, or_, select, update
from sqlalchemy.orm import Session

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
    )


def message_view(
    row: Message, reasoning: str | None = None, siblings: tuple[int, int] = (1, 1)
) -> MessageView:
    return MessageView(
        id=row.id,
        thread_id=row.thread_id,
        parent_id=row.parent_id,
        depth=row.depth,
        role=row.role,
        status=row.status,
        content=row.content,
        reasoning=reasoning,
        provider=row.provider,
        model=row.model,
        usage=Usage(
            row.prompt_tokens, row.completion_tokens, row.cached_tokens, row.reasoning_tokens
        ),
        latency_ms=row.latency_ms,
        first_token_ms=row.first_token_ms,
        error_type=row.error_type,
        error_detail=row.error_detail,
        created_at=row.created_at,
        completed_at=row.completed_at,
        sibling_index=siblings[0],
        sibling_count=siblings[1],
    )


def full_views(session: Session, rows: Sequence[Message]) -> list[MessageView]:
    """Views with reasoning text and branch positions filled in."""
    reasoning = reasoning_of(session, [row.id for row in rows])
    positions = sibling_positions(session, rows)
    return [message_view(row, reasoning.get(row.id), positions[row.id]) for row in rows]


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


def _walk_up(start: uuid.UUID, limit: int) -> Select[Message]:
    """`start` and at most `limit - 1` of its ancestors, oldest first."""
    walk = (
        select(M.c.id, M.c.parent_id, literal(1).label("n"))
        .where(M.c.id == start)
        .cte("walk", recursive=True)
    )
    step = (
        select(M.c.id, M.c.parent_id, (walk.c.n + 1).label("n"))
        .join(walk, M.c.id == walk.c.parent_id)
        .where(walk.c.n < limit)
    )
    walk = walk.union_all(step)
    return select(Message).join(walk, Message.id == walk.c.id).order_by(Message.depth)


def _walk_down_to(leaf: uuid.UUID, depth: int, limit: int) -> Select[Message]:
    """The first `limit` messages below depth `depth` on the path that ends at `leaf`."""
    walk = (
        select(M.c.id, M.c.parent_id)
        .where(M.c.id == leaf, M.c.depth > depth)
        .cte("walk", recursive=True)
    )
    step = (
        select(M.c.id, M.c.parent_id)
        .join(walk, M.c.id == walk.c.parent_id)
        .where(M.c.depth > depth)
    )
    walk = walk.union_all(step)
    return select(Message).join(walk, Message.id == walk.c.id).order_by(Message.depth).limit(limit)


def path_to(session: Session, message_id: uuid.UUID, limit: int) -> list[Message]:
    """The message and its ancestors, at most `limit` of them, oldest first."""
    return list(session.scalars(_walk_up(message_id, limit)))


def branch_page(
    session: Session,
    thread: Thread,
    *,
    before: uuid.UUID | None,
    after: uuid.UUID | None,
    limit: int,
) -> MessagePage:
    if before is not None and after is not None:
        raise InvalidRequest("give either before or after, not both")
    if not 1 <= limit <= 1000:
        raise InvalidRequest("limit must be between 1 and 1000")
    leaf = thread.active_leaf_id
    rows: list[Message]
    if before is not None:
        cursor = _cursor_row(session, thread, before)
        rows = path_to(session, cursor.parent_id, limit) if cursor.parent_id else []
    elif after is not None:
        cursor = _cursor_row(session, thread, after)
        rows = list(session.scalars(_walk_down_to(leaf, cursor.depth, limit))) if leaf else []
    else:
        rows = path_to(session, leaf, limit) if leaf else []
    if not rows:
        return MessagePage((), has_more_before=after is not None, has_more_after=before is not None)
    return MessagePage(
        tuple(full_views(session, rows)),
        has_more_before=rows[0].parent_id is not None,
        has_more_after=rows[-1].id != leaf,
    )


def _cursor_row(session: Session, thread: Thread, message_id: uuid.UUID) -> Message:
    row = session.get(Message, message_id)
    if row is None or row.thread_id != thread.id:
        raise NotFound(f"no message {message_id} in thread {thread.id}")
    return row


def reasoning_of(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    ids = list(ids)
    if not ids:
        return {}
    rows = session.execute(
        select(MessagePart.message_id, MessagePart.text).where(
            MessagePart.message_id.in_(ids), MessagePart.kind == PartKind.REASONING
        )
    )
    return {message_id: text or "" for message_id, text in rows}


def sibling_positions(
    session: Session, rows: Sequence[Message]
) -> dict[uuid.UUID, tuple[int, int]]:
    """For each message, (its 1-based position, how many) among messages with its parent."""
    if not rows:
        return {}
    thread_id = rows[0].thread_id
    parents = {row.parent_id for row in rows}
    conditions = [M.c.parent_id.in_([p for p in parents if p is not None])]
    if None in parents:
        conditions.append(M.c.parent_id.is_(None))
    found = session.execute(
        select(M.c.id, M.c.parent_id)
        .where(M.c.thread_id == thread_id, or_(*conditions))
        .order_by(M.c.id)
    )
    groups: dict[uuid.UUID | None, list[uuid.UUID]] = defaultdict(list)
    for message_id, parent_id in found:
        groups[parent_id].append(message_id)
    result = {}
    for row in rows:
        group = groups[row.parent_id]
        result[row.id] = (group.index(row.id) + 1, len(group))
    return result


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


def newest_leaf_under(session: Session, message_id: uuid.UUID) -> uuid.UUID:
    """The most recently written message below `message_id`: where the user last was there."""
    ids = subtree_ids(session, message_id)
    return max(ids)  # UUIDv7 ids grow with time


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
