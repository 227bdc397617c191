"""A new database made at the newest schema in one step.

Taking an empty file through every migration loads Alembic and rebuilds tables in batch mode,
most of what a first start or a temporary chat spends on its database (0.3–1 s on two cores).
A new database is instead given what those migrations leave in an empty one (head_schema.py,
written from them by packaging/head_schema.py; tests/core/test_fresh_database.py holds the two
to the same schema and rows), in one transaction: a kill halfway leaves it empty, and it is made
again at the next start. A database with anything in it is migrated as before (migrate.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection

from chatdesk.core.ids import new_id
from chatdesk.core.store.head_schema import INDEXES_AND_TRIGGERS, REVISION, ROWS, TABLES
from chatdesk.core.store.schema import HEAD_REVISION, MigrationReport


def make_at_head(connection: Connection) -> MigrationReport | None:
    """Make the newest schema and its first rows on `connection`, inside its transaction
    (begun with BEGIN IMMEDIATE, so no other process makes it at the same time). None when the
    database holds a schema already: another process made it first."""
    if REVISION != HEAD_REVISION:  # a bug: packaging/head_schema.py was not run again
        raise RuntimeError(f"head_schema.py is at {REVISION}, the migrations at {HEAD_REVISION}")
    if connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar():
        return None
    now = datetime.now(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    for statement in TABLES:
        connection.exec_driver_sql(statement)
    for statement, own in ROWS:
        values = tuple(new_id().hex if name == "id" else now for name in own)
        connection.exec_driver_sql(statement, values)
    for statement in INDEXES_AND_TRIGGERS:
        connection.exec_driver_sql(statement)
    return MigrationReport(None, REVISION, None)
