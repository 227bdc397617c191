"""The full-text index of knowledge passages: an FTS5 table over `knowledge_chunks.text`,
external content (the text is stored once, in the chunk) keyed by the chunk's integer id and
kept current by triggers, tokenized like the chat search (`chatdesk/core/store/search_index.py`)."""

from __future__ import annotations

from sqlalchemy import Connection

from chatdesk.core.store.search_index import TOKENIZER

CHUNK_INDEX = "knowledge_fts"
INDEX_TABLES = frozenset(
    [CHUNK_INDEX] + [f"{CHUNK_INDEX}_{shadow}" for shadow in ("data", "idx", "docsize", "config")]
)

DEFINITIONS: tuple[tuple[str, str, str], ...] = (
    (
        "table",
        CHUNK_INDEX,
        f"CREATE VIRTUAL TABLE {CHUNK_INDEX} USING fts5(text, content='knowledge_chunks', "
        f"content_rowid='id', tokenize='{TOKENIZER}')",
    ),
    (
        "trigger",
        "knowledge_fts_insert",
        f"CREATE TRIGGER knowledge_fts_insert AFTER INSERT ON knowledge_chunks BEGIN "
        f"INSERT INTO {CHUNK_INDEX}(rowid, text) VALUES (new.id, new.text); END",
    ),
    (
        # Vectors are written after the text: only a change of the text touches the index.
        "trigger",
        "knowledge_fts_update",
        f"CREATE TRIGGER knowledge_fts_update AFTER UPDATE OF text ON knowledge_chunks "
        f"WHEN old.text IS NOT new.text BEGIN "
        f"INSERT INTO {CHUNK_INDEX}({CHUNK_INDEX}, rowid, text) "
        f"VALUES ('delete', old.id, old.text); "
        f"INSERT INTO {CHUNK_INDEX}(rowid, text) VALUES (new.id, new.text); END",
    ),
    (
        "trigger",
        "knowledge_fts_delete",
        f"CREATE TRIGGER knowledge_fts_delete AFTER DELETE ON knowledge_chunks BEGIN "
        f"INSERT INTO {CHUNK_INDEX}({CHUNK_INDEX}, rowid, text) "
        f"VALUES ('delete', old.id, old.text); END",
    ),
)


def create_index(connection: Connection) -> None:
    """The index and its triggers, filled from the stored chunks, in the caller's transaction."""
    for _, _, statement in DEFINITIONS:
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql(
        f"INSERT INTO {CHUNK_INDEX}(rowid, text) SELECT id, text FROM knowledge_chunks"
    )


def drop_index(connection: Connection) -> None:
    for kind, name, _ in reversed(DEFINITIONS):
        connection.exec_driver_sql(f"DROP {kind.upper()} IF EXISTS {name}")
