"""Counting texts and chat requests for a model, exactly when possible, never blocking."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from chatdesk.core.tokens.estimate import estimate_tokens
from chatdesk.core.tokens.loader import Encodings
from chatdesk.core.tokens.models import encoding_for_model

if TYPE_CHECKING:
    import tiktoken

# OpenAI's chat format (see the package docstring): every message is wrapped in
# <|start|>{role}<|message|>{content}<|end|>, a name adds one token beside its own text, and the
# reply is primed with <|start|>assistant<|message|>.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3


@dataclass(frozen=True)
class TokenCount:
    """A number of tokens; `estimated` when it is not the model's own tokenizer's exact count."""

    tokens: int
    estimated: bool

    def __add__(self, other: TokenCount) -> TokenCount:
        return TokenCount(self.tokens + other.tokens, self.estimated or other.estimated)


class MessageLike(Protocol):
    """A chat message (`chatdesk.core.providers.base.ChatMessage` is one). A `name` attribute,
    if it has one and it is set, is counted as the chat format counts names."""

    @property
    def role(self) -> str: ...

    @property
    def content(self) -> str: ...


@dataclass(frozen=True)
class _Meter:
    count: Callable[[str], int]
    estimated: bool


class TokenCounter:
    """Counts tokens for any model name; thread-safe.

    Counting never loads an encoding: until `load(model)` has run (in a worker thread) for the
    model's encoding, or when no local copy of it exists, counts are estimates.
    """

    def __init__(self, encodings: Encodings | None = None) -> None:
        self._encodings = encodings or Encodings()

    def load(self, model: str) -> bool:
        """Load the encoding `model` is counted with; blocks (~0.3–0.5 s the first time), so
        run it off the GUI thread. False when no local copy exists: counts stay estimates."""
        return self._encodings.load(encoding_for_model(model).encoding) is not None

    def ready(self, model: str) -> bool:
        """True once loading `model`'s encoding has finished, found or not; never blocks."""
        return self._encodings.ready(encoding_for_model(model).encoding)

    def count_text(self, model: str, text: str) -> TokenCount:
        meter = self._meter(model)
        return TokenCount(meter.count(text), meter.estimated)

    def count_message(self, model: str, message: MessageLike) -> TokenCount:
        """One message as it stands in a request, its wrapping included (not the reply
        priming, which a request pays once: see `count_messages`)."""
        meter = self._meter(model)
        return TokenCount(_message_tokens(meter, message), meter.estimated)

    def count_messages(self, model: str, messages: Iterable[MessageLike]) -> TokenCount:
        """The prompt tokens of a chat request made of `messages`."""
        meter = self._meter(model)
        tokens = REPLY_PRIMING + sum(_message_tokens(meter, message) for message in messages)
        return TokenCount(tokens, meter.estimated)

    def _meter(self, model: str) -> _Meter:
        choice = encoding_for_model(model)
        encoding = self._encodings.get(choice.encoding)
        if encoding is None:
            return _Meter(lambda text: estimate_tokens(text, choice.encoding), estimated=True)
        return _Meter(_tiktoken_counter(encoding), estimated=not choice.exact)


def _tiktoken_counter(encoding: tiktoken.Encoding) -> Callable[[str], int]:
    # encode_ordinary: text that looks like a special token ("<|endoftext|>") is counted as the
    # plain text it is, as the API does with message content, instead of raising.
    return lambda text: len(encoding.encode_ordinary(text))


def _message_tokens(meter: _Meter, message: MessageLike) -> int:
    tokens = TOKENS_PER_MESSAGE + meter.count(message.role) + meter.count(message.content)
    name = getattr(message, "name", None)
    if isinstance(name, str) and name:
        tokens += TOKENS_PER_NAME + meter.count(name)
    return tokens
