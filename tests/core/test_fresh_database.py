"""A new database is made at the newest schema in one step (chatdesk/core/store/fresh.py): it
must be the database every migration makes of an empty file, table for table and row for row."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chatdesk.configuration import configure
from chatdesk.core.store import migrate, open_store
from chatdesk.core.store.memory import memory_store

REGENERATE = "run `.venv/bin/python packaging/head_schema.py` after adding a migration"


def _schema(connection: sqlite3.Connection) -> set[tuple[str, str, str, tuple[str, ...]]]:
    """Each entry of the schema, its definition's lines in order: a migration in batch mode
    lists a table's constraints in an order that changes from run to run."""
    return {
        (kind, name, table, tuple(sorted(line.strip(" \t,") for line in (sql or "").splitlines())))
        for kind, name, table, sql in connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master"
        )
    }


def _rows(connection: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    shadow = {row[1] for row in connection.execute("PRAGMA table_list") if row[2] == "shadow"}
    tables = [
        name
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if name not in shadow
    ]
    found = {}
    for table in tables:
        cursor = connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
        columns = [description[0] for description in cursor.description]
        own = {"id", "created_at", "updated_at"} if table == "assistants" else set()
        found[table] = [
            tuple(v for c, v in zip(columns, row, strict=True) if c not in own) for row in cursor
        ]
    return found


@pytest.fixture
def migrated(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    database = tmp_path / "migrated.db"
    migrate.upgrade(database, tmp_path / "backups")
    connection = sqlite3.connect(database)
    yield connection
    connection.close()


@pytest.fixture
def made(chatdesk_home: Path) -> Iterator[sqlite3.Connection]:
    config = configure()
    store = open_store(config.paths, config.settings)
    assert store.migration.from_revision is None
    store.close()
    connection = sqlite3.connect(config.paths.database)
    yield connection
    connection.close()


def test_a_new_database_has_the_schema_every_migration_makes(
    migrated: sqlite3.Connection, made: sqlite3.Connection
) -> None:
    assert _schema(made) == _schema(migrated), REGENERATE


def test_a_new_database_has_the_rows_every_migration_adds(
    migrated: sqlite3.Connection, made: sqlite3.Connection
) -> None:
    assert _rows(made) == _rows(migrated), REGENERATE
    assert made.execute("SELECT count(*) FROM assistants").fetchone()[0] > 0


def test_each_new_database_gives_its_built_in_assistants_ids_of_their_own(
    migrated: sqlite3.Connection, made: sqlite3.Connection
) -> None:
    rows = made.execute("SELECT id, created_at, updated_at FROM assistants").fetchall()
    assert len({row[0] for row in rows}) == len(rows)
    assert {row[0] for row in rows}.isdisjoint(
        row[0] for row in migrated.execute("SELECT id FROM assistants")
    )
    for assistant, created, updated in rows:
        assert uuid.UUID(hex=assistant).hex == assistant
        assert created == updated
        assert abs(datetime.fromisoformat(created) - datetime.now(UTC).replace(tzinfo=None)) < (
            timedelta(days=1)
        )


def test_a_temporary_chats_database_has_the_same_schema(
    migrated: sqlite3.Connection, tmp_path: Path
) -> None:
    store = memory_store(tmp_path / "run")
    try:
        schema, rows = store.read_plain_now(
            lambda connection: (
                _schema(connection.connection.driver_connection),
                _rows(connection.connection.driver_connection),
            )
        )
    finally:
        store.close()
    assert schema == _schema(migrated)
    assert rows == _rows(migrated)


def test_a_database_someone_else_began_is_migrated_as_before(
    chatdesk_home: Path, tmp_path: Path
) -> None:
    config = configure()
    config.paths.data_dir.mkdir(parents=True)
    with sqlite3.connect(config.paths.database) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    store = open_store(config.paths, config.settings)
    try:
        assert store.migration.from_revision is None
        assert store.migration.backup is not None  # the migration backed the file up first
    finally:
        store.close()
    with sqlite3.connect(config.paths.database) as connection:
        assert connection.execute("SELECT count(*) FROM notes").fetchone() == (0,)
