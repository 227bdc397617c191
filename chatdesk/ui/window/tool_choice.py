"""Which tool servers the shown chat has switched on: the composer's Tools menu lists chatdesk's
own tools and every configured server (those whose command was not allowed yet are left out:
`chatdesk tools test NAME` or the Tools preferences allow them), ticked as the chat has them;
ticking one switches it on for the shown chat, or for the new chat when it is made."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chatdesk.ui.composer import Composer

if TYPE_CHECKING:
    from chatdesk.core.chat.service import ChatService
    from chatdesk.core.chat.views import ThreadView
    from chatdesk.ui.runner import Runner

BUILT_IN_LABEL = "chatdesk: search your chats"


class ToolChoice:
    def __init__(self, composer: Composer, shown: Callable[[], ThreadView | None]) -> None:
        self._composer = composer
        self._shown = shown
        self._service: ChatService | None = None
        self._runner: Runner | None = None
        self.new_chat_tools: set[str] = set()  # what the new chat is made with
        self._on: set[str] = set()
        composer.tool_toggled.connect(self.toggle)

    def attach(self, service: ChatService, runner: Runner) -> None:
        self._service, self._runner = service, runner

    def new_chat(self) -> None:
        self.new_chat_tools = set()

    def show(self) -> None:
        """Fill the menu for the shown chat (its servers are read from the store)."""
        if self._service is None or self._runner is None:
            return
        thread = self._shown()
        if thread is None:
            self._fill(self.new_chat_tools)
            return
        self._runner.run(
            self._service.thread_tools(thread.id), done=lambda on: self._fill(set(on)), quiet=True
        )

    def toggle(self, name: str, on: bool) -> None:
        wanted = (self._on | {name}) if on else (self._on - {name})
        thread = self._shown()
        if thread is None:
            self.new_chat_tools = wanted
            self._fill(wanted)
        elif self._service is not None and self._runner is not None:
            call = self._service.set_thread_tools(thread.id, sorted(wanted))
            self._runner.run(call, done=lambda _: self._fill(wanted))

    def _fill(self, on: set[str]) -> None:
        assert self._service is not None
        tools = self._service.tools
        servers = [("chatdesk", BUILT_IN_LABEL)]
        servers += [(s.name, s.name) for s in tools.servers() if tools.startable(s.name)]
        self._on = set(on)
        self._composer.set_tools(servers, self._on)
