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

from chatdesk.core.errors import NotFound
from chatdesk.core.i18n import tr
from chatdesk.core.ids import new_id
from chatdesk.core.kinds import AttachmentKind
from chatdesk.core.store.models import Attachment, MessagePart, PartKind
from chatdesk.core.views import AttachmentInput, AttachmentView, MessageView

Named = list[tuple[AttachmentView, str]]


def add_attachments(
    session: Session, now: datetime, message_id: uuid.UUID, items: Sequence[AttachmentInput]
) -> None:
    for position, item in enumerate(items, start=1):  # 0 is the reasoning part
        attachment = attachment_row(now, item)
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


def attachment_row(now: datetime, item: AttachmentInput) -> Attachment:
    """A new Attachment row for `item` (a file's bytes are in the blob store already; a paste
    is held whole as its text)."""
    if item.sha256:
        sha256, size = item.sha256, item.size
    else:
        data = item.text.encode("utf-8", "surrogatepass")
        sha256, size = hashlib.sha256(data).hexdigest(), len(data)
    return Attachment(
        id=new_id(),
        name=item.name[:500] or "attachment",
        mime=item.mime,
        size=size,
        sha256=sha256,
        text=item.text if item.text or not item.sha256 else None,
        created_at=now,
        blob=bool(item.sha256),
        kind=item.kind,
        width=item.width or None,
        height=item.height or None,
        pages=item.pages or None,
        note=item.note[:500] or None,
        thumb=item.thumb or None,
        origin_server=item.origin_server or None,
        origin_uri=item.origin_uri or None,
    )


def view_of(row: Attachment) -> AttachmentView:
    return _view([getattr(row, name) for name in _ALL])


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


_VIEW = ("id", "name", "mime", "size", "kind", "sha256", "blob", "width", "height", "pages")
_VIEW_MORE = ("note", "thumb", "origin_server", "origin_uri")
_ALL = (*_VIEW, *_VIEW_MORE)


def _view(row: Sequence[Any]) -> AttachmentView:
    id_, name, mime, size, kind, sha256, blob, width, height, pages, note, thumb, *origin = row
    return AttachmentView(
        id_,
        name,
        mime,
        size,
        kind or AttachmentKind.FILE,
        sha256,
        bool(blob),
        width or 0,
        height or 0,
        pages or 0,
        note or "",
        thumb or "",
        origin[0] or "",
        origin[1] or "",
    )


def with_attachments(session: Session, views: list[MessageView]) -> list[MessageView]:
    """The views with their attachments filled in (one query for the whole page)."""
    users = [v.id for v in views if v.role.value == "user"]
    if not users:
        return views
    found: dict[uuid.UUID, list[AttachmentView]] = defaultdict(list)
    for message_id, *row in _rows(session, users, *_VIEW, *_VIEW_MORE):
        found[message_id].append(_view(row))
    return [replace(v, attachments=tuple(found[v.id])) if v.id in found else v for v in views]


def tool_images(
    session: Session, message_ids: Sequence[uuid.UUID]
) -> dict[tuple[uuid.UUID, str], list[AttachmentView]]:
    """The images tools gave back in these answers, by (message id, call id), in order."""
    parts = MessagePart.__table__
    query = (
        select(parts.c.message_id, parts.c.data, *(Attachment.__table__.c[n] for n in _ALL))
        .join(Attachment.__table__, Attachment.__table__.c.id == parts.c.attachment_id)
        .where(parts.c.kind == PartKind.ATTACHMENT, parts.c.message_id.in_(message_ids))
        .order_by(parts.c.message_id, parts.c.position)
    )
    found: dict[tuple[uuid.UUID, str], list[AttachmentView]] = defaultdict(list)
    for message_id, data, *row in session.execute(query):
        call_id = data.get("call_id") if isinstance(data, dict) else None
        if call_id:
            found[message_id, str(call_id)].append(_view(row))
    return found


def attachment_texts(session: Session, message_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Named]:
    """Each message's attachments with the text the model reads of them, for the context."""
    found: dict[uuid.UUID, Named] = defaultdict(list)
    for message_id, *row, text in _rows(session, message_ids, *_VIEW, *_VIEW_MORE, "text"):
        found[message_id].append((_view(row), text or ""))
    return found


def attachment(session: Session, attachment_id: uuid.UUID) -> tuple[AttachmentView, str]:
    """One attachment and its text (empty for one that holds none)."""
    columns = [Attachment.__table__.c[name] for name in (*_VIEW, *_VIEW_MORE, "text")]
    row = session.execute(select(*columns).where(Attachment.id == attachment_id)).first()
    if row is None:
        raise NotFound(tr("no attachment with id {attachment_id}", attachment_id=attachment_id))
    return _view(row[:-1]), row[-1] or ""


def attachment_text(session: Session, attachment_id: uuid.UUID) -> str:
    """The text an attachment holds (empty for one that holds none)."""
    return attachment(session, attachment_id)[1]
