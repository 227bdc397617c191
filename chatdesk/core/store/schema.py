"""What the schema is, readable without loading Alembic (which costs ~170 ms of start-up).

`HEAD_REVISION` names the newest migration; a test checks that it agrees with the migration
history. Opening a database that is already at this revision needs neither Alembic nor its
migration environment; anything else goes through `migrate.upgrade`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr

HEAD_REVISION = "0019"


@dataclass(frozen=True)
class MigrationReport:
    from_revision: str | None
    to_revision: str
    backup: Path | None

    @property
    def changed(self) -> bool:
        return self.from_revision != self.to_revision


def stored_revision(database: Path, uri: str | None = None) -> str | None:
    """The schema revision recorded in the database file (None: not a chatdesk schema yet);
    `uri`: read it through this SQLite URI."""
    connection = sqlite3.connect(uri or f"file:{database}?mode=ro", uri=True)
    try:
        row = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if row is None:
            return None
        found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(found[0]) if found else None
    except sqlite3.DatabaseError as error:
        raise ChatdeskError(
            tr("{database} cannot be read as a database: {error}", database=database, error=error)
        ) from error
    finally:
        connection.close()
