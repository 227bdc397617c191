"""The header's context gauge and spending for the shown thread: read when a thread is opened
or changes and when an answer ends, and as the user types — what the next message would cost
with what the composer holds now — once typing pauses."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from chatdesk.core.i18n import ntr, tr
from chatdesk.core.kinds import AttachmentKind
from chatdesk.core.units import format_cost
from chatdesk.ui.coalesce import LatestRead
from chatdesk.ui.composer import Composer
from chatdesk.ui.header import ThreadHeader

if TYPE_CHECKING:
    from chatdesk.core.chat.usage import UsageTotals
    from chatdesk.core.errors import ChatdeskError
    from chatdesk.core.service import ChatService
    from chatdesk.core.views import ContextUsage
    from chatdesk.ui.runner import Runner

DELAY_MS = 300  # typing pauses this long before the gauge counts the draft

Reading = tuple[uuid.UUID, "ContextUsage | None"]


class ContextGauge(QObject):
    def __init__(
        self,
        service: ChatService,
        runner: Runner,
        composer: Composer,
        header: ThreadHeader,
        current_thread: Callable[[], uuid.UUID | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._composer = composer
        self._header = header
        self._current = current_thread
        self._reading: uuid.UUID | None = None  # the thread of the read in flight
        self._opening = False  # a thread opened, its page not shown yet
        self.feed: LatestRead[Reading] = LatestRead(
            runner, self._read, self._show, failure=self._unreadable, delay_ms=DELAY_MS, parent=self
        )
        composer.editor.textChanged.connect(self.draft_edited)
        composer.draft_changed.connect(self.draft_edited)  # attachments too

    def thread_opening(self) -> None:
        """A thread is being opened: the gauge is read once its page is shown (`refresh`), not
        when its draft, cleared or loaded meanwhile, changes the composer: read beside the
        page, it took the interpreter from its widgets."""
        self._opening = True
        self.feed.cancel()

    def refresh(self) -> None:
        """Read the gauge and the spending again (a thread opened or changed, an answer ended)."""
        self._opening = False
        thread_id = self._current()
        if thread_id is None:
            self._header.show_spent(None)
            return
        self.feed.now()

        def show_spent(totals: UsageTotals) -> None:
            if self._current() == thread_id:
                self._header.show_spent(totals)

        spent = self._service.thread_usage(thread_id)
        self._runner.run(spent, done=show_spent, owner=self._header, quiet=True)

    def draft_edited(self) -> None:
        if self._opening:  # `refresh` reads the draft as it is once the page is shown
            return
        if self._current() is not None:
            self.feed.later()
        else:  # the new chat: nothing to count yet
            self._composer.show_send_cost("")

    def close(self) -> None:
        self.feed.close()

    def _read(self) -> Coroutine[Any, Any, Reading] | None:
        thread_id = self._reading = self._current()
        if thread_id is None:
            return None
        from chatdesk.core.chat.attachments import for_model
        from chatdesk.core.tokens.images import image_tokens

        attachments = self._composer.attachments()
        attached = [(a, a.text) for a in attachments]
        text = self._composer.text()
        images = sum(
            image_tokens(a.width, a.height) for a in attachments if a.kind == AttachmentKind.IMAGE
        )
        draft = for_model(text, attached) if attached else text
        return self._usage(thread_id, draft, images)

    async def _usage(self, thread_id: uuid.UUID, draft: str, images: int) -> Reading:
        return thread_id, await self._service.context_usage(thread_id, draft, images)

    def _show(self, read: Reading) -> None:
        thread_id, usage = read
        if thread_id == self._current():
            self._header.show_usage(usage)
            self._composer.show_send_cost(*send_cost(usage))

    def _unreadable(self, error: ChatdeskError) -> None:
        """The thread cannot be read (it was deleted meanwhile): the gauge shows nothing."""
        if self._reading == self._current():
            self._header.show_usage(None)
            self._composer.show_send_cost("")


def send_cost(usage: ContextUsage | None) -> tuple[str, str]:
    """The composer's word on a costly send, and why: "≈ $0.42 to send" (nothing when it is
    not costly)."""
    if usage is None or not usage.costly or usage.send_cost_usd is None:
        return "", ""
    cost = format_cost(usage.send_cost_usd)
    said = tr("≈ {cost} to send", cost=cost)
    why = ntr(
        "The request alone ({n} token) costs about {cost} at this provider's prices, before "
        "the answer. Preferences ▸ Usage sets from what cost this shows.",
        "The request alone ({n} tokens) costs about {cost} at this provider's prices, before "
        "the answer. Preferences ▸ Usage sets from what cost this shows.",
        usage.used_tokens,
        cost=cost,
    )
    return said, why
