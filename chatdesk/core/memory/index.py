"""The full-text index of memories: an FTS5 table over `memories.text`, external content keyed
by the memory's integer id and kept current by triggers, tokenized like the chat search
(`chatdesk/core/store/search_index.py`). A memory deleted leaves the index in the same
statement."""

from __future__ import annotations

from sqlalchemy import Connection

from chatdesk.core.store.search_index import TOKENIZER

MEMORY_INDEX = "memory_fts"
INDEX_TABLES = frozenset(
    [MEMORY_INDEX] + [f"{MEMORY_INDEX}_{shadow}" for shadow in ("data", "idx", "docsize", "config")]
)

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
)


def create_index(connection: Connection) -> None:
    """The index and its triggers, filled from the stored memories, in the caller's
    transaction."""
    for _, _, statement in DEFINITIONS:
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql(
        f"INSERT INTO {MEMORY_INDEX}(rowid, text) SELECT id, text FROM memories"
    )


def drop_index(connection: Connection) -> None:
    for kind, name, _ in reversed(DEFINITIONS):
        connection.exec_driver_sql(f"DROP {kind.upper()} IF EXISTS {name}")
