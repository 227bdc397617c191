"""Assistants: named presets of who answers (a system prompt, a model and its parameters, the
tools its chats start with, example prompts). A chat uses one when started with it, or when its
project names one; each answer records the name of the assistant it came from."""

from __future__ import annotations

import asyncio
import builtins
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session

from chatdesk.core.assistants import builtin, rows
from chatdesk.core.assistants.model import (
    MAX_FILE_BYTES,
    MAX_NAME,
    AssistantFields,
    AssistantView,
    RemovedAssistant,
    file_text,
    read_file_text,
)
from chatdesk.core.chat.events import AssistantsChanged, EventBus, ProjectUpdated, ThreadUpdated
from chatdesk.core.chat.repository.rows import project_row, project_view, thread_row, thread_view
from chatdesk.core.clock import Clock
from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.store import names
from chatdesk.core.store.store import Store
from chatdesk.core.trust.files import open_regular
from chatdesk.core.views import ProjectView, ThreadView
from chatdesk.core.writing import replace_file_atomically


class Assistants:
    def __init__(self, store: Store, events: EventBus, clock: Clock) -> None:
        self._store = store
        self._events = events
        self._clock = clock

    async def list(self, *, as_stored: bool = False) -> list[AssistantView]:
        """Every assistant, by name, as the user reads it (the built-ins' words in the user's
        language while they are chatdesk's); `as_stored`: with the names chatdesk keeps, the
        same in every language (the local API's model ids, which another program keeps)."""
        stored = await self._store.read(rows.all_views)
        listed = stored if as_stored else [_shown(each) for each in stored]
        return sorted(listed, key=lambda each: _reading_order(each.name))

    async def get(self, assistant_id: uuid.UUID) -> AssistantView:
        return _shown(await self._store.read(lambda s: rows.view(rows.row(s, assistant_id))))

    async def find(self, name: str) -> AssistantView:
        """The assistant named `name` (any case); NotFound naming the ones there are."""

        def read(session: Session) -> AssistantView:
            found = rows.by_shown_name(session, name)
            if found is None:
                everyone = [_shown(each) for each in rows.all_views(session)]
                known = ", ".join(a.name for a in everyone) or tr("none yet")
                raise NotFound(
                    tr(
                        "no assistant named {name} (there are: {names})",
                        name=repr(name),
                        names=known,
                    )
                )
            return _shown(rows.view(found))

        return await self._store.read(read)

    async def create(self, fields: AssistantFields) -> AssistantView:
        checked, now = fields.checked(), self._clock.now()
        made = await self._store.write(lambda s: rows.view(rows.create(s, now, checked)))
        self._events.publish(AssistantsChanged())
        return made

    async def update(self, assistant_id: uuid.UUID, fields: AssistantFields) -> AssistantView:
        """Replace the assistant's fields; chats using it answer with them from now on. A
        built-in's field left as it was shown keeps chatdesk's words."""
        checked, now = fields.checked(), self._clock.now()

        def write(session: Session) -> AssistantView:
            stored = rows.view(rows.row(session, assistant_id)).fields
            kept = builtin.kept(checked, stored)
            return rows.view(rows.update_row(session, now, assistant_id, kept))

        changed = _shown(await self._store.write(write))
        self._events.publish(AssistantsChanged())
        return changed

    async def duplicate(self, assistant_id: uuid.UUID) -> AssistantView:
        """A copy named "<name> (copy)" (or "(copy) (2)" …), to change without losing the
        original."""
        now = self._clock.now()

        def write(session: Session) -> AssistantView:
            original = builtin.shown(rows.view(rows.row(session, assistant_id)).fields)
            name = rows.free_name(session, _copy_name(original.name))
            return rows.view(rows.create(session, now, replace(original, name=name)))

        made = await self._store.write(write)
        self._events.publish(AssistantsChanged())
        return made

    async def delete(self, assistant_id: uuid.UUID) -> RemovedAssistant:
        """Delete it; what is returned brings it back with `restore` (Undo)."""
        removed = await self._store.write(lambda s: rows.delete(s, assistant_id))
        self._events.publish(AssistantsChanged())
        return removed

    async def restore(self, removed: RemovedAssistant) -> AssistantView:
        """Undo a delete: the assistant again, used by the chats and projects that used it."""
        back = await self._store.write(lambda s: rows.view(rows.restore(s, removed)))
        self._events.publish(AssistantsChanged())
        return back

    async def use_in(self, thread_id: uuid.UUID, assistant_id: uuid.UUID | None) -> None:
        """Let `assistant_id` (None: no assistant) answer in the thread from its next answer
        on, with its provider and model when it names them (instead of those chosen for the
        chat: a model chosen later goes before it again); its tool servers, when it names them,
        are switched on for the chat instead."""

        def write(session: Session) -> ThreadView:
            thread = thread_row(session, thread_id)
            if assistant_id is not None:
                chosen = rows.row(session, assistant_id)
                if chosen.tools is not None:
                    thread.tools = sorted(chosen.tools) or None
                if chosen.provider:
                    thread.provider = None
                if chosen.provider or chosen.model:  # its model, on the chat's provider
                    thread.model = None
            thread.assistant_id = assistant_id
            thread.updated_at = self._clock.now()
            session.flush()
            return thread_view(thread)

        self._events.publish(ThreadUpdated(await self._store.write(write)))

    async def set_project_default(
        self, project_id: uuid.UUID, assistant_id: uuid.UUID | None
    ) -> ProjectView:
        """The assistant the project's new chats start with (None: none)."""

        def write(session: Session) -> ProjectView:
            project = project_row(session, project_id)
            if assistant_id is not None:
                rows.row(session, assistant_id)
            project.default_assistant_id = assistant_id
            project.updated_at = self._clock.now()
            return project_view(project)

        changed = await self._store.write(write)
        self._events.publish(ProjectUpdated(changed))
        return changed

    async def export_file(self, assistant_ids: Sequence[uuid.UUID], path: Path) -> int:
        """Write the assistants to an assistant file at `path` (replaced whole); how many."""
        wanted = set(assistant_ids)  # as stored: a built-in's words as chatdesk wrote them
        everyone = await self._store.read(rows.all_views)
        chosen = [a.fields for a in everyone if a.id in wanted]
        if not chosen:
            raise InvalidRequest(tr("choose at least one assistant to export"))
        data = file_text(chosen).encode("utf-8")
        try:
            await asyncio.to_thread(_write, path, data)
        except OSError as error:
            raise InvalidRequest(
                tr("cannot write {path}: {reason}", path=path, reason=error.strerror or error)
            ) from None
        return len(chosen)

    async def import_file(self, path: Path) -> builtins.list[AssistantView]:
        """Add the assistants of the file at `path`; one whose name is taken gets "(2)" … .
        Nothing is added when any of them is wrong."""
        data = await asyncio.to_thread(_read_bounded, path)
        return await self.import_data(data)

    async def import_data(self, data: bytes) -> builtins.list[AssistantView]:
        found = read_file_text(data)
        now = self._clock.now()

        def write(session: Session) -> builtins.list[AssistantView]:
            made = []
            for fields in found:
                named = replace(fields, name=rows.free_name(session, fields.name))
                made.append(rows.view(rows.create(session, now, named)))
            return made

        made = await self._store.write(write)
        self._events.publish(AssistantsChanged())
        return made


def _shown(assistant: AssistantView) -> AssistantView:
    return replace(assistant, fields=builtin.shown(assistant.fields))


def _reading_order(name: str) -> tuple[str, str]:
    """Names in the order a reader looks for them: "Übersetzer" beside "Tutor", not after "Z"."""
    key = names.name_key(name)
    bare = "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c))
    return bare, key


def _copy_name(name: str) -> str:
    room = MAX_NAME - len(tr("{name} (copy)", name=""))
    return tr("{name} (copy)", name=name[:room])


def _write(path: Path, data: bytes) -> None:
    replace_file_atomically(path.expanduser().absolute(), data)


def _read_bounded(path: Path) -> bytes:
    path = path.expanduser()
    try:
        with open_regular(path) as file:  # a FIFO or a device would never end
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InvalidRequest(
            tr("cannot read {path}: {reason}", path=path, reason=error.strerror or error)
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise InvalidRequest(
            ntr(
                "{path} is over {n} byte: not an assistant file",
                "{path} is over {n} bytes: not an assistant file",
                MAX_FILE_BYTES,
                path=path,
            )
        )
    return data
