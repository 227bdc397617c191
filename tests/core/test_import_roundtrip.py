"""chatdesk JSON and archives: export → import gives back the same rows, into an empty
database; into one that has them, nothing is duplicated."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import uuid
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import update

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import assemble
from chatdesk.core.attach.worker import Reader
from chatdesk.core.ids import new_id
from chatdesk.core.paths import Paths
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store, open_store
from chatdesk.core.store.models import Attachment, Message, MessagePart, PartKind, Status
from chatdesk.core.transfer import ExportFormat, Transfer
from chatdesk.core.views import AttachmentInput
from tests.conftest import ServiceFactory

pytestmark = pytest.mark.asyncio

TABLES = ("projects", "threads", "messages", "message_parts", "attachments", "summaries")
PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@dataclasses.dataclass
class Library:
    """What `build_library` made: thread ids by name."""

    threads: dict[str, uuid.UUID]
    project: uuid.UUID


async def _answer(service: ChatService, turn: Any) -> Any:
    return await service.wait_for_answer(turn.answer.id)


async def build_library(
    make_service: ServiceFactory, config: Configuration, store: Store
) -> Library:
    """Threads with every kind of row: branches (regenerated, edited), reasoning, text and
    binary attachments, a summary, an error, usage and cost, a project, pinned, archived and
    deleted threads, thread settings."""
    thinker = MockProvider(dataclasses.replace(config.settings.mock, reasoning=True))
    broken = MockProvider(dataclasses.replace(config.settings.mock, fault="error_after:3"))
    service = make_service(mock=MockProvider(config.settings.mock), thinker=thinker, broken=broken)
    project = await service.create_project("Research", system_prompt="Be brief.")

    main = await service.create_thread(title="Main", project_id=project.id, provider="thinker")
    notes = AttachmentInput("notes.txt", "line one\nline two\n")
    first = await _answer(service, await service.send(main.id, "q1", attachments=[notes]))
    await _answer(service, await service.regenerate(first.id))
    second = await service.send(main.id, "q2")
    await _answer(service, second)
    await _answer(service, await service.edit_message(second.user_message.id, "q2, edited"))
    await _answer(service, await service.send(main.id, "q3 with a ```fence"))
    assert await service.summarize_now(main.id) is not None

    failed = await service.create_thread(title="Failed", provider="broken")
    answer = await _answer(service, await service.send(failed.id, "this will fail"))
    assert answer.status is Status.ERROR
    await service.set_pinned(failed.id, True)
    await service.set_thread_system_prompt(failed.id, "You are a test.")
    await service.set_thread_context_window(failed.id, 32_000)

    archived = await service.create_thread(title="Archived")
    await _answer(service, await service.send(archived.id, "old"))
    await service.set_archived(archived.id, True)
    trashed = await service.create_thread(title="Trashed")
    await _answer(service, await service.send(trashed.id, "gone"))
    await service.delete_thread(trashed.id)
    await service.create_project("Empty project")

    def extras(session: Any) -> None:
        # What the service has no call for yet: a picture (bytes) and a cost.
        attachment = Attachment(
            id=new_id(),
            name="cat.png",
            mime="image/png",
            size=len(PICTURE),
            sha256="0" * 64,
            data=PICTURE,
            created_at=answer.created_at,
        )
        session.add(attachment)
        session.flush()
        session.add(
            MessagePart(
                id=new_id(),
                message_id=first.parent_id,
                position=2,
                kind=PartKind.ATTACHMENT,
                attachment_id=attachment.id,
                data={"kind": "image"},
            )
        )
        session.execute(update(Message).where(Message.id == first.id).values(cost_usd=0.0123))

    store.write_now(extras)
    ids = {"main": main.id, "failed": failed.id, "archived": archived.id, "trashed": trashed.id}
    return Library(ids, project.id)


def rows(database: Path, *, thread: uuid.UUID | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a thread owns, as stored (optionally only one thread's)."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        for table in TABLES:
            sql = f"SELECT * FROM {table}"
            if thread is not None and table in ("messages", "summaries"):
                sql += f" WHERE thread_id = '{thread.hex}'"
            elif thread is not None and table == "threads":
                sql += f" WHERE id = '{thread.hex}'"
            found[table] = sorted(connection.execute(sql).fetchall(), key=repr)
    return found


@pytest_asyncio.fixture
async def other(tmp_path: Path, config: Configuration) -> AsyncIterator[Store]:
    """A second, empty database."""
    root = tmp_path / "elsewhere"
    paths = Paths(root / "data", root / "config", root / "log", root / "cache")
    opened = open_store(paths, config.settings)
    yield opened
    opened.close()


@pytest.fixture
def library_made(make_service: ServiceFactory, config: Configuration, store: Store) -> Any:
    async def make() -> Library:
        return await build_library(make_service, config, store)

    return make


async def test_an_archive_brings_back_every_row(
    store: Store, other: Store, tmp_path: Path, library_made: Any, reader: Reader
) -> None:
    library = await library_made()
    seen: list[tuple[int, int]] = []
    exported = await Transfer(store, reader).export_all(
        tmp_path / "everything.zip",
        progress=lambda p: seen.append((p.threads_done, p.threads_total)),
    )
    assert (exported.threads, exported.projects) == (4, 2)
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    report = await Transfer(other, reader).import_file(tmp_path / "everything.zip")
    assert (report.source, report.threads_added, report.problems) == ("chatdesk", 4, ())
    assert report.messages == exported.messages
    before = rows(store.path)
    assert rows(other.path) == before
    assert len(before["summaries"]) == 1
    assert any(kind == "reasoning" for *_, kind, _, _, _ in before["message_parts"])
    assert set(report.thread_ids) == set(library.threads.values())

    again = await Transfer(other, reader).import_file(tmp_path / "everything.zip")
    assert (again.threads_added, again.threads_skipped, again.messages) == (0, 4, 0)
    assert rows(other.path) == before


async def test_a_thread_file_brings_back_the_thread(
    store: Store,
    other: Store,
    tmp_path: Path,
    library_made: Any,
    config: Configuration,
    reader: Reader,
) -> None:
    library = await library_made()
    main = library.threads["main"]
    target = tmp_path / "main.json"
    await Transfer(store, reader).export_thread(main, ExportFormat.JSON, target)
    document = json.loads(target.read_text())
    assert (document["format"], document["version"]) == ("chatdesk-thread", 1)
    # Every branch: q1, its answer and the regenerated one, q2 and its answer, the edited q2
    # and its answer, q3 and its answer.
    assert len(document["messages"]) == document["thread"]["message_count"] == 9
    report = await Transfer(other, reader).import_file(target)
    assert (report.threads_added, report.problems) == (1, ())
    mine, theirs = rows(store.path, thread=main), rows(other.path, thread=main)
    for table in ("threads", "messages", "summaries"):
        assert theirs[table] == mine[table]
    assert len(theirs["projects"]) == 1  # the thread's project came along

    # The imported thread works like any other: its branch, its branches, a new message.
    service = assemble(other, _providers(config), config.settings)
    try:
        original = assemble(store, _providers(config), config.settings)
        page, copy = await original.list_messages(main), await service.list_messages(main)
        assert page == copy
        turn = await service.send(main, "q4", provider="mock")  # "thinker" is not here
        assert (await service.wait_for_answer(turn.answer.id)).status is Status.COMPLETE
        await original.aclose()
    finally:
        await service.aclose()


def _providers(config: Configuration) -> Any:
    from chatdesk.core.providers.base import Providers

    return Providers({"mock": MockProvider(config.settings.mock)})


async def test_a_damaged_thread_is_reported_and_the_others_imported(
    store: Store, other: Store, tmp_path: Path, library_made: Any, reader: Reader
) -> None:
    await library_made()
    source = tmp_path / "everything.zip"
    await Transfer(store, reader).export_all(source)
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(damaged, "w") as copy:
        manifest = json.loads(original.read("manifest.json"))
        names = [t["file"] for t in manifest["threads"]]
        for info in original.infolist():
            data = original.read(info)
            if info.filename == names[0]:  # a message whose parent is not in the file
                document = json.loads(data)
                document["messages"][-1]["parent_id"] = str(uuid.uuid4())
                data = json.dumps(document).encode()
            elif info.filename == names[1]:
                document = json.loads(data)
                document["version"] = 99
                data = json.dumps(document).encode()
            elif info.filename == names[2]:
                data = data[: len(data) // 2]
            copy.writestr(info, data)
    report = await Transfer(other, reader).import_file(damaged)
    assert report.threads_added == 1
    reasons = {p.where: p.reason for p in report.problems}
    assert "comes before its parent" in reasons[names[0]]
    assert "written by a newer chatdesk (format version 99)" in reasons[names[1]]
    assert names[2] in reasons
    assert rows(other.path)["projects"] == rows(store.path)["projects"]  # all of them, first


async def test_an_empty_database_exports_only_a_manifest(
    store: Store, tmp_path: Path, reader: Reader
) -> None:
    seen: list[object] = []
    empty = await Transfer(store, reader).export_all(tmp_path / "empty.zip", progress=seen.append)
    assert (empty.threads, empty.messages, seen) == (0, 0, [])
    with zipfile.ZipFile(tmp_path / "empty.zip") as archive:
        assert archive.namelist() == ["manifest.json"]
    report = await Transfer(store, reader).import_file(tmp_path / "empty.zip")
    assert (report.threads_added, report.threads_skipped, report.problems) == (0, 0, ())
