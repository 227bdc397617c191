"""Reading a branch upwards for counting and caching the counts (`chatdesk/core/chat/counts.py`
counts; this is where it reads and writes). Statements are compiled once, at import."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import String, Table, bindparam, literal, select, type_coerce, update
from sqlalchemy.orm import Session

from chatdesk.core.store.models import Message

M = cast(Table, Message.__table__)


@dataclass(frozen=True)
class CountUpdate:
    message_id: uuid.UUID
    updated_at: datetime  # the text counted; a message changed since keeps its new state
    tokens: int
    key: str


def _walk_up(*extra: str) -> Any:
    walk = (
        select(M.c.id, M.c.parent_id, literal(1).label("n"))
        .where(M.c.id == bindparam("start"))
        .cte("meta_up", recursive=True)
    )
    step = select(M.c.id, M.c.parent_id, (walk.c.n + 1).label("n")).join(
        walk, M.c.id == walk.c.parent_id
    )
    walk = walk.union_all(step.where(walk.c.n < bindparam("limit")))
    columns: tuple[str, ...] = ("id", "depth", "role", "status", "updated_at", "token_count")
    columns += ("tool_time_ms", *extra)
    # The parent as stored (hex): only the last row's is used, to go on from there.
    parent = type_coerce(M.c.parent_id, String).label("parent_hex")
    return (
        select(*(M.c[name] for name in columns), M.c.token_encoding, parent)
        .join(walk, M.c.id == walk.c.id)
        .order_by(M.c.depth.desc())
    )


_UP_COUNTS = _walk_up()
_UP_TEXTS = _walk_up("content")  # for a request: it sends the text of what it walks
_TEXTS = select(M.c.id, M.c.role, M.c.content, M.c.tool_time_ms).where(
    M.c.id.in_(bindparam("ids", expanding=True))
)
_SAVE = (
    update(M)
    .where(M.c.id == bindparam("m_id"), M.c.updated_at == bindparam("m_at"))
    .values(token_count=bindparam("m_tokens"), token_encoding=bindparam("m_key"))
)


def walk_up(session: Session, start: uuid.UUID, limit: int, *, with_texts: bool) -> list[Any]:
    """`start` and at most `limit - 1` of its ancestors, newest first: id, depth, role, status,
    updated_at, token_count, tool_time_ms (set: it made tool calls), token_encoding, parent_hex
    (the parent as stored, to go on from the last row), and `content` too `with_texts`."""
    walk = _UP_TEXTS if with_texts else _UP_COUNTS
    return list(session.execute(walk, {"start": start, "limit": limit}).all())


def message_texts(session: Session, ids: Iterable[uuid.UUID]) -> list[Any]:
    """id, role, content and tool time (set: it made tool calls) of each message of `ids`."""
    return list(session.execute(_TEXTS, {"ids": list(ids)}).all())


def save_counts(session: Session, updates: Sequence[CountUpdate]) -> None:
    """Cache counts; a message whose text changed after it was counted is left alone."""
    if updates:
        session.execute(
            _SAVE,
            [
                {"m_id": u.message_id, "m_at": u.updated_at, "m_tokens": u.tokens, "m_key": u.key}
                for u in updates
            ],
        )
