"""The end of an answer (`answers.py`'s last step): usage, from the server or counted here when
it sent none, the cost, the final status, the thread's and project's totals and the counts made
meanwhile, in one write; then the answer announced as ended, a spending cap it brought near,
and what it says of its provider's state."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chatdesk.core.chat import caps
from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.answering import AnswerState, Outcome
from chatdesk.core.chat.contexts import Contexts
from chatdesk.core.chat.counts import Counting
from chatdesk.core.chat.events import CapNear, EventBus, MessageFinished, ThreadUpdated
from chatdesk.core.chat.provider_state import provider_state_after
from chatdesk.core.chat.research_run import ResearchRun
from chatdesk.core.chat.tool_rounds import ToolRounds
from chatdesk.core.clock import Clock
from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.memory import repository as memory_repo
from chatdesk.core.providers.base import ChatRequest, Provider, Providers, UsageReport, cost_of
from chatdesk.core.store.store import Store
from chatdesk.core.views import MessageView, ThreadView

log = logging.getLogger("chatdesk.chat")


@dataclass
class Run:
    """One answer on its way: what arrived, and the request and provider once they are known."""

    answer: MessageView
    state: AnswerState
    request: ChatRequest | None = None
    provider: Provider | None = None
    rounds: ToolRounds | None = None
    research: ResearchRun | None = None  # a research run's report
    remembered: tuple[int, ...] = ()  # the memories its request was given, recorded at its end


class AnswerEnd:
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
    ) -> None:
        self._store = store
        self._providers = providers
        self._settings = settings
        self._events = events
        self._clock = clock
        self._counting = counting
        self._contexts = contexts
        self._ended = ended  # told of every answer once it is stored in its final state

    async def finish(self, run: Run, outcome: Outcome) -> MessageView:
        """The answer stored in its final state (usage counted here when the server sent none,
        its cost, the thread's totals), then announced: ended, near a cap, the provider's
        state."""
        state = run.state
        if state.usage is None and run.request is not None and (state.text or state.reasoning):
            await self._estimate_usage(run.request, state)
        answer, thread = await self._store_final(run, outcome, cost_of(run.provider, state.usage))
        self._events.publish(MessageFinished(answer))
        self._events.publish(ThreadUpdated(thread))
        if answer.usage.cost_usd:
            await self._say_if_near_a_cap(answer)
        if (said := provider_state_after(answer)) is not None:
            self._events.publish(said)
        self._ended(answer)
        return answer

    async def _say_if_near_a_cap(self, answer: MessageView) -> None:
        settings, now, provider = self._settings(), self._clock.now(), answer.provider or ""
        cap = caps.provider_cap(self._providers, provider)
        if not (settings.caps.monthly_usd or settings.caps.thread_usd or cap):
            return  # no cap: nothing is read

        def states(session: Any) -> list[caps.CapState]:
            return caps.cap_states(session, settings, now, provider, cap, answer.thread_id)

        try:
            said = caps.near(await self._store.read(states), settings)
        except ChatdeskError as error:  # the answer is stored; only the warning is lost
            log.warning("could not check the spending caps: %s", error)
            return
        if said:
            self._events.publish(CapNear(answer.thread_id, said))

    async def _store_final(
        self, run: Run, outcome: Outcome, cost: float | None
    ) -> tuple[MessageView, ThreadView]:
        state, now = run.state, self._clock.now()
        latency = state.ms_since_start(asyncio.get_running_loop().time())
        values: dict[str, Any] = {
            "status": outcome.status,
            "content": state.content(),
            "error_type": outcome.error_type,
            "error_detail": outcome.error_detail,
            "latency_ms": latency if state.started_at else None,
            "first_token_ms": state.ms_since_start(state.first_token_at),
        }
        if run.rounds is not None and run.rounds.count:  # it called tools (even none that ran)
            values.update(
                tool_time_ms=run.rounds.figures.time_ms,
                tool_counts=dict(run.rounds.figures.counts),
            )
        spent, usage = 0, state.usage
        if usage is not None:
            values.update(
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                cached_tokens=usage.cached_tokens,
                reasoning_tokens=usage.reasoning_tokens,
                cost_usd=cost,
                usage_estimated=state.usage_estimated,
            )
            spent = (usage.prompt_tokens or 0) + (usage.completion_tokens or 0)
        if run.remembered:  # which memories it was given: with its end, in the same write
            values["memories"] = list(run.remembered)
        reasoning, remembered = state.reasoning_text(), run.remembered
        by_user = run.rounds is not None and run.rounds.stopped_by_user

        def write(session: Any) -> tuple[MessageView, ThreadView]:
            stored = repo.finish_answer(
                session, now, state.message_id, values, reasoning, spent, stopped_by_user=by_user
            )
            memory_repo.mark_used(session, remembered, now)
            return stored

        return await self._store.write(self._contexts.counts.with_counts(write))

    async def _estimate_usage(self, request: ChatRequest, state: AnswerState) -> None:
        """The server reported no usage (some local servers never do, and a cut-off stream
        has none): count the request and the answer with the model's tokenizer instead."""
        content, reasoning = state.content(), state.reasoning_text()
        model, counter = request.model, self._counting.counter
        await self._counting.load(model)  # OpenAI's models only: others are estimated

        def count() -> UsageReport:
            answer, thinking = counter.count_texts(model, [content, reasoning])
            return UsageReport(
                prompt_tokens=counter.count_messages(model, request.messages).tokens,
                completion_tokens=answer.tokens + thinking.tokens,
                reasoning_tokens=thinking.tokens or None,
            )

        state.usage = await self._counting.run(count)
        state.usage_estimated = True
