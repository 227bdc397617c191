"""Shared rows as the team server stores them ("wire rows"), read from and written to SQLite.

A wire row is a JSON-able dict with the server's column names. Its fields come in groups, each
with its own HLC (`<group>_hlc`): the group is what last-writer-wins decides on, so two people
renaming a thread and editing its system prompt at once both keep their change.

Rows are keyed by their id as SQLite stores it (`Hex`, 32 hex digits), and messages are read
as stored: sharing a thread reads, digests and queues every message in it, and building a
`uuid.UUID` (and binding it back) several times a message cost more than the rest of the work.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    bindparam,
    delete,
    insert,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from chatdesk.core.store.models import Message, Status, Summary, SyncField, Thread
from chatdesk.core.store.prepared import Prepared

Row = dict[str, Any]
Hex = str  # an id as SQLite stores it: 32 lower-case hex digits
Id = uuid.UUID | Hex

# entity → group → the fields it decides; "created" fields never change once written.
GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    "thread": {"title": ("title",), "system_prompt": ("system_prompt",), "deleted": ("deleted",)},
    "message": {
        "created": ("thread_id", "parent_id", "depth", "role", "provider", "model", "created_at"),
        "content": (
            "status",
            "content",
            "parts",
            "completed_at",
            "prompt_tokens",
            "completion_tokens",
        ),
        "deleted": ("deleted",),
    },
    "summary": {
        "created": ("thread_id", "covers_through_message_id", "model", "created_at"),
        "content": ("content", "token_count"),
        "deleted": ("deleted",),
    },
}
ORDER = {"thread": 0, "message": 1, "summary": 2}  # parents before children on the server
_CHUNK = 500


def hlc_column(group: str) -> str:
    return f"{group}_hlc"


def digest(row: Row, entity: str, group: str) -> str:
    values = [row.get(name) for name in GROUPS[entity][group]]
    if len(values) == 1 and values[0] is False:  # "deleted" of a row that is not: always this
        return _NOT_DELETED
    return _digest(values)


# Built once: `json.dumps` with options builds an encoder per call. The same options, so the
# same text, as every digest stored before.
_DIGEST_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str).encode


def _digest(values: list[Any]) -> str:
    return hashlib.sha256(_DIGEST_JSON(values).encode()).hexdigest()[:32]


_NOT_DELETED = _digest([False])


def group_values(row: Row, entity: str, group: str) -> dict[str, Any]:
    return {name: row.get(name) for name in GROUPS[entity][group]}


def _text(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def hex_of(entity_id: Id) -> Hex:
    return entity_id if isinstance(entity_id, str) else entity_id.hex


def dashed(value: Hex) -> str:
    """A stored id as the wire writes ids (`str(uuid.UUID(hex=value))`), without the UUID."""
    if len(value) != 32:
        return str(uuid.UUID(hex=value))
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _dashed_or_none(value: Hex | None) -> str | None:
    return None if value is None else dashed(value)


def _wire_time(value: str | None) -> str | None:
    """A stored naive-UTC timestamp as the wire writes times (the aware datetime's
    `isoformat()`, as the ORM's value would give)."""
    return None if value is None else datetime.fromisoformat(value + "+00:00").isoformat()


_AS_STORED = NullType()
AS_TEXT = String()  # a value bound as it is given (an insert would bind NullType as its column)


def _stored(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """`column` read and compared as SQLite stores it (an id as its hex text)."""
    return type_coerce(column, _AS_STORED)


def _uuids(ids: Iterable[Hex]) -> list[uuid.UUID]:
    return [uuid.UUID(hex=value) for value in ids]


# -- reading local rows --------------------------------------------------------------------------


def thread_rows(session: Session, ids: Sequence[Hex]) -> dict[Hex, Row]:
    found: dict[Hex, Row] = {}
    for chunk in _chunks(ids):
        for thread in session.scalars(select(Thread).where(Thread.id.in_(_uuids(chunk)))):
            found[thread.id.hex] = {
                "team_id": _text(thread.team_id),
                "id": str(thread.id),
                "created_at": _text(thread.created_at),
                "title": thread.title,
                "system_prompt": thread.system_prompt,
                "deleted": thread.deleted_at is not None,
            }
    return found


_M = cast(Table, Message.__table__)
_MESSAGE_COLUMNS = (
    "id",
    "thread_id",
    "parent_id",
    "depth",
    "role",
    "provider",
    "model",
    "created_at",
    "status",
    "content",
    "completed_at",
    "prompt_tokens",
    "completion_tokens",
    "agent",
)
_MESSAGE_WIRE = select(*(_stored(_M.c[name]).label(name) for name in _MESSAGE_COLUMNS))
_THREAD_MESSAGES = Prepared(
    _MESSAGE_WIRE.where(_stored(_M.c.thread_id) == bindparam("thread_id", type_=AS_TEXT))
)
_STATUS = _MESSAGE_COLUMNS.index("status")
_FINAL = frozenset(status.value for status in Status if status.is_final)


def message_rows(session: Session, ids: Sequence[Hex]) -> dict[Hex, Row]:
    """Final messages only: an answer still being written is its writer's business."""
    found: dict[Hex, Row] = {}
    for chunk in _chunks(ids):
        query = _MESSAGE_WIRE.where(_stored(_M.c.id).in_(chunk))
        found.update(_messages(session, session.execute(query).all()))
    return found


def thread_message_rows(session: Session, thread_id: Hex) -> dict[Hex, Row]:
    """Every final message of a thread (sharing it)."""
    session.flush()
    return _messages(session, _THREAD_MESSAGES.rows(session.connection(), thread_id=thread_id))


def _messages(session: Session, rows: Sequence[Sequence[Any]]) -> dict[Hex, Row]:
    """Rows of `_MESSAGE_WIRE` (as stored) as wire rows: sharing a thread reads every message."""
    final = [row for row in rows if row[_STATUS] in _FINAL]
    parts = _parts(session, [row[0] for row in final])
    found: dict[Hex, Row] = {}
    for (
        message_id,
        thread_id,
        parent_id,
        depth,
        role,
        provider,
        model,
        created_at,
        status,
        content,
        completed_at,
        prompt_tokens,
        completion_tokens,
        agent,
    ) in final:
        found[message_id] = {
            "id": dashed(message_id),
            "thread_id": dashed(thread_id),
            "parent_id": _dashed_or_none(parent_id),
            "depth": depth,
            "role": role,
            "provider": provider,
            "model": model,
            "created_at": _wire_time(created_at),
            "status": status,
            "content": content,
            "parts": parts.get(message_id, []),
            "completed_at": _wire_time(completed_at),
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "agent": agent,  # written once, with the message: no clock of its own
            "deleted": False,
        }
    return found


def _parts(session: Session, message_ids: list[Hex]) -> dict[Hex, list[Row]]:
    """Each message's parts, an attachment's stored text or bytes inline with its part."""
    from chatdesk.core.store.records import ATTACHMENTS, PARTS, to_json  # only for shared rows

    found: defaultdict[Hex, list[Row]] = defaultdict(list)
    parts = PARTS
    owner = _stored(parts.c.message_id)
    for chunk in _chunks(message_ids):
        query = select(parts, owner.label("owner")).where(owner.in_(chunk))
        rows = list(session.execute(query.order_by(parts.c.position, parts.c.id)).mappings())
        attachment_ids = [r["attachment_id"] for r in rows if r["attachment_id"] is not None]
        attachments = {}
        if attachment_ids:
            query = select(ATTACHMENTS).where(ATTACHMENTS.c.id.in_(attachment_ids))
            attachments = {
                r["id"]: to_json(ATTACHMENTS, r) for r in session.execute(query).mappings()
            }
        for part in rows:
            record = to_json(PARTS, part)
            if part["attachment_id"] is not None:
                record["attachment"] = attachments.get(part["attachment_id"])
            found[part["owner"]].append(record)
    return found


def summary_rows(session: Session, ids: Sequence[Hex]) -> dict[Hex, Row]:
    found: dict[Hex, Row] = {}
    for chunk in _chunks(ids):
        found.update(_summaries(session, Summary.id.in_(_uuids(chunk))))
    return found


def thread_summary_rows(session: Session, thread_id: Hex) -> dict[Hex, Row]:
    return _summaries(session, Summary.thread_id == uuid.UUID(hex=thread_id))


def _summaries(session: Session, where: ColumnElement[bool]) -> dict[Hex, Row]:
    return {
        summary.id.hex: {
            "id": str(summary.id),
            "thread_id": str(summary.thread_id),
            "covers_through_message_id": str(summary.covers_through_message_id),
            "model": summary.model,
            "created_at": _text(summary.created_at),
            "content": summary.content,
            "token_count": summary.token_count,
            "deleted": False,
        }
        for summary in session.scalars(select(Summary).where(where))
    }


READERS = {"thread": thread_rows, "message": message_rows, "summary": summary_rows}
IN_THREAD = {"message": thread_message_rows, "summary": thread_summary_rows}


# -- per-field clocks ----------------------------------------------------------------------------


class Stamp(NamedTuple):
    hlc: str
    digest: str


class Clocks:
    """The per-group clocks of some rows of one entity: read in one query, written back in
    one statement (`save`), so a page of thousands of rows costs two round trips. Rows are
    named by UUID or by stored hex id alike."""

    def __init__(self, session: Session, entity: str, ids: Iterable[Id]) -> None:
        self._session = session
        self.entity = entity
        self._known: defaultdict[Hex, dict[str, Stamp]] = defaultdict(dict)
        self._changed: dict[tuple[Hex, str], Stamp] = {}
        for chunk in _chunks([hex_of(entity_id) for entity_id in ids]):
            self._read(_FIELD_ID.in_(chunk))

    @classmethod
    def in_thread(cls, session: Session, entity: str, thread_id: Hex) -> Clocks:
        """The clocks of every message (or summary) of a thread."""
        clocks = cls(session, entity, ())
        table = cast(Table, (Message if entity == "message" else Summary).__table__)
        clocks._read(
            _FIELD_ID.in_(select(table.c.id).where(_stored(table.c.thread_id) == thread_id))
        )
        return clocks

    def _read(self, which: ColumnElement[bool]) -> None:
        query = _READ_FIELDS.where(_FIELDS.c.entity == self.entity, which)
        for entity_id, group, hlc, value_digest in self._session.execute(query):
            self._known[entity_id][group] = Stamp(hlc, value_digest)

    def of(self, entity_id: Id) -> dict[str, Stamp]:
        return self._known[hex_of(entity_id)]

    def hlc(self, entity_id: Id, group: str) -> str:
        found = self._known[hex_of(entity_id)].get(group)
        return found.hlc if found else ""

    def set(self, entity_id: Id, group: str, hlc: str, value_digest: str) -> None:
        key = hex_of(entity_id)
        stamp = Stamp(hlc, value_digest)
        self._known[key][group] = stamp
        self._changed[(key, group)] = stamp

    def forget(self, entity_id: Id, keep: str) -> None:
        """Drop every clock of the row but `keep` (the tombstone's)."""
        key = hex_of(entity_id)
        self._session.execute(
            delete(SyncField).where(
                SyncField.entity == self.entity,
                _stored(_FIELDS.c.entity_id) == key,
                SyncField.field != keep,
            )
        )
        self._known[key] = {
            group: stamp for group, stamp in self._known[key].items() if group == keep
        }
        for found in [found for found in self._changed if found[0] == key and found[1] != keep]:
            del self._changed[found]

    def save(self) -> None:
        if not self._changed:
            return
        rows = [
            {
                "entity": self.entity,
                "entity_id": entity_id,
                "field": group,
                "hlc": stamp.hlc,
                "digest": stamp.digest,
            }
            for (entity_id, group), stamp in self._changed.items()
        ]
        self._session.flush()
        _SAVE_FIELDS.run_many_as_stored(self._session.connection(), rows)  # 3 a message shared
        self._changed.clear()


_FIELDS = cast(Table, SyncField.__table__)
_FIELD_ID = _stored(_FIELDS.c.entity_id)
_READ_FIELDS = select(_FIELD_ID, _FIELDS.c.field, _FIELDS.c.hlc, _FIELDS.c.digest)
_SAVE_FIELDS = Prepared(
    insert(_FIELDS)
    .prefix_with("OR REPLACE")
    .values({column.name: bindparam(column.name, type_=AS_TEXT) for column in _FIELDS.c})
)


def _chunks(ids: Sequence[Hex]) -> Iterable[list[Hex]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])
