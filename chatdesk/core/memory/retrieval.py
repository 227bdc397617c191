"""Which memories go with a question: those marked "always", then those that matter to it, by
their words (the FTS5 index) and, with a memory embedding model, by their vectors, the two
rankings fused as for knowledge passages (`chatdesk/core/knowledge/retrieval.py`). A question
about what is remembered ("what do you remember about me?") is given every memory, those used
most recently first. Only the memories that are on and meant for the chat's place are given.

The memories' places and vectors are held in memory (`Kept`, and what each place's chats are
given, `Allowed`), made again when the stored memories change, here or in another chatdesk
process (the change counter of `index.py`), so a question costs one look at the counter, one
at the index and one multiplication. The keyword ranking is bounded tighter than the knowledge
bases' (`COMMON`, `RANK_AT_MOST`): BM25 costs per match, and a memory store's common words
match most of it."""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from chatdesk.core import matrices
from chatdesk.core.knowledge.retrieval import DEPTH, chosen_query, covered, fused
from chatdesk.core.memory import repository as repo
from chatdesk.core.memory.index import CHANGES, MEMORY_INDEX
from chatdesk.core.memory.model import Given, Place
from chatdesk.core.store.models import Memory
from chatdesk.core.words import asks_what_is_remembered, folded, telling

MAX_WORDS = 32
COMMON = 200  # a word matching more memories than this is ranked only with rarer ones
RANK_AT_MOST = 300  # matches ranked at most, for one question
MIN_SIMILARITY = 0.15  # the cosine below which a memory is not near a question
SPREAD_FROM = 10  # memories from which "well above the rest" is judged
SPREAD = 1.5  # standard deviations above the mean of the question's cosines

# "Remember that …", "forget what I said about …", "don't forget", "keep in mind", "note that".
_SPEAKS_OF_MEMORY = re.compile(
    r"\b(?:remember|forget|memor(?:y|ies|i[sz]e)|keep in mind|note that)\b", re.IGNORECASE
)


def speaks_of_memory(message: str) -> bool:
    """The message asks to remember or forget something (or asks what is remembered): the
    memory's tools are offered with it (`[memory] offer_tools = "asked"`)."""
    return bool(_SPEAKS_OF_MEMORY.search(folded(message[:20_000])))


@dataclass
class Allowed:
    """What the chats of one place are given: the memories on for them, "always" ones apart,
    the others' words by id, in the order of recent use; and, for each model, which rows of
    its matrix are theirs."""

    always: list[Given]
    others: list[Given]
    texts: dict[int, str]
    masks: dict[str, Any] = field(default_factory=dict)


@dataclass
class Kept:
    """The memories as questions need them, read at one value of the change counter: each one's
    place and switches, in the order of recent use; the vectors of each model, as one matrix;
    and what each place is given, made on its first question."""

    stamp: int
    rows: list[tuple[int, str, uuid.UUID | None, uuid.UUID | None, bool, bool]]
    matrices: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    places: dict[Place, Allowed] = field(default_factory=dict)

    def allowed(self, place: Place) -> Allowed:
        found = self.places.get(place)
        if found is None:
            found = self.places[place] = self._allowed(place)
        return found

    def _allowed(self, place: Place) -> Allowed:
        always: list[Given] = []
        others: list[Given] = []
        for memory_id, words, assistant, project, enabled, is_always in self.rows:
            if not enabled:
                continue
            if (
                (assistant is None and project is None)
                or (assistant is not None and assistant == place.assistant_id)
                or (project is not None and project == place.project_id)
            ):
                (always if is_always else others).append(Given(memory_id, words))
        return Allowed(always, others, {memory.id: memory.text for memory in others})


class Recall:
    """Finds the memories for a question (`given`), keeping what it read in memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: Kept | None = None

    def given(
        self,
        session: Session,
        question: str,
        place: Place,
        query: tuple[str, bytes] | None = None,
        depth: int = DEPTH,
    ) -> list[Given]:
        """The memories for `question` in a chat of `place`, in the order they should go:
        "always" ones first, then the best. `query`: the question's vector and the model key
        that made it."""
        kept = self._current(session)
        allowed = kept.allowed(place)
        if not allowed.always and not allowed.others:
            return []
        if asks_what_is_remembered(question):
            return allowed.always + allowed.others
        rankings = [self._keyword(session, question, allowed.texts, depth)]
        if query is not None:
            rankings.append(self._nearest(session, kept, allowed, query, depth))
        chosen = [memory_id for memory_id, _ in fused(rankings)]
        return allowed.always + [Given(i, allowed.texts[i]) for i in chosen]

    def _current(self, session: Session) -> Kept:
        stamp = int(session.execute(_STAMP).scalar_one())
        with self._lock:
            kept = self._kept
        if kept is not None and kept.stamp == stamp:
            return kept
        rows = [
            (i, t, a, p, bool(e), bool(al)) for i, t, a, p, e, al in session.execute(_ROWS).all()
        ]
        kept = Kept(stamp, rows)
        with self._lock:
            self._kept = kept
        return kept

    @staticmethod
    def _keyword(
        session: Session, question: str, texts: dict[int, str], depth: int
    ) -> list[tuple[int, float]]:
        words = telling(question)[:MAX_WORDS]
        chosen = (
            chosen_query(session, words, MEMORY_INDEX, common=COMMON, rank_at_most=RANK_AT_MOST)
            if words and texts
            else None
        )
        if chosen is None:
            return []
        query, ranked = chosen
        statement = _RANKED if ranked else _UNRANKED
        found = [
            memory_id
            for (memory_id,) in session.execute(statement, {"q": query, "n": RANK_AT_MOST}).all()
            if memory_id in texts
        ][:depth]
        wanted = {folded(word) for word in words}
        return [(memory_id, covered(wanted, texts[memory_id])) for memory_id in found]

    @staticmethod
    def _nearest(
        session: Session, kept: Kept, allowed: Allowed, query: tuple[str, bytes], depth: int
    ) -> list[tuple[int, float]]:
        np = matrices.numpy()

        key, vector = query
        if key not in kept.matrices:
            kept.matrices[key] = _matrix(session, key)
        ids, matrix = kept.matrices[key]
        wanted = np.frombuffer(vector, dtype="<f4")
        if matrix is None or matrix.shape[1] != wanted.shape[0]:
            return []
        mask = allowed.masks.get(key)
        if mask is None:
            mask = allowed.masks[key] = np.isin(ids, np.fromiter(allowed.texts, dtype=np.int64))
        scores = matrix @ wanted
        # Unlike a passage, a memory goes only when it is near enough: every memory is some
        # distance from every question, and the nearest of unrelated ones is still unrelated.
        # Near enough is above a floor and, among many, well above the rest.
        floor = MIN_SIMILARITY
        if scores.shape[0] >= SPREAD_FROM:
            floor = max(floor, float(scores.mean() + SPREAD * scores.std()))
        near = np.flatnonzero(mask & (scores >= floor))
        if near.shape[0] > depth:
            near = near[np.argpartition(-scores[near], depth - 1)[:depth]]
        near = near[np.argsort(-scores[near], kind="stable")]
        return [(int(ids[index]), 1.0) for index in near]


def _matrix(session: Session, key: str) -> tuple[Any, Any]:
    """The ids and the matrix of every memory's vector of the model `key` names."""
    np = matrices.numpy()

    stored = repo.vectors(session, key)
    sizes = {len(v) for _, v in stored}
    if len(sizes) != 1:  # none, or sizes mixed by a server that changed: none compared
        return np.zeros(0, dtype=np.int64), None
    ids = np.fromiter((i for i, _ in stored), dtype=np.int64)
    matrix = np.frombuffer(b"".join(v for _, v in stored), dtype="<f4")
    return ids, matrix.reshape(len(stored), sizes.pop() // 4)


_STAMP = text(f"SELECT version FROM {CHANGES} WHERE id = 1")
_ROWS = select(
    Memory.id, Memory.text, Memory.assistant_id, Memory.project_id, Memory.enabled, Memory.always
).order_by(Memory.used_at.desc().nulls_last(), Memory.updated_at.desc(), Memory.id.desc())
_RANKED = text(
    f"SELECT rowid FROM {MEMORY_INDEX} WHERE {MEMORY_INDEX} MATCH :q ORDER BY rank LIMIT :n"
)
_UNRANKED = text(f"SELECT rowid FROM {MEMORY_INDEX} WHERE {MEMORY_INDEX} MATCH :q LIMIT :n")
