"""Deleted threads stay restorable for the retention period, then are purged for good (with a
fake clock); team threads are left to the team server; purging goes in bounded batches."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text

from chatdesk.app import build_core
from chatdesk.configuration import Configuration
from chatdesk.core.assembly import assemble
from chatdesk.core.chat.events import BackgroundProblem
from chatdesk.core.chat.retention import Purged, purge_batch, purge_expired, retention_cutoff
from chatdesk.core.config import StorageSettings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.maintenance import Maintenance, Problem
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.store.backup import BackupKind, list_backups
from chatdesk.core.store.backup_failure import read_failure
from chatdesk.core.store.backups import Backups
from chatdesk.core.store.rotation import RotationPolicy
from chatdesk.core.views import AttachmentInput, DraftView, ThreadFilter
from tests.core.databases import rows

pytestmark = pytest.mark.asyncio

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


@dataclass
class FakeClock:
    at: datetime = T0

    def now(self) -> datetime:
        return self.at


@pytest_asyncio.fixture
async def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def chat(store: Store, config: Configuration, clock: FakeClock) -> AsyncIterator[ChatService]:
    service = assemble(
        store, Providers({"mock": MockProvider(config.settings.mock)}), config.settings, clock=clock
    )
    yield service
    await service.aclose()


async def thread_with(chat: ChatService, title: str, word: str, turns: int = 2) -> uuid.UUID:
    thread = await chat.create_thread(title=title)
    for turn in range(turns):
        attached = (AttachmentInput(f"{word}.txt", f"notes on {word} {turn}"),) if turn == 0 else ()
        asked = await chat.send(thread.id, f"tell me about {word} {turn}", attachments=attached)
        await chat.wait_for_answer(asked.answer.id)
    await chat.save_draft(thread.id, DraftView(f"unsent {word}"))
    return thread.id


def hits(database: Path, word: str) -> int:
    return rows(
        database, "SELECT count(*) FROM search_messages WHERE search_messages MATCH ?", word
    )[0][0]


def count(database: Path, sql: str, *params: object) -> int:
    return int(rows(database, sql, *params)[0][0])


async def test_a_thread_deleted_31_days_ago_is_purged_with_everything_it_held(
    chat: ChatService, store: Store, clock: FakeClock
) -> None:
    database = store.path
    old = await thread_with(chat, "old", "albatross")
    recent = await thread_with(chat, "recent", "borealis")
    team = await thread_with(chat, "team", "cormorant")
    kept = await thread_with(chat, "kept", "dolphin")
    await chat.delete_thread(old)
    await chat.delete_thread(team)
    await store.write(
        lambda s: s.execute(
            text("UPDATE threads SET team_id = :team WHERE id = :id"),
            {"team": uuid.uuid4().hex, "id": team.hex},
        )
    )
    clock.at = T0 + timedelta(days=2)
    await chat.delete_thread(recent)
    assert hits(database, "albatross") > 0
    attachments_before = count(database, "SELECT count(*) FROM attachments")

    clock.at = T0 + timedelta(days=31)
    cutoff = retention_cutoff(clock.now(), 30)
    assert cutoff is not None
    purged = await purge_expired(store, cutoff)

    assert purged.threads == 1
    assert purged.messages == 4
    remaining = {r[0] for r in rows(database, "SELECT id FROM threads")}
    assert remaining == {recent.hex, team.hex, kept.hex}
    assert count(database, "SELECT count(*) FROM messages WHERE thread_id = ?", old.hex) == 0
    assert hits(database, "albatross") == 0
    assert (
        count(database, "SELECT count(*) FROM search_threads WHERE search_threads MATCH 'old'") == 0
    )
    assert hits(database, "borealis") > 0
    assert hits(database, "cormorant") > 0
    assert count(database, "SELECT count(*) FROM attachments") == attachments_before - 1
    assert count(database, "SELECT count(*) FROM drafts WHERE key = ?", old.hex) == 0
    assert (
        count(
            database,
            "SELECT count(*) FROM message_parts WHERE message_id NOT IN (SELECT id FROM messages)",
        )
        == 0
    )
    # the 29-day-old one is still in the trash and can be restored
    trash = await chat.list_threads(ThreadFilter(deleted=True))
    assert {t.title for t in trash.threads} == {"recent", "team"}
    restored = await chat.restore_thread(recent)
    assert restored.message_count == 4


async def test_zero_days_keeps_deleted_threads_forever(
    chat: ChatService, store: Store, clock: FakeClock
) -> None:
    old = await thread_with(chat, "old", "albatross")
    await chat.delete_thread(old)
    clock.at = T0 + timedelta(days=10_000)
    assert retention_cutoff(clock.now(), 0) is None


async def test_a_long_thread_is_purged_a_bounded_batch_at_a_time(
    chat: ChatService, store: Store, clock: FakeClock
) -> None:
    long = await thread_with(chat, "long", "echidna", turns=6)  # 12 messages
    await chat.delete_thread(long)
    cutoff = T0 + timedelta(seconds=1)

    batches = []
    while (done := await store.write(lambda s: purge_batch(s, cutoff, 5))) != Purged():
        batches.append(done)

    assert batches == [Purged(0, 5), Purged(0, 5), Purged(1, 2)]
    assert count(store.path, "SELECT count(*) FROM threads") == 0
    assert count(store.path, "SELECT count(*) FROM messages") == 0


# -- the maintenance task: daily backup and purge ------------------------------------------------


def storage(**changes: object) -> StorageSettings:
    return StorageSettings(**changes)  # type: ignore[arg-type]


@pytest_asyncio.fixture
async def backups(store: Store, config: Configuration) -> AsyncIterator[Backups]:
    made = Backups(store.path, config.paths.backups_dir)
    yield made
    made.close()


async def test_maintenance_backs_up_daily_and_purges(
    chat: ChatService, store: Store, backups: Backups, clock: FakeClock
) -> None:
    settings = storage()
    maintenance = Maintenance(store, backups, lambda: settings, clock)
    old = await thread_with(chat, "old", "albatross")
    await chat.delete_thread(old)

    first = await maintenance.run_once()
    assert first.backup is not None
    assert first.backup.made is not None
    assert first.purged == Purged()
    clock.at += timedelta(hours=23)
    assert (await maintenance.run_once()).backup.made is None  # type: ignore[union-attr]
    clock.at = T0 + timedelta(days=31)
    later = await maintenance.run_once()
    assert later.backup is not None
    assert later.backup.made is not None
    assert later.purged.threads == 1
    kinds = [b.kind for b in list_backups(backups.folder)]
    assert kinds == [BackupKind.DAILY, BackupKind.DAILY]

    settings = storage(automatic_backups=False, deleted_retention_days=0)
    clock.at += timedelta(days=5)
    off = await maintenance.run_once()
    assert off.backup is None
    assert off.purged == Purged()
    assert len(list_backups(backups.folder)) == 2


async def delete_old_thread(chat: ChatService, clock: FakeClock) -> None:
    """A thread deleted 40 days before the clock's new time: the next purge removes it."""
    old = await thread_with(chat, "old", "albatross")
    await chat.delete_thread(old)
    clock.at = T0 + timedelta(days=40)


async def test_a_failed_automatic_backup_is_remembered_and_the_purge_still_runs(
    chat: ChatService, store: Store, config: Configuration, clock: FakeClock, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backups folder should be")
    broken = Backups(store.path, blocker)
    try:
        announced: list[BackgroundProblem] = []
        maintenance = Maintenance(store, broken, storage, clock, announce=announced.append)
        await delete_old_thread(chat, clock)
        run = await maintenance.run_once()
        assert run.backup is None
        assert broken.last_failure is not None
        assert "cannot write backups" in broken.last_failure
        assert run.purged.threads == 1
        [problem] = announced  # shown in the window until a backup is made again
        assert problem.job == "backups"
        assert problem.detail == f"automatic backups stopped: {broken.last_failure}"
        assert maintenance.problems == {"backups": Problem(problem.detail, clock.at, 1)}
    finally:
        broken.close()


async def test_closing_the_core_cancels_a_maintenance_run_in_progress(
    config: Configuration, clock: FakeClock
) -> None:
    inside, release = threading.Event(), threading.Event()
    calls = 0

    def slow_settings() -> StorageSettings:  # the run is under way, reading its settings
        nonlocal calls
        calls += 1
        inside.set()
        release.wait(30)
        return storage()

    core = build_core(config)
    core = replace(
        core, maintenance=Maintenance(core.insides.store, core.backups, slow_settings, clock)
    )
    core.maintenance.start(first_after=0, every=0)
    try:
        assert await asyncio.to_thread(inside.wait, 30)
        # Returns while the run is still blocked (it was cancelled), not after it went on.
        await asyncio.wait_for(core.aclose(), 30)
        assert [t for t in asyncio.all_tasks() if t.get_name() == "maintenance"] == []
    finally:
        release.set()
    assert calls == 1  # no run after it
    assert list_backups(config.paths.backups_dir) == []
    assert core.maintenance.problems == {}  # a cancelled run is not a failure


async def test_a_failing_run_is_announced_the_loop_goes_on_and_the_problem_clears(
    store: Store, backups: Backups, clock: FakeClock
) -> None:
    calls, announced, cleared = 0, [], asyncio.Event()

    def flaky_settings() -> StorageSettings:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("settings could not be read")
        return storage()

    def announce(problem: BackgroundProblem) -> None:
        announced.append(problem)
        if problem.detail is None:
            cleared.set()

    maintenance = Maintenance(store, backups, flaky_settings, clock, announce=announce)
    maintenance.start(first_after=0, every=0)
    await asyncio.wait_for(cleared.wait(), 30)
    await maintenance.aclose()
    assert [(p.job, p.detail is None) for p in announced] == [
        ("maintenance", False),
        ("maintenance", True),
    ]
    assert "settings could not be read" in (announced[0].detail or "")
    assert [b.kind for b in list_backups(backups.folder)] == [BackupKind.DAILY]  # the next run


async def test_a_bug_in_the_backup_job_is_counted_and_the_purge_still_runs(
    chat: ChatService, store: Store, config: Configuration, clock: FakeClock
) -> None:
    closed = Backups(store.path, config.paths.backups_dir)
    closed.close()  # used after closing: a bug, not a failure the user can act on
    announced: list[BackgroundProblem] = []
    maintenance = Maintenance(store, closed, storage, clock, announce=announced.append)
    await delete_old_thread(chat, clock)
    first = await maintenance.run_once()
    assert first.purged.threads == 1
    clock.at += timedelta(hours=1)
    await maintenance.run_once()
    [problem] = announced  # the same problem again is not announced twice
    assert problem.job == "backups"
    assert problem.detail is not None
    assert problem.detail.startswith("automatic backups stopped: an unexpected error (Runtime")
    assert problem.detail.endswith("; see the log")
    assert maintenance.problems == {"backups": Problem(problem.detail, T0 + timedelta(days=40), 2)}
    recorded = read_failure(config.paths.data_dir)  # for the Data tab and `chatdesk db backups`
    assert recorded is not None
    assert (recorded.since, recorded.attempts) == (T0 + timedelta(days=40), 2)
    assert f"automatic backups stopped: {recorded.reason}" == problem.detail


async def test_a_failing_automatic_backup_is_recorded_for_every_chatdesk_until_one_is_made(
    store: Store, config: Configuration, clock: FakeClock
) -> None:
    folder = config.paths.backups_dir
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the backups folder should be")
    window = Backups(store.path, folder)
    try:
        for hour in range(3):
            with pytest.raises(ChatdeskError, match="cannot write backups"):
                await window.automatic(T0 + timedelta(hours=hour), RotationPolicy())
    finally:
        window.close()
    later = Backups(store.path, folder)  # the next session, or the Data tab of another window
    try:
        assert later.failure is not None
        assert (later.failure.since, later.failure.attempts) == (T0, 3)
        assert later.last_failure == window.last_failure
        assert later.failure.describe().endswith(f"(3 times in a row): {window.last_failure}")
        folder.unlink()
        made = await later.automatic(T0 + timedelta(hours=3), RotationPolicy())
        assert made.made is not None
        assert (later.failure, later.last_failure) == (None, None)
        assert read_failure(config.paths.data_dir) is None
    finally:
        later.close()
