"""The user's library: projects, threads, the messages of a branch, drafts, and the edits that
change a thread without asking a model (rename, pin, archive, move, trash and restore, switch
branch, delete a message). Every change is committed through the Store's writer and then
announced as an event."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.answers import Answers
from chatdesk.core.chat.events import (
    BranchSwitched,
    EventBus,
    MessagesDeleted,
    ProjectCreated,
    ProjectDeleted,
    ProjectUpdated,
    ThreadCreated,
    ThreadDeleted,
    ThreadRestored,
    ThreadUpdated,
)
from chatdesk.core.chat.repository import drafts
from chatdesk.core.clock import Clock
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import mark, tr
from chatdesk.core.knowledge.model import KnowledgeChanged
from chatdesk.core.store.store import Store
from chatdesk.core.views import (
    DraftView,
    MessagePage,
    MessageView,
    ProjectSettings,
    ProjectView,
    ThreadFilter,
    ThreadPage,
    ThreadView,
)

UNSET: Any = object()  # a keyword not given (None is a value: it clears the field)


class Threads:
    def __init__(
        self,
        store: Store,
        events: EventBus,
        clock: Clock,
        answers: Answers,
        thread_closed: Callable[[uuid.UUID], object],
    ) -> None:
        self._store = store
        self._events = events
        self._clock = clock
        self._answers = answers
        self._thread_closed = thread_closed  # a thread went to the trash: stop its summaries

    # -- projects --------------------------------------------------------------------------------

    async def create_project(self, name: str, **settings: Any) -> ProjectView:
        """A project; `settings`: system_prompt, default_provider, default_model, tools."""
        clean, now = clean_name(name, mark("the project name is empty")), self._clock.now()
        project = await self._store.write(lambda s: repo.new_project(s, now, clean, **settings))
        self._events.publish(ProjectCreated(project))
        return project

    async def update_project(
        self,
        project_id: uuid.UUID,
        *,
        name: str | None = None,
        system_prompt: str | None = UNSET,
        default_provider: str | None = UNSET,
        default_model: str | None = UNSET,
        tools: list[str] | None = UNSET,
    ) -> ProjectView:
        """Rename, or set the system prompt / default model / tools (None clears them)."""
        changes: dict[str, Any] = {
            field: value
            for field, value in (
                ("system_prompt", system_prompt),
                ("default_provider", default_provider),
                ("default_model", default_model),
                ("tools", tools),
            )
            if value is not UNSET
        }
        if name is not None:
            changes["name"] = clean_name(name, mark("the project name is empty"))
        now = self._clock.now()
        project = await self._store.write(
            lambda s: repo.update_project(s, now, project_id, changes)
        )
        self._events.publish(ProjectUpdated(project))
        return project

    async def save_project(
        self, project_id: uuid.UUID | None, settings: ProjectSettings
    ) -> ProjectView:
        """A project's dialog saved: every field, its assistant and its knowledge bases in one
        transaction, so a failure keeps none of it; a new project when `project_id` is None."""
        clean = clean_name(settings.name, mark("the project name is empty"))
        settings = replace(settings, name=clean, tools=tuple(sorted(set(settings.tools))))
        now = self._clock.now()
        project = await self._store.write(lambda s: repo.save_project(s, now, project_id, settings))
        self._events.publish(
            ProjectCreated(project) if project_id is None else ProjectUpdated(project)
        )
        self._events.publish(KnowledgeChanged(None))
        return project

    async def delete_project(self, project_id: uuid.UUID) -> None:
        """Delete a project; its threads stay, in no project."""
        threads = await self._store.write(lambda s: repo.delete_project(s, project_id))
        self._events.publish(ProjectDeleted(project_id))
        for thread in threads:
            self._events.publish(ThreadUpdated(thread))

    async def list_projects(self) -> list[ProjectView]:
        return await self._store.read(repo.list_projects)

    # -- threads ---------------------------------------------------------------------------------

    async def create_thread(self, *, title: str | None, **defaults: Any) -> ThreadView:
        """A new, empty thread; `defaults`: project_id, provider, model, system_prompt, origin."""
        clean = clean_name(title, mark("the title is empty")) if title is not None else None
        project_id, now = defaults.pop("project_id", None), self._clock.now()

        thread = await self._store.write(
            lambda s: repo.create_thread(s, now, project_id, clean, defaults)
        )
        self._events.publish(ThreadCreated(thread))
        return thread

    async def get_thread(self, thread_id: uuid.UUID) -> ThreadView:
        return await self._store.read(
            lambda s: repo.thread_view(repo.thread_row(s, thread_id, deleted_ok=True))
        )

    async def resolve_thread(self, text: str) -> uuid.UUID:
        """A thread id from a full id or a unique prefix of one."""
        return await self._store.read(lambda s: repo.resolve_thread_id(s, text))

    async def list_threads(self, where: ThreadFilter, limit: int, cursor: str | None) -> ThreadPage:
        return await self._store.read(lambda s: repo.list_threads(s, where, limit, cursor))

    async def update_thread(self, thread_id: uuid.UUID, **changes: Any) -> ThreadView:
        """Set fields of a thread that is not in the trash, and announce it."""
        now = self._clock.now()
        thread = await self._store.write(lambda s: repo.update_thread(s, now, thread_id, changes))
        self._events.publish(ThreadUpdated(thread))
        return thread

    async def rename_thread(self, thread_id: uuid.UUID, title: str) -> ThreadView:
        clean = clean_name(title, mark("the title is empty"))
        return await self.update_thread(thread_id, title=clean, title_set_by_user=True)

    async def delete_thread(self, thread_id: uuid.UUID) -> None:
        """Move a thread to the trash (its answers stopped); `restore_thread` brings it back."""
        await self._answers.stop_in(thread_id)
        self._thread_closed(thread_id)
        now = self._clock.now()
        changes = {"deleted_at": now}
        await self._store.write(lambda s: repo.update_thread(s, now, thread_id, changes))
        self._events.publish(ThreadDeleted(thread_id))

    async def restore_thread(self, thread_id: uuid.UUID) -> ThreadView:
        now, changes = self._clock.now(), {"deleted_at": None}
        thread = await self._store.write(
            lambda s: repo.update_thread(s, now, thread_id, changes, deleted_ok=True)
        )
        self._events.publish(ThreadRestored(thread))
        return thread

    # -- messages --------------------------------------------------------------------------------

    async def list_messages(
        self,
        thread_id: uuid.UUID,
        *,
        before: uuid.UUID | None,
        after: uuid.UUID | None,
        around: uuid.UUID | None,
        limit: int,
    ) -> MessagePage:
        def work(connection: Connection) -> MessagePage:
            return repo.branch_page(
                connection,
                thread_id=thread_id,
                before=before,
                after=after,
                around=around,
                limit=limit,
            )

        return await self._store.read_plain(work)

    async def get_message(self, message_id: uuid.UUID) -> MessageView:
        return await self._store.read(lambda s: repo.full_message(s, message_id))

    async def existing_messages(self, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        return await self._store.read(lambda s: repo.existing_messages(s, ids))

    async def sibling_ids(self, message_id: uuid.UUID) -> list[uuid.UUID]:
        """Ids of the alternatives of a message (itself included), oldest first."""
        return await self._store.read(
            lambda s: repo.sibling_ids(s, repo.message_row(s, message_id))
        )

    async def attachment_text(self, attachment_id: uuid.UUID) -> str:
        return await self._store.read(lambda s: repo.attachment_text(s, attachment_id))

    async def switch_branch(self, message_id: uuid.UUID) -> ThreadView:
        """Show the branch that goes through `message_id` (where the user last was in it)."""
        now = self._clock.now()
        thread = await self._store.write(lambda s: repo.switch_branch(s, now, message_id))
        self._events.publish(BranchSwitched(thread.id, thread.active_leaf_id))
        self._events.publish(ThreadUpdated(thread))
        return thread

    async def delete_message(self, message_id: uuid.UUID) -> None:
        """Delete a message and everything that follows from it (its answers and branches),
        stopping the answers among them first."""

        def find(session: Session) -> list[uuid.UUID]:
            return repo.subtree_ids(session, repo.message_row(session, message_id).id)

        for doomed in await self._store.read(find):
            if self._answers.is_running(doomed):
                await self._answers.stop(doomed)
        now = self._clock.now()
        ids, thread = await self._store.write(lambda s: repo.delete_message(s, now, message_id))
        self._events.publish(MessagesDeleted(thread.id, tuple(ids)))
        self._events.publish(ThreadUpdated(thread))

    # -- drafts ----------------------------------------------------------------------------------

    async def save_draft(self, thread_id: uuid.UUID | None, draft: DraftView) -> None:
        """Keep what the user is typing (None: the new chat); an empty draft is removed."""
        now = self._clock.now()
        await self._store.write(lambda s: drafts.save(s, now, thread_id, draft))

    async def load_draft(self, thread_id: uuid.UUID | None) -> DraftView:
        return await self._store.read(lambda s: drafts.load(s, thread_id))

    # -- a chat's tool servers -------------------------------------------------------------------

    async def thread_tools(self, thread_id: uuid.UUID) -> list[str]:
        """The tool servers switched on for a chat ("chatdesk": the built-in tools)."""
        return await self._store.read(lambda s: repo.thread_tools(s, thread_id))

    async def set_thread_tools(self, thread_id: uuid.UUID, servers: Sequence[str]) -> None:
        """Switch on exactly `servers` for a chat (checked by the caller against the tools)."""
        await self._store.write(lambda s: repo.set_thread_tools(s, thread_id, servers))


def clean_name(value: str | None, empty: str) -> str:
    """A title or name on one line, at most 300 characters; refused when empty, saying `empty`
    (a marked message)."""
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise InvalidRequest(tr(empty))
    return cleaned[:300]
