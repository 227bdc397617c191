"""The SQL the team server is sent (chatdesk/core/sync/remote.py), and the JSON of its
arguments: every statement calls one of the server's functions, with the columns in the order
they are named here.
"""

from __future__ import annotations

from typing import Any

from chatdesk.core.sync import rows as wire
from chatdesk.core.sync.base import PendingOp

Row = dict[str, Any]

COLUMNS = {
    "thread": (
        "team_id",
        "id",
        "created_at",
        "title",
        "title_hlc",
        "system_prompt",
        "system_prompt_hlc",
        "deleted",
        "deleted_hlc",
    ),
    "message": (
        "team_id",
        "id",
        "thread_id",
        "parent_id",
        "depth",
        "role",
        "provider",
        "model",
        "created_at",
        "created_hlc",
        "status",
        "content",
        "parts",
        "completed_at",
        "prompt_tokens",
        "completion_tokens",
        "content_hlc",
        "deleted",
        "deleted_hlc",
        "agent",
    ),
    "summary": (
        "team_id",
        "id",
        "thread_id",
        "covers_through_message_id",
        "model",
        "created_at",
        "content",
        "token_count",
        "content_hlc",
        "deleted",
        "deleted_hlc",
    ),
}
TABLES = {"thread": "threads", "message": "messages", "summary": "summaries"}
AUTHOR = {"thread": "created_by", "message": "author", "summary": "author"}

# Every statement calls one of the server's functions (migration 0002, decision 0023): members
# have no privilege on the tables themselves.
PUT = {entity: f"SELECT chat.put_{table}(%s)" for entity, table in TABLES.items()}
BURY = {entity: f"SELECT chat.bury_{table}(%s)" for entity, table in TABLES.items()}
REVISIONS = "SELECT chat.put_revisions(%s)"
TOMBSTONE_FIELDS = ("team_id", "id", "deleted_hlc")


def select(entity: str, source: str) -> str:
    columns = ", ".join((*COLUMNS[entity], f"{AUTHOR[entity]} AS author"))
    return f"SELECT {columns}, server_version FROM {source}"


PULL_THREADS = select("thread", "chat.pull_threads(%s, %s, %s)") + " ORDER BY id"
PULL_MESSAGES = (
    # A message whose every clock is this launch's own is here already, as it was sent; the
    # protocol says which kinds of parts this chatdesk reads (server migration 0005).
    select(
        "message",
        "chat.pull_messages(%(team)s, %(low)s, %(high)s, %(depth)s, %(last)s, %(mine)s, %(page)s, "
        "%(speaks)s)",
    )
    + " ORDER BY depth, id"
)
PULL_SUMMARIES = select("summary", "chat.pull_summaries(%s, %s, %s, %s, %s)") + " ORDER BY id"
NOW = {entity: select(entity, f"chat.{entity}_now(%s, %s)") for entity in TABLES}


def sent(op: PendingOp) -> str:
    """What of `op` the server's function reads, as JSON: the whole row as it was queued (the
    recorder writes exactly the server's columns, `COLUMNS`), or a tombstone's key and
    clock."""
    if op.tombstone:
        return dumps({name: op.row[name] for name in TOMBSTONE_FIELDS})
    return op.row_json


def revisions(op: PendingOp) -> list[Row]:
    """One revision row per group this op changed (its value: the group's fields, parts
    left out: they can be large and do not change once a message is final). Threads have no
    "created" group: every change of theirs is kept, the first title included."""
    if "created" in op.groups:
        return []  # a new row: it holds its first values itself
    found = []
    for group in op.groups:
        kept = wire.group_values(op.row, op.entity, group)
        kept.pop("parts", None)
        hlc = op.row[wire.hlc_column(group)]
        found.append(
            {
                "team_id": str(op.team_id),
                "entity": op.entity,
                "entity_id": str(op.entity_id),
                "field": group,
                "hlc": hlc,
                "value": kept,
            }
        )
    return found


def batch(rows: list[Row]) -> Any:
    """Rows as the one JSON array argument of a server function."""
    from psycopg.types.json import Jsonb

    return Jsonb(rows, dumps=dumps)


def batch_of(texts: list[str]) -> Any:
    """Rows already written as JSON, as the one JSON array argument of a server function."""
    from psycopg.types.json import Jsonb

    return Jsonb(f"[{','.join(texts)}]", dumps=as_is)


def as_is(text: Any) -> str:
    return str(text)


def dumps(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, default=str)
