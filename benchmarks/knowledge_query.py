"""a knowledge base of 100,000 passages with vectors searched: fused p95 < 50 ms.

The base (quick: 10,000 passages): documents of prose chained from the standard library's
docstrings (`benchmarks.search.Prose`, 2-12 paragraphs per section, 3-120 passages per
document), cut by `chunks_of` as indexing cuts them, each passage with its mock-embed vector
(256 dimensions, `pack(mock_vector(text))`) under the base's model. They are written straight
into the tables (10,000 passages per transaction, the FTS5 index kept by its triggers), not
indexed from files: `knowledge_index` measures that.

chatdesk: `Knowledge.search([base], question)` as a chat asks it (the default 8 passages):
the question's words ranked by BM25 through FTS5, the question embedded by the mock and
compared with every vector of the base (one matrix product), the two fused by reciprocal rank
and the passages read with their documents. The first search loads the base's matrix: it is
shown apart, not counted. Then 200 questions (quick: 50) of 2 to 40 words, in turns with the
baseline: p50 and p95. Then the base's model is cleared (keywords only) and the same
questions asked again.

Bare, same run, same file: sqlite3 `SELECT rowid FROM knowledge_fts WHERE knowledge_fts MATCH
? ORDER BY bm25(knowledge_fts) LIMIT 50` with the question's words (`telling`), plus numpy's
product of the same matrix (loaded once) with the question's vector and the best 50 picked
(the question embedded beforehand: the mock's embedding time is shown on a line of its own).
"""

from __future__ import annotations

import asyncio
import functools
import random
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert

from benchmarks.common import (
    INFO,
    Target,
    percentile,
    raw_connect,
    report,
    running_core,
    timed_call,
)
from benchmarks.search import Prose
from chatdesk.app import Core
from chatdesk.core import matrices
from chatdesk.core.knowledge.chunking import Chunk, chunks_of
from chatdesk.core.knowledge.index import CHUNK_INDEX
from chatdesk.core.knowledge.retrieval import DEPTH, pack
from chatdesk.core.providers.mock_embed import MOCK_EMBEDDING_MODEL, mock_vector
from chatdesk.core.store.models import KnowledgeChunk, KnowledgeDocument, KnowledgeSource, Role
from chatdesk.core.words import telling

np = matrices.numpy()  # as chatdesk loads it (its BLAS on one thread)

P95 = Target("< 50 ms", 50.0)
KEY = f"mock/{MOCK_EMBEDDING_MODEL}"
BATCH = 10_000
DOCUMENTS = cast(Table, KnowledgeDocument.__table__)
CHUNKS = cast(Table, KnowledgeChunk.__table__)
BARE = "bare FTS5 + numpy"
BARE_FTS = f"SELECT rowid FROM {CHUNK_INDEX} WHERE {CHUNK_INDEX} MATCH ? ORDER BY bm25({CHUNK_INDEX}) LIMIT {DEPTH}"  # noqa: E501


def run(workdir: Path, quick: bool) -> None:
    asyncio.run(_measure(workdir, 10_000 if quick else 100_000, 50 if quick else 200))


async def _measure(workdir: Path, passages: int, asked: int) -> None:
    prose = Prose(seed=11, sentences=80_000)
    async with running_core(workdir / "home") as core:
        knowledge = core.service.knowledge
        base = await knowledge.create("query")
        await knowledge.set_embedding(base.id, "mock", MOCK_EMBEDDING_MODEL)
        await knowledge.index(base.id)  # the (empty) pass that the model's change starts
        started = time.perf_counter()
        documents = _fill(core, base.id, prose, passages)
        print(
            f"      ({passages:,} passages with {KEY} vectors in {documents:,} documents, made "
            f"and written in {time.perf_counter() - started:.0f} s)"
        )
        questions = _questions(prose, asked)
        bare = raw_connect(core.insides.store.path)
        loading, matrix = timed_call(functools.partial(_matrix, bare))
        first, _ = await _timed_search(core, base.id, "How is the first question answered?")
        chatdesk, fts, product, embedding = [], [], [], []
        for question in questions:
            chatdesk.append((await _timed_search(core, base.id, question))[0])
            embedded, vector = timed_call(functools.partial(_embedded, question))
            embedding.append(embedded)
            fts.append(timed_call(functools.partial(_bare_fts, bare, question))[0])
            product.append(timed_call(functools.partial(_nearest, matrix, vector))[0])
        await knowledge.set_embedding(base.id, None, None)
        keyword, fts_again = [], []
        for question in questions:
            keyword.append((await _timed_search(core, base.id, question))[0])
            fts_again.append(timed_call(functools.partial(_bare_fts, bare, question))[0])
        bare.close()
    both = [a + b for a, b in zip(fts, product, strict=True)]
    print(f"      ({len(questions)} questions of 2-40 words, each once, in turns with bare)")
    report(
        "first search (loads the matrix)", first, loading, "ms", INFO, bare="bare SELECT + numpy"
    )
    report(
        "search, fused, p50", percentile(chatdesk, 50), percentile(both, 50), "ms", INFO, bare=BARE
    )
    report(
        "search, fused, p95", percentile(chatdesk, 95), percentile(both, 95), "ms", P95, bare=BARE
    )
    for label, q in (("p50", 50), ("p95", 95)):
        report(f"bare parts: FTS5 {label}", percentile(fts, q), None, "ms", INFO)
        report(f"bare parts: numpy product {label}", percentile(product, q), None, "ms", INFO)
    report("the question embedded by the mock, p50", percentile(embedding, 50), None, "ms", INFO)
    report(
        "search, keywords only, p50",
        percentile(keyword, 50),
        percentile(fts_again, 50),
        "ms",
        INFO,
        bare="bare FTS5",
    )
    report(
        "search, keywords only, p95",
        percentile(keyword, 95),
        percentile(fts_again, 95),
        "ms",
        P95,
        bare="bare FTS5",
    )


async def _timed_search(core: Core, base_id: uuid.UUID, question: str) -> tuple[float, int]:
    start = time.perf_counter()
    found = await core.service.knowledge.search([base_id], question)
    return (time.perf_counter() - start) * 1000, len(found)


# -- the base ------------------------------------------------------------------------------------


def _fill(core: Core, base_id: uuid.UUID, prose: Prose, passages: int) -> int:
    """Documents and their passages, with vectors, written 10,000 passages per transaction;
    returns how many documents."""
    rng = random.Random(5)
    source_id = uuid.uuid4()
    now = datetime.now(UTC)
    core.insides.store.write_now(
        lambda s: s.add(
            KnowledgeSource(
                id=source_id, base_id=base_id, path="/notes", include="", exclude="", added_at=now
            )
        )
    )
    documents: list[dict[str, Any]] = []
    chunks: list[dict[str, Any]] = []
    made = 0
    for n, text in enumerate(_documents(prose, rng)):
        document_id = uuid.uuid4()
        cut = list(chunks_of(text))[: passages - made]
        made += len(cut)
        documents.append(_document_row(document_id, base_id, source_id, n, text, len(cut), now))
        chunks += (_chunk_row(document_id, base_id, position, c) for position, c in enumerate(cut))
        if len(chunks) >= BATCH or made >= passages:
            _write(core, documents, chunks)
            documents, chunks = [], []
        if made >= passages:
            return n + 1
    raise AssertionError("unreachable")


def _write(core: Core, documents: list[dict[str, Any]], chunks: list[dict[str, Any]]) -> None:
    def write(session: Any) -> None:
        session.execute(insert(DOCUMENTS), documents)
        session.execute(insert(CHUNKS), chunks)

    core.insides.store.write_now(write)


def _documents(prose: Prose, rng: random.Random) -> Iterator[str]:
    while True:
        sections = []
        for _ in range(rng.choice((1, 1, 2, 3, 5, 10, 20))):
            title = " ".join(prose.message(Role.USER).split()[:6]).rstrip(".?!")
            body = "\n\n".join(prose.message(Role.ASSISTANT) for _ in range(rng.randint(2, 12)))
            sections.append(f"## {title}\n\n{body}")
        yield "\n\n".join(sections)


def _document_row(
    document_id: uuid.UUID,
    base_id: uuid.UUID,
    source_id: uuid.UUID,
    n: int,
    text: str,
    chunks: int,
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": document_id,
        "base_id": base_id,
        "source_id": source_id,
        "path": f"/notes/folder {n % 20}/note {n}.md",
        "size": len(text.encode()),
        "mtime_ns": 0,
        "sha256": f"{n:064x}",
        "mime": "text/markdown",
        "pages": None,
        "text": text,
        "note": None,
        "error": None,
        "chunks": chunks,
        "indexed_at": now,
    }


def _chunk_row(
    document_id: uuid.UUID, base_id: uuid.UUID, position: int, chunk: Chunk
) -> dict[str, Any]:
    return {
        "document_id": document_id,
        "base_id": base_id,
        "position": position,
        "start": chunk.start,
        "end": chunk.end,
        "location": chunk.location[:500],
        "text": chunk.text,
        "vector": pack(mock_vector(chunk.text)),
        "vector_model": KEY,
    }


def _questions(prose: Prose, count: int) -> list[str]:
    """Questions of 2 to 40 words, as people ask them (a few words, a sentence, a paragraph)."""
    rng = random.Random(9)
    asked = []
    for n in range(count):
        words = " ".join(prose.message(Role.ASSISTANT).split("\n\n")).split()
        length = (2, 3, 5, 8, 12, 20, 40)[n % 7]
        start = rng.randint(0, max(0, len(words) - length))
        asked.append(" ".join(words[start : start + length]).rstrip(".?!") + "?")
    return asked


# -- bare ----------------------------------------------------------------------------------------


def _matrix(connection: sqlite3.Connection) -> np.ndarray[Any, Any]:
    rows = connection.execute(
        "SELECT id, vector FROM knowledge_chunks WHERE vector IS NOT NULL ORDER BY id"
    ).fetchall()
    return np.frombuffer(b"".join(v for _, v in rows), dtype="<f4").reshape(len(rows), -1)


def _embedded(question: str) -> bytes:
    return pack(mock_vector(question))


def _bare_fts(connection: sqlite3.Connection, question: str) -> list[int]:
    words = telling(question)
    if not words:
        return []
    query = " OR ".join(f'"{word}"' for word in words)  # every word, ranked: the plain way
    return [rowid for (rowid,) in connection.execute(BARE_FTS, (query,))]


def _nearest(matrix: np.ndarray[Any, Any], vector: bytes) -> np.ndarray[Any, Any]:
    scores = matrix @ np.frombuffer(vector, dtype="<f4")
    best = np.argpartition(-scores, DEPTH - 1)[:DEPTH]
    return best[np.argsort(-scores[best], kind="stable")]
