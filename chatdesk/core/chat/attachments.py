"""Text attached to user messages: stored once per message as an Attachment row plus a
MessagePart that places it in the message, and sent to the model after the message text."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.chat.views import AttachmentInput, AttachmentView, MessageView
from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.ids import new_id
from chatdesk.core.store.models import Attachment, MessagePart, PartKind

MAX_ATTACHMENTS = 20


def check(attachments: Sequence[AttachmentInput], limit_chars: int) -> None:
    """Refuse, before anything is written, what the message could not carry."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidRequest(f"at most {MAX_ATTACHMENTS} attachments per message; nothing was sent")
    for item in attachments:
        if len(item.text) > limit_chars:
            raise InvalidRequest(
                f"attachment {item.name!r} is {len(item.text):,} characters long; the limit is "
                f"{limit_chars:,} (setting chat.max_message_chars). Nothing was sent."
            )
        if "\x00" in item.text:
            raise InvalidRequest(f"attachment {item.name!r} is not text; nothing was sent")


def add(
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


Named = list[tuple[str, str]]


def texts(session: Session, message_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Named]:
    """(name, text) of each message's attachments, for the model's context."""
    found: dict[uuid.UUID, Named] = defaultdict(list)
    for message_id, name, text in _rows(session, message_ids, Attachment.name, Attachment.text):
        found[message_id].append((name, text or ""))
    return found


def for_model(text: str, attached: Sequence[tuple[str, str]]) -> str:
    """The message as the model sees it: its text, then each attachment fenced by its name."""
    parts = [text]
    for name, body in attached:
        parts.append(f'<attachment name="{name}">\n{body}\n</attachment>')
    return "\n\n".join(parts)


MAX_FILE_BYTES = 8 * 1024 * 1024


def read_text_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> AttachmentInput:
    """A dropped or chosen file as an attachment; run it off the GUI thread. Only UTF-8 text
    is accepted, with a clear reason otherwise (the model gets text, not bytes)."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InvalidRequest(f"{path.name} is not a regular file")
        if size > max_bytes:
            raise InvalidRequest(
                f"{path.name} is {size / 1024 / 1024:.1f} MB; files up to "
                f"{max_bytes // 1024 // 1024} MB can be attached"
            )
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise InvalidRequest(f"cannot read {path.name}: {error.strerror or error}") from error
    if b"\x00" in data:
        raise InvalidRequest(f"{path.name} is not a text file; only text can be attached")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidRequest(f"{path.name} is not UTF-8 text; only text can be attached") from error
    return AttachmentInput(path.name, text, kind="file")


def text_of(session: Session, attachment_id: uuid.UUID) -> str:
    """The text an attachment holds (empty for one that holds none)."""
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(f"no attachment with id {attachment_id}")
    return row.text or ""
