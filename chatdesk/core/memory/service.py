"""The memories' one surface for the window, the command line and the answers: keep, change,
delete (with undo), switch on and off, export and import them, and find those that go with a
question (`for_question`). A memory never leaves this computer: team sync carries none, and
an export holds them only when asked.

With a memory embedding model (`[memory] embedding`), a memory kept or changed is embedded in
the background; until it is, and whenever the model cannot be reached, memories are found by
their words."""

from __future__ import annotations

import asyncio
import builtins
import functools
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from chatdesk.core.clock import Clock
from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError, InvalidRequest
from chatdesk.core.i18n import ntr, number, tr
from chatdesk.core.knowledge.retrieval import pack
from chatdesk.core.memory import repository as repo
from chatdesk.core.memory.model import (
    MAX_CHARS,
    Given,
    MemoriesChanged,
    MemoryStats,
    MemorySwitches,
    MemoryView,
    Origin,
)
from chatdesk.core.memory.retrieval import Recall
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.embeddings import EmbeddingFailed, embed
from chatdesk.core.store.models import Assistant, Message, Project, Thread
from chatdesk.core.store.store import Store
from chatdesk.core.writing import save_private_text

log = logging.getLogger("chatdesk.memory")

Publish = Callable[[MemoriesChanged], None]
FILE_FORMAT = "chatdesk-memories"
MAX_FILE_BYTES = 20 * 1024 * 1024
_EMBED_BATCH = 64


@dataclass(frozen=True)
class Imported:
    """What an import did: memories added, those already kept (same words, same place), and
    entries that could not be read (how many, and why for the first few)."""

    added: int
    already: int
    unreadable: int = 0
    why: tuple[str, ...] = ()


class Memories:
    """Memories kept on this computer.

    It has as many methods as things a user does with memories (keep, change, move, switch,
    delete, restore, list, count, export, import, switch for a chat, an assistant or a
    project) and steps of giving them to a model, which must see the same switches."""

    def __init__(
        self,
        store: Store,
        providers: Providers,
        settings: Callable[[], Settings],
        clock: Clock,
        publish: Publish,
    ) -> None:
        self._store = store
        self._providers = providers
        self._settings = settings
        self._clock = clock
        self._publish = publish
        self._recall = Recall()
        self._embedding: asyncio.Task[None] | None = None
        self._embedded = ""  # the model every memory had a vector of, when last looked

    # -- keeping ---------------------------------------------------------------------------------

    async def add(
        self,
        text: str,
        *,
        assistant_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
        origin: Origin = Origin.TYPED,
        thread_id: uuid.UUID | None = None,
        message_id: uuid.UUID | None = None,
        always: bool = False,
    ) -> MemoryView:
        """Keep `text` for everyone, or for one assistant's or one project's chats."""
        words = checked(text)
        if assistant_id is not None and project_id is not None:
            raise InvalidRequest(tr("A memory is for one assistant or one project, not both."))
        now = self._clock.now()

        def write(session: Session) -> MemoryView:
            memory_id = repo.add(
                session,
                words,
                origin.value,
                now,
                assistant_id=assistant_id,
                project_id=project_id,
                thread_id=thread_id,
                message_id=message_id,
                always=always,
            )
            return repo.views(session, ids=[memory_id])[0]

        return self._changed(await self._store.write(write))

    async def edit(self, memory_id: int, text: str) -> MemoryView:
        words = checked(text)
        return await self._change(memory_id, text=words)

    async def set_enabled(self, memory_id: int, on: bool) -> MemoryView:
        return await self._change(memory_id, enabled=on)

    async def set_always(self, memory_id: int, always: bool) -> MemoryView:
        return await self._change(memory_id, always=always)

    async def move(
        self,
        memory_id: int,
        *,
        assistant_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
    ) -> MemoryView:
        """Give the memory to everyone, or to one assistant's or one project's chats."""
        if assistant_id is not None and project_id is not None:
            raise InvalidRequest(tr("A memory is for one assistant or one project, not both."))
        return await self._change(memory_id, assistant_id=assistant_id, project_id=project_id)

    async def remove(self, memory_id: int) -> MemoryView:
        """Delete the memory, from the full-text index and the vectors at once; the view it
        had, to `restore` it (undo). Older backups hold it until they are rotated out."""
        removed = await self._store.write(lambda s: repo.remove(s, memory_id))
        self._publish(MemoriesChanged((memory_id,)))
        return removed

    async def restore(self, view: MemoryView) -> MemoryView:
        """Keep a deleted memory again, under its number (undo)."""

        def write(session: Session) -> MemoryView:
            repo.add(
                session,
                view.text,
                view.origin,
                view.updated_at,
                id=view.id,
                created_at=view.created_at,
                assistant_id=_existing(session, Assistant, view.assistant_id),
                project_id=_existing(session, Project, view.project_id),
                thread_id=_existing(session, Thread, view.thread_id),
                message_id=_existing(session, Message, view.message_id),
                enabled=view.enabled,
                always=view.always,
            )
            return repo.views(session, ids=[view.id])[0]

        return self._changed(await self._store.write(write))

    # -- reading ---------------------------------------------------------------------------------

    async def list(self, containing: str = "") -> builtins.list[MemoryView]:
        """Every memory (or those whose words hold `containing`), the latest changed first."""
        return await self._store.read(lambda s: repo.views(s, containing=containing.strip()))

    async def get(self, memory_id: int) -> MemoryView:
        def read(session: Session) -> MemoryView:
            repo.row(session, memory_id)
            return repo.views(session, ids=[memory_id])[0]

        return await self._store.read(read)

    async def some(self, ids: Sequence[int]) -> builtins.list[MemoryView]:
        """Those of `ids` still kept, in the order given (an answer's "Used 2 memories")."""
        found = {v.id: v for v in await self._store.read(lambda s: repo.views(s, ids=ids))}
        return [found[i] for i in ids if i in found]

    async def stats(self) -> MemoryStats:
        return await self._store.read(repo.stats)

    # -- switches --------------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        """Memory itself is on (`[memory] enabled`)."""
        return self._settings().memory.enabled

    async def switches(self, thread_id: uuid.UUID) -> MemorySwitches:
        everywhere = self.enabled
        return (await self._store.read(lambda s: repo.switches(s, thread_id, everywhere)))[0]

    async def switch_chat(self, thread_id: uuid.UUID, on: bool) -> None:
        """The composer's Memory switch: this chat's answers are given memories, or not."""
        await self._store.write(lambda s: repo.switch(s, Thread, thread_id, on))

    async def switch_assistant(self, assistant_id: uuid.UUID, on: bool) -> None:
        await self._store.write(lambda s: repo.switch(s, Assistant, assistant_id, on))
        self._publish(MemoriesChanged())

    async def switch_project(self, project_id: uuid.UUID, on: bool) -> None:
        await self._store.write(lambda s: repo.switch(s, Project, project_id, on))
        self._publish(MemoriesChanged())

    async def switched_off(self) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
        """The assistants, and the projects, whose chats have memory off."""
        return await self._store.read(
            lambda s: (repo.switched_off(s, Assistant), repo.switched_off(s, Project))
        )

    # -- giving them to a model ------------------------------------------------------------------

    async def for_question(self, thread_id: uuid.UUID, question: str) -> tuple[Given, ...]:
        """The memories that go with `question` in the chat, in the order they go ("always"
        ones first); none when memory is off for it."""
        everywhere = self.enabled
        if not everywhere:
            return ()
        if not self._embedding_key():  # by their words: one read
            return tuple(await self._store.read(lambda s: self.given_now(s, thread_id, question)))
        switched, place = await self._store.read(lambda s: repo.switches(s, thread_id, everywhere))
        if not switched.on:
            return ()
        query = await self._query_vector(question)
        return tuple(
            await self._store.read(lambda s: self._recall.given(s, question, place, query))
        )

    async def for_message(self, thread_id: uuid.UUID, message_id: uuid.UUID) -> tuple[Given, ...]:
        """The same for the question that message asks (found by its words: in one read)."""
        if not self.enabled:
            return ()
        if not self._embedding_key():
            return tuple(
                await self._store.read(
                    lambda s: self.given_now(s, thread_id, repo.message_text(s, message_id))
                )
            )
        question = await self._store.read(lambda s: repo.message_text(s, message_id))
        return await self.for_question(thread_id, question)

    def _embedding_key(self) -> str:
        """The memory embedding model as "provider/model" when it names one there is."""
        key = self._settings().memory.embedding.strip()
        provider_name, _, model = key.partition("/")
        return key if model and provider_name in self._providers else ""

    def given_now(
        self, session: Session, thread_id: uuid.UUID, question: str
    ) -> builtins.list[Given]:
        """The same by their words only, inside a read the caller has open (the context
        gauge, which must not wait for an embedding model)."""
        everywhere = self.enabled
        if not everywhere:
            return []
        switched, place = repo.switches(session, thread_id, everywhere)
        return self._recall.given(session, question, place) if switched.on else []

    async def _query_vector(self, question: str) -> tuple[str, bytes] | None:
        key = self._embedding_key()
        if not key:
            return None
        provider_name, _, model = key.partition("/")
        self._embed_later()
        try:
            made = await embed(self._providers.get(provider_name), model, [question])
        except EmbeddingFailed as failure:
            log.info("memory: the question was not embedded: %s", failure)
            return None
        return key, pack(made[0])

    # -- export and import -----------------------------------------------------------------------

    async def export(self, path: Path) -> int:
        """Write every memory to `path` (JSON, readable by `import_file`); how many."""
        entries = await self.entries()
        document = {"format": FILE_FORMAT, "version": 1, "memories": entries}
        text = json.dumps(document, ensure_ascii=False, indent=1)
        await asyncio.to_thread(save_private_text, path, text, ChatdeskError, tr("the memories"))
        return len(entries)

    async def entries(self) -> builtins.list[dict[str, Any]]:
        """Every memory as a memories file holds it (an export of chats with their memories
        holds the same list)."""
        return [_exported(m) for m in await self.list()]

    async def import_file(self, path: Path) -> Imported:
        """Keep the memories of a file `export` wrote. A memory already kept is not doubled;
        one for an assistant or a project this chatdesk does not have is kept for everyone."""
        return await self.import_entries(await asyncio.to_thread(_read_file, path))

    async def import_entries(self, entries: Sequence[Any]) -> Imported:
        """Keep the memories of a list as `entries` gives it (from a memories file, or from an
        export of chats with their memories), as `import_file` does."""
        now = self._clock.now()
        result = await self._store.write(lambda s: _import(s, entries, now))
        self._changed(None)
        return result

    # -- background ------------------------------------------------------------------------------

    def _embed_later(self) -> None:
        """Embed the memories that have no vector of the memory model yet, in the background
        (once a change, or the model, asks for it)."""
        if self._embedded == self._embedding_key():
            return
        if self._embedding is None or self._embedding.done():
            self._embedding = asyncio.create_task(self._embed(), name="memory-embeddings")

    async def _embed(self) -> None:
        key = self._embedding_key()
        if not key:
            return
        provider_name, _, model = key.partition("/")
        provider = self._providers.get(provider_name)
        while True:
            waiting = await self._store.read(lambda s: repo.unembedded(s, key, _EMBED_BATCH))
            if not waiting:
                self._embedded = key
                return
            try:
                vectors = await embed(provider, model, [t for _, t in waiting])
            except EmbeddingFailed as failure:
                log.info("memory: not embedded this time: %s", failure)
                return
            made = [(i, t, pack(v)) for (i, t), v in zip(waiting, vectors, strict=True)]
            await self._store.write(functools.partial(repo.save_vectors, key=key, made=made))

    async def settle(self) -> None:
        """Wait until the memories kept so far have their vectors (when there is a model)."""
        while self._embedding is not None and not self._embedding.done():
            await asyncio.wait({self._embedding})

    async def aclose(self) -> None:
        if self._embedding is not None and not self._embedding.done():
            self._embedding.cancel()
            await asyncio.gather(self._embedding, return_exceptions=True)

    # -- internals -------------------------------------------------------------------------------

    async def _change(self, memory_id: int, **values: Any) -> MemoryView:
        now = self._clock.now()

        def write(session: Session) -> MemoryView:
            repo.change(session, memory_id, now, **values)
            return repo.views(session, ids=[memory_id])[0]

        return self._changed(await self._store.write(write))

    def _changed(self, view: MemoryView | None) -> MemoryView:
        self._embedded = ""
        self._publish(MemoriesChanged((view.id,) if view is not None else ()))
        if self._embedding_key():
            self._embed_later()
        return view  # type: ignore[return-value]


def checked(text: str) -> str:
    """A memory's words as kept (trimmed), or InvalidRequest saying what is wrong."""
    words = text.strip() if isinstance(text, str) else ""
    if not words:
        raise InvalidRequest(tr("A memory needs some words."))
    if len(words) > MAX_CHARS:
        raise InvalidRequest(
            tr(
                "A memory holds at most {most} characters; this one has {count}. Keep the part "
                "that matters.",
                most=number(MAX_CHARS),
                count=number(len(words)),
            )
        )
    return words


def _existing(session: Session, kind: type[Any], row_id: uuid.UUID | None) -> uuid.UUID | None:
    return row_id if row_id is not None and session.get(kind, row_id) is not None else None


def _exported(memory: MemoryView) -> dict[str, Any]:
    return {
        "text": memory.text,
        "assistant": memory.assistant or None,
        "project": memory.project or None,
        "enabled": memory.enabled,
        "always": memory.always,
        "created_at": memory.created_at.isoformat(),
        "updated_at": memory.updated_at.isoformat(),
    }


def _read_file(path: Path) -> list[Any]:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InvalidRequest(
            tr("{path} could not be read: {reason}", path=path, reason=error.strerror or error)
        ) from error
    if len(data) > MAX_FILE_BYTES:
        raise InvalidRequest(tr("{path} is too large to be a memories file.", path=path))
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidRequest(
            tr("{path} is not a memories file (it is not JSON).", path=path)
        ) from error
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise InvalidRequest(tr("{path} is not a chatdesk memories file.", path=path))
    entries = document.get("memories")
    if not isinstance(entries, list):
        raise InvalidRequest(tr("{path} holds no list of memories.", path=path))
    return entries


def _import(session: Session, entries: Sequence[Any], now: datetime) -> Imported:
    from sqlalchemy import select

    assistants = {name: i for i, name in session.execute(select(Assistant.id, Assistant.name))}
    projects = {name: i for i, name in session.execute(select(Project.id, Project.name))}
    have = {(v.text, v.assistant_id, v.project_id) for v in repo.views(session)}
    added = already = 0
    refused: list[str] = []
    for position, entry in enumerate(entries, start=1):
        try:
            words = checked(entry.get("text", "") if isinstance(entry, dict) else "")
        except InvalidRequest as problem:
            refused.append(tr("memory {n}: {problem}", n=position, problem=problem))
            continue
        assistant = assistants.get(str(entry.get("assistant") or ""))
        project = None if assistant else projects.get(str(entry.get("project") or ""))
        if (words, assistant, project) in have:
            already += 1
            continue
        have.add((words, assistant, project))
        repo.add(
            session,
            words,
            Origin.IMPORTED.value,
            now,
            assistant_id=assistant,
            project_id=project,
            enabled=entry.get("enabled") is not False,
            always=entry.get("always") is True,
        )
        added += 1
    return Imported(added, already, len(refused), tuple(refused[:5]))


def imported_said(result: Imported) -> str:
    """What an import did, in the user's words."""
    said = ntr("{n} memory added", "{n} memories added", result.added)
    if result.already:
        said += "; " + ntr("{n} was kept already", "{n} were kept already", result.already)
    if result.unreadable:
        said += "; " + ntr("{n} could not be read", "{n} could not be read", result.unreadable)
    return said
