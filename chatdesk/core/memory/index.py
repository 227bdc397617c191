"""The full-text index of memories: an FTS5 table over `memories.text`, external content keyed
by the memory's integer id and kept current by triggers, tokenized like the chat search
(`chatdesk/core/store/search_index.py`). A memory deleted leaves the index in the same
statement.

Beside it, `memory_changes` holds one number that triggers raise on every change of what
decides which memories a question gets (kept, deleted, its words, switches, place, vector),
in any chatdesk process: what is held in memory to answer questions is read again only when
it moved (`retrieval.py`). Being given to a model (`used_at`) does not move it."""

from __future__ import annotations

from sqlalchemy import Connection

from chatdesk.core.store.search_index import TOKENIZER

MEMORY_INDEX = "memory_fts"
CHANGES = "memory_changes"
INDEX_TABLES = frozenset(
    [MEMORY_INDEX, CHANGES]
    + [f"{MEMORY_INDEX}_{shadow}" for shadow in ("data", "idx", "docsize", "config")]
)
_COUNTED = f"UPDATE {CHANGES} SET version = version + 1"

DEFINITIONS: tuple[tuple[str, str, str], ...] = (
    (
        "table",
        MEMORY_INDEX,
        f"CREATE VIRTUAL TABLE {MEMORY_INDEX} USING fts5(text, content='memories', "
        f"content_rowid='id', tokenize='{TOKENIZER}')",
    ),
    (
        "trigger",
        "memory_fts_insert",
        f"CREATE TRIGGER memory_fts_insert AFTER INSERT ON memories BEGIN "
        f"INSERT INTO {MEMORY_INDEX}(rowid, text) VALUES (new.id, new.text); END",
    ),
    (
        # Vectors, switches and use are written without the text: only a new text re-indexes.
        "trigger",
        "memory_fts_update",
        f"CREATE TRIGGER memory_fts_update AFTER UPDATE OF text ON memories "
        f"WHEN old.text IS NOT new.text BEGIN "
        f"INSERT INTO {MEMORY_INDEX}({MEMORY_INDEX}, rowid, text) "
        f"VALUES ('delete', old.id, old.text); "
        f"INSERT INTO {MEMORY_INDEX}(rowid, text) VALUES (new.id, new.text); END",
    ),
    (
        "trigger",
        "memory_fts_delete",
        f"CREATE TRIGGER memory_fts_delete AFTER DELETE ON memories BEGIN "
        f"INSERT INTO {MEMORY_INDEX}({MEMORY_INDEX}, rowid, text) "
        f"VALUES ('delete', old.id, old.text); END",
    ),
    (
        "table",
        CHANGES,
        f"CREATE TABLE {CHANGES} (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
    ),
    (
        "trigger",
        "memory_added",
        f"CREATE TRIGGER memory_added AFTER INSERT ON memories BEGIN {_COUNTED}; END",
    ),
    (
        "trigger",
        "memory_deleted",
        f"CREATE TRIGGER memory_deleted AFTER DELETE ON memories BEGIN {_COUNTED}; END",
    ),
    (
        "trigger",
        "memory_changed",
        "CREATE TRIGGER memory_changed AFTER UPDATE OF text, enabled, always, assistant_id, "
        f"project_id, vector, vector_model ON memories BEGIN {_COUNTED}; END",
    ),
)


def create_index(connection: Connection) -> None:
    """The index, the change counter and their triggers, filled from the stored memories, in
    the caller's transaction."""
    for _, _, statement in DEFINITIONS:
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql(
        f"INSERT INTO {MEMORY_INDEX}(rowid, text) SELECT id, text FROM memories"
    )
    connection.exec_driver_sql(f"INSERT INTO {CHANGES} (id, version) VALUES (1, 0)")


def drop_index(connection: Connection) -> None:
    for kind, name, _ in reversed(DEFINITIONS):
        connection.exec_driver_sql(f"DROP {kind.upper()} IF EXISTS {name}")
