"""Reading a branch upwards for counting and caching the counts (`chatdesk/core/chat/counts.py`
counts; this is where it reads and writes). Statements are compiled once, at import."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, Uuid, bindparam, exists, literal, select, update
from sqlalchemy.orm import Session

from chatdesk.core.chat.repository.rows import ROLES, STATUSES, stored_uuid
from chatdesk.core.kinds import PartKind
from chatdesk.core.store.models import Message, MessagePart, Role, Status
from chatdesk.core.store.prepared import Prepared, connection_of

M = cast(Table, Message.__table__)
P = cast(Table, MessagePart.__table__)
# Whether an answer holds a record of its question cut to fit (`cuts.py`): read with the row,
# so the walk asks for the records only where there are some (an index lookup per row).
_HAS_CUT = exists().where(P.c.message_id == M.c.id, P.c.kind == PartKind.CUT).label("cut")


@dataclass(frozen=True)
class CountUpdate:
    message_id: uuid.UUID
    updated_at: datetime  # the text counted; a message changed since keeps its new state
    tokens: int
    key: str


def _walk_up(*extra: str) -> Prepared:
    walk = (
        select(M.c.id, M.c.parent_id, literal(1).label("n"))
        .where(M.c.id == bindparam("start", type_=Uuid()))
        .cte("meta_up", recursive=True)
    )
    step = select(M.c.id, M.c.parent_id, (walk.c.n + 1).label("n")).join(
        walk, M.c.id == walk.c.parent_id
    )
    walk = walk.union_all(step.where(walk.c.n < bindparam("limit")))
    columns = (*_WALKED[:-2], *extra, *_WALKED[-2:])
    return Prepared(
        select(*(M.c[name] for name in columns), _HAS_CUT)
        .join(walk, M.c.id == walk.c.id)
        .order_by(M.c.depth.desc())
    )


class Walked(NamedTuple):
    """A message met walking up a branch, for counting."""

    id: uuid.UUID
    depth: int
    role: Role
    status: Status
    updated_at: datetime
    token_count: int | None
    tool_time_ms: int | None  # set: it made tool calls
    token_encoding: str | None
    parent_hex: str | None  # the parent as stored: only the last row's is used, to go on
    cut: bool  # an answer given its question cut to fit (`cuts.py` has the records)


class WalkedText(NamedTuple):
    """A message met walking up a branch, with its text (for a request)."""

    id: uuid.UUID
    depth: int
    role: Role
    status: Status
    updated_at: datetime
    token_count: int | None
    tool_time_ms: int | None
    content: str
    token_encoding: str | None
    parent_hex: str | None
    cut: bool


_WALKED = (
    "id",
    "depth",
    "role",
    "status",
    "updated_at",
    "token_count",
    "tool_time_ms",
    "token_encoding",
    "parent_id",
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
    """`start` and at most `limit - 1` of its ancestors, newest first (`Walked` rows, or
    `WalkedText` ones `with_texts`). Run on the driver and converted here: an answer's
    context walks up to a thousand rows, and SQLAlchemy's result processing took half the
    time."""
    connection = connection_of(session)
    if with_texts:
        rows = _UP_TEXTS.rows(connection, start=start, limit=limit)
        return [
            WalkedText(
                stored_uuid(id_),
                depth,
                ROLES[role],
                STATUSES[status],
                _parsed(at + "+00:00"),
                tokens,
                tool_ms,
                content,
                key,
                parent,
                bool(cut),
            )
            for id_, depth, role, status, at, tokens, tool_ms, content, key, parent, cut in rows
        ]
    return [
        Walked(
            stored_uuid(id_),
            depth,
            ROLES[role],
            STATUSES[status],
            _parsed(at + "+00:00"),
            tokens,
            tool_ms,
            key,
            parent,
            bool(cut),
        )
        for id_, depth, role, status, at, tokens, tool_ms, key, parent, cut in _UP_COUNTS.rows(
            connection, start=start, limit=limit
        )
    ]


_parsed = datetime.fromisoformat  # stored naive UTC, read as aware (as `message_view` does)


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
