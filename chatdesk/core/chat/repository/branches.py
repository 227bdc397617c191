"""A thread's messages as a tree (`parent_id`): adding a message, switching branches, deleting
a message with everything below it. The branch on screen is the path from the root to
`threads.active_leaf_id`; its pages are read in pages.py.
"""

from __future__ import annotations

import functools
import itertools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    Table,
    Uuid,
    bindparam,
    delete,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from chatdesk.core.chat.repository.attachments import with_attachments
from chatdesk.core.chat.repository.rows import (
    ROLES,
    STATUSES,
    M,
    message_row,
    message_views,
    stored_uuid,
    thread_row,
    thread_view,
)
from chatdesk.core.chat.repository.sources import with_sources
from chatdesk.core.chat.repository.tools import with_tool_calls
from chatdesk.core.errors import NotFound
from chatdesk.core.i18n import tr
from chatdesk.core.ids import new_id
from chatdesk.core.store import changes
from chatdesk.core.store.models import Message, MessagePart, Role, Status, Thread
from chatdesk.core.store.prepared import Prepared, connection_of
from chatdesk.core.views import (
    MessageView,
    ThreadView,
)


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
    """A new message row added to the session (flushed with it), at the end of `parent`'s
    children; the branch on screen is left as it is (`set_active_leaf`)."""
    place = (parent.id, parent.depth) if parent is not None else None
    values = new_message(now, thread.id, place, role, status, content, provider, model, owner)
    row = Message(**values)
    session.add(row)
    _counted(thread, now, 1)
    return row


def new_message(
    now: datetime,
    thread_id: uuid.UUID,
    parent: tuple[uuid.UUID, int] | None,
    role: Role,
    status: Status,
    content: str = "",
    provider: str | None = None,
    model: str | None = None,
    owner: str | None = None,
) -> dict[str, Any]:
    """The values of a new message below `parent` (its id and depth; None: a first message),
    by column; `owner`: the chatdesk process that writes it (an answer)."""
    return {
        "id": new_id(),
        "thread_id": thread_id,
        "parent_id": parent[0] if parent else None,
        "depth": parent[1] + 1 if parent else 0,
        "active_child_id": None,
        "role": role,
        "status": status,
        "content": content,
        "provider": provider,
        "model": model,
        "agent": None,
        "stream_owner": owner,
        "usage_estimated": False,
        "created_at": now,
        "updated_at": now,
        "completed_at": now if status.is_final else None,
    }


def _counted(thread: Thread, now: datetime, added: int) -> None:
    thread.message_count += added
    thread.last_activity_at = now
    thread.updated_at = now


_TABLE = cast(Table, M)


@functools.cache
def _inserting(columns: tuple[str, ...]) -> Prepared:
    """The insert of messages by these columns (those `new_message` gives), made once."""
    return Prepared(
        insert(_TABLE).values({name: bindparam(name, type_=M.c[name].type) for name in columns})
    )


_POINT = Prepared(
    update(_TABLE)
    .where(M.c.id == bindparam("message", type_=Uuid()))
    .values(active_child_id=bindparam("child", type_=Uuid()))
)


def add_branch(
    session: Session,
    thread: Thread,
    now: datetime,
    parent: Node | None,
    branch: Sequence[dict[str, Any]],
    others: Sequence[dict[str, Any]] = (),
) -> None:
    """Insert the new messages `branch` (values of `new_message`, each the child of the one
    before it, the first `parent`'s) and make the branch through them the one on screen;
    `others` are inserted beside it (a comparison's other answers, off that branch).

    One statement inserts them all, without the ORM: a send adds two rows, and the ORM's
    unit of work cost more than SQLite's own insert there. Above `parent`, ancestors are
    pointed as `set_active_leaf` does, which costs nothing when `parent` was the end of the
    branch on screen already (every send)."""
    for upper, lower in itertools.pairwise(branch):
        upper["active_child_id"] = lower["id"]
    rows = [*branch, *others]
    connection = connection_of(session)
    _inserting(tuple(rows[0])).run_many(connection, rows)
    touched = [row["id"] for row in rows]
    was_leaf = thread.active_leaf_id
    thread.active_leaf_id = branch[-1]["id"]
    _counted(thread, now, len(rows))
    if parent is not None:
        _POINT.run(connection, message=parent.id, child=branch[0]["id"])
        touched.append(parent.id)
        if parent.id != was_leaf:
            with session.no_autoflush:
                _point_ancestors(session, message_row(session, parent.id))
    changes.touched(session, "message", touched)


class Node(NamedTuple):
    """Where a message is in its thread's tree, read without the ORM: a turn's parent or
    target."""

    id: uuid.UUID
    thread_id: uuid.UUID
    parent_id: uuid.UUID | None
    depth: int
    role: Role
    status: Status


_NODE = Prepared(
    select(M.c.thread_id, M.c.parent_id, M.c.depth, M.c.role, M.c.status).where(
        M.c.id == bindparam("message", type_=Uuid())
    )
)


def find_node(session: Session, message_id: uuid.UUID) -> Node | None:
    row = _NODE.first(connection_of(session), message=message_id)
    if row is None:
        return None
    thread_id, parent_id, depth, role, status = row
    parent = None if parent_id is None else stored_uuid(parent_id)
    return Node(message_id, stored_uuid(thread_id), parent, depth, ROLES[role], STATUSES[status])


def node(session: Session, message_id: uuid.UUID) -> Node:
    found = find_node(session, message_id)
    if found is None:
        raise NotFound(tr("no message with id {message_id}", message_id=message_id))
    return found


def full_message(session: Session, message_id: uuid.UUID) -> MessageView:
    """One message as the window shows it: its view with its attachments and its tool calls."""
    views = with_attachments(session, message_views(session, [message_id]))
    return with_tool_calls(session, with_sources(session, views))[0]


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
    _point_ancestors(session, message_row(session, leaf_id))


def _point_ancestors(session: Session, child: Message) -> None:
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


def switch_branch(session: Session, now: datetime, message_id: uuid.UUID) -> ThreadView:
    """Make the branch through `message_id` the one on screen (where the user last was in it)."""
    row = message_row(session, message_id)
    thread = thread_row(session, row.thread_id)
    set_active_leaf(session, thread, end_of_branch(session, row.id))
    thread.updated_at = now
    return thread_view(thread)


def delete_message(
    session: Session, now: datetime, message_id: uuid.UUID
) -> tuple[list[uuid.UUID], ThreadView]:
    """Delete a message and everything below it; the ids deleted and the thread as it is now."""
    row = message_row(session, message_id)
    thread = thread_row(session, row.thread_id, deleted_ok=True)
    ids = delete_branch(session, thread, row, now)
    changes.deleted(session, "message", thread.id, ids)
    return ids, thread_view(thread)
