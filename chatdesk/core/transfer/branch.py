"""The branch on screen, read for a readable export (Markdown, HTML): the messages from the
first one to the thread's active leaf, with their reasoning, their tool calls and the files
attached to them."""

from __future__ import annotations

import contextlib
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.chat import repository as repo
from chatdesk.core.kinds import AttachmentKind
from chatdesk.core.store.blobs import BlobDamaged, BlobMissing, BlobStore
from chatdesk.core.store.models import Attachment, MessagePart, PartKind
from chatdesk.core.views import MessageView, ThreadView

_CHUNK = 500


@dataclass(frozen=True)
class FileInfo:
    name: str
    mime: str
    size: int
    text: str | None  # the text of a text attachment; None for bytes or a placeholder
    image: bytes | None = None  # an image's bytes, to embed (None: not an image, or missing)
    tool: str = ""  # the tool call whose result gave it (its label); "": the user attached it


@dataclass(frozen=True)
class BranchMessage:
    view: MessageView
    files: tuple[FileInfo, ...]


@dataclass(frozen=True)
class Branch:
    thread: ThreadView
    project: str | None
    messages: tuple[BranchMessage, ...]
    exported_at: datetime


def read_branch(
    session: Session, thread_id: uuid.UUID, exported_at: datetime, blobs: BlobStore | None = None
) -> Branch:
    """The active branch; images read from `blobs` to be embedded (none: they are not)."""
    row = repo.thread_row(session, thread_id, deleted_ok=True)
    thread = repo.thread_view(row)
    project = repo.project_row(session, row.project_id).name if row.project_id else None
    leaf = thread.active_leaf_id
    views = repo.path_to(session, leaf, thread.message_count + 1) if leaf else []
    views = [
        view
        for start in range(0, len(views), _CHUNK)
        for view in repo.with_tool_calls(
            session, repo.with_sources(session, views[start : start + _CHUNK])
        )
    ]
    files = _files(session, [v.id for v in views], blobs)
    messages = tuple(BranchMessage(v, tuple(_named(v, files[v.id]))) for v in views)
    return Branch(thread, project, messages, exported_at)


def _named(view: MessageView, files: list[tuple[FileInfo, str]]) -> list[FileInfo]:
    """The message's files, each an image a tool gave named by its call's label."""
    labels = {call.call_id: call.label for call in view.tool_calls}
    return [
        replace(file, tool=labels.get(call_id, "a tool")) if call_id else file
        for file, call_id in files
    ]


def _files(
    session: Session, ids: list[uuid.UUID], blobs: BlobStore | None
) -> dict[uuid.UUID, list[tuple[FileInfo, str]]]:
    """Each message's files, with the call id of those a tool's result gave ("" for none)."""
    found: defaultdict[uuid.UUID, list[tuple[FileInfo, str]]] = defaultdict(list)
    columns = (
        Attachment.name,
        Attachment.mime,
        Attachment.size,
        Attachment.text,
        Attachment.kind,
        Attachment.blob,
        Attachment.sha256,
    )
    for start in range(0, len(ids), _CHUNK):
        query = (
            select(MessagePart.message_id, MessagePart.data, *columns)
            .join(Attachment, Attachment.id == MessagePart.attachment_id)
            .where(
                MessagePart.kind == PartKind.ATTACHMENT,
                MessagePart.message_id.in_(ids[start : start + _CHUNK]),
            )
            .order_by(MessagePart.message_id, MessagePart.position)
        )
        for message_id, data, name, mime, size, text, kind, blob, sha256 in session.execute(query):
            image = None
            if kind == AttachmentKind.IMAGE and blob and blobs is not None:
                with contextlib.suppress(BlobMissing, BlobDamaged, OSError):
                    image = blobs.read(sha256)
            call_id = str((data if isinstance(data, dict) else {}).get("call_id") or "")
            found[message_id].append((FileInfo(name, mime, size, text or None, image), call_id))
    return found
