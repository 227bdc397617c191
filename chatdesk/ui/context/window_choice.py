"""Choosing a thread's context window: the dialog opens on what the thread uses now (its own
window, or the model's) and, accepted, sets the thread's own."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from chatdesk.core.service import ChatService
from chatdesk.core.views import ContextUsage, ThreadView
from chatdesk.ui.runner import Runner

if TYPE_CHECKING:  # the dialog loads when it is first opened
    from chatdesk.ui.context.dialogs import ContextWindowDialog


class ContextWindowChoice:
    def __init__(self, service: ChatService, runner: Runner, parent: QWidget) -> None:
        self._service = service
        self._runner = runner
        self._parent = parent
        self.dialog: ContextWindowDialog | None = None  # the one opened last

    def ask(self, thread_id: uuid.UUID) -> None:
        service = self._service

        async def read() -> tuple[ThreadView, ContextUsage]:
            return await service.get_thread(thread_id), await service.context_usage(thread_id)

        self._runner.run(read(), done=lambda found: self._open(*found))

    def _open(self, thread: ThreadView, usage: ContextUsage) -> None:
        shown = usage.breakdown.window if usage.breakdown else 0
        from chatdesk.ui.context.dialogs import ContextWindowDialog

        dialog = ContextWindowDialog(thread.context_window, shown, thread.title, self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        set_window = self._service.set_thread_context_window
        dialog.accepted.connect(
            lambda: self._runner.run(set_window(thread.id, dialog.window_tokens()))
        )
        self.dialog = dialog
        dialog.open()
