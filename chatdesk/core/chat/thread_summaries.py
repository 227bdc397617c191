"""A thread's summaries as the user sees and edits them: listing them (the one the next request
sends marked), editing one, deleting one (which pauses automatic summaries in the thread) and
asking for one now. Making a summary is the summariser's job (`chatdesk/core/chat/summaries/`)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.contexts import Contexts
from chatdesk.core.chat.events import EventBus, SummaryDeleted, SummaryUpdated, ThreadUpdated
from chatdesk.core.chat.summaries import records
from chatdesk.core.chat.summaries.prompts import context_message
from chatdesk.core.chat.summaries.runner import Summarizer
from chatdesk.core.clock import Clock
from chatdesk.core.config import Settings
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.store.store import Store
from chatdesk.core.views import SummaryView, ThreadView


class ThreadSummaries:
    def __init__(
        self,
        store: Store,
        events: EventBus,
        clock: Clock,
        settings: Callable[[], Settings],
        contexts: Contexts,
        summarizer: Summarizer,
    ) -> None:
        self._store = store
        self._events = events
        self._clock = clock
        self._settings = settings
        self._contexts = contexts
        self._summarizer = summarizer

    async def list(self, thread_id: uuid.UUID) -> list[SummaryView]:
        """The thread's summaries, oldest first; `in_use` marks the one the next request sends."""
        in_use = (await self._contexts.of_thread(thread_id)).breakdown.summary_id
        return await self._store.read(lambda s: records.views(s, thread_id, in_use))

    async def summarize_now(self, thread_id: uuid.UUID) -> SummaryView | None:
        """Summarise all but the last exchange of the branch now (and let automatic summaries
        run again after a deletion); None when there is nothing to summarise."""
        now = self._clock.now()

        def resume(session: Session) -> ThreadView | None:
            if repo.thread_row(session, thread_id, deleted_ok=True).summaries_paused:
                return repo.update_thread(session, now, thread_id, {"summaries_paused": False})
            return None

        thread = await self._store.write(resume)
        if thread is not None:
            self._events.publish(ThreadUpdated(thread))
        return await self._summarizer.summarize_now(thread_id)

    async def edit(self, summary_id: uuid.UUID, content: str) -> SummaryView:
        """Replace a summary's text (what the model reads from the next request on)."""
        text = content.strip()
        if not text:
            raise InvalidRequest(
                tr("a summary cannot be empty; delete it to send the messages again")
            )
        if len(text) > self._settings().chat.max_message_chars:
            raise InvalidRequest(tr("the summary is longer than a message may be"))

        def model_of(session: Session) -> tuple[uuid.UUID, str]:
            thread_id = records.summary_row(session, summary_id).thread_id
            return thread_id, self._contexts.model_of(session, thread_id)

        thread_id, model = await self._store.read(model_of)
        tokens = await self._contexts.count_message(model, context_message(text))
        now = self._clock.now()
        summary = await self._store.write(lambda s: records.edit(s, summary_id, text, tokens, now))
        in_use = (await self._contexts.of_thread(thread_id)).breakdown.summary_id == summary_id
        summary = dataclasses.replace(summary, in_use=in_use)
        self._events.publish(SummaryUpdated(summary))
        return summary

    async def delete(self, summary_id: uuid.UUID) -> None:
        """Delete a summary: the messages it covered are sent again, as far as they fit, and no
        automatic summary is made in the thread until `summarize_now`."""

        def work(session: Session) -> ThreadView:
            thread_id = records.remove(session, summary_id)
            return repo.thread_view(repo.thread_row(session, thread_id, deleted_ok=True))

        thread = await self._store.write(work)
        self._summarizer.cancel(thread.id)
        self._events.publish(SummaryDeleted(thread.id, summary_id))
        self._events.publish(ThreadUpdated(thread))
