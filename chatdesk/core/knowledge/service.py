"""`Knowledge`: what the window and the CLI call for knowledge bases (decision 0028).

Bases are made, renamed and deleted; files and folders added and removed; passes run in the
background one at a time (the reading child reads one file at a time anyway), each paused,
resumed or cancelled by the user, with `KnowledgeProgressed` events on the way. While the
window is open (`watch`), every base is looked at again every `knowledge.rescan_seconds`, and
at start; a look that finds nothing changed reads no file.
"""

from __future__ import annotations

import asyncio
import builtins
import hashlib
import logging
import os
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from chatdesk.core.attach.worker import Reader
from chatdesk.core.clock import Clock
from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError, InvalidRequest, NotFound
from chatdesk.core.i18n import tr
from chatdesk.core.knowledge import repository as repo
from chatdesk.core.knowledge.model import (
    BaseView,
    DocumentError,
    DocumentText,
    KnowledgeChanged,
    KnowledgeProgressed,
    Passage,
    Progress,
    Stage,
)
from chatdesk.core.knowledge.retrieval import Vectors, best_passages, pack
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.embeddings import (
    EmbeddingFailed,
    can_embed,
    embed,
    embedding_models,
)
from chatdesk.core.store.models import KnowledgeBase, KnowledgeSource
from chatdesk.core.store.store import Store
from chatdesk.core.trust.files import read_regular

if TYPE_CHECKING:  # indexing loads with its first pass (`_work`)
    from chatdesk.core.knowledge.indexer import Control, Indexer

log = logging.getLogger("chatdesk.knowledge")

Publish = Callable[[KnowledgeProgressed | KnowledgeChanged], None]


class Knowledge:
    """The knowledge bases' one surface for the window and the CLI.

    It keeps 31 methods because each is one thing a user does with a base (make, rename,
    delete, add and remove folders, choose its embedding, index, pause, resume, cancel,
    search, link, read a document) or a step of the background pass those calls start and
    stop, which must stay beside them to be paused and cancelled."""

    def __init__(
        self,
        store: Store,
        providers: Providers,
        settings: Callable[[], Settings],
        clock: Clock,
        publish: Publish,
        reader: Reader,
    ) -> None:
        """`reader`: the reading child's supervisor, shared with the attachments'."""
        self._store = store
        self._reader = reader
        self._providers = providers
        self._settings = settings
        self._clock = clock
        self._publish = publish
        self._vectors = Vectors()
        self._indexer: Indexer | None = None  # made by the first pass
        self._waiting: list[uuid.UUID] = []
        self._again: set[uuid.UUID] = set()  # bases to index once more after their pass
        self._controls: dict[uuid.UUID, Control] = {}
        self._progress: dict[uuid.UUID, Progress] = {}
        self._ended: dict[uuid.UUID, asyncio.Future[Progress]] = {}
        self._worker: asyncio.Task[None] | None = None
        self._watcher: asyncio.Task[None] | None = None

    # -- bases -----------------------------------------------------------------------------------

    async def list(self) -> list[BaseView]:
        return await self._store.read(repo.base_views)

    async def names(self) -> builtins.list[tuple[uuid.UUID, str]]:
        """Every base's id and name, in the order of their names: for menus and lists that
        need no counts (`list` counts every base's passages)."""
        return await self._store.read(repo.base_names)

    async def get(self, base_id: uuid.UUID) -> BaseView:
        views = await self._store.read(lambda s: repo.base_views(s, [base_id]))
        if not views:
            raise NotFound(tr("That knowledge base no longer exists."))
        return views[0]

    async def find(self, name: str) -> BaseView:
        """The base called `name` (any case)."""

        def read(session: Session) -> BaseView:
            row = repo.base_named(session, name)
            if row is None:
                raise NotFound(tr("There is no knowledge base called {name}.", name=repr(name)))
            return repo.base_views(session, [row.id])[0]

        return await self._store.read(read)

    async def create(self, name: str) -> BaseView:
        now = self._clock.now()
        row = await self._store.write(lambda s: repo.create_base(s, name, now))
        self._publish(KnowledgeChanged(row.id))
        return await self.get(row.id)

    async def rename(self, base_id: uuid.UUID, name: str) -> BaseView:
        now = self._clock.now()

        def write(session: Session) -> None:
            row = repo.base_row(session, base_id)
            row.name = repo.checked_name(session, name, renaming=base_id)
            row.updated_at = now

        await self._store.write(write)
        self._publish(KnowledgeChanged(base_id))
        return await self.get(base_id)

    async def delete(self, base_id: uuid.UUID) -> None:
        """Delete a base, its passages and its links (the files themselves are untouched)."""
        await self.cancel(base_id)
        await self._store.write(lambda s: s.delete(repo.base_row(s, base_id)))
        self._vectors.changed(base_id)
        self._publish(KnowledgeChanged(base_id))

    async def add(
        self, base_id: uuid.UUID, path: str | os.PathLike[str], include: str = "", exclude: str = ""
    ) -> BaseView:
        """Add a file or a folder (every file below it that `include` and `exclude` allow);
        it is indexed in the background."""
        where = await asyncio.to_thread(_absolute, path)
        if not await asyncio.to_thread(os.path.exists, where):
            raise InvalidRequest(tr("{where} does not exist.", where=where))
        now = self._clock.now()

        def write(session: Session) -> None:
            base = repo.base_row(session, base_id)
            for source in repo.sources_of(session, base_id):
                if source.path == where:
                    raise InvalidRequest(
                        tr("{where} is already in {name}.", where=where, name=base.name)
                    )
            session.add(
                KnowledgeSource(
                    id=uuid.uuid4(),
                    base_id=base_id,
                    path=where,
                    include=include.strip(),
                    exclude=exclude.strip(),
                    added_at=now,
                )
            )
            base.updated_at = now

        await self._store.write(write)
        self._publish(KnowledgeChanged(base_id))
        self.start_index(base_id)
        return await self.get(base_id)

    async def remove(self, base_id: uuid.UUID, path: str) -> BaseView:
        """Remove an added file or folder, with what was indexed from it."""
        await self.cancel(base_id)

        def write(session: Session) -> None:
            for source in repo.sources_of(session, base_id):
                if source.path in (path, _absolute(path)):
                    session.delete(source)
                    return
            raise NotFound(tr("{path} is not in this knowledge base.", path=path))

        await self._store.write(write)
        self._vectors.changed(base_id)
        self._publish(KnowledgeChanged(base_id))
        return await self.get(base_id)

    async def set_embedding(
        self, base_id: uuid.UUID, provider: str | None, model: str | None
    ) -> BaseView:
        """Use `model` of `provider` for the base's vectors (None: keywords only). Its vectors
        of another model are dropped (never compared with the new one's) and the new ones made
        in the background; keyword search works meanwhile."""
        if model:
            if not provider or provider not in self._providers:
                raise InvalidRequest(
                    tr("There is no provider called {provider}.", provider=repr(provider))
                )
            if not can_embed(self._providers.get(provider)):
                raise InvalidRequest(tr("{provider} cannot make embeddings.", provider=provider))
        await self.cancel(base_id)
        now = self._clock.now()

        def write(session: Session) -> None:
            row = repo.base_row(session, base_id)
            if (row.embedding_provider, row.embedding_model) == (provider, model):
                return
            row.embedding_provider = provider if model else None
            row.embedding_model = model or None
            row.embedding_problem = None
            row.updated_at = now
            repo.clear_vectors(session, base_id)

        await self._store.write(write)
        self._vectors.changed(base_id)
        self._publish(KnowledgeChanged(base_id))
        if model:
            self.start_index(base_id)
        return await self.get(base_id)

    def embedders(self) -> builtins.list[tuple[str, tuple[str, ...]]]:
        """The providers that make embeddings, each with the embedding models it names (an
        OpenAI-compatible server names none: its model is typed)."""
        return [
            (name, embedding_models(self._providers.get(name)))
            for name in self._providers.names()
            if can_embed(self._providers.get(name))
        ]

    async def errors(self, base_id: uuid.UUID) -> builtins.list[DocumentError]:
        return await self._store.read(lambda s: repo.failures(s, base_id))

    # -- indexing --------------------------------------------------------------------------------

    def start_index(self, base_id: uuid.UUID) -> None:
        """Index the base in the background (after the passes before it); a base already
        waiting keeps its place."""
        if base_id in self._controls:
            self._again.add(base_id)  # what changed may be behind the running pass
        elif base_id not in self._waiting:
            self._waiting.append(base_id)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.ensure_future(self._work())

    async def index(self, base_id: uuid.UUID) -> Progress:
        """Index the base now (or wait for the pass it is in or waiting for) and return how
        the pass ended."""
        await self.get(base_id)
        ended = self._ended.get(base_id)
        if ended is None or ended.done():
            ended = self._ended[base_id] = asyncio.get_running_loop().create_future()
        if base_id not in self._controls and base_id not in self._waiting:
            self.start_index(base_id)
        return await asyncio.shield(ended)

    def progress(self, base_id: uuid.UUID) -> Progress | None:
        """The running or last pass of the base in this run (None: none)."""
        return self._progress.get(base_id)

    def pause(self, base_id: uuid.UUID) -> None:
        control = self._controls.get(base_id)
        if control is not None:
            control.pause()
            progress = self._progress.get(base_id)
            if progress is not None:
                self._said(KnowledgeProgressed(_staged(progress, Stage.PAUSED)))

    def resume(self, base_id: uuid.UUID) -> None:
        control = self._controls.get(base_id)
        if control is not None:
            control.resume()

    async def cancel(self, base_id: uuid.UUID) -> None:
        """Stop the base's pass (what it stored stays) and wait until it has stopped."""
        if base_id in self._waiting:
            self._waiting.remove(base_id)
        self._again.discard(base_id)
        control = self._controls.get(base_id)
        if control is not None:
            control.cancel()
            ended = self._ended.get(base_id)
            if ended is not None:
                await asyncio.shield(ended)

    async def _work(self) -> None:
        from chatdesk.core.knowledge.indexer import Control, Indexer

        while self._waiting:
            base_id = self._waiting.pop(0)
            control = self._controls[base_id] = Control()
            ended = self._ended.get(base_id)
            if ended is None or ended.done():
                ended = self._ended[base_id] = asyncio.get_running_loop().create_future()
            try:
                if self._indexer is None:
                    self._indexer = Indexer(
                        self._store,
                        self._providers,
                        self._settings,
                        self._clock,
                        self._said,
                        self._vectors,
                        self._reader,
                    )
                progress = await self._indexer.run(base_id, control)
            except NotFound:  # deleted meanwhile
                progress = Progress(base_id, Stage.CANCELLED)
            except Exception as error:
                log.exception("knowledge: indexing failed")
                progress = Progress(
                    base_id, Stage.DONE, problem=tr("Indexing stopped: {error}", error=error)
                )
                self._said(KnowledgeProgressed(progress))
            finally:
                self._controls.pop(base_id, None)
            if base_id in self._again and progress.stage is Stage.DONE:
                self._again.discard(base_id)
                self._waiting.append(base_id)
            elif not ended.done():
                ended.set_result(progress)
            self._publish(KnowledgeChanged(base_id))

    def _said(self, event: KnowledgeProgressed) -> None:
        self._progress[event.progress.base_id] = event.progress
        self._publish(event)

    # -- watching --------------------------------------------------------------------------------

    def watch(self) -> None:
        """Look at every base now and again every `knowledge.rescan_seconds` (at least 20
        times as long as the last look took), until `aclose`."""
        if self._watcher is None:
            self._watcher = asyncio.ensure_future(self._watch())

    async def _watch(self) -> None:
        while True:
            started = time.monotonic()
            try:
                for view in await self.list():
                    if view.sources:
                        await self.index(view.id)
            except ChatdeskError as error:  # the disk, say: looked at again next time
                log.warning("knowledge: the bases were not looked at: %s", error)
            took = time.monotonic() - started
            await asyncio.sleep(max(self._settings().knowledge.rescan_seconds, 20 * took))

    # -- retrieval -------------------------------------------------------------------------------

    async def search(
        self, base_ids: Sequence[uuid.UUID], question: str, limit: int | None = None
    ) -> builtins.list[Passage]:
        """The passages of these bases that best answer `question`, best first: keywords
        always, fused with vectors where a base has its model's vectors."""
        limit = limit or self._settings().knowledge.passages
        bases = await self._store.read(
            lambda s: [(row.id, row.name, repo.model_key(row)) for row in _rows(s, base_ids)]
        )
        queries = {}  # the question's vector for each embedding model (once per model)
        for key in dict.fromkeys(key for _, _, key in bases if key is not None):
            query = await self._query_vector(key, question)
            if query is not None:
                queries[key] = query
        return await self._store.read(
            lambda s: best_passages(s, self._vectors, bases, question, queries, limit)
        )

    async def _query_vector(self, key: str, question: str) -> bytes | None:
        provider_name, _, model = key.partition("/")
        if provider_name not in self._providers:
            return None
        try:
            made = await embed(self._providers.get(provider_name), model, [question])
        except EmbeddingFailed as failure:
            log.info("knowledge: the question was not embedded: %s", failure)
            return None
        return pack(made[0])

    # -- links -----------------------------------------------------------------------------------

    async def linked(self, thread_id: uuid.UUID) -> builtins.list[tuple[uuid.UUID, str]]:
        """The bases a chat answers from (its own, its project's, its assistant's)."""
        return await self._store.read(lambda s: repo.linked_bases(s, thread_id))

    async def links(self, owner: str, owner_id: uuid.UUID) -> builtins.list[uuid.UUID]:
        return await self._store.read(lambda s: repo.links_of(s, owner, owner_id))

    async def link(self, owner: str, owner_id: uuid.UUID, base_ids: Sequence[uuid.UUID]) -> None:
        """Let exactly `base_ids` answer in the chat, project or assistant (`owner`:
        "thread_id", "project_id" or "assistant_id")."""
        await self._store.write(lambda s: repo.set_links(s, owner, owner_id, base_ids))
        self._publish(KnowledgeChanged(None))

    # -- documents -------------------------------------------------------------------------------

    async def document(self, document_id: uuid.UUID) -> DocumentText:
        """A document's extracted text, where a cited passage is shown."""
        return await self._store.read(lambda s: repo.document_text(s, document_id))

    async def save_original(self, document_id: uuid.UUID, target: Path) -> None:
        """Copy the document's file to `target`, if it is still the file that was indexed."""
        document = await self.document(document_id)
        limit = self._settings().knowledge.max_file_mb * 1024 * 1024

        def copy() -> None:
            try:
                data = read_regular(Path(document.path), limit)
            except OSError as error:
                raise InvalidRequest(
                    tr(
                        "{path} cannot be read any more ({reason}).",
                        path=document.path,
                        reason=error.strerror or error,
                    )
                ) from None
            if document.sha256 and hashlib.sha256(data).hexdigest() != document.sha256:
                raise InvalidRequest(
                    tr(
                        "{path} has changed since it was indexed; open it where it is.",
                        path=document.path,
                    )
                )
            target.write_bytes(data)

        await asyncio.to_thread(copy)

    async def aclose(self) -> None:
        for task in (self._watcher, self._worker):
            if task is not None:
                task.cancel()
        for control in self._controls.values():
            control.cancel()
        await asyncio.gather(
            *(t for t in (self._watcher, self._worker) if t is not None), return_exceptions=True
        )


def _absolute(path: str | os.PathLike[str]) -> str:
    return os.path.abspath(os.path.expanduser(os.fspath(path)))


def _rows(session: Session, base_ids: Sequence[uuid.UUID]) -> list[KnowledgeBase]:
    return [repo.base_row(session, base_id) for base_id in dict.fromkeys(base_ids)]


def _staged(progress: Progress, stage: Stage) -> Progress:
    from dataclasses import replace

    return replace(progress, stage=stage)
