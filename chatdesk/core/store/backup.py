"""Verified copies of a live database, made with SQLite's online backup API.

Never a file copy: copying a database (or its -wal) while it is in use can produce a corrupt
copy. A backup counts only after `PRAGMA integrity_check` on the copy says "ok".
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.paths import DataDirError, ensure_private_dir


class BackupError(ChatdeskError):
    """A backup could not be made or did not verify."""


def integrity_problems(path: Path, *, quick: bool = False) -> list[str]:
    """The problems `integrity_check` (or `quick_check`) reports; empty when the file is sound."""
    pragma = "quick_check" if quick else "integrity_check"
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute(f"PRAGMA {pragma}").fetchall()
    finally:
        connection.close()
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def backup_name(label: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"chatdesk-{stamp}-{label}.db"


def make_backup(source: Path, target: Path) -> Path:
    """Copy the database at `source` to `target` (which must not exist) and verify the copy."""
    if target.exists():
        raise BackupError(f"backup target {target} already exists; nothing was written")
    try:
        ensure_private_dir(target.parent)
    except DataDirError as error:
        cause = error.__cause__
        reason = getattr(cause, "strerror", None) or str(cause or error)
        if isinstance(cause, FileExistsError | NotADirectoryError):
            reason = "a file is in the way of the folder"
        raise BackupError(
            f"cannot write backups to {target.parent}: {reason}. Nothing was changed."
        ) from error
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
            raise BackupError(f"backup of {source} did not verify: {'; '.join(problems[:3])}")
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as error:
        raise BackupError(f"could not back up {source} to {target}: {error}") from error
    finally:
        partial.unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int  # bytes
    created_at: datetime  # UTC, from the file's modification time


def list_backups(folder: Path) -> list[BackupInfo]:
    """The finished backups in `folder`, newest first (a `.partial` file never counts)."""
    try:
        files = [p for p in folder.glob("chatdesk-*.db") if p.is_file()]
    except OSError:
        return []
    found = []
    for path in files:
        try:
            stat = path.stat()
        except OSError:  # removed while we looked
            continue
        found.append(BackupInfo(path, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)))
    return sorted(found, key=lambda info: info.created_at, reverse=True)


class Backups:
    """Backups of the open database on request ("Back up now"), off the caller's thread."""

    def __init__(self, database: Path, folder: Path) -> None:
        self.database = database
        self.folder = folder
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="chatdesk-backup")

    def __repr__(self) -> str:
        return f"Backups({self.folder})"

    async def back_up_now(self, label: str = "manual") -> BackupInfo:
        """Make and verify a backup; raises BackupError (with the reason) when it fails."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, self._back_up, label)

    async def latest(self) -> BackupInfo | None:
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(self._worker, list_backups, self.folder)
        return found[0] if found else None

    def _back_up(self, label: str) -> BackupInfo:
        target = make_backup(self.database, self.folder / backup_name(label))
        stat = target.stat()
        return BackupInfo(target, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))

    def close(self) -> None:
        self._worker.shutdown(wait=True)
