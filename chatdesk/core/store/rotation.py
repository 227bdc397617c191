"""Which backups to keep: pure functions of the backups' kinds and dates, and the daily run.

The policy (docs/backups-and-recovery.md), with days and ISO weeks counted in UTC:
- daily: the newest automatic backup of each of the `daily` most recent days that have one;
- weekly: of the automatic backups older than those, the newest of each of the `weekly` most
  recent ISO weeks that have one;
- pre-migration: the `pre_migration` newest;
- manual backups and files with names chatdesk did not write are never deleted;
- the newest backup of all, whatever its kind, is always kept.
Rotation runs only right after a new automatic backup verified, so it never removes an old
copy before a newer good one exists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from chatdesk.core.store.backup import (
    BackupInfo,
    BackupKind,
    backup_info,
    backup_name,
    list_backups,
    make_backup,
)
from chatdesk.core.store.blob_copies import prune_copies

if TYPE_CHECKING:
    from chatdesk.core.config import StorageSettings

log = logging.getLogger("chatdesk.store")

DAILY_INTERVAL = timedelta(hours=24)
_CLOCK_SLACK = timedelta(hours=1)  # a newest backup further in the future: the clock went back
ROTATED = frozenset({BackupKind.DAILY, BackupKind.PRE_MIGRATION})


@dataclass(frozen=True)
class RotationPolicy:
    daily: int = 7
    weekly: int = 4
    pre_migration: int = 3


def rotation_policy(storage: StorageSettings) -> RotationPolicy:
    """The policy the storage settings set (the window's daily run and `chatdesk db backup
    --daily` alike)."""
    return RotationPolicy(
        daily=storage.daily_backups,
        weekly=storage.weekly_backups,
        pre_migration=storage.pre_migration_backups,
    )


@dataclass(frozen=True)
class AutomaticBackup:
    made: BackupInfo | None  # None: the newest daily backup was recent enough
    deleted: tuple[Path, ...] = ()


def backup_due(backups: Iterable[BackupInfo], now: datetime) -> bool:
    """Whether the newest daily backup is older than a day (or there is none)."""
    newest = max((b.created_at for b in backups if b.kind is BackupKind.DAILY), default=None)
    if newest is None:
        return True
    return newest <= now - DAILY_INTERVAL or newest > now + _CLOCK_SLACK


def backups_to_keep(backups: Iterable[BackupInfo], policy: RotationPolicy) -> set[Path]:
    ordered = sorted(backups, key=lambda b: b.created_at, reverse=True)
    keep = {b.path for b in ordered if b.kind not in ROTATED}
    keep.update(b.path for b in ordered[:1])
    daily = [b for b in ordered if b.kind is BackupKind.DAILY]
    dailies = _newest_per(daily, lambda b: b.created_at.date(), policy.daily)
    older = [b for b in daily if b.path not in dailies]
    weeklies = _newest_per(older, lambda b: b.created_at.isocalendar()[:2], policy.weekly)
    migrations = [b.path for b in ordered if b.kind is BackupKind.PRE_MIGRATION]
    return keep | dailies | weeklies | set(migrations[: max(policy.pre_migration, 0)])


def backups_to_delete(backups: Sequence[BackupInfo], policy: RotationPolicy) -> list[BackupInfo]:
    keep = backups_to_keep(backups, policy)
    return [b for b in backups if b.path not in keep]


def _newest_per(
    newest_first: Sequence[BackupInfo], bucket: Callable[[BackupInfo], Hashable], count: int
) -> set[Path]:
    """The newest backup of each of the `count` most recent buckets that have one."""
    chosen: dict[Hashable, Path] = {}
    for backup in newest_first:
        key = bucket(backup)
        if key not in chosen:
            if len(chosen) >= count:
                break
            chosen[key] = backup.path
    return set(chosen.values())


def automatic_backup(
    database: Path, folder: Path, now: datetime, policy: RotationPolicy
) -> AutomaticBackup:
    """Make the daily backup if one is due; then delete what the policy no longer keeps, and
    the attachment files no backup left refers to."""
    if not backup_due(list_backups(folder), now):
        return AutomaticBackup(None)
    made = backup_info(make_backup(database, folder / backup_name("daily", now)))
    deleted = []
    for doomed in backups_to_delete(list_backups(folder), policy):
        try:
            doomed.path.unlink()
        except FileNotFoundError:
            continue
        except OSError as error:  # the next run tries again
            log.warning("could not delete the old backup %s: %s", doomed.path, error)
            continue
        log.info("deleted the old backup %s (rotation)", doomed.path.name)
        deleted.append(doomed.path)
    try:
        prune_copies(folder)  # the attachment files only the deleted backups had
    except OSError as error:  # the next run tries again
        log.warning("could not prune the backed-up attachments in %s: %s", folder, error)
    return AutomaticBackup(made, tuple(deleted))
