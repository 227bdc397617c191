"""The contract between the chat service and any model provider.

A provider turns a `ChatRequest` into an async stream of `StreamEvent`s and ends it with
`Finished`. A stream that stops without `Finished` was cut off. Failures are raised as
`ProviderError` with a `kind` the UI can explain and a hint about what to do.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr


@dataclass(frozen=True)
class ToolCall:
    """The model asks for a tool. `arguments` is the JSON text as the model wrote it: it may
    be malformed, and is checked where the call is run, not here."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class ImagePart:
    """An image sent with a user message: its size, and its bytes (read from the blob store
    just before the request is sent; empty until then)."""

    mime: str
    sha256: str
    width: int
    height: int
    data: bytes = dataclasses.field(default=b"", repr=False)


@dataclass(frozen=True)
class ChatMessage:
    role: str  # "system" | "user" | "assistant" | "tool"
    content: str
    tool_calls: tuple[ToolCall, ...] = ()  # an assistant's calls in one round
    tool_call_id: str | None = None  # a "tool" message: the call it answers
    images: tuple[ImagePart, ...] = ()  # a user message's attached images, after its text


@dataclass(frozen=True, eq=False)
class ToolSpec:
    """A tool offered to the model: its name as the model sees it, what it does, and the JSON
    schema of its arguments (an object schema)."""

    name: str
    description: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: tuple[ChatMessage, ...]
    temperature: float | None = None
    max_output_tokens: int | None = None
    tools: tuple[ToolSpec, ...] = ()


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True)
class UsageReport:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_tokens: int | None = None
    reasoning_tokens: int | None = None


@dataclass(frozen=True)
class Finished:
    reason: str = "stop"  # "stop" | "length" | "content_filter" | ...


@dataclass(frozen=True)
class Waiting:
    """The request waits `seconds` before it starts (the client-side rate limit); not an
    error, and the wait does not count as the provider being silent."""

    seconds: float
    reason: str


@dataclass(frozen=True)
class Accepted:
    """The server took the request and its answer's stream is open: what comes next is the
    model's (a provider that cannot tell need not say it)."""


@dataclass(frozen=True)
class ToolCallStarted:
    """The model has begun writing a call to `name` (its arguments are still arriving)."""

    id: str
    name: str


StreamEvent = (
    TextDelta
    | ReasoningDelta
    | UsageReport
    | Finished
    | Waiting
    | Accepted
    | ToolCallStarted
    | ToolCall
)


class ErrorKind(enum.StrEnum):
    AUTH = "auth"
    PERMISSION = "permission"
    NOT_FOUND = "not_found"
    RATE_LIMIT = "rate_limit"
    QUOTA = "quota"
    SERVER = "server"
    CONNECTION = "connection"
    TIMEOUT = "timeout"
    STALLED = "stalled"
    PROTOCOL = "protocol"
    CUT_OFF = "cut_off"
    BAD_REQUEST = "bad_request"
    CONVERSATION_TOO_LONG = "conversation_too_long"  # the server's context window is full


_RETRYABLE = {ErrorKind.RATE_LIMIT, ErrorKind.SERVER, ErrorKind.CONNECTION, ErrorKind.TIMEOUT}


class ProviderError(ChatdeskError):
    def __init__(
        self, kind: ErrorKind, message: str, *, hint: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.hint = hint
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Worth trying again automatically (only ever before the first token)."""
        return self.kind in _RETRYABLE

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} {self.hint}".strip()


class Provider(Protocol):
    name: str

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Stream the answer to `request`. Cancelling the iteration must stop the request."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


def cost_of(provider: Provider | None, usage: UsageReport | None) -> float | None:
    """What `usage` cost at `provider`'s prices, when both are known (a provider may have a
    `cost(usage)`; the mock has none)."""
    price = getattr(provider, "cost", None)
    return price(usage) if usage is not None and callable(price) else None


class Providers:
    """The configured providers by name."""

    def __init__(self, providers: dict[str, Provider]) -> None:
        self._providers = dict(providers)

    def get(self, name: str) -> Provider:
        try:
            return self._providers[name]
        except KeyError:
            known = ", ".join(sorted(self._providers)) or tr("none")
            raise ProviderError(
                ErrorKind.NOT_FOUND,
                tr(
                    "no provider named {name} is configured (configured: {known}).",
                    name=repr(name),
                    known=known,
                ),
            ) from None

    def names(self) -> list[str]:
        return sorted(self._providers)

    def __contains__(self, name: str) -> bool:
        return name in self._providers

    def put(self, provider: Provider) -> Provider | None:
        """Add `provider` under its name; returns the one it replaces, for the caller to close."""
        previous = self._providers.get(provider.name)
        self._providers[provider.name] = provider
        return previous

    def pop(self, name: str) -> Provider | None:
        return self._providers.pop(name, None)

    async def aclose(self) -> None:
        for provider in self._providers.values():
            await provider.aclose()
