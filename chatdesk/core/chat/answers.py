"""The answer runner: an answer row that was committed `pending` is written to its end.

One task per answer runs its steps in order:

1. **request** — the thread's context fitted to the model's budget (`Contexts.request_for`);
   a context that cannot fit ends the answer before anything is sent;
2. **place** — requests reach their provider (and its rate limit) in the order their answers
   started: each waits for the one before it to be on its way;
3. **stream** — the provider's stream read to its end by `AnswerWriter` (`answering.py`), the
   growing text saved at once after the first token and then every 250 ms, with the token
   counts made meanwhile (`counts_to_save.py`). When the chat has tools switched on and the
   model asks for some, the calls are decided, run and stored (`tool_rounds.py`) and the
   model is asked again with their results: stream → tool calls → approval → run → results
   → stream again, up to the round limit (`tools.max_rounds`);
4. **finish** (`answer_end.py`) — usage (from the server, or counted when it sent none),
   cost, the final status, the thread's and project's totals and the counts made meanwhile in
   one write, which runs even when the task is cancelled: an answer that is ending always
   reaches the disk.

Stopping cancels the task; what arrived is kept, marked `interrupted`. The runner also marks
answers left unfinished by a chatdesk that died (`recover_interrupted`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any, TypeVar

from chatdesk.core.attach.attacher import Attacher
from chatdesk.core.chat import caps
from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.answer_end import AnswerEnd, Run
from chatdesk.core.chat.answering import FLUSH_INTERVAL, AnswerState, AnswerWriter, Outcome
from chatdesk.core.chat.contexts import AnswerRequest, Contexts
from chatdesk.core.chat.counts import Counting
from chatdesk.core.chat.events import (
    AnswerShortened,
    EventBus,
    SourcesFound,
)
from chatdesk.core.chat.offers import Offers
from chatdesk.core.chat.repository.cuts import cut_view
from chatdesk.core.chat.research_run import Researcher, ResearchRun
from chatdesk.core.chat.result_images import ResultImages
from chatdesk.core.chat.tool_rounds import Room, ToolRounds
from chatdesk.core.clock import Clock
from chatdesk.core.config import Settings
from chatdesk.core.errors import Busy, ChatdeskError
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.kinds import CallState, ChatErrorKind, Status
from chatdesk.core.knowledge import citing
from chatdesk.core.knowledge.model import Passage
from chatdesk.core.memory.service import Memories
from chatdesk.core.providers.base import (
    ChatRequest,
    Provider,
    Providers,
)
from chatdesk.core.providers.vision import image_limits, model_takes_images
from chatdesk.core.store.store import Store
from chatdesk.core.tools.service import Tools
from chatdesk.core.tools.toolbox import Offer
from chatdesk.core.views import MessageView, ResearchLimits, ToolCallView

log = logging.getLogger("chatdesk.chat")

T = TypeVar("T")


class Answers:
    def __init__(
        self,
        store: Store,
        providers: Providers,
        settings: Callable[[], Settings],
        events: EventBus,
        clock: Clock,
        counting: Counting,
        contexts: Contexts,
        ended: Callable[[MessageView], None],
        tools: Tools,
        attacher: Attacher,
        memories: Memories | None = None,
    ) -> None:
        self._store = store
        self._providers = providers
        self._settings = settings
        self._events = events
        self._clock = clock
        self._spending = caps.Spending(store, providers, settings, clock)
        self._contexts = contexts
        self._end = AnswerEnd(store, providers, settings, events, clock, counting, contexts, ended)
        self._tools = tools
        self._attacher = attacher  # keeps the images tools give back
        # memories None: a temporary chat
        self._offers = Offers(store, settings, tools, memories, events)
        # Answers being written: message id -> (its task, its thread id).
        self._running: dict[uuid.UUID, tuple[asyncio.Task[MessageView], uuid.UUID]] = {}
        self._researching: dict[uuid.UUID, ResearchRun] = {}  # runs searching and reading
        self._runs: dict[uuid.UUID, Run] = {}  # what each answer being written holds so far
        self._last_place: asyncio.Future[None] | None = None

    # -- starting, waiting, stopping -------------------------------------------------------------

    def start(self, answer: MessageView, research: ResearchLimits | None = None) -> None:
        """Write `answer` (committed `pending`) to its end, in a task of its own; with
        `research`, as a research run's report (research_run.py)."""
        run = ResearchRun(research) if research is not None else None
        task = asyncio.create_task(self._write(answer, run), name=f"answer-{answer.id}")
        self._running[answer.id] = (task, answer.thread_id)
        task.add_done_callback(lambda _: self._running.pop(answer.id, None))

    def is_running(self, message_id: uuid.UUID) -> bool:
        return message_id in self._running

    async def wait(self, message_id: uuid.UUID) -> MessageView:
        """Wait until an answer has ended and return it as stored."""
        running = self._running.get(message_id)
        if running is not None:
            return await asyncio.shield(running[0])
        return await self._stored(message_id)

    async def stop(self, message_id: uuid.UUID, *, by_user: bool = True) -> MessageView:
        """Stop an answer; what arrived so far is kept, marked `interrupted`, its calls cut off
        marked as stopped `by_user` (else by chatdesk closing). A research run still searching
        stops searching and writes its report from what it read (stopped again, that ends
        too); the answer is returned as it stands then."""
        running = self._running.get(message_id)
        if running is None:
            return await self._stored_here(message_id)
        run = self._runs.get(message_id)
        if by_user and run is not None and run.rounds is not None:
            run.rounds.stopped_by_user = True
        research = self._researching.pop(message_id, None)
        if research is not None:
            research.stop()
            return await self._stored(message_id)
        running[0].cancel()
        return await asyncio.shield(running[0])

    async def stop_in(self, thread_id: uuid.UUID) -> None:
        """Stop every answer of a thread, a research run's report too (the thread goes)."""
        for message_id in [m for m, (_, t) in self._running.items() if t == thread_id]:
            self._researching.pop(message_id, None)
            await self.stop(message_id)

    async def recover_interrupted(self) -> int:
        """Mark answers left `pending`/`streaming` by a chatdesk that died as `interrupted`."""
        alive, now = self._store.instance.is_alive, self._clock.now()
        count = await self._store.write(lambda s: repo.interrupt_unfinished(s, now, alive))
        if count:
            log.info("marked %d unfinished answers as interrupted", count)
        return count

    async def aclose(self) -> None:
        """Stop every answer, keeping what arrived, and wait until each is saved (a research
        run is stopped whole: no report is begun as chatdesk closes)."""
        self._researching.clear()
        for message_id in list(self._running):
            await self.stop(message_id, by_user=False)

    async def _stored_here(self, message_id: uuid.UUID) -> MessageView:
        """A stored answer this process is not writing: one another chatdesk (the command
        line, the local API) still writes cannot be stopped from here, and the user is told."""
        here = self._store.instance.id
        view, owner = await self._store.read(lambda s: repo.answer_and_owner(s, message_id))
        if not view.status.is_final and owner not in (None, here):
            raise Busy(
                tr(
                    "This answer is being written by another chatdesk process; it can only be "
                    "stopped there."
                )
            )
        return view

    async def _stored(self, message_id: uuid.UUID) -> MessageView:
        return await self._store.read(lambda s: repo.full_message(s, message_id))

    # -- the steps -------------------------------------------------------------------------------

    async def _write(self, answer: MessageView, research: ResearchRun | None) -> MessageView:
        run = Run(answer, AnswerState(answer.id, answer.thread_id), research=research)
        run.state.resume(answer.content, answer.reasoning or "")
        self._runs[answer.id] = run
        ahead, mine = self._last_place, asyncio.get_running_loop().create_future()
        self._last_place = mine
        try:
            outcome = await self._request_and_stream(run, ahead, mine)
        except asyncio.CancelledError:
            outcome = Outcome(
                Status.INTERRUPTED, ChatErrorKind.STOPPED, tr("Stopped before the answer began.")
            )
        except ChatdeskError as error:  # e.g. the message does not fit the model's context
            log.info("answer %s not started: %s", answer.id, getattr(error, "kind", "error"))
            outcome = Outcome(
                Status.ERROR, getattr(error, "kind", ChatErrorKind.INVALID), str(error)
            )
        except Exception as error:
            log.exception("could not start answer %s", answer.id)
            outcome = Outcome(
                Status.ERROR, getattr(error, "kind", ChatErrorKind.INTERNAL), str(error)
            )
        finally:
            if not mine.done():
                mine.set_result(None)
        try:
            return await uncancellable(self._end.finish(run, outcome))
        finally:
            self._runs.pop(answer.id, None)

    async def _request_and_stream(
        self, run: Run, ahead: asyncio.Future[None] | None, mine: asyncio.Future[None]
    ) -> Outcome:
        """The answer's request made, then streamed once the answer before it (`ahead`) is on
        its way (`mine` then says this one is): in rounds when tools are offered, or as a
        research run's report."""
        offer = await self._offers.for_answer(run.answer, research=run.research is not None)
        described = offer.described() if offer else ""  # they take room in the context
        made = await self._calls_so_far(run.answer)
        guidance = offer.guidance if offer else ""  # its servers' instructions
        prepared = await self._contexts.request_for(run.answer, described, made, guidance)
        run.request = request = prepared.request
        if prepared.new_sources:
            await self._keep_sources(run.answer, prepared.cited)
        run.remembered = prepared.remembered
        if prepared.left_out:
            await self._record_cuts(run.answer, prepared.left_out, prepared.cuts)
        run.provider = provider = self._providers.get(run.answer.provider or "")
        if ahead is not None:
            await asyncio.wait({ahead})
        mine.set_result(None)
        if not offer:
            return await self._stream(provider, request, run.state)
        run.rounds = rounds = self._tool_rounds(run.answer, offer, made, prepared)
        # A stopped answer's last write closes the calls it cut off, in the same transaction;
        # a research run goes on to its report, so its rounds close theirs as they stop.
        rounds.closes_when_stopped = run.research is not None
        if run.research is not None:
            return await self._research(run, provider, request, rounds, prepared.room)
        return await self._stream_rounds(provider, request, rounds, run.state)

    def _tool_rounds(
        self,
        answer: MessageView,
        offer: Offer,
        made: tuple[ToolCallView, ...],
        prepared: AnswerRequest,
    ) -> ToolRounds:
        """The rounds of tool calls `offer` allows, in the room `prepared` left; calls `made`
        before and left unfinished are asked about again."""
        unfinished = tuple(c for c in made if c.state == CallState.NOT_FINISHED.value)
        model = prepared.request.model
        sees = model_takes_images(self._providers, answer.provider or "", model)
        return ToolRounds(
            self._store,
            self._events,
            self._tools,
            offer,
            answer,
            room=Room(prepared.room, lambda messages: self._contexts.count_each(model, messages)),
            ask_again=unfinished,
            images=ResultImages(self._attacher, self._clock, model, sees),
        )

    async def _stream_rounds(
        self, provider: Provider, request: ChatRequest, rounds: ToolRounds, state: AnswerState
    ) -> Outcome:
        """Stream, run the calls the model asked for, stream again with their results, until
        it asks for none or the round limit (`tools.max_rounds`) stops it."""
        limit = self._settings().tools.max_rounds
        while True:
            outcome = await self._stream(provider, rounds.request(request), state)
            asked = state.next_round()
            if outcome.status is not Status.COMPLETE or not asked:
                return outcome
            if rounds.count >= limit:
                await rounds.refuse(asked, state)
                return Outcome(
                    Status.INTERRUPTED,
                    ChatErrorKind.TOOL_ROUNDS,
                    ntr(
                        "Stopped after {n} round of tool calls (the limit in the tools "
                        "settings). Continue lets the model go on.",
                        "Stopped after {n} rounds of tool calls (the limit in the tools "
                        "settings). Continue lets the model go on.",
                        limit,
                    ),
                )
            try:
                await rounds.run(asked, state)
            except asyncio.CancelledError:
                return Outcome(
                    Status.INTERRUPTED, ChatErrorKind.STOPPED, tr("Stopped during a tool call.")
                )

    async def _research(
        self, run: Run, provider: Provider, request: ChatRequest, rounds: ToolRounds, room: int
    ) -> Outcome:
        """Search and read (until done, stopped or out of time), then stream the report."""
        assert run.research is not None
        self._researching[run.answer.id] = run.research
        try:
            held = None
            if not run.research.limits.over_cap:
                held = functools.partial(self._spending.hold_run, run.answer)
            researcher = Researcher(
                self._events,
                self._store,
                provider,
                request,
                rounds,
                run.state,
                run.research,
                room,
                held,
            )
            report = await researcher.report_request()
        finally:
            self._researching.pop(run.answer.id, None)
        return await self._stream(provider, report, run.state)

    async def _keep_sources(self, answer: MessageView, cited: tuple[Passage, ...]) -> None:
        """Store the passages sent with the answer as its sources, numbered as cited."""
        parts = [(p.text, citing.part_data(n, p)) for n, p in enumerate(cited, start=1)]
        sources = await self._store.write(lambda s: repo.add_sources(s, answer.id, parts))
        self._events.publish(SourcesFound(answer.id, answer.thread_id, sources))

    async def _record_cuts(
        self, answer: MessageView, left_out: tuple[str, ...], cuts: tuple[dict[str, Any], ...]
    ) -> None:
        """Record on the answer how much of each document of its question went."""
        await self._store.write(lambda s: repo.record_cuts(s, answer.id, cuts))
        views = tuple(cut_view(data) for data in cuts)
        self._events.publish(AnswerShortened(answer.id, answer.thread_id, left_out, views))

    async def _calls_so_far(self, answer: MessageView) -> tuple[ToolCallView, ...]:
        """The calls an answer being continued made before (none for a new answer)."""
        if not answer.content and answer.tool_time_ms is None:
            return ()
        stored = await self._store.read(lambda s: repo.full_message(s, answer.id))
        return stored.tool_calls

    async def _stream(
        self, provider: Provider, request: ChatRequest, state: AnswerState
    ) -> Outcome:
        """Read the provider's answer to its end, saving it as it grows."""
        chat = self._settings().chat
        side, most = image_limits(provider)
        if side or most:  # the server's own limits, past what attachments are kept at
            fitted = await self._attacher.fitted(request.messages, side, most)
            request = replace(request, messages=fitted)
        writer = AnswerWriter(
            self._events,
            provider,
            request,
            state,
            idle_timeout=chat.stream_idle_timeout,
            max_retries=chat.max_retries,
        )
        flusher = asyncio.create_task(self._flush_while_streaming(state))
        try:
            return await writer.run()
        finally:
            flusher.cancel()

    async def _flush_while_streaming(self, state: AnswerState) -> None:
        """Persist the growing answer: at once after the first token, then every 250 ms."""
        while True:
            await state.changed.wait()
            state.changed.clear()
            save = functools.partial(
                repo.save_progress,
                now=self._clock.now(),
                message_id=state.message_id,
                content=state.content(),
                reasoning=state.reasoning_text(),
                first_token_ms=state.ms_since_start(state.first_token_at),
            )
            await self._store.write(self._contexts.counts.with_counts(save))
            await asyncio.sleep(FLUSH_INTERVAL)


async def uncancellable(work: Coroutine[Any, Any, T]) -> T:
    """Finish `work` even if the caller is cancelled meanwhile: an answer that is ending must
    reach the disk in its final state. The cancellation is absorbed; the answer is over anyway."""
    future = asyncio.ensure_future(work)
    while True:
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            if future.cancelled():
                raise
