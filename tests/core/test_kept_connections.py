"""The store's reader threads keep one connection each between reads (store/kept.py): each read
is still a fresh snapshot, a failure of the database itself costs only that connection,
threads that come and go never keep one, and closing leaves the database checkpointed."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from chatdesk.configuration import Configuration
from chatdesk.core.store import Store, open_store


def _notes(store: Store) -> None:
    store.write_now(lambda s: s.execute(text("CREATE TABLE notes (n INTEGER)")))


def _add(store: Store, n: int) -> None:
    store.write_now(lambda s: s.execute(text("INSERT INTO notes VALUES (:n)"), {"n": n}))


def _count(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM notes")).scalar_one())


def _count_plain(connection: Connection) -> int:
    return int(connection.exec_driver_sql("SELECT count(*) FROM notes").scalar_one())


@pytest.mark.asyncio
async def test_each_read_sees_every_write_made_before_it(store: Store) -> None:
    _notes(store)
    for n in range(1, 30):
        _add(store, n)
        assert await store.read(_count) == n
        assert await store.read_plain(_count_plain) == n


@pytest.mark.asyncio
async def test_a_read_keeps_its_snapshot_while_a_write_commits_beside_it(store: Store) -> None:
    _notes(store)
    _add(store, 1)
    inside, written = threading.Event(), threading.Event()

    def two_looks(connection: Connection) -> tuple[int, int]:
        first = _count_plain(connection)
        inside.set()
        written.wait(timeout=60)
        return first, _count_plain(connection)

    reading = asyncio.ensure_future(store.read_plain(two_looks))
    await asyncio.get_running_loop().run_in_executor(None, inside.wait, 60)
    _add(store, 2)
    written.set()
    assert await reading == (1, 1)
    assert await store.read_plain(_count_plain) == 2  # the next read is a new snapshot


@pytest.mark.asyncio
async def test_a_failed_statement_costs_its_read_alone(store: Store) -> None:
    _notes(store)
    with pytest.raises(DBAPIError, match="no such table"):
        await store.read_plain(lambda c: c.exec_driver_sql("SELECT * FROM missing").all())
    _add(store, 1)
    assert [await store.read_plain(_count_plain) for _ in range(4)] == [1, 1, 1, 1]
    with pytest.raises(LookupError):
        await store.read(lambda s: [_count(s), {}["absent"]])
    _add(store, 2)
    assert [await store.read(_count) for _ in range(4)] == [2, 2, 2, 2]


def test_threads_that_come_and_go_do_not_keep_connections(store: Store) -> None:
    """More threads than the pool has connections each read once: were their connections kept,
    the pool would run dry and the later threads would wait for one that never comes back."""
    _notes(store)
    _add(store, 1)
    seen: list[int] = []

    def read_once() -> None:
        seen.append(store.read_now(_count))

    for _ in range(12):
        worker = threading.Thread(target=read_once)
        worker.start()
        worker.join(timeout=120)
        assert not worker.is_alive()
    assert seen == [1] * 12


def test_closing_after_reads_leaves_the_database_checkpointed(config: Configuration) -> None:
    opened = open_store(config.paths, config.settings)
    _notes(opened)

    async def reads() -> None:
        for n in range(5):
            _add(opened, n)
            await asyncio.gather(opened.read(_count), opened.read_plain(_count_plain))

    asyncio.run(reads())
    opened.close()
    wal = Path(f"{opened.path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with sqlite3.connect(opened.path) as connection:
        assert connection.execute("SELECT count(*) FROM notes").fetchone() == (5,)
