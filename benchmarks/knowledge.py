"""a knowledge base indexing 1,000 files (~100 MB): ≤ 3× bare; its process grows < 150 MB.

The files (made once in a temporary folder, in 20 subfolders): 1,000 (quick: 100) of ~100 MB
in all (quick: 10 MB), sizes spread as people's notes are (log-normal: most a few kB to a few
tens of kB, a few of several MB); about 56 % Markdown (headings, lists, a code block now and
then), 41 % plain text, every 40th a real PDF with a text layer of 2-6 pages (`tests/core/
attachment_files.pdf`). The prose is chained from the standard library's docstrings
(`benchmarks.search.Prose`).

chatdesk: `knowledge.add(base, folder)` (which starts the pass) until `knowledge.index(base)`
returns: the folder listed, each file read and hashed, extracted in the reading child, chunked
(`chunks_of`) and stored in Store writes of up to 64 files (`put_document`, decision 0077;
the FTS5 index is kept by triggers). The reading child's start is in it. Wall time,
documents/s and MB/s.

Bare, same run, same files: each file's bytes read and decoded (a PDF's text by pypdfium2 in
this process, its pages marked as chatdesk marks them), `chunks_of`, and the same document row
and chunk rows written by bare sqlite3 (`executemany`) in one transaction per file, into a copy
of chatdesk's schema (its FTS5 index and triggers; WAL, synchronous=FULL). Target: ≤ 3× its
time. What chatdesk adds per file is fixed work of a few milliseconds (the file's hash, two
stats, the bytes and the text carried to and from the child, the ORM, hops between the event
loop, the writer thread and the child), so 3× leaves room for it on the median file of a few
tens of kB whose bare cost is one fsync and a little FTS5 work.

Memory: a thread samples the RSS of this process and of the reading child every 50 ms during
the timed pass. Target: this process grows < 150 MB over its level before the pass (one file at
a time: its bytes, its text and its passages). A second pass, untimed, over the same files into
another base with tracemalloc on gives the peak of Python's allocations, beside the same
measure of the bare loop.
"""

from __future__ import annotations

import asyncio
import gc
import random
import sqlite3
import threading
import time
import tracemalloc
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import psutil

from benchmarks.common import INFO, Target, ratio_target, raw_clone, report, running_core
from benchmarks.search import Prose
from chatdesk.app import Core
from chatdesk.core.knowledge.chunking import chunks_of
from chatdesk.core.store.models import Role

MB = 1024 * 1024
BUDGET = ratio_target(3, "bare", guarded=False)
GROWTH = Target("< 150 MB", 150.0)
BARE = "bare"
MAX_FILE = 6 * MB  # the largest file made (chatdesk indexes up to knowledge.max_file_mb, 32)
PDF_EVERY = 40
FOLDERS = 20


def run(workdir: Path, quick: bool) -> None:
    count, total = (100, 10 * MB) if quick else (1_000, 100 * MB)
    made = time.perf_counter()
    corpus = make_corpus(workdir / "files", count, total)
    print(
        f"      ({len(corpus.files):,} files, {corpus.size / MB:.1f} MB: "
        f"{', '.join(f'{n} {kind}' for kind, n in sorted(corpus.kinds.items()))}; "
        f"largest {corpus.largest / MB:.1f} MB; made in {time.perf_counter() - made:.0f} s)"
    )
    asyncio.run(_measure(workdir, corpus))


# -- the files -----------------------------------------------------------------------------------


@dataclass
class Corpus:
    folder: Path
    files: list[Path] = field(default_factory=list)
    size: int = 0
    largest: int = 0
    kinds: Counter[str] = field(default_factory=Counter)


def make_corpus(folder: Path, count: int, total: int, seed: int = 7) -> Corpus:
    """`count` files of about `total` bytes in all under `folder` (see the module's doc)."""
    rng = random.Random(seed)
    prose = Prose(seed=seed, sentences=60_000)
    weights = [rng.lognormvariate(0, 1.3) for _ in range(count)]
    texts = [w for n, w in enumerate(weights) if n % PDF_EVERY != PDF_EVERY - 1]
    scale = total / sum(texts)
    corpus = Corpus(folder)
    for n, weight in enumerate(weights):
        where = folder / f"folder {n % FOLDERS:02d}"
        where.mkdir(parents=True, exist_ok=True)
        if n % PDF_EVERY == PDF_EVERY - 1:
            path, data = where / f"report {n}.pdf", _pdf(prose, rng)
        else:
            size = max(300, min(MAX_FILE, int(weight * scale)))
            markdown = rng.random() < 0.61
            text = _markdown(prose, rng, size) if markdown else _plain(prose, size)
            path, data = where / f"note {n}.{'md' if markdown else 'txt'}", text.encode()
        path.write_bytes(data)
        corpus.files.append(path)
        corpus.size += len(data)
        corpus.largest = max(corpus.largest, len(data))
        corpus.kinds[path.suffix] += 1
    return corpus


def _paragraphs(prose: Prose) -> Iterator[str]:
    while True:
        yield from prose.message(Role.ASSISTANT).split("\n\n")


def _plain(prose: Prose, size: int) -> str:
    parts, length = [], 0
    for paragraph in _paragraphs(prose):
        parts.append(paragraph)
        length += len(paragraph) + 2
        if length >= size:
            return "\n\n".join(parts)
    raise AssertionError("unreachable")


def _markdown(prose: Prose, rng: random.Random, size: int) -> str:
    parts, length = [f"# {_title(prose)}"], 0
    for paragraph in _paragraphs(prose):
        roll = rng.random()
        if roll < 0.15:
            parts.append(f"{'#' * rng.randint(2, 3)} {_title(prose)}")
        elif roll < 0.2:
            parts.append("\n".join(f"- {line}" for line in paragraph.split(". ")))
            paragraph = ""
        elif roll < 0.23:
            parts.append(f"```python\nresult = compute({rng.randint(1, 99)})\nprint(result)\n```")
        if paragraph:
            parts.append(paragraph)
        length += len(paragraph) + 40
        if length >= size:
            return "\n\n".join(parts)
    raise AssertionError("unreachable")


def _title(prose: Prose) -> str:
    return " ".join(prose.message(Role.USER).split()[:6]).rstrip(".?!")


def _pdf(prose: Prose, rng: random.Random) -> bytes:
    from tests.core.attachment_files import pdf

    pages = []
    for _ in range(rng.randint(2, 6)):
        words = " ".join(prose.message(Role.USER) for _ in range(30)).split()
        lines, line = [], ""
        for word in words:
            if len(line) + len(word) > 85:
                lines.append(line)
                line = ""
            line = f"{line} {word}".strip()
        pages.append("\n".join(lines[:45]))
    return pdf(pages)


# -- measuring -----------------------------------------------------------------------------------


class Peaks:
    """The peak RSS of this process and of each of its children, sampled every 50 ms by a
    thread while inside."""

    def __init__(self) -> None:
        self._me = psutil.Process()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)
        self.main = 0
        self.children: dict[int, int] = {}

    def __enter__(self) -> Peaks:
        self._thread.start()
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while True:
            self.main = max(self.main, self._me.memory_info().rss)
            for child in self._me.children(recursive=True):
                try:
                    rss = child.memory_info().rss
                except psutil.Error:
                    continue
                self.children[child.pid] = max(self.children.get(child.pid, 0), rss)
            if self._stop.wait(0.05):
                return


@dataclass(frozen=True)
class Pass:
    seconds: float
    indexed: int
    failed: int
    reader_pid: int | None


async def _index(core: Core, folder: Path, name: str) -> Pass:
    """One pass over `folder` into a new base: from `add` (which starts it) to its end."""
    knowledge = core.service.knowledge
    base = await knowledge.create(name)
    start = time.perf_counter()
    await knowledge.add(base.id, folder)
    progress = await knowledge.index(base.id)
    seconds = time.perf_counter() - start
    indexer = knowledge._indexer
    pid = indexer._reader.pid if indexer is not None else None
    return Pass(seconds, progress.indexed, progress.failed, pid)


async def _measure(workdir: Path, corpus: Corpus) -> None:
    async with running_core(workdir / "home") as core:
        gc.collect()
        before = psutil.Process().memory_info().rss
        with Peaks() as peaks:
            timed = await _index(core, corpus.folder, "timed")
        assert timed.indexed == len(corpus.files), timed
        ids = core.insides.store.read_now(
            lambda s: (
                s.connection()
                .exec_driver_sql("SELECT base_id, source_id FROM knowledge_documents LIMIT 1")
                .one()
            )
        )
        bare_db = workdir / "bare.db"
        bare = _bare(raw_clone(core.insides.store.path, bare_db, copy=_COPIED), corpus.files, *ids)
        tracemalloc.start()
        await _index(core, corpus.folder, "traced")
        chatdesk_traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    tracemalloc.start()
    _bare(raw_clone(bare_db, workdir / "bare-traced.db", copy=_COPIED), corpus.files, *ids)
    bare_traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    _report(corpus, timed, bare, before, peaks, chatdesk_traced, bare_traced)


def _report(
    corpus: Corpus,
    timed: Pass,
    bare: float,
    before: int,
    peaks: Peaks,
    chatdesk_traced: int,
    bare_traced: int,
) -> None:
    count, size = len(corpus.files), corpus.size / MB
    print(
        f"      (chatdesk: {count / timed.seconds:,.0f} documents/s, {size / timed.seconds:.1f} "
        f"MB/s; bare: {count / bare:,.0f} documents/s, {size / bare:.1f} MB/s; "
        f"{timed.indexed} indexed, {timed.failed} failed)"
    )
    report(
        f"index {count:,} files ({size:.0f} MB), wall",
        timed.seconds * 1000,
        bare * 1000,
        "ms",
        BUDGET,
        bare=BARE,
    )
    growth = (peaks.main - before) / MB
    report("window process RSS growth, peak", growth, None, "MB", GROWTH)
    report("window process RSS, peak", peaks.main / MB, None, "MB", INFO)
    reader = peaks.children.get(timed.reader_pid or -1, 0)
    report("reading child RSS, peak", reader / MB, None, "MB", INFO)
    report(
        "tracemalloc peak (second pass)",
        chatdesk_traced / MB,
        bare_traced / MB,
        "MB",
        INFO,
        bare=BARE,
    )


# -- bare ----------------------------------------------------------------------------------------

_COPIED = ("knowledge_bases", "knowledge_sources")
_DOCUMENT = (
    "INSERT INTO knowledge_documents (id, base_id, source_id, path, size, mtime_ns, mime, pages, "
    "text, chunks, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CHUNK = (
    'INSERT INTO knowledge_chunks (document_id, base_id, position, start, "end", location, text) '
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _bare(connection: sqlite3.Connection, files: list[Path], base_id: str, source_id: str) -> float:
    """Seconds to extract, chunk and store every file the bare way (one transaction each)."""
    start = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        pdf = path.suffix == ".pdf"
        text, pages = _pdfium_text(data) if pdf else (data.decode(), 0)
        document = uuid.uuid4().hex
        chunks = [
            (document, base_id, n, c.start, c.end, c.location[:500], c.text)
            for n, c in enumerate(chunks_of(text))
        ]
        stat = path.stat()
        now = f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S.%f}"
        mime = "application/pdf" if pdf else "text/plain"
        row = (
            document,
            base_id,
            source_id,
            str(path),
            stat.st_size,
            stat.st_mtime_ns,
            mime,
            pages or None,
            text,
            len(chunks),
            now,
        )
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(_DOCUMENT, row)
        connection.executemany(_CHUNK, chunks)
        connection.execute("COMMIT")
    seconds = time.perf_counter() - start
    connection.close()
    return seconds


def _pdfium_text(data: bytes) -> tuple[str, int]:
    """A PDF's text as chatdesk's reader joins it ("--- Page N ---" before each page)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    parts = []
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        text = textpage.get_text_bounded().replace("\r\n", "\n").strip()
        textpage.close()
        page.close()
        parts.append(f"--- Page {index + 1} ---\n{text}")
    pages = len(document)
    document.close()
    return "\n\n".join(parts), pages
