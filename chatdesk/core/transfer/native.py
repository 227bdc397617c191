"""chatdesk's own JSON format: one thread, every row it owns, nothing lost.

    {"format": "chatdesk-thread", "version": 1, "exported_at": ..., "app": "chatdesk 0.1.0",
     "thread": {...}, "project": {...} | null,
     "messages": [{..., "parts": [...]}, ...],   every branch, parents before children
     "attachments": [...],                        bytes as base64; a file's bytes (and an
                                                  image's thumbnail) in "file" ("thumbnail")
     "summaries": [...],
     "memories": [...]}                           only when asked for, as a memories file
                                                  lists them (memory/service.py)

Every record holds every column of its row (records.py) but what stays on this computer (the
memories an answer was given: numbers that mean nothing elsewhere), so importing a file gives
back the same rows: the same ids, tree, active branch, statuses, usage, costs and errors. A
thread is written as it is read, a few hundred messages at a time, inside one read
transaction: the file is a consistent snapshot and memory does not grow with the thread.
"""

from __future__ import annotations

import base64
import contextlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk import __version__
from chatdesk.core.errors import NotFound
from chatdesk.core.i18n import mark, tr
from chatdesk.core.store.blobs import BlobDamaged, BlobMissing, BlobStore, digest
from chatdesk.core.store.records import (
    ATTACHMENTS,
    MESSAGES,
    PARTS,
    PROJECTS,
    SUMMARIES,
    THREADS,
    BadRecord,
    from_json,
    to_json,
)
from chatdesk.core.transfer.tree import BrokenTree, settle
from chatdesk.core.transfer.writing import ImportedThread, Row

THREAD_FORMAT = "chatdesk-thread"
VERSION = 1
_CHUNK = 500
# Columns that never leave this computer: which memories an answer was given.
LOCAL_ONLY = ("memories",)


@dataclass(frozen=True)
class WrittenThread:
    id: uuid.UUID
    title: str
    messages: int


# -- export --------------------------------------------------------------------------------------


def write_thread(
    session: Session,
    thread_id: uuid.UUID,
    out: IO[str],
    exported_at: datetime,
    blobs: BlobStore | None = None,
    memories: list[dict[str, Any]] | None = None,
) -> WrittenThread:
    """`blobs`: the store the attachments' files are read from (none: they are left out);
    `memories`: the user's memories, when asked for, as a memories file lists them."""
    thread = session.execute(select(THREADS).where(THREADS.c.id == thread_id)).mappings().first()
    if thread is None:
        raise NotFound(tr("no thread with id {thread_id}", thread_id=thread_id))
    project = None
    if thread["project_id"] is not None:
        found = select(PROJECTS).where(PROJECTS.c.id == thread["project_id"])
        project = session.execute(found).mappings().first()
    head = {
        "format": THREAD_FORMAT,
        "version": VERSION,
        "exported_at": exported_at.isoformat(),
        "app": f"chatdesk {__version__}",
        "thread": to_json(THREADS, thread),
        "project": to_json(PROJECTS, project) if project is not None else None,
    }
    out.write(_dumps(head)[:-1] + ',\n"messages": [')
    attachments, count = _write_messages(session, thread_id, out)
    out.write('],\n"attachments": [')
    _write_records(out, _attachments(session, attachments, blobs))
    out.write('],\n"summaries": [')
    summaries = select(SUMMARIES).where(SUMMARIES.c.thread_id == thread_id)
    rows = session.execute(summaries.order_by(SUMMARIES.c.created_at, SUMMARIES.c.id)).mappings()
    _write_records(out, (to_json(SUMMARIES, row) for row in rows))
    out.write("]")
    if memories is not None:
        out.write(',\n"memories": ' + _dumps(memories))
    out.write("}\n")
    return WrittenThread(thread_id, thread["title"], count)


def _write_messages(
    session: Session, thread_id: uuid.UUID, out: IO[str]
) -> tuple[list[uuid.UUID], int]:
    """Every message with its parts, parents first; the attachments they use, in order."""
    order = select(MESSAGES.c.id).where(MESSAGES.c.thread_id == thread_id)
    ids = list(session.scalars(order.order_by(MESSAGES.c.depth, MESSAGES.c.id)))
    attachments: dict[uuid.UUID, None] = {}
    first = True
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = {
            row["id"]: row
            for row in session.execute(select(MESSAGES).where(MESSAGES.c.id.in_(chunk))).mappings()
        }
        parts: defaultdict[uuid.UUID, list[Row]] = defaultdict(list)
        query = select(PARTS).where(PARTS.c.message_id.in_(chunk))
        for part in session.execute(query.order_by(PARTS.c.position, PARTS.c.id)).mappings():
            parts[part["message_id"]].append(to_json(PARTS, part))
            if part["attachment_id"] is not None:
                attachments[part["attachment_id"]] = None
        for message_id in chunk:
            record = to_json(MESSAGES, rows[message_id]) | {"parts": parts[message_id]}
            for local in LOCAL_ONLY:
                del record[local]
            out.write(("\n" if first else ",\n") + _dumps(record))
            first = False
    return list(attachments), len(ids)


def _attachments(
    session: Session, ids: list[uuid.UUID], blobs: BlobStore | None
) -> Iterator[dict[str, Any]]:
    for attachment_id in ids:  # one at a time: each may hold megabytes
        found = session.execute(select(ATTACHMENTS).where(ATTACHMENTS.c.id == attachment_id))
        row = found.mappings().one()
        record = to_json(ATTACHMENTS, row)
        if row["blob"] and blobs is not None:  # a file missing here goes without its bytes
            for key, sha256 in (("file", row["sha256"]), ("thumbnail", row["thumb"])):
                with contextlib.suppress(BlobMissing, BlobDamaged, OSError):
                    if sha256:
                        record[key] = base64.b64encode(blobs.read(sha256)).decode("ascii")
        yield record


def _write_records(out: IO[str], records: Iterator[dict[str, Any]]) -> None:
    for n, record in enumerate(records):
        out.write(("\n" if n == 0 else ",\n") + _dumps(record))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# -- import --------------------------------------------------------------------------------------


def is_thread_document(value: Any) -> bool:
    return isinstance(value, dict) and value.get("format") == THREAD_FORMAT


def read_thread(document: Any) -> ImportedThread:
    """The rows a thread document describes; `BadRecord` when it cannot be imported."""
    if not is_thread_document(document):
        raise BadRecord(tr("it is not a chatdesk thread"))
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > VERSION:
        raise BadRecord(
            tr(
                "it was written by a newer chatdesk (format version {version}); "
                "update chatdesk to import it",
                version=version,
            )
        )
    thread = from_json(THREADS, document.get("thread"))
    # The tool servers it had are another machine's: none is switched on by an import.
    thread["tools"] = None
    label = f"{thread['title']!r} ({thread['id']})"
    imported = ImportedThread(label, thread)
    imported.project = _project(document.get("project"), thread)
    if imported.project is not None:
        imported.project["tools"] = None
    _read_messages(imported, _records(document, "messages"))
    for record in _records(document, "attachments"):
        row = from_json(ATTACHMENTS, record)
        imported.attachments.append(row)
        imported.blobs += _files(record, row)
    imported.summaries = [from_json(SUMMARIES, r) for r in _records(document, "summaries")]
    _check_references(imported)
    try:
        thread["active_leaf_id"] = settle(imported.messages, thread["active_leaf_id"])
    except BrokenTree as error:
        raise BadRecord(str(error)) from None
    thread["message_count"] = len(imported.messages)
    return imported


def _files(record: dict[str, Any], row: Row) -> list[bytes]:
    """The bytes of an attachment's file and thumbnail that came with it, each checked against
    the hash its row names."""
    found = []
    said = {
        "file": (
            mark("the file of attachment {id} is not base64"),
            mark("the file of attachment {id} is damaged"),
        ),
        "thumbnail": (
            mark("the thumbnail of attachment {id} is not base64"),
            mark("the thumbnail of attachment {id} is damaged"),
        ),
    }
    for key, column in (("file", "sha256"), ("thumbnail", "thumb")):
        value = record.get(key)
        if not isinstance(value, str):
            continue
        try:
            data = base64.b64decode(value, validate=True)
        except ValueError:
            raise BadRecord(tr(said[key][0], id=row["id"])) from None
        if digest(data) != row[column]:
            raise BadRecord(tr(said[key][1], id=row["id"]))
        found.append(data)
    return found


def _project(record: Any, thread: Row) -> Row | None:
    if record is None:
        if thread["project_id"] is not None:
            raise BadRecord(tr("its project is missing from the file"))
        return None
    project = from_json(PROJECTS, record)
    if project["id"] != thread["project_id"]:
        raise BadRecord(tr("its project is not the one the thread names"))
    return project


def _read_messages(imported: ImportedThread, records: list[Any]) -> None:
    for record in records:
        if not isinstance(record, dict):
            raise BadRecord(tr("a message record is not an object"))
        parts = record.get("parts", [])
        row = from_json(MESSAGES, {k: v for k, v in record.items() if k != "parts"})
        row.update(dict.fromkeys(LOCAL_ONLY))  # another computer's memory numbers: not these
        if row["thread_id"] != imported.id:
            raise BadRecord(tr("message {id} belongs to another thread", id=row["id"]))
        imported.messages.append(row)
        for part in parts if isinstance(parts, list) else []:
            part_row = from_json(PARTS, part)
            if part_row["message_id"] != row["id"]:
                raise BadRecord(tr("a part of message {id} names another message", id=row["id"]))
            imported.parts.append(part_row)
    imported.messages.sort(key=lambda m: (m["depth"], m["id"]))


def _check_references(imported: ImportedThread) -> None:
    messages = {m["id"] for m in imported.messages}
    attachments = {a["id"] for a in imported.attachments}
    for part in imported.parts:
        if part["attachment_id"] is not None and part["attachment_id"] not in attachments:
            raise BadRecord(
                tr("attachment {id} is missing from the file", id=part["attachment_id"])
            )
    for summary in imported.summaries:
        if summary["thread_id"] != imported.id:
            raise BadRecord(tr("summary {id} belongs to another thread", id=summary["id"]))
        if summary["covers_through_message_id"] not in messages:
            raise BadRecord(
                tr("summary {id} covers a message missing from the file", id=summary["id"])
            )


def memories_in(document: Any) -> list[Any]:
    """The memories a thread document was written with (none unless asked for)."""
    return _records(document, "memories") if is_thread_document(document) else []


def _records(document: dict[str, Any], key: str) -> list[Any]:
    records = document.get(key, [])
    if not isinstance(records, list):
        raise BadRecord(tr("its {key} is not a list", key=repr(key)))
    return records
