"""A database brought to the newest schema as it opens: made there in one step when it is new
(fresh.py), migrated after a verified backup when it is older (migrate.py, which loads Alembic
only then), left alone when it is there already.

The work is done on one connection of the engine the database is opened with, with foreign-key
enforcement off (SQLite cannot change it inside a transaction, and a migration's batch mode
rebuilds tables that others refer to) and every transaction begun with `BEGIN IMMEDIATE`. That
connection is closed afterwards rather than handed back to the engine's pool, so no later
transaction runs without foreign keys.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import cast

from sqlalchemy import Engine

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.store.engine import BEGIN_OPTION
from chatdesk.core.store.fresh import make_at_head
from chatdesk.core.store.schema import HEAD_REVISION, MigrationReport, stored_revision


def to_head(engine: Engine, database: Path, backups_dir: Path) -> MigrationReport:
    """`database`, opened by `engine`, at the newest schema; a pre-migration backup goes to
    `backups_dir`."""
    try:
        revision = stored_revision(database)
    except ChatdeskError:
        revision = ""  # not readable as chatdesk's: the migration says what is wrong
    if revision == HEAD_REVISION:
        return MigrationReport(HEAD_REVISION, HEAD_REVISION, None)
    with engine.connect() as connection:
        try:
            driver = cast(sqlite3.Connection, connection.connection.driver_connection)
            driver.execute("PRAGMA foreign_keys = OFF")  # outside a transaction, as it must be
            connection.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
            if revision is None:  # no schema yet, unless another process made it meanwhile
                with connection.begin():
                    made = make_at_head(connection)
                if made is not None:
                    return made
            from chatdesk.core.store import migrate  # Alembic loads only when there is work

            return migrate.upgrade_on(connection, database, backups_dir)
        finally:
            connection.invalidate()  # foreign keys are off on it: never back to the pool
