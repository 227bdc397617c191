"""A disk that fills while chatdesk runs turns the chats read-only before the next send, with
the words a full disk gets at start-up, and writable again once there is room; nothing the
user wrote is lost. The free space is a number the test sets; the database a real file."""

from __future__ import annotations

import asyncio

import pytest

from chatdesk.configuration import Configuration
from chatdesk.core.kinds import Status
from chatdesk.core.maintenance import Maintenance
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.store.access import WriteBlocked
from chatdesk.core.store.backups import Backups
from chatdesk.core.store.database_file import examine
from chatdesk.core.store.failures import FULL_BELOW, ROOM_WANTED, StorageError
from chatdesk.core.store.opening import open_store
from chatdesk.core.store.read_only import open_read_only
from chatdesk.core.store.space_watch import SpaceWatch
from chatdesk.core.views import DraftView

pytestmark = pytest.mark.asyncio

MB = 1024 * 1024


class Disk:
    """The data folder's free bytes, as the watch reads them."""

    def __init__(self, free: int = 10 * 1024 * MB) -> None:
        self.free: int | None = free

    def __call__(self) -> int | None:
        return self.free


async def test_a_disk_that_fills_refuses_the_next_send_and_keeps_the_draft(
    store: Store, service: ChatService
) -> None:
    disk, told = Disk(), []
    watch = SpaceWatch(store, told.append, free_bytes=disk)
    thread = await service.create_thread(title="kept")
    await service.save_draft(thread.id, DraftView("my words, typed before the disk filled"))
    await watch.check()
    assert told == []
    assert service.saving_blocked is None

    disk.free = 3 * MB  # another program filled the disk
    await watch.check()
    [blocked] = told
    assert blocked is not None
    assert blocked == service.saving_blocked
    assert "is full (3.0 MB free), so chatdesk shows your chats read-only" in blocked
    assert "Free at least 64.0 MB there and chatdesk saves again by itself" in blocked
    with pytest.raises(StorageError) as refused:
        await service.send(thread.id, "my words, typed before the disk filled")
    assert str(refused.value) == blocked
    assert (await service.load_draft(thread.id)).text == "my words, typed before the disk filled"
    page = await service.list_messages(thread.id)
    assert page.messages == ()  # nothing half-written

    disk.free = 2 * MB  # fuller still: said once, not at every look
    await watch.check()
    assert told == [blocked]

    disk.free = 20 * MB  # some room, less than asked for: still read-only, so it does not flap
    await watch.check()
    assert told == [blocked]
    assert service.saving_blocked == blocked

    disk.free = ROOM_WANTED
    await watch.check()
    assert told == [blocked, None]
    assert service.saving_blocked is None
    turn = await service.send(thread.id, "my words, typed before the disk filled")
    answer = await service.wait_for_answer(turn.answer.id)
    assert answer.status is Status.COMPLETE
    assert (await service.load_draft(thread.id)).empty  # sent, so no longer a draft


async def test_an_unreadable_free_space_changes_nothing(store: Store) -> None:
    disk, told = Disk(3 * MB), []
    watch = SpaceWatch(store, told.append, free_bytes=disk)
    await watch.check()
    disk.free = None  # the folder cannot be looked at: a write says what is wrong
    await watch.check()
    assert len(told) == 1
    assert store.blocked is not None


async def test_the_watch_never_ends_a_read_only_state_it_did_not_begin(
    config: Configuration,
) -> None:
    open_store(config.paths, config.settings).close()  # the database exists
    cannot_write = WriteBlocked("read_only", "The folder cannot be written", "Make it writable.")
    store = open_read_only(
        config.paths, config.settings, cannot_write, examine(config.paths.database)
    )
    try:
        told: list[str | None] = []
        watch = SpaceWatch(store, told.append, free_bytes=Disk(ROOM_WANTED * 10))
        await watch.check()
        assert store.blocked is cannot_write
        watch = SpaceWatch(store, told.append, free_bytes=Disk(FULL_BELOW - 1))
        await watch.check()
        assert store.blocked is cannot_write  # its own words stay: they say what to do
        assert told == []
    finally:
        store.close()


async def test_maintenance_watches_from_start_to_close(
    store: Store, service: ChatService, config: Configuration
) -> None:
    seen = asyncio.Event()

    def told(blocked: str | None) -> None:
        seen.set()

    backups = Backups(store.path, config.paths.backups_dir)
    watch = SpaceWatch(store, told, free_bytes=Disk(1 * MB))
    maintenance = Maintenance(store, backups, lambda: config.settings.storage, space=watch)
    try:
        maintenance.start(first_after=3_600)  # the backup waits; the watch looks at once
        await seen.wait()
        assert service.saving_blocked is not None
        await maintenance.aclose()
        assert [t for t in asyncio.all_tasks() if t.get_name() == "space watch"] == []
    finally:
        await maintenance.aclose()
        backups.close()
