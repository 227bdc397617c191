"""What a message's memory parts do, where memories are kept (never in a temporary chat, whose
service has no `memory`): the card of a memory tool is told a memory's current words, "Used 2
memories" opens the list of those the answer was given, and Remember this… keeps the message's
words (or the part selected) as a memory, its source the message."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.memory.model import Origin

if TYPE_CHECKING:  # Remember this…'s dialog loads when it is first opened
    from chatdesk.core.memory.model import MemoryView
    from chatdesk.core.memory.service import Memories
    from chatdesk.core.service import ChatService
    from chatdesk.core.views import MessageView
    from chatdesk.ui.conversation.memories_used import MemoriesUsed
    from chatdesk.ui.conversation.message import MessageWidget
    from chatdesk.ui.runner import Runner
    from chatdesk.ui.window.remember_dialog import ForWhom, RememberDialog


class MemoryActions:
    def __init__(self, window: QMainWindow, service: ChatService, runner: Runner) -> None:
        self._window = window
        self._service = service  # the window's switch: no memory while a temporary chat is shown
        self._runner = runner
        # Manage memories…: Preferences on its Memory page (menus.py names the window's part
        # the same way).
        preferences = attrgetter("settings.open_preferences")
        self.open_preferences: Callable[[], None] = lambda: preferences(window)(memory_tab=True)
        self.popup: MemoriesUsed | None = None  # the list opened last
        self.dialog: RememberDialog | None = None  # Remember this… opened last

    def _memories(self) -> Memories | None:
        return self._service.memory

    def wire(self, widget: MessageWidget) -> None:
        """A message was put on screen: its memory parts show where memories are kept."""
        if self._memories() is not None:
            widget.memory_words = self.words
            widget.footer.allow_memory()

    def words(self, memory_id: int, then: Callable[[MemoryView | None], None]) -> None:
        """Memory `memory_id` as kept now, to `then` (None when it is not kept)."""
        memories = self._memories()
        if memories is None:
            then(None)
            return
        self._runner.run(memories.get(memory_id), done=then, failure=lambda _: then(None))

    # -- Used 2 memories -------------------------------------------------------------------------

    def show_used(self, widget: MessageWidget) -> None:
        """Open the list of the memories `widget`'s answer was given, under its footer's line."""
        memories, ids = self._memories(), widget.message.memories
        if memories is None or not ids:
            return

        def show(kept: list[MemoryView]) -> None:
            from chatdesk.ui.conversation.memories_used import MemoriesUsed

            self.popup = MemoriesUsed(ids, kept, lambda: self.open_preferences(), self._window)
            self.popup.open_under(widget.footer.memories)

        self._runner.run(memories.some(ids), done=show, owner=widget)

    # -- Remember this… --------------------------------------------------------------------------

    def remember(self, widget: MessageWidget) -> None:
        """Open Remember this… with the message's words, or those selected in it."""
        memories = self._memories()
        if memories is None:
            return
        message = widget.message
        selected = widget.body.textCursor().selectedText().replace("\u2029", "\n").strip()
        text = selected or message.content

        def open_dialog(places: list[tuple[str, ForWhom]]) -> None:
            from chatdesk.ui.window.remember_dialog import RememberDialog

            keep = self._keeper(memories, message)
            self.dialog = RememberDialog(text, places, keep, self._window)
            self.dialog.open()

        self._runner.run(self._places(message.thread_id), done=open_dialog, owner=widget)

    async def _places(self, thread_id: uuid.UUID) -> list[tuple[str, ForWhom]]:
        """Everyone, and the chat's assistant and project when it has them."""
        from chatdesk.ui.window.remember_dialog import ForWhom

        thread = await self._service.get_thread(thread_id)
        places = [(tr("Everyone"), ForWhom())]
        if thread.assistant_id is not None:
            assistant = await self._service.assistants.get(thread.assistant_id)
            label = tr("This chat's assistant, “{name}”", name=assistant.name)
            places.append((label, ForWhom(assistant_id=assistant.id)))
        if thread.project_id is not None:
            projects = await self._service.list_projects()
            name = next((p.name for p in projects if p.id == thread.project_id), "")
            label = tr("This chat's project, “{name}”", name=name)
            places.append((label, ForWhom(project_id=thread.project_id)))
        return places

    def _keeper(
        self, memories: Memories, message: MessageView
    ) -> Callable[[str, ForWhom, Callable[[str], None], Callable[[], None]], None]:
        def keep(
            text: str, place: ForWhom, refused: Callable[[str], None], kept: Callable[[], None]
        ) -> None:
            def done(view: MemoryView) -> None:
                kept()
                self._window.statusBar().showMessage(tr("Kept as memory {n}.", n=view.id), 8_000)

            call = memories.add(
                text,
                assistant_id=place.assistant_id,
                project_id=place.project_id,
                origin=Origin.CHAT,
                thread_id=message.thread_id,
                message_id=message.id,
            )
            failed: Callable[[ChatdeskError], None] = lambda error: refused(str(error))  # noqa: E731
            self._runner.run(call, done=done, failure=failed)

        return keep
