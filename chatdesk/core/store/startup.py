"""Opening the database at start: a scheduled restore, an integrity check, then `open_store`.

Runs where the core is built (the window's worker thread, or a command), never on the GUI
thread. Every start runs `PRAGMA quick_check` (about 80 ms for 100,000 messages, 117 MB);
after an unclean exit it runs the full `integrity_check` instead (about twice as long).

An unclean exit is recognised by what a chatdesk that closes properly never leaves behind:
the lock file of a process that is no longer running (instances.py), or, when no other
chatdesk is running, a -wal file that still holds pages (closing checkpoints and empties it).

A data folder that cannot be written (a full disk, a read-only drive) is opened read-only
instead, with none of the above (access.py).

A damaged database (the check fails, or opening reports "malformed"/"not a database") raises
`DatabaseDamaged` after its files were set aside untouched (damage.py); when another chatdesk
has the file open, nothing is moved and the error says to close it first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from chatdesk.core.config import Settings
from chatdesk.core.paths import Paths, ensure_private_dir
from chatdesk.core.store import damage
from chatdesk.core.store.access import open_read_only, write_blocked
from chatdesk.core.store.backup import BackupInfo, integrity_problems, list_backups
from chatdesk.core.store.exclusive import maintenance_lock
from chatdesk.core.store.failures import StorageError, translated
from chatdesk.core.store.instances import InstanceLock
from chatdesk.core.store.opening import open_store
from chatdesk.core.store.restore import RestoreReport, apply_scheduled
from chatdesk.core.store.store import Store

log = logging.getLogger("chatdesk.store")

_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class StartupChecks:
    restored: RestoreReport | None  # a restore asked for in the window, done now
    check: str | None  # "quick_check", "integrity_check", or None (no database yet)
    check_ms: float
    unclean_exit: bool


def open_checked(
    paths: Paths, settings: Settings, now: Callable[[], datetime] | None = None
) -> tuple[Store, StartupChecks]:
    clock = now or (lambda: datetime.now(UTC))
    blocked = write_blocked(paths.data_dir) if _is_sqlite_file(paths.database) else None
    if blocked is not None:  # a full disk or a folder that cannot be written: read what is there
        return open_read_only(paths, settings, blocked), StartupChecks(None, None, 0.0, False)
    ensure_private_dir(paths.data_dir)
    instance = InstanceLock(paths.run_dir)  # before looking at the file: see exclusive.py
    try:
        with maintenance_lock(paths.run_dir):
            others = instance.others()
            alone = not others.alive
            restored = apply_scheduled(paths, instance, clock())
            unclean = bool(others.dead) or (alone and _wal_holds_pages(paths.database))
            check, elapsed = (None, 0.0) if restored else _check(paths, unclean, alone, clock)
            store = _open(paths, settings, instance, alone, clock)
            others.forget_dead()  # checked now: the next start need not check fully again
    except BaseException:
        instance.release()
        raise
    return store, StartupChecks(restored, check, elapsed, unclean)


def _check(
    paths: Paths, full: bool, alone: bool, now: Callable[[], datetime]
) -> tuple[str | None, float]:
    database = paths.database
    if not _is_sqlite_file(database):  # none yet, or a file open_store refuses with its reason
        record = damage.unresolved(paths) if not _has_content(database) else None
        if record is not None:
            raise damage.DatabaseDamaged(database, record.problems, record.folder, _newest(paths))
        return None, 0.0
    pragma = "integrity_check" if full else "quick_check"
    started = time.perf_counter()
    with translated(database):
        problems = integrity_problems(database, quick=not full)
    elapsed = (time.perf_counter() - started) * 1000
    log.info("%s of %s: %s in %.0f ms", pragma, database.name, problems or "ok", elapsed)
    if problems:
        _damaged(paths, problems, alone, now)
    record = damage.unresolved(paths)
    if record is not None:  # a sound database was put back by hand: the choice is made
        damage.mark_resolved(record, "a sound database was found in place", now())
    return pragma, elapsed


def _open(
    paths: Paths,
    settings: Settings,
    instance: InstanceLock,
    alone: bool,
    now: Callable[[], datetime],
) -> Store:
    try:
        return open_store(paths, settings, instance)
    except StorageError as error:
        found = damage.damage_in(error)
        if found is None:
            raise
        _damaged(paths, [found], alone, now)


def _damaged(
    paths: Paths, problems: list[str], alone: bool, now: Callable[[], datetime]
) -> NoReturn:
    folder = damage.set_aside(paths, problems, now()) if alone else None
    raise damage.DatabaseDamaged(paths.database, tuple(problems), folder, _newest(paths))


def _newest(paths: Paths) -> BackupInfo | None:
    found = list_backups(paths.backups_dir)
    return found[0] if found else None


def _has_content(database: Path) -> bool:
    try:
        return database.stat().st_size > 0
    except OSError:
        return False


def _is_sqlite_file(database: Path) -> bool:
    try:
        with open(database, "rb") as handle:
            return handle.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    except OSError:
        return False


def _wal_holds_pages(database: Path) -> bool:
    return _has_content(database.with_name(database.name + "-wal"))
