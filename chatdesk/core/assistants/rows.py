"""The assistants' SQL: their rows, and the chats and projects that name them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from chatdesk.core.assistants import builtin
from chatdesk.core.assistants.model import (
    MAX_NAME,
    AssistantFields,
    AssistantView,
    RemovedAssistant,
)
from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.i18n import tr
from chatdesk.core.ids import new_id
from chatdesk.core.store import names
from chatdesk.core.store.models import Assistant, Project, Thread


def view(row: Assistant) -> AssistantView:
    fields = AssistantFields(
        name=row.name,
        icon=row.icon,
        colour=row.colour,
        description=row.description,
        system_prompt=row.system_prompt,
        provider=row.provider,
        model=row.model,
        temperature=row.temperature,
        max_output_tokens=row.max_output_tokens,
        tools=None if row.tools is None else tuple(row.tools),
        examples=tuple(row.examples or ()),
    )
    return AssistantView(row.id, fields, row.created_at, row.updated_at)


def all_views(session: Session) -> list[AssistantView]:
    return [view(row) for row in names.by_name(session, Assistant)]


def row(session: Session, assistant_id: uuid.UUID) -> Assistant:
    found = session.get(Assistant, assistant_id)
    if found is None:
        raise NotFound(tr("no assistant with id {id}", id=assistant_id))
    return found


def by_name(session: Session, name: str) -> Assistant | None:
    """The assistant named `name`, whatever its case."""
    return names.named(session, Assistant, name)


def by_shown_name(session: Session, name: str) -> Assistant | None:
    """The assistant named `name` as stored, or as the user reads it: a built-in's name in the
    user's language (any case)."""
    found = by_name(session, name)
    if found is not None:
        return found
    wanted = names.name_key(name)
    shown = (row for row in names.by_name(session, Assistant) if builtin.said(row.name) != row.name)
    return next((row for row in shown if names.name_key(builtin.said(row.name)) == wanted), None)


def create(session: Session, now: datetime, fields: AssistantFields) -> Assistant:
    _name_free(session, fields.name, None)
    found = Assistant(id=new_id(), created_at=now)
    _fill(found, fields, now)
    session.add(found)
    session.flush()
    return found


def update_row(
    session: Session, now: datetime, assistant_id: uuid.UUID, fields: AssistantFields
) -> Assistant:
    found = row(session, assistant_id)
    _name_free(session, fields.name, assistant_id)
    _fill(found, fields, now)
    session.flush()
    return found


def free_name(session: Session, wanted: str) -> str:
    """`wanted`, or "wanted (2)", "wanted (3)" … : the first no assistant has."""
    name, number = wanted, 1
    while by_name(session, name) is not None:
        number += 1
        suffix = f" ({number})"
        name = wanted[: MAX_NAME - len(suffix)] + suffix
    return name


def delete(session: Session, assistant_id: uuid.UUID) -> RemovedAssistant:
    """Delete the assistant; its chats and projects keep going without one (the answers it
    wrote keep its name). Returns what `restore` needs to put it all back."""
    found = row(session, assistant_id)
    removed = RemovedAssistant(
        view(found),
        tuple(session.scalars(select(Thread.id).where(Thread.assistant_id == assistant_id))),
        tuple(
            session.scalars(select(Project.id).where(Project.default_assistant_id == assistant_id))
        ),
    )
    session.delete(found)
    session.execute(
        update(Thread).where(Thread.assistant_id == assistant_id).values(assistant_id=None)
    )
    session.execute(
        update(Project)
        .where(Project.default_assistant_id == assistant_id)
        .values(default_assistant_id=None)
    )
    return removed


def restore(session: Session, removed: RemovedAssistant) -> Assistant:
    """The deleted assistant again, under its id, named by the chats and projects that named
    it (those since given another assistant, or deleted for good, are left as they are)."""
    kept = removed.view
    _name_free(session, kept.name, None)
    found = Assistant(id=kept.id, created_at=kept.created_at)
    _fill(found, kept.fields, kept.updated_at)
    session.add(found)
    session.flush()
    session.execute(
        update(Thread)
        .where(Thread.id.in_(removed.threads), Thread.assistant_id.is_(None))
        .values(assistant_id=kept.id)
    )
    session.execute(
        update(Project)
        .where(Project.id.in_(removed.projects), Project.default_assistant_id.is_(None))
        .values(default_assistant_id=kept.id)
    )
    return found


def _name_free(session: Session, name: str, own: uuid.UUID | None) -> None:
    taken = by_shown_name(session, name)
    if taken is not None and taken.id != own:
        raise InvalidRequest(
            tr("there is already an assistant named {name}", name=repr(builtin.said(taken.name)))
        )


def _fill(target: Assistant, fields: AssistantFields, now: datetime) -> None:
    target.name = fields.name
    target.icon = fields.icon
    target.colour = fields.colour
    target.description = fields.description
    target.system_prompt = fields.system_prompt
    target.provider = fields.provider
    target.model = fields.model
    target.temperature = fields.temperature
    target.max_output_tokens = fields.max_output_tokens
    target.tools = None if fields.tools is None else list(fields.tools)
    target.examples = list(fields.examples) or None
    target.updated_at = now
