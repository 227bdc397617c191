"""The user's library on the surface: `ChatService`'s methods for projects and threads, each a
hand-over to `chatdesk/core/chat/threads.py` (`Threads`). Kept apart from `service.py` so that
the façade stays a module of a readable size; a front-end still calls them on `ChatService`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from chatdesk.core.chat.budget import check_thread_window
from chatdesk.core.chat.threads import UNSET
from chatdesk.core.views import ProjectSettings, ProjectView, ThreadFilter, ThreadPage, ThreadView

if TYPE_CHECKING:
    from chatdesk.core.chat.threads import Threads
    from chatdesk.core.providers.base import Providers
    from chatdesk.core.tools.service import Tools


class Library:
    """Projects and threads; `ChatService` sets the parts they go to."""

    _threads: Threads
    _providers: Providers
    tools: Tools

    # -- projects --------------------------------------------------------------------------------

    async def create_project(
        self,
        name: str,
        *,
        system_prompt: str | None = None,
        default_provider: str | None = None,
        default_model: str | None = None,
        tools: Sequence[str] = (),
    ) -> ProjectView:
        """A project; its new chats start with `tools` (servers) switched on."""
        self.tools.check_servers(tools)
        return await self._threads.create_project(
            name,
            system_prompt=system_prompt,
            default_provider=default_provider,
            default_model=default_model,
            tools=sorted(set(tools)) or None,
        )

    async def update_project(
        self,
        project_id: uuid.UUID,
        *,
        name: str | None = None,
        system_prompt: str | None = UNSET,
        default_provider: str | None = UNSET,
        default_model: str | None = UNSET,
        tools: Sequence[str] | None = UNSET,
    ) -> ProjectView:
        """Rename, or set the system prompt / default model / the tool servers its new chats
        start with (None clears them)."""
        if tools is not UNSET:
            self.tools.check_servers(tools or ())
            tools = sorted(set(tools or ())) or None
        return await self._threads.update_project(
            project_id,
            name=name,
            system_prompt=system_prompt,
            default_provider=default_provider,
            default_model=default_model,
            tools=tools,
        )

    async def save_project(
        self, project_id: uuid.UUID | None, settings: ProjectSettings
    ) -> ProjectView:
        """All a project's dialog sets, in one transaction (a new project: `project_id` None)."""
        self.tools.check_servers(settings.tools)
        return await self._threads.save_project(project_id, settings)

    async def rename_project(self, project_id: uuid.UUID, name: str) -> ProjectView:
        return await self._threads.update_project(project_id, name=name)

    async def delete_project(self, project_id: uuid.UUID) -> None:
        """Delete a project; its threads stay, in no project."""
        await self._threads.delete_project(project_id)

    async def list_projects(self) -> list[ProjectView]:
        return await self._threads.list_projects()

    # -- threads ---------------------------------------------------------------------------------

    async def create_thread(
        self,
        *,
        title: str | None = None,
        project_id: uuid.UUID | None = None,
        provider: str | None = None,
        model: str | None = None,
        system_prompt: str | None = None,
        origin: str | None = None,
    ) -> ThreadView:
        """A new, empty thread; `origin`: where it was made ("api": the local API)."""
        defaults = {"provider": provider, "model": model, "system_prompt": system_prompt}
        return await self._threads.create_thread(
            title=title, project_id=project_id, origin=origin, **defaults
        )

    async def get_thread(self, thread_id: uuid.UUID) -> ThreadView:
        return await self._threads.get_thread(thread_id)

    async def resolve_thread(self, text: str) -> uuid.UUID:
        """A thread id from a full id or a unique prefix of one."""
        return await self._threads.resolve_thread(text)

    async def list_threads(
        self,
        where: ThreadFilter | None = None,
        *,
        limit: int = 100,
        cursor: str | None = None,
    ) -> ThreadPage:
        """Threads by recency (newest activity first); pass `next_cursor` for the next page."""
        return await self._threads.list_threads(where or ThreadFilter(), limit, cursor)

    async def rename_thread(self, thread_id: uuid.UUID, title: str) -> ThreadView:
        return await self._threads.rename_thread(thread_id, title)

    async def set_pinned(self, thread_id: uuid.UUID, pinned: bool) -> ThreadView:
        return await self._threads.update_thread(thread_id, pinned=pinned)

    async def set_archived(self, thread_id: uuid.UUID, archived: bool) -> ThreadView:
        return await self._threads.update_thread(thread_id, archived=archived)

    async def move_thread(self, thread_id: uuid.UUID, project_id: uuid.UUID | None) -> ThreadView:
        return await self._threads.update_thread(thread_id, project_id=project_id)

    async def set_thread_model(
        self, thread_id: uuid.UUID, *, provider: str | None, model: str | None
    ) -> ThreadView:
        if provider is not None:
            self._providers.get(provider)  # fail early on a typo
        return await self._threads.update_thread(thread_id, provider=provider, model=model)

    async def set_thread_system_prompt(
        self, thread_id: uuid.UUID, system_prompt: str | None
    ) -> ThreadView:
        return await self._threads.update_thread(thread_id, system_prompt=system_prompt)

    async def set_thread_context_window(
        self, thread_id: uuid.UUID, tokens: int | None
    ) -> ThreadView:
        """The model's context window for this thread (None: the provider's or the table's)."""
        check_thread_window(tokens)
        return await self._threads.update_thread(thread_id, context_window=tokens)

    async def delete_thread(self, thread_id: uuid.UUID) -> None:
        """Move a thread to the trash; `restore_thread` brings it back."""
        await self._threads.delete_thread(thread_id)

    async def restore_thread(self, thread_id: uuid.UUID) -> ThreadView:
        return await self._threads.restore_thread(thread_id)
