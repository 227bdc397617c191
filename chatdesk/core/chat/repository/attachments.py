"""Attachments in the store: each one an Attachment row plus a MessagePart that places it in its
message (after the reasoning part, in the order they were attached)."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.chat.repository.rows import message_views
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


def _rows(session: Session, message_ids: Iterable[uuid.UUID], *columns: Any) -> list[Any]:
    query = (
        select(MessagePart.message_id, *columns)
        .join(Attachment, Attachment.id == MessagePart.attachment_id)
        .where(
            MessagePart.kind == PartKind.ATTACHMENT,
            MessagePart.message_id.in_(list(message_ids)),
        )
        .order_by(MessagePart.message_id, MessagePart.position)
    )
    return list(session.execute(query))


def with_attachments(session: Session, views: list[MessageView]) -> list[MessageView]:
    """The views with their attachment names filled in (one query for the whole page)."""
    users = [v.id for v in views if v.role.value == "user"]
    if not users:
        return views
    found: dict[uuid.UUID, list[AttachmentView]] = defaultdict(list)
    columns = (Attachment.id, Attachment.name, Attachment.mime, Attachment.size)
    for message_id, attachment_id, name, mime, size in _rows(session, users, *columns):
        found[message_id].append(AttachmentView(attachment_id, name, mime, size))
    return [replace(v, attachments=tuple(found[v.id])) if v.id in found else v for v in views]


def full_message(session: Session, message_id: uuid.UUID) -> MessageView:
    """One message as the window shows it: its view with its attachments' names."""
    return with_attachments(session, message_views(session, [message_id]))[0]


def attachment_texts(session: Session, message_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Named]:
    """(name, text) of each message's attachments, for the model's context."""
    found: dict[uuid.UUID, Named] = defaultdict(list)
    for message_id, name, text in _rows(session, message_ids, Attachment.name, Attachment.text):
        found[message_id].append((name, text or ""))
    return found


def attachment_text(session: Session, attachment_id: uuid.UUID) -> str:
    """The text an attachment holds (empty for one that holds none)."""
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(f"no attachment with id {attachment_id}")
    return row.text or ""
