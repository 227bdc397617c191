"""Two teams with real data, written by their own members through the server's functions, for
attacks; and those functions as a test calls them (`put`, `bury`, `pull`).

Team A (alice, adam) is the attacker's; team B (bob, bea) is the victim. Every text of B's
carries SECRET_B so that any of it turning up in what an attacker reads is found.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from tests.sync.conftest import Member, SyncDatabase, Team

SECRET_B = "SECRET-B"
NODE = "0123456789abcdef0123456789abcdef"

SYNCED = ("threads", "messages", "summaries", "revisions")
AUTHOR = {
    "threads": "created_by",
    "messages": "author",
    "summaries": "author",
    "revisions": "author",
}
KEYS = {
    "threads": ("team_id", "id"),
    "messages": ("team_id", "id"),
    "summaries": ("team_id", "id"),
    "revisions": ("team_id", "entity", "entity_id", "field", "hlc"),
}


def hlc(ms: int | None = None, counter: int = 0, node: str = NODE) -> str:
    return f"{(ms if ms is not None else int(time.time() * 1000)):013d}.{counter:06d}.{node}"


def row(
    table: str,
    team: uuid.UUID,
    id: uuid.UUID | None = None,
    *,
    thread: uuid.UUID | None = None,
    parent: uuid.UUID | None = None,
    message: uuid.UUID | None = None,
    depth: int = 0,
    text: str = "attack",
    stamp: str | None = None,
    author: str = "someone",
) -> dict[str, Any]:
    """A complete row of a synced table (every NOT NULL column filled)."""
    id = id or uuid.uuid4()
    stamp = stamp or hlc()
    now = datetime.now(UTC)
    if table == "threads":
        return {
            "team_id": team,
            "id": id,
            "created_by": author,
            "created_at": now,
            "title": f"{text} title",
            "title_hlc": stamp,
            "system_prompt": f"{text} prompt",
            "system_prompt_hlc": stamp,
            "deleted": False,
            "deleted_hlc": stamp,
            "server_version": 0,
        }
    if table == "messages":
        return {
            "team_id": team,
            "id": id,
            "thread_id": thread or uuid.uuid4(),
            "parent_id": parent,
            "depth": depth,
            "role": "user",
            "author": author,
            "provider": "mock",
            "model": "mock-1",
            "created_at": now,
            "created_hlc": stamp,
            "status": "complete",
            "content": f"{text} content",
            "parts": Jsonb([{"kind": "text", "text": text}]),
            "completed_at": now,
            "prompt_tokens": 1,
            "completion_tokens": 2,
            "content_hlc": stamp,
            "deleted": False,
            "deleted_hlc": stamp,
            "server_version": 0,
        }
    if table == "summaries":
        return {
            "team_id": team,
            "id": id,
            "thread_id": thread or uuid.uuid4(),
            "covers_through_message_id": message or uuid.uuid4(),
            "author": author,
            "model": "mock-1",
            "created_at": now,
            "content": f"{text} summary",
            "token_count": 3,
            "content_hlc": stamp,
            "deleted": False,
            "deleted_hlc": stamp,
            "server_version": 0,
        }
    if table == "revisions":
        return {
            "team_id": team,
            "entity": "thread",
            "entity_id": id,
            "field": "title",
            "hlc": stamp,
            "value": Jsonb(f"{text} old title"),
            "author": author,
            "server_version": 0,
        }
    raise ValueError(table)


def insert(table: str, values: dict[str, Any], suffix: str = "") -> sql.Composed:
    return sql.SQL("INSERT INTO chat.{} ({}) VALUES ({}) {}").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, values)),
        sql.SQL(", ").join(sql.Literal(v) for v in values.values()),
        sql.SQL(suffix),  # type: ignore[arg-type]
    )


FAR = 2**63 - 1
ZERO = uuid.UUID(int=0)


def _plain(value: Any) -> Any:
    if isinstance(value, Jsonb):
        return value.obj
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def batch(*rows: dict[str, Any]) -> Jsonb:
    """Rows as the JSON array a put or bury function takes."""
    return Jsonb([{k: _plain(v) for k, v in r.items()} for r in rows])


def put(connection: psycopg.Connection[Any], table: str, *rows: dict[str, Any]) -> None:
    """Write rows as a client does: through the server's function for the table."""
    function = sql.Identifier("chat", f"put_{table}")
    connection.execute(sql.SQL("SELECT {}(%s)").format(function), (batch(*rows),))


def bury(
    connection: psycopg.Connection[Any], table: str, team: uuid.UUID, id: uuid.UUID, stamp: str
) -> None:
    """Delete a row as a client does (a tombstone, through the server's function)."""
    function = sql.Identifier("chat", f"bury_{table}")
    rows = batch({"team_id": team, "id": id, "deleted_hlc": stamp})
    connection.execute(sql.SQL("SELECT {}(%s)").format(function), (rows,))


PULLS = {
    "threads": "SELECT * FROM chat.pull_threads(%s, 0, %s)",
    "messages": f"SELECT * FROM chat.pull_messages(%s, 0, %s, -1, '{ZERO}', '-', 10000)",
    "summaries": f"SELECT * FROM chat.pull_summaries(%s, 0, %s, '{ZERO}', 10000)",
}


def pull(connection: psycopg.Connection[Any], table: str, team: uuid.UUID) -> list[dict[str, Any]]:
    """Every row of the team's table, read as a client does."""
    found = connection.execute(PULLS[table].encode(), (team, FAR))
    names = [column.name for column in found.description or ()]
    return [dict(zip(names, r, strict=True)) for r in found.fetchall()]


@dataclass
class TeamData:
    team: Team
    threads: list[uuid.UUID] = field(default_factory=list)
    messages: list[uuid.UUID] = field(default_factory=list)
    summaries: list[uuid.UUID] = field(default_factory=list)
    revisions: list[uuid.UUID] = field(default_factory=list)  # entity ids
    nodes: list[uuid.UUID] = field(default_factory=list)  # sync_clients

    def ids(self, table: str) -> list[uuid.UUID]:
        return list(getattr(self, table))


def populate(member: Member, team: Team, text: str) -> TeamData:
    """Two threads, a branching tree of messages, summaries, revisions and a client, written
    by `member` as a client would (through the server's functions)."""
    data = TeamData(team)
    with member.connect() as connection:
        for t in range(2):
            thread = uuid.uuid4()
            put(connection, "threads", row("threads", team.id, thread, text=f"{text} t{t}"))
            data.threads.append(thread)
            root = uuid.uuid4()
            put(connection, "messages", row("messages", team.id, root, thread=thread, text=text))
            data.messages.append(root)
            for child in range(2):
                reply = uuid.uuid4()
                values = row(
                    "messages",
                    team.id,
                    reply,
                    thread=thread,
                    parent=root,
                    depth=1,
                    text=f"{text} r{child}",
                )
                put(connection, "messages", values)
                data.messages.append(reply)
            summary = uuid.uuid4()
            put(
                connection,
                "summaries",
                row("summaries", team.id, summary, thread=thread, message=root, text=text),
            )
            data.summaries.append(summary)
            put(connection, "revisions", row("revisions", team.id, thread, text=text))
            data.revisions.append(thread)
        node = uuid.uuid4()
        connection.execute("SELECT chat.claim_node(%s, 2)", (node,))
        connection.execute("SELECT chat.ack_node(%s, 7)", (node,))
        data.nodes.append(node)
    return data


@dataclass
class World:
    db: SyncDatabase
    a: TeamData
    b: TeamData

    @property
    def alice(self) -> Member:
        return self.a.team.members["alice"]

    @property
    def bob(self) -> Member:
        return self.b.team.members["bob"]

    def b_markers(self) -> list[str]:
        """Strings that only B's data contains."""
        return [SECRET_B, str(self.b.team.id), *(m.name for m in self.b.team.members.values())]

    def snapshot_b(self) -> dict[str, list[tuple[Any, ...]]]:
        """Everything of B's, read as the superuser (who bypasses row-level security)."""
        b = self.b.team.id
        names = [m.name for m in self.b.team.members.values()]
        queries: dict[str, tuple[str, tuple[Any, ...]]] = {
            "teams": ("SELECT * FROM chat.teams WHERE id = %s", (b,)),
            "team_members": ("SELECT * FROM chat.team_members WHERE team_id = %s", (b,)),
            "team_clock": ("SELECT * FROM chat.team_clock WHERE team_id = %s", (b,)),
            "sync_clients": ("SELECT * FROM chat.sync_clients WHERE member = ANY(%s)", (names,)),
            "sync_meta": ("SELECT * FROM chat.sync_meta", ()),
            **{t: (f"SELECT * FROM chat.{t} WHERE team_id = %s", (b,)) for t in SYNCED},
        }
        with self.db.connect_admin() as connection:
            return {
                name: sorted(connection.execute(query.encode(), params).fetchall(), key=repr)
                for name, (query, params) in queries.items()
            }

    def count_a(self) -> dict[str, int]:
        with self.db.connect_admin() as connection:
            return {
                t: int(
                    connection.execute(
                        f"SELECT count(*) FROM chat.{t} WHERE team_id = %s".encode(),
                        (self.a.team.id,),
                    ).fetchone()[0]  # type: ignore[index]
                )
                for t in SYNCED
            }


def make_world(db: SyncDatabase) -> World:
    a = db.team("A", ["alice", "adam"])
    b = db.team("B", ["bob", "bea"])
    world = World(
        db, populate(a.members["adam"], a, "team-A"), populate(b.members["bob"], b, SECRET_B)
    )
    with db.connect_admin() as connection:
        connection.execute("ANALYZE")  # statistics exist, so pg_stats could leak if it would
    return world


def connect(member: Member) -> psycopg.Connection[tuple[Any, ...]]:
    """Autocommit, and never server-side prepared (attempts end with DISCARD ALL)."""
    return psycopg.connect(member.dsn, autocommit=True, prepare_threshold=None)
