"""Shared rows as the team server stores them ("wire rows"), read from and written to SQLite.

A wire row is a JSON-able dict with the server's column names. Its fields come in groups, each
with its own HLC (`<group>_hlc`): the group is what last-writer-wins decides on, so two people
renaming a thread and editing its system prompt at once both keep their change.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.orm import Session

from chatdesk.core.store.models import Message, Summary, SyncField, Thread
from chatdesk.core.store.prepared import Prepared

Row = dict[str, Any]

# entity → group → the fields it decides; "created" fields never change once written.
GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    "thread": {
        "title": ("title",),
        "system_prompt": ("system_prompt",),
        "deleted": ("deleted",),
    },
    "message": {
        "created": (
            "thread_id", "parent_id", "depth", "role", "provider", "model", "created_at",
        ),
        "content": (
            "status", "content", "parts", "completed_at", "prompt_tokens", "completion_tokens",
        ),
        "deleted": ("deleted",),
    },
    "summary": {
        "created": ("thread_id", "covers_through_message_id", "model", "created_at"),
        "content": ("content", "token_count"),
        "deleted": ("deleted",),
    },
}  # fmt: skip
ORDER = {"thread": 0, "message": 1, "summary": 2}  # parents before children on the server
_CHUNK = 500


def hlc_column(group: str) -> str:
    return f"{group}_hlc"


def digest(row: Row, entity: str, group: str) -> str:
    values = [row.get(name) for name in GROUPS[entity][group]]
    if len(values) == 1 and values[0] is False:  # "deleted" of a row that is not: always this
        return _NOT_DELETED
    return _digest(values)


def _digest(values: list[Any]) -> str:
    encoded = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()[:32]


_NOT_DELETED = _digest([False])


def group_values(row: Row, entity: str, group: str) -> dict[str, Any]:
    return {name: row.get(name) for name in GROUPS[entity][group]}


def _text(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# -- reading local rows --------------------------------------------------------------------------


def thread_rows(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Row]:
    found: dict[uuid.UUID, Row] = {}
    for chunk in _chunks(ids):
        for thread in session.scalars(select(Thread).where(Thread.id.in_(chunk))):
            found[thread.id] = {
                "team_id": _text(thread.team_id),
                "id": str(thread.id),
                "created_at": _text(thread.created_at),
                "title": thread.title,
                "system_prompt": thread.system_prompt,
                "deleted": thread.deleted_at is not None,
            }
    return found


_M = cast(Table, Message.__table__)
_MESSAGE_WIRE = select(
    _M.c.id, _M.c.thread_id, _M.c.parent_id, _M.c.depth, _M.c.role, _M.c.provider, _M.c.model,
    _M.c.created_at, _M.c.status, _M.c.content, _M.c.completed_at, _M.c.prompt_tokens,
    _M.c.completion_tokens, _M.c.agent,
)  # fmt: skip


def message_rows(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Row]:
    """Final messages only: an answer still being written is its writer's business. Read as
    Core rows, not ORM objects: sharing a thread reads every message in it."""
    found: dict[uuid.UUID, Row] = {}
    for chunk in _chunks(ids):
        rows = session.execute(_MESSAGE_WIRE.where(_M.c.id.in_(chunk))).all()
        parts = _parts(session, [row.id for row in rows])
        for row in rows:
            if not row.status.is_final:
                continue
            found[row.id] = {
                "id": str(row.id),
                "thread_id": str(row.thread_id),
                "parent_id": _text(row.parent_id),
                "depth": row.depth,
                "role": row.role.value,
                "provider": row.provider,
                "model": row.model,
                "created_at": _text(row.created_at),
                "status": row.status.value,
                "content": row.content,
                "parts": parts.get(row.id, []),
                "completed_at": _text(row.completed_at),
                "prompt_tokens": row.prompt_tokens,
                "completion_tokens": row.completion_tokens,
                "agent": row.agent,  # written once, with the message: no clock of its own
                "deleted": False,
            }
    return found


def _parts(session: Session, message_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Row]]:
    """Each message's parts, an attachment's stored text or bytes inline with its part."""
    from chatdesk.core.store.records import ATTACHMENTS, PARTS, to_json  # only for shared rows

    found: defaultdict[uuid.UUID, list[Row]] = defaultdict(list)
    if not message_ids:
        return found
    parts = PARTS
    query = select(parts).where(parts.c.message_id.in_(message_ids))
    rows = list(session.execute(query.order_by(parts.c.position, parts.c.id)).mappings())
    attachment_ids = [r["attachment_id"] for r in rows if r["attachment_id"] is not None]
    attachments = {}
    if attachment_ids:
        query = select(ATTACHMENTS).where(ATTACHMENTS.c.id.in_(attachment_ids))
        attachments = {r["id"]: to_json(ATTACHMENTS, r) for r in session.execute(query).mappings()}
    for part in rows:
        record = to_json(PARTS, part)
        if part["attachment_id"] is not None:
            record["attachment"] = attachments.get(part["attachment_id"])
        found[part["message_id"]].append(record)
    return found


def summary_rows(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Row]:
    found: dict[uuid.UUID, Row] = {}
    for chunk in _chunks(ids):
        for summary in session.scalars(select(Summary).where(Summary.id.in_(chunk))):
            found[summary.id] = {
                "id": str(summary.id),
                "thread_id": str(summary.thread_id),
                "covers_through_message_id": str(summary.covers_through_message_id),
                "model": summary.model,
                "created_at": _text(summary.created_at),
                "content": summary.content,
                "token_count": summary.token_count,
                "deleted": False,
            }
    return found


READERS = {"thread": thread_rows, "message": message_rows, "summary": summary_rows}


# -- per-field clocks ----------------------------------------------------------------------------


class Stamp(NamedTuple):
    hlc: str
    digest: str


class Clocks:
    """The per-group clocks of some rows of one entity: read in one query, written back in
    one statement (`save`), so a page of thousands of rows costs two round trips."""

    def __init__(self, session: Session, entity: str, ids: Iterable[uuid.UUID]) -> None:
        self._session = session
        self.entity = entity
        self._known: defaultdict[uuid.UUID, dict[str, Stamp]] = defaultdict(dict)
        self._changed: dict[tuple[uuid.UUID, str], Stamp] = {}
        fields = cast(Table, SyncField.__table__).c
        read = select(fields.entity_id, fields.field, fields.hlc, fields.digest)
        for chunk in _chunks(list(ids)):
            query = read.where(fields.entity == entity, fields.entity_id.in_(chunk))
            for entity_id, group, hlc, value_digest in session.execute(query):
                self._known[entity_id][group] = Stamp(hlc, value_digest)

    def of(self, entity_id: uuid.UUID) -> dict[str, Stamp]:
        return self._known[entity_id]

    def hlc(self, entity_id: uuid.UUID, group: str) -> str:
        found = self._known[entity_id].get(group)
        return found.hlc if found else ""

    def set(self, entity_id: uuid.UUID, group: str, hlc: str, value_digest: str) -> None:
        stamp = Stamp(hlc, value_digest)
        self._known[entity_id][group] = stamp
        self._changed[(entity_id, group)] = stamp

    def forget(self, entity_id: uuid.UUID, keep: str) -> None:
        """Drop every clock of the row but `keep` (the tombstone's)."""
        self._session.execute(
            delete(SyncField).where(
                SyncField.entity == self.entity,
                SyncField.entity_id == entity_id,
                SyncField.field != keep,
            )
        )
        self._known[entity_id] = {
            group: stamp for group, stamp in self._known[entity_id].items() if group == keep
        }
        for key in [key for key in self._changed if key[0] == entity_id and key[1] != keep]:
            del self._changed[key]

    def save(self) -> None:
        if not self._changed:
            return
        rows = [
            {"entity": self.entity, "entity_id": entity_id, "field": group,
             "hlc": stamp.hlc, "digest": stamp.digest}
            for (entity_id, group), stamp in self._changed.items()
        ]  # fmt: skip
        self._session.flush()
        _SAVE_FIELDS.run_many(self._session.connection(), rows)  # three rows a message shared
        self._changed.clear()


_FIELDS = cast(Table, SyncField.__table__)
_SAVE_FIELDS = Prepared(
    insert(_FIELDS)
    .prefix_with("OR REPLACE")
    .values({column.name: bindparam(column.name, type_=column.type) for column in _FIELDS.c})
)


def _chunks(ids: Sequence[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])
