"""Temporary chats over the real database file and a database in memory: a temporary chat
answers like any other, but nothing of it reaches the data folder (no row, no draft, no search
entry, no file), until it is kept, which saves it as a normal chat with every branch."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chatdesk.app import Core, build_core, configure
from chatdesk.core.attach.attacher import NotAttached
from chatdesk.core.chat.views import DraftView, ThreadFilter
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.temporary import NO_FILES
from tests.core import attachment_files as files

pytestmark = pytest.mark.asyncio
SECRET = "my tax number is 12-345-678"


def _files(home: Path) -> dict[str, int]:
    """Every file under `home` with its size (the database's WAL counts: it is written too),
    but the log, which may say that something happened, never what was said."""
    found = {}
    for folder, _, names in os.walk(home):
        for name in names:
            path = Path(folder) / name
            if path.suffix not in (".lock", ".log") and path.exists():
                found[str(path.relative_to(home))] = path.stat().st_size
    return found


async def _core() -> Core:
    core = build_core(configure())
    await core.start()
    return core


async def test_a_temporary_chat_answers_and_leaves_nothing_on_disk(chatdesk_home: Path) -> None:
    core = await _core()
    try:
        await core.service.list_threads(ThreadFilter(), limit=5, cursor=None)
        before = _files(chatdesk_home)
        chats = core.temporary(core.config.settings)
        turn = await chats.service.send_new(SECRET)
        answer = await chats.service.wait_for_answer(turn.answer.id)
        await chats.service.save_draft(answer.thread_id, DraftView("half a thought about taxes"))

        assert answer.status.value == "complete"
        assert answer.content
        page = await chats.service.list_messages(answer.thread_id)
        assert page.messages[0].content == SECRET
        main = await core.service.list_threads(ThreadFilter(archived=None), limit=5, cursor=None)
        assert main.threads == ()
        hits = await core.search.search("tax")
        assert not hits.messages
        await chats.aclose()
        assert _files(chatdesk_home) == before  # not a byte written: no row, no draft, no file
        logs = [p.read_text() for p in core.config.paths.log_dir.glob("*.log")]
        assert logs
        assert not any("tax" in log for log in logs)
    finally:
        await core.aclose()


async def test_keeping_a_temporary_chat_saves_it_with_its_branches(chatdesk_home: Path) -> None:
    core = await _core()
    try:
        chats = core.temporary(core.config.settings)
        turn = await chats.service.send_new("Plan a garden")
        first = await chats.service.wait_for_answer(turn.answer.id)
        again = await chats.service.regenerate(first.id)
        await chats.service.wait_for_answer(again.answer.id)

        kept = await chats.keep(first.thread_id)

        assert kept == first.thread_id
        thread = await core.service.get_thread(kept)
        assert thread.title
        page = await core.service.list_messages(kept)
        assert page.messages[0].content == "Plan a garden"
        assert page.messages[-1].id == again.answer.id
        assert page.messages[-1].sibling_count == 2
        hits = await core.search.search("garden")
        assert hits.messages
        with pytest.raises(InvalidRequest, match="kept already"):
            await chats.keep(first.thread_id)
        await chats.aclose()
        assert (await core.service.get_thread(kept)).id == kept  # it stays once they are gone
    finally:
        await core.aclose()


async def test_files_cannot_be_attached_to_a_temporary_chat(chatdesk_home: Path) -> None:
    core = await _core()
    try:
        chats = core.temporary(core.config.settings)
        with pytest.raises(NotAttached) as refused:
            await chats.service.attacher.attach_bytes("photo.jpg", files.photo(64, 48, (1, 2, 3)))
        assert NO_FILES in str(refused.value)
        assert not (core.config.paths.data_dir / "attachments").exists()
        await chats.aclose()
    finally:
        await core.aclose()
