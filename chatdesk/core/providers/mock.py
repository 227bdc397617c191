"""The built-in offline provider: no key, no network, realistic streaming.

It streams a deterministic markdown answer (see mock_text.py) at a configurable pace, optionally
after a reasoning section, reports token usage like a real provider, calls a tool when asked to
(mock_tools.py), searches and reads the web while Web is on (mock_web.py), and can inject
faults for tests and demos. chatdesk's own summary and title requests, recognised by their
instructions, get a deterministic summary or title instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from chatdesk.core.config import MockSettings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.prompts import SUMMARY_INSTRUCTIONS, TITLE_INSTRUCTIONS
from chatdesk.core.providers.base import (
    Accepted,
    ChatRequest,
    ErrorKind,
    Finished,
    ProviderError,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCallStarted,
    UsageReport,
)
from chatdesk.core.providers.mock_attachments import describe_attachments, without_fences
from chatdesk.core.providers.mock_citing import answer_from_passages
from chatdesk.core.providers.mock_embed import MOCK_EMBEDDING_MODEL, mock_vector
from chatdesk.core.providers.mock_memory import answer_about_memory, led_by_memories, memory_call
from chatdesk.core.providers.mock_text import (
    MockAnswer,
    mock_answer,
    mock_summary,
    mock_title,
    tokens_of,
)
from chatdesk.core.providers.mock_tools import answer_with_results, tool_call_for
from chatdesk.core.providers.mock_web import answer_from_web, research_answer, web_calls

_FIRST_TOKEN_DELAY = 0.25  # seconds, when paced like a real model
CONTEXT_WINDOW = 8_192  # tokens: small, so the offline app shows summaries in a long thread


@dataclass(frozen=True)
class Fault:
    kind: str  # "" | "error_after" | "rate_limit" | "stall_after" | "cut_after" | "too_long"
    value: float = 0

    @classmethod
    def parse(cls, text: str) -> Fault:
        text = text.strip()
        if not text:
            return cls("")
        name, _, argument = text.partition(":")
        if name == "rate_limit":
            return cls(name, float(argument or 1))
        if name in ("error_after", "stall_after", "cut_after", "too_long"):
            try:
                return cls(name, int(argument))
            except ValueError:
                pass
        raise ChatdeskError(
            f"mock fault {text!r} is not understood; use error_after:N, rate_limit[:SECONDS], "
            "stall_after:N, cut_after:N or too_long:N"
        )


class MockProvider:
    name = "mock"
    # Offered in the model pickers; each writes its own answer to the same prompt (seeded by
    # the model's name), so comparing models works offline too. Any other name answers as well.
    models = ("mock-1", "mock-2", "mock-3")
    embedding_models = (MOCK_EMBEDDING_MODEL,)

    def __init__(self, settings: MockSettings | None = None) -> None:
        settings = settings or MockSettings()
        self.tokens_per_second = settings.tokens_per_second
        self.reasoning = settings.reasoning
        self.fault = Fault.parse(settings.fault)
        self.request_count = 0

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.request_count += 1
        answer = await _answer_with_attachments(request)
        pace = _Pace(self.tokens_per_second)
        self._refuse_if_faulty(request)
        yield Accepted()
        await pace.first_token()
        calls = web_calls(request, self.request_count)
        call = memory_call(request, self.request_count) or tool_call_for(
            request, self.request_count
        )
        if call is not None or calls:
            for made in calls or (call,):
                assert made is not None
                yield ToolCallStarted(made.id, made.name)
                yield made
            yield UsageReport(prompt_tokens=_prompt_tokens(request), completion_tokens=8)
            yield Finished("tool_calls")
            return
        reasoning_tokens = tokens_of(answer.reasoning) if self.reasoning else []
        for token in reasoning_tokens:
            yield ReasoningDelta(token)
            await pace.next_token()
        text_tokens = tokens_of(answer.text)
        for index, token in enumerate(text_tokens):
            if self.fault.kind and index == int(self.fault.value):
                if self.fault.kind == "cut_after":
                    return  # the connection "drops": no usage, no Finished
                await self._fail(index)
            yield TextDelta(token)
            await pace.next_token()
        yield UsageReport(
            prompt_tokens=_prompt_tokens(request),
            completion_tokens=len(text_tokens) + len(reasoning_tokens),
            reasoning_tokens=len(reasoning_tokens) or None,
        )
        yield Finished("stop")

    def _refuse_if_faulty(self, request: ChatRequest) -> None:
        """The injected faults that refuse a request before it is accepted."""
        if self.fault.kind == "rate_limit":
            raise ProviderError(
                ErrorKind.RATE_LIMIT,
                "The mock provider is rate limited (injected fault).",
                hint=f"Retry after {self.fault.value:g} s.",
                retry_after=self.fault.value,
            )
        if self.fault.kind == "too_long" and len(request.messages) > self.fault.value:
            raise ProviderError(
                ErrorKind.CONVERSATION_TOO_LONG,
                f"The conversation is too long for {request.model} on the mock provider: it "
                f"does not fit the model's context window (injected fault: more than "
                f"{self.fault.value:g} messages).",
                hint="Summarise the older messages, or choose a model with a larger context "
                "window.",
            )

    def context_window(self, model: str) -> int:
        return CONTEXT_WINDOW

    async def embed(self, model: str, texts: Sequence[str]) -> list[list[float]]:
        """Offline vectors (mock_embed.py); unlike `stream`, only its one model's name works,
        so a knowledge base made with another model is refused as a real server would."""
        if model != MOCK_EMBEDDING_MODEL:
            raise ProviderError(
                ErrorKind.NOT_FOUND,
                f"The mock provider has no embedding model {model!r}; it offers only "
                f'"{MOCK_EMBEDDING_MODEL}".',
                hint=f'Choose "{MOCK_EMBEDDING_MODEL}" for embeddings made offline.',
            )
        return [mock_vector(text) for text in texts]

    async def _fail(self, index: int) -> None:
        if self.fault.kind == "error_after":
            raise ProviderError(
                ErrorKind.SERVER,
                f"The mock provider failed after {index} tokens (injected fault).",
                hint="Retry or regenerate.",
            )
        if self.fault.kind == "stall_after":
            await asyncio.Event().wait()  # never set: the service's idle timeout ends it

    async def aclose(self) -> None:
        return None


def _prompt_tokens(request: ChatRequest) -> int:
    return sum(len(m.content) // 4 + 4 for m in request.messages)


def _instructed(request: ChatRequest) -> bool:
    """A summary's or a title's request (answered without looking at attachments)."""
    instructions = request.messages[0].content if request.messages else ""
    return instructions in (SUMMARY_INSTRUCTIONS, TITLE_INSTRUCTIONS)


async def _answer_with_attachments(request: ChatRequest) -> MockAnswer:
    """The answer, led by what the mock makes of the files attached to the question."""
    answer = _answer_to(request)
    asked = next((m for m in reversed(request.messages) if m.role == "user"), None)
    if asked is None or "<attachment " not in asked.content or _instructed(request):
        return answer
    seen = await asyncio.to_thread(describe_attachments, asked)
    answer = mock_answer(without_fences(asked.content) or "these files", request.model)
    return MockAnswer(f"{seen}\n\n{answer.text}" if seen else answer.text, answer.reasoning)


def _answer_to(request: ChatRequest) -> MockAnswer:
    researched = research_answer(request)
    if researched is not None:
        return MockAnswer(researched, "")
    remembered = answer_about_memory(request)
    if remembered is not None:
        return MockAnswer(remembered, "")
    quoted = answer_from_web(request) or answer_with_results(request)
    if quoted is not None:
        return MockAnswer(quoted, "")
    prompt = next((m.content for m in reversed(request.messages) if m.role == "user"), "")
    instructions = request.messages[0].content if request.messages else ""
    if instructions == SUMMARY_INSTRUCTIONS:
        return MockAnswer(mock_summary(prompt, request.max_output_tokens), "")
    if instructions == TITLE_INSTRUCTIONS:
        return MockAnswer(mock_title(prompt), "")
    cited = answer_from_passages(request)
    if cited is not None:
        return MockAnswer(cited, "")
    answer = mock_answer(prompt, request.model)
    return MockAnswer(led_by_memories(request, answer.text), answer.reasoning)


class _Pace:
    """Sleeps so tokens come out at a steady rate without drift; 0 means as fast as possible."""

    def __init__(self, tokens_per_second: float) -> None:
        self._interval = 1 / tokens_per_second if tokens_per_second > 0 else 0.0
        self._next = 0.0
        self._count = 0

    async def first_token(self) -> None:
        loop = asyncio.get_running_loop()
        if self._interval:
            await asyncio.sleep(_FIRST_TOKEN_DELAY)
        self._next = loop.time()

    async def next_token(self) -> None:
        self._count += 1
        if not self._interval:
            if self._count % 64 == 0:
                await asyncio.sleep(0)  # let the rest of the app breathe
            return
        self._next += self._interval
        delay = self._next - asyncio.get_running_loop().time()
        if delay > 0:
            await asyncio.sleep(delay)
