"""SQLite errors are sorted by their result code: what the user can act on (a full, read-only,
busy, damaged or failing disk) becomes a message saying what to do; a constraint violated, a
bad statement or a misused driver is a bug and reaches the crash dialog as it is."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from chatdesk.configuration import Configuration
from chatdesk.core.errors import Busy, ChatdeskError
from chatdesk.core.store import Store, open_store
from chatdesk.core.store.backup import is_damage
from chatdesk.core.store.failures import StorageError, storage_error, translated
from chatdesk.core.store.models import Project

BUSY = "the database is busy in another chatdesk process; try again in a moment."


def _raised(work: object) -> sqlite3.Error:
    try:
        work()  # type: ignore[operator]
    except sqlite3.Error as error:
        return error
    raise AssertionError("SQLite raised nothing")


def test_a_full_disk_says_so_and_what_to_do(store: Store) -> None:
    def fill(session: Session) -> None:
        pages = session.execute(text("PRAGMA page_count")).scalar_one()
        session.execute(text(f"PRAGMA max_page_count = {pages}"))  # no room left
        session.add(
            Project(name="x" * 100_000, total_tokens=0, created_at=_now(), updated_at=_now())
        )
        session.flush()

    with pytest.raises(StorageError) as raised:
        store.write_now(fill)
    assert str(raised.value) == (
        "the disk is full, so chatdesk cannot save. Free some space and try again; "
        "everything saved before is intact."
    )


def test_a_read_only_database_says_so(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    read_only = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    error = _raised(lambda: read_only.execute("INSERT INTO t VALUES (1)"))
    read_only.close()
    known = storage_error(error)
    assert isinstance(known, StorageError)
    assert str(known) == "the database is read-only; check the permissions of the data folder."


def test_a_database_held_by_another_process_is_busy(tmp_path: Path) -> None:
    path = tmp_path / "held.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    error = _raised(lambda: other.execute("BEGIN IMMEDIATE"))
    known = storage_error(error)
    assert isinstance(known, Busy)
    assert str(known) == BUSY
    holder.execute("ROLLBACK")
    holder.close()
    other.close()


def test_a_write_waits_for_another_process_then_says_it_is_busy(config: Configuration) -> None:
    impatient = replace(
        config.settings, storage=replace(config.settings.storage, busy_timeout_ms=100)
    )
    store = open_store(config.paths, impatient)
    holder = sqlite3.connect(store.path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another chatdesk process is writing
        with pytest.raises(Busy) as raised:
            store.write_now(lambda s: s.add(_project("waits")))
        assert str(raised.value) == BUSY
        holder.execute("ROLLBACK")
        store.write_now(lambda s: s.add(_project("then goes in")))
    finally:
        holder.close()
        store.close()


def test_a_file_that_is_not_a_database_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database, only some text pretending to be one" * 100)
    connection = sqlite3.connect(path)
    error = _raised(lambda: connection.execute("SELECT * FROM sqlite_master").fetchall())
    connection.close()
    assert is_damage(error)
    known = storage_error(error)
    assert isinstance(known, StorageError)
    assert "the database file is damaged" in str(known)
    assert "chatdesk db restore" in str(known)


def test_a_folder_that_cannot_hold_the_database_says_where_to_look(tmp_path: Path) -> None:
    error = _raised(lambda: sqlite3.connect(tmp_path / "missing" / "x.db"))
    known = storage_error(error)
    assert isinstance(known, StorageError)
    assert "check that the data folder exists" in str(known)


def test_a_violated_constraint_is_a_bug_not_a_storage_error(store: Store) -> None:
    project = Project(name="a", total_tokens=0, created_at=_now(), updated_at=_now())
    store.write_now(lambda s: s.add(project))

    def duplicate(session: Session) -> None:
        session.execute(
            Project.__table__.insert().values(
                id=project.id, name="b", total_tokens=0, created_at=_now(), updated_at=_now()
            )
        )

    with pytest.raises(IntegrityError) as raised:
        store.write_now(duplicate)
    assert not isinstance(raised.value, ChatdeskError)


def test_a_wrong_statement_is_a_bug(store: Store) -> None:
    with pytest.raises(OperationalError, match="no such table"):
        store.read_now(lambda s: s.execute(text("SELECT * FROM no_such_table")).all())


def test_a_value_the_driver_cannot_bind_is_a_bug(store: Store) -> None:
    with pytest.raises(ProgrammingError) as raised:
        store.read_now(lambda s: s.execute(text("SELECT :value"), {"value": object()}).all())
    assert not isinstance(raised.value, ChatdeskError)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("failure", "reported"),
    [
        (RuntimeError("the write went wrong"), "bug"),
        (StorageError("the disk is full"), "log"),
    ],
)
async def test_a_write_that_fails_after_its_caller_was_cancelled_is_still_reported(
    store: Store, caplog: pytest.LogCaptureFixture, failure: Exception, reported: str
) -> None:
    inside, release = threading.Event(), threading.Event()
    bugs: list[dict[str, object]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: bugs.append(context))

    def doomed(session: Session) -> None:
        inside.set()
        release.wait(30)
        raise failure

    caller = asyncio.create_task(store.write(doomed))
    assert await asyncio.to_thread(inside.wait, 30)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    release.set()
    await store.write(lambda s: None)  # the writer is in order: the doomed write has ended
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    if reported == "bug":  # to the crash dialog, in the window
        assert [context["exception"] for context in bugs] == [failure]
        assert errors == []
    else:  # the next write tells the user
        assert bugs == []
        assert errors == ["a write whose caller had gone failed: the disk is full"]


def test_a_misused_driver_is_a_bug(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "x.db")
    connection.close()
    error = _raised(lambda: connection.execute("SELECT 1"))
    assert storage_error(error) is None
    with pytest.raises(sqlite3.ProgrammingError), translated():
        connection.execute("SELECT 1")


def _now() -> datetime:
    return datetime.now(UTC)


def _project(name: str) -> Project:
    return Project(name=name, total_tokens=0, created_at=_now(), updated_at=_now())
