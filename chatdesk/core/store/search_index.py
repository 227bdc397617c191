"""The full-text index: three FTS5 tables over `messages.content`, `threads.title` and
`attachments.text` (what the model read of an attached document).

Both are external-content tables (the text is stored once, in `messages` and `threads`; the
index holds only tokens and positions) keyed by the rows' own rowid, and kept current by
triggers. Only messages in a final state (complete, error, interrupted) are indexed: an answer
that is still streaming is rewritten every 250 ms, and indexing each flush would tokenize the
growing text again and again. Its text enters the index once, when it ends.

The index is derived data. `repair_index` checks at start-up that every table and trigger is
there as defined below (a glance at `sqlite_master` and one probe of the index) and rebuilds
what is missing, damaged or defined otherwise: a batch migration that recreates `messages` or
`threads` drops their triggers and renumbers their rowids, and the next start-up repairs that.
"""

from __future__ import annotations

import logging
import sqlite3
import time

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from chatdesk.core.store.engine import writer
from chatdesk.core.store.failures import translated

log = logging.getLogger("chatdesk.store")

MESSAGE_INDEX = "search_messages"
TITLE_INDEX = "search_threads"
ATTACHMENT_INDEX = "search_attachments"

# FTS5 keeps each index in these tables of its own; autogenerate must not mistake them for
# tables the models forgot (migrations/env.py skips them).
_SHADOWS = ("data", "idx", "docsize", "config")
INDEX_TABLES = frozenset(
    [MESSAGE_INDEX, TITLE_INDEX, ATTACHMENT_INDEX]
    + [
        f"{name}_{shadow}"
        for name in (MESSAGE_INDEX, TITLE_INDEX, ATTACHMENT_INDEX)
        for shadow in _SHADOWS
    ]
)

# Words are split on anything but letters and digits, matched without case or accents.
TOKENIZER = "unicode61 remove_diacritics 2"
_FINAL = "('complete', 'error', 'interrupted')"

_DEFINITIONS: tuple[tuple[str, str, str], ...] = (
    (
        "table",
        MESSAGE_INDEX,
        f"CREATE VIRTUAL TABLE {MESSAGE_INDEX} USING fts5(content, content='messages', "
        f"content_rowid='rowid', tokenize='{TOKENIZER}')",
    ),
    (
        "table",
        TITLE_INDEX,
        f"CREATE VIRTUAL TABLE {TITLE_INDEX} USING fts5(title, content='threads', "
        f"content_rowid='rowid', tokenize='{TOKENIZER}')",
    ),
    (
        "trigger",
        "search_messages_insert",
        f"CREATE TRIGGER search_messages_insert AFTER INSERT ON messages "
        f"WHEN new.status IN {_FINAL} BEGIN "
        f"INSERT INTO {MESSAGE_INDEX}(rowid, content) VALUES (new.rowid, new.content); END",
    ),
    (
        # Streaming flushes (not final before or after) skip the body entirely.
        "trigger",
        "search_messages_update",
        f"CREATE TRIGGER search_messages_update AFTER UPDATE OF content, status ON messages "
        f"WHEN (old.status IN {_FINAL} OR new.status IN {_FINAL}) "
        f"AND (old.content IS NOT new.content "
        f"OR (old.status IN {_FINAL}) IS NOT (new.status IN {_FINAL})) BEGIN "
        f"INSERT INTO {MESSAGE_INDEX}({MESSAGE_INDEX}, rowid, content) "
        f"SELECT 'delete', old.rowid, old.content WHERE old.status IN {_FINAL}; "
        f"INSERT INTO {MESSAGE_INDEX}(rowid, content) "
        f"SELECT new.rowid, new.content WHERE new.status IN {_FINAL}; END",
    ),
    (
        "trigger",
        "search_messages_delete",
        f"CREATE TRIGGER search_messages_delete AFTER DELETE ON messages "
        f"WHEN old.status IN {_FINAL} BEGIN "
        f"INSERT INTO {MESSAGE_INDEX}({MESSAGE_INDEX}, rowid, content) "
        f"VALUES ('delete', old.rowid, old.content); END",
    ),
    (
        "table",
        ATTACHMENT_INDEX,
        f"CREATE VIRTUAL TABLE {ATTACHMENT_INDEX} USING fts5(text, content='attachments', "
        f"content_rowid='rowid', tokenize='{TOKENIZER}')",
    ),
    (
        # An attachment's text is written once, with its row, and goes with it.
        "trigger",
        "search_attachments_insert",
        f"CREATE TRIGGER search_attachments_insert AFTER INSERT ON attachments "
        f"WHEN new.text IS NOT NULL BEGIN "
        f"INSERT INTO {ATTACHMENT_INDEX}(rowid, text) VALUES (new.rowid, new.text); END",
    ),
    (
        "trigger",
        "search_attachments_update",
        f"CREATE TRIGGER search_attachments_update AFTER UPDATE OF text ON attachments "
        f"WHEN old.text IS NOT new.text BEGIN "
        f"INSERT INTO {ATTACHMENT_INDEX}({ATTACHMENT_INDEX}, rowid, text) "
        f"SELECT 'delete', old.rowid, old.text WHERE old.text IS NOT NULL; "
        f"INSERT INTO {ATTACHMENT_INDEX}(rowid, text) "
        f"SELECT new.rowid, new.text WHERE new.text IS NOT NULL; END",
    ),
    (
        "trigger",
        "search_attachments_delete",
        f"CREATE TRIGGER search_attachments_delete AFTER DELETE ON attachments "
        f"WHEN old.text IS NOT NULL BEGIN "
        f"INSERT INTO {ATTACHMENT_INDEX}({ATTACHMENT_INDEX}, rowid, text) "
        f"VALUES ('delete', old.rowid, old.text); END",
    ),
    (
        "trigger",
        "search_threads_insert",
        f"CREATE TRIGGER search_threads_insert AFTER INSERT ON threads BEGIN "
        f"INSERT INTO {TITLE_INDEX}(rowid, title) VALUES (new.rowid, new.title); END",
    ),
    (
        "trigger",
        "search_threads_update",
        f"CREATE TRIGGER search_threads_update AFTER UPDATE OF title ON threads "
        f"WHEN old.title IS NOT new.title BEGIN "
        f"INSERT INTO {TITLE_INDEX}({TITLE_INDEX}, rowid, title) "
        f"VALUES ('delete', old.rowid, old.title); "
        f"INSERT INTO {TITLE_INDEX}(rowid, title) VALUES (new.rowid, new.title); END",
    ),
    (
        "trigger",
        "search_threads_delete",
        f"CREATE TRIGGER search_threads_delete AFTER DELETE ON threads BEGIN "
        f"INSERT INTO {TITLE_INDEX}({TITLE_INDEX}, rowid, title) "
        f"VALUES ('delete', old.rowid, old.title); END",
    ),
)

_FILL = (
    f"INSERT INTO {MESSAGE_INDEX}(rowid, content) "
    f"SELECT rowid, content FROM messages WHERE status IN {_FINAL}",
    f"INSERT INTO {TITLE_INDEX}(rowid, title) SELECT rowid, title FROM threads",
    f"INSERT INTO {ATTACHMENT_INDEX}(rowid, text) "
    f"SELECT rowid, text FROM attachments WHERE text IS NOT NULL",
)

# The tables FTS5 reads to open an index, as FTS5 creates them.
_RESET_SHADOWS = (
    ("data", "(id INTEGER PRIMARY KEY, block BLOB)"),
    ("config", "(k PRIMARY KEY, v) WITHOUT ROWID"),
)

# Touches each index's structure record, which a damaged index fails to read.
_PROBES = tuple(
    f"SELECT rowid FROM {name} WHERE {name} MATCH '\"chatdesk\"' LIMIT 1"
    for name in (MESSAGE_INDEX, TITLE_INDEX, ATTACHMENT_INDEX)
)


def create_index(connection: Connection) -> None:
    """Create the index tables and triggers and index every existing row, in the caller's
    transaction (about 20 s per million messages)."""
    started = time.perf_counter()
    for _, _, statement in _DEFINITIONS:
        connection.exec_driver_sql(statement)
    for statement in _FILL:
        connection.exec_driver_sql(statement)
    for name in (MESSAGE_INDEX, TITLE_INDEX):  # one segment each: a little faster to query
        connection.exec_driver_sql(f"INSERT INTO {name}({name}) VALUES ('optimize')")
    log.info("search index built in %.1f s", time.perf_counter() - started)


def add_attachment_index(connection: Connection) -> None:
    """Add the index of attachments' text where only the older two exist (an upgrade), without
    building those again."""
    present = {name for (name,) in connection.exec_driver_sql("SELECT name FROM sqlite_master")}
    for _, name, statement in _DEFINITIONS:
        if "attachments" in name and name not in present:
            connection.exec_driver_sql(statement)
    if ATTACHMENT_INDEX not in present:
        connection.exec_driver_sql(_FILL[-1])


def drop_index(connection: Connection) -> None:
    for kind, name, _ in reversed(_DEFINITIONS):
        if kind == "table":
            _reset(connection, name)
        connection.exec_driver_sql(f"DROP {kind.upper()} IF EXISTS {name}")


def _reset(connection: Connection, name: str) -> None:
    """Give the index `name` the state of an empty one. SQLite opens a virtual table to drop
    it, and a damaged index fails to open; an empty one opens. (Run before anything else on
    the connection touches the index: SQLite remembers a failed open per connection.)"""
    exists = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).first()
    if exists is None:
        return
    connection.exec_driver_sql("CREATE VIRTUAL TABLE temp.empty_index USING fts5(text)")
    for shadow, columns in _RESET_SHADOWS:
        connection.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS main.{name}_{shadow}{columns}")
        connection.exec_driver_sql(f"DELETE FROM main.{name}_{shadow}")
        connection.exec_driver_sql(
            f"INSERT INTO main.{name}_{shadow} SELECT * FROM temp.empty_index_{shadow}"
        )
    connection.exec_driver_sql("DROP TABLE temp.empty_index")


def index_problem(connection: Connection) -> str | None:
    """Why the index cannot be trusted as it is, or None when it is sound."""
    rows = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'trigger')"
    )
    found: dict[str, str | None] = {name: sql for name, sql in rows}
    for _, name, statement in _DEFINITIONS:
        if name not in found:
            return f"{name} is missing"
        if found[name] != statement:
            return f"{name} is defined otherwise"
    missing = INDEX_TABLES - found.keys()
    if missing:
        return f"{min(missing)} is missing"
    for probe in _PROBES:
        try:
            connection.exec_driver_sql(probe).all()
        except DBAPIError as error:
            if not isinstance(error.orig, sqlite3.DatabaseError):
                raise
            return f"the index cannot be read ({error.orig})"
    return None


def repair_search_index(engine: Engine) -> None:
    """`repair_index` for a database being opened: a failure the user can act on is said in
    words (failures.translated), and the engine is disposed of before it goes on."""
    try:
        with translated():
            repair_index(engine)
    except BaseException:
        engine.dispose()
        raise


def repair_index(engine: Engine) -> bool:
    """Rebuild the index if it is missing, damaged or defined otherwise; True if it was.
    Sound (the usual case), this costs a read of the schema and two lookups in the index."""
    with engine.connect() as connection:
        problem = index_problem(connection)
        connection.rollback()
    if problem is None:
        return False
    log.warning("search index: %s; building it again", problem)
    engine.dispose()  # the rebuild needs a connection that has not failed to open the index
    with writer(engine).begin() as connection:
        rebuild_index(connection)
    return True


def rebuild_index(connection: Connection) -> None:
    """Drop whatever is left of the index and build it again from the stored rows."""
    drop_index(connection)
    create_index(connection)
