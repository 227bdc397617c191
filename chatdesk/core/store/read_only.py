"""The chats read from a data folder that cannot be written, until it can (access.py says when).

Reading a WAL database read-only needs its index file (-shm). On a full disk SQLite cannot
make or grow that file and fails even a read (SQLITE_IOERR_SHMSIZE); when the write-ahead log
holds nothing (chatdesk empties it on every clean exit) the main file has every page, and it
is then read as immutable, without the index.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from sqlalchemy import Engine

from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.paths import Paths
from chatdesk.core.store.access import write_blocked
from chatdesk.core.store.database_file import DatabaseFile
from chatdesk.core.store.engine import sqlite_engine
from chatdesk.core.store.failures import StorageError, WriteBlocked
from chatdesk.core.store.instances import InstanceLock
from chatdesk.core.store.schema import HEAD_REVISION, MigrationReport, stored_revision
from chatdesk.core.store.search_index import repair_search_index
from chatdesk.core.store.store import Store

log = logging.getLogger("chatdesk.store")


def open_read_only(
    paths: Paths, settings: Settings, blocked: WriteBlocked, file: DatabaseFile
) -> Store:
    """The database in `paths` (`file` says it is a SQLite file) opened to read, nothing
    written next to it (no lock file, no check, no upgrade, no repair); it opens for writing
    by itself once `paths.data_dir` can be written (`Store.try_writing`). SQLite's failures
    are the caller's to translate (`failures.translated`)."""
    database = paths.database
    uri = read_only_uri(database, file.log_pages)
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
    instance = InstanceLock(paths.run_dir, take=False)
    engine = sqlite_engine(database, busy_timeout_ms=timeout, read_only_uri=uri)
    report = MigrationReport(HEAD_REVISION, HEAD_REVISION, None)
    log.info("opened read-only: %s", blocked.message)
    reopen = WritableAgain(paths.data_dir, database, timeout, instance)
    return Store(engine, instance, database, report, blocked=blocked, reopen=reopen)


def read_only_uri(database: Path, log_pages: bool) -> str:
    """A SQLite URI that reads `database` without writing a byte next to it; `log_pages`:
    its write-ahead log holds pages (`DatabaseFile.log_pages`)."""
    uri = f"file:{_quoted(database)}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return uri
        finally:
            connection.close()
    except sqlite3.OperationalError:
        if log_pages:
            raise  # reading the main file alone would miss saved messages
    return f"{uri}&immutable=1"


class WritableAgain:
    """A read-only store's way back to writing: the engine to write with once the data folder
    can be written, or what still keeps chatdesk from writing there."""

    def __init__(self, data_dir: Path, database: Path, timeout: int, instance: InstanceLock):
        self._data_dir = data_dir
        self._database = database
        self._timeout = timeout
        self._instance = instance

    def __call__(self) -> Engine | WriteBlocked:
        still = write_blocked(self._data_dir)
        if still is not None:
            return still
        self._instance.take()
        writable = sqlite_engine(self._database, busy_timeout_ms=self._timeout)
        repair_search_index(writable)
        return writable


def _quoted(path: Path) -> str:
    return str(path).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
