"""Every SQL statement of the knowledge package: bases, sources, documents, passages, vectors
and links. Each function runs inside the caller's Store transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.knowledge.chunking import Chunk
from chatdesk.core.knowledge.model import (
    MAX_NAME,
    BaseView,
    DocumentError,
    DocumentText,
    SourceView,
)
from chatdesk.core.store.models import (
    KnowledgeBase,
    KnowledgeChunk,
    KnowledgeDocument,
    KnowledgeLink,
    KnowledgeSource,
    Thread,
)
from chatdesk.core.store.names import name_key

# -- bases ---------------------------------------------------------------------------------------


def base_row(session: Session, base_id: uuid.UUID) -> KnowledgeBase:
    row = session.get(KnowledgeBase, base_id)
    if row is None:
        raise NotFound(tr("That knowledge base no longer exists."))
    return row


def base_named(session: Session, name: str) -> KnowledgeBase | None:
    """The base called `name`, whatever its case."""
    wanted = name_key(name)
    for base_id, base_name in session.execute(select(KnowledgeBase.id, KnowledgeBase.name)):
        if name_key(base_name) == wanted:
            return session.get(KnowledgeBase, base_id)
    return None


def checked_name(session: Session, name: str, renaming: uuid.UUID | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidRequest(tr("A knowledge base needs a name."))
    if len(name) > MAX_NAME:
        raise InvalidRequest(
            ntr(
                "A knowledge base's name is at most {n} character.",
                "A knowledge base's name is at most {n} characters.",
                MAX_NAME,
            )
        )
    same = base_named(session, name)
    if same is not None and same.id != renaming:
        raise InvalidRequest(
            tr("There is already a knowledge base called {name}.", name=repr(same.name))
        )
    return name


def create_base(session: Session, name: str, now: datetime) -> KnowledgeBase:
    row = KnowledgeBase(
        id=uuid.uuid4(), name=checked_name(session, name), created_at=now, updated_at=now
    )
    session.add(row)
    session.flush()
    return row


def base_names(session: Session) -> list[tuple[uuid.UUID, str]]:
    """Every base's id and name, in the order of their names (nothing counted)."""
    rows = session.execute(select(KnowledgeBase.id, KnowledgeBase.name))
    return sorted(((base_id, name) for base_id, name in rows), key=lambda b: name_key(b[1]))


def base_views(session: Session, base_ids: Sequence[uuid.UUID] | None = None) -> list[BaseView]:
    """The bases (all, or these), in the order of their names, with their counts."""
    query = select(KnowledgeBase)
    if base_ids is not None:
        query = query.where(KnowledgeBase.id.in_(list(base_ids)))
    rows = sorted(session.scalars(query), key=lambda row: name_key(row.name))
    if not rows:
        return []
    ids = [row.id for row in rows]
    docs = _grouped(
        session,
        select(
            KnowledgeDocument.base_id,
            func.count().filter(KnowledgeDocument.error.is_(None)),
            func.count().filter(KnowledgeDocument.error.is_not(None)),
        )
        .where(KnowledgeDocument.base_id.in_(ids))
        .group_by(KnowledgeDocument.base_id),
    )
    chunks = _grouped(
        session,
        select(KnowledgeChunk.base_id, KnowledgeChunk.vector_model, func.count())
        .where(KnowledgeChunk.base_id.in_(ids))
        .group_by(KnowledgeChunk.base_id, KnowledgeChunk.vector_model),
        many=True,
    )
    sources = _source_views(session, ids)
    views = []
    for row in rows:
        indexed, failed = docs.get(row.id, (0, 0))
        counts: dict[str | None, int] = dict(chunks.get(row.id, []))
        views.append(
            BaseView(
                id=row.id,
                name=row.name,
                embedding_provider=row.embedding_provider,
                embedding_model=row.embedding_model,
                embedding_problem=row.embedding_problem,
                sources=tuple(sources.get(row.id, ())),
                documents=indexed,
                failed=failed,
                chunks=sum(counts.values()),
                vectors=counts.get(model_key(row), 0) if model_key(row) else 0,
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
        )
    return views


def _source_views(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[SourceView]]:
    """The sources of these bases with how many documents each indexed, by base, oldest first."""
    per_source = dict(
        session.execute(
            select(KnowledgeDocument.source_id, func.count())
            .where(KnowledgeDocument.base_id.in_(ids), KnowledgeDocument.error.is_(None))
            .group_by(KnowledgeDocument.source_id)
        ).all()
    )
    sources: dict[uuid.UUID, list[SourceView]] = {}
    for source in session.scalars(
        select(KnowledgeSource)
        .where(KnowledgeSource.base_id.in_(ids))
        .order_by(KnowledgeSource.added_at, KnowledgeSource.path)
    ):
        view = SourceView(
            source.id, source.path, source.include, source.exclude, per_source.get(source.id, 0)
        )
        sources.setdefault(source.base_id, []).append(view)
    return sources


def _grouped(session: Session, query: Any, *, many: bool = False) -> dict[Any, Any]:
    found: dict[Any, Any] = {}
    for key, *values in session.execute(query):
        if many:
            found.setdefault(key, []).append(tuple(values))
        else:
            found[key] = tuple(values)
    return found


def model_key(row: KnowledgeBase) -> str | None:
    """What a vector of the base's embedding model is stored under ("provider/model")."""
    if not row.embedding_model:
        return None
    return f"{row.embedding_provider}/{row.embedding_model}"


# -- sources and documents -----------------------------------------------------------------------


def sources_of(session: Session, base_id: uuid.UUID) -> list[KnowledgeSource]:
    return list(
        session.scalars(
            select(KnowledgeSource)
            .where(KnowledgeSource.base_id == base_id)
            .order_by(KnowledgeSource.added_at)
        )
    )


@dataclass(frozen=True)
class Stored:
    """What a document was when it was last looked at."""

    id: uuid.UUID
    size: int
    mtime_ns: int
    sha256: str | None
    error: str | None  # why it is not indexed; None: it is

    @property
    def failed(self) -> bool:
        return self.error is not None


def stored_documents(session: Session, source_id: uuid.UUID) -> dict[str, Stored]:
    rows = session.execute(
        select(
            KnowledgeDocument.path,
            KnowledgeDocument.id,
            KnowledgeDocument.size,
            KnowledgeDocument.mtime_ns,
            KnowledgeDocument.sha256,
            KnowledgeDocument.error,
        ).where(KnowledgeDocument.source_id == source_id)
    )
    return {
        path: Stored(document_id, size, mtime_ns, sha256, error)
        for path, document_id, size, mtime_ns, sha256, error in rows
    }


@dataclass(frozen=True)
class Extracted:
    """A document as read: its text and what the reader said about it."""

    sha256: str
    mime: str
    pages: int
    text: str
    note: str


def put_document(
    session: Session,
    source: KnowledgeSource,
    path: str,
    size: int,
    mtime_ns: int,
    extracted: Extracted,
    chunks: Sequence[Chunk],
    now: datetime,
) -> uuid.UUID:
    """Store a document read now, in place of what was stored for its path."""
    document = _replace_document(
        session,
        source,
        path,
        size,
        mtime_ns,
        now,
        sha256=extracted.sha256,
        mime=extracted.mime,
        pages=extracted.pages or None,
        text=extracted.text,
        note=extracted.note[:500] or None,
        chunks=len(chunks),
    )
    if chunks:
        session.execute(
            insert(KnowledgeChunk),
            [
                {
                    "document_id": document.id,
                    "base_id": source.base_id,
                    "position": position,
                    "start": chunk.start,
                    "end": chunk.end,
                    "location": chunk.location[:500],
                    "text": chunk.text,
                }
                for position, chunk in enumerate(chunks)
            ],
        )
    return document.id


def put_failure(
    session: Session,
    source: KnowledgeSource,
    path: str,
    size: int,
    mtime_ns: int,
    error: str,
    now: datetime,
) -> None:
    """Record why the file at `path` is not indexed (its passages, if any, go). A size of -1
    makes the next pass read it again whatever it finds."""
    _replace_document(session, source, path, size, mtime_ns, now, error=error)


def _replace_document(
    session: Session,
    source: KnowledgeSource,
    path: str,
    size: int,
    mtime_ns: int,
    now: datetime,
    **columns: Any,
) -> KnowledgeDocument:
    """A document row for `path` (written now) in place of the one stored for it, whose
    passages go with it."""
    remove_paths(session, source.base_id, [path])
    document = KnowledgeDocument(
        id=uuid.uuid4(),
        base_id=source.base_id,
        source_id=source.id,
        path=path,
        size=size,
        mtime_ns=mtime_ns,
        indexed_at=now,
        **columns,
    )
    session.add(document)
    session.flush()
    return document


def touch_document(session: Session, document_id: uuid.UUID, size: int, mtime_ns: int) -> None:
    """A file whose time changed but whose bytes did not: only the time is stored."""
    session.execute(
        update(KnowledgeDocument)
        .where(KnowledgeDocument.id == document_id)
        .values(size=size, mtime_ns=mtime_ns)
    )


def remove_paths(session: Session, base_id: uuid.UUID, paths: Iterable[str]) -> int:
    """Remove these documents (their passages go with them, and from the index)."""
    removed = 0
    for path in paths:
        result = session.execute(
            delete(KnowledgeDocument).where(
                KnowledgeDocument.base_id == base_id, KnowledgeDocument.path == path
            )
        )
        removed += result.rowcount or 0  # type: ignore[attr-defined]
    return removed


def failures(session: Session, base_id: uuid.UUID) -> list[DocumentError]:
    rows = session.execute(
        select(KnowledgeDocument.path, KnowledgeDocument.error)
        .where(KnowledgeDocument.base_id == base_id, KnowledgeDocument.error.is_not(None))
        .order_by(KnowledgeDocument.path)
    )
    return [DocumentError(path, error or "") for path, error in rows]


def document_text(session: Session, document_id: uuid.UUID) -> DocumentText:
    row = session.get(KnowledgeDocument, document_id)
    if row is None or row.text is None:
        raise NotFound(
            tr("That document is no longer in its knowledge base (it was removed or changed).")
        )
    return DocumentText(row.id, row.path, row.text, row.sha256)


# -- vectors -------------------------------------------------------------------------------------


def without_vectors(
    session: Session, base_id: uuid.UUID, key: str, limit: int
) -> list[tuple[int, str]]:
    """Up to `limit` passages of the base without a vector of the model `key`."""
    rows = session.execute(
        select(KnowledgeChunk.id, KnowledgeChunk.text)
        .where(
            KnowledgeChunk.base_id == base_id,
            KnowledgeChunk.vector_model.is_distinct_from(key),
        )
        .order_by(KnowledgeChunk.id)
        .limit(limit)
    )
    return [(chunk_id, text) for chunk_id, text in rows]


def count_without_vectors(session: Session, base_id: uuid.UUID, key: str) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                KnowledgeChunk.base_id == base_id, KnowledgeChunk.vector_model.is_distinct_from(key)
            )
        )
        or 0
    )


def set_vectors(session: Session, vectors: Sequence[tuple[int, bytes]], key: str) -> None:
    session.execute(
        update(KnowledgeChunk),
        [{"id": chunk_id, "vector": vector, "vector_model": key} for chunk_id, vector in vectors],
    )


def clear_vectors(session: Session, base_id: uuid.UUID) -> None:
    """Forget the base's vectors (its model changed): never compared with the new model's."""
    session.execute(
        update(KnowledgeChunk)
        .where(KnowledgeChunk.base_id == base_id, KnowledgeChunk.vector_model.is_not(None))
        .values(vector=None, vector_model=None)
    )


def vector_size(session: Session, base_id: uuid.UUID, key: str) -> int | None:
    """The length of the base's vectors of the model `key` (None: it has none yet)."""
    size = session.scalar(
        select(func.length(KnowledgeChunk.vector))
        .where(KnowledgeChunk.base_id == base_id, KnowledgeChunk.vector_model == key)
        .limit(1)
    )
    return size // 4 if size else None


def vectors_of(session: Session, base_id: uuid.UUID, key: str) -> list[tuple[int, bytes]]:
    rows = session.execute(
        select(KnowledgeChunk.id, KnowledgeChunk.vector).where(
            KnowledgeChunk.base_id == base_id, KnowledgeChunk.vector_model == key
        )
    )
    return [(chunk_id, vector) for chunk_id, vector in rows if vector]


# -- links ---------------------------------------------------------------------------------------

OWNERS = ("thread_id", "project_id", "assistant_id")


def linked_bases(session: Session, thread_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """The bases a chat answers from: its own, its project's and its assistant's."""
    thread = session.get(Thread, thread_id)
    if thread is None:
        return []
    owners = [KnowledgeLink.thread_id == thread_id]
    if thread.project_id is not None:
        owners.append(KnowledgeLink.project_id == thread.project_id)
    if thread.assistant_id is not None:
        owners.append(KnowledgeLink.assistant_id == thread.assistant_id)
    from sqlalchemy import or_

    rows = session.execute(
        select(KnowledgeBase.id, KnowledgeBase.name)
        .join(KnowledgeLink, KnowledgeLink.base_id == KnowledgeBase.id)
        .where(or_(*owners))
        .distinct()
    )
    return sorted(((base_id, name) for base_id, name in rows), key=lambda b: name_key(b[1]))


def links_of(session: Session, owner: str, owner_id: uuid.UUID) -> list[uuid.UUID]:
    column = getattr(KnowledgeLink, owner)
    return list(session.scalars(select(KnowledgeLink.base_id).where(column == owner_id)))


def set_links(
    session: Session, owner: str, owner_id: uuid.UUID, base_ids: Sequence[uuid.UUID]
) -> None:
    """Exactly `base_ids` linked to the chat, project or assistant (`owner`: its column)."""
    if owner not in OWNERS:
        raise ValueError(owner)
    for base_id in base_ids:
        base_row(session, base_id)
    column = getattr(KnowledgeLink, owner)
    session.execute(delete(KnowledgeLink).where(column == owner_id))
    for base_id in dict.fromkeys(base_ids):
        session.add(KnowledgeLink(id=uuid.uuid4(), base_id=base_id, **{owner: owner_id}))
