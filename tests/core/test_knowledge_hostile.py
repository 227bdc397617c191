"""Knowledge bases fed bad input, through the real service over real files, a real SQLite file,
the reading child and real embedding servers on 127.0.0.1: files that vanish or change while a
pass reads them, files that cannot be read, are huge, binary, blank or broken, folders of
thousands of files, embedding servers that are down or change their vectors' size. Each time
the user sees a clear reason per file or on the base, nothing already indexed is lost, the pass
finishes, and the rest is indexed."""

from __future__ import annotations

import os
import random
import stat
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from chatdesk.core.knowledge.model import BaseView, KnowledgeProgressed, Progress, Stage
from chatdesk.core.providers.embeddings import BATCH
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.service import ChatService
from chatdesk.core.store.store import Store
from tests.conftest import ServiceFactory
from tests.core.attachment_files import photo
from tests.core.embeddings_server import (
    DIMENSION,
    FakeEmbeddings,
    embeddings_reply,
    vector_for,
)
from tests.core.sse_server import Reply, _Handler, _Server
from tests.ports import free_port

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes

as_root = os.name == "posix" and os.geteuid() == 0
KEY = "sk-kb-hostile-5e21"
MODEL = "nomic-embed-text"


def _notes(folder: Path, count: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for number in range(count):
        path = folder / f"note{number:03}.md"
        path.write_text(f"# Note {number}\n\nThe harbour lamp number {number:03} is green.\n")
        made.append(path)
    return made


async def _pass(
    service: ChatService, folder: Path, name: str = "Notes"
) -> tuple[BaseView, Progress]:
    base = await service.knowledge.create(name)
    await service.knowledge.add(base.id, folder)
    progress = await service.knowledge.index(base.id)
    assert progress.stage is Stage.DONE
    return base, progress


async def _errors(service: ChatService, base_id: uuid.UUID) -> dict[str, str]:
    return {Path(e.path).name: e.error for e in await service.knowledge.errors(base_id)}


# -- files that move under the pass --------------------------------------------------------------


async def test_a_file_deleted_during_the_pass_is_left_out_without_an_error(
    service: ChatService, tmp_path: Path
) -> None:
    # Enough files that the pass publishes its progress while reading (at most every 0.2 s):
    # the first report of the reading comes before the file it names is read, and files are
    # read in name order, so the last file is deleted before its turn.
    files = _notes(tmp_path / "notes", 400)
    last = files[-1]
    seen: list[Progress] = []

    def delete_once(event: object) -> None:
        reading = isinstance(event, KnowledgeProgressed) and event.progress.stage is Stage.READING
        if reading and not seen and event.progress.current:  # type: ignore[attr-defined]
            seen.append(event.progress)  # type: ignore[attr-defined]
            last.unlink()

    service.events.subscribe(delete_once)
    base, progress = await _pass(service, tmp_path / "notes")

    assert seen, "the pass ended before it reported its reading"
    assert seen[0].current != str(last)
    assert (progress.total, progress.indexed, progress.removed, progress.failed) == (
        400,
        399,
        1,
        0,
    )
    assert await _errors(service, base.id) == {}
    view = await service.knowledge.get(base.id)
    assert (view.documents, view.failed) == (399, 0)
    found = await service.knowledge.search([base.id], "harbour lamp number 399")
    assert str(last) not in {passage.path for passage in found}


async def test_a_pass_cancelled_midway_keeps_every_file_it_read_and_the_next_reads_the_rest(
    service: ChatService, tmp_path: Path
) -> None:
    # Files are stored in batches (decision 0077): a cancel must still keep each one read.
    import asyncio

    _notes(tmp_path / "notes", 400)
    base = await service.knowledge.create("Notes")
    cancelling: list[asyncio.Task[None]] = []

    def cancel_once(event: object) -> None:
        if not isinstance(event, KnowledgeProgressed) or cancelling:
            return
        if event.progress.stage is Stage.READING and event.progress.done:
            cancelling.append(asyncio.ensure_future(service.knowledge.cancel(base.id)))

    service.events.subscribe(cancel_once)
    await service.knowledge.add(base.id, tmp_path / "notes")
    cancelled = await service.knowledge.index(base.id)
    assert cancelling, "the pass ended before it reported its reading"
    await cancelling[0]

    assert cancelled.stage is Stage.CANCELLED
    assert 0 < cancelled.indexed < 400
    view = await service.knowledge.get(base.id)
    assert (view.documents, view.failed) == (cancelled.indexed, 0)
    again = await service.knowledge.index(base.id)
    assert (again.unchanged, again.indexed) == (cancelled.indexed, 400 - cancelled.indexed)
    assert (await service.knowledge.get(base.id)).documents == 400


@pytest.mark.skipif(sys.platform != "linux", reason="procfs is Linux's")
async def test_a_file_whose_bytes_do_not_match_its_size_is_named_as_changed(
    service: ChatService, tmp_path: Path
) -> None:
    # No regular file changes between two looks deterministically without a second writer;
    # a procfs file does it every time: its size says 0 and reading it gives bytes, which is
    # what a file growing while it is read looks like to the indexer's check.
    folder = tmp_path / "notes"
    _notes(folder)
    (folder / "status.txt").symlink_to("/proc/self/status")
    base, progress = await _pass(service, folder)
    assert (progress.indexed, progress.failed) == (3, 1)
    errors = await _errors(service, base.id)
    assert errors == {
        "status.txt": "it changed while it was being read; it is read again at the next pass"
    }
    again = await service.knowledge.index(base.id)
    assert (again.unchanged, again.failed) == (3, 1)  # read again, as the message says


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.skipif(as_root, reason="root can read any file, so none is unreadable")
async def test_a_file_without_read_permission_is_named_and_the_rest_indexed(
    service: ChatService, tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    _notes(folder)
    locked = folder / "locked.md"
    locked.write_text("secret")
    locked.chmod(0)
    try:
        base, progress = await _pass(service, folder)
    finally:
        locked.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert (progress.indexed, progress.failed) == (3, 1)
    assert await _errors(service, base.id) == {"locked.md": "it cannot be read (Permission denied)"}
    again = await service.knowledge.index(base.id)
    assert (again.indexed, again.failed) == (1, 0)  # readable now: read at the next pass


# -- files that are not what their names say -----------------------------------------------------


async def test_huge_binary_blank_and_broken_files_are_named_and_the_rest_indexed(
    service: ChatService, tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    _notes(folder)
    with (folder / "server.log").open("wb") as huge:
        huge.truncate(2 * 1024**3)  # sparse: two gigabytes that take no disk
    (folder / "holiday.md").write_bytes(photo(64, 48))  # a JPEG named as Markdown
    (folder / "program.txt").write_bytes(random.Random(7).randbytes(4096))
    (folder / "blank.txt").write_text(" \n\t\n   \r\n" * 100)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n" + random.Random(3).randbytes(20_000))

    started = time.monotonic()
    base, progress = await _pass(service, folder)
    took = time.monotonic() - started

    errors = await _errors(service, base.id)
    print(f"\nreasons shown: {errors}\npass took {took:.2f} s")
    assert set(errors) == {"server.log", "holiday.md", "program.txt", "blank.txt", "broken.pdf"}
    assert "2,048.0 MB" in errors["server.log"]
    assert "32 MB" in errors["server.log"]
    assert "knowledge.max_file_mb" in errors["server.log"]
    assert errors["holiday.md"] == "it is an image: knowledge bases index the text of documents"
    assert "none of the kinds of file" in errors["program.txt"]
    assert errors["blank.txt"] == "there is no text in it"
    assert errors["broken.pdf"] == "the PDF is damaged: PDFium cannot open it"
    assert (progress.indexed, progress.failed) == (3, 5)
    view = await service.knowledge.get(base.id)
    assert (view.documents, view.failed) == (3, 5)
    found = await service.knowledge.search([base.id], "harbour lamp")
    assert {passage.name for passage in found} == {"note000.md", "note001.md", "note002.md"}


# -- many files ----------------------------------------------------------------------------------

MANY = 5_000  # 20,000 through the reading child take over a minute on two cores (~300 a second)


@pytest.mark.slow(f"{MANY:,} files through the reading child, about 300 a second on two cores")
async def test_thousands_of_tiny_files_are_all_indexed_and_a_second_pass_reads_none(
    service: ChatService, tmp_path: Path
) -> None:
    # Hard links to seven files: each is a file of its own to the pass, made in a moment.
    sources = []
    for number in range(7):
        source = tmp_path / f"{number}.source"
        source.write_text(f"Tiny note {number} about the lighthouse keeper's cat. " * (number + 1))
        sources.append(source)
    folder = tmp_path / "many"
    for group in range(MANY // 1000):
        (folder / f"g{group}").mkdir(parents=True)
        for number in range(1000):
            os.link(sources[number % 7], folder / f"g{group}" / f"{number:04}.txt")

    started = time.monotonic()
    base, first = await _pass(service, folder)
    took = time.monotonic() - started
    print(f"\n{MANY} files indexed in {took:.1f} s: {MANY / took:.0f} files a second")
    assert (first.total, first.indexed, first.failed) == (MANY, MANY, 0)
    view = await service.knowledge.get(base.id)
    assert (view.documents, view.failed) == (MANY, 0)

    started = time.monotonic()
    second = await service.knowledge.index(base.id)
    print(f"a second pass took {time.monotonic() - started:.2f} s")
    assert (second.total, second.unchanged, second.indexed, second.removed) == (MANY, MANY, 0, 0)


# -- embedding servers ---------------------------------------------------------------------------


def _serving_at(port: int, fake: FakeEmbeddings) -> FakeEmbeddings:
    """`fake` listening on `port` (the port a provider profile already names)."""
    fake._server.server_close()
    fake._server = _Server(("127.0.0.1", port), _Handler)
    fake._server.fake = fake
    return fake.start()  # type: ignore[return-value]


def _local(url: str) -> OpenAICompatibleProvider:
    profile = ProviderProfile("local", url, api_key=KEY, default_model="chat")
    return OpenAICompatibleProvider(profile, connect_timeout=0.5)


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def later(port: int) -> Iterator[list[FakeEmbeddings]]:
    started: list[FakeEmbeddings] = []
    yield started
    for fake in started:
        fake.close()


async def test_an_embedding_server_that_is_down_leaves_keywords_and_the_vectors_come_later(
    make_service: ServiceFactory, tmp_path: Path, port: int, later: list[FakeEmbeddings]
) -> None:
    service = make_service(local=_local(f"http://127.0.0.1:{port}/v1"))
    _notes(tmp_path / "notes")
    base, _ = await _pass(service, tmp_path / "notes")
    await service.knowledge.set_embedding(base.id, "local", MODEL)
    down = await service.knowledge.index(base.id)

    view = await service.knowledge.get(base.id)
    assert view.vectors == 0
    assert view.embedding_problem is not None
    assert "refused the connection" in view.embedding_problem
    assert "searched by its words only" in view.embedding_problem
    assert down.problem == view.embedding_problem
    found = await service.knowledge.search([base.id], "harbour lamp number 002")
    assert found[0].name == "note002.md"
    assert (found[0].keyword_rank, found[0].vector_rank) == (1, 0)

    server = _serving_at(port, FakeEmbeddings(key=KEY))
    later.append(server)
    up = await service.knowledge.index(base.id)
    view = await service.knowledge.get(base.id)
    assert (view.vectors, view.embedding_problem, up.problem) == (view.chunks, None, "")
    assert up.embedded == view.chunks
    found = await service.knowledge.search([base.id], "harbour lamp number 002")
    assert found[0].vector_rank > 0


class _Shrinking(FakeEmbeddings):
    """Vectors of DIMENSION numbers for the first request, of 5 after it."""

    def next_reply(self) -> Reply:
        texts = self.requests[-1].body.get("input", [])
        if len(self.inputs()) == 1:
            return embeddings_reply(texts)
        return embeddings_reply(texts, vectors=[vector_for(t, 5) for t in texts])


async def test_a_server_whose_vectors_change_size_midway_mixes_none_in(
    make_service: ServiceFactory, store: Store, tmp_path: Path
) -> None:
    server = _Shrinking(key=KEY).start()
    try:
        service = make_service(local=_local(server.url))
        _notes(tmp_path / "notes", BATCH + 10)  # two requests: BATCH passages, then 10
        base, _ = await _pass(service, tmp_path / "notes")
        await service.knowledge.set_embedding(base.id, "local", MODEL)
        progress = await service.knowledge.index(base.id)
        view = await service.knowledge.get(base.id)
        sizes = await store.read(
            lambda s: s.execute(
                text(
                    "SELECT length(vector), count(*) FROM knowledge_chunks "
                    "WHERE base_id = :base AND vector IS NOT NULL GROUP BY length(vector)"
                ),
                {"base": base.id.hex},
            ).all()
        )
        found = await service.knowledge.search([base.id], "harbour lamp number 070")
    finally:
        server.close()

    assert [len(batch) for batch in server.inputs()[:2]] == [BATCH, 10]
    assert view.embedding_problem is not None
    assert f"vectors of 5 numbers; this knowledge base holds vectors of {DIMENSION}" in (
        view.embedding_problem
    )
    assert progress.problem == view.embedding_problem
    assert sizes == [(DIMENSION * 4, BATCH)]  # the first batch's, all of one size
    assert view.vectors == BATCH < view.chunks
    assert found[0].name == "note070.md"  # keywords still answer
    assert found[0].vector_rank == 0  # the question's 5 numbers are never compared


# -- links ---------------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
async def test_a_link_to_a_file_outside_the_folder_is_indexed_under_the_links_name(
    service: ChatService, tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    _notes(folder)
    outside = tmp_path / "elsewhere" / "ferry.md"
    outside.parent.mkdir()
    outside.write_text("The ferry to Skellig leaves at seven from the north pier.")
    (folder / "ferry-link.md").symlink_to(outside)
    base, progress = await _pass(service, folder)
    assert (progress.indexed, progress.failed) == (4, 0)
    found = await service.knowledge.search([base.id], "When does the ferry leave?")
    assert found[0].path == str(folder / "ferry-link.md")
    assert "north pier" in found[0].text
