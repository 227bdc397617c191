"""A real OpenAI-compatible embeddings endpoint on 127.0.0.1, for the embedding tests.

It is sse_server's `FakeOpenAI` (the same recording, key check and scripted statuses), whose
default reply to POST /v1/embeddings is one `vector_for` each input of the request just
received, in order. A test queues `embeddings_reply(...)` to script a reply that misbehaves:
shuffled items, vectors of its choosing (NaN included: Python's JSON writes and reads `NaN`),
items left out.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from tests.core.sse_server import FakeOpenAI, Reply

DIMENSION = 8


def vector_for(text: str, size: int = DIMENSION) -> list[float]:
    """A vector that tells its text apart (from its CRC-32), exact in JSON."""
    seed = zlib.crc32(text.encode())
    return [place + ((seed >> place) & 0xFF) / 256 for place in range(size)]


def embeddings_reply(
    texts: Sequence[str],
    *,
    vectors: Sequence[object] | None = None,
    shuffled: bool = False,
) -> Reply:
    """The server's answer for `texts`: `vectors` (any JSON value each) or `vector_for` each
    text, every item keeping its index; `shuffled` sends the items in another order."""
    sent = list(vectors) if vectors is not None else [vector_for(text) for text in texts]
    items = [
        {"object": "embedding", "index": index, "embedding": vector}
        for index, vector in enumerate(sent)
    ]
    if shuffled:
        items = items[1:] + items[:1]  # the first last: no item stays where it was
    body = {
        "object": "list",
        "data": items,
        "model": "embedder",
        "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)},
    }
    return Reply(json_body=body)


class FakeEmbeddings(FakeOpenAI):
    """Queued replies first, then `vector_for` each input. The default reply reads the request
    just recorded, so requests must come one at a time, as `embeddings.embed` sends them."""

    def next_reply(self) -> Reply:
        if self.replies:
            return self.replies.popleft()
        texts = self.requests[-1].body.get("input", [])
        return embeddings_reply(texts)

    def inputs(self) -> list[list[str]]:
        """The texts of each embeddings request received, in order."""
        return [r.body["input"] for r in self.requests if r.path.endswith("/embeddings")]
