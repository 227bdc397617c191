"""Knowledge bases over a real SQLite file and real files on disk: a folder of notes and PDFs
indexed in the background (the reading child extracts them), searched offline, answered with
citations by the mock, kept current as files change, and every bad file named with its reason
while the rest is indexed."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.configuration import configure
from chatdesk.core.assembly import assemble
from chatdesk.core.attach.worker import Reader
from chatdesk.core.config import KnowledgeSettings, Settings
from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.kinds import Status
from chatdesk.core.knowledge.model import KnowledgeProgressed, Stage
from chatdesk.core.paths import Paths
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.providers.mock_embed import MOCK_EMBEDDING_MODEL
from chatdesk.core.search.search import Search
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store, open_store
from chatdesk.core.store.models import KnowledgeDocument
from chatdesk.core.tools.builtin import ChatdeskTools
from chatdesk.core.transfer import ExportFormat, Transfer
from tests.conftest import ServiceFactory
from tests.core.attachment_files import encrypted_pdf, pdf

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes

NOTES = {
    "garden.md": "# Garden\n\n## Tomatoes\n\nTomatoes need six hours of sun and deep watering "
    "twice a week.\n\n## Roses\n\nPrune roses in late winter, above an outward bud.",
    "kitchen.txt": "The sourdough starter is fed with equal weights of flour and water every "
    "morning. Bake the loaf at 250 degrees for twenty minutes with the lid on.",
    "cars.md": "# Car\n\nThe car's tyre pressure is 2.4 bar at the front and 2.2 bar at the back.",
}


def write_notes(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "manual.pdf").write_bytes(
        pdf(
            [
                "Welcome to the boiler manual.",
                "Reset the boiler by holding the red button "
                "for ten seconds until the light blinks green.",
            ]
        )
    )
    return folder


async def indexed(service: ChatService, folder: Path, name: str = "Home") -> object:
    base = await service.knowledge.create(name)
    await service.knowledge.add(base.id, folder)
    progress = await service.knowledge.index(base.id)
    assert progress.stage is Stage.DONE
    return base


async def test_a_folder_is_indexed_and_searched_offline(
    service: ChatService, tmp_path: Path
) -> None:
    seen: list[KnowledgeProgressed] = []
    service.events.subscribe(
        lambda e: seen.append(e) if isinstance(e, KnowledgeProgressed) else None
    )
    base = await service.knowledge.create("Home")
    await service.knowledge.add(base.id, write_notes(tmp_path / "notes"))
    progress = await service.knowledge.index(base.id)

    assert (progress.stage, progress.total, progress.indexed, progress.failed) == (
        Stage.DONE,
        4,
        4,
        0,
    )
    view = await service.knowledge.get(base.id)
    assert view.documents == 4
    assert view.chunks >= 4
    assert view.failed == 0
    assert seen[-1].progress.stage is Stage.DONE
    found = await service.knowledge.search([base.id], "How do I reset the boiler?")
    assert found[0].name == "manual.pdf"
    assert found[0].location == "page 2"
    assert "red button" in found[0].text
    tomatoes = await service.knowledge.search([base.id], "how much sun do tomatoes need")
    assert tomatoes[0].name == "garden.md"
    assert "Tomatoes" in tomatoes[0].location


async def test_an_answer_cites_its_sources_and_keeps_them(
    service: ChatService, tmp_path: Path
) -> None:
    base = await indexed(service, write_notes(tmp_path / "notes"))
    turn = await service.send_new("What is the tyre pressure of the car?", knowledge=[base.id])
    answer = await service.wait_for_answer(turn.answer.id)

    assert answer.status is Status.COMPLETE
    assert "2.4 bar" in answer.content
    assert "[1]" in answer.content
    assert answer.sources[0].number == 1
    assert answer.sources[0].name == "cars.md"
    assert "2.4 bar" in answer.sources[0].text
    document = await service.knowledge.document(answer.sources[0].document_id)
    passage = document.text[answer.sources[0].start : answer.sources[0].end]
    assert passage == answer.sources[0].text
    page = await service.list_messages(answer.thread_id)
    assert page.messages[-1].sources == answer.sources


async def test_a_changed_file_is_used_by_the_next_answer(
    service: ChatService, tmp_path: Path
) -> None:
    folder = write_notes(tmp_path / "notes")
    base = await indexed(service, folder)
    car = folder / "cars.md"
    car.write_text("# Car\n\nThe car's tyre pressure is 3.1 bar on every wheel.", encoding="utf-8")
    os.utime(car, ns=(car.stat().st_atime_ns, car.stat().st_mtime_ns + 10_000_000_000))
    (folder / "kitchen.txt").unlink()

    again = await service.knowledge.index(base.id)
    assert (again.indexed, again.removed, again.unchanged) == (1, 1, 2)
    turn = await service.send_new("What is the tyre pressure of the car?", knowledge=[base.id])
    answer = await service.wait_for_answer(turn.answer.id)
    assert "3.1 bar" in answer.content
    assert "2.4" not in answer.content
    assert not await service.knowledge.search([base.id], "sourdough starter flour")


async def test_nothing_changed_reads_no_file(service: ChatService, tmp_path: Path) -> None:
    folder = write_notes(tmp_path / "notes")
    base = await indexed(service, folder)
    again = await service.knowledge.index(base.id)
    assert (again.indexed, again.unchanged, again.removed) == (0, 4, 0)


async def test_a_touched_file_with_the_same_bytes_is_not_read_again(
    service: ChatService, tmp_path: Path
) -> None:
    folder = write_notes(tmp_path / "notes")
    base = await indexed(service, folder)
    garden = folder / "garden.md"
    os.utime(garden, ns=(garden.stat().st_atime_ns, garden.stat().st_mtime_ns + 5_000_000_000))
    again = await service.knowledge.index(base.id)
    assert (again.indexed, again.unchanged) == (0, 4)
    assert (await service.knowledge.get(base.id)).documents == 4


async def test_bad_files_are_listed_with_their_reasons_and_the_rest_indexed(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    settings = Settings(knowledge=KnowledgeSettings(max_file_mb=1))
    service = make_service(settings)
    folder = write_notes(tmp_path / "notes")
    (folder / "locked.pdf").write_bytes(encrypted_pdf())
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 500)
    with (folder / "huge.log").open("wb") as huge:
        huge.truncate(3 * 1024 * 1024)  # sparse: three megabytes that take no disk
    (folder / "empty.md").write_bytes(b"")
    base = await indexed(service, folder)

    errors = {Path(e.path).name: e.error for e in await service.knowledge.errors(base.id)}
    assert "password" in errors["locked.pdf"]
    assert "none of the kinds of file" in errors["binary.txt"]
    assert "3.0 MB" in errors["huge.log"]
    assert "knowledge.max_file_mb" in errors["huge.log"]
    assert "empty" in errors["empty.md"]
    view = await service.knowledge.get(base.id)
    assert (view.documents, view.failed) == (4, 4)


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
async def test_a_link_loop_ends_and_is_named(
    service: ChatService, store: Store, tmp_path: Path
) -> None:
    folder = write_notes(tmp_path / "notes")
    (folder / "again").symlink_to(folder, target_is_directory=True)
    base = await indexed(service, folder)
    view = await service.knowledge.get(base.id)
    assert view.documents == 4
    assert any("loop" in e.error for e in await service.knowledge.errors(base.id))
    first = await store.read(_failed_rows)
    await service.knowledge.index(base.id)  # looked at again: nothing new is written
    assert await store.read(_failed_rows) == first


def _failed_rows(session: Session) -> list[tuple[uuid.UUID, str | None]]:
    query = select(KnowledgeDocument.id, KnowledgeDocument.error).where(
        KnowledgeDocument.error.is_not(None)
    )
    return [(row_id, error) for row_id, error in session.execute(query)]


async def test_vectors_from_the_mock_embedding_model(service: ChatService, tmp_path: Path) -> None:
    base = await indexed(service, write_notes(tmp_path / "notes"))
    view = await service.knowledge.set_embedding(base.id, "mock", MOCK_EMBEDDING_MODEL)
    await service.knowledge.index(base.id)
    view = await service.knowledge.get(base.id)
    assert view.vectors == view.chunks > 0
    assert view.embedding_problem is None
    # "watered" is not a word of any note; its trigrams are near "watering".
    found = await service.knowledge.search([base.id], "how often are tomatoes watered")
    assert found[0].name == "garden.md"
    assert found[0].vector_rank == 1


async def test_an_embedding_model_that_fails_leaves_keyword_search(
    service: ChatService, tmp_path: Path
) -> None:
    base = await indexed(service, write_notes(tmp_path / "notes"))
    await service.knowledge.set_embedding(base.id, "mock", "no-such-model")
    await service.knowledge.index(base.id)
    view = await service.knowledge.get(base.id)
    assert view.vectors == 0
    assert view.embedding_problem
    assert "no-such-model" in view.embedding_problem
    found = await service.knowledge.search([base.id], "boiler red button")
    assert found[0].name == "manual.pdf"


async def test_names_are_checked(service: ChatService, tmp_path: Path) -> None:
    base = await service.knowledge.create("Research")
    with pytest.raises(InvalidRequest, match="already"):
        await service.knowledge.create("  research ")
    with pytest.raises(InvalidRequest, match="does not exist"):
        await service.knowledge.add(base.id, tmp_path / "missing")
    assert (await service.knowledge.find("RESEARCH")).id == base.id
    await service.knowledge.delete(base.id)
    with pytest.raises(NotFound):
        await service.knowledge.get(base.id)


async def test_the_search_knowledge_tool_is_offered_once_a_base_exists(
    service: ChatService, store: Store, tmp_path: Path
) -> None:
    tools = ChatdeskTools(Search(store), _no_attachment, service.knowledge)
    assert "search_knowledge" not in [t.name for t in await tools.tools()]
    await indexed(service, write_notes(tmp_path / "notes"))
    assert "search_knowledge" in [t.name for t in await tools.tools()]

    found = await tools.call("search_knowledge", {"query": "reset the boiler", "limit": 2})
    passages = json.loads(found.text)["passages"]
    assert passages[0]["document"] == "manual.pdf"
    assert passages[0]["where"] == "page 2"
    assert "red button" in passages[0]["text"]
    wrong = await tools.call("search_knowledge", {"query": "boiler", "base": "Office"})
    assert wrong.is_error
    assert "no knowledge base called 'Office'" in wrong.text


async def _no_attachment(attachment_id: uuid.UUID) -> tuple[str, str]:
    raise NotFound("none")


async def test_exports_keep_the_sources(
    service: ChatService, store: Store, tmp_path: Path, reader: Reader
) -> None:
    base = await indexed(service, write_notes(tmp_path / "notes"))
    turn = await service.send_new("What is the tyre pressure of the car?", knowledge=[base.id])
    answer = await service.wait_for_answer(turn.answer.id)
    car = str(tmp_path / "notes" / "cars.md")

    written = {}
    for kind in (ExportFormat.MARKDOWN, ExportFormat.HTML, ExportFormat.JSON):
        out = io.BytesIO()
        await Transfer(store, reader).export_thread(answer.thread_id, kind, out)
        written[kind] = out.getvalue().decode("utf-8")
    assert f"[1] {car}, Car (Home)" in written[ExportFormat.MARKDOWN]
    assert "2.4 bar at the front" in written[ExportFormat.MARKDOWN]
    assert f"[1] {car}, Car (Home)" in written[ExportFormat.HTML]
    parts = json.loads(written[ExportFormat.JSON])["messages"][1]["parts"]
    assert [(p["kind"], p["data"]["path"]) for p in parts] == [("source", car)]

    exported = tmp_path / "thread.json"
    exported.write_text(written[ExportFormat.JSON], encoding="utf-8")
    # Another machine: the sources come with the answer, whatever bases it has.
    other = open_store(Paths.resolve(tmp_path / "other"), configure().settings)
    try:
        await Transfer(other, reader).import_file(exported)
        elsewhere = assemble(other, Providers({"mock": MockProvider()}), configure().settings)
        try:
            page = await elsewhere.list_messages(answer.thread_id)
            assert page.messages[-1].sources == answer.sources
        finally:
            await elsewhere.aclose()
    finally:
        other.close()


async def test_watching_looks_at_every_base_at_start(service: ChatService, tmp_path: Path) -> None:
    folder = write_notes(tmp_path / "notes")
    base = await indexed(service, folder)
    (folder / "bikes.md").write_text("# Bike\n\nThe chain is oiled every 300 km.\n", "utf-8")
    seen: list[KnowledgeProgressed] = []
    done = asyncio.Event()

    def on_event(event: object) -> None:
        if isinstance(event, KnowledgeProgressed) and event.progress.stage is Stage.DONE:
            seen.append(event)
            done.set()

    service.events.subscribe(on_event)
    service.knowledge.watch()  # as the window does once its core has started
    await asyncio.wait_for(done.wait(), timeout=30)
    assert seen[0].progress.indexed == 1
    found = await service.knowledge.search([base.id], "how often is the chain oiled")
    assert found[0].name == "bikes.md"
