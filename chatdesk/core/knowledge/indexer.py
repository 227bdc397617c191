"""One indexing pass of a knowledge base, in the background: its folders listed, each new or
changed file read in the reading child, chunked and stored, files gone removed, then the
passages without a vector of the base's model embedded.

What the files give is stored in batches (`_Batch`): one write once 64 files, 4 MB of their
text or half a second have gathered, whichever comes first, and before the pass pauses, is
cancelled or ends. A durable commit per file cost more than reading a small file (a folder of notes
went at ~150 files a second); a batch that never commits (the process dies, the disk fills)
is read again by the next pass, as every file is whose stored size and time do not match.

Incremental: a file whose size and time are as stored is not read; one whose time changed is
read and hashed, and only its time is stored when its bytes are the same. A file that cannot
be indexed (too big, encrypted, a scan, not text, unreadable, changed while it was read) is
stored with the reason and the pass goes on; it is read again once its size or time changes.
Everything that blocks (listing, reading, hashing, chunking) runs off the event loop, one
file at a time, so memory holds one file and the batch's passages at most.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.orm import Session

from chatdesk.core.attach.model import DOCUMENT, TEXT, Limits
from chatdesk.core.attach.worker import Reader, ReadFailed
from chatdesk.core.clock import Clock
from chatdesk.core.config import Settings
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import number, tr
from chatdesk.core.knowledge import repository as repo
from chatdesk.core.knowledge.chunking import chunks_of
from chatdesk.core.knowledge.model import KnowledgeProgressed, Progress, Stage
from chatdesk.core.knowledge.retrieval import Vectors, pack
from chatdesk.core.knowledge.scanning import Found, Skipped, parse_patterns, scan
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.embeddings import BATCH, EmbeddingFailed, embed
from chatdesk.core.store.models import KnowledgeSource
from chatdesk.core.store.store import Store
from chatdesk.core.trust.files import read_regular

log = logging.getLogger("chatdesk.knowledge")

MB = 1024 * 1024
MAX_TEXT_CHARS = 20_000_000  # of one document's extracted text; the rest is left out
PUBLISH_EVERY = 0.2  # seconds between progress events
# A batch of files' rows is written once it holds this many files, this much text, or is
# this many seconds old (see the module's docstring)
BATCH_FILES = 64
BATCH_CHARS = 4 * MB
BATCH_SECONDS = 0.5


class Control:
    """What the user can do to a running pass: pause it (it stops between two files) and
    cancel it (what it stored stays)."""

    def __init__(self) -> None:
        self.cancelled = False
        self._running = asyncio.Event()
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def cancel(self) -> None:
        self.cancelled = True
        self._running.set()

    async def go_on(self) -> bool:
        """Wait while paused; False once cancelled."""
        await self._running.wait()
        return not self.cancelled


@dataclass
class _Batch:
    """Writes of a base's files, gathered to be committed together."""

    base_id: uuid.UUID
    work: list[Callable[[Session], object]] = field(default_factory=list)
    chars: int = 0
    since: float = 0.0

    def add(self, work: Callable[[Session], object], chars: int = 0) -> None:
        if not self.work:
            self.since = time.monotonic()
        self.work.append(work)
        self.chars += chars

    @property
    def full(self) -> bool:
        return (
            len(self.work) >= BATCH_FILES
            or self.chars >= BATCH_CHARS
            or time.monotonic() - self.since >= BATCH_SECONDS
        )


@dataclass(frozen=True)
class _Read:
    """A file read from disk: its bytes' hash and size, or why it could not be."""

    data: bytes | None
    sha256: str
    size: int
    mtime_ns: int
    error: str = ""
    gone: bool = False


class Indexer:
    def __init__(
        self,
        store: Store,
        providers: Providers,
        settings: Callable[[], Settings],
        clock: Clock,
        publish: Callable[[KnowledgeProgressed], None],
        vectors: Vectors,
        reader: Reader,
    ) -> None:
        self._store = store
        self._providers = providers
        self._settings = settings
        self._clock = clock
        self._publish = publish
        self._vectors = vectors
        self._reader = reader  # shared: closed by whoever made it
        self._said = 0.0
        self._batch: _Batch | None = None

    async def run(self, base_id: uuid.UUID, control: Control) -> Progress:
        progress = Progress(base_id, Stage.SCANNING)
        self._say(progress, force=True)
        sources = await self._store.read(lambda s: repo.sources_of(s, base_id))
        for source in sources:
            progress = await self._source(source, progress, control)
            if control.cancelled:
                return self._end(progress, Stage.CANCELLED)
        progress = await self._embed(base_id, progress, control)
        return self._end(progress, Stage.CANCELLED if control.cancelled else Stage.DONE)

    def _end(self, progress: Progress, stage: Stage) -> Progress:
        progress = replace(progress, stage=stage, current="")
        self._say(progress, force=True)
        return progress

    def _say(self, progress: Progress, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._said >= PUBLISH_EVERY:
            self._said = now
            self._publish(KnowledgeProgressed(progress))

    # -- reading ---------------------------------------------------------------------------------

    async def _source(
        self, source: KnowledgeSource, progress: Progress, control: Control
    ) -> Progress:
        progress = replace(progress, stage=Stage.SCANNING, current=source.path)
        self._say(progress, force=True)
        include, exclude = parse_patterns(source.include), parse_patterns(source.exclude)
        listed = await asyncio.to_thread(
            lambda: list(scan(source.path, include, exclude, stopped=lambda: control.cancelled))
        )
        stored = await self._store.read(lambda s: repo.stored_documents(s, source.id))
        found = [item for item in listed if isinstance(item, Found)]
        skipped = [item for item in listed if isinstance(item, Skipped)]
        present = {item.path for item in found} | {item.path for item in skipped}
        # What is under a folder that could not be listed this time is kept, not removed.
        unlisted = tuple(item.path + os.sep for item in skipped)
        gone = [p for p in stored if p not in present and not p.startswith(unlisted or ("\0",))]
        if gone and not control.cancelled:
            removed = await self._store.write(lambda s: repo.remove_paths(s, source.base_id, gone))
            self._vectors.changed(source.base_id)
            progress = replace(progress, removed=progress.removed + removed)
        progress = replace(progress, stage=Stage.READING, total=progress.total + len(found))
        self._batch = _Batch(source.base_id)
        for skip in skipped:  # written when new or said otherwise: a look writes nothing new
            known = stored.get(skip.path)
            if known is None or known.error != skip.reason:
                await self._fail(source, skip.path, -1, 0, skip.reason)
        progress = replace(progress, failed=progress.failed + len(skipped))
        for item in found:
            if control.paused or control.cancelled:
                await self._write_batch()  # what was read is kept while the pass waits
            if not await control.go_on():
                break
            known = stored.get(item.path)
            if known and known.size == item.size and known.mtime_ns == item.mtime_ns:
                progress = replace(
                    progress, done=progress.done + 1, unchanged=progress.unchanged + 1
                )
                continue
            progress = replace(progress, current=item.path)
            self._say(progress)
            outcome = await self._file(source, item, known)
            progress = replace(
                progress,
                done=progress.done + 1,
                indexed=progress.indexed + (outcome == "indexed"),
                unchanged=progress.unchanged + (outcome == "unchanged"),
                failed=progress.failed + (outcome == "failed"),
                removed=progress.removed + (outcome == "gone"),
            )
            self._say(progress)
        await self._write_batch()
        return progress

    async def _put(self, work: Callable[[Session], object], chars: int = 0) -> None:
        """`work` into the current batch, which is written once full."""
        assert self._batch is not None
        self._batch.add(work, chars)
        if self._batch.full:
            await self._write_batch()

    async def _write_batch(self) -> None:
        batch = self._batch
        if batch is None or not batch.work:
            return
        self._batch = _Batch(batch.base_id)
        work = batch.work

        def write(session: Session) -> None:
            for one in work:
                one(session)

        await self._store.write(write)
        self._vectors.changed(batch.base_id)

    async def _file(self, source: KnowledgeSource, item: Found, known: repo.Stored | None) -> str:
        settings = self._settings().knowledge
        limit = settings.max_file_mb * MB
        got = await asyncio.to_thread(_read, item, limit)
        if got.gone:
            if known is not None:
                await self._put(lambda s: repo.remove_paths(s, source.base_id, [item.path]))
            return "gone"
        if got.error or got.data is None:
            await self._fail(source, item.path, got.size, got.mtime_ns, got.error)
            return "failed"
        if known is not None and not known.failed and known.sha256 == got.sha256:
            await self._put(lambda s: repo.touch_document(s, known.id, got.size, got.mtime_ns))
            return "unchanged"
        name = os.path.basename(item.path)
        limits = Limits(max_text_chars=MAX_TEXT_CHARS)
        try:
            read = await self._reader.read(name, got.data, limits, settings.read_timeout)
        except ReadFailed as failure:
            await self._fail(source, item.path, got.size, got.mtime_ns, failure.reason)
            return "failed"
        if read.kind not in (DOCUMENT, TEXT):
            reason = tr("it is an image: knowledge bases index the text of documents")
            await self._fail(source, item.path, got.size, got.mtime_ns, reason)
            return "failed"
        if not read.text.strip():
            reason = read.note or tr("there is no text in it")
            await self._fail(source, item.path, got.size, got.mtime_ns, reason)
            return "failed"
        chunks = await asyncio.to_thread(lambda: list(chunks_of(read.text)))
        extracted = repo.Extracted(got.sha256, read.mime, read.pages, read.text, read.note)
        now = self._clock.now()
        await self._put(
            lambda s: repo.put_document(
                s, source, item.path, got.size, got.mtime_ns, extracted, chunks, now
            ),
            len(read.text),
        )
        return "indexed"

    async def _fail(
        self, source: KnowledgeSource, path: str, size: int, mtime_ns: int, reason: str
    ) -> None:
        log.info("knowledge: a file is not indexed: %s", reason)
        now = self._clock.now()
        await self._put(lambda s: repo.put_failure(s, source, path, size, mtime_ns, reason, now))

    # -- vectors ---------------------------------------------------------------------------------

    async def _embed(self, base_id: uuid.UUID, progress: Progress, control: Control) -> Progress:
        base = await self._store.read(lambda s: repo.base_row(s, base_id))
        key = repo.model_key(base)
        if key is None or control.cancelled:
            return progress
        provider_name, model = base.embedding_provider or "", base.embedding_model or ""
        left = await self._store.read(lambda s: repo.count_without_vectors(s, base_id, key))
        progress = replace(progress, stage=Stage.EMBEDDING, to_embed=left, current="")
        problem: str | None = None
        try:
            if provider_name not in self._providers:
                raise EmbeddingFailed(
                    tr(
                        "The provider {provider} of this knowledge base's embedding model "
                        "is not set up any more. Choose another model; keyword search is used "
                        "meanwhile.",
                        provider=repr(provider_name),
                    )
                )
            provider = self._providers.get(provider_name)
            # Vectors already made for the base fix the size: a server that now answers with
            # another is refused rather than mixed in.
            size: int | None = await self._store.read(lambda s: repo.vector_size(s, base_id, key))
            while await control.go_on():
                batch = await self._store.read(
                    lambda s: repo.without_vectors(s, base_id, key, BATCH)
                )
                if not batch:
                    break
                made = await embed(provider, model, [text for _, text in batch], dimension=size)
                size = size or len(made[0])
                packed = [(chunk_id, pack(v)) for (chunk_id, _), v in zip(batch, made, strict=True)]
                await self._store.write(
                    functools.partial(repo.set_vectors, vectors=packed, key=key)
                )
                self._vectors.changed(base_id)
                progress = replace(progress, embedded=progress.embedded + len(batch))
                self._say(progress)
        except EmbeddingFailed as failure:
            problem = str(failure)
            progress = replace(progress, problem=problem)
            log.warning("knowledge: vectors not made: %s", problem)
        await self._store.write(lambda s: _set_problem(s, base_id, problem))
        return progress


def _set_problem(session: object, base_id: uuid.UUID, problem: str | None) -> None:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    row = repo.base_row(session, base_id)
    if row.embedding_problem != problem:
        row.embedding_problem = problem


def _read(item: Found, limit: int) -> _Read:
    """The file's bytes and hash; a file that changed while it was read is read once more."""
    path = Path(item.path)
    for _ in range(2):
        try:
            before = path.stat()
            if before.st_size > limit:
                return _Read(
                    None, "", before.st_size, before.st_mtime_ns, _too_big(before.st_size, limit)
                )
            data = read_regular(path, limit)
            after = path.stat()
        except FileNotFoundError:
            return _Read(None, "", item.size, item.mtime_ns, gone=True)
        except OSError as error:
            reason = tr("it cannot be read ({reason})", reason=error.strerror or error)
            return _Read(None, "", -1, item.mtime_ns, reason)
        except InvalidRequest as error:  # not a regular file any more, or it grew past limit
            return _Read(None, "", -1, item.mtime_ns, str(error))
        same = (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)
        if same and len(data) == after.st_size:
            return _Read(data, hashlib.sha256(data).hexdigest(), after.st_size, after.st_mtime_ns)
    reason = tr("it changed while it was being read; it is read again at the next pass")
    return _Read(None, "", -1, item.mtime_ns, reason)


def _too_big(size: int, limit: int) -> str:
    return tr(
        "it is {size} MB and files up to {limit} MB are indexed (setting knowledge.max_file_mb)",
        size=number(size / MB, 1),
        limit=limit // MB,
    )
