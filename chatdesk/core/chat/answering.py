"""Writing one answer: provider stream → memory → SQLite, with events for the UI.

The answer row exists before the request starts (`pending`); the first token turns it
`streaming`; text is flushed to SQLite at least every 250 ms while it streams; text events are
coalesced to one every ~40 ms. It ends `complete`, `error` (partial kept, error stored) or
`interrupted` (stopped, cut off). Retries happen only before the first token.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace

from chatdesk.core.chat.events import (
    AnswerRetrying,
    AnswerStageChanged,
    AnswerTextAppended,
    AnswerWaiting,
    EventBus,
    ToolCallStreaming,
)
from chatdesk.core.i18n import tr
from chatdesk.core.kinds import AnswerStage, ChatErrorKind
from chatdesk.core.providers.base import (
    Accepted,
    ChatRequest,
    ErrorKind,
    Finished,
    Provider,
    ProviderError,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallStarted,
    UsageReport,
    Waiting,
)
from chatdesk.core.providers.silence import within
from chatdesk.core.retry import Backoff
from chatdesk.core.store.models import Status

log = logging.getLogger("chatdesk.chat")

FLUSH_INTERVAL = 0.25
EVENT_INTERVAL = 0.04
# Before the first token the user watches an empty answer and is told of each retry, so the
# waits are short: 0.5 s, 1 s, 2 s … (8 s at the most within the setting's five retries),
# spread ±25 % so clients cut off together do not return together. A server's Retry-After is
# waited up to a minute; asking for longer, the user is shown the error instead. How many
# retries is the user's setting (chat.max_retries).
ANSWER_BACKOFF = Backoff(first=0.5, factor=2.0, cap=60.0, retries=0, jitter=0.25)


@dataclass
class AnswerState:
    """What has arrived so far for one answer."""

    message_id: uuid.UUID
    thread_id: uuid.UUID
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    usage: UsageReport | None = None
    usage_estimated: bool = False  # counted by chatdesk: the server reported none
    finished: Finished | None = None
    started_at: float = 0.0
    first_token_at: float | None = None
    text_length: int = 0
    reasoning_length: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)  # set on every token
    calls: list[ToolCall] = field(default_factory=list)  # asked for in the round streaming now
    usage_so_far: UsageReport | None = None  # of the rounds before this one

    @property
    def has_tokens(self) -> bool:
        return self.first_token_at is not None

    def resume(self, text: str, reasoning: str) -> None:
        """Start from what an earlier attempt wrote (Continue): offsets go on from there."""
        if text:
            self.text, self.text_length = [text], len(text)
        if reasoning:
            self.reasoning, self.reasoning_length = [reasoning], len(reasoning)

    def content(self) -> str:
        if len(self.text) > 1:
            self.text[:] = ["".join(self.text)]
        return self.text[0] if self.text else ""

    def reasoning_text(self) -> str:
        if len(self.reasoning) > 1:
            self.reasoning[:] = ["".join(self.reasoning)]
        return self.reasoning[0] if self.reasoning else ""

    def ms_since_start(self, moment: float | None) -> int | None:
        return None if moment is None else round((moment - self.started_at) * 1000)

    def next_round(self) -> list[ToolCall]:
        """The calls the round just streamed asked for; the state is ready for the next round
        (whose usage adds to the rounds' before it)."""
        calls, self.calls = self.calls, []
        self.usage_so_far, self.finished = self.usage, None
        return calls

    def take_usage(self, usage: UsageReport) -> None:
        self.usage = usage if self.usage_so_far is None else _sum(self.usage_so_far, usage)


def _sum(a: UsageReport, b: UsageReport) -> UsageReport:
    def add(x: int | None, y: int | None) -> int | None:
        return None if x is None and y is None else (x or 0) + (y or 0)

    return UsageReport(
        add(a.prompt_tokens, b.prompt_tokens),
        add(a.completion_tokens, b.completion_tokens),
        add(a.cached_tokens, b.cached_tokens),
        add(a.reasoning_tokens, b.reasoning_tokens),
    )


@dataclass(frozen=True)
class Outcome:
    status: Status
    error_type: ErrorKind | ChatErrorKind | None = None
    error_detail: str | None = None


class _Coalescer:
    """Collects text and publishes it at most every EVENT_INTERVAL seconds."""

    def __init__(self, bus: EventBus, state: AnswerState) -> None:
        self._bus = bus
        self._state = state
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._handle: asyncio.TimerHandle | None = None

    def add(self, text: str = "", reasoning: str = "") -> None:
        if text:
            self._text.append(text)
        if reasoning:
            self._reasoning.append(reasoning)
        if self._handle is None:
            self._handle = asyncio.get_running_loop().call_later(EVENT_INTERVAL, self.flush)

    def flush(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if not self._text and not self._reasoning:
            return
        text, reasoning = "".join(self._text), "".join(self._reasoning)
        event = AnswerTextAppended(
            self._state.message_id,
            self._state.thread_id,
            text,
            reasoning,
            text_offset=self._state.text_length - len(text),
            reasoning_offset=self._state.reasoning_length - len(reasoning),
        )
        self._text.clear()
        self._reasoning.clear()
        self._bus.publish(event)


class AnswerWriter:
    """Runs the provider stream for one answer; the service persists what it collects."""

    def __init__(
        self,
        bus: EventBus,
        provider: Provider,
        request: ChatRequest,
        state: AnswerState,
        *,
        idle_timeout: float,
        max_retries: int,
    ) -> None:
        self._bus = bus
        self._provider = provider
        self._request = request
        self.state = state
        self._idle_timeout = idle_timeout
        self._backoff = replace(ANSWER_BACKOFF, retries=max_retries)
        self._events = _Coalescer(bus, state)
        self._stage: AnswerStage | None = None

    async def run(self) -> Outcome:
        """Stream until the answer ends; never raises for provider trouble or cancellation."""
        loop = asyncio.get_running_loop()
        if not self.state.started_at:  # a later round of tool calls: the answer's own start
            self.state.started_at = loop.time()
        attempt = 0
        try:
            while True:
                try:
                    await self._stream_once()
                    break
                except ProviderError as error:
                    delay = self._retry_delay(error, attempt)
                    if delay is None:
                        raise
                    attempt += 1
                    log.info("retrying answer %s in %.2fs: %s", self.state.message_id, delay, error)
                    self._bus.publish(
                        AnswerRetrying(
                            self.state.message_id, self.state.thread_id, attempt, delay, str(error)
                        )
                    )
                    await asyncio.sleep(delay)
        except asyncio.CancelledError:
            return Outcome(
                Status.INTERRUPTED,
                ChatErrorKind.STOPPED,
                tr("Stopped before the answer was complete."),
            )
        except ProviderError as error:
            return Outcome(Status.ERROR, error.kind, str(error))
        except Exception as error:  # a bug in a provider: keep the partial, say what happened
            log.exception("answer %s failed unexpectedly", self.state.message_id)
            return Outcome(Status.ERROR, ChatErrorKind.INTERNAL, f"{type(error).__name__}: {error}")
        finally:
            self._events.flush()
        if self.state.finished is None:
            return Outcome(
                Status.INTERRUPTED,
                ErrorKind.CUT_OFF,
                tr("The connection ended before the answer was complete."),
            )
        return Outcome(Status.COMPLETE)

    def _retry_delay(self, error: ProviderError, attempt: int) -> float | None:
        if self.state.has_tokens or not error.retryable:
            return None
        return self._backoff.retry_in(attempt, asked=error.retry_after)

    async def _stream_once(self) -> None:
        self._stage = None
        self._reached(AnswerStage.CONNECTING)
        stream = self._provider.stream(self._request)
        try:
            async for event in within(stream, self._idle_timeout):
                self._take(event)
        finally:
            await _close(stream)

    def _reached(self, stage: AnswerStage) -> None:
        """Say once per request that the answer got to `stage`."""
        if self._stage is stage:
            return
        self._stage = stage
        state, provider = self.state, self._provider.name
        self._bus.publish(
            AnswerStageChanged(
                state.message_id, state.thread_id, stage, provider, self._request.model
            )
        )

    def _take(self, event: StreamEvent) -> None:
        state = self.state
        if isinstance(event, TextDelta | ReasoningDelta | ToolCallStarted):
            self._reached(AnswerStage.WRITING)
        elif isinstance(event, Accepted) and self._stage is AnswerStage.CONNECTING:
            self._reached(AnswerStage.WAITING)
        if isinstance(event, TextDelta | ReasoningDelta):
            if state.first_token_at is None:
                state.first_token_at = asyncio.get_running_loop().time()
            state.changed.set()
            if isinstance(event, TextDelta):
                state.text.append(event.text)
                state.text_length += len(event.text)
                self._events.add(text=event.text)
            else:
                state.reasoning.append(event.text)
                state.reasoning_length += len(event.text)
                self._events.add(reasoning=event.text)
        elif isinstance(event, UsageReport):
            state.take_usage(event)
        elif isinstance(event, ToolCall):
            state.calls.append(event)
        elif isinstance(event, ToolCallStarted):
            if state.first_token_at is None:
                state.first_token_at = asyncio.get_running_loop().time()
            self._bus.publish(
                ToolCallStreaming(state.message_id, state.thread_id, event.id, event.name)
            )
        elif isinstance(event, Finished):
            state.finished = event
        elif isinstance(event, Waiting):
            self._bus.publish(
                AnswerWaiting(state.message_id, state.thread_id, event.seconds, event.reason)
            )


async def _close(stream: AsyncIterator[StreamEvent]) -> None:
    closer = getattr(stream, "aclose", None)
    if closer is not None:
        await closer()
