"""Retrieval quality on a labelled set: 48 made-up documents indexed through the real service
(the reading child, the chunker, SQLite's FTS5 index, the mock's trigram vectors), 40 questions
whose answer sits in one known passage, and recall@5 of keywords alone, vectors alone and the
two fused, as `service.knowledge.search` fuses them (decision 0028).

The figures are printed (`pytest -s`) and in every assertion's message. What is required:
keywords find the answers to questions asked with the passages' own words, vectors at least
half of those asked with other forms of those words (which keywords, matched exactly without
stemming, cannot find), and the fused ranking at least as many as keywords alone. That it
finds at least as many as the vectors alone is expected to fail today (see its reason).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from chatdesk.core.knowledge.model import Stage
from chatdesk.core.knowledge.retrieval import Vectors, keyword_hits, pack
from chatdesk.core.providers.mock_embed import MOCK_EMBEDDING_MODEL, mock_vector
from chatdesk.core.service import ChatService
from chatdesk.core.store.store import Store
from chatdesk.core.words import WORD, telling
from tests.core.knowledge_corpus import DOCUMENTS, QUESTIONS, Question

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes

TOP = 5
KEY = f"mock/{MOCK_EMBEDDING_MODEL}"  # what the base's vectors are stored under
# Floors, under what the set gives today (keyword 0.550: 1.000 in the passage's words, 0 in
# other forms; vector 0.825: 1.000 and 0.611; fused 0.800), and above what a broken part gives:
# keywords find almost every answer asked in the passage's words, vectors at least half of
# those asked in other forms, which keywords cannot find; each alone finds at least half.
FLOOR_KEYWORD_WORDS = 0.9
FLOOR_VECTOR_FORMS = 0.5
FLOOR_EACH = 0.5
FLOOR_FUSED = 0.75


@dataclass(frozen=True)
class Recall:
    keyword: float
    vector: float
    fused: float
    keyword_words: float
    keyword_forms: float
    vector_words: float
    vector_forms: float
    misses: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"recall@{TOP} over {len(QUESTIONS)} questions: keyword {self.keyword:.3f} "
            f"(own words {self.keyword_words:.3f}, other forms {self.keyword_forms:.3f}), "
            f"vector {self.vector:.3f} (own words {self.vector_words:.3f}, other forms "
            f"{self.vector_forms:.3f}), fused {self.fused:.3f}; fused misses: "
            f"{list(self.misses) or 'none'}"
        )


def _write_corpus(folder: Path) -> None:
    for name, body in DOCUMENTS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")


def _answers(session: Session, base_id: uuid.UUID, folder: Path) -> dict[Question, int]:
    """Each question's passage: the one passage of its document holding its phrase."""
    rows = session.execute(
        text(
            "SELECT c.id, d.path, c.text FROM knowledge_chunks AS c "
            "JOIN knowledge_documents AS d ON d.id = c.document_id WHERE c.base_id = :base"
        ),
        {"base": base_id.hex},
    ).all()
    found = {}
    for question in QUESTIONS:
        path = str(folder / question.path)
        holding = [
            chunk_id
            for chunk_id, at, body in rows
            if at == path and question.phrase in " ".join(body.split())  # lines joined
        ]
        assert len(holding) == 1, f"the label of {question.text!r} is not one passage: {holding}"
        passage = next(body for chunk_id, _, body in rows if chunk_id == holding[0])
        shared = set(telling(question.text)) & set(WORD.findall(passage.lower()))
        assert bool(shared) is (question.kind == "words"), (question.text, shared)
        found[question] = holding[0]
    return found


def _share(hits: dict[Question, bool], kind: str | None = None) -> float:
    chosen = [hit for question, hit in hits.items() if kind in (None, question.kind)]
    return sum(chosen) / len(chosen)


async def _recall(service: ChatService, store: Store, base_id: uuid.UUID, folder: Path) -> Recall:
    answers = await store.read(lambda s: _answers(s, base_id, folder))
    vectors = Vectors()
    keyword: dict[Question, bool] = {}
    vector: dict[Question, bool] = {}
    fused: dict[Question, bool] = {}
    for question, answer in answers.items():
        words: Sequence[int] = await store.read(
            lambda s, q=question.text: [i for i, _ in keyword_hits(s, [base_id], q)]
        )
        query = pack(mock_vector(question.text))  # what the mock answers for the question
        nearest: Sequence[int] = await store.read(
            lambda s, q=query: vectors.ranking(s, base_id=base_id, key=KEY, query=q)
        )
        found = await service.knowledge.search([base_id], question.text, limit=TOP)
        keyword[question] = answer in words[:TOP]
        vector[question] = answer in nearest[:TOP]
        fused[question] = answer in [passage.chunk_id for passage in found]
    return Recall(
        keyword=_share(keyword),
        vector=_share(vector),
        fused=_share(fused),
        keyword_words=_share(keyword, "words"),
        keyword_forms=_share(keyword, "forms"),
        vector_words=_share(vector, "words"),
        vector_forms=_share(vector, "forms"),
        misses=tuple(q.text for q, hit in fused.items() if not hit),
    )


async def _indexed(service: ChatService, folder: Path, name: str = "Corpus") -> uuid.UUID:
    """The corpus in a new base, its passages with the mock's vectors."""
    _write_corpus(folder)
    base = await service.knowledge.create(name)
    await service.knowledge.add(base.id, folder)
    progress = await service.knowledge.index(base.id)
    assert (progress.stage, progress.indexed, progress.failed) == (
        Stage.DONE,
        len(DOCUMENTS),
        0,
    )
    await service.knowledge.set_embedding(base.id, "mock", MOCK_EMBEDDING_MODEL)
    await service.knowledge.index(base.id)
    view = await service.knowledge.get(base.id)
    assert view.vectors == view.chunks >= 2 * len(DOCUMENTS)
    assert view.embedding_problem is None
    return base.id


async def test_fused_retrieval_finds_answers_keywords_miss(
    service: ChatService, store: Store, tmp_path: Path
) -> None:
    base_id = await _indexed(service, tmp_path / "corpus")
    recall = await _recall(service, store, base_id, tmp_path / "corpus")
    print(f"\n{recall}")

    assert recall.keyword_words >= FLOOR_KEYWORD_WORDS, recall
    assert recall.keyword_forms == 0, recall  # the labels say so: none of the passage's words
    assert recall.vector_forms >= FLOOR_VECTOR_FORMS, recall
    assert min(recall.keyword, recall.vector) >= FLOOR_EACH, recall
    assert recall.fused >= FLOOR_FUSED, recall
    assert recall.fused >= recall.keyword, recall


async def test_fusing_never_loses_an_answer_the_vectors_found(
    service: ChatService, store: Store, tmp_path: Path
) -> None:
    base_id = await _indexed(service, tmp_path / "corpus")
    recall = await _recall(service, store, base_id, tmp_path / "corpus")
    print(f"\n{recall}")
    assert recall.fused >= recall.vector, recall


async def test_the_figures_are_the_same_on_a_second_run(
    service: ChatService, store: Store, tmp_path: Path
) -> None:
    # Deterministic: the same files indexed into a second base give the same rankings.
    figures = []
    for name in ("First", "Second"):
        base_id = await _indexed(service, tmp_path / name, name)
        figures.append(str(await _recall(service, store, base_id, tmp_path / name)))
    assert figures[0] == figures[1]
