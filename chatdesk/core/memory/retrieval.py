"""Which memories go with a question: those marked "always", then those that matter to it, by
their words (the FTS5 index) and, with a memory embedding model, by their vectors, the two
rankings fused as for knowledge passages (`chatdesk/core/knowledge/retrieval.py`). A question
about what is remembered ("what do you remember about me?") is given every memory, those used
most recently first. Only the memories that are on and meant for the chat's place are given.

The memories' places and vectors are held in memory (`Kept`), made again when the stored
memories change, here or in another chatdesk process (`stamp`), so a question costs one
look at the index and one multiplication."""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from chatdesk.core.knowledge.retrieval import DEPTH, chosen_query, covered, fused
from chatdesk.core.memory import repository as repo
from chatdesk.core.memory.index import MEMORY_INDEX
from chatdesk.core.memory.model import Given, Place
from chatdesk.core.store.models import Memory
from chatdesk.core.words import folded, telling

MAX_WORDS = 32
MIN_SIMILARITY = 0.15  # the cosine below which a memory is not near a question
SPREAD_FROM = 10  # memories from which "well above the rest" is judged
SPREAD = 1.5  # standard deviations above the mean of the question's cosines

# "What do you remember (about me)?", "what do you know about me", "list my memories".
_ABOUT_MEMORY = re.compile(
    r"\b(?:what|which|everything|anything|list|show)\b.*\b(?:remember|memori[sz]ed?|memories|"
    r"know about me)\b|\bmy memories\b",
    re.IGNORECASE | re.DOTALL,
)


# "Remember that …", "forget what I said about …", "don't forget", "keep in mind", "note that".
_SPEAKS_OF_MEMORY = re.compile(
    r"\b(?:remember|forget|memor(?:y|ies|i[sz]e)|keep in mind|note that)\b", re.IGNORECASE
)


def asks_what_is_remembered(question: str) -> bool:
    return bool(_ABOUT_MEMORY.search(folded(question[:2_000])))


def speaks_of_memory(message: str) -> bool:
    """The message asks to remember or forget something (or asks what is remembered): the
    memory's tools are offered with it (`[memory] offer_tools = "asked"`)."""
    return bool(_SPEAKS_OF_MEMORY.search(folded(message[:20_000])))


@dataclass
class Kept:
    """The memories as a question needs them: each one's place, whether it is on and always
    given, in the order of recent use; and the vectors of one model, as one matrix."""

    stamp: tuple[Any, ...]
    rows: list[tuple[int, str, uuid.UUID | None, uuid.UUID | None, bool, bool]]
    matrices: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def allowed(self, place: Place) -> list[tuple[int, str, bool]]:
        """(id, text, always) of those on for `place`'s chats, most recently used first."""
        return [
            (memory_id, words, always)
            for memory_id, words, assistant, project, enabled, always in self.rows
            if enabled
            and (
                (assistant is None and project is None)
                or (assistant is not None and assistant == place.assistant_id)
                or (project is not None and project == place.project_id)
            )
        ]


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
        if not allowed:
            return []
        always = [Given(i, t) for i, t, is_always in allowed if is_always]
        if asks_what_is_remembered(question):
            return always + [Given(i, t) for i, t, is_always in allowed if not is_always]
        texts = {i: t for i, t, is_always in allowed if not is_always}
        rankings = [self._keyword(session, question, texts, depth)]
        if query is not None:
            rankings.append(self._nearest(session, kept, query, texts, depth))
        chosen = [memory_id for memory_id, _ in fused(rankings)]
        return always + [Given(i, texts[i]) for i in chosen]

    def changed(self) -> None:
        """Memories were changed here: read them again at the next question."""
        with self._lock:
            self._kept = None

    def _current(self, session: Session) -> Kept:
        stamp = tuple(session.execute(_STAMP).one())
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
        chosen = chosen_query(session, words, MEMORY_INDEX) if words else None
        if chosen is None:
            return []
        query, ranked = chosen
        statement = _RANKED if ranked else _UNRANKED
        found = [
            memory_id
            for (memory_id,) in session.execute(statement, {"q": query, "n": depth * 20}).all()
            if memory_id in texts
        ][:depth]
        wanted = {folded(word) for word in words}
        return [(memory_id, covered(wanted, texts[memory_id])) for memory_id in found]

    @staticmethod
    def _nearest(
        session: Session,
        kept: Kept,
        query: tuple[str, bytes],
        texts: dict[int, str],
        depth: int,
    ) -> list[tuple[int, float]]:
        import numpy as np

        key, vector = query
        if key not in kept.matrices:
            stored = repo.vectors(session, key)
            sizes = {len(v) for _, v in stored}
            if len(sizes) != 1:
                kept.matrices[key] = (np.zeros(0, dtype=np.int64), None)
            else:
                ids = np.fromiter((i for i, _ in stored), dtype=np.int64)
                matrix = np.frombuffer(b"".join(v for _, v in stored), dtype="<f4")
                kept.matrices[key] = (ids, matrix.reshape(len(stored), sizes.pop() // 4))
        ids, matrix = kept.matrices[key]
        wanted = np.frombuffer(vector, dtype="<f4")
        if matrix is None or matrix.shape[1] != wanted.shape[0]:
            return []
        scores = matrix @ wanted
        # Unlike a passage, a memory goes only when it is near enough: every memory is some
        # distance from every question, and the nearest of unrelated ones is still unrelated.
        # Near enough is above a floor and, among many, well above the rest.
        floor = MIN_SIMILARITY
        if scores.shape[0] >= SPREAD_FROM:
            floor = max(floor, float(scores.mean() + SPREAD * scores.std()))
        order = np.argsort(-scores, kind="stable")
        found: list[tuple[int, float]] = []
        for index in order:
            if scores[index] < floor:
                break
            memory_id = int(ids[index])
            if memory_id in texts:
                found.append((memory_id, 1.0))
                if len(found) >= depth:
                    break
        return found


_STAMP = select(func.count(Memory.id), func.max(Memory.id), func.max(Memory.updated_at))
_ROWS = select(
    Memory.id, Memory.text, Memory.assistant_id, Memory.project_id, Memory.enabled, Memory.always
).order_by(Memory.used_at.desc().nulls_last(), Memory.updated_at.desc(), Memory.id.desc())
_RANKED = text(
    f"SELECT rowid FROM {MEMORY_INDEX} WHERE {MEMORY_INDEX} MATCH :q ORDER BY rank LIMIT :n"
)
_UNRANKED = text(f"SELECT rowid FROM {MEMORY_INDEX} WHERE {MEMORY_INDEX} MATCH :q LIMIT :n")
