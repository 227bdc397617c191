"""Pages of the branch on screen: the newest messages of a thread, those just before or after
one already shown, those around one, and a message's path to the root (for an export).

The branch on screen is the path from the root to `threads.active_leaf_id`. A stretch of it
that does not fork (each of its depths holds one message of the thread, as in most chats) is
read as a range of depths on the index of (thread, depth), the way a flat list of messages would
be read; the rows are taken only when each one's pointers agree with the next one's, so the page
is what the walk would give. Anywhere else the branch is walked: bounded recursive queries over
`parent_id` (up) and `active_child_id` (down). Either way a page costs the same in a thread of
100 or 100,000 messages.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, Uuid, bindparam, literal, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause

from chatdesk.core.chat.repository.attachments import with_attachments
from chatdesk.core.chat.repository.rows import (
    M,
    T,
    message_select,
    message_views_of,
    sibling_count,
)
from chatdesk.core.chat.repository.sources import with_sources
from chatdesk.core.chat.repository.tools import needs_tool_calls, with_tool_calls
from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.i18n import tr
from chatdesk.core.store.prepared import Prepared, connection_of
from chatdesk.core.views import MessagePage, MessageView


def branch_page(
    connection: Connection,
    thread_id: uuid.UUID,
    *,
    before: uuid.UUID | None,
    after: uuid.UUID | None,
    limit: int,
    around: uuid.UUID | None = None,
) -> MessagePage:
    if sum(m is not None for m in (before, after, around)) > 1:
        raise InvalidRequest(tr("give only one of before, after or around, not both"))
    if not 1 <= limit <= 1000:
        raise InvalidRequest(tr("limit must be between 1 and 1000"))
    found = _LEAF.first(connection, thread=thread_id)
    if found is None:
        raise NotFound(tr("no thread with id {thread_id}", thread_id=thread_id))
    leaf = None if found[0] is None else uuid.UUID(hex=found[0])
    rows: list[Any] = []
    if before is not None:
        cursor = _cursor_row(connection, thread_id, before)
        if cursor.parent_id:
            rows += _branch(connection, thread_id, cursor.parent_id, cursor.depth - 1, limit)
    elif after is not None:
        cursor = _cursor_row(connection, thread_id, after)
        if cursor.active_child_id:
            below = cursor.depth + 1
            rows += _branch(connection, thread_id, cursor.active_child_id, below, limit, down=True)
    elif around is not None:
        cursor = _cursor_row(connection, thread_id, around)
        # it and the messages before it, then those after it
        rows += _branch(connection, thread_id, around, cursor.depth, limit // 2 + 1)
        rest = limit - len(rows)
        if cursor.active_child_id and rest > 0:
            below = cursor.depth + 1
            rows += _branch(connection, thread_id, cursor.active_child_id, below, rest, down=True)
    elif leaf:
        rows += _branch(connection, thread_id, leaf, found[1], limit)
    views = _page(connection, rows)
    if not views:
        return MessagePage((), has_more_before=after is not None, has_more_after=before is not None)
    return MessagePage(
        tuple(views),
        has_more_before=views[0].parent_id is not None,
        has_more_after=views[-1].id != leaf,
    )


def path_to(session: Session, message_id: uuid.UUID, limit: int) -> list[MessageView]:
    """The message and its ancestors, at most `limit` of them, oldest first."""
    return message_views_of(_walked(connection_of(session), _UP, message_id, limit))


def _branch(
    connection: Connection,
    thread_id: uuid.UUID,
    start: uuid.UUID,
    depth: int,
    limit: int,
    *,
    down: bool = False,
) -> list[Any]:
    """At most `limit` rows of the branch from `start` (at `depth`), up its parents or down
    its active children, in branch order: read as a range of depths where that stretch does
    not fork, walked where it does."""
    low, high = (depth, depth + limit - 1) if down else (max(0, depth - limit + 1), depth)
    rows = _WINDOW.rows(connection, thread=thread_id, low=low, high=high)
    rows.sort(key=_DEPTH)
    linked = _linked(rows, start.hex, limit, down=down)
    if linked is not None:
        return linked
    return _walked(connection, _DOWN if down else _UP, start, limit)


def _linked(rows: list[Any], start: str, limit: int, *, down: bool) -> list[Any] | None:
    """`rows` (a range of depths, by depth) without their last column when they are the
    branch from `start` as the walk would read it: each row the parent of the next (so each
    depth holds one message, and none has a sibling), and going down, each row's active child
    the next one; None otherwise."""
    if not rows or rows[-1 if not down else 0][_ID] != start:
        return None
    for above, below in itertools.pairwise(rows):
        if below[_PARENT] != above[_ID] or (down and above[_CHILD] != below[_ID]):
            return None
    if len(rows) < limit and (rows[-1][_CHILD] if down else rows[0][_PARENT]) is not None:
        return None  # the branch goes on where the range says there is nothing
    return [row[:-1] for row in rows]


def _walk(start: Any, limit: Any, *, down: bool) -> Select[Any]:
    """At most `limit` messages from `start` following parent (up) or active-child (down)
    pointers, unordered (`_walked` orders them). A counter bounds the walk. Compiled for
    SQLite alone (`Prepared`): the walk carries each row's rowid, so the page's columns are
    read by it rather than through the id's index once more, and its sibling count, counted
    once a row (the page's select reads it twice: the count, and whether to number it)."""
    rowid: ColumnClause[int] = literal_column("messages.rowid")
    count = sibling_count().label("siblings")
    walk = (
        select(rowid.label("at"), M.c.parent_id, M.c.active_child_id, literal(1).label("n"), count)
        .where(M.c.id == start)
        .cte("walk", recursive=True)
    )
    link = M.c.id == (walk.c.active_child_id if down else walk.c.parent_id)
    step = select(rowid, M.c.parent_id, M.c.active_child_id, (walk.c.n + 1).label("n"), count)
    walk = walk.union_all(step.join(walk, link).where(walk.c.n < limit))
    return message_select(walk.c.siblings).join(walk, rowid == walk.c.at)


_UP = Prepared(_walk(bindparam("start", type_=Uuid()), bindparam("limit"), down=False))
_DOWN = Prepared(_walk(bindparam("start", type_=Uuid()), bindparam("limit"), down=True))
# A range of depths of one thread, each row as the walk's plus its active child, last. Its
# rows are taken only when none has a sibling, so each one's sibling count is 1.
_WINDOW = Prepared(
    message_select(literal(1))
    .add_columns(M.c.active_child_id)
    .where(
        M.c.thread_id == bindparam("thread", type_=Uuid()),
        M.c.depth >= bindparam("low"),
        M.c.depth <= bindparam("high"),
    )
)
_ID, _PARENT, _DEPTH_COLUMN, _CHILD = 0, 2, 3, -1  # message_select's columns, and the child
_DEPTH = itemgetter(_DEPTH_COLUMN)


def _walked(connection: Connection, walk: Prepared, start: uuid.UUID, limit: int) -> list[Any]:
    """The walk's rows in branch order. Sorted here: SQLite would copy each row, its text and
    all, into a temporary b-tree to sort it."""
    rows = walk.rows(connection, start=start, limit=limit)
    rows.sort(key=_DEPTH)
    return rows


def _page(connection: Connection, rows: Sequence[Any]) -> list[MessageView]:
    """The rows' views, with their attachments' names and tool calls (asked for only when a
    message has any: most pages have none; then through a session on the page's connection,
    so in its snapshot)."""
    views = message_views_of(rows)
    attached = any(row[-1] for row in rows)  # `attached`, the last column
    if not attached and not any(needs_tool_calls(view) for view in views):
        return views
    with Session(connection) as session:
        if attached:
            views = with_sources(session, with_attachments(session, views))
        if any(needs_tool_calls(view) for view in views):
            views = with_tool_calls(session, views)
    return views


# The thread's active leaf and its depth.
_LEAF = Prepared(
    select(T.c.active_leaf_id, M.c.depth)
    .select_from(T.outerjoin(M, M.c.id == T.c.active_leaf_id))
    .where(T.c.id == bindparam("thread", type_=Uuid()))
)
_CURSOR = Prepared(
    select(M.c.thread_id, M.c.parent_id, M.c.active_child_id, M.c.depth).where(
        M.c.id == bindparam("message", type_=Uuid())
    )
)


class _Cursor(NamedTuple):
    parent_id: uuid.UUID | None
    active_child_id: uuid.UUID | None
    depth: int


def _cursor_row(connection: Connection, thread_id: uuid.UUID, message_id: uuid.UUID) -> _Cursor:
    row = _CURSOR.first(connection, message=message_id)
    if row is None or row[0] != thread_id.hex:
        raise NotFound(
            tr(
                "no message {message_id} in thread {thread_id}",
                message_id=message_id,
                thread_id=thread_id,
            )
        )
    parent, child = (None if hex_ is None else uuid.UUID(hex=hex_) for hex_ in row[1:3])
    return _Cursor(parent, child, row[3])
