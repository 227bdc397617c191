"""The composition root makes what the process shares once and hands it in: one reading child
serves attachments, knowledge bases and imports, as the design describes (§3)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from chatdesk.app import build_core
from chatdesk.configuration import Configuration
from chatdesk.core.attach import worker
from chatdesk.core.knowledge.model import Stage
from tests.core.attachment_files import photo
from tests.core.test_import_chatgpt import rich_conversation
from tests.fixtures.chatgpt.export import write_zip

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes


async def test_one_reading_child_serves_attachments_knowledge_and_imports(
    config: Configuration, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Any] = []
    child = worker.Child

    def counted(*args: Any, **kwargs: Any) -> Any:
        made = child(*args, **kwargs)
        started.append(made)
        return made

    monkeypatch.setattr(worker, "Child", counted)
    core = build_core(config)
    try:
        reader = core.insides.shared.reader
        assert reader.pid is None  # nothing read yet: no child at start-up
        note = tmp_path / "note.txt"
        note.write_text("Tide pools hold anemones.", encoding="utf-8")
        await core.service.attacher.attach_file(note)
        pid = reader.pid
        assert pid is not None

        folder = tmp_path / "notes"
        folder.mkdir()
        (folder / "kelp.txt").write_text("Kelp forests shelter otters.", encoding="utf-8")
        base = await core.service.knowledge.create("Home")
        await core.service.knowledge.add(base.id, folder)
        assert (await core.service.knowledge.index(base.id)).stage is Stage.DONE
        assert reader.pid == pid

        pictures = {"file-Cat123-cat.jpg": photo(64, 48)}
        export = write_zip(tmp_path / "chatgpt.zip", [rich_conversation().json()], pictures)
        report = await core.transfer.import_file(export)
        assert report.threads_added == 1
        assert [c.pid for c in started] == [pid]  # the same child, started once
        assert reader.pid is None  # the import's burst is over: not kept idle
    finally:
        await core.aclose()


async def test_team_syncs_engine_is_made_at_start_when_a_thread_is_shared_and_records_its_edits(
    config: Configuration,
) -> None:
    core = build_core(config)  # no server set up, nothing shared
    try:
        await core.start()
        assert core.team.built is None  # sync costs nothing
        thread = await core.service.create_thread(title="Harbour plans")
        await core.insides.store.write(
            lambda s: s.execute(
                text("UPDATE threads SET team_id = :team WHERE id = :id"),
                {"team": uuid.uuid4().hex, "id": thread.id.hex},
            )
        )
    finally:
        await core.aclose()

    core = build_core(config)  # a thread shared, still no server
    try:
        await core.start()
        engine = core.team.built
        assert engine is not None
        pending, _ = engine.outbox()
        await core.service.rename_thread(thread.id, "Harbour plans, final")
        assert engine.outbox()[0] > pending  # the edit waits to be sent
    finally:
        await core.aclose()
