"""Attachments in the store: each one an Attachment row plus a MessagePart that places it in its
message (after the reasoning part, in the order they were attached)."""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, String, bindparam, select, type_coerce
from sqlalchemy.orm import Session

from chatdesk.core.chat.repository.rows import message_views
from chatdesk.core.chat.repository.tools import with_tool_calls
from chatdesk.core.chat.views import AttachmentInput, AttachmentView, MessageView
from chatdesk.core.errors import NotFound
from chatdesk.core.ids import new_id
from chatdesk.core.store.models import Attachment, MessagePart, PartKind

Named = list[tuple[str, str]]


def add_attachments(
    session: Session, now: datetime, message_id: uuid.UUID, items: Sequence[AttachmentInput]
) -> None:
    for position, item in enumerate(items, start=1):  # 0 is the reasoning part
        data = item.text.encode("utf-8")
        attachment = Attachment(
            id=new_id(),
            name=item.name[:500] or "attachment",
            mime=item.mime,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            text=item.text,
            created_at=now,
        )
        session.add(attachment)
        session.add(
            MessagePart(
                id=new_id(),
                message_id=message_id,
                position=position,
                kind=PartKind.ATTACHMENT,
                attachment_id=attachment.id,
                data={"kind": item.kind},
            )
        )


def _rows(session: Session, message_ids: Iterable[uuid.UUID], *columns: str) -> list[Any]:
    """(message id, *columns of its attachments) for the given messages, in order."""
    ids = [message_id.hex for message_id in message_ids]
    return [
        (uuid.UUID(hex=row[0]), *row[1:]) for row in session.execute(_query(columns), {"ids": ids})
    ]


@functools.cache
def _query(columns: tuple[str, ...]) -> Select[Any]:
    """Built once per set of columns: a page of messages asks on every open. Message ids are
    bound and read as the hex SQLite stores, not through the UUID type, one by one."""
    parts, attachments = MessagePart.__table__, Attachment.__table__
    message_id = type_coerce(parts.c.message_id, String)
    query = (
        select(message_id, *(attachments.c[name] for name in columns))
        .join(attachments, attachments.c.id == parts.c.attachment_id)
        .where(
            parts.c.kind == PartKind.ATTACHMENT,
            message_id.in_(bindparam("ids", expanding=True, type_=String)),
        )
        .order_by(parts.c.message_id, parts.c.position)
    )
    return cast("Select[Any]", query)


def with_attachments(session: Session, views: list[MessageView]) -> list[MessageView]:
    """The views with their attachment names filled in (one query for the whole page)."""
    users = [v.id for v in views if v.role.value == "user"]
    if not users:
        return views
    found: dict[uuid.UUID, list[AttachmentView]] = defaultdict(list)
    columns = ("id", "name", "mime", "size")
    for message_id, attachment_id, name, mime, size in _rows(session, users, *columns):
        found[message_id].append(AttachmentView(attachment_id, name, mime, size))
    return [replace(v, attachments=tuple(found[v.id])) if v.id in found else v for v in views]


def full_message(session: Session, message_id: uuid.UUID) -> MessageView:
    """One message as the window shows it: its view with its attachments' names and its tool
    calls."""
    views = with_attachments(session, message_views(session, [message_id]))
    return with_tool_calls(session, views)[0]


def attachment_texts(session: Session, message_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Named]:
    """(name, text) of each message's attachments, for the model's context."""
    found: dict[uuid.UUID, Named] = defaultdict(list)
    for message_id, name, text in _rows(session, message_ids, "name", "text"):
        found[message_id].append((name, text or ""))
    return found


def attachment_text(session: Session, attachment_id: uuid.UUID) -> str:
    """The text an attachment holds (empty for one that holds none)."""
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(f"no attachment with id {attachment_id}")
    return row.text or ""
