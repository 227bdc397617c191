"""The one door to the local database.

Writes run on ONE dedicated thread, each in its own `BEGIN IMMEDIATE` transaction; reads run on
a small pool of other threads, each in a snapshot transaction (WAL lets them run beside the
writer) on the connection that thread keeps (kept.py). Callers `await` both from the asyncio
loop, which therefore never waits on SQLite. An awaiting task that is cancelled does not cancel
a write already handed to the writer: once started, a write commits or fails as a whole (a
failure nobody waits for any more is still reported).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, PoolProxiedConnection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from chatdesk.core.errors import Busy, ChatdeskError, Closed
from chatdesk.core.store import changes
from chatdesk.core.store.changes import WriteHook
from chatdesk.core.store.engine import writer
from chatdesk.core.store.failures import StorageError, WriteBlocked, translated
from chatdesk.core.store.instances import InstanceLock
from chatdesk.core.store.kept import KeptConnections
from chatdesk.core.store.schema import MigrationReport

log = logging.getLogger("chatdesk.store")

T = TypeVar("T")

# Read-only: the engine to write with once the data folder can be written again, or what
# still keeps chatdesk from writing there (read_only.py makes it).
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
        self._held = False  # `blocked` was set by `hold`: the engine itself can still write
        self._retired: list[Engine] = []  # read-only engines, disposed at close
        self._engine = engine
        self._writer_engine = writer(engine)
        self._writer_thread: int | None = None
        self._kept = KeptConnections()  # the reader threads' connections
        self._writer = ThreadPoolExecutor(
            1, thread_name_prefix="chatdesk-db-writer", initializer=self._note_writer_thread
        )
        self._readers = (
            self._writer
            if one_thread
            else ThreadPoolExecutor(
                2, thread_name_prefix="chatdesk-db-reader", initializer=self._kept.adopt
            )
        )
        self.in_memory = one_thread
        self._closed = False
        self._write_hooks: list[WriteHook] = []
        self._probe: PoolProxiedConnection | None = None  # data_version's own connection
        self._probe_lock = threading.Lock()

    def add_write_hook(self, hook: WriteHook, *, first: bool = False) -> None:
        """Run `hook(session)` at the end of every write transaction, before it commits (on
        the writer's thread; what the hook writes commits with the rest, or not at all).
        `first`: before the hooks added so far (one that looks at `changes` before team sync's
        recorder takes them)."""
        if first:
            self._write_hooks.insert(0, hook)
        else:
            self._write_hooks.append(hook)

    def remove_write_hook(self, hook: WriteHook) -> None:
        if hook in self._write_hooks:
            self._write_hooks.remove(hook)

    async def data_version(self) -> int:
        """SQLite's `PRAGMA data_version` on a connection of its own, on a reader thread: it
        moves when a connection other than that one (this process's writer, another process)
        has committed since the last call."""
        return await self._on(self._readers, self._data_version_now)

    def _data_version_now(self) -> int:
        with self._probe_lock, translated(self.path):
            if self._probe is None:
                self._probe = self._engine.raw_connection()
            cursor = self._probe.cursor()
            try:
                cursor.execute("PRAGMA data_version")
                row = cursor.fetchone()
            finally:
                cursor.close()
            return int(row[0]) if row else 0

    async def read(self, work: Callable[[Session], T]) -> T:
        return await self._on(self._readers, functools.partial(self.read_now, work))

    async def read_plain(self, work: Callable[[Connection], T]) -> T:
        """`work` on a reader thread's connection in a snapshot transaction, without an ORM
        session: for the hot reads whose statements are `Prepared` (a page of a thread), where
        making the session cost as much as the SQL. `work` may still open a `Session` on the
        connection for a rare part of its read; it joins the same snapshot."""
        return await self._on(self._readers, functools.partial(self.read_plain_now, work))

    async def write(self, work: Callable[[Session], T]) -> T:
        future = self._on(self._writer, functools.partial(self.write_now, work))
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

    def _on(
        self, threads: ThreadPoolExecutor, work: Callable[..., T], *args: Any
    ) -> asyncio.Future[T]:
        """`work` on the store's `threads`; `Closed` once the store is closed, also when it
        closed between two steps of the caller's work."""
        if self._closed:
            raise Closed
        try:
            return asyncio.get_running_loop().run_in_executor(threads, work, *args)
        except RuntimeError as error:  # closed from another thread meanwhile
            if self._closed:
                raise Closed from error
            raise

    def _note_writer_thread(self) -> None:
        self._writer_thread = threading.get_ident()

    def read_now(self, work: Callable[[Session], T]) -> T:
        """Run `work` in a read transaction on the calling thread (CLI tools, tests, an export
        streamed to a file). A database in memory has one connection, which another thread's
        transaction may be using: there `work` waits its turn on the writer's thread."""

        def in_session(connection: Connection) -> T:
            with Session(connection, expire_on_commit=False) as session:
                return work(session)

        return self.read_plain_now(in_session)

    def read_plain_now(self, work: Callable[[Connection], T]) -> T:
        """`read_plain` on the calling thread, on the connection it keeps (a database in
        memory: on the writer's thread, on its one connection)."""
        if self.in_memory and threading.get_ident() != self._writer_thread:
            return self._writer.submit(self.read_plain_now, work).result()
        kept = None if self.in_memory else self._kept.of_this_thread(self._engine)
        with translated(self.path):
            if kept is None:
                with self._engine.connect() as connection, connection.begin():
                    return work(connection)
            if kept.in_transaction():  # a read inside a read: the same snapshot
                return work(kept)
            try:
                with kept.begin():
                    return work(kept)
            except (StorageError, Busy, DBAPIError, sqlite3.Error):
                self._kept.forget(kept)
                raise

    async def try_writing(self) -> bool:
        """Whether the store can write now. A read-only one looks at the data folder again
        and, when it can be written, opens the database for writing."""
        if self.blocked is None:
            return True
        return await self._on(self._writer, self._writable_again)

    async def hold(self, blocked: WriteBlocked) -> bool:
        """Refuse every write with `blocked` from the next one on, until `release`: the data
        folder's disk is almost full (store/space_watch.py). False, and nothing changed, when
        writes are refused already, whatever the reason. Done on the writer's thread, between
        two writes."""
        return await self._on(self._writer, self._hold, blocked)

    async def release(self) -> bool:
        """Take writes again after `hold`. False, and nothing changed, when they were not held:
        a store opened read-only writes again only once its folder can be written."""
        return await self._on(self._writer, self._release)

    def _hold(self, blocked: WriteBlocked) -> bool:
        if self.blocked is not None:
            return False
        self.blocked, self._held = blocked, True
        log.warning("writing stops: %s", blocked.message)
        return True

    def _release(self) -> bool:
        if not self._held:
            return False
        self.blocked, self._held = None, False
        log.info("the data folder's disk has room again: writing resumes")
        return True

    def _writable_again(self) -> bool:
        if self.blocked is None:
            return True
        if self._held or self._reopen is None:
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
        self._kept.close()
        if self._probe is not None:
            self._probe.close()
        if (self.blocked is None or self._held) and not self.in_memory:
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
