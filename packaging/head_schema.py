"""Writes chatdesk/core/store/head_schema.py: what every migration leaves in an empty database.

    .venv/bin/python packaging/head_schema.py      # after adding a migration

A new database is made from that module in one transaction (chatdesk/core/store/fresh.py)
rather than by running each migration: the same tables, indexes, triggers and rows, without
loading Alembic. `tests/core/test_fresh_database.py` fails while the module and the migrations
disagree.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "chatdesk" / "core" / "store" / "head_schema.py"

# Rows a migration adds with values of each database's own: the built-in assistants (0010)
# get ids of their own and the time they were added.
OWN_VALUES = {"assistants": {"id": "id", "created_at": "now", "updated_at": "now"}}

HEADER = '''"""What every migration leaves in an empty database, in the order to make it again: its
tables, their rows, then their indexes and triggers (made after the rows, so no trigger runs
twice). Written by packaging/head_schema.py from a database migrated to `REVISION`; do not edit.
A row's `?` takes the database's own value named beside it (chatdesk/core/store/fresh.py)."""
'''


def migrated_database(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from chatdesk.core.store import migrate

    database = folder / "head.db"
    migrate.upgrade(database, folder / "backups")
    return database


def _shadow_tables(connection: sqlite3.Connection) -> set[str]:
    return {row[1] for row in connection.execute("PRAGMA table_list") if row[2] == "shadow"}


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, bytes):
        return f"X'{value.hex()}'"
    return "'" + str(value).replace("'", "''") + "'"


Row = tuple[str, tuple[str, ...]]


def _rows(connection: sqlite3.Connection, table: str) -> list[Row]:
    cursor = connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
    columns = [description[0] for description in cursor.description]
    names = ", ".join(f'"{column}"' for column in columns)
    own = OWN_VALUES.get(table, {})
    made = []
    for row in cursor:
        pairs = zip(columns, row, strict=True)
        values = ["?" if column in own else _literal(value) for column, value in pairs]
        statement = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(values)})'
        made.append((statement, tuple(own[column] for column in columns if column in own)))
    return made


def statements(database: Path) -> tuple[str, list[str], list[Row], list[str]]:
    """The database's revision, and what makes it again: its tables, rows, then the rest."""
    connection = sqlite3.connect(database)
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        shadow = _shadow_tables(connection)
        entries = connection.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
        tables = [name for kind, name, _ in entries if kind == "table" and name not in shadow]
        made = [sql for kind, name, sql in entries if kind == "table" and name in tables]
        made = [sql for sql in made if not sql.startswith("CREATE TABLE sqlite_sequence")]
        rows = [row for table in tables for row in _rows(connection, table)]
        later = [sql for kind in ("index", "trigger", "view") for k, _, sql in entries if k == kind]
        return revision, made, rows, later
    finally:
        connection.close()


def module_text(revision: str, tables: list[str], rows: list[Row], later: list[str]) -> str:
    lines = [HEADER, f"REVISION = {revision!r}", "", "TABLES = ("]
    lines += [f"    {statement!r}," for statement in tables]
    lines += [")", "", "ROWS: tuple[tuple[str, tuple[str, ...]], ...] = ("]
    lines += [f"    {row!r}," for row in rows]
    lines += [")", "", "INDEXES_AND_TRIGGERS = ("]
    lines += [f"    {statement!r}," for statement in later]
    lines += [")", ""]
    return "\n".join(lines)


def main() -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":  # batch mode orders constraints by hash
        os.execve(
            sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"}
        )
    with tempfile.TemporaryDirectory() as folder:
        made = statements(migrated_database(Path(folder)))
    TARGET.write_text(module_text(*made), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(TARGET)], check=True)
    print(f"wrote {TARGET.relative_to(ROOT)}: revision {made[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
