"""Rows as JSON values and back, column by column, for every table a thread owns (export,
import and team sync).

The chatdesk JSON format writes every column of a row under its own name, so a column added by
a later schema is exported without touching this module, and an older file simply lacks it
(the column's default fills in). Values: ids as canonical UUID text, times as ISO 8601 with
their UTC offset, bytes as base64, enums as their stored text; everything else as it is.
"""

from __future__ import annotations

import base64
import binascii
import enum
import functools
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, Boolean, Column, Enum, Float, Integer, LargeBinary, String, Table, Uuid
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from chatdesk.core.i18n import tr
from chatdesk.core.store.models import (
    Assistant,
    Attachment,
    Message,
    MessagePart,
    Project,
    Summary,
    Thread,
    UTCDateTime,
)

ASSISTANTS = cast(Table, Assistant.__table__)
PROJECTS = cast(Table, Project.__table__)
THREADS = cast(Table, Thread.__table__)
MESSAGES = cast(Table, Message.__table__)
PARTS = cast(Table, MessagePart.__table__)
ATTACHMENTS = cast(Table, Attachment.__table__)
SUMMARIES = cast(Table, Summary.__table__)


class BadRecord(ValueError):
    """A record that cannot become a row; the message says which field and why."""


def to_json(table: Table, row: Mapping[Any, Any]) -> dict[str, Any]:
    return {column.name: _encode(row[column.name]) for column in table.columns}


def _encode(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, enum.Enum):
        return value.value
    return value


def from_json(table: Table, record: Any) -> dict[str, Any]:
    """The row `record` describes, every column filled (absent ones with their default)."""
    if not isinstance(record, dict):
        raise BadRecord(tr("a {name} record is not an object", name=table.name))
    row: dict[str, Any] = {}
    for column in table.columns:
        if column.name in record and record[column.name] is not None:
            row[column.name] = _decode(column, record[column.name])
        else:
            row[column.name] = _default(column, record)
    return row


def blank(table: Table) -> dict[str, Any]:
    """A row of `table` with every column at its default (None where it has none)."""
    return dict(_blank(table))


@functools.cache
def _blank(table: Table) -> dict[str, Any]:
    return {column.name: _default(column, None) for column in table.columns}


def _default(column: Column[Any], record: Mapping[str, Any] | None) -> Any:
    default = column.default
    if isinstance(default, ScalarElementColumnDefault):
        return default.arg
    if column.nullable or record is None:
        return None
    where = f"{column.table.name}.{column.name}"
    if column.name in record:
        raise BadRecord(tr("{where} is null", where=where))
    raise BadRecord(tr("{where} is missing", where=where))


def _decode(column: Column[Any], value: Any) -> Any:
    kind = column.type
    where = f"{column.table.name}.{column.name}"
    try:
        if isinstance(kind, Uuid):
            return uuid.UUID(_text(value, where))
        if isinstance(kind, UTCDateTime):
            return _time(_text(value, where), where)
        if isinstance(kind, LargeBinary):
            return base64.b64decode(_text(value, where), validate=True)
        if isinstance(kind, Enum):
            enum_class = kind.enum_class
            assert enum_class is not None
            return enum_class(value)
        if isinstance(kind, Boolean):
            return _typed(value, bool, where)
        if isinstance(kind, Integer):
            return _integer(value, where)
        if isinstance(kind, Float):
            return float(_typed(value, int | float, where))
        if isinstance(kind, String):  # Text too
            return _text(value, where)
        if isinstance(kind, JSON):  # an object (a part's data) or a list (a chat's servers)
            return _typed(value, dict | list, where)
    except (ValueError, binascii.Error) as error:
        raise BadRecord(f"{where}: {error}") from None
    raise BadRecord(tr("{where}: no JSON form for {kind}", where=where, kind=repr(kind)))


def _text(value: Any, where: str) -> str:
    return cast(str, _typed(value, str, where))


def _integer(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRecord(tr("{where} is not an integer", where=where))
    return value


def _typed(value: Any, kind: Any, where: str) -> Any:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise BadRecord(
            tr("{where} has the wrong type ({kind})", where=where, kind=type(value).__name__)
        )
    return value


def _time(text: str, where: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise BadRecord(tr("{where} has no UTC offset", where=where))
    return moment
