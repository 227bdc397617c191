"""Running summaries in the background, one thread at a time, owned by the chat service.

After each complete answer the service calls `schedule`: if the thread's history is past the
threshold, a task summarises its older messages, round after round (rolling) until it is not.
The task reads and writes through the Store, counts off the loop, and asks the provider like
any request, so the provider's request limit applies. It never blocks a user's message: a
message sent meanwhile is answered with the summary that existed when it was sent. Provider
failures are retried with backoff; when a run fails for good it announces `SummaryFailed` and
changes nothing. A summary is stored only if what it was made from is still there (the covered
message, the summary it continued, and no deletion by the user meanwhile).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from chatdesk.core.chat import caps
from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.background import complete_text
from chatdesk.core.chat.budget import ThreadSetup, background_choice, thread_setup
from chatdesk.core.chat.context import Branch, unsummarised, valid_summary
from chatdesk.core.chat.counts import BranchReader, Counting, CountUpdate, is_estimate
from chatdesk.core.chat.counts_to_save import CountsToSave
from chatdesk.core.chat.events import EventBus, SummaryCreated, SummaryFailed, SummaryStarted
from chatdesk.core.chat.summaries import records
from chatdesk.core.chat.summaries.planner import Limits, to_cover
from chatdesk.core.chat.summaries.prompts import context_message, summary_request_text
from chatdesk.core.clock import Clock
from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.prompts import SUMMARY_INSTRUCTIONS
from chatdesk.core.providers.base import (
    ChatMessage,
    ChatRequest,
    ErrorKind,
    ProviderError,
    Providers,
)
from chatdesk.core.store.models import Message, Summary, Thread
from chatdesk.core.store.store import Store
from chatdesk.core.views import SummaryView

log = logging.getLogger("chatdesk.chat")

# Retries of a summary's request before SummaryFailed tells the user: more than a title's, since
# a thread past its threshold needs the summary; three take a few seconds (chat/background.py).
RETRIES = 3
MAX_ROUNDS = 50  # a run never loops for ever, whatever the thread looks like
DEFAULT_THRESHOLD = 0.75  # for "Summarise now" while automatic summaries are off
MAX_SUMMARY_TOKENS = 1_000
_REQUEST_OVERHEAD = 64  # the request's framing and the speaker labels, roughly


@dataclass(frozen=True)
class _Setups:
    thread: ThreadSetup  # the thread's model: the budget the summary relieves
    writer: ThreadSetup  # the model that writes the summary


@dataclass(frozen=True)
class _Job:
    thread_id: uuid.UUID
    base: records.Candidate | None  # the summary so far, continued by this one
    covers_through: uuid.UUID
    messages: tuple[tuple[str, str], ...]  # (role, text), oldest first
    setups: _Setups
    max_tokens: int


class Summarizer:
    def __init__(
        self,
        store: Store,
        providers: Providers,
        events: EventBus,
        counting: Counting,
        settings: Callable[[], Settings],
        clock: Clock,
        counts: CountsToSave,
    ) -> None:
        """`counts`: where the counts it makes wait to be written (`counts_to_save.py`)."""
        self._store = store
        self._counts = counts
        self._providers = providers
        self._events = events
        self._counting = counting
        self._settings = settings
        self._clock = clock
        self._tasks: dict[uuid.UUID, asyncio.Task[SummaryView | None]] = {}
        self._instructions: dict[str, int] = {}  # the instructions' tokens, by what counted them

    def schedule(self, thread_id: uuid.UUID) -> None:
        """Summarise in the background if the thread needs it; nothing if a run is on."""
        if self._settings().chat.summary_threshold > 0 and thread_id not in self._tasks:
            self._start(thread_id, manual=False)

    async def summarize_now(self, thread_id: uuid.UUID) -> SummaryView | None:
        """Summarise all but the last exchange now; None when there is nothing to summarise.
        A background run of the thread finishes first. Errors reach the caller."""
        running = self._tasks.get(thread_id)
        if running is not None:
            await asyncio.wait({running})
        return await self._start(thread_id, manual=True)

    def tasks(self) -> list[asyncio.Task[SummaryView | None]]:
        return list(self._tasks.values())

    def running(self, thread_id: uuid.UUID) -> bool:
        return thread_id in self._tasks

    def cancel(self, thread_id: uuid.UUID) -> bool:
        task = self._tasks.get(thread_id)
        return task is not None and task.cancel()

    async def aclose(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _start(self, thread_id: uuid.UUID, *, manual: bool) -> asyncio.Task[SummaryView | None]:
        task = asyncio.create_task(self._run(thread_id, manual), name=f"summary-{thread_id}")
        self._tasks[thread_id] = task
        task.add_done_callback(lambda _: self._forget(thread_id, task))
        return task

    def _forget(self, thread_id: uuid.UUID, task: asyncio.Task[SummaryView | None]) -> None:
        if self._tasks.get(thread_id) is task:
            del self._tasks[thread_id]

    async def _run(self, thread_id: uuid.UUID, manual: bool) -> SummaryView | None:
        made: SummaryView | None = None
        started = False
        try:
            for _ in range(MAX_ROUNDS):
                job = await self._prepare(thread_id, manual)
                if job is None:
                    break
                if not started:
                    started = True
                    self._events.publish(SummaryStarted(thread_id))
                if (view := await self._write(job, manual)) is None:
                    break
                made = view
                self._events.publish(SummaryCreated(view))
        except asyncio.CancelledError:
            if started:
                self._events.publish(SummaryFailed(thread_id, tr("Stopped.")))
            raise
        except Exception as error:
            self._failed(thread_id, error)
            if manual:
                raise
        return made

    def _failed(self, thread_id: uuid.UUID, error: Exception) -> None:
        if isinstance(error, ChatdeskError):
            log.info("summary of thread %s failed: %s", thread_id, error)
        else:
            log.exception("summary of thread %s failed unexpectedly", thread_id)
        self._events.publish(SummaryFailed(thread_id, str(error) or type(error).__name__))

    # -- what to summarise -----------------------------------------------------------------------

    async def _prepare(self, thread_id: uuid.UUID, manual: bool) -> _Job | None:
        """What to summarise now (None: nothing). One read, run after every answer; two when
        an encoding must be loaded first (its load waits for neither read)."""
        known = self._counts.known()
        setups, planned = await self._store.read(
            lambda s: self._setups_and_plan(s, thread_id, manual, known)
        )
        if setups is None:
            return None
        if planned is None:
            await self._counting.load(setups.thread.model, setups.writer.model)
            known = self._counts.known()
            planned = await self._store.read(
                lambda s: self._plan(s, thread_id, setups, manual, known)
            )
        job, fresh = planned
        self._counts.add(fresh)
        return job

    def _setups_and_plan(
        self,
        session: Session,
        thread_id: uuid.UUID,
        manual: bool,
        known: Mapping[uuid.UUID, CountUpdate],
    ) -> tuple[_Setups | None, tuple[_Job | None, list[CountUpdate]] | None]:
        """The setups, and the plan from the same read unless an encoding is still to load."""
        setups = self._setups(session, thread_id, manual)
        if setups is None or self._counting.needs_load(setups.thread.model, setups.writer.model):
            return setups, None
        return setups, self._plan(session, thread_id, setups, manual, known)

    def _setups(self, session: Session, thread_id: uuid.UUID, manual: bool) -> _Setups | None:
        thread = session.get(Thread, thread_id)
        if thread is None or thread.deleted_at is not None or thread.active_leaf_id is None:
            return None
        if thread.summaries_paused and not manual:
            return None
        settings = self._settings()
        own = thread_setup(session, thread, settings, self._providers)
        provider, model = background_choice(settings, self._providers, own.provider, own.model)
        writer = thread_setup(
            session, thread, settings, self._providers, provider=provider, model=model
        )
        try:  # a reached spending cap: said when asked for, else no summary
            caps.check(session, settings, self._providers, self._clock.now(), provider, thread_id)
        except caps.CapReached:
            if manual:
                raise
            log.info("no summary of thread %s: a spending cap is reached", thread_id)
            return None
        return _Setups(own, writer)

    def _plan(
        self,
        session: Session,
        thread_id: uuid.UUID,
        setups: _Setups,
        manual: bool,
        known: Mapping[uuid.UUID, CountUpdate],
    ) -> tuple[_Job | None, list[CountUpdate]]:
        thread = repo.thread_row(session, thread_id, deleted_ok=True)
        reader = BranchReader(session, self._counting.counter, setups.thread.model, known=known)
        branch = Branch(reader.walk(thread.active_leaf_id))
        base = valid_summary(branch, records.candidates(session, thread_id))
        tail = list(unsummarised(branch, base.depth if base else -1))
        tail.reverse()
        limits = self._limits(reader, setups, base)
        covered = to_cover(tail, limits, manual=manual) if limits.room > 0 else []
        if not covered:
            return None, reader.fresh
        texts = reader.texts(covered)
        budget = setups.thread.budget
        job = _Job(
            thread_id=thread_id,
            base=base,
            covers_through=covered[-1].id,
            messages=tuple((e.role.value, t) for e, t in zip(covered, texts, strict=True)),
            setups=setups,
            max_tokens=max(50, min(budget.reserve, budget.tokens // 4, MAX_SUMMARY_TOKENS)),
        )
        return job, reader.fresh

    def _limits(
        self, reader: BranchReader, setups: _Setups, base: records.Candidate | None
    ) -> Limits:
        chat = self._settings().chat
        instructions = self._instructions.get(reader.key)
        if instructions is None:  # the same words every time: counted once per encoding
            instructions = reader.count("system", SUMMARY_INSTRUCTIONS)
            if not reader.estimated or is_estimate(reader.key, reader.model):
                self._instructions[reader.key] = instructions  # not a fallback's estimate
        fixed = instructions + _REQUEST_OVERHEAD
        if base is not None:
            fixed += reader.count("user", base.content)
        # The messages were counted for the thread's model; the writer may count a little
        # differently, so a tenth is kept spare.
        room = int((setups.writer.budget.tokens - fixed) * 0.9)
        return Limits(
            budget=setups.thread.budget.tokens,
            threshold=chat.summary_threshold or DEFAULT_THRESHOLD,
            max_messages=chat.context_messages,
            room=room,
        )

    # -- writing it ------------------------------------------------------------------------------

    async def _write(self, job: _Job, manual: bool) -> SummaryView | None:
        writer = job.setups.writer
        words = max(30, job.max_tokens * 3 // 4)
        text = summary_request_text(job.base.content if job.base else None, job.messages, words)
        request = ChatRequest(
            model=writer.model,
            messages=(ChatMessage("system", SUMMARY_INSTRUCTIONS), ChatMessage("user", text)),
            max_output_tokens=job.max_tokens,
        )
        content = await complete_text(
            self._providers.get(writer.provider),
            request,
            idle_timeout=self._settings().chat.stream_idle_timeout,
            retries=RETRIES,
        )
        content = content.strip()
        if not content:
            raise ProviderError(ErrorKind.PROTOCOL, tr("The model returned an empty summary."))
        tokens = await self._counting.count_message(
            job.setups.thread.model, context_message(content)
        )
        now = self._clock.now()
        return await self._store.write(
            lambda s: _store_if_current(s, job, content, tokens, manual, now)
        )


def _store_if_current(
    session: Session, job: _Job, content: str, tokens: int, manual: bool, now: datetime
) -> SummaryView | None:
    """Store the summary unless what it was made from changed meanwhile."""
    thread = session.get(Thread, job.thread_id)
    if thread is None or thread.deleted_at is not None:
        return None
    if thread.summaries_paused and not manual:
        return None  # the user deleted a summary while this one was being written
    if session.get(Message, job.covers_through) is None:
        return None
    if job.base is not None:
        base = session.get(Summary, job.base.id)
        if base is None or base.content != job.base.content:
            return None  # the summary it continues was deleted or edited
    writer = job.setups.writer
    return records.add(
        session,
        now=now,
        thread_id=job.thread_id,
        covers_through=job.covers_through,
        content=content,
        tokens=tokens,
        provider=writer.provider,
        model=writer.model,
    )
