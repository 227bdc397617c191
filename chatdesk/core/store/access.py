"""Whether the data folder can be written now, and how to read the chats when it cannot.

A full disk or a folder that cannot be written (a read-only drive, a folder whose permissions
changed) must not stand between a user and their chats: chatdesk then opens the database
read-only, shows every chat, refuses each write with `WriteBlocked.message` (what is wrong
and what to do) and writes again as soon as `write_blocked` finds nothing in the way.

Reading a WAL database read-only needs its index file (-shm). On a full disk SQLite cannot
make or grow that file and fails even a read (SQLITE_IOERR_SHMSIZE); when the write-ahead log
holds nothing (chatdesk empties it on every clean exit) the main file has every page, and it
is then read as immutable, without the index.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import sqlite3
import uuid
from pathlib import Path

from sqlalchemy import Engine

from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.paths import Paths
from chatdesk.core.store.database_file import log_holds_pages
from chatdesk.core.store.engine import sqlite_engine
from chatdesk.core.store.failures import (
    FULL_BELOW,
    ROOM_WANTED,
    StorageError,
    WriteBlocked,
    translated,
)
from chatdesk.core.store.instances import InstanceLock
from chatdesk.core.store.schema import HEAD_REVISION, MigrationReport, stored_revision
from chatdesk.core.store.search_index import repair_search_index
from chatdesk.core.store.store import Store
from chatdesk.core.units import format_size
from chatdesk.core.writing import free_space

log = logging.getLogger("chatdesk.store")

_NO_ROOM = {errno.ENOSPC, errno.EDQUOT}
WATCH_SECONDS = 5.0  # how often the window's core looks at the data folder (read-only or not)


def write_blocked(data_dir: Path) -> WriteBlocked | None:
    """What keeps chatdesk from writing to `data_dir` now, or None when it can write."""
    error = _write_probe(data_dir)
    if error is not None and error.errno not in _NO_ROOM:
        return folder_not_writable(data_dir, error)
    free = free_space(data_dir)
    if error is not None or (free is not None and free < FULL_BELOW):
        return full_disk(data_dir, free or 0)
    return None


def full_disk(data_dir: Path, free: int) -> WriteBlocked:
    """The disk that holds `data_dir` has `free` bytes left: too few to write to."""
    return WriteBlocked(
        "full",
        tr(
            "The disk that holds your chats ({folder}) is full ({free} free)",
            folder=data_dir,
            free=format_size(free),
        ),
        tr(
            "Free at least {size} there and chatdesk saves again by itself; "
            "nothing saved is lost, and what you are writing stays where you wrote it.",
            size=format_size(ROOM_WANTED),
        ),
    )


def folder_not_writable(data_dir: Path, error: OSError) -> WriteBlocked:
    """`data_dir` cannot be written (a read-only drive, a folder whose permissions changed)."""
    reason = error.strerror or str(error)
    return WriteBlocked(
        "read_only",
        tr(
            "The folder that holds your chats ({folder}) cannot be written ({reason})",
            folder=data_dir,
            reason=reason,
        ),
        tr(
            "Make it writable, or move the data folder to a place you can write (--data-dir or "
            "CHATDESK_DATA_DIR), and chatdesk saves again by itself; nothing saved is lost, and "
            "what you are writing stays where you wrote it."
        ),
    )


def read_only_uri(database: Path) -> str:
    """A SQLite URI that reads `database` without writing a byte next to it."""
    uri = f"file:{_quoted(database)}?mode=ro"
    with translated(database):
        try:
            connection = sqlite3.connect(uri, uri=True)
            try:
                connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return uri
            finally:
                connection.close()
        except sqlite3.OperationalError:
            if log_holds_pages(database):
                raise  # reading the main file alone would miss saved messages
    return f"{uri}&immutable=1"


def open_read_only(paths: Paths, settings: Settings, blocked: WriteBlocked) -> Store:
    """The database in `paths` (a SQLite file: `database_file.is_sqlite_file`) opened to read,
    nothing written next to it (no lock file, no check, no upgrade, no repair); it opens for
    writing by itself once `paths.data_dir` can be written (`Store.try_writing`)."""
    database = paths.database
    uri = read_only_uri(database)
    try:
        revision = stored_revision(database, uri)
    except ChatdeskError as error:
        raise StorageError(
            tr(
                "{problem}, and {error}. {remedy}",
                problem=blocked.problem,
                error=error,
                remedy=blocked.remedy,
            )
        ) from error
    if revision != HEAD_REVISION:
        raise StorageError(
            tr(
                "{problem}, and the chats there were saved by another version of "
                "chatdesk: they must be upgraded before they can be shown. {remedy}",
                problem=blocked.problem,
                remedy=blocked.remedy,
            )
        )
    timeout = settings.storage.busy_timeout_ms
    engine = sqlite_engine(database, busy_timeout_ms=timeout, read_only_uri=uri)
    instance = InstanceLock(paths.run_dir, take=False)

    def reopen() -> Engine | WriteBlocked:
        still = write_blocked(paths.data_dir)
        if still is not None:
            return still
        instance.take()
        writable = sqlite_engine(database, busy_timeout_ms=timeout)
        repair_search_index(writable)
        return writable

    report = MigrationReport(HEAD_REVISION, HEAD_REVISION, None)
    log.info("opened read-only: %s", blocked.message)
    return Store(engine, instance, database, report, blocked=blocked, reopen=reopen)


async def wait_until_writable(store: Store) -> None:
    """Return once `store` can write (at once when it can already), looking every
    WATCH_SECONDS: no system tells portably when a disk has room again or a folder became
    writable."""
    while True:
        if await store.try_writing():
            return
        await asyncio.sleep(WATCH_SECONDS)


def _write_probe(data_dir: Path) -> OSError | None:
    """Why a small file cannot be made (and removed) in `data_dir`, or None when it can.

    It is the only test that every system answers truly: permission bits do not tell of a
    read-only drive, nor an ACL on Windows."""
    probe = data_dir / f".chatdesk-write-probe-{uuid.uuid4().hex}"
    try:
        with open(probe, "wb") as handle:
            handle.write(b"\0" * 4096)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        return error
    finally:
        _remove(probe)
    return None


def _quoted(path: Path) -> str:
    return str(path).replace("%", "%25").replace("?", "%3f").replace("#", "%23")


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
