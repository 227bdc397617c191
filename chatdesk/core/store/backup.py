"""Verified copies of a live database, made with SQLite's online backup API.

Never a file copy: copying a database (or its -wal) while it is in use can produce a corrupt
copy. A backup counts only after `PRAGMA integrity_check` on the copy says "ok"; it is written
as `<name>.partial` and renamed only then, so every `chatdesk-*.db` in the folder was verified.

A backup's name says when it was made and why: `chatdesk-<UTC time>-<label>.db`, the label
being `daily` (automatic), `manual` ("Back up now", `chatdesk db backup`) or
`pre-migrate-<from>-to-<to>` (before a schema upgrade). Rotation (rotation.py) deletes only
files whose name it can read this way, and only of the automatic kinds.
"""

from __future__ import annotations

import enum
import errno
import logging
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.paths import DataDirError, ensure_private_dir
from chatdesk.core.store.blob_copies import BLOBS, copy_blobs
from chatdesk.core.store.failures import primary_code

T = TypeVar("T")

log = logging.getLogger("chatdesk.store")

_STAMP = "%Y%m%dT%H%M%S.%fZ"
_NAME = re.compile(r"chatdesk-(\d{8}T\d{6}\.\d{6}Z)-([A-Za-z0-9_.-]+)\.db")
_DAMAGE_CODES = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


class BackupError(ChatdeskError):
    """A backup could not be made or did not verify."""


class BackupKind(enum.StrEnum):
    DAILY = "daily"  # automatic, once a day; rotated
    PRE_MIGRATION = "pre-migration"  # before a schema upgrade; the newest few kept
    MANUAL = "manual"  # asked for by the user; never deleted by chatdesk
    OTHER = "other"  # any other name: never deleted by chatdesk


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int  # bytes
    created_at: datetime  # UTC: from the name, else the file's modification time
    kind: BackupKind = BackupKind.OTHER


_HEADER = re.compile(r"^\*\*\* in database \w+ \*\*\*\s*")


def integrity_problems(path: Path, *, quick: bool = False) -> list[str]:
    """The problems `integrity_check` (or `quick_check`) reports; empty when the file is sound.

    A file too damaged to be checked at all reports the error that stopped the check."""
    pragma = "quick_check" if quick else "integrity_check"
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute(f"PRAGMA {pragma}").fetchall()
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise
        return [str(error)]
    finally:
        connection.close()
    return problem_lines(str(row[0]) for row in rows)


@dataclass(frozen=True)
class Checked:
    """A database's check at start."""

    pragma: str  # "quick_check", or "integrity_check" after an unclean exit
    problems: list[str]  # none: sound
    ms: float


def check(database: Path, *, full: bool) -> Checked:
    """`PRAGMA quick_check` of `database` (about 80 ms for 100,000 messages, 117 MB), or the
    full `integrity_check` (about twice as long), timed and logged."""
    pragma = "integrity_check" if full else "quick_check"
    started = time.perf_counter()
    problems = integrity_problems(database, quick=not full)
    elapsed = (time.perf_counter() - started) * 1000
    log.info("%s of %s: %s in %.0f ms", pragma, database.name, problems or "ok", elapsed)
    return Checked(pragma, problems, elapsed)


def problem_lines(lines: Iterable[str]) -> list[str]:
    """The rows of an integrity check as problems to show: none for "ok". SQLite heads the
    first one with "*** in database main ***" and a newline: a title, not a problem."""
    found = [text for line in lines if (text := _HEADER.sub("", line).strip())]
    return [] if found == ["ok"] else found


def is_damage(error: sqlite3.Error) -> bool:
    """Whether SQLite's error says the file is damaged (not busy, full or unreadable)."""
    return primary_code(error) in _DAMAGE_CODES


def backup_name(label: str, now: datetime | None = None) -> str:
    return f"chatdesk-{(now or datetime.now(UTC)).astimezone(UTC).strftime(_STAMP)}-{label}.db"


def parse_backup_name(name: str) -> tuple[datetime, BackupKind] | None:
    """When a backup named by `backup_name` was made and its kind; None for other names."""
    match = _NAME.fullmatch(name)
    if match is None:
        return None
    try:
        made = datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    label = match[2]
    if label == "daily":
        return made, BackupKind.DAILY
    if label == "manual":
        return made, BackupKind.MANUAL
    if label.startswith("pre-migrate-"):
        return made, BackupKind.PRE_MIGRATION
    return made, BackupKind.OTHER


def make_backup(source: Path, target: Path) -> Path:
    """Copy the database at `source` to `target` (which must not exist) and verify the copy,
    then the attachments' bytes it refers to into the `attachments` folder beside it
    (blob_copies.py: a backup takes them along, a restore brings them back).

    The source is only read. Whatever fails (a full disk included), no partial copy is left."""
    if target.exists():
        raise BackupError(
            tr("backup target {target} already exists; nothing was written", target=target)
        )
    _prepare_folder(target.parent)
    partial = target.with_name(target.name + ".partial")
    try:
        fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
        finally:
            dst.close()
            src.close()
        problems = integrity_problems(partial)
        if problems:
            raise BackupError(
                tr(
                    "backup of {source} did not verify: {problems}",
                    source=source,
                    problems="; ".join(problems[:3]),
                )
            )
        copy_blobs(partial, source.parent / BLOBS, target.parent / BLOBS)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as error:
        raise BackupError(_failure(source, target, error)) from error
    finally:
        partial.unlink(missing_ok=True)
    return target


def _prepare_folder(folder: Path) -> None:
    try:
        ensure_private_dir(folder)
    except DataDirError as error:
        cause = error.__cause__
        reason = getattr(cause, "strerror", None) or str(cause or error)
        if isinstance(cause, FileExistsError | NotADirectoryError):
            reason = tr("a file is in the way of the folder")
        raise BackupError(
            tr(
                "cannot write backups to {folder}: {reason}. Nothing was changed.",
                folder=folder,
                reason=reason,
            )
        ) from error


def _failure(source: Path, target: Path, error: OSError | sqlite3.Error) -> str:
    text = str(error)
    code = primary_code(error)
    full = code == sqlite3.SQLITE_FULL or (
        isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)
    )
    if full or code == sqlite3.SQLITE_IOERR:  # a write that failed may be a full disk too
        try:
            free = shutil.disk_usage(target.parent).free
            needed = source.stat().st_size
        except OSError:
            free, needed = 0, 0
        if full or free < needed:
            return tr(
                "the disk is full, so the backup of {source} could not be written "
                "to {parent}. The database was not changed and no partial copy was "
                "left; free some space and try again.",
                source=source,
                parent=target.parent,
            )
    return tr(
        "could not back up {source} to {target}: {text}. The database was "
        "not changed and no partial copy was left.",
        source=source,
        target=target,
        text=text,
    )


def backup_info(path: Path) -> BackupInfo | None:
    """What is known about the backup at `path` (None if it is gone)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    parsed = parse_backup_name(path.name)
    if parsed is None:
        return BackupInfo(path, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))
    return BackupInfo(path, stat.st_size, *parsed)


def newest_backup(folder: Path) -> BackupInfo | None:
    """The newest finished backup in `folder`: the one a damaged database's error offers."""
    found = list_backups(folder)
    return found[0] if found else None


def list_backups(folder: Path) -> list[BackupInfo]:
    """The finished backups in `folder`, newest first (a `.partial` file never counts)."""
    try:
        files = [p for p in folder.glob("chatdesk-*.db") if p.is_file()]
    except OSError:
        return []
    found = [info for path in files if (info := backup_info(path)) is not None]
    return sorted(found, key=lambda info: info.created_at, reverse=True)
