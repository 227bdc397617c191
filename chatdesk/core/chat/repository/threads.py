"""Projects and threads: listing and paging them, resolving an id from its prefix."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from chatdesk.core.chat.repository.rows import project_row, project_view, thread_row, thread_view
from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.i18n import mark, tr
from chatdesk.core.ids import new_id
from chatdesk.core.kinds import Origin
from chatdesk.core.knowledge.repository import set_links
from chatdesk.core.store.models import Assistant, Project, Thread
from chatdesk.core.views import (
    ProjectSettings,
    ProjectView,
    ThreadFilter,
    ThreadPage,
    ThreadView,
)

T = Thread.__table__


def list_projects(session: Session) -> list[ProjectView]:
    rows = session.scalars(select(Project).order_by(func.lower(Project.name), Project.id))
    return [project_view(row) for row in rows]


# -- threads -------------------------------------------------------------------------------------


def resolve_thread_id(session: Session, text: str) -> uuid.UUID:
    """A full thread id, or a unique prefix of one (as printed by `chatdesk threads list`)."""
    cleaned = text.strip().lower().replace("-", "")
    if not cleaned or any(c not in "0123456789abcdef" for c in cleaned) or len(cleaned) > 32:
        raise NotFound(tr("no thread matches {text}", text=repr(text)))
    if len(cleaned) == 32:
        thread_row(session, uuid.UUID(cleaned), deleted_ok=True)
        return uuid.UUID(cleaned)
    low = uuid.UUID(cleaned.ljust(32, "0"))
    high = uuid.UUID(cleaned.ljust(32, "f"))
    ids = session.scalars(
        select(Thread.id).where(Thread.id >= low, Thread.id <= high).limit(2)
    ).all()
    if not ids:
        raise NotFound(tr("no thread matches {text}", text=repr(text)))
    if len(ids) > 1:
        raise InvalidRequest(
            tr("{text} matches more than one thread; give more of the id", text=repr(text))
        )
    return ids[0]


def list_threads(
    session: Session, where: ThreadFilter, limit: int, cursor: str | None
) -> ThreadPage:
    if not 1 <= limit <= 1000:
        raise InvalidRequest(tr("limit must be between 1 and 1000"))
    query = select(Thread)
    query = query.where(
        Thread.deleted_at.is_not(None) if where.deleted else Thread.deleted_at.is_(None),
        or_(Thread.origin.is_(None), Thread.origin != Origin.API_ONCE),  # listed nowhere
    )
    if where.project_id is not None:
        query = query.where(Thread.project_id == where.project_id)
    elif where.only_unfiled:
        query = query.where(Thread.project_id.is_(None))
    if where.pinned is not None:
        query = query.where(Thread.pinned == where.pinned)
    if where.archived is not None:
        query = query.where(Thread.archived == where.archived)
    if where.text:
        query = query.where(Thread.title.ilike(_contains_pattern(where.text), escape="\\"))
    if cursor:
        at, last_id = _decode_cursor(cursor)
        query = query.where(
            or_(
                Thread.last_activity_at < at,
                and_(Thread.last_activity_at == at, Thread.id < last_id),
            )
        )
    query = query.order_by(Thread.last_activity_at.desc(), Thread.id.desc()).limit(limit + 1)
    rows = session.scalars(query).all()
    page = rows[:limit]
    next_cursor = _encode_cursor(page[-1]) if len(rows) > limit else None
    return ThreadPage(tuple(thread_view(row) for row in page), next_cursor)


def _contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own `%`, `_` and `\\` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _encode_cursor(row: Thread) -> str:
    raw = f"{row.last_activity_at.isoformat()}|{row.id.hex}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, _, last = base64.urlsafe_b64decode(padded.encode()).decode().partition("|")
        return datetime.fromisoformat(at), uuid.UUID(last)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidRequest(
            tr("not a thread-list cursor: {cursor}", cursor=repr(cursor))
        ) from error


# -- writing -------------------------------------------------------------------------------------

DEFAULT_TITLE = mark("New chat")


def new_project(session: Session, now: datetime, name: str, **settings: Any) -> ProjectView:
    """A project named `name`; `settings`: system_prompt, default_provider, default_model,
    tools."""
    row = Project(id=new_id(), name=name, total_tokens=0, created_at=now, updated_at=now)
    for field, value in settings.items():
        setattr(row, field, value)
    session.add(row)
    session.flush()
    return project_view(row)


def update_project(
    session: Session, now: datetime, project_id: uuid.UUID, changes: dict[str, Any]
) -> ProjectView:
    row = project_row(session, project_id)
    for field, value in changes.items():
        setattr(row, field, value)
    row.updated_at = now
    return project_view(row)


def chosen_assistant(session: Session, assistant_id: uuid.UUID) -> Assistant:
    """The assistant a user chose, which may have been deleted since it was offered."""
    assistant = session.get(Assistant, assistant_id)
    if assistant is None:
        raise NotFound(tr("that assistant was deleted; choose another"))
    return assistant


def save_project(
    session: Session, now: datetime, project_id: uuid.UUID | None, settings: ProjectSettings
) -> ProjectView:
    """Everything `settings` holds, written in the caller's one transaction: a new project when
    `project_id` is None. `settings.name` is already checked; its tools already sorted."""
    if settings.assistant_id is not None:
        chosen_assistant(session, settings.assistant_id)
    fields = {
        "system_prompt": settings.system_prompt,
        "default_provider": settings.default_provider,
        "default_model": settings.default_model,
        "tools": list(settings.tools) or None,
        "default_assistant_id": settings.assistant_id,
    }
    if project_id is None:
        project = new_project(session, now, settings.name, **fields)
    else:
        project = update_project(session, now, project_id, {"name": settings.name, **fields})
    set_links(session, "project_id", project.id, settings.knowledge)
    session.flush()
    return project


def delete_project(session: Session, project_id: uuid.UUID) -> list[ThreadView]:
    """Delete a project; its threads stay, in no project. Returns them as they are now."""
    row = project_row(session, project_id)
    moved = session.scalars(select(Thread).where(Thread.project_id == project_id)).all()
    for thread in moved:
        thread.project_id = None
    session.delete(row)
    session.flush()
    return [thread_view(thread) for thread in moved]


def new_thread(
    session: Session,
    now: datetime,
    project_id: uuid.UUID | None,
    title: str | None,
    assistant_id: uuid.UUID | None = None,
) -> Thread:
    """A new, empty thread (titled "New chat" until it is named) answered by `assistant_id`
    (None: its project's default assistant, if any), with the assistant's tool servers switched
    on, or else its project's."""
    project = project_row(session, project_id) if project_id is not None else None
    assistant = None
    if assistant_id is not None:
        assistant = chosen_assistant(session, assistant_id)
    elif project is not None and project.default_assistant_id is not None:
        assistant = session.get(Assistant, project.default_assistant_id)
    row = Thread(
        id=new_id(),
        project_id=project_id,
        title=title or tr(DEFAULT_TITLE),
        title_set_by_user=title is not None,
        pinned=False,
        archived=False,
        message_count=0,
        total_tokens=0,
        last_activity_at=now,
        created_at=now,
        updated_at=now,
    )
    if assistant is not None:
        row.assistant_id = assistant.id
    if assistant is not None and assistant.tools is not None:
        row.tools = sorted(assistant.tools) or None
    elif project is not None and project.tools:
        row.tools = list(project.tools)
    session.add(row)
    return row


def create_thread(
    session: Session,
    now: datetime,
    project_id: uuid.UUID | None,
    title: str | None,
    defaults: dict[str, Any],
) -> ThreadView:
    """A new, empty thread with `defaults` (provider, model, system_prompt) set."""
    row = new_thread(session, now, project_id, title)
    session.flush()
    return update_thread(session, now, row.id, defaults)


def update_thread(
    session: Session,
    now: datetime,
    thread_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    deleted_ok: bool = False,
) -> ThreadView:
    """Set the thread's fields named in `changes` (a new project must exist)."""
    row = thread_row(session, thread_id, deleted_ok=deleted_ok)
    if changes.get("project_id") is not None:
        project_row(session, changes["project_id"])
    for field, value in changes.items():
        setattr(row, field, value)
    row.updated_at = now
    return thread_view(row)
