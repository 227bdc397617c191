"""Text embeddings through a provider, checked before a knowledge base keeps them.

A provider that can make embeddings has `async embed(model, texts) -> list[list[float]]` and,
when it knows them, `embedding_models`; the mock and the OpenAI-compatible provider do. This
module is what the knowledge indexer calls: it sends the texts in batches and refuses, as an
`EmbeddingFailed` that says what to do, anything a vector index must not hold: a missing or
extra vector, vectors of different sizes or of another size than the index's, numbers that are
not finite. Texts are never logged; API keys never reach a message (the provider scrubs what
the server says).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.core.providers.base import ErrorKind, ProviderError

log = logging.getLogger("chatdesk.embeddings")

# Texts per request: far below what servers accept (OpenAI takes 2,048 inputs), small enough
# that a knowledge base's passages of about a thousand characters stay well under the tokens
# a request may hold, and that one failure costs little to redo.
BATCH = 64

_NUMBERS = frozenset({float, int})
_MEANWHILE = mark("Until then the knowledge base is searched by its words only.")


class EmbeddingFailed(ChatdeskError):
    """The texts could not be turned into vectors. Keyword retrieval goes on meanwhile, which
    the message says. `kind` and `retry_after` are the provider's, when it refused or failed
    (None when the vectors it sent back were refused here)."""

    def __init__(
        self, message: str, *, kind: ErrorKind | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{message} {tr(_MEANWHILE)}")
        self.kind = kind
        self.retry_after = retry_after


def can_embed(provider: object) -> bool:
    """Whether `provider` can be asked for embeddings at all (whatever its models)."""
    return callable(getattr(provider, "embed", None))


def embedding_models(provider: object) -> tuple[str, ...]:
    """The embedding models `provider` is known to offer; () when it cannot tell, as an
    OpenAI-compatible server cannot, or when it makes no embeddings."""
    if not can_embed(provider):
        return ()
    models = getattr(provider, "embedding_models", ())
    return tuple(model for model in models if isinstance(model, str))


async def embed(
    provider: object, model: str, texts: Sequence[str], *, dimension: int | None = None
) -> list[list[float]]:
    """One vector per text, in order, all of one size: `dimension` when given (the size the
    knowledge base already holds), else whatever the model makes.

    An empty text is sent as a single space: servers refuse empty input (OpenAI with a 400),
    and a blank passage should still get a vector so the counts line up.
    """
    if isinstance(texts, str):  # a str is a Sequence[str] too: one text per character
        raise TypeError("embed() takes a sequence of texts, not one text")
    name = _name(provider)
    method = getattr(provider, "embed", None)
    if not callable(method):
        raise EmbeddingFailed(
            tr(
                "{name} cannot make embeddings. Choose a provider that offers an embedding model "
                "for the knowledge base.",
                name=name,
            )
        )
    vectors: list[list[float]] = []
    size = dimension
    for start in range(0, len(texts), BATCH):
        batch = [text or " " for text in texts[start : start + BATCH]]
        try:
            reply: object = await method(model, batch)
        except ProviderError as error:
            log.info("embeddings from %s with %s failed: %s", name, model, error.kind.value)
            raise EmbeddingFailed(
                tr(
                    "Could not make embeddings with {model} on {name}: {error}",
                    model=model,
                    name=name,
                    error=error,
                ),
                kind=error.kind,
                retry_after=error.retry_after,
            ) from error
        source = tr("{model} on {name}", model=model, name=name)
        checked = _checked(reply, len(batch), source)
        size = _same_size(checked, size, source, dimension)
        vectors.extend(checked)
    return vectors


def _name(provider: object) -> str:
    name = getattr(provider, "name", None)
    return name if isinstance(name, str) and name else type(provider).__name__


def _checked(reply: object, count: int, source: str) -> list[list[float]]:
    """`reply` as `count` non-empty vectors of finite floats, or EmbeddingFailed."""
    if not isinstance(reply, list | tuple) or len(reply) != count:
        got = len(reply) if isinstance(reply, list | tuple) else 0
        raise _refused(
            ntr(
                "{source} returned {got} vectors for {n} text.",
                "{source} returned {got} vectors for {n} texts.",
                count,
                source=source,
                got=got,
            ),
            tr("The server is misbehaving; retry, or choose another embedding model."),
        )
    return [_vector(item, source) for item in reply]


def _vector(item: object, source: str) -> list[float]:
    # Checked with C-level calls: a batch holds some 100,000 numbers and this runs on the
    # event loop the window shares. bool is an int to Python, and never a coordinate.
    if not isinstance(item, list | tuple) or not item or not set(map(type, item)) <= _NUMBERS:
        raise _refused(
            tr(
                "{source} returned an empty vector, or one that is not a list of numbers.",
                source=source,
            ),
            tr("Check that the model makes embeddings, or choose another embedding model."),
        )
    try:
        floats = list(map(float, item))
    except OverflowError:  # a JSON integer beyond any float
        floats = [math.inf]
    if not math.isfinite(sum(floats)):  # NaN or infinity anywhere (or numbers near 1e308)
        raise _refused(
            tr(
                "{source} returned a vector holding a value that is not a finite number.",
                source=source,
            ),
            tr("The server or the model is misbehaving; retry, or choose another embedding model."),
        )
    return floats


def _same_size(
    vectors: list[list[float]], size: int | None, source: str, dimension: int | None
) -> int | None:
    """The vectors' one size, checked against `size`: the index's, else the first vector's."""
    for vector in vectors:
        if size is None:
            size = len(vector)
        if len(vector) == size:
            continue
        if dimension is not None:
            raise _refused(
                ntr(
                    "{source} returned vectors of {n} numbers; this knowledge base holds "
                    "vectors of {size}.",
                    "{source} returned vectors of {n} numbers; this knowledge base holds "
                    "vectors of {size}.",
                    len(vector),
                    source=source,
                    size=dimension,
                ),
                tr("Choose the model it was made with, or re-index it with this one."),
            )
        raise _refused(
            ntr(
                "{source} returned vectors of different sizes ({size} and {n} numbers) "
                "for one set of texts.",
                "{source} returned vectors of different sizes ({size} and {n} numbers) "
                "for one set of texts.",
                len(vector),
                source=source,
                size=size,
            ),
            tr("The server is misbehaving; retry, or choose another embedding model."),
        )
    return size


def _refused(message: str, hint: str) -> EmbeddingFailed:
    log.info("embeddings refused: %s", message)  # sizes and names only, never the texts
    return EmbeddingFailed(f"{message} {hint}")
