"""Which tool servers the shown chat has switched on: the composer's Tools menu lists chatdesk's
own tools and every configured server (those whose command was not allowed yet are left out:
`chatdesk tools test NAME` or the Tools preferences allow them), ticked as the chat has them;
ticking one switches it on for the shown chat, or for the new chat when it is made. A new chat
in a project starts with the project's servers ticked, one with an assistant that names its
servers with those. The web's tools (the server `web`) are the composer's Web switch rather
than a tick of the menu: the same set of servers, one truth."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from chatdesk.core.tools.model import WEB
from chatdesk.ui.composer import Composer

if TYPE_CHECKING:
    from chatdesk.core.chat.events import Event
    from chatdesk.core.service import ChatService
    from chatdesk.core.views import ProjectView, ThreadView
    from chatdesk.ui.runner import Runner


class ToolChoice:
    def __init__(self, composer: Composer, shown: Callable[[], ThreadView | None]) -> None:
        self._composer = composer
        self._shown = shown
        self._service: ChatService | None = None
        self._runner: Runner | None = None
        # What the new chat is made with; None: its project's (none outside a project).
        self.new_chat_tools: set[str] | None = None
        self._project: uuid.UUID | None = None  # where the new chat is made
        self._on: set[str] = set()
        # Told whether the Web switch is on for the chat shown, each time it is filled.
        self.web_shown: Callable[[bool], object] = lambda on: None
        # The servers the new chat's assistant names (None: it names none, or there is none).
        self.assistant_tools: Callable[[], Sequence[str] | None] = lambda: None
        composer.tool_toggled.connect(self.toggle)
        composer.web.switched.connect(lambda on: self.toggle(WEB, on))

    def attach(self, service: ChatService, runner: Runner) -> None:
        self._service, self._runner = service, runner

    def new_chat(self, project_id: uuid.UUID | None) -> None:
        self.new_chat_tools, self._project = None, project_id

    def show(self) -> None:
        """Fill the menu for the shown chat (its servers are read from the store)."""
        if self._service is None or self._runner is None:
            return
        thread = self._shown()
        named = self.assistant_tools() if thread is None and self.new_chat_tools is None else None
        if named is not None:  # the new chat is made with them, before its project's
            self._fill(set(named))
            return
        if thread is None and (self.new_chat_tools is not None or self._project is None):
            self._fill(self.new_chat_tools or set())
            return
        if thread is None:
            self._runner.run(
                self._service.list_projects(), done=self._fill_from_project, quiet=True
            )
            return
        self._runner.run(
            self._service.thread_tools(thread.id), done=lambda on: self._fill(set(on)), quiet=True
        )

    def apply(self, event: Event) -> None:
        """A server added, changed or removed (Preferences ▸ Tools) is in the menu at once."""
        from chatdesk.core.chat.events import ToolServersChanged

        if isinstance(event, ToolServersChanged):
            self.show()

    def toggle(self, name: str, on: bool) -> None:
        wanted = (self._on | {name}) if on else (self._on - {name})
        thread = self._shown()
        if thread is None:
            self.new_chat_tools = wanted
            self._fill(wanted)
        elif self._service is not None and self._runner is not None:
            # A server removed since the chat had it on would have the change refused.
            tools = self._service.tools
            wanted &= {*tools.box.servers(), *(server.name for server in tools.servers())}
            # The next toggle builds on this one even before it is saved: two quick ones (a
            # tick, then the Web switch) would otherwise undo the first.
            self._on = wanted
            call = self._service.set_thread_tools(thread.id, sorted(wanted))
            # Saved or refused (the status bar says why), the switch and the ticks show what
            # the chat has, read again.
            self._runner.run(call, settled=self.show)

    def _fill_from_project(self, projects: list[ProjectView]) -> None:
        if self._shown() is None and self.new_chat_tools is None:
            found = next((p for p in projects if p.id == self._project), None)
            self._fill(set(found.tools) if found else set())

    def _fill(self, on: set[str]) -> None:
        assert self._service is not None
        self._on = set(on)
        self._composer.set_tools(self._service.tools.switchable(), self._on)
        self.web_shown(WEB in self._on)
