"""A damaged database: found, set aside untouched, and remembered until the user chooses.

The damaged files (the database, its -wal and -shm) are MOVED, never copied or opened for
writing, into `data/damaged-<UTC time>/`, with `damage.json` beside them (what the check said,
each file's size and SHA-256). A move rather than a copy: the next start must not open the
same damaged file again (SQLite would replay its -wal into it), and no second copy of a large
file is needed on a disk that may be failing. While that folder's choice is open and no
database is in place, every start raises `DatabaseDamaged` again instead of creating an empty
database: the user's chats never silently disappear behind a fresh, empty window.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from chatdesk.core.i18n import ntr, tr
from chatdesk.core.paths import Paths
from chatdesk.core.store.backup import BackupInfo, is_damage
from chatdesk.core.store.database_file import DatabaseFile
from chatdesk.core.store.failures import StorageError
from chatdesk.core.writing import replace_file_atomically

log = logging.getLogger("chatdesk.store")

RECORD = "damage.json"
SIDE_FILES = ("", "-wal", "-shm")  # a database is these files together


class DatabaseDamaged(StorageError):
    """The database failed its integrity check or could not be read as a database."""

    def __init__(
        self,
        database: Path,
        problems: tuple[str, ...],
        damaged_dir: Path | None,
        backup: BackupInfo | None,
    ) -> None:
        self.database = database
        self.problems = problems
        self.damaged_dir = damaged_dir  # None: still in place (another chatdesk has it open)
        self.backup = backup  # the newest backup, if any
        super().__init__(self._message())

    def _message(self) -> str:
        others = len(self.problems) - 1
        more = ntr(" (and {n} more problem)", " (and {n} more problems)", others) if others else ""
        where = (
            tr("The damaged files were moved, untouched, to {folder}.", folder=self.damaged_dir)
            if self.damaged_dir
            else tr("It was left in place: close every other chatdesk window and command first.")
        )
        newest = (
            tr(
                "the newest verified backup, from {when} UTC",
                when=f"{self.backup.created_at:%Y-%m-%d %H:%M}",
            )
            if self.backup
            else tr("a backup (there is none yet)")
        )
        return tr(
            "the database {database} is damaged: {problem}{more}. {where} "
            "To go on, run `chatdesk db restore` to put back {newest}, or `chatdesk db recover` "
            "to build a new database from everything that can still be read.",
            database=self.database,
            problem=self.problems[0],
            more=more,
            where=where,
            newest=newest,
        )


@dataclass(frozen=True)
class DamageRecord:
    folder: Path
    problems: tuple[str, ...]


@contextlib.contextmanager
def watched(
    paths: Paths,
    file: DatabaseFile,
    problems: list[str],
    newest: Callable[[], BackupInfo | None],
    alone: bool,
    now: Callable[[], datetime],
) -> Iterator[None]:
    """Opening the database at start, after its check found `problems` (none when it was not
    checked): damage found by the check, or by SQLite while opening, raises `DatabaseDamaged`
    offering the `newest()` backup (looked up only then), with the files set aside (when
    `alone`); where no database is in place while damaged files wait for the user's choice,
    that choice is asked for again instead of an empty database made; a sound database put
    back by hand resolves that choice."""
    if problems:
        damaged(paths, problems, newest(), alone, now())
    record = unresolved(paths)
    if record is not None and not file.content:
        raise DatabaseDamaged(paths.database, record.problems, record.folder, newest())
    if record is not None and file.sqlite:
        mark_resolved(record, "a sound database was found in place", now())
    try:
        yield
    except StorageError as error:
        found = damage_in(error)
        if found is None:
            raise
        damaged(paths, [found], newest(), alone, now())


def damage_in(error: BaseException) -> str | None:
    """SQLite's damage message behind `error` (a StorageError from opening), if it is one."""
    seen: BaseException | None = error
    while seen is not None:
        orig = getattr(seen, "orig", None)
        for candidate in (seen, orig):
            if isinstance(candidate, sqlite3.DatabaseError) and is_damage(candidate):
                return str(candidate)
        seen = seen.__cause__
    return None


def damaged(
    paths: Paths, problems: list[str], newest: BackupInfo | None, alone: bool, now: datetime
) -> NoReturn:
    """`DatabaseDamaged` for `problems`, offering the `newest` backup, the files set aside
    first when `alone` (no other chatdesk has them open)."""
    folder = set_aside(paths, problems, now) if alone else None
    raise DatabaseDamaged(paths.database, tuple(problems), folder, newest)


def set_aside(paths: Paths, problems: list[str], now: datetime) -> Path:
    """Move the database's files into a new `damaged-<time>` folder with a record of why."""
    folder = _new_folder(paths.data_dir, now)
    files = {}
    for suffix in SIDE_FILES:
        source = paths.database.with_name(paths.database.name + suffix)
        if source.exists():
            files[source.name] = {"size": source.stat().st_size, "sha256": _sha256(source)}
            os.rename(source, folder / source.name)
    record: dict[str, object] = {
        "detected_at": now.isoformat(),
        "problems": problems[:100],
        "files": files,
        "resolved": None,
    }
    _write_record(folder, record)
    log.error("database damaged (%s); its files were moved to %s", problems[0], folder)
    return folder


def unresolved(paths: Paths) -> DamageRecord | None:
    """The newest set of damaged files the user has not chosen what to do about yet."""
    for folder in sorted(paths.data_dir.glob("damaged-*"), reverse=True):
        record = _read_record(folder)
        if record is None:
            continue
        if record.get("resolved") is None:
            problems = record.get("problems")
            listed = problems if isinstance(problems, list) and problems else [tr("unknown damage")]
            return DamageRecord(folder, tuple(str(p) for p in listed))
        return None
    return None


def mark_resolved(record: DamageRecord, how: str, now: datetime) -> None:
    data = _read_record(record.folder) or {}
    data["resolved"] = {"how": how, "at": now.isoformat()}
    _write_record(record.folder, data)


def _new_folder(data_dir: Path, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(1000):
        folder = data_dir / (f"damaged-{stamp}" + (f"-{attempt}" if attempt else ""))
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return folder
    raise FileExistsError(f"too many damaged-{stamp} folders in {data_dir}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _read_record(folder: Path) -> dict[str, object] | None:
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_record(folder: Path, record: dict[str, object]) -> None:
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    replace_file_atomically(folder / RECORD, text.encode("utf-8"))
