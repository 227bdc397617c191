"""The database file before a core opens it: check it, back it up, restore a backup, recover
what can be read of a damaged one, upgrade its schema.

The front-ends' one way to this work (docs/design.md §1): `chatdesk db …` and the window's
damaged-database dialog (`chatdesk/ui/recovery.py`) call these, so neither reaches into the
store's modules. None of it builds a core; restore and recover refuse while any other chatdesk
has the database open. The values a caller reads (a backup's facts, what a restore or recovery
did, the damage found at start) are named here too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from chatdesk.core.errors import NotFound
from chatdesk.core.i18n import tr
from chatdesk.core.paths import Paths
from chatdesk.core.store.backup import BackupInfo as BackupInfo
from chatdesk.core.store.backup import (
    backup_name,
    integrity_problems,
    list_backups,
    make_backup,
    newest_backup,
)
from chatdesk.core.store.backup_failure import BackupFailure as BackupFailure
from chatdesk.core.store.backup_failure import read_failure
from chatdesk.core.store.damage import DatabaseDamaged as DatabaseDamaged
from chatdesk.core.store.schema import MigrationReport as MigrationReport

if TYPE_CHECKING:  # loaded by the work that makes them (restore and recovery are rare)
    from chatdesk.core.config import Settings, StorageSettings
    from chatdesk.core.store.recovery import RecoveryReport as RecoveryReport
    from chatdesk.core.store.restore import RestoreReport as RestoreReport
    from chatdesk.core.store.rotation import AutomaticBackup as AutomaticBackup


@dataclass(frozen=True)
class DatabaseCheck:
    """What `Database.check` found; nothing was changed."""

    database: Path
    revision: str | None  # None: not read, the file failed its integrity check
    head: str  # the schema this chatdesk writes
    problems: list[str]  # the integrity check's complaints; empty: it passed
    missing: list[str]  # attachments' files the database refers to that are gone
    damaged: list[str]  # attachments' files whose bytes no longer match

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head


@dataclass(frozen=True)
class Upgraded:
    """What `Database.upgrade` did to the schema."""

    database: Path
    migration: MigrationReport


class Database:
    """The data folder's database, as a file: the work done on it before (or instead of) a
    core opening it."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths

    def __repr__(self) -> str:
        return f"Database({self.paths.database})"

    def check(self) -> DatabaseCheck:
        """Integrity, schema and attachments' files, changing nothing."""
        database = self.existing()
        problems = integrity_problems(database)
        from chatdesk.core.store import migrate  # Alembic, for this check only
        from chatdesk.core.store.schema import stored_revision

        current = stored_revision(database) if not problems else None
        if current is not None:
            migrate.check_revision_known(current)
        missing, damaged = self._blob_problems() if not problems else ([], [])
        return DatabaseCheck(database, current, migrate.head_revision(), problems, missing, damaged)

    def upgrade(self, settings: Settings) -> Upgraded:
        """Open the database as a core would, migrating it to this chatdesk's schema after a
        verified backup, and close it."""
        from chatdesk.core.store.opening import open_checked

        store, _ = open_checked(self.paths, settings)
        store.close()
        return Upgraded(store.path, store.migration)

    def back_up(self, target: str | os.PathLike[str] | None = None) -> Path:
        """A verified copy at `target` (default: a manual backup in the backups folder)."""
        database = self.existing()
        chosen = Path(target) if target else self.paths.backups_dir / backup_name("manual")
        return make_backup(database, chosen)

    async def back_up_daily(self, storage: StorageSettings) -> AutomaticBackup:
        """The window's daily backup, made if one is due and then rotated, as the window does
        it (so a failure here shows there too, and the other way round)."""
        from chatdesk.core.store.backups import Backups
        from chatdesk.core.store.rotation import rotation_policy

        self.existing()
        backups = Backups(self.paths.database, self.paths.backups_dir)
        try:
            return await backups.automatic(datetime.now(UTC), rotation_policy(storage))
        finally:
            backups.close()

    def backups(self) -> list[BackupInfo]:
        """The backups in the backups folder, newest first."""
        return list_backups(self.paths.backups_dir)

    def backup_failure(self) -> BackupFailure | None:
        """Why the last automatic backup failed, while none has succeeded since."""
        return read_failure(self.paths.data_dir)

    def restore(self, backup: Path | None = None) -> RestoreReport:
        """Put `backup` (default: the newest that verifies) in place of the database, the
        current files kept aside."""
        from chatdesk.core.store.restore import restore_backup

        return restore_backup(self.paths, backup)

    def cancel_restore(self) -> Path | None:
        """Cancel a restore the window scheduled for the next start; the backup it named."""
        from chatdesk.core.store import scheduled

        pending = scheduled.scheduled_restore(self.paths.data_dir)
        scheduled.cancel_scheduled_restore(self.paths.data_dir)
        return pending

    def recover(self) -> RecoveryReport:
        """A new database built from what can be read of the damaged one set aside."""
        from chatdesk.core.store.recovery import recover_database

        return recover_database(self.paths)

    def existing(self) -> Path:
        """The database file; DatabaseDamaged when a damaged one was set aside and not dealt
        with yet, NotFound when there is none."""
        database = self.paths.database
        if database.exists():
            return database
        from chatdesk.core.store import damage

        record = damage.unresolved(self.paths)
        if record is not None:
            newest = newest_backup(self.paths.backups_dir)
            raise DatabaseDamaged(database, record.problems, record.folder, newest)
        raise NotFound(tr("no database at {path}", path=database))

    def _blob_problems(self) -> tuple[list[str], list[str]]:
        from chatdesk.core.store.blob_copies import referenced
        from chatdesk.core.store.blobs import BlobStore

        return BlobStore(self.paths.blobs_dir).check(sorted(referenced(self.paths.database)))


def describe_restore(report: RestoreReport) -> str:
    """What a restore did, in the user's words."""
    from chatdesk.core.store.restore import describe

    return describe(report)


def damage_of(error: BaseException) -> DatabaseDamaged | None:
    """`error` if it says the database is damaged (the files already set aside)."""
    return error if isinstance(error, DatabaseDamaged) else None
