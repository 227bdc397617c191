"""SQLite's failures in words a user can act on, and what keeps chatdesk from writing.

A full, read-only, busy, damaged or failing disk is a `StorageError` (or `Busy`) that says what
happened and what to do; any other SQLite error is a bug and goes on as it is. The bottom of
the store package: the `Store`, the opening and the read-only access all speak these.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from chatdesk.core.errors import Busy, ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.units import format_size
from chatdesk.core.writing import free_space


class StorageError(ChatdeskError):
    """The database cannot be read or written (disk full, read-only, damaged ...)."""


@dataclass(frozen=True)
class WriteBlocked:
    """Why nothing can be written to the data folder now."""

    kind: str  # "full" | "read_only"
    problem: str  # what is wrong, as the start of a sentence (in the user's language)
    remedy: str  # what to do, as sentences (in the user's language)

    @property
    def message(self) -> str:
        return tr(
            "{problem}, so chatdesk shows your chats read-only. {remedy}",
            problem=self.problem,
            remedy=self.remedy,
        )

    def error(self) -> StorageError:
        return StorageError(self.message)


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
