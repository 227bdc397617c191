"""What the knowledge service hands the window and the CLI: plain frozen data, and its events."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_NAME = 100


class Stage(enum.StrEnum):
    """Where an indexing pass is."""

    SCANNING = "scanning"  # listing the folders
    READING = "reading"  # extracting, chunking and storing files
    EMBEDDING = "embedding"  # making the vectors of passages that have none
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class SourceView:
    """A file or folder added to a base, with a folder's patterns (as the user typed them)."""

    id: uuid.UUID
    path: str
    include: str = ""
    exclude: str = ""
    documents: int = 0


@dataclass(frozen=True)
class BaseView:
    id: uuid.UUID
    name: str
    embedding_provider: str | None
    embedding_model: str | None
    embedding_problem: str | None
    sources: tuple[SourceView, ...]
    documents: int  # indexed
    failed: int  # could not be read (`DocumentError`s)
    chunks: int
    vectors: int  # passages with a vector of the chosen embedding model
    created_at: datetime
    updated_at: datetime

    @property
    def embedding(self) -> str:
        """ "model (provider)", or "" when the base uses keywords only."""
        if not self.embedding_model:
            return ""
        return f"{self.embedding_model} ({self.embedding_provider})"


@dataclass(frozen=True)
class DocumentError:
    """A file that is not indexed, and why ("the PDF is encrypted: it needs a password")."""

    path: str
    error: str


@dataclass(frozen=True)
class Progress:
    """An indexing pass as it goes: `done` of `total` files looked at, the one in hand."""

    base_id: uuid.UUID
    stage: Stage
    done: int = 0
    total: int = 0
    current: str = ""
    indexed: int = 0  # read and stored in this pass (new or changed)
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    embedded: int = 0  # passages given a vector in this pass
    to_embed: int = 0
    problem: str = ""  # what stopped the vectors (the keyword index is complete)

    @property
    def running(self) -> bool:
        return self.stage in (Stage.SCANNING, Stage.READING, Stage.EMBEDDING)


@dataclass(frozen=True)
class Passage:
    """A retrieved passage, with where it is and how it ranked (1-based; 0: not found that
    way)."""

    chunk_id: int
    base_id: uuid.UUID
    base: str
    document_id: uuid.UUID
    path: str
    location: str
    text: str
    start: int
    end: int
    keyword_rank: int = 0
    vector_rank: int = 0
    score: float = 0.0

    @property
    def name(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def cite_key(self) -> tuple[object, ...]:
        """Where it is: a passage found twice keeps its number (`CitedSource.cite_key`)."""
        return ("passage", self.document_id, self.start, self.end)

    def source_data(self, number: int, call_id: str = "") -> dict[str, Any]:
        """What a source part stores beside the passage's text; `call_id`: the tool call that
        found it, for a passage not sent with the question."""
        found_by = {"call_id": call_id} if call_id else {}
        return found_by | {
            "number": number,
            "base": self.base,
            "base_id": str(self.base_id),
            "document_id": str(self.document_id),
            "path": self.path,
            "location": self.location,
            "start": self.start,
            "end": self.end,
        }

    @property
    def cited_as(self) -> str:
        """ "report.pdf, page 3 › Results": how the model and the sources panel name it."""
        return f"{self.name}, {self.location}" if self.location else self.name


@dataclass(frozen=True)
class DocumentText:
    """A document's extracted text, to show a cited passage in it (`start`:`end`)."""

    document_id: uuid.UUID
    path: str
    text: str
    sha256: str | None


@dataclass(frozen=True)
class KnowledgeProgressed:
    """An indexing pass moved on (published at most a few times a second, and at its end)."""

    progress: Progress


@dataclass(frozen=True)
class KnowledgeChanged:
    """A base was created, renamed, deleted, or its sources, model or links changed."""

    base_id: uuid.UUID | None = None
