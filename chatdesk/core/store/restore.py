"""Putting a verified backup in place of the database (`chatdesk db restore`, or at start).

Order, so that no step can leave the data folder without a usable database:
1. have the database to ourselves (exclusive.py): no other chatdesk may have it open;
2. verify the backup (`integrity_check`) and refuse one from a newer chatdesk;
3. copy it with the online backup API to `chatdesk.db.restoring` beside the database and verify
   the copy (a full disk fails here, before anything was moved);
4. rename the current database with its -wal and -shm, untouched, to
   `chatdesk.db.before-restore-<time>` (and -wal, -shm: still openable as a set);
5. rename the copy to `chatdesk.db`. It opens, and migrates if it is older, like any database.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from chatdesk.core.errors import ChatdeskError, NotFound
from chatdesk.core.i18n import mark, tr
from chatdesk.core.paths import Paths
from chatdesk.core.store import damage, scheduled
from chatdesk.core.store.backup import (
    BackupError,
    backup_info,
    integrity_problems,
    list_backups,
    make_backup,
)
from chatdesk.core.store.exclusive import database_alone

log = logging.getLogger("chatdesk.store")


class RestoreFailed(ChatdeskError):
    """The backup could not be restored; the current database was left as it was."""


@dataclass(frozen=True)
class RestoreReport:
    backup: Path
    set_aside: tuple[Path, ...]  # the previous database's files, renamed (empty if none)


def restore_backup(
    paths: Paths, backup: Path | None = None, *, now: datetime | None = None
) -> RestoreReport:
    """Restore `backup` (default: the newest backup that verifies) as the database."""
    with database_alone(paths, mark("restore a backup")):
        return restore_alone(paths, backup, now or datetime.now(UTC))


def restore_alone(paths: Paths, backup: Path | None, now: datetime) -> RestoreReport:
    """`restore_backup` for a caller that already has the database to itself."""
    if backup is None:
        chosen, staged = _staged(paths, newest_verified(paths.backups_dir), verify=False)
    else:
        chosen, staged = _staged(paths, backup, verify=True)
    return _swap(paths, chosen, staged, now)


def newest_verified(folder: Path) -> Path:
    """The newest backup in `folder` that passes `integrity_check`."""
    for info in list_backups(folder):
        if not integrity_problems(info.path):
            return info.path
        log.warning("skipping the damaged backup %s", info.path)
    raise RestoreFailed(
        tr(
            "there is no verified backup in {folder} to restore. Nothing was changed; "
            "`chatdesk db recover` builds a database from what can still be read.",
            folder=folder,
        )
    )


def apply_scheduled(
    paths: Paths, requested: Path | None, alone: bool, now: datetime
) -> RestoreReport | None:
    """At start, with the maintenance lock held: the restore asked for in the window
    (`scheduled.scheduled_restore`), if any.

    It waits for a start at which no other chatdesk is running (`alone`). Done or failed, the
    request is removed (after a failure the next start opens the current database), and a
    failure's reason is raised."""
    if requested is None:
        return None
    if not alone:
        log.info("a restore of %s waits until no other chatdesk is running", requested)
        return None
    failure: ChatdeskError | None = None
    try:
        chosen, staged = _staged(paths, requested, verify=True)
        report = _swap(paths, chosen, staged, now)
    except ChatdeskError as error:
        failure = error
    scheduled.cancel_scheduled_restore(paths.data_dir)
    if failure is not None:
        raise RestoreFailed(
            tr(
                "the restore you asked for could not be done: {error} Your database was not "
                "changed and the request was removed; start chatdesk again to go on with it.",
                error=failure,
            )
        ) from failure
    return report


def _staged(paths: Paths, backup: Path, *, verify: bool) -> tuple[Path, Path]:
    """Steps 2 and 3: `backup` (verified first when `verify`) copied in beside the database
    as `chatdesk.db.restoring`, and verified there."""
    if verify:
        _verify(paths, backup)
    staged = paths.database.with_name(paths.database.name + ".restoring")
    for leftover in (staged, staged.with_name(staged.name + ".partial")):
        leftover.unlink(missing_ok=True)  # from a restore that was killed: ours, unfinished
    try:
        make_backup(backup, staged)
    except BackupError as error:
        raise RestoreFailed(tr("could not copy the backup in: {error}", error=error)) from error
    return backup, staged


def _swap(paths: Paths, chosen: Path, staged: Path, now: datetime) -> RestoreReport:
    """Steps 4 and 5; an unresolved damage is resolved by the restore."""
    try:
        moved = _set_aside(paths.database, f".before-restore-{now:%Y%m%dT%H%M%SZ}")
        try:
            os.replace(staged, paths.database)
        except OSError as error:
            _put_back(moved)
            raise RestoreFailed(
                tr("could not put the backup in place: {error}", error=error)
            ) from error
    finally:
        staged.unlink(missing_ok=True)
    aside = tuple(target for _, target in moved)
    log.info("restored %s as %s (the previous files: %s)", chosen, paths.database, aside)
    record = damage.unresolved(paths)
    if record is not None:
        damage.mark_resolved(record, f"restored {chosen.name}", now)
    return RestoreReport(chosen, aside)


def _verify(paths: Paths, backup: Path) -> None:
    """A backup the user chose: one that exists, is not the database itself, was written by
    this chatdesk or an older one, and passes `integrity_check`."""
    if not backup.is_file():
        raise NotFound(tr("no backup at {backup}; nothing was changed", backup=backup))
    if backup.resolve() == paths.database.resolve():
        raise RestoreFailed(
            tr("{backup} is the database itself, not a backup; nothing was changed", backup=backup)
        )
    from chatdesk.core.store import migrate  # Alembic, for a restore only

    try:
        revision = migrate.known_revision(backup)
    except migrate.DatabaseTooNew as error:
        raise RestoreFailed(
            tr(
                "the backup {backup} was written by a newer chatdesk; install that version "
                "to restore it. Nothing was changed.",
                backup=backup.name,
            )
        ) from error
    except ChatdeskError as error:  # not even its schema can be read
        problems = [str(error)]
    else:
        problems = integrity_problems(backup)
        if not problems and revision is None:
            raise RestoreFailed(
                tr("{backup} is not a chatdesk database; nothing was changed", backup=backup)
            )
    if problems:
        raise RestoreFailed(
            tr(
                "the backup {backup} is damaged ({problem}); choose another one. "
                "Nothing was changed.",
                backup=backup,
                problem=problems[0],
            )
        )


def _set_aside(database: Path, suffix: str) -> list[tuple[Path, Path]]:
    """Rename the database's files (untouched) with `suffix`; undone if a rename fails."""
    moved: list[tuple[Path, Path]] = []
    try:
        for side in damage.SIDE_FILES:
            source = database.with_name(database.name + side)
            if source.exists():
                target = database.with_name(database.name + suffix + side)
                os.rename(source, target)
                moved.append((source, target))
    except OSError as error:
        _put_back(moved)
        raise RestoreFailed(
            tr("could not set the current database aside: {error}", error=error)
        ) from error
    return moved


def _put_back(moved: list[tuple[Path, Path]]) -> None:
    for source, target in reversed(moved):
        os.rename(target, source)


def describe(report: RestoreReport) -> str:
    info = backup_info(report.backup)
    when = tr(" (from {when} UTC)", when=f"{info.created_at:%Y-%m-%d %H:%M}") if info else ""
    aside = (
        tr("; the previous database was kept as {files}", files=report.set_aside[0])
        if report.set_aside
        else ""
    )
    # translators: {when} is " (from 2024-05-01 10:00 UTC)" or empty; {aside} is "; the
    # previous database was kept as …" or empty
    return tr("restored {backup}{when}{aside}", backup=report.backup.name, when=when, aside=aside)
