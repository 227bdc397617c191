"""SQLite engines configured for durability.

Every connection: WAL, `synchronous=FULL`, `foreign_keys=ON`, `busy_timeout`. The stdlib
driver's own transaction handling is switched off (it skips BEGIN before DDL); we emit BEGIN
ourselves, `BEGIN IMMEDIATE` for writes so a writer takes the lock up front instead of failing
to upgrade a read snapshot later (SQLITE_BUSY_SNAPSHOT, which busy_timeout does not retry).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool, StaticPool

BEGIN_OPTION = "chatdesk_begin"


def sqlite_engine(
    path: Path,
    *,
    busy_timeout_ms: int = 5_000,
    foreign_keys: bool = True,
    read_only_uri: str | None = None,
) -> Engine:
    """`read_only_uri`: read the database through this URI (read_only.read_only_uri) and never
    write to it."""
    timeout = busy_timeout_ms / 1000
    if read_only_uri is None:
        engine = create_engine(
            f"sqlite:///{path}",
            poolclass=QueuePool,
            pool_size=4,
            max_overflow=4,
            connect_args={"check_same_thread": False, "timeout": timeout},
        )
    else:
        uri = read_only_uri
        engine = create_engine(
            "sqlite://",
            poolclass=QueuePool,
            pool_size=4,
            max_overflow=4,
            creator=lambda: sqlite3.connect(
                uri, uri=True, check_same_thread=False, timeout=timeout
            ),
        )

    _configured(engine, busy_timeout_ms, foreign_keys, wal=read_only_uri is None)
    return engine


def memory_engine() -> Engine:
    """A database that lives only in this process's memory, gone when the engine is disposed
    (a temporary chat's). One connection, so every session sees the same database: use it
    from one thread at a time."""
    engine = create_engine(
        "sqlite://",
        poolclass=StaticPool,
        creator=lambda: sqlite3.connect(":memory:", check_same_thread=False),
    )
    _configured(engine, 5_000, True, wal=False)

    @event.listens_for(engine, "connect")
    def _in_memory_only(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Large sorts and temporary indexes would otherwise go to a file in the temp folder.
        dbapi_connection.execute("PRAGMA temp_store = MEMORY")

    return engine


def _configured(engine: Engine, busy_timeout_ms: int, foreign_keys: bool, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            if wal:  # not a read-only file (it stays as it is) nor memory
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        statement = _BEGIN.get(mode)
        if statement is None:
            raise ValueError(f"unknown BEGIN mode {mode!r}")
        # On the driver's connection, as the hot statements run (store/prepared.py): through
        # SQLAlchemy's execution layer it cost as much as a page's own session set-up, on
        # every read. Its errors are the driver's, which `failures.translated` reads as well.
        connection.connection.driver_connection.execute(statement)


_BEGIN = {mode: f"BEGIN {mode}" for mode in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE")}


def writer(engine: Engine) -> Engine:
    """The same engine, starting every transaction with BEGIN IMMEDIATE."""
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
