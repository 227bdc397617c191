"""One-off completions: a whole conversation sent by a caller (the local API's
`/v1/chat/completions`) streamed from a configured provider and model, kept nowhere.

Nothing of the exchange is stored but what it cost: after the answer, its tokens and cost are
one row of `api_spending`, which the spending caps and the usage by month count as they count
answers (written with the rows of the completions that ended meanwhile, `spending.py`). The
request is held to the caps as a turn is (`caps.check`: refused with `CapReached` before
anything is sent), retried before its first token as an answer is (the same back-off and
`chat.max_retries`), and a provider that sends nothing for `chat.stream_idle_timeout` seconds
fails as `STALLED`. Closing the iteration (the caller went away) closes the provider's stream
at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.chat import caps
from chatdesk.core.chat.answering import ANSWER_BACKOFF
from chatdesk.core.chat.answers import uncancellable
from chatdesk.core.chat.events import EventBus, ThreadDeleted
from chatdesk.core.chat.repository.retention import purge_thread
from chatdesk.core.chat.spending import SpendingRows
from chatdesk.core.chat.turns import ImagesNotTaken
from chatdesk.core.clock import Clock
from chatdesk.core.config import Settings
from chatdesk.core.i18n import tr
from chatdesk.core.providers.base import (
    ChatMessage,
    ChatRequest,
    Provider,
    ProviderError,
    Providers,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallStarted,
    ToolSpec,
    UsageReport,
    cost_of,
)
from chatdesk.core.providers.silence import within
from chatdesk.core.providers.vision import model_takes_images
from chatdesk.core.store.models import ApiSpending, Message, Role
from chatdesk.core.store.store import Store

log = logging.getLogger("chatdesk.chat")

M = Message.__table__.c
_ANSWERED = (TextDelta, ReasoningDelta, ToolCallStarted, ToolCall)  # past these, no retry


@dataclass(frozen=True)
class CompletionRequest:
    """A conversation for `model` on the configured provider `provider`, as the caller wrote
    it: system, user (with images), assistant (with its tool calls) and tool messages."""

    provider: str
    model: str
    messages: tuple[ChatMessage, ...]
    temperature: float | None = None
    max_output_tokens: int | None = None
    tools: tuple[ToolSpec, ...] = ()


class Completions:
    """`complete(request)`: the provider's events for one request, nothing kept but its cost;
    `forget(thread_id)`: a chat made for one answer, removed for good but its cost."""

    def __init__(
        self,
        store: Store,
        providers: Providers,
        settings: Callable[[], Settings],
        clock: Clock,
        events: EventBus,
    ) -> None:
        self._store = store
        self._spending = SpendingRows(store)
        self._providers = providers
        self._settings = settings
        self._clock = clock
        self._events = events

    async def forget(self, thread_id: uuid.UUID) -> None:
        """Remove a chat for good at once (not to the trash: nothing of it stays, in search
        neither), keeping what its answers cost in `api_spending`, as a completion's. For an
        answer that needed a chat to be written (an assistant's, with its tools and knowledge)
        and that its caller asked not to keep."""
        now = self._clock.now()

        def write(session: Session) -> None:
            answers = session.execute(
                select(M.provider, M.model, M.prompt_tokens, M.completion_tokens, M.cost_usd)
                .where(M.thread_id == thread_id, M.role == Role.ASSISTANT)
                .where(M.prompt_tokens.is_not(None))
            )
            for provider, model, prompt, completion, cost in answers:
                session.add(
                    ApiSpending(
                        provider=provider or "?",
                        model=model or "?",
                        prompt_tokens=prompt,
                        completion_tokens=completion,
                        cost_usd=cost,
                        created_at=now,
                    )
                )
            purge_thread(session, thread_id)

        await self._store.write(write)
        self._events.publish(ThreadDeleted(thread_id))

    async def complete(self, request: CompletionRequest) -> AsyncGenerator[StreamEvent]:
        """The answer's events (`TextDelta`, `ReasoningDelta`, `ToolCallStarted`, `ToolCall`,
        `UsageReport`, `Finished` …) as the provider sends them. Raises `ProviderError` (an
        unknown provider is `NOT_FOUND`), `CapReached` or `ImagesNotTaken` before the first."""
        provider = self._providers.get(request.provider)
        if any(m.images for m in request.messages) and not model_takes_images(
            self._providers, request.provider, request.model
        ):
            raise ImagesNotTaken(
                tr(
                    "{model} on {provider} does not take images, so nothing was sent. "
                    "Choose a model that does (for example gpt-4o, or llava on Ollama), or remove "
                    "the images; if this model does take them, say so in the provider's settings "
                    "(Models take images).",
                    model=request.model,
                    provider=request.provider,
                )
            )
        await self._check_caps(request.provider)
        chat = ChatRequest(
            request.model,
            request.messages,
            temperature=request.temperature,
            max_output_tokens=request.max_output_tokens,
            tools=request.tools,
        )
        spent = _Spent()
        try:
            async for event in self._with_retries(provider, chat):
                if isinstance(event, UsageReport):
                    spent.usage = event
                elif isinstance(event, TextDelta | ReasoningDelta):
                    spent.written += len(event.text)
                yield event
        finally:
            await uncancellable(self._record(provider, request, spent))

    async def _check_caps(self, provider: str) -> None:
        settings, now = self._settings(), self._clock.now()
        if not (settings.caps.monthly_usd or caps.provider_cap(self._providers, provider)):
            return  # no monthly cap applies: nothing is read (a chat's cap is for chats)

        def check(session: Session) -> None:
            caps.check(session, settings, self._providers, now, provider, None)

        await self._store.read(check)

    async def _with_retries(
        self, provider: Provider, request: ChatRequest
    ) -> AsyncIterator[StreamEvent]:
        """The provider's events, bounded by silence (`within`), its stream closed before a
        retry waits. One generator, not two nested: each layer costs every token its step."""
        settings = self._settings().chat
        attempt, answered = 0, False
        while True:
            stream = provider.stream(request)
            try:
                try:
                    async for event in within(stream, settings.stream_idle_timeout):
                        answered = answered or isinstance(event, _ANSWERED)
                        yield event
                finally:
                    closer = getattr(stream, "aclose", None)
                    if closer is not None:
                        await closer()
                return
            except ProviderError as error:
                delay = None
                if not answered and error.retryable:
                    backoff = dataclasses.replace(ANSWER_BACKOFF, retries=settings.max_retries)
                    delay = backoff.retry_in(attempt, asked=error.retry_after)
                if delay is None:
                    raise
                attempt += 1
                log.info("retrying a completion in %.2fs: %s", delay, error.kind)
                await asyncio.sleep(delay)

    async def _record(self, provider: Provider, request: CompletionRequest, spent: _Spent) -> None:
        usage = spent.usage
        if usage is None and spent.written:  # cut short: counted roughly, as the cap must see it
            prompt = sum(len(m.content) for m in request.messages)
            usage = UsageReport(
                prompt_tokens=prompt // 4 + 1, completion_tokens=spent.written // 4 + 1
            )
        if usage is None:
            return
        row = ApiSpending(
            provider=request.provider,
            model=request.model,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_usd=cost_of(provider, usage),
            created_at=self._clock.now(),
        )
        await self._spending.add(row)


@dataclass
class _Spent:
    usage: UsageReport | None = None
    written: int = 0  # characters of text and reasoning
