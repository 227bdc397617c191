"""What the user was typing, kept per thread (and for the new chat) across switches and
restarts: saved as they type (the composer debounces), kept when they leave the thread, shown
again when they come back.

While nothing can be saved (a full disk, a folder that cannot be written), drafts are kept in
memory per thread, shown again when their thread is, and saved once saving works again.

A thread's stored draft is only written over once the composer has shown it; until then (it is
still being read, or the window started before the core) what was typed is kept after it when
the thread is left, instead of replacing it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from chatdesk.ui.composer import Composer

if TYPE_CHECKING:  # these load with the core, after the first paint
    import uuid

    from chatdesk.core.chat.events import Event
    from chatdesk.core.service import ChatService
    from chatdesk.core.views import DraftView
    from chatdesk.ui.runner import Runner


class Drafts:
    def __init__(
        self,
        composer: Composer,
        *,
        service: Callable[[], ChatService | None],
        runner: Callable[[], Runner],
        current_thread: Callable[[], uuid.UUID | None],
    ) -> None:
        self._composer = composer
        self._service = service  # None until the core is attached
        self._runner = runner
        self._current = current_thread
        self.shown = False  # the composer holds the current thread's stored draft
        self._forgotten = False  # what the composer held was dropped: leaving keeps nothing
        # Drafts typed while nothing can be saved (a full disk...), saved once it can.
        self._unsaved: dict[uuid.UUID | None, DraftView] = {}

    def apply(self, event: Event) -> None:
        from chatdesk.core.chat.events import SavingStateChanged

        service = self._service()
        if isinstance(event, SavingStateChanged) and event.blocked is None and service:
            unsaved, self._unsaved = self._unsaved, {}
            for thread_id, draft in unsaved.items():
                self._runner().run(service.save_draft(thread_id, draft), quiet=True)

    @property
    def saving_blocked(self) -> str | None:
        """Why nothing can be saved now, or None."""
        service = self._service()
        return service.saving_blocked if service is not None else None

    def at_risk(self) -> bool:
        """Whether closing now loses words: nothing can be saved, and something was typed."""
        if self.saving_blocked is None:
            return False
        return not self.typed().empty or any(not d.empty for d in self._unsaved.values())

    def typed(self) -> DraftView:
        """What the composer holds now."""
        from chatdesk.core.views import DraftView

        return DraftView(self._composer.text(), tuple(self._composer.attachments()))

    def save(self) -> None:
        """After edits (debounced by the composer)."""
        service = self._service()
        if service is None or not self.shown:
            return
        if service.saving_blocked is not None:
            self._unsaved[self._current()] = self.typed()
            return
        call = service.save_draft(self._current(), self.typed())
        self._runner().run(call, quiet=True)

    def forget(self) -> None:
        """Empty the composer without keeping what it held (a temporary chat ended, or what
        was typed in it went with it): leaving the thread shown keeps nothing of it."""
        self._composer.set_draft("", [])
        self.shown, self._forgotten = False, True

    def leave(self) -> None:
        """The current thread is being left: what was typed stays with it."""
        service = self._service()
        if service is None or self._forgotten:
            self._forgotten = False
            return
        if service.saving_blocked is not None:
            self._unsaved[self._current()] = self.typed()
            return
        self._runner().run(self.keep(service), quiet=True)

    def keep(self, service: ChatService) -> Coroutine[Any, Any, None]:
        """Store what the composer holds now in the current thread (after its stored draft, if
        the composer never showed that one); read now, written when the call runs."""
        return store_draft(service, self._current(), self.typed(), merge=not self.shown)

    def load(self, thread_id: uuid.UUID | None, *, keep_typed: bool = False) -> None:
        """Show a thread's saved draft. The composer is cleared at once (what it holds is the
        thread's that was left) unless `keep_typed`: then it is this thread's, kept after it."""
        service = self._service()
        assert service is not None  # a thread is only opened with a service

        def show(stored: DraftView) -> None:
            if self._current() != thread_id:
                return
            self.shown = True
            stored = self._unsaved.get(thread_id, stored)
            if stored.empty:
                return
            # Whatever was typed or attached while the draft was being read stays, after it.
            draft = merged_draft(stored, self.typed())
            self._composer.set_draft(draft.text, list(draft.attachments))

        self.shown, self._forgotten = False, False
        if not keep_typed:
            self._composer.set_draft("", [])
        self._runner().run(service.load_draft(thread_id), done=show, quiet=True)


async def store_draft(
    service: ChatService, thread_id: uuid.UUID | None, draft: DraftView, *, merge: bool
) -> None:
    """Store `draft` as the thread's (after its stored one, with `merge`)."""
    if service.saving_blocked is not None:  # nowhere to keep it: closing asked first
        return
    if merge:
        draft = merged_draft(await service.load_draft(thread_id), draft)
    await service.save_draft(thread_id, draft)


def merged_draft(stored: DraftView, typed: DraftView) -> DraftView:
    """A stored draft with what was typed after it: the texts on separate lines."""
    from chatdesk.core.views import DraftView

    text = "\n".join(t for t in (stored.text, typed.text) if t)
    return DraftView(text, stored.attachments + typed.attachments)
