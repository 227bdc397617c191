"""The bookkeeping an imported thread must carry, made from its parent links alone.

The service relies on these (chat/repository.py): `depth` is the parent's plus one, siblings
are ordered by id, `active_child_id` names the child a branch continues with and is NULL
exactly when a message has no children, and `threads.active_leaf_id` is a message without
children whose ancestors all point at it. `settle` fills them in for rows that only know their
parents, keeping whatever choices the rows already made where those are valid.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from chatdesk.core.i18n import tr


class BrokenTree(ValueError):
    """Rows that do not form a tree: a parent missing, listed after its child, or an id twice."""


Row = dict[str, Any]


def settle(messages: Sequence[Row], wanted_leaf: uuid.UUID | None) -> uuid.UUID | None:
    """Set `depth` and `active_child_id` on `messages` (parents listed before children) and
    return the active leaf: the end of the branch through `wanted_leaf`, or through the newest
    first message when `wanted_leaf` is None or not among them."""
    by_id: dict[uuid.UUID, Row] = {}
    children: defaultdict[uuid.UUID | None, list[uuid.UUID]] = defaultdict(list)
    for row in messages:
        message_id, parent_id = row["id"], row["parent_id"]
        if message_id in by_id:
            raise BrokenTree(tr("message {id} is listed twice", id=message_id))
        if parent_id is not None and parent_id not in by_id:
            raise BrokenTree(
                tr("message {id} comes before its parent {parent}", id=message_id, parent=parent_id)
            )
        row["depth"] = 0 if parent_id is None else by_id[parent_id]["depth"] + 1
        by_id[message_id] = row
        children[parent_id].append(message_id)
    for parent_id, ids in children.items():
        if parent_id is None:
            continue
        row = by_id[parent_id]
        if row["active_child_id"] not in ids:
            row["active_child_id"] = max(ids)  # the newest sibling, as after a deletion
    for row in by_id.values():
        if row["id"] not in children:
            row["active_child_id"] = None
    if not by_id:
        return None
    start = wanted_leaf if wanted_leaf in by_id else max(children[None])
    _point_ancestors_at(by_id, start)
    return _end_of_branch(by_id, start)


def _point_ancestors_at(by_id: dict[uuid.UUID, Row], message_id: uuid.UUID) -> None:
    row = by_id[message_id]
    while row["parent_id"] is not None:
        parent = by_id[row["parent_id"]]
        parent["active_child_id"] = row["id"]
        row = parent


def _end_of_branch(by_id: dict[uuid.UUID, Row], message_id: uuid.UUID) -> uuid.UUID:
    row = by_id[message_id]
    while row["active_child_id"] is not None:
        row = by_id[row["active_child_id"]]
    return row["id"]  # type: ignore[no-any-return]
