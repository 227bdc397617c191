"""Temporary chats over the real database file and a database in memory: a temporary chat
answers like any other, but nothing of it reaches the data folder (no row, no draft, no search
entry, no file, no log line: looked for in the bytes of every file, the database's WAL too,
after a long chat with branches, drafts, a title and summaries), until it is kept, which saves
it as a normal chat with every branch, even while the chats are busy."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chatdesk.app import Core, build_core
from chatdesk.configuration import configure
from chatdesk.core.assistants.model import AssistantFields
from chatdesk.core.attach.attacher import NotAttached
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.kinds import Status
from chatdesk.core.service import ChatService
from chatdesk.core.store.models import Message
from chatdesk.core.temporary import NO_FILES
from chatdesk.core.views import DraftView, MessageView, ThreadFilter, Turn
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
        chats = await core.temporary(core.config.settings)
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


async def test_a_temporary_chat_has_this_machines_assistants_and_prompts(
    chatdesk_home: Path,
) -> None:
    core = await _core()
    try:
        pirate = await core.service.assistants.create(
            AssistantFields("Pirate", system_prompt="Answer as a pirate.")
        )
        await core.service.assistants.delete((await core.service.assistants.find("Tutor")).id)
        await core.service.prompts.save("Reply", "Write a {{tone}} reply.")
        chats = await core.temporary(core.config.settings)

        names = [a.name for a in await chats.service.assistants.list()]
        assert names == [a.name for a in await core.service.assistants.list()]
        assert "Pirate" in names
        assert "Tutor" not in names  # a deleted built-in stays deleted
        assert [p.text for p in await chats.service.prompts.list()] == ["Write a {{tone}} reply."]
        turn = await chats.service.send_new("Where is the gold?", assistant_id=pirate.id)
        answer = await chats.service.wait_for_answer(turn.answer.id)
        assert answer.agent == "Pirate"
        kept = await chats.keep(answer.thread_id)
        assert (await core.service.get_thread(kept)).assistant_id == pirate.id  # the same one
        await chats.aclose()
    finally:
        await core.aclose()


async def test_keeping_a_temporary_chat_saves_it_with_its_branches(chatdesk_home: Path) -> None:
    core = await _core()
    try:
        chats = await core.temporary(core.config.settings)
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


async def test_keeping_while_an_answer_is_written_keeps_it_whole_once_it_ends(
    chatdesk_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATDESK_MOCK_TOKENS_PER_SECOND", "400")  # still writing when kept
    core = await _core()
    try:
        chats = await core.temporary(core.config.settings)
        turn = await chats.service.send_new("Plan a garden")
        kept = await chats.keep(turn.answer.thread_id)
        written = await chats.service.get_message(turn.answer.id)
        assert written.status.is_final
        page = await core.service.list_messages(kept)
        assert page.messages[-1].content == written.content
        assert page.messages[-1].content
        await chats.aclose()
    finally:
        await core.aclose()


async def test_files_cannot_be_attached_to_a_temporary_chat(chatdesk_home: Path) -> None:
    core = await _core()
    try:
        chats = await core.temporary(core.config.settings)
        with pytest.raises(NotAttached) as refused:
            await chats.service.attacher.attach_bytes("photo.jpg", files.photo(64, 48, (1, 2, 3)))
        assert NO_FILES in str(refused.value)
        assert not (core.config.paths.data_dir / "attachments").exists()
        await chats.aclose()
    finally:
        await core.aclose()


# -- not a byte of it, looked for in every file ----------------------------------------------------

TURNS = 42
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be")  # SQLite keeps text in one of them


def _marker(kind: str) -> str:
    """A word no file holds by chance: lowercase letters and digits, so the search index, which
    folds case and splits on anything else, would keep it as one term too."""
    return f"{kind}{secrets.token_hex(8)}"


def _needle(marker: str) -> str:
    """What is looked for: the marker's random tail, which a search index's term keeps whole
    even where it shares its first letters with the term before it (and stores them once)."""
    return marker[-12:]


def _scan(home: Path, markers: list[str]) -> tuple[dict[str, set[str]], set[str]]:
    """The markers found in the bytes of any file under `home` (with where and how), and
    every file that was read."""
    found: dict[str, set[str]] = {}
    read: set[str] = set()
    for path in sorted(home.rglob("*")):
        if not path.is_file():
            continue
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # gone meanwhile
            continue
        except PermissionError:  # an instance's lock, held (Windows locks its bytes)
            if path.suffix != ".lock":
                raise
            continue
        name = path.relative_to(home).as_posix()
        read.add(name)
        for marker in markers:
            for encoding in ENCODINGS:
                if _needle(marker).encode(encoding) in data:
                    found.setdefault(marker, set()).add(f"{name} ({encoding})")
    return found, read


async def _answered(service: ChatService, turn: Turn, marker: str) -> MessageView:
    answer = await service.wait_for_answer(turn.answer.id)
    assert answer.status is Status.COMPLETE
    assert marker in answer.content  # the mock's answer names what it was asked about
    return answer


async def test_a_long_temporary_chat_leaves_no_byte_of_its_text_in_any_file(
    chatdesk_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even the debug log may say what happened, never what was said.
    monkeypatch.setenv("CHATDESK_LOGGING_LEVEL", "DEBUG")
    level = logging.getLogger("chatdesk").level
    core = await _core()
    try:
        paths = core.config.paths
        await core.service.list_threads(ThreadFilter(), limit=5, cursor=None)
        before = _files(chatdesk_home)
        log_before = (paths.log_dir / "chatdesk.log").stat().st_size
        chats = await core.temporary(core.config.settings)
        service = chats.service
        said: list[str] = []  # every marker the temporary chats were given, in any form

        first = _marker("trip")
        said.append(first)
        turn = await service.send_new(
            f"Please plan a trip to {first} with stops in small towns along the coast"
        )  # over 60 characters: the model names the chat
        thread_id = turn.answer.thread_id
        asked = [turn.user_message]
        answers = [await _answered(service, turn, first)]
        for _ in range(TURNS - 1):
            marker = _marker("ask")
            said.append(marker)
            # A request for the offline demo's showcase: answers of a model's length.
            turn = await service.send(thread_id, f"Show me an example about {marker}")
            asked.append(turn.user_message)
            answers.append(await _answered(service, turn, marker))
        again = await service.regenerate(answers[10].id)
        await _answered(service, again, said[10])
        edited = _marker("edit")
        said.append(edited)
        target = asked[30]
        assert target is not None
        branch = await service.edit_message(target.id, f"Rather tell me about {edited}")
        await _answered(service, branch, edited)
        after = _marker("next")
        said.append(after)
        await _answered(service, await service.send(thread_id, f"And then {after}"), after)
        prompt, draft, new_draft = _marker("system"), _marker("draft"), _marker("fresh")
        said += [prompt, draft, new_draft]
        await service.set_thread_system_prompt(thread_id, f"Always mention {prompt}")
        await service.save_draft(thread_id, DraftView(f"half a thought about {draft}"))
        await service.save_draft(None, DraftView(f"a new chat about {new_draft}"))
        await service.settle()  # its title and summaries are written too

        thread = await service.get_thread(thread_id)
        assert first in thread.title
        summaries = await service.list_summaries(thread_id)
        assert any(m in s.content for s in summaries for m in said)  # it was long: summarised
        shown = (await service.list_messages(thread_id, limit=200)).messages
        assert len(shown) == 2 * 30 + 4  # the edit's branch: 30 turns, the edited one, one more
        assert [m.content for m in shown[-4::2]] == [
            f"Rather tell me about {edited}",
            f"And then {after}",
        ]
        assert [m.sibling_count for m in shown[-4:]] == [2, 1, 1, 1]  # the edit
        assert shown[21].sibling_count == 2  # the answer regenerated
        assert (await service.load_draft(thread_id)).text.endswith(draft)
        assert (await service.load_draft(None)).text.endswith(new_draft)
        keep_me = _marker("keep")
        kept_turn = await service.send_new(f"Remember {keep_me}")
        await _answered(service, kept_turn, keep_me)

        # The main database is open, its WAL not checkpointed: nothing in any file.
        found, read = _scan(chatdesk_home, [*said, keep_me])
        assert found == {}
        database = paths.database.relative_to(chatdesk_home).as_posix()
        log = (paths.log_dir / "chatdesk.log").relative_to(chatdesk_home).as_posix()
        assert {database, f"{database}-wal", f"{database}-shm", log} <= read
        assert _files(chatdesk_home) == before  # and not a byte written but the log's
        assert (paths.log_dir / "chatdesk.log").stat().st_size > log_before  # which it was

        # The scan does find text that is saved: keeping one chat puts it in the database.
        await chats.keep(kept_turn.answer.thread_id)
        found, _ = _scan(chatdesk_home, [*said, keep_me])
        assert set(found) == {keep_me}
        assert any(place.startswith(database) for place in found[keep_me])

        await chats.aclose()
        found, _ = _scan(chatdesk_home, said)
        assert found == {}
    finally:
        await core.aclose()
        logging.getLogger("chatdesk").setLevel(level)
    # Closed, the WAL checkpointed into the database: still nothing of the temporary chat, and
    # the chat kept is in the database file itself.
    found, read = _scan(chatdesk_home, [*said, keep_me])
    assert set(found) == {keep_me}
    assert f"{database} (utf-8)" in found[keep_me]


def _messages(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Message)) or 0


async def test_keeping_reads_a_temporary_chat_in_its_turn_beside_the_chats_own_work(
    chatdesk_home: Path,
) -> None:
    """Keeping exports the chat on a thread of its own (a long one is streamed to a file). The
    chats in memory have one connection: that read must wait for what the chats are doing (a
    summary or a title being saved, an answer's progress) rather than begin a transaction
    inside theirs, which SQLite refuses ("cannot start a transaction within a transaction"):
    keeping a chat just after an answer failed now and then."""
    core = await _core()
    try:
        chats = await core.temporary(core.config.settings)
        turn = await chats.service.send_new("Plan a garden")
        await chats.service.wait_for_answer(turn.answer.id)
        busy, go, asked = threading.Event(), threading.Event(), threading.Event()
        order: list[str] = []

        def chats_own_work(session: Session) -> None:  # in its transaction until let go
            order.append(f"working on {_messages(session)} messages")
            busy.set()
            go.wait(30)
            order.append("done")

        def export() -> int:
            asked.set()
            return chats.store.read_now(_messages)

        working = asyncio.ensure_future(chats.store.read(chats_own_work))
        await asyncio.to_thread(busy.wait)
        exporting = asyncio.ensure_future(asyncio.to_thread(export))
        await asyncio.to_thread(asked.wait)
        go.set()

        assert await exporting == 2
        await working
        assert order == ["working on 2 messages", "done"]
        kept = await chats.keep(turn.answer.thread_id)
        assert (await core.service.list_messages(kept)).messages[0].content == "Plan a garden"
        await chats.aclose()
    finally:
        await core.aclose()
