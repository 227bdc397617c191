"""Transfer: export threads (Markdown, HTML, chatdesk JSON, an archive of everything) and
import files (chatdesk JSON and archives, ChatGPT data exports).

Async and Qt-free, like ChatService. Reading files, converting and rendering run on worker
threads (and the render worker's process); every write goes through the Store's single writer,
a batch of whole threads per transaction, while the next batch is being read. A cancelled
import keeps the batches already written: whole threads, never part of one. Imported threads
and projects are announced on the bus (`ThreadCreated`, `ProjectCreated`), so an open window
shows them as they arrive. The user's memories go into an export only when asked for, and
come back with its import (`Memories.import_entries`); which an answer was given never goes.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import io
import logging
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk import __version__
from chatdesk.core.attach.model import Limits, Read
from chatdesk.core.attach.worker import Reader, ReadFailed
from chatdesk.core.chat.events import EventBus, ProjectCreated, ThreadCreated
from chatdesk.core.clock import Clock, SystemClock
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.render.model import Rendered
from chatdesk.core.store.blobs import BlobStore
from chatdesk.core.store.records import PROJECTS, THREADS, to_json
from chatdesk.core.store.store import Store
from chatdesk.core.transfer import archive, native
from chatdesk.core.transfer.as_html import write_html
from chatdesk.core.transfer.as_markdown import write_markdown
from chatdesk.core.transfer.batches import Cancel, ImportProgress, ImportReport, Tally, gather
from chatdesk.core.transfer.branch import read_branch
from chatdesk.core.transfer.sources import Source, open_source
from chatdesk.core.transfer.targets import opened, replaced, zipped_to
from chatdesk.core.transfer.writing import Written, write_batch

if TYPE_CHECKING:
    from chatdesk.core.memory.service import Memories

log = logging.getLogger("chatdesk.transfer")

READ_TIMEOUT = 30.0  # seconds for one image of a ChatGPT export
# Seconds for one message rendered into an HTML export: an export is not a frame to keep
# smooth, so a long message gets longer than in the window before it goes plain.
RENDER_TIMEOUT = 10.0


class ExportFormat(enum.StrEnum):
    MARKDOWN = "md"
    HTML = "html"
    JSON = "json"


class Renderer(Protocol):
    async def render(self, text: str, *, bound: float | None = None) -> Rendered: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class ExportProgress:
    threads_done: int
    threads_total: int


@dataclass(frozen=True)
class ArchiveReport:
    path: Path
    threads: int
    projects: int
    messages: int
    cancelled: bool = False


ImportProgressCallback = Callable[[ImportProgress], None]
ExportProgressCallback = Callable[[ExportProgress], None]


class Transfer:
    def __init__(
        self,
        store: Store,
        reader: Reader,
        clock: Clock | None = None,
        *,
        bus: EventBus | None = None,
        renderer: Renderer | None = None,
        blobs: BlobStore | None = None,
        memories: Memories | None = None,
    ) -> None:
        """`reader` (the reading child's supervisor, for a ChatGPT export's images) and
        `renderer` (the window's render worker) are shared, and closed by whoever made them;
        without a renderer an export to HTML starts a child of its own for the while.
        `memories`: the user's (None: an export holds none, an import keeps none)."""
        self._store = store
        # The attachments' files, exported with their threads and stored before an import's
        # rows (beside the database unless said otherwise).
        self._blobs = blobs or BlobStore.beside(store.path)
        self._reader = reader
        self._images_read = False
        self._clock = clock or SystemClock()
        self._bus = bus
        self._renderer = renderer
        self._memories = memories

    # -- export ----------------------------------------------------------------------------------

    async def export_thread(
        self,
        thread_id: uuid.UUID,
        format: ExportFormat,
        target: Path | IO[bytes],
        *,
        memories: bool = False,
    ) -> None:
        """Write one thread to `target`: a file (replaced only once complete) or a stream;
        with every memory too when `memories` (JSON only)."""
        now = self._clock.now()
        if memories and format is not ExportFormat.JSON:
            raise InvalidRequest(tr("memories go only into a JSON export or a zip of everything"))
        if format is ExportFormat.JSON:
            write = functools.partial(
                native.write_thread,
                thread_id=thread_id,
                exported_at=now,
                blobs=self._blobs,
                memories=await self._entries() if memories else None,
            )
            await asyncio.to_thread(self._write_to, target, lambda out: self._read(write, out))
            return
        branch = await self._store.read(
            lambda session: read_branch(session, thread_id, now, self._blobs)
        )
        if format is ExportFormat.MARKDOWN:
            await asyncio.to_thread(
                self._write_to, target, functools.partial(write_markdown, branch)
            )
            return
        renderer = self._renderer or _render_worker()

        async def render(text: str) -> Rendered:
            return await renderer.render(text, bound=RENDER_TIMEOUT)

        try:
            with opened(target) as out:  # an article at a time: small writes, on this thread
                await write_html(branch, out, render)
        finally:
            if renderer is not self._renderer:
                await renderer.aclose()

    async def export_all(
        self,
        target: Path,
        progress: ExportProgressCallback | None = None,
        cancel: Cancel | None = None,
        *,
        memories: bool = False,
    ) -> ArchiveReport:
        """Every thread (the trash too) and every project, in one zip (archive.py); with every
        memory too when `memories`."""
        now = self._clock.now()
        ids, projects = await self._store.read(_everything)
        remembered = await self._entries() if memories else None
        entries: list[dict[str, Any]] = []
        try:
            with replaced(target) as temporary, zipped_to(temporary) as zipped:
                for thread_id in ids:
                    if cancel is not None and cancel.is_set():
                        raise _Cancelled  # the target is left as it was
                    entry = await asyncio.to_thread(self._archive_thread, zipped, thread_id, now)
                    entries.append(entry)
                    if progress is not None:
                        progress(ExportProgress(len(entries), len(ids)))
                app = f"chatdesk {__version__}"
                made = (now.isoformat(), app, projects, entries, remembered)
                manifest = archive.manifest_json(*made)
                await asyncio.to_thread(zipped.writestr, archive.MANIFEST, manifest)
        except _Cancelled:
            return ArchiveReport(target, 0, 0, 0, cancelled=True)
        messages = sum(e["messages"] for e in entries)
        return ArchiveReport(target, len(entries), len(projects), messages)

    def _archive_thread(
        self, zipped: zipfile.ZipFile, thread_id: uuid.UUID, now: Any
    ) -> dict[str, Any]:
        name = archive.thread_file(thread_id)
        with (
            zipped.open(name, "w", force_zip64=True) as raw,
            io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as out,
        ):
            write = functools.partial(
                native.write_thread, thread_id=thread_id, exported_at=now, blobs=self._blobs
            )
            written = self._read(write, out)
        return {
            "id": str(written.id),
            "title": written.title,
            "file": name,
            "messages": written.messages,
        }

    async def _entries(self) -> list[dict[str, Any]]:
        if self._memories is None:  # a temporary chat's
            raise InvalidRequest(tr("a temporary chat keeps no memories"))
        return await self._memories.entries()

    def _read(self, write: Callable[..., native.WrittenThread], out: IO[str]) -> Any:
        return self._store.read_now(lambda session: write(session, out=out))

    @staticmethod
    def _write_to(target: Path | IO[bytes], write: Callable[[IO[str]], Any]) -> None:
        with opened(target) as out:
            write(out)

    # -- import ----------------------------------------------------------------------------------

    async def import_file(
        self,
        path: Path,
        progress: ImportProgressCallback | None = None,
        cancel: Cancel | None = None,
    ) -> ImportReport:
        """Import every thread of a chatdesk or ChatGPT export not imported before."""
        source = await asyncio.to_thread(open_source, Path(path), self._image)
        try:
            return await self._import(source, progress, cancel)
        finally:
            await asyncio.to_thread(source.close)
            # The images' reading child is not kept waiting idle; without images, the child
            # the other readers of the shared supervisor may be using is left alone.
            if self._images_read:
                self._images_read = False
                self._reader.rest()

    async def _import(
        self, source: Source, progress: ImportProgressCallback | None, cancel: Cancel | None
    ) -> ImportReport:
        tally = Tally(source.kind)
        entries = source.entries()
        # The batch being written, and how far into the file it reaches.
        writing: tuple[asyncio.Future[Written], int] | None = None
        try:
            while True:
                batch = await asyncio.to_thread(gather, entries, cancel)
                reached = source.position()
                if writing is not None:
                    (future, position), writing = writing, None
                    self._count(tally, await future, (position, source.total), progress)
                tally.take(batch)
                if batch.cancelled:
                    tally.cancelled = True
                    break
                if batch.threads or batch.projects:
                    files = [data for thread in batch.threads for data in thread.blobs]
                    await asyncio.to_thread(self._store_files, files)
                    work = functools.partial(
                        write_batch, batch=batch.threads, projects=batch.projects
                    )
                    writing = asyncio.ensure_future(self._store.write(work)), reached
                if batch.done:
                    break
        finally:
            if writing is not None:  # the batch being written commits whatever happens
                future, position = writing
                self._count(tally, await future, (position, source.total), progress)
        if tally.memories and self._memories is not None and not tally.cancelled:
            tally.kept = await self._memories.import_entries(tally.memories)
        return tally.report()

    def _image(self, name: str, data: bytes) -> Read | None:
        """An image from a ChatGPT export, made safe in the reading child (started on the first
        one, stopped when idle); None when it cannot be read: it stays a placeholder."""
        self._images_read = True
        try:
            return self._reader.read_now(name, data, Limits(), READ_TIMEOUT)
        except ReadFailed as failure:
            log.info("an image of the export stays a placeholder: %s", failure.reason)
            return None

    def _store_files(self, files: list[bytes]) -> None:
        """The imported attachments' files, before the rows that name them."""
        for data in files:
            self._blobs.put(data)

    def _count(
        self,
        tally: Tally,
        written: Written,
        bytes_read: tuple[int, int],
        progress: ImportProgressCallback | None,
    ) -> None:
        tally.add(written)
        if self._bus is not None:
            for project in written.projects:
                self._bus.publish(ProjectCreated(project))
            for thread in written.added:
                self._bus.publish(ThreadCreated(thread))
        if progress is not None:
            progress(tally.progress(*bytes_read))


# -- helpers -------------------------------------------------------------------------------------


class _Cancelled(Exception):
    pass


def _everything(session: Session) -> tuple[list[uuid.UUID], list[dict[str, Any]]]:
    ids = session.scalars(select(THREADS.c.id).order_by(THREADS.c.created_at, THREADS.c.id))
    projects = session.execute(select(PROJECTS).order_by(PROJECTS.c.created_at, PROJECTS.c.id))
    return list(ids), [to_json(PROJECTS, row) for row in projects.mappings()]


def _render_worker() -> Renderer:
    from chatdesk.core.render.worker import RenderWorker

    return RenderWorker(timeout=RENDER_TIMEOUT)
