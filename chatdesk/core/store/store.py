"""The one door to the local database.

Writes run on ONE dedicated thread, each in its own `BEGIN IMMEDIATE` transaction; reads run on
a small pool of other threads, each in a snapshot transaction (WAL lets them run beside the
writer). Callers `await` both from the asyncio loop, which therefore never waits on SQLite.
An awaiting task that is cancelled does not cancel a write already handed to the writer: once
started, a write commits or fails as a whole (a failure nobody waits for any more is still
reported).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from chatdesk.core.config import Settings
from chatdesk.core.errors import Busy, ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.paths import Paths, create_private_file, ensure_private_dir
from chatdesk.core.store import changes
from chatdesk.core.store.changes import WriteHook
from chatdesk.core.store.engine import sqlite_engine, writer
from chatdesk.core.store.instances import InstanceLock
from chatdesk.core.store.schema import HEAD_REVISION, MigrationReport, stored_revision
from chatdesk.core.units import format_size

if TYPE_CHECKING:
    from chatdesk.core.store.access import WriteBlocked

log = logging.getLogger("chatdesk.store")

T = TypeVar("T")

_SQLITE_HEADER = b"SQLite format 3\x00"


class StorageError(ChatdeskError):
    """The database cannot be read or written (disk full, read-only, damaged ...)."""


# Read-only: the engine to write with once the data folder can be written again, or what
# still keeps chatdesk from writing there (access.py makes it).
Reopen = Callable[[], "Engine | WriteBlocked"]


class Store:
    def __init__(
        self,
        engine: Engine,
        instance: InstanceLock,
        path: Path,
        migration: MigrationReport,
        *,
        blocked: WriteBlocked | None = None,
        reopen: Reopen | None = None,
        one_thread: bool = False,
    ) -> None:
        """`blocked`: the database was opened read-only because the data folder cannot be
        written; every write is refused with its message until `reopen` gives an engine.
        `one_thread`: reads run on the writer's thread too (a database in memory, whose one
        connection is used by one thread at a time)."""
        self.path = path
        self.migration = migration  # what opening did to the schema
        self.instance = instance
        self.blocked = blocked
        self._reopen = reopen
        self._retired: list[Engine] = []  # read-only engines, disposed at close
        self._engine = engine
        self._writer_engine = writer(engine)
        self._writer_thread: int | None = None
        self._writer = ThreadPoolExecutor(
            1, thread_name_prefix="chatdesk-db-writer", initializer=self._note_writer_thread
        )
        self._readers = (
            self._writer
            if one_thread
            else ThreadPoolExecutor(2, thread_name_prefix="chatdesk-db-reader")
        )
        self.in_memory = one_thread
        self._closed = False
        self._write_hooks: list[WriteHook] = []

    def add_write_hook(self, hook: WriteHook) -> None:
        """Run `hook(session)` at the end of every write transaction, before it commits (on
        the writer's thread; what the hook writes commits with the rest, or not at all)."""
        self._write_hooks.append(hook)

    async def read(self, work: Callable[[Session], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, functools.partial(self.read_now, work))

    async def write(self, work: Callable[[Session], T]) -> T:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._writer, functools.partial(self.write_now, work))
        # The write goes on even if the caller is cancelled; the caller still sees the cancel.
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            future.add_done_callback(_report_failure_nobody_awaits)
            raise

    def write_blocking(self, work: Callable[[Session], T]) -> T:
        """From a thread other than the loop's (the sync worker): `work` on the writer, waited
        for. The writer stays the only thread that writes."""
        return self._writer.submit(self.write_now, work).result()

    def _note_writer_thread(self) -> None:
        self._writer_thread = threading.get_ident()

    def read_now(self, work: Callable[[Session], T]) -> T:
        """Run `work` in a read transaction on the calling thread (CLI tools, tests, an export
        streamed to a file). A database in memory has one connection, which another thread's
        transaction may be using: there `work` waits its turn on the writer's thread."""
        if self.in_memory and threading.get_ident() != self._writer_thread:
            return self._writer.submit(self.read_now, work).result()
        with (
            translated(self.path),
            Session(self._engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            return work(session)

    async def try_writing(self) -> bool:
        """Whether the store can write now. A read-only one looks at the data folder again
        and, when it can be written, opens the database for writing."""
        if self.blocked is None:
            return True
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, self._writable_again)

    def _writable_again(self) -> bool:
        if self.blocked is None:
            return True
        if self._reopen is None:
            return False
        opened = self._reopen()
        if not isinstance(opened, Engine):
            self.blocked = opened  # today's figures
            return False
        self._retired.append(self._engine)
        self._engine, self._writer_engine = opened, writer(opened)
        self.blocked = None
        log.info("the data folder can be written again: writing resumes")
        return True

    def write_now(self, work: Callable[[Session], T]) -> T:
        """Run `work` in a write transaction on the calling thread (start-up, CLI tools)."""
        if self.blocked is not None and not self._writable_again():
            raise self.blocked.error()
        with (
            translated(self.path),
            Session(self._writer_engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            if self._write_hooks:
                changes.track(session)
            result = work(session)
            for hook in self._write_hooks:
                hook(session)
            return result

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        if self.blocked is None and not self.in_memory:
            try:
                with self._engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            except DBAPIError as error:  # another process may be reading; the WAL stays
                log.info("checkpoint at close skipped: %s", error)
        for engine in (*self._retired, self._engine):
            engine.dispose()
        self.instance.release()


def _report_failure_nobody_awaits(future: asyncio.Future[Any]) -> None:
    """A write whose caller was cancelled has nobody left to tell when it fails. A known
    failure (a full disk...) is logged, and the next write says it to the user; a bug goes to
    the loop's exception handler, which the window turns into the crash dialog."""
    if future.cancelled() or (error := future.exception()) is None:
        return
    if isinstance(error, ChatdeskError):
        log.error("a write whose caller had gone failed: %s", error)
        return
    future.get_loop().call_exception_handler(
        {"message": "a write whose caller had gone failed", "exception": error, "future": future}
    )


@contextlib.contextmanager
def translated(database: Path | None = None) -> Iterator[None]:
    """Turn SQLite errors the user can act on (a full, read-only, busy, damaged or failing disk)
    into messages that say what happened and what to do. Any other SQLite error — a constraint
    violated, a statement or binding that is wrong, the driver misused — is a bug and goes on
    as it is, to the crash dialog and the log. With `database`, a write that failed on a disk
    with (almost) no room left says so, however SQLite named the failure."""
    try:
        yield
    except DBAPIError as error:
        cause = error.orig
        known = storage_error(cause, database) if isinstance(cause, sqlite3.Error) else None
        if known is None:
            raise
        raise known from error
    except sqlite3.Error as error:
        known = storage_error(error, database)
        if known is None:
            raise
        raise known from error


def storage_error(error: sqlite3.Error, database: Path | None = None) -> ChatdeskError | None:
    """The user-facing error for a SQLite error, by its result code; None for a bug."""
    code = primary_code(error)
    if code is None:  # raised by the driver itself (bad binding, closed connection): a bug
        return None
    if code in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR) and database is not None:
        # A write that finds no room often fails as an I/O error (the WAL or its index
        # could not grow), not as "full": the free space tells which it was.
        free = free_space(database.parent)
        if free is not None and free < FULL_BELOW:
            return disk_full(database, free)
    make = _KNOWN.get(code)
    return make(str(error)) if make is not None else None


FULL_BELOW = 8 * 1024 * 1024  # free bytes under which a failed write is put down to a full disk
ROOM_WANTED = 64 * 1024 * 1024  # what to ask the user to free


def free_space(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def disk_full(database: Path, free: int) -> ChatdeskError:
    """A full disk, in words that say which disk, how full, and what to do."""
    return StorageError(
        tr(
            "the disk that holds your chats ({folder}) is full ({free} free), "
            "so chatdesk cannot save. Free at least {size} there and try "
            "again: everything saved before is intact, and a message you were "
            "writing stays where you wrote it.",
            folder=database.parent,
            free=format_size(free),
            size=format_size(ROOM_WANTED),
        )
    )


def primary_code(error: BaseException) -> int | None:
    """SQLite's primary result code behind `error` (SQLITE_FULL, SQLITE_IOERR ...; extended
    codes only add detail to it); None when SQLite did not raise it."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(error, sqlite3.Error) and isinstance(code, int) else None


def _full(_: str) -> ChatdeskError:
    return StorageError(
        tr(
            "the disk is full, so chatdesk cannot save. Free some space and "
            "try again; everything saved before is intact."
        )
    )


def _busy(_: str) -> ChatdeskError:
    return Busy(tr("the database is busy in another chatdesk process; try again in a moment."))


def _read_only(_: str) -> ChatdeskError:
    return StorageError(tr("the database is read-only; check the permissions of the data folder."))


def _damaged(text: str) -> ChatdeskError:
    return StorageError(
        tr(
            "the database file is damaged ({text}). It was left untouched; run "
            "`chatdesk db restore` (the newest verified backup) or `chatdesk "
            "db recover`.",
            text=text,
        )
    )


def _unreachable(text: str) -> ChatdeskError:
    return StorageError(
        tr(
            "the database cannot be opened ({text}); check that the data "
            "folder exists, is on a connected drive and can be written by you.",
            text=text,
        )
    )


def _io(text: str) -> ChatdeskError:
    return StorageError(
        tr(
            "the disk failed to read or write the database ({text}). Check "
            "that the drive is connected and healthy; nothing that was not "
            "saved before was kept.",
            text=text,
        )
    )


_KNOWN: dict[int, Callable[[str], ChatdeskError]] = {
    sqlite3.SQLITE_FULL: _full,
    sqlite3.SQLITE_BUSY: _busy,
    sqlite3.SQLITE_LOCKED: _busy,
    sqlite3.SQLITE_READONLY: _read_only,
    sqlite3.SQLITE_CORRUPT: _damaged,
    sqlite3.SQLITE_NOTADB: _damaged,
    sqlite3.SQLITE_CANTOPEN: _unreachable,
    sqlite3.SQLITE_PERM: _unreachable,
    sqlite3.SQLITE_IOERR: _io,
}


def open_store(paths: Paths, settings: Settings, instance: InstanceLock | None = None) -> Store:
    """Open (creating or upgrading as needed) the database in `paths.data_dir`. `instance`:
    this process's lock, if the caller took it already (startup.py, before checking the file)."""
    ensure_private_dir(paths.data_dir)
    database = paths.database
    refuse_foreign_file(database)
    if not database.exists():
        create_private_file(database)
    timeout = settings.storage.busy_timeout_ms
    with translated(database):
        report = _migrate(database, paths.backups_dir, timeout)
    engine = sqlite_engine(database, busy_timeout_ms=timeout)
    repair_search_index(engine)
    return Store(engine, instance or InstanceLock(paths.run_dir), database, report)


def repair_search_index(engine: Engine) -> None:
    """The full-text index is derived from the messages: rebuilt when missing or damaged."""
    from chatdesk.core.search.index import repair_index  # the search package imports Store

    try:
        with translated():
            repair_index(engine)
    except BaseException:
        engine.dispose()
        raise


def _migrate(database: Path, backups_dir: Path, timeout: int) -> MigrationReport:
    try:
        if stored_revision(database) == HEAD_REVISION:
            return MigrationReport(HEAD_REVISION, HEAD_REVISION, None)
    except ChatdeskError:
        pass  # the full path below says what is wrong with the file
    from chatdesk.core.store import migrate  # Alembic loads only when there is work to do

    return migrate.upgrade(database, backups_dir, busy_timeout_ms=timeout)


def refuse_foreign_file(database: Path) -> None:
    try:
        with open(database, "rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as error:
        raise StorageError(
            tr("cannot read {database}: {reason}", database=database, reason=error.strerror)
        ) from error
    if header and header != _SQLITE_HEADER:
        raise StorageError(
            tr(
                "{database} is not a chatdesk database (or it is damaged). It was "
                "left untouched; move it away or choose another folder with "
                "--data-dir.",
                database=database,
            )
        )
