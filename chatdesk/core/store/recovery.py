"""`chatdesk db recover`: a new database built from what can still be read of a damaged one.

The damaged files are never written to: if the database is still in place it is first set
aside (damage.py); the salvage then reads a scratch copy of the set-aside files. The new
database is made at the current schema beside the old one, filled (salvage.py), verified with
`integrity_check`, and only then renamed into place.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from chatdesk.core.errors import ChatdeskError, InvalidRequest, NotFound
from chatdesk.core.i18n import mark, ntr, number, tr
from chatdesk.core.paths import Paths, create_private_file
from chatdesk.core.store import damage
from chatdesk.core.store.backup import integrity_problems
from chatdesk.core.store.exclusive import database_alone
from chatdesk.core.store.salvage import RECOVERED_TITLE, SalvageReport, salvage

log = logging.getLogger("chatdesk.store")


class RecoveryFailed(ChatdeskError):
    """No usable database could be built; the damaged files are as they were."""


@dataclass(frozen=True)
class RecoveryReport:
    database: Path
    damaged_dir: Path
    salvage: SalvageReport

    def describe(self) -> str:
        counts = ", ".join(
            f"{number(t.copied)} {t.table}" for t in self.salvage.tables.values() if t.copied
        )
        refused = sum(t.refused for t in self.salvage.tables.values())
        stretches = sum(t.damaged_stretches for t in self.salvage.tables.values())
        lines = [
            ntr(
                "recovered {n} row into {database} ({counts})",
                "recovered {n} rows into {database} ({counts})",
                self.salvage.copied,
                database=self.database,
                counts=counts or tr("none"),
            ),
            tr("the damaged files are kept, untouched, in {folder}", folder=self.damaged_dir),
        ]
        if stretches or refused or self.salvage.unreadable_tables:
            lost = ntr(
                "{n} damaged stretch was skipped and {rows} could not be used",
                "{n} damaged stretches were skipped and {rows} could not be used",
                stretches,
                rows=ntr("{n} row", "{n} rows", refused),
            )
            if self.salvage.unreadable_tables:
                lost += tr(
                    "; unreadable tables: {tables}",
                    tables=", ".join(self.salvage.unreadable_tables),
                )
            lines.append(lost)
        if self.salvage.recreated_threads:
            lines.append(
                ntr(
                    "{n} thread had lost its own row and is titled '{title}'",
                    "{n} threads had lost their own row and are titled '{title}'",
                    self.salvage.recreated_threads,
                    title=tr(RECOVERED_TITLE),
                )
            )
        return "\n".join(lines)


def recover_database(paths: Paths, *, now: datetime | None = None) -> RecoveryReport:
    now = now or datetime.now(UTC)
    with database_alone(paths, mark("recover the database")):
        record = _damaged(paths, now)
        report = _rebuild(paths, record)
        damage.mark_resolved(record, "recovered", now)
    log.info("recovered %d rows from %s", report.salvage.copied, record.folder)
    return report


def _damaged(paths: Paths, now: datetime) -> damage.DamageRecord:
    database = paths.database
    if database.exists() and database.stat().st_size > 0:
        problems = integrity_problems(database)
        if not problems:
            raise InvalidRequest(
                tr(
                    "{database} passes its integrity check: there is nothing to recover. "
                    "To go back to a backup, use `chatdesk db restore`.",
                    database=database,
                )
            )
        return damage.DamageRecord(damage.set_aside(paths, problems, now), tuple(problems))
    record = damage.unresolved(paths)
    if record is None:
        raise NotFound(
            tr("there is no damaged database to recover in {folder}", folder=paths.data_dir)
        )
    return record


def _rebuild(paths: Paths, record: damage.DamageRecord) -> RecoveryReport:
    from chatdesk.core.store import migrate  # Alembic, for a recovery only

    fresh = paths.database.with_name(paths.database.name + ".recovered")
    scratch = Path(tempfile.mkdtemp(prefix=".recovering-", dir=paths.data_dir))
    try:
        copy = scratch / paths.database.name
        for side in ("", "-wal"):  # not -shm: SQLite rebuilds it from the -wal
            original = record.folder / (paths.database.name + side)
            if original.exists():
                shutil.copyfile(original, copy.with_name(copy.name + side))
        _remove_set(fresh)
        create_private_file(fresh)
        migrate.upgrade(fresh, paths.backups_dir)
        found = salvage(copy, fresh)
        problems = integrity_problems(fresh)
        if problems:
            raise RecoveryFailed(
                tr("the recovered database did not verify: {problem}", problem=problems[0])
            )
        os.replace(fresh, paths.database)
    except (OSError, sqlite3.Error) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise RecoveryFailed(
            tr(
                "could not build the recovered database: {reason}. The damaged "
                "files in {folder} were not changed; free some space and try again.",
                reason=reason,
                folder=record.folder,
            )
        ) from error
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        _remove_set(fresh)
    return RecoveryReport(paths.database, record.folder, found)


def _remove_set(database: Path) -> None:
    for side in damage.SIDE_FILES:
        database.with_name(database.name + side).unlink(missing_ok=True)
