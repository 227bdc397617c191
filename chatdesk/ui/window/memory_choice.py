"""Whether the shown chat's answers are given the user's memories: the composer's Memory switch
shows the chat's switch as the core has it (`Memories.switches`), and switches it when the user
clicks (`switch_chat`). Memory off in Preferences, or for the chat's assistant or project,
leaves the switch off and disabled, saying where to turn it on. A temporary chat keeps no
memories: the switch is hidden there. A new chat starts as Preferences say; switched off
before its first message (`new_chat_off`), it is made with memory off."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chatdesk.core.i18n import tr
from chatdesk.ui.composer import Composer

if TYPE_CHECKING:
    from chatdesk.core.chat.events import Event
    from chatdesk.core.memory.model import MemorySwitches
    from chatdesk.core.memory.service import Memories
    from chatdesk.core.service import ChatService
    from chatdesk.core.views import ThreadView
    from chatdesk.ui.runner import Runner


def _off_everywhere() -> str:
    return tr("Memory is off: turn it on in Preferences ▸ Memory")


def off_elsewhere(switches: MemorySwitches) -> str:
    """Where memory is off besides this chat, and where to turn it on ("": nowhere)."""
    if not switches.everywhere:
        return _off_everywhere()
    if not switches.assistant:
        return tr("Memory is off for this chat's assistant: turn it on in Preferences ▸ Memory")
    if not switches.project:
        return tr("Memory is off for this chat's project: turn it on in Preferences ▸ Memory")
    return ""


def _fixed_new(memories: Memories) -> str:
    """Why the new chat's switch cannot be used ("": it can)."""
    return "" if memories.enabled else _off_everywhere()


class MemoryChoice:
    def __init__(self, composer: Composer, shown: Callable[[], ThreadView | None]) -> None:
        self._composer = composer
        self._shown = shown
        self._service: ChatService | None = None
        self._runner: Runner | None = None
        self.new_chat_off = False  # the new chat's switch, off before its first message

    def attach(self, service: ChatService, runner: Runner) -> None:
        self._service, self._runner = service, runner
        self._composer.memory.switched.connect(self.switch)

    def show(self) -> None:
        """Show the switch for the chat shown (read from the store), or hide it."""
        if self._service is None or self._runner is None:
            return
        switch = self._composer.memory
        memories = self._service.memory
        switch.offer(memories is not None)
        if memories is None:
            return
        thread = self._shown()
        if thread is None:  # the new chat: as Preferences say, unless switched off for it
            switch.show_on(memories.enabled and not self.new_chat_off, _fixed_new(memories))
            return
        thread_id = thread.id
        self.new_chat_off = False  # the next new chat starts as Preferences say

        def fill(switches: MemorySwitches) -> None:
            shown = self._shown()
            if shown is not None and shown.id == thread_id:
                where = off_elsewhere(switches)
                switch.show_on(switches.chat and not where, where)

        self._runner.run(memories.switches(thread_id), done=fill, owner=self._composer, quiet=True)

    def switch(self, on: bool) -> None:
        """The user switched memory on or off for the shown chat."""
        thread = self._shown()
        memories = self._service.memory if self._service is not None else None
        if memories is None or self._runner is None:
            return
        if thread is None:  # kept for the new chat's first message
            self.new_chat_off = not on
            self.show()
            return
        self._runner.run(memories.switch_chat(thread.id, on), settled=self.show)

    def apply(self, event: Event) -> None:
        from chatdesk.core.memory.model import MemoriesChanged

        if isinstance(event, MemoriesChanged):
            self.show()
