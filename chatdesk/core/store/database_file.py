"""The database's files read as plain files, before SQLite opens them: whether the main file is
a SQLite database, another program's file or none yet, and whether its write-ahead log holds
pages (a chatdesk that closes properly leaves it empty)."""

from __future__ import annotations

from pathlib import Path

from chatdesk.core.i18n import tr
from chatdesk.core.store.failures import StorageError

SQLITE_HEADER = b"SQLite format 3\x00"


def is_sqlite_file(database: Path) -> bool:
    """Whether `database` begins as every SQLite database does; False when it is not there,
    is empty, cannot be read or is another program's file."""
    try:
        return _header(database) == SQLITE_HEADER
    except OSError:
        return False


def refuse_foreign_file(database: Path) -> None:
    """A `StorageError` when `database` cannot be read or holds something other than a SQLite
    database; nothing when it is one, is empty or is not there yet."""
    try:
        header = _header(database)
    except FileNotFoundError:
        return
    except OSError as error:
        raise StorageError(
            tr("cannot read {database}: {reason}", database=database, reason=error.strerror)
        ) from error
    if header and header != SQLITE_HEADER:
        raise StorageError(
            tr(
                "{database} is not a chatdesk database (or it is damaged). It was "
                "left untouched; move it away or choose another folder with "
                "--data-dir.",
                database=database,
            )
        )


def has_content(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def log_holds_pages(database: Path) -> bool:
    """Whether the write-ahead log beside `database` holds pages not yet in the main file."""
    return has_content(database.with_name(database.name + "-wal"))


def _header(database: Path) -> bytes:
    with open(database, "rb") as handle:
        return handle.read(len(SQLITE_HEADER))
