"""Temporary chats: chats that live only in memory. Their threads, messages, drafts and search
index are a database in memory (`store/memory.py`), served by a ChatService of their own over
the same providers and tools, with this machine's assistants and saved prompts copied in (the
same ids, so a kept chat keeps its assistant); nothing of them reaches the database, a backup,
the search index or the log (message text is never logged unless `logging.log_message_text`
says so). Files
cannot be attached to them: an attachment's bytes are a file. `keep` saves one as a normal
chat, with its ids, branches and figures, through chatdesk's own export and import."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from chatdesk.core.assembly import Shared, assemble
from chatdesk.core.chat.events import EventBus
from chatdesk.core.config import Settings
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import mark, tr
from chatdesk.core.paths import Paths, ensure_private_dir
from chatdesk.core.providers.base import Providers
from chatdesk.core.store.memory import memory_store
from chatdesk.core.store.models import Assistant, SavedPrompt
from chatdesk.core.store.store import Store

PRESETS = (Assistant, SavedPrompt)

NO_FILES = mark(
    "a temporary chat keeps nothing on disk, and an attached file would be kept there. Keep "
    "it as a normal chat first, then attach it."
)


class TemporaryChats:
    def __init__(
        self,
        paths: Paths,
        store: Store,
        providers: Providers,
        settings: Settings,
        keep_into: Store,
        bus: EventBus | None = None,
        shared: Shared | None = None,
    ) -> None:
        """Chats in `store` (in memory, `open_temporary` makes it) over `providers` and what
        the process shares (`shared`; without it, their own, closed by `aclose`); `keep` saves
        one into `keep_into` (the database), announcing it on `bus` (the window's)."""
        self._owned = shared is None
        self._shared = shared = shared or Shared.make()
        self._paths = paths
        self._keep_into = keep_into
        self._bus = bus
        self.store = store
        self.service = assemble(
            self.store,
            providers,
            settings,
            tools_dir=paths.config_dir,
            log_dir=paths.log_dir,
            blobs_dir=paths.data_dir / "attachments",  # read for nothing: no file is attached
            shared=shared,
            memory=False,  # a temporary chat neither reads nor writes memories
        )
        self.service.attacher.refusal = NO_FILES
        self.kept: set[uuid.UUID] = set()

    async def keep(self, thread_id: uuid.UUID) -> uuid.UUID:
        """Save the chat as a normal one (the same id, every branch; its id), once an answer
        still being written has ended (kept whole, or where it was stopped); it stays here
        too."""
        from chatdesk.core.transfer import ExportFormat, Transfer

        page = await self.service.list_messages(thread_id, limit=1)
        for message in page.messages:
            if not message.status.is_final:
                await self.service.wait_for_answer(message.id)
        folder = await asyncio.to_thread(ensure_private_dir, self._paths.data_dir)
        path = folder / f".keeping-{thread_id}.json"  # what is kept is going to disk anyway
        try:
            reader = self._shared.reader
            await Transfer(self.store, reader).export_thread(thread_id, ExportFormat.JSON, path)
            report = await Transfer(self._keep_into, reader, bus=self._bus).import_file(path)
        finally:
            await asyncio.to_thread(path.unlink, missing_ok=True)
        if not report.thread_ids:
            raise InvalidRequest(tr("this chat was kept already"))
        self.kept.add(thread_id)
        return report.thread_ids[0]

    async def aclose(self) -> None:
        """Drop every temporary chat: their answers stop, the database in memory goes."""
        try:
            await self.service.aclose()
        finally:
            if self._owned:
                self._shared.close()
            await asyncio.to_thread(self.store.close)


async def open_temporary(
    paths: Paths,
    providers: Providers,
    settings: Settings,
    keep_into: Store,
    bus: EventBus | None = None,
    shared: Shared | None = None,
) -> TemporaryChats:
    """Temporary chats with the assistants and saved prompts of `keep_into`; the database in
    memory is made off the event loop's thread (its migrations take a moment)."""
    store = await asyncio.to_thread(memory_store, paths.run_dir)
    try:
        presets = await keep_into.read(_presets)
        await store.write(lambda session: _use_presets(session, presets))
    except BaseException:
        await asyncio.to_thread(store.close)
        raise
    return TemporaryChats(paths, store, providers, settings, keep_into, bus, shared)


def _presets(session: Session) -> list[list[dict[str, Any]]]:
    return [
        [dict(row._mapping) for row in session.execute(select(entity.__table__))]
        for entity in PRESETS
    ]


def _use_presets(session: Session, presets: list[list[dict[str, Any]]]) -> None:
    """This machine's assistants and prompts, instead of the built-in ones the migrations
    add (one the user deleted stays deleted)."""
    for entity, rows in zip(PRESETS, presets, strict=True):
        session.execute(delete(entity))
        if rows:
            session.execute(insert(entity), rows)
