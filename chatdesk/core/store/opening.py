"""Opening the local database, from a data folder to an open `Store`.

`open_checked` is how a start opens it (the window's core, every command that opens a core),
on the core's worker thread or a command's, never on the GUI thread. In order:

1. A data folder that cannot be written (a full disk, a read-only drive) while it holds a
   database: the database is opened read-only, with none of what follows (access.py).
2. This process's instance lock, then the maintenance lock, which is held until the database
   is open (exclusive.py says why in that order).
3. A restore asked for in the window, done now if no other chatdesk is running (restore.py).
4. The check: `PRAGMA quick_check` (about 80 ms for 100,000 messages, 117 MB), or the full
   `integrity_check` after an unclean exit (about twice as long). An unclean exit is what a
   chatdesk that closes properly never leaves behind: the lock file of a process that is no
   longer running (instances.py), or, when no other chatdesk is running, a -wal file that
   still holds pages (closing checkpoints and empties it).
5. `open_store`: refuse a file that is not a SQLite database, create one where there is none,
   bring its schema to the newest (fresh.py for a new one, migrate.py for an older one, after
   a verified backup), repair the search index (search_index.py), and hand over a `Store`.

`open_store` alone opens without the lock order, the restore and the check: the tests, team
sync's own client, and what opens a second database.

What opening raises, each a `ChatdeskError` with words for the user:
- `damage.DatabaseDamaged` (a `StorageError`): the check failed, or SQLite called the file
  damaged while opening it. Its files were set aside untouched (damage.py), unless another
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

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.paths import Paths, create_private_file, ensure_private_dir
from chatdesk.core.store import damage, fresh
from chatdesk.core.store.access import open_read_only, write_blocked
from chatdesk.core.store.backup import integrity_problems
from chatdesk.core.store.database_file import (
    has_content,
    is_sqlite_file,
    log_holds_pages,
    refuse_foreign_file,
)
from chatdesk.core.store.engine import sqlite_engine
from chatdesk.core.store.exclusive import maintenance_lock
from chatdesk.core.store.failures import StorageError, translated
from chatdesk.core.store.instances import InstanceLock
from chatdesk.core.store.restore import RestoreReport, apply_scheduled
from chatdesk.core.store.schema import HEAD_REVISION, MigrationReport, stored_revision
from chatdesk.core.store.search_index import repair_search_index
from chatdesk.core.store.store import Store

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
    """Open the database in `paths.data_dir` as a start does (steps 1 to 5 above)."""
    clock = now or (lambda: datetime.now(UTC))
    sqlite = is_sqlite_file(paths.database)
    blocked = write_blocked(paths.data_dir) if sqlite else None
    if blocked is not None:  # a full disk or a folder that cannot be written: read what is there
        return open_read_only(paths, settings, blocked), StartupChecks(None, None, 0.0, False)
    ensure_private_dir(paths.data_dir)
    instance = InstanceLock(paths.run_dir)  # before looking at the file: see exclusive.py
    try:
        with maintenance_lock(paths.run_dir):
            others = instance.others()
            alone = not others.alive
            restored = apply_scheduled(paths, alone, clock())
            unclean = bool(others.dead) or (alone and log_holds_pages(paths.database))
            check, elapsed = (None, 0.0) if restored else _check(paths, unclean, alone, clock)
            store = _open_or_set_aside(paths, settings, instance, alone, clock)
            others.forget_dead()  # checked now: the next start need not check fully again
    except BaseException:
        instance.release()
        raise
    return store, StartupChecks(restored, check, elapsed, unclean)


def open_store(paths: Paths, settings: Settings, instance: InstanceLock | None = None) -> Store:
    """Open (creating or upgrading as needed) the database in `paths.data_dir` (step 5 above).
    `instance`: this process's lock, if the caller took it already (`open_checked`, before
    checking the file)."""
    ensure_private_dir(paths.data_dir)
    database = paths.database
    refuse_foreign_file(database)
    if not database.exists():
        create_private_file(database)
    timeout = settings.storage.busy_timeout_ms
    with translated(database):
        report = _migrate(database, paths.backups_dir, timeout)
    engine = sqlite_engine(database, busy_timeout_ms=timeout)
    repair_search_index(engine)
    return Store(engine, instance or InstanceLock(paths.run_dir), database, report)


def _check(paths: Paths, full: bool, alone: bool, now: Clock) -> tuple[str | None, float]:
    """Step 4: the check that was run and its milliseconds; (None, 0.0) where there is no
    database yet, or a file that `open_store` refuses with its reason."""
    database = paths.database
    if not is_sqlite_file(database):
        record = None if has_content(database) else damage.unresolved(paths)
        if record is not None:
            newest = damage.newest_backup(paths)
            raise damage.DatabaseDamaged(database, record.problems, record.folder, newest)
        return None, 0.0
    pragma = "integrity_check" if full else "quick_check"
    started = time.perf_counter()
    with translated(database):
        problems = integrity_problems(database, quick=not full)
    elapsed = (time.perf_counter() - started) * 1000
    log.info("%s of %s: %s in %.0f ms", pragma, database.name, problems or "ok", elapsed)
    if problems:
        damage.damaged(paths, problems, alone, now())
    record = damage.unresolved(paths)
    if record is not None:  # a sound database was put back by hand: the choice is made
        damage.mark_resolved(record, "a sound database was found in place", now())
    return pragma, elapsed


def _open_or_set_aside(
    paths: Paths, settings: Settings, instance: InstanceLock, alone: bool, now: Clock
) -> Store:
    """Step 5, where SQLite calling the file damaged sets it aside as a failed check does."""
    try:
        return open_store(paths, settings, instance)
    except StorageError as error:
        found = damage.damage_in(error)
        if found is None:
            raise
        damage.damaged(paths, [found], alone, now())


def _migrate(database: Path, backups_dir: Path, timeout: int) -> MigrationReport:
    try:
        revision = stored_revision(database)
        if revision == HEAD_REVISION:
            return MigrationReport(HEAD_REVISION, HEAD_REVISION, None)
        made = fresh.make_new(database, timeout) if revision is None else None
        if made is not None:
            return made
    except ChatdeskError:
        pass  # the full path below says what is wrong with the file
    from chatdesk.core.store import migrate  # Alembic loads only when there is work to do

    return migrate.upgrade(database, backups_dir, busy_timeout_ms=timeout)
