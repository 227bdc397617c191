"""Saved prompts: texts the user keeps to reuse from the composer's slash menu (`/`). A prompt
may hold variables, `{{name}}`, whose values are asked for when it is used; the same name
twice is asked once."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from chatdesk.core.assistants.model import MAX_NAME, MAX_PROMPT
from chatdesk.core.chat.events import AssistantsChanged, EventBus
from chatdesk.core.clock import Clock
from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.ids import new_id
from chatdesk.core.store import names
from chatdesk.core.store.models import SavedPrompt
from chatdesk.core.store.store import Store

VARIABLE = re.compile(r"\{\{\s*([^{}\n]{1,40}?)\s*\}\}")


@dataclass(frozen=True)
class PromptView:
    id: uuid.UUID
    name: str
    text: str
    updated_at: datetime

    @property
    def variables(self) -> list[str]:
        return variables(self.text)


def variables(text: str) -> list[str]:
    """The names of the `{{name}}` variables of `text`, each once, in order."""
    return list(dict.fromkeys(match.group(1) for match in VARIABLE.finditer(text)))


def filled(text: str, values: dict[str, str]) -> str:
    """`text` with each `{{name}}` replaced by its value (those without one are left)."""
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


class SavedPrompts:
    def __init__(self, store: Store, events: EventBus, clock: Clock) -> None:
        self._store = store
        self._events = events
        self._clock = clock

    async def list(self) -> list[PromptView]:
        """Every saved prompt, by name."""

        def read(session: Session) -> list[PromptView]:
            return [_view(row) for row in names.by_name(session, SavedPrompt)]

        return await self._store.read(read)

    async def find(self, name: str) -> PromptView:
        """The prompt named `name`, whatever its case or script (as a save replaces it)."""

        def read(session: Session) -> PromptView:
            row = _by_name(session, name)
            if row is None:
                raise NotFound(tr("no saved prompt named {name}", name=repr(name)))
            return _view(row)

        return await self._store.read(read)

    async def save(self, name: str, text: str) -> PromptView:
        """Keep `text` as the prompt `name` (replacing the one of that name, any case)."""
        name = " ".join(name.split())
        if not name:
            raise InvalidRequest(tr("a saved prompt needs a name"))
        if len(name) > MAX_NAME:
            raise InvalidRequest(
                ntr(
                    "a prompt's name is at most {n} character",
                    "a prompt's name is at most {n} characters",
                    MAX_NAME,
                )
            )
        if not text.strip():
            raise InvalidRequest(tr("the prompt is empty; nothing was saved"))
        if len(text) > MAX_PROMPT or "\x00" in text:
            raise InvalidRequest(
                ntr(
                    "a prompt is at most {n} character of text; nothing was saved",
                    "a prompt is at most {n} characters of text; nothing was saved",
                    MAX_PROMPT,
                )
            )
        now = self._clock.now()

        def write(session: Session) -> PromptView:
            row = _by_name(session, name)
            if row is None:
                row = SavedPrompt(id=new_id(), created_at=now)
                session.add(row)
            row.name, row.text, row.updated_at = name, text, now
            session.flush()
            return _view(row)

        saved = await self._store.write(write)
        self._events.publish(AssistantsChanged())
        return saved

    async def delete(self, name: str) -> None:
        def write(session: Session) -> None:
            row = _by_name(session, name)
            if row is None:
                raise NotFound(tr("no saved prompt named {name}", name=repr(name)))
            session.delete(row)

        await self._store.write(write)
        self._events.publish(AssistantsChanged())


def _by_name(session: Session, name: str) -> SavedPrompt | None:
    return names.named(session, SavedPrompt, name)


def _view(row: SavedPrompt) -> PromptView:
    return PromptView(row.id, row.name, row.text, row.updated_at)
