"""Naming a thread after its first answer, in the background, unless the user names it first.

The prompt and the clean-up of what the model answers are in `titles.py`; what is read and
written, in `repository/titles.py`. A failure only leaves the provisional title in place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from chatdesk.core.chat import caps
from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.background import complete_text
from chatdesk.core.chat.budget import background_choice
from chatdesk.core.chat.events import EventBus, ThreadUpdated
from chatdesk.core.chat.titles import clean_title, title_request
from chatdesk.core.clock import Clock
from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.providers.base import Providers
from chatdesk.core.store.store import Store
from chatdesk.core.views import MessageView

log = logging.getLogger("chatdesk.chat")

# A title is a nicety: one more try, then the thread keeps its provisional title.
TITLE_RETRIES = 1


class ThreadNamer:
    def __init__(
        self,
        store: Store,
        providers: Providers,
        settings: Callable[[], Settings],
        events: EventBus,
        clock: Clock,
    ) -> None:
        self._store = store
        self._providers = providers
        self._settings = settings
        self._events = events
        self._clock = clock

    async def name_after(self, answer: MessageView) -> None:
        """Name the thread after its first answer, unless the user has named it (meanwhile)."""
        settings = self._settings()
        try:
            inputs = await self._store.read(lambda s: repo.title_inputs(s, answer.id))
            if inputs is None:
                return
            name, model = background_choice(
                settings, self._providers, answer.provider or "", answer.model or ""
            )
            now = self._clock.now()  # a reached spending cap: no title (CapReached)
            await self._store.read(
                lambda s: caps.check(s, settings, self._providers, now, name, answer.thread_id)
            )
            text = await complete_text(
                self._providers.get(name),
                title_request(model, inputs.question, inputs.answer),
                idle_timeout=settings.chat.stream_idle_timeout,
                retries=TITLE_RETRIES,
            )
            title, now = clean_title(text), self._clock.now()
            if not title or title == inputs.title:
                return
            thread = await self._store.write(
                lambda s: repo.retitle(s, inputs.thread_id, inputs.title, title, now)
            )
        except ChatdeskError as error:
            log.info("no title for thread %s: %s", answer.thread_id, error)
            return
        if thread is not None:
            self._events.publish(ThreadUpdated(thread))
