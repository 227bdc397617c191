"""The database's files read as plain files, before SQLite opens them: whether the main file is
a SQLite database, another program's file or none yet, and whether its write-ahead log holds
pages (a chatdesk that closes properly leaves it empty)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chatdesk.core.i18n import tr

SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class DatabaseFile:
    """What `examine` found."""

    sqlite: bool  # the main file begins as every SQLite database does
    content: bool  # the main file holds bytes, a database's or not
    log_pages: bool  # the write-ahead log holds pages not yet in the main file
    refusal: str | None  # why it cannot be opened as chatdesk's database: not SQLite, unreadable


def examine(database: Path) -> DatabaseFile:
    """The database's files as they are now (reads 16 bytes and two sizes)."""
    refusal = None
    try:
        header = _header(database)
    except FileNotFoundError:
        header = b""
    except OSError as error:
        header = b""
        refusal = tr("cannot read {database}: {reason}", database=database, reason=error.strerror)
    if header and header != SQLITE_HEADER:
        refusal = tr(
            "{database} is not a chatdesk database (or it is damaged). It was "
            "left untouched; move it away or choose another folder with "
            "--data-dir.",
            database=database,
        )
    wal = database.with_name(database.name + "-wal")
    return DatabaseFile(header == SQLITE_HEADER, _has_content(database), _has_content(wal), refusal)


def _has_content(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _header(database: Path) -> bytes:
    with open(database, "rb") as handle:
        return handle.read(len(SQLITE_HEADER))
