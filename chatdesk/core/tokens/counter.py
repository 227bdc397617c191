"""Counting texts and chat requests for a model, exactly when possible, never waiting on a load."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from chatdesk.core.tokens.estimate import estimate_tokens
from chatdesk.core.tokens.models import encoding_for_model
from chatdesk.core.tokens.process import CountingProcess

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


@dataclass(frozen=True)
class Counted:
    """A batch's counts, all made one way: with `encoding` itself (tiktoken), or priced for it
    by the estimator (`by_estimator`: not loaded yet, no local copy, or the counting process
    failed meanwhile)."""

    tokens: tuple[int, ...]
    encoding: str
    by_estimator: bool
    exact: bool  # the encoding is the model's own tokenizer

    @property
    def estimated(self) -> bool:
        return self.by_estimator or not self.exact


class MessageLike(Protocol):
    """A chat message (`chatdesk.core.providers.base.ChatMessage` is one). A `name` attribute,
    if it has one and it is set, is counted as the chat format counts names."""

    @property
    def role(self) -> str: ...

    @property
    def content(self) -> str: ...


class Tokenizers(Protocol):
    """Where tiktoken runs: a child process (`CountingProcess`, the app's) or this one
    (`Encodings`, for tests and benchmarks); encodings are named ("o200k_base")."""

    def load(self, name: str) -> object: ...

    def ready(self, name: str) -> bool: ...

    def loaded(self, name: str) -> bool: ...

    def count(self, name: str, texts: Sequence[str]) -> list[int] | None: ...

    def close(self) -> None: ...


class TokenCounter:
    """Counts tokens for any model name; thread-safe.

    Counting never loads an encoding: until `load(model)` has run (in a worker thread) for the
    model's encoding, or when no local copy of it exists, counts are estimates. By default
    tiktoken runs in a child process started by the first `load` (`process.py`); counting then
    waits for its answer (a 10,000-message thread: ~0.2 s), so count off the GUI thread too,
    and count a batch in one call (`count_texts`, `count_each`) rather than text by text.
    """

    def __init__(self, encodings: Tokenizers | None = None) -> None:
        self._tokenizers = encodings if encodings is not None else CountingProcess()

    def load(self, model: str) -> bool:
        """Load the encoding `model` is counted with; blocks (~0.3–0.5 s the first time), so
        run it off the GUI thread. False when no local copy exists: counts stay estimates."""
        name = encoding_for_model(model).encoding
        self._tokenizers.load(name)
        return self._tokenizers.loaded(name)

    def ready(self, model: str) -> bool:
        """True once loading `model`'s encoding has finished, found or not; never blocks."""
        return self._tokenizers.ready(encoding_for_model(model).encoding)

    def loaded(self, model: str) -> bool:
        """True while `model` is counted with its encoding rather than by the estimator."""
        return self._tokenizers.loaded(encoding_for_model(model).encoding)

    def close(self) -> None:
        """Stop the counting process, if any; counts are estimates from then on."""
        self._tokenizers.close()

    def count_text(self, model: str, text: str) -> TokenCount:
        return self.count_texts(model, [text])[0]

    def count_texts(self, model: str, texts: Sequence[str]) -> list[TokenCount]:
        counted = self._count(model, texts)
        return [TokenCount(tokens, counted.estimated) for tokens in counted.tokens]

    def count_message(self, model: str, message: MessageLike) -> TokenCount:
        """One message as it stands in a request, its wrapping included (not the reply
        priming, which a request pays once: see `count_messages`)."""
        counted = self.count_each(model, [message])
        return TokenCount(counted.tokens[0], counted.estimated)

    def count_messages(self, model: str, messages: Iterable[MessageLike]) -> TokenCount:
        """The prompt tokens of a chat request made of `messages`."""
        counted = self.count_each(model, messages)
        return TokenCount(REPLY_PRIMING + sum(counted.tokens), counted.estimated)

    def count_each(self, model: str, messages: Iterable[MessageLike]) -> Counted:
        """Each message as `count_message` counts it, in one batch."""
        # Flat lists, no object per message: a 10,000-message batch allocates a handful of
        # containers, not enough to set off the garbage collector's full pass (which stops
        # every thread, the GUI's too).
        messages = list(messages)
        names = [_name(message) for message in messages]
        texts = [m.role for m in messages] + [m.content for m in messages] + names
        counted = self._count(model, texts)
        n, each = len(messages), counted.tokens
        named = [TOKENS_PER_NAME + each[2 * n + i] if name else 0 for i, name in enumerate(names)]
        tokens = tuple(TOKENS_PER_MESSAGE + each[i] + each[n + i] + named[i] for i in range(n))
        return Counted(tokens, counted.encoding, counted.by_estimator, counted.exact)

    def _count(self, model: str, texts: Sequence[str]) -> Counted:
        choice = encoding_for_model(model)
        name = choice.encoding
        distinct = [text for text in dict.fromkeys(texts) if text]  # roles repeat, "" costs 0
        measured = None
        if self._tokenizers.loaded(name):
            measured = self._tokenizers.count(name, distinct) if distinct else []
        by_estimator = measured is None  # not loaded, or the counting process failed
        if measured is None:
            measured = [estimate_tokens(text, name) for text in distinct]
        by_text = dict(zip(distinct, measured, strict=True))
        by_text[""] = 0
        return Counted(tuple(by_text[text] for text in texts), name, by_estimator, choice.exact)


def _name(message: MessageLike) -> str:
    name = getattr(message, "name", None)
    return name if isinstance(name, str) else ""
