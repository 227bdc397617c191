"""Opening the local database: refusing a file that is not chatdesk's, upgrading its schema
(Alembic loads only when there is work to do) and repairing the derived search index."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.paths import Paths, create_private_file, ensure_private_dir
from chatdesk.core.store import fresh
from chatdesk.core.store.engine import sqlite_engine, writer
from chatdesk.core.store.failures import StorageError, translated
from chatdesk.core.store.instances import InstanceLock
from chatdesk.core.store.schema import HEAD_REVISION, MigrationReport, stored_revision
from chatdesk.core.store.search_index import repair_index
from chatdesk.core.store.store import Store

_SQLITE_HEADER = b"SQLite format 3\x00"


def open_store(paths: Paths, settings: Settings, instance: InstanceLock | None = None) -> Store:
    """Open (creating or upgrading as needed) the database in `paths.data_dir`. `instance`:
    this process's lock, if the caller took it already (startup.py, before checking the file)."""
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


def repair_search_index(engine: Engine) -> None:
    """The full-text index is derived from the messages: rebuilt when missing or damaged."""
    try:
        with translated():
            repair_index(engine)
    except BaseException:
        engine.dispose()
        raise


def _migrate(database: Path, backups_dir: Path, timeout: int) -> MigrationReport:
    try:
        revision = stored_revision(database)
        if revision == HEAD_REVISION:
            return MigrationReport(HEAD_REVISION, HEAD_REVISION, None)
        made = _make_new(database, timeout) if revision is None else None
        if made is not None:
            return made
    except ChatdeskError:
        pass  # the full path below says what is wrong with the file
    from chatdesk.core.store import migrate  # Alembic loads only when there is work to do

    return migrate.upgrade(database, backups_dir, busy_timeout_ms=timeout)


def _make_new(database: Path, timeout: int) -> MigrationReport | None:
    """A database with no schema yet made at the newest in one step (fresh.py); None when it
    holds tables that are not chatdesk's (the migration below says what to do)."""
    engine = sqlite_engine(database, busy_timeout_ms=timeout, foreign_keys=False)
    try:
        with writer(engine).connect() as connection, connection.begin():
            return fresh.make_at_head(connection)
    finally:
        engine.dispose()


def refuse_foreign_file(database: Path) -> None:
    try:
        with open(database, "rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as error:
        raise StorageError(
            tr("cannot read {database}: {reason}", database=database, reason=error.strerror)
        ) from error
    if header and header != _SQLITE_HEADER:
        raise StorageError(
            tr(
                "{database} is not a chatdesk database (or it is damaged). It was "
                "left untouched; move it away or choose another folder with "
                "--data-dir.",
                database=database,
            )
        )
