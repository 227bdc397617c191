"""Bring a database to the current schema safely, or refuse with a reason.

Order: refuse a database from a newer chatdesk; make a verified backup; run every pending
Alembic revision inside ONE transaction (`BEGIN IMMEDIATE`, transactional DDL), so a failure or
a kill halfway leaves the database exactly at its old revision. Foreign-key enforcement is off
for the migration connection (SQLite cannot change it inside a transaction, and batch mode's
DROP TABLE would otherwise cascade into child tables); `foreign_key_check` runs before commit.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.package_data import package_data
from chatdesk.core.store.backup import backup_name, make_backup
from chatdesk.core.store.engine import sqlite_engine, writer
from chatdesk.core.store.schema import MigrationReport

log = logging.getLogger("chatdesk.store")


class DatabaseTooNew(ChatdeskError):
    """The database was written by a newer chatdesk than this one."""


class MigrationFailed(ChatdeskError):
    """A migration did not complete; the database was left at its old revision."""


def alembic_config(script_location: Path | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location or package_data("migrations")))
    return config


def head_revision(script_location: Path | None = None) -> str:
    heads = ScriptDirectory.from_config(alembic_config(script_location)).get_heads()
    if len(heads) != 1:
        raise MigrationFailed(
            ntr(
                "the migration history has {n} head; expected one",
                "the migration history has {n} heads; expected one",
                len(heads),
            )
        )
    return heads[0]


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def check_revision_known(current: str | None, script_location: Path | None = None) -> None:
    if current is None:
        return
    script = ScriptDirectory.from_config(alembic_config(script_location))
    if not _known(script, current):
        raise DatabaseTooNew(
            tr(
                "this database has schema revision {current}, which this chatdesk "
                "does not know: it was written by a newer chatdesk. Install the "
                "newer chatdesk again, or point --data-dir at another folder. The "
                "database was not changed.",
                current=current,
            )
        )


def known_revision(database: Path) -> str | None:
    """The schema revision of the database file at `database` (None: it has none), read without
    writing to it: `DatabaseTooNew` when this chatdesk does not know it, a `ChatdeskError` when
    the file cannot be read as a database (a backup chosen to restore)."""
    engine = create_engine(
        "sqlite://",
        poolclass=NullPool,
        creator=lambda: sqlite3.connect(f"file:{database}?mode=ro", uri=True),
    )
    try:
        with engine.connect() as connection:
            current = current_revision(connection)
    except DBAPIError as error:
        raise ChatdeskError(
            tr(
                "{database} cannot be read as a database: {error}",
                database=database,
                error=error.orig,
            )
        ) from error
    finally:
        engine.dispose()
    check_revision_known(current)
    return current


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for unknown ids
        return False


def upgrade(
    database: Path,
    backups_dir: Path,
    *,
    busy_timeout_ms: int = 5_000,
    script_location: Path | None = None,
) -> MigrationReport:
    """Upgrade `database` to the newest schema (creating it if empty), on an engine of its own
    (opening a database does it on the open's engine: upgrading.py)."""
    engine = sqlite_engine(database, busy_timeout_ms=busy_timeout_ms, foreign_keys=False)
    try:
        with writer(engine).connect() as connection:
            return upgrade_on(connection, database, backups_dir, script_location)
    finally:
        engine.dispose()


def upgrade_on(
    connection: Connection,
    database: Path,
    backups_dir: Path,
    script_location: Path | None = None,
) -> MigrationReport:
    """`upgrade` on `connection` to `database`: outside a transaction, with foreign-key
    enforcement off and transactions begun with `BEGIN IMMEDIATE`."""
    head = head_revision(script_location)
    current = current_revision(connection)
    has_tables = bool(inspect(connection).get_table_names())
    connection.rollback()
    check_revision_known(current, script_location)
    if current == head:
        return MigrationReport(current, head, None)
    backup = None
    if has_tables:
        label = f"pre-migrate-{current or 'none'}-to-{head}"
        backup = make_backup(database, backups_dir / backup_name(label))
        log.info("backed up %s to %s before migrating", database, backup)
    _upgrade_in_one_transaction(connection, script_location)
    log.info("migrated %s from %s to %s", database, current, head)
    return MigrationReport(current, head, backup)


def _upgrade_in_one_transaction(connection: Connection, script_location: Path | None) -> None:
    config = alembic_config(script_location)
    try:
        with connection.begin():
            _drop_stray_batch_tables(connection)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise MigrationFailed(
                    ntr(
                        "migration would leave {n} broken reference; not applied",
                        "migration would leave {n} broken references; not applied",
                        len(broken),
                    )
                )
    except ChatdeskError:
        raise
    except Exception as error:
        raise MigrationFailed(
            tr(
                "database migration failed and was rolled back ({kind}: "
                "{error}); your data is unchanged",
                kind=type(error).__name__,
                error=error,
            )
        ) from error


def _drop_stray_batch_tables(connection: Connection) -> None:
    """Alembic batch mode leaves `_alembic_tmp_*` tables behind when an older run died."""
    rows = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
    for name in [row[0] for row in rows if row[0].startswith("_alembic_tmp_")]:
        log.warning("dropping leftover table %s from an interrupted migration", name)
        connection.exec_driver_sql(f'DROP TABLE "{name}"')
