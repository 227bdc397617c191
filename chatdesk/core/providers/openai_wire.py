"""What chatdesk sends to an OpenAI-compatible server and how it reads the stream back: the
request's arguments (messages with their tool calls and results, the tools offered), and the
chunks as stream events, a tool call's pieces joined."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chatdesk.core.providers.base import (
    ChatMessage,
    ChatRequest,
    Finished,
    ImagePart,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallStarted,
    UsageReport,
)
from chatdesk.core.providers.profiles import ProviderProfile

if TYPE_CHECKING:
    from openai.types import CompletionUsage
    from openai.types.chat import ChatCompletionChunk
    from openai.types.chat.chat_completion_chunk import ChoiceDeltaToolCall


def request_arguments(request: ChatRequest, profile: ProviderProfile) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "model": request.model,
        "messages": [_sent(m) for m in request.messages],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if request.tools:
        arguments["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": dict(tool.parameters),
                },
            }
            for tool in request.tools
        ]
    if request.temperature is not None:
        arguments["temperature"] = request.temperature
    if request.max_output_tokens is not None:
        # OpenAI's reasoning models refuse the older name; most other servers know only it.
        name = "max_completion_tokens" if profile.host == "api.openai.com" else "max_tokens"
        arguments[name] = request.max_output_tokens
    return arguments


def _sent(message: ChatMessage) -> dict[str, Any]:
    sent: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.images:  # the text, then each image inline as a data URL (nothing is fetched)
        sent["content"] = [{"type": "text", "text": message.content}] + [
            {"type": "image_url", "image_url": {"url": data_url(image), "detail": "high"}}
            for image in message.images
        ]
    if message.tool_calls:
        sent["content"] = message.content or None  # a round may hold calls and no text
        sent["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in message.tool_calls
        ]
    if message.tool_call_id is not None:
        sent["tool_call_id"] = message.tool_call_id
    return sent


def data_url(image: ImagePart) -> str:
    return f"data:{image.mime};base64," + base64.b64encode(image.data).decode("ascii")


@dataclass
class _PendingCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)
    announced: bool = False


class ChunkReader:
    """A stream's chunks as events. A tool call arrives in pieces (its id and name first, its
    arguments split over many chunks), several calls interleaved by their index: the pieces
    are joined here and the calls given out, in index order, just before the stream's finish.
    A stream cut off before its finish gives out none, so a half-written call never runs."""

    def __init__(self) -> None:
        self._calls: dict[int, _PendingCall] = {}

    def events(self, chunk: ChatCompletionChunk) -> Iterator[StreamEvent]:
        for choice in chunk.choices[:1]:  # one answer is asked for; extra choices are ignored
            delta = choice.delta
            if delta is not None:
                reasoning = _reasoning_of(delta.model_extra or {})
                if reasoning:
                    yield ReasoningDelta(reasoning)
                if delta.content:
                    yield TextDelta(delta.content)
                for piece in delta.tool_calls or ():
                    yield from self._take(piece)
            if choice.finish_reason:
                yield from self._finished_calls()
                yield Finished(choice.finish_reason)
        if chunk.usage is not None:
            yield _usage_of(chunk.usage)

    def _take(self, piece: ChoiceDeltaToolCall) -> Iterator[StreamEvent]:
        call = self._calls.setdefault(piece.index, _PendingCall())
        call.id = call.id or piece.id or ""
        function = piece.function
        if function is not None:
            call.name = call.name or function.name or ""
            if function.arguments:
                call.arguments.append(function.arguments)
        if call.name and not call.announced:
            call.announced = True
            yield ToolCallStarted(call.id or f"call_{piece.index}", call.name)

    def _finished_calls(self) -> Iterator[ToolCall]:
        for index in sorted(self._calls):
            call = self._calls[index]
            # Some local servers send no id: the call is still answered, by this one.
            yield ToolCall(call.id or f"call_{index}", call.name, "".join(call.arguments))
        self._calls.clear()


def _reasoning_of(extra: Mapping[str, object]) -> str:
    # Not in OpenAI's schema: DeepSeek and vLLM say `reasoning_content`, others `reasoning`.
    for name in ("reasoning_content", "reasoning"):
        value = extra.get(name)
        if isinstance(value, str) and value:
            return value
    return ""


def _usage_of(usage: CompletionUsage) -> UsageReport:
    prompt_details = usage.prompt_tokens_details
    completion_details = usage.completion_tokens_details
    return UsageReport(
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cached_tokens=prompt_details.cached_tokens if prompt_details else None,
        reasoning_tokens=completion_details.reasoning_tokens if completion_details else None,
    )
