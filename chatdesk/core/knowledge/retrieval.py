"""Finding the passages that answer a question: keywords through the FTS5 index (always, no
model needed), vectors of the base's embedding model when it has one (a scan of every vector
in memory), and the two rankings fused by reciprocal rank (decision 0028).

Keyword search takes the question's words, without the little words every question has, as
alternatives ranked by BM25: a question is not a query, and requiring every word would find
nothing for most questions. Its rarest words are ranked, as many as keep the work bounded
(`_ranked_query`). Vectors are compared only with vectors of the same model.
"""

from __future__ import annotations

import math
import struct
import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from chatdesk.core import matrices
from chatdesk.core.knowledge import repository as repo
from chatdesk.core.knowledge.index import CHUNK_INDEX
from chatdesk.core.knowledge.model import Passage
from chatdesk.core.words import WORD, folded, telling

if TYPE_CHECKING:
    import numpy

FUSION_K = 60  # reciprocal rank fusion's constant: 1 / (K + rank)
DEPTH = 50  # how far down each ranking is read
MAX_WORDS = 32
COMMON = 1_000  # a word matching more passages than this is ranked only with rarer ones
RANK_AT_MOST = 1_500


def keyword_hits(
    session: Session, base_ids: Sequence[uuid.UUID], question: str, depth: int = DEPTH
) -> list[tuple[int, float]]:
    """The passages that best match the question's words, best first, each with the share of
    the question's words it holds (what its keyword rank is worth in the fusion)."""
    words = telling(question)[:MAX_WORDS]
    chosen = chosen_query(session, words) if words and base_ids else None
    if chosen is None:
        return []
    query, ranked = chosen
    bases = ", ".join(f"'{base_id.hex}'" for base_id in base_ids)  # uuids: no quoting needed
    # Ranked in the index first, then the few best joined to their rows; when other bases'
    # passages took that room, ranked again with every match joined.
    first = _RANKED_FIRST if ranked else _UNRANKED
    found = session.execute(text(first.format(bases=bases)), {"q": query, "n": depth * 4}).all()
    if ranked and len(found) < depth and _count(session, query, depth * 4 + 1) > depth * 4:
        joined = text(_JOINED_FIRST.format(bases=bases))
        found = session.execute(joined, {"q": query, "n": depth}).all()
    wanted = {folded(word) for word in words}
    return [(chunk_id, covered(wanted, passage)) for chunk_id, passage in found[:depth]]


def chosen_query(
    session: Session,
    words: Sequence[str],
    index: str = CHUNK_INDEX,
    *,
    common: int = COMMON,
    rank_at_most: int = RANK_AT_MOST,
) -> tuple[str, bool] | None:
    """The FTS5 query of `index` (the passages', or the memories'), and whether its matches are
    ranked: the question's rarest words as
    alternatives, as many as keep the passages to rank under RANK_AT_MOST (bm25 costs ~15 µs a
    match, and a common word matches most passages), ranked; when every word is common (a
    question of little words), the passages holding all of them, unranked: their words say
    little, and the vectors, when there are any, do the work. None: no word is indexed."""
    counts = sorted(
        (count, word)
        for word in words
        if (count := _count(session, _phrase(word), common + 1, index)) > 0
    )
    if not counts:
        return None
    if counts[0][0] > common:
        return " AND ".join(_phrase(word) for _, word in counts), False
    chosen, total = [], 0
    for count, word in counts:
        if count > common or total + count > rank_at_most:  # counted up to common + 1 only
            break
        chosen.append(word)
        total += count
    return " OR ".join(_phrase(word) for word in chosen), True


def _count(session: Session, query: str, upto: int, index: str = CHUNK_INDEX) -> int:
    """How many rows of `index` match `query`, counted up to `upto` (unranked)."""
    counted = _COUNTED.get(index)
    if counted is None:
        counted = _COUNTED[index] = text(
            f"SELECT count(*) FROM (SELECT rowid FROM {index} WHERE {index} MATCH :q LIMIT :n)"
        )
    return int(session.execute(counted, {"q": query, "n": upto}).scalar_one())


def _phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


_COUNTED: dict[str, TextClause] = {}  # by index
_RANKED_FIRST = (
    f"SELECT c.id, c.text FROM (SELECT rowid, rank FROM {CHUNK_INDEX} "
    f"WHERE {CHUNK_INDEX} MATCH :q ORDER BY rank LIMIT :n) AS f "
    "CROSS JOIN knowledge_chunks AS c ON c.id = f.rowid "
    "WHERE c.base_id IN ({bases}) ORDER BY f.rank"
)
_UNRANKED = (
    f"SELECT c.id, c.text FROM (SELECT rowid FROM {CHUNK_INDEX} WHERE {CHUNK_INDEX} MATCH :q "
    "LIMIT :n) AS f CROSS JOIN knowledge_chunks AS c ON c.id = f.rowid "
    "WHERE c.base_id IN ({bases})"
)
_JOINED_FIRST = (
    f"SELECT c.id, c.text FROM {CHUNK_INDEX} CROSS JOIN knowledge_chunks AS c "
    f"ON c.id = {CHUNK_INDEX}.rowid "
    f"WHERE {CHUNK_INDEX} MATCH :q AND c.base_id IN ({{bases}}) "
    f"ORDER BY bm25({CHUNK_INDEX}) LIMIT :n"
)


def covered(wanted: set[str], passage: str) -> float:
    """The share of the `wanted` words (folded) that `passage` holds."""
    if not wanted:
        return 1.0
    held = set(WORD.findall(folded(passage)))  # folded whole: one pass, not one per word
    return len(wanted & held) / len(wanted)


def pack(vector: Sequence[float]) -> bytes:
    """A vector as stored: unit length, float32, little-endian."""
    norm = math.sqrt(sum(value * value for value in vector)) or 1.0
    return struct.pack(f"<{len(vector)}f", *(value / norm for value in vector))


class Vectors:
    """Each base's vectors of one model as one matrix in memory, made on the first search and
    again after the base's passages change (`changed`), so a search is one multiplication."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation: dict[uuid.UUID, int] = {}
        self._kept: dict[tuple[uuid.UUID, str], tuple[int, Any, Any]] = {}

    def changed(self, base_id: uuid.UUID) -> None:
        with self._lock:
            self._generation[base_id] = self._generation.get(base_id, 0) + 1
            for key in [k for k in self._kept if k[0] == base_id]:
                del self._kept[key]

    def ranking(
        self, session: Session, base_id: uuid.UUID, key: str, query: bytes, depth: int = DEPTH
    ) -> list[int]:
        """The ids of the base's passages nearest to `query` (packed), nearest first."""
        np = matrices.numpy()

        ids, matrix = self._matrix(session, base_id, key)
        wanted = np.frombuffer(query, dtype="<f4")
        if matrix is None or matrix.shape[1] != wanted.shape[0]:
            return []  # another model's size: never compared
        scores = matrix @ wanted
        count = min(depth, scores.shape[0])
        best = np.argpartition(-scores, count - 1)[:count]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [int(chunk_id) for chunk_id in ids[best]]

    def _matrix(
        self, session: Session, base_id: uuid.UUID, key: str
    ) -> tuple[numpy.ndarray[Any, Any], numpy.ndarray[Any, Any] | None]:
        np = matrices.numpy()

        with self._lock:
            generation = self._generation.get(base_id, 0)
            kept = self._kept.get((base_id, key))
            if kept is not None and kept[0] == generation:
                return kept[1], kept[2]
        stored = repo.vectors_of(session, base_id, key)
        sizes = {len(vector) for _, vector in stored}
        if len(sizes) != 1:  # none, or sizes mixed by a server that changed: none compared
            ids, matrix = np.zeros(0, dtype=np.int64), None
        else:
            ids = np.fromiter((chunk_id for chunk_id, _ in stored), dtype=np.int64)
            matrix = np.frombuffer(b"".join(v for _, v in stored), dtype="<f4").reshape(
                len(stored), sizes.pop() // 4
            )
        with self._lock:
            if self._generation.get(base_id, 0) == generation:
                self._kept[base_id, key] = (generation, ids, matrix)
        return ids, matrix


def fused(
    rankings: Sequence[Sequence[tuple[int, float]]], k: int = FUSION_K
) -> list[tuple[int, float]]:
    """Reciprocal rank fusion, weighted: each passage scores weight / (k + rank) in each
    ranking it is in. A keyword hit is weighted by the share of the question's words it holds:
    when no passage holds most of them, the best keyword ranks go to passages that share one
    common word with the question, and unweighted they would push out the passages the vectors
    found."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, (chunk_id, weight) in enumerate(ranking, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def best_passages(
    session: Session,
    vectors: Vectors,
    bases: Sequence[tuple[uuid.UUID, str, str | None]],
    question: str,
    queries: Mapping[str, bytes],
    limit: int,
) -> list[Passage]:
    """The `limit` best passages of `bases` (id, name, model key) for `question`: its keyword
    hits fused with the passages nearest to its vector of each base's model (`queries`)."""
    hits = keyword_hits(session, [base_id for base_id, _, _ in bases], question)
    rankings = [hits]
    nearest: list[int] = []
    for base_id, _, key in bases:
        query = queries.get(key) if key else None
        if key and query is not None:
            ranked = vectors.ranking(session, base_id, key, query)
            rankings.append([(chunk_id, 1.0) for chunk_id in ranked])
            nearest.extend(ranked)
    chosen = fused(rankings)[:limit]
    names = {base_id: name for base_id, name, _ in bases}
    return passages(session, chosen, names, [chunk_id for chunk_id, _ in hits], nearest)


def passages(
    session: Session,
    chosen: Sequence[tuple[int, float]],
    names: dict[uuid.UUID, str],
    keyword: Sequence[int] = (),
    vector: Sequence[int] = (),
) -> list[Passage]:
    """The chosen passages (id and score), in that order, with their documents."""
    if not chosen:
        return []
    ids = [chunk_id for chunk_id, _ in chosen]
    rows = session.execute(
        text(
            'SELECT c.id, c.base_id, c.document_id, d.path, c.location, c.text, c.start, c."end" '
            "FROM knowledge_chunks AS c JOIN knowledge_documents AS d ON d.id = c.document_id "
            f"WHERE c.id IN ({', '.join(str(int(i)) for i in ids)})"
        )
    ).all()
    by_id = {row[0]: row for row in rows}
    keyword_rank = {chunk_id: rank for rank, chunk_id in enumerate(keyword, start=1)}
    vector_rank = {chunk_id: rank for rank, chunk_id in enumerate(vector, start=1)}
    found = []
    for chunk_id, score in chosen:
        row = by_id.get(chunk_id)
        if row is None:  # removed since it was ranked
            continue
        _, base_id, document_id, path, location, passage, start, end = row
        base = uuid.UUID(hex=base_id)
        found.append(
            Passage(
                chunk_id=chunk_id,
                base_id=base,
                base=names.get(base, ""),
                document_id=uuid.UUID(hex=document_id),
                path=path,
                location=location,
                text=passage,
                start=start,
                end=end,
                keyword_rank=keyword_rank.get(chunk_id, 0),
                vector_rank=vector_rank.get(chunk_id, 0),
                score=score,
            )
        )
    return found
