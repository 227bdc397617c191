"""Attachments already in messages: their bytes (from the blob store, checked against their
hash) for Save as, copying and export; the listing for `chatdesk attachments list`; and the
store's upkeep — which blobs are missing or damaged (`db check`), and removing the ones nothing
refers to any more once the retention period has passed."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.chat import repository as repo
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.store.blob_copies import referenced
from chatdesk.core.store.blobs import BlobDamaged, BlobMissing, BlobStore
from chatdesk.core.store.models import Attachment, Message, MessagePart, PartKind
from chatdesk.core.store.store import Store
from chatdesk.core.views import AttachmentView
from chatdesk.core.writing import replace_file_atomically


@dataclass(frozen=True)
class Listed:
    attachment: AttachmentView
    thread_id: uuid.UUID
    message_id: uuid.UUID
    created_at: datetime


class StoredAttachments:
    def __init__(self, store: Store, blobs: BlobStore) -> None:
        self._store = store
        self.blobs = blobs

    async def bytes_of(self, attachment_id: uuid.UUID) -> bytes:
        """Its bytes as stored; ChatdeskError when they are missing or damaged."""
        view, text = await self._store.read(lambda s: repo.attachment(s, attachment_id))
        if not view.blob:
            return text.encode("utf-8", "surrogatepass")
        try:
            data: bytes = await asyncio.to_thread(self.blobs.read, view.sha256)
        except (BlobMissing, BlobDamaged) as error:
            raise ChatdeskError(
                tr("{name}: {error}; the message itself is kept", name=view.name, error=error)
            ) from error
        return data

    async def named_text(self, attachment_id: uuid.UUID) -> tuple[str, str]:
        """Its name and the text the model reads of it (NotFound when there is none)."""
        view, text = await self._store.read(lambda s: repo.attachment(s, attachment_id))
        return view.name, text

    async def save(self, attachment_id: uuid.UUID, path: Path) -> None:
        """Write its bytes to `path` (replacing a file there, as the save dialog agreed) whole:
        the file appears complete or not at all, and a failure (a full or read-only disk)
        leaves a file that was there as it was. It is private to the user, as the store is."""
        data = await self.bytes_of(attachment_id)
        try:
            await asyncio.to_thread(replace_file_atomically, path, data)
        except OSError as error:
            raise ChatdeskError(
                tr("cannot save {path}: {reason}", path=path, reason=error.strerror or error)
            ) from error

    async def listing(self, limit: int = 100) -> list[Listed]:
        """The newest attachments first, with the message and thread each is in."""
        return await self._store.read(lambda s: _listing(s, limit))

    async def check(self) -> tuple[list[str], list[str]]:
        """(missing, damaged) among the blobs messages refer to."""
        hashes = await asyncio.to_thread(referenced, self._store.path)
        return await asyncio.to_thread(self.blobs.check, sorted(hashes))

    async def sweep(self, keep_days: int) -> int:
        """Remove the blobs nothing refers to that were left alone for `keep_days`; how many."""
        used = await asyncio.to_thread(referenced, self._store.path)
        return await asyncio.to_thread(self.blobs.sweep, used, keep_days * 86_400.0)


def _listing(session: Session, limit: int) -> list[Listed]:
    rows = session.execute(
        select(Attachment.id, Message.thread_id, Message.id, Attachment.created_at)
        .join(MessagePart, MessagePart.attachment_id == Attachment.id)
        .join(Message, Message.id == MessagePart.message_id)
        .where(MessagePart.kind == PartKind.ATTACHMENT)
        .order_by(Attachment.created_at.desc())
        .limit(limit)
    ).all()
    return [
        Listed(repo.attachment(session, attachment_id)[0], thread_id, message_id, created_at)
        for attachment_id, thread_id, message_id, created_at in rows
    ]
