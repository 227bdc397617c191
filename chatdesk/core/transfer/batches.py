"""An import's batches: the entries read from a file, gathered into batches of whole threads
for one write transaction each, and the tally that becomes the import's progress and report."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from chatdesk.core.transfer.sources import Entry, Problem, Projects, Remembered
from chatdesk.core.transfer.writing import ImportedThread, Row, Written

if TYPE_CHECKING:
    from chatdesk.core.memory.service import Imported

BATCH_WEIGHT = 2_000  # messages (and parts, and kB of attachments) per write transaction
BATCH_THREADS = 200
MAX_PROBLEMS = 1_000  # listed in a report; the rest are only counted


class Cancel(Protocol):
    """Anything with `is_set()`: an `asyncio.Event` or a `threading.Event`."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class ImportProgress:
    bytes_done: int
    bytes_total: int
    threads_added: int
    threads_skipped: int
    messages: int

    @property
    def fraction(self) -> float:
        return min(1.0, self.bytes_done / self.bytes_total) if self.bytes_total else 1.0


@dataclass(frozen=True)
class ImportReport:
    source: str  # "chatgpt" | "chatdesk"
    threads_added: int
    threads_skipped: int  # already in the database (imported before): left as they are
    messages: int  # messages added
    problems: tuple[Problem, ...]  # entries not imported and why (the first MAX_PROBLEMS)
    problems_total: int
    cancelled: bool
    thread_ids: tuple[uuid.UUID, ...]  # the threads added
    memories: Imported | None = None  # what keeping the memories it held did (None: none)


@dataclass
class Batch:
    threads: list[ImportedThread] = field(default_factory=list)
    projects: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    memories: list[Any] = field(default_factory=list)
    done: bool = False
    cancelled: bool = False


def gather(entries: Iterator[Entry], cancel: Cancel | None) -> Batch:
    """The next batch of entries (on a worker thread)."""
    batch = Batch()
    weight = 0
    while weight < BATCH_WEIGHT and len(batch.threads) < BATCH_THREADS:
        if cancel is not None and cancel.is_set():
            batch.cancelled = True
            return batch
        entry = next(entries, None)
        if entry is None:
            batch.done = True
            return batch
        if isinstance(entry, ImportedThread):
            batch.threads.append(entry)
            batch.problems.extend(Problem(entry.label, note) for note in entry.notes)
            weight += entry.weight
        elif isinstance(entry, Projects):
            batch.projects.extend(entry.rows)
        elif isinstance(entry, Remembered):
            batch.memories.extend(entry.entries)
        else:
            batch.problems.append(entry)
    return batch


@dataclass
class Tally:
    source: str
    threads_added: int = 0
    threads_skipped: int = 0
    messages: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_total: int = 0
    cancelled: bool = False
    thread_ids: list[uuid.UUID] = field(default_factory=list)
    memories: list[Any] = field(default_factory=list)  # kept once the threads are
    kept: Imported | None = None

    def take(self, batch: Batch) -> None:
        for problem in batch.problems:
            self._problem(problem)
        self.memories.extend(batch.memories)

    def add(self, written: Written) -> None:
        self.threads_added += len(written.added)
        self.messages += written.messages
        self.thread_ids.extend(t.id for t in written.added)
        for thread, why in written.skipped:
            if why == "already imported":
                self.threads_skipped += 1
            else:
                self._problem(Problem(thread.label, why))

    def _problem(self, problem: Problem) -> None:
        self.problems_total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def progress(self, done: int, total: int) -> ImportProgress:
        return ImportProgress(done, total, self.threads_added, self.threads_skipped, self.messages)

    def report(self) -> ImportReport:
        return ImportReport(
            self.source,
            self.threads_added,
            self.threads_skipped,
            self.messages,
            tuple(self.problems),
            self.problems_total,
            self.cancelled,
            tuple(self.thread_ids),
            self.kept,
        )
