"""Alembic environment for chatdesk: one history for SQLite (batch mode) and PostgreSQL.

chatdesk runs migrations in-process and passes its own connection (already inside a
transaction) through `config.attributes["connection"]`. For developers, `alembic` on the
command line works too, against `sqlalchemy.url` from alembic.ini or `CHATDESK_DB_URL`.
"""

from __future__ import annotations

import os
from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine

from chatdesk.core.knowledge.index import INDEX_TABLES as KNOWLEDGE_TABLES
from chatdesk.core.memory.index import INDEX_TABLES as MEMORY_TABLES
from chatdesk.core.store.models import Base
from chatdesk.core.store.search_index import INDEX_TABLES

config = context.config
target_metadata = Base.metadata


def include_name(name: str | None, kind: str, _parents: dict[str, Any]) -> bool:
    """Leave out the full-text index's tables: FTS5 makes them, no model describes them."""
    return not (kind == "table" and name in INDEX_TABLES | KNOWLEDGE_TABLES | MEMORY_TABLES)


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
        compare_type=True,
        compare_server_default=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        run(given)
        return
    url = os.environ.get("CHATDESK_DB_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set CHATDESK_DB_URL or sqlalchemy.url to run alembic by hand")
    engine = create_engine(url)
    with engine.connect() as connection:
        run(connection)
    engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("chatdesk migrations run online only")
run_migrations_online()
