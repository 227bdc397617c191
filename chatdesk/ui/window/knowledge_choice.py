"""Which knowledge bases the shown chat answers from: the composer's Knowledge menu lists every
base, ticked as the chat has it linked; ticking one links it to the shown chat, or to the new
chat when it is made. (A project's or an assistant's bases answer too, without a tick here.)"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from chatdesk.ui.composer import Composer

if TYPE_CHECKING:
    from chatdesk.core.chat.events import Event
    from chatdesk.core.service import ChatService
    from chatdesk.core.views import ThreadView
    from chatdesk.ui.runner import Runner


class KnowledgeChoice:
    def __init__(self, composer: Composer, shown: Callable[[], ThreadView | None]) -> None:
        self._composer = composer
        self._shown = shown
        self._service: ChatService | None = None
        self._runner: Runner | None = None
        self.new_chat_knowledge: set[uuid.UUID] = set()  # linked to the new chat when made
        self._bases: list[tuple[str, str]] = []
        self._on: set[uuid.UUID] = set()
        composer.knowledge_toggled.connect(self.toggle)

    def attach(self, service: ChatService, runner: Runner) -> None:
        self._service, self._runner = service, runner

    def new_chat(self) -> None:
        self.new_chat_knowledge = set()

    def apply(self, event: Event) -> None:
        from chatdesk.core.knowledge.model import KnowledgeChanged

        if isinstance(event, KnowledgeChanged):  # made, renamed, deleted or linked
            self.show()

    def show(self) -> None:
        """Fill the menu for the shown chat (the bases and its links are read from the store)."""
        if self._service is None or self._runner is None:
            return
        knowledge = self._service.knowledge
        thread = self._shown()

        async def read() -> tuple[list[tuple[uuid.UUID, str]], list[uuid.UUID]]:
            bases = await knowledge.names()
            if thread is None:
                return bases, sorted(self.new_chat_knowledge)
            return bases, await knowledge.links("thread_id", thread.id)

        self._runner.run(read(), done=self._fill, quiet=True)

    def toggle(self, key: str, on: bool) -> None:
        base_id = uuid.UUID(hex=key)
        wanted = (self._on | {base_id}) if on else (self._on - {base_id})
        thread = self._shown()
        if thread is None:
            self.new_chat_knowledge = wanted
            self._show_ticks(wanted)
        elif self._service is not None and self._runner is not None:
            # The next toggle builds on this one even before it is saved: a chip's ✕ switches
            # each base off in turn.
            self._on = wanted
            call = self._service.knowledge.link("thread_id", thread.id, sorted(wanted))
            self._runner.run(call, done=lambda _: self._show_ticks(wanted))

    def _fill(self, found: tuple[list[tuple[uuid.UUID, str]], list[uuid.UUID]]) -> None:
        bases, linked = found
        self._bases = [(base_id.hex, name) for base_id, name in bases]
        self._show_ticks(set(linked))

    def _show_ticks(self, on: set[uuid.UUID]) -> None:
        self._on = set(on)
        self._composer.set_knowledge(self._bases, {base_id.hex for base_id in on})
