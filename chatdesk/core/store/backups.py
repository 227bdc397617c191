"""The backups of the open database as a service for the window and the core: made, listed,
rotated and scheduled for restoring, each on a worker thread of its own (backup.py makes and
verifies one copy; rotation.py chooses which to keep)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from chatdesk.core.errors import failure_reason
from chatdesk.core.i18n import tr
from chatdesk.core.store import scheduled
from chatdesk.core.store.backup import (
    BackupError,
    BackupInfo,
    backup_info,
    backup_name,
    integrity_problems,
    list_backups,
    make_backup,
)
from chatdesk.core.store.backup_failure import forget_failure, read_failure, remember_failure
from chatdesk.core.store.rotation import AutomaticBackup, RotationPolicy, automatic_backup

T = TypeVar("T")


class Backups:
    """The backups of the open database, for the window: made, listed, rotated and scheduled
    for restoring, each on a worker thread of its own so the caller's loop never waits."""

    def __init__(self, database: Path, folder: Path) -> None:
        self.database = database
        self.folder = folder
        # Why automatic backups are failing, as recorded by this or another chatdesk process.
        self.failure = read_failure(database.parent)
        self.last_failure = self.failure.reason if self.failure else None  # for the Data tab
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="chatdesk-backup")

    def __repr__(self) -> str:
        return f"Backups({self.folder})"

    async def back_up_now(self, label: str = "manual") -> BackupInfo:
        """Make and verify a backup; raises BackupError (with the reason) when it fails."""
        return await self._run(self._back_up, label)

    async def latest(self) -> BackupInfo | None:
        found = await self.list()
        return found[0] if found else None

    async def list(self) -> list[BackupInfo]:
        """Every backup in the folder, newest first."""
        return await self._run(list_backups, self.folder)

    async def automatic(self, now: datetime, policy: RotationPolicy) -> AutomaticBackup:
        """The daily backup if one is due, then rotation (only after a new one verified)."""
        data_dir = self.database.parent
        try:
            done = await self._run(automatic_backup, self.database, self.folder, now, policy)
        except Exception as error:  # recorded off the worker: the worker may be what failed
            reason = failure_reason(error)
            self.failure = await asyncio.to_thread(remember_failure, data_dir, reason, now)
            self.last_failure = self.failure.reason
            raise
        await asyncio.to_thread(forget_failure, data_dir)  # also one a cron run left
        self.failure = self.last_failure = None
        return done

    async def schedule_restore(self, backup: Path) -> None:
        """Restore `backup` at the next start, before the database is opened. It is verified
        now (a damaged backup is refused at once) and again when it is restored."""
        await self._run(self._schedule, backup)

    async def scheduled_restore(self) -> Path | None:
        return await self._run(scheduled.scheduled_restore, self.database.parent)

    async def cancel_restore(self) -> None:
        await self._run(scheduled.cancel_scheduled_restore, self.database.parent)

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, work, *args)

    def _back_up(self, label: str) -> BackupInfo:
        target = make_backup(self.database, self.folder / backup_name(label))
        info = backup_info(target)
        if info is None:
            raise BackupError(
                tr("the backup {target} disappeared as soon as it was written", target=target)
            )
        return info

    def _schedule(self, backup: Path) -> None:
        problems = integrity_problems(backup) if backup.is_file() else []
        if problems:
            raise BackupError(
                tr(
                    "the backup {backup} is damaged ({problem}); choose another one. "
                    "Nothing was scheduled.",
                    backup=backup.name,
                    problem=problems[0],
                )
            )
        scheduled.schedule_restore(self.database.parent, backup)

    def close(self) -> None:
        self._worker.shutdown(wait=True)
