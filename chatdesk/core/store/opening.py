"""Opening the local database, from a data folder to an open `Store`.

`open_checked` is how a start opens it (the window's core, every command that opens a core),
on the core's worker thread or a command's, never on the GUI thread. It reads top to bottom,
each step one call to the module that does it, SQLite's failures put in the user's words once
around them all (failures.py):

1. What the database's files are, read as plain files (database_file.py).
2. A data folder that cannot be written (a full disk, a read-only drive, access.py) while it
   holds a database: the database is opened read-only (read_only.py), with none of what follows.
3. This process's instance lock, then the maintenance lock, which is held until the database
   is open (instances.py; exclusive.py says why in that order).
4. A restore asked for in the window (scheduled.py), done now if no other chatdesk is running
   (restore.py); the files are then read again, as the restore left them.
5. The check (backup.py): `PRAGMA quick_check` (about 80 ms for 100,000 messages, 117 MB), or
   the full `integrity_check` after an unclean exit (about twice as long). An unclean exit is
   what a chatdesk that closes properly never leaves behind: the lock file of a process that
   is no longer running, or, when no other chatdesk is running, a write-ahead log that still
   holds pages (closing checkpoints and empties it). Skipped after a restore, whose copy was
   verified as it was made.
6. The open, watched for damage (damage.py): a file that is not a SQLite database refused, one
   made where there is none, its schema brought to the newest (upgrading.py: fresh.py for a new
   one, migrate.py for an older one, after a verified backup), its search index repaired
   (search_index.py), and a `Store` handed over.

`open_store` alone does step 6 without the lock order, the restore, the check and the watch:
the tests, team sync's own client, and what opens a second database.

What opening raises, each a `ChatdeskError` with words for the user:
- `damage.DatabaseDamaged` (a `StorageError`): the check failed, SQLite called the file
  damaged while opening it, or damaged files set aside before wait for the user's choice
  with no database in place. Its files were set aside untouched (damage.py), unless another
  chatdesk has it open, when nothing was moved and the error says to close it first. The
  window's damaged-database dialog (chatdesk/ui/recovery.py) offers a restore or a recovery
  for it, as `chatdesk db restore` and `chatdesk db recover` do (chatdesk/cli/db.py, through
  chatdesk/core/database.py).
- `restore.RestoreFailed`, `scheduled.RestoreRequestError`: the restore asked for could not be
  done, or its request cannot be read; the database was not changed.
- `failures.StorageError`: a file that is not chatdesk's, a disk that is full, failing or
  read-only; `Busy`: another chatdesk holds the database longer than the busy timeout.
- `migrate.DatabaseTooNew`, `migrate.MigrationFailed`: the schema cannot be brought to this
  chatdesk's; the database was left at its revision.
Any other error is a bug, and goes to the crash dialog and the log.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from chatdesk.core.config import Settings
from chatdesk.core.paths import Paths, create_private_file, ensure_private_dir
from chatdesk.core.store import damage
from chatdesk.core.store.access import write_blocked
from chatdesk.core.store.backup import check, newest_backup
from chatdesk.core.store.database_file import DatabaseFile, examine
from chatdesk.core.store.engine import sqlite_engine
from chatdesk.core.store.failures import StorageError, translated
from chatdesk.core.store.instances import InstanceLock, starting
from chatdesk.core.store.read_only import open_read_only
from chatdesk.core.store.restore import RestoreReport, apply_scheduled
from chatdesk.core.store.scheduled import scheduled_restore
from chatdesk.core.store.search_index import repair_search_index
from chatdesk.core.store.store import Store
from chatdesk.core.store.upgrading import to_head

log = logging.getLogger("chatdesk.store")

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class StartupChecks:
    restored: RestoreReport | None  # a restore asked for in the window, done now
    check: str | None  # "quick_check", "integrity_check", or None (no database yet)
    check_ms: float
    unclean_exit: bool


def open_checked(
    paths: Paths, settings: Settings, now: Clock | None = None
) -> tuple[Store, StartupChecks]:
    """Open the database in `paths.data_dir` as a start does (steps 1 to 6 above)."""
    clock = now or (lambda: datetime.now(UTC))
    database = paths.database
    with translated(database):
        file = examine(database)
        blocked = write_blocked(paths.data_dir) if file.sqlite else None
        if blocked is not None:  # a full disk or a folder that cannot be written: read it
            store = open_read_only(paths, settings, blocked, file)
            return store, StartupChecks(None, None, 0.0, False)
        ensure_private_dir(paths.data_dir)
        with starting(paths.run_dir) as start:
            requested = scheduled_restore(paths.data_dir)
            restored = apply_scheduled(paths, requested, start.alone, clock())
            file = examine(database)  # as the restore left it
            unclean = start.dead or (start.alone and file.log_pages)
            checked = check(database, full=unclean) if file.sqlite and not restored else None
            problems = checked.problems if checked is not None else []
            newest = functools.partial(newest_backup, paths.backups_dir)  # if it is damaged
            with damage.watched(paths, file, problems, newest, start.alone, clock):
                store = _opened(paths, settings, file, start.instance)
    if checked is None:
        return store, StartupChecks(restored, None, 0.0, unclean)
    return store, StartupChecks(restored, checked.pragma, checked.ms, unclean)


def open_store(paths: Paths, settings: Settings) -> Store:
    """Open (creating or upgrading as needed) the database in `paths.data_dir` (step 6 above),
    this process's instance lock taken first and released if opening fails."""
    ensure_private_dir(paths.data_dir)
    instance = InstanceLock(paths.run_dir)
    try:
        with translated(paths.database):
            return _opened(paths, settings, examine(paths.database), instance)
    except BaseException:
        instance.release()
        raise


def _opened(paths: Paths, settings: Settings, file: DatabaseFile, instance: InstanceLock) -> Store:
    """Step 6, in the data folder made before: `file` refused with its reason, or made where
    there is none, brought to the newest schema (upgrading.py), its search index repaired."""
    if file.refusal is not None:
        raise StorageError(file.refusal)
    database = paths.database
    if not database.exists():
        create_private_file(database)
    engine = sqlite_engine(database, busy_timeout_ms=settings.storage.busy_timeout_ms)
    try:
        report = to_head(engine, database, paths.backups_dir)
        repair_search_index(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, instance, database, report)
