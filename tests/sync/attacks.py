"""Generated attacks by a member of team A on team B's data, and what counts as a breach.

Statement templates × tables × columns × B's real ids (and key values), each optionally after a
forged session setting, shuffled by a seeded generator so a failure replays exactly. Every
attempt is one transaction, committed when it succeeds; the session is reset after it.

What an attempt may do (`expect`):
- `refused`: must fail (DDL, role changes, writes to teams or memberships …);
- `untouched`: must fail or change no row (writes aimed at B);
- `own`: may succeed, because it writes the attacker's own team (B's ids reused in A);
- `no-b`: may return rows, none holding anything of B's;
- `zero`: every row's first value is 0, NULL or false (counts, EXISTS);
- `false`: exactly one row, false; `me`: exactly one row, the attacker's own name;
- `any`: GRANTs, which a non-owner "succeeds" in with a warning and no effect: the privileges
  are checked against the contract after the run instead.
Whatever the expectation, no returned row or COPY output may hold anything of B's.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import psycopg
from psycopg import sql

from tests.sync.world import FAR, KEYS, SYNCED, ZERO, World, batch, hlc, insert, row

Expect = Literal["refused", "untouched", "own", "no-b", "zero", "false", "me", "any"]
FAR_FUTURE = hlc(4_102_444_800_000)  # 2100-01-01
ALL_TABLES = (
    "sync_meta",
    "teams",
    "team_members",
    "team_clock",
    "sync_clients",
    *SYNCED,
    "alembic_version",
)
UPDATABLE = {
    "threads": (
        "title",
        "title_hlc",
        "system_prompt",
        "system_prompt_hlc",
        "deleted",
        "deleted_hlc",
    ),
    "messages": (
        "status",
        "content",
        "parts",
        "completed_at",
        "prompt_tokens",
        "completion_tokens",
        "content_hlc",
        "deleted",
        "deleted_hlc",
    ),
    "summaries": ("content", "token_count", "content_hlc", "deleted", "deleted_hlc"),
}

GRANTS = (
    "GRANT ALL ON chat.{t} TO PUBLIC",
    "GRANT SELECT, UPDATE, DELETE ON chat.{t} TO CURRENT_USER",
    "GRANT ALL ON chat.{t} TO chatdesk_member",
)
GRANT_DEFAULTS = "ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO PUBLIC"


@dataclass(frozen=True)
class Attempt:
    family: str
    main: sql.Composable
    expect: Expect
    prefixes: tuple[sql.Composable, ...] = ()
    copy: bool = False

    def text(self, connection: psycopg.Connection[Any]) -> str:
        parts = [*self.prefixes, self.main]
        return "; ".join(part.as_string(connection) for part in parts)


@dataclass
class Outcome:
    attempt: Attempt
    sqlstate: str | None
    rows: list[tuple[Any, ...]]
    rowcount: int
    copied: bytes = b""

    @property
    def failed(self) -> bool:
        return self.sqlstate is not None

    @property
    def refused(self) -> bool:
        """The server said no (an error with an SQLSTATE), not psycopg on this side."""
        return self.sqlstate is not None and len(self.sqlstate) == 5


def q(text: str) -> sql.SQL:
    return sql.SQL(text)  # type: ignore[arg-type]


def lit(value: Any) -> sql.Literal:
    return sql.Literal(value)


def fmt(template: str, *args: sql.Composable, **kwargs: sql.Composable) -> sql.Composed:
    return q(template).format(*args, **kwargs)


class Attacks:
    """All attempts of one attacker (a member of A, or of no team) on B."""

    def __init__(self, world: World, attacker: str, seed: int) -> None:
        self.world = world
        self.attacker = attacker
        self.rng = random.Random(seed)
        b = world.b
        self.b_team = b.team.id
        self.a_team = world.a.team.id
        self.b_names = [m.name for m in b.team.members.values()]
        self.b_keys: dict[str, list[tuple[str, Any]]] = {
            "threads": [("id", i) for i in b.threads],
            "messages": [("id", i) for i in b.messages]
            + [("thread_id", i) for i in b.threads]
            + [("parent_id", i) for i in b.messages[:1]],
            "summaries": [("id", i) for i in b.summaries]
            + [("covers_through_message_id", i) for i in b.messages[:1]],
            "revisions": [("entity_id", i) for i in b.revisions],
            "teams": [("id", self.b_team), ("name", b.team.name)],
            "team_members": [("member", name) for name in self.b_names],
            "team_clock": [("team_id", self.b_team)],
            "sync_clients": [("node_id", n) for n in b.nodes]
            + [("member", name) for name in self.b_names],
            "sync_meta": [],
            "alembic_version": [],
        }

    def all(self) -> list[Attempt]:
        attempts = [
            *self.reads(),
            *self.api_writes(),
            *self.synced_writes(),
            *self.admin_writes(),
            *self.ddl(),
            *self.identity(),
            *self.locks(),
        ]
        self.rng.shuffle(attempts)
        return attempts

    # -- forged sessions ---------------------------------------------------------------------

    def prefixes(self) -> tuple[sql.Composable, ...]:
        """A session setting that succeeds but must not change who the attacker is."""
        bob = self.rng.choice(self.b_names)
        choices: list[tuple[sql.Composable, ...]] = [
            (),
            (),
            (fmt("SELECT set_config('chatdesk.member', {}, false)", lit(bob)),),
            (fmt("SELECT set_config('chatdesk.member', {}, true)", lit(bob)),),
            (fmt("SET LOCAL chatdesk.member = {}", lit(bob)),),
            (q("SET ROLE chatdesk_member"),),
            (q("SET row_security = off"),),
            (
                fmt(
                    "CREATE TEMP TABLE team_members AS SELECT {}::uuid AS team_id, "
                    "session_user::name AS member, 'admin'::text AS role",
                    lit(self.b_team),
                ),
                q("SET search_path = pg_temp, chat, public"),
            ),
        ]
        return self.rng.choice(choices)

    # -- reads -------------------------------------------------------------------------------

    def filters(self, table: str) -> Iterator[tuple[sql.Composable, bool]]:
        """(condition, aimed only at B) pairs for a table."""
        has_team = table in (*SYNCED, "team_members", "team_clock")
        if has_team:
            yield fmt("team_id = {}", lit(self.b_team)), True
            yield fmt("team_id <> {}", lit(self.a_team)), True
            yield q("NOT chat.is_member(team_id)"), True
        for column, value in self.b_keys[table]:
            yield fmt("{} = {}", sql.Identifier(column), lit(value)), True
        yield q("true"), False
        if has_team:
            yield fmt("team_id = {} OR true", lit(self.b_team)), False

    def reads(self) -> Iterator[Attempt]:
        yield from self.api_reads()
        yield from self.table_reads()

    def pulls(self, team: uuid.UUID) -> dict[str, sql.Composable]:
        """The server's pull functions over all of `team`'s rows."""
        t, far, zero = lit(team), lit(FAR), lit(ZERO)
        return {
            "threads": fmt("chat.pull_threads({}, 0, {})", t, far),
            "messages": fmt("chat.pull_messages({}, 0, {}, -1, {}, '-', 10000)", t, far, zero),
            "summaries": fmt("chat.pull_summaries({}, 0, {}, {}, 10000)", t, far, zero),
        }

    def api_reads(self) -> Iterator[Attempt]:
        """The functions a client reads with, given B's team, or the attacker's own team with
        conditions aimed at B's ids."""
        for team in (self.b_team, self.a_team):
            for table, source in self.pulls(team).items():
                for condition, _aimed in self.filters(table):
                    yield Attempt(
                        f"pull {table}",
                        fmt("SELECT * FROM {} x WHERE {}", source, condition),
                        "no-b",
                        self.prefixes(),
                    )
                    counted = fmt(
                        "SELECT count(*) FROM {} x WHERE ({}) AND team_id <> {}",
                        source,
                        condition,
                        lit(self.a_team),
                    )
                    yield Attempt(f"count {table}", counted, "zero", self.prefixes())
            yield Attempt(
                "team_version",
                fmt("SELECT * FROM chat.team_version({})", lit(team)),
                "zero" if team == self.b_team else "no-b",
                self.prefixes(),
            )
            for table, entity in (
                ("threads", "thread"),
                ("messages", "message"),
                ("summaries", "summary"),
            ):
                for b_id in self.world.b.ids(table):
                    yield Attempt(
                        f"{entity}_now",
                        fmt(
                            "SELECT * FROM chat.{}({}, {})",
                            sql.Identifier(f"{entity}_now"),
                            lit(team),
                            lit(b_id),
                        ),
                        "no-b",
                        self.prefixes(),
                    )
            for b_id in self.world.b.revisions:
                yield Attempt(
                    "revision_author",
                    fmt(
                        "SELECT chat.revision_author({}, 'thread', {}, 'title', {})",
                        lit(team),
                        lit(b_id),
                        lit(hlc()),
                    ),
                    "no-b",
                    self.prefixes(),
                )
        yield Attempt("my_teams", q("SELECT * FROM chat.my_teams()"), "no-b", self.prefixes())

    def api_writes(self) -> Iterator[Attempt]:
        """The functions a client writes with, aimed at B (refused) or reusing B's ids in the
        attacker's own team (their own rows)."""
        for table in ("threads", "messages", "summaries", "revisions"):
            put = sql.Identifier("chat", f"put_{table}")
            b_ids = {"revisions": self.world.b.revisions}.get(table, self.world.b.ids(table))
            for b_id in b_ids:
                victim = self._victim_row(table, self.b_team, b_id)
                own = self._victim_row(table, self.a_team, b_id)
                yield Attempt(
                    f"put {table} into B",
                    fmt("SELECT {}({})", put, lit(batch(victim))),
                    "refused",
                    self.prefixes(),
                )
                yield Attempt(
                    f"put {table} with B's id into A",
                    fmt("SELECT {}({})", put, lit(batch(own))),
                    "own",
                    self.prefixes(),
                )
                yield Attempt(
                    f"put {table} into A and B",
                    fmt("SELECT {}({})", put, lit(batch(own, victim))),
                    "refused",
                    self.prefixes(),
                )
                if table != "revisions":
                    bury = sql.Identifier("chat", f"bury_{table}")
                    tombstone = batch(
                        {"team_id": self.b_team, "id": b_id, "deleted_hlc": FAR_FUTURE}
                    )
                    yield Attempt(
                        f"bury {table} of B",
                        fmt("SELECT {}({})", bury, lit(tombstone)),
                        "refused",
                        self.prefixes(),
                    )
        for node in self.world.b.nodes:
            yield Attempt(
                "claim B's node",
                fmt("SELECT chat.claim_node({}, 2)", lit(node)),
                "no-b",
                self.prefixes(),
            )
            yield Attempt(
                "ack B's node",
                fmt("SELECT chat.ack_node({}, 0)", lit(node)),
                "no-b",
                self.prefixes(),
            )

    def table_reads(self) -> Iterator[Attempt]:
        forms: list[tuple[str, Expect, bool]] = [
            ("SELECT * FROM chat.{t} WHERE {f}", "no-b", False),
            ("SELECT * FROM ONLY chat.{t} WHERE {f} ORDER BY random() LIMIT 50", "no-b", False),
            ("SELECT to_jsonb(x) FROM chat.{t} x WHERE {f}", "no-b", False),
            (
                "WITH c AS MATERIALIZED (SELECT * FROM chat.{t}) SELECT * FROM c WHERE {f}",
                "no-b",
                False,
            ),
            ("SELECT (SELECT string_agg(x::text, ',') FROM chat.{t} x WHERE {f})", "no-b", False),
            ("SELECT * FROM chat.{t} WHERE {f} FOR SHARE", "no-b", False),
            ("SELECT * FROM chat.{t} WHERE {f} FOR UPDATE", "no-b", False),
            ("SELECT count(*) FROM chat.{t} WHERE {f}", "zero", True),
            ("SELECT EXISTS (SELECT 1 FROM chat.{t} WHERE {f})", "zero", True),
            ("COPY (SELECT * FROM chat.{t} WHERE {f}) TO STDOUT", "no-b", False),
        ]
        for table in ALL_TABLES:
            for condition, aimed in self.filters(table):
                for form, expect, only_aimed in forms:
                    if only_aimed and not aimed:
                        continue
                    where = condition
                    if expect == "zero" and table in (*SYNCED, "team_members", "team_clock"):
                        # B's ids reused in A (an allowed upsert) are A's rows to count
                        where = fmt("({}) AND team_id <> {}", condition, lit(self.a_team))
                    yield Attempt(
                        f"read {table}",
                        fmt(form, t=sql.Identifier(table), f=where),
                        expect,
                        self.prefixes(),
                        copy=form.startswith("COPY"),
                    )
            yield Attempt(
                f"copy {table}",
                fmt("COPY chat.{} TO STDOUT", sql.Identifier(table)),
                "no-b",
                self.prefixes(),
                copy=True,
            )
            yield Attempt(
                f"table {table}",
                fmt("TABLE chat.{}", sql.Identifier(table)),
                "no-b",
                self.prefixes(),
            )
        yield Attempt("pg_stats", q("SELECT * FROM pg_stats WHERE schemaname = 'chat'"), "no-b")
        yield Attempt(
            "pg_stats count",
            q("SELECT count(*) FROM pg_stats WHERE schemaname = 'chat'"),
            "zero",
        )

    # -- writes to the synced tables ----------------------------------------------------------

    def value(self, table: str, column: str) -> sql.Composable:
        """Something type-correct to write into a column: hostile where it can be."""
        choices: dict[str, list[Any]] = {
            "team_id": [self.a_team, self.b_team],
            "id": [uuid.uuid4()],
            "entity_id": [uuid.uuid4()],
            "thread_id": [self.rng.choice(self.world.a.threads)],
            "parent_id": [None],
            "covers_through_message_id": [self.rng.choice(self.world.a.messages)],
            "created_by": [self.attacker, self.rng.choice(self.b_names)],
            "author": [self.attacker, self.rng.choice(self.b_names)],
            "server_version": [0, 10**12],
            "deleted": [True],
            "depth": [0],
            "prompt_tokens": [0],
            "completion_tokens": [0],
            "token_count": [0],
            "entity": ["message"],
            "field": ["content"],
            "role": ["system"],
            "status": ["error"],
        }
        if column.endswith("_at"):
            return q("now()")
        if column == "parts" or column == "value":
            return q("'[\"attack\"]'::jsonb")
        if column == "hlc" or column.endswith("_hlc"):
            return lit(self.rng.choice([FAR_FUTURE, hlc(), "zzzz", ""]))
        return lit(self.rng.choice(choices.get(column, ["attack"])))

    def synced_writes(self) -> Iterator[Attempt]:
        for table in SYNCED:
            keys = KEYS[table]
            conflict = ", ".join(keys)
            aimed = [c for c, _ in self.filters(table) if c.as_string(None) != "true"][:3]
            columns = list(row(table, self.b_team))
            b_ids = {"revisions": self.world.b.revisions}.get(table, self.world.b.ids(table))
            for b_id in b_ids:
                victim = self._victim_row(table, self.b_team, b_id)
                own = self._victim_row(table, self.a_team, b_id)
                for suffix in ("", "RETURNING *"):
                    yield Attempt(
                        f"insert {table} into B",
                        insert(table, victim, suffix),
                        "untouched",
                        self.prefixes(),
                    )
                yield Attempt(
                    f"upsert {table} nothing",
                    insert(table, victim, f"ON CONFLICT ({conflict}) DO NOTHING RETURNING *"),
                    "untouched",
                    self.prefixes(),
                )
                for column in UPDATABLE.get(table, ("author",)):
                    update = f"ON CONFLICT ({conflict}) DO UPDATE SET {column} = EXCLUDED.{column}"
                    yield Attempt(
                        f"upsert {table}.{column} into B",
                        insert(table, victim, update + " RETURNING *"),
                        "untouched",
                        self.prefixes(),
                    )
                    yield Attempt(
                        f"upsert {table}.{column} with B's id into A",
                        insert(table, own, update + " RETURNING *"),
                        "own",
                        self.prefixes(),
                    )
            for column in columns:
                for condition in aimed:
                    yield Attempt(
                        f"update {table}.{column}",
                        fmt(
                            "UPDATE chat.{} SET {} = {} WHERE {} RETURNING *",
                            sql.Identifier(table),
                            sql.Identifier(column),
                            self.value(table, column),
                            condition,
                        ),
                        "untouched",
                        self.prefixes(),
                    )
                yield Attempt(
                    f"cte update {table}.{column}",
                    fmt(
                        "WITH u AS (UPDATE chat.{} SET {} = {} WHERE team_id = {} RETURNING *) "
                        "SELECT * FROM u",
                        sql.Identifier(table),
                        sql.Identifier(column),
                        self.value(table, column),
                        lit(self.b_team),
                    ),
                    "untouched",
                    self.prefixes(),
                )
            # Moving: B's rows into A, and A's rows into B.
            for source, destination in ((self.b_team, self.a_team), (self.a_team, self.b_team)):
                yield Attempt(
                    f"move {table}",
                    fmt(
                        "UPDATE chat.{} SET team_id = {} WHERE team_id = {}",
                        sql.Identifier(table),
                        lit(destination),
                        lit(source),
                    ),
                    "refused" if source == self.a_team else "untouched",
                    self.prefixes(),
                )
            for condition in aimed:
                delete = fmt("DELETE FROM chat.{} WHERE {}", sql.Identifier(table), condition)
                yield Attempt(f"delete {table}", delete, "refused", self.prefixes())
            yield Attempt(
                f"copy rows of B into {table}",
                fmt(
                    "INSERT INTO chat.{0} SELECT * FROM chat.{0} WHERE team_id = {1}",
                    sql.Identifier(table),
                    lit(self.b_team),
                ),
                "untouched",
                self.prefixes(),
            )
            for how in ("", " CASCADE"):
                yield Attempt(f"truncate {table}", q(f"TRUNCATE chat.{table}{how}"), "refused")

    def _victim_row(self, table: str, team: uuid.UUID, key: uuid.UUID) -> dict[str, Any]:
        """A full row with `key`; its thread and message are real ones of `team`."""
        data = self.world.b if team == self.b_team else self.world.a
        return row(
            table,
            team,
            key,
            thread=data.threads[0],
            message=data.messages[0],
            text="attack",
            stamp=self.rng.choice([hlc(), FAR_FUTURE]),
            author=self.rng.choice(self.b_names),
        )

    # -- writes to what only administrators change --------------------------------------------

    def admin_writes(self) -> Iterator[Attempt]:
        me, b, a = lit(self.attacker), lit(self.b_team), lit(self.a_team)
        bob, node = lit(self.b_names[0]), lit(self.world.b.nodes[0])
        refused = [
            fmt(
                "INSERT INTO chat.team_members (team_id, member, role) VALUES ({}, {}, 'admin')",
                b,
                me,
            ),
            fmt(
                "INSERT INTO chat.team_members (team_id, member) VALUES ({}, {}) "
                "ON CONFLICT (team_id, member) DO UPDATE SET member = EXCLUDED.member",
                b,
                me,
            ),
            fmt("UPDATE chat.team_members SET member = {} WHERE team_id = {}", me, b),
            fmt("UPDATE chat.team_members SET team_id = {} WHERE member = {}", b, me),
            fmt("UPDATE chat.team_members SET role = 'admin' WHERE member = {}", me),
            fmt("DELETE FROM chat.team_members WHERE team_id = {}", b),
            fmt("INSERT INTO chat.teams (id, name) VALUES ({}, 'mine')", lit(uuid.uuid4())),
            fmt(
                "INSERT INTO chat.teams (id, name) VALUES ({}, 'x') ON CONFLICT (id) DO UPDATE "
                "SET name = 'taken'",
                b,
            ),
            fmt("UPDATE chat.teams SET name = 'taken' WHERE id = {}", b),
            fmt("DELETE FROM chat.teams WHERE id = {}", b),
            fmt("INSERT INTO chat.team_clock (team_id) VALUES ({})", b),
            fmt("UPDATE chat.team_clock SET version = 0 WHERE team_id = {}", b),
            fmt("UPDATE chat.team_clock SET purged_below = 10000 WHERE team_id = {}", b),
            fmt("UPDATE chat.team_clock SET version = version + 1 WHERE team_id = {}", a),
            fmt("DELETE FROM chat.team_clock WHERE team_id = {}", b),
            q("UPDATE chat.sync_meta SET min_protocol = 99"),
            q("DELETE FROM chat.sync_meta"),
            q("UPDATE chat.alembic_version SET version_num = '9999'"),
            fmt("UPDATE chat.sync_clients SET member = {} WHERE member = {}", bob, me),
            fmt("DELETE FROM chat.sync_clients WHERE node_id = {}", node),
            fmt(
                "INSERT INTO chat.sync_clients (node_id, member) VALUES ({}, {})",
                lit(uuid.uuid4()),
                bob,
            ),
            fmt(
                "INSERT INTO chat.sync_clients (node_id, member) VALUES ({}, {}) "
                "ON CONFLICT (node_id) DO UPDATE SET last_op_seq = 0",
                node,
                me,
            ),
        ]
        untouched = [
            fmt(
                "UPDATE chat.sync_clients SET last_op_seq = 0 WHERE node_id = {} RETURNING *", node
            ),
            fmt(
                "UPDATE chat.sync_clients SET last_seen = now(), protocol = 9 WHERE member = {}",
                bob,
            ),
            fmt(
                "INSERT INTO chat.sync_clients (node_id, member) VALUES ({}, {}) "
                "ON CONFLICT (node_id) DO NOTHING RETURNING *",
                node,
                me,
            ),
        ]
        for _ in range(3):  # each under different forged sessions
            for statement in refused:
                yield Attempt("admin write", statement, "refused", self.prefixes())
            for statement in untouched:
                yield Attempt("client write", statement, "untouched", self.prefixes())

    # -- definitions, roles, functions ---------------------------------------------------------

    def ddl(self) -> Iterator[Attempt]:
        me = sql.Identifier(self.attacker)
        statements = [
            "CREATE TABLE chat.evil (a int)",
            "CREATE TABLE public.evil (a int)",
            "CREATE TABLE evil (a int)",
            "CREATE SCHEMA evil",
            "CREATE VIEW public.evil AS SELECT * FROM chat.threads",
            "CREATE FUNCTION chat.evil() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE FUNCTION public.evil() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE OR REPLACE FUNCTION chat.is_member(team uuid) RETURNS boolean "
            "LANGUAGE sql AS 'SELECT true'",
            "CREATE OR REPLACE FUNCTION chat.current_member() RETURNS name "
            "LANGUAGE sql AS 'SELECT ''postgres''::name'",
            "ALTER FUNCTION chat.is_member(uuid) OWNER TO CURRENT_USER",
            "DROP FUNCTION chat.is_member(uuid) CASCADE",
            "SELECT chat.stamp_threads()",
            "DROP TRIGGER stamp ON chat.threads",
            "ALTER TABLE chat.threads DISABLE TRIGGER stamp",
            "CREATE TRIGGER evil BEFORE INSERT ON chat.threads "
            "FOR EACH ROW EXECUTE FUNCTION chat.stamp_threads()",
            "CREATE EXTENSION dblink",
            "CREATE EXTENSION plpython3u",
            "SELECT pg_read_file('/etc/passwd')",
            "COPY chat.threads TO '/tmp/chatdesk-evil'",
            "COPY (SELECT 1) TO PROGRAM 'true'",
            "SET SESSION AUTHORIZATION postgres",
            "SET ROLE chatdesk_owner",
            "SET ROLE postgres",
            "SELECT set_config('role', 'chatdesk_owner', false)",
            "SELECT set_config('session_authorization', 'postgres', false)",
            "ALTER ROLE CURRENT_USER BYPASSRLS",
            "ALTER ROLE CURRENT_USER SUPERUSER",
            "ALTER ROLE CURRENT_USER CREATEROLE",
            "GRANT chatdesk_owner TO CURRENT_USER",
            "ALTER SCHEMA chat OWNER TO CURRENT_USER",
            "LOCK TABLE chat.team_clock IN EXCLUSIVE MODE",
        ]
        per_table = [
            "ALTER TABLE chat.{t} DISABLE ROW LEVEL SECURITY",
            "ALTER TABLE chat.{t} NO FORCE ROW LEVEL SECURITY",
            "DROP POLICY member_select ON chat.{t}",
            "ALTER POLICY member_select ON chat.{t} USING (true)",
            "CREATE POLICY evil ON chat.{t} USING (true)",
            "DROP TABLE chat.{t} CASCADE",
            "ALTER TABLE chat.{t} ADD COLUMN evil int",
            "ALTER TABLE chat.{t} OWNER TO CURRENT_USER",
            "COPY chat.{t} FROM STDIN",
            "CREATE INDEX evil ON chat.{t} ((1))",
            "LOCK TABLE chat.{t} IN ACCESS EXCLUSIVE MODE",
        ]
        for statement in statements:
            yield Attempt("ddl", q(statement), "refused", self.prefixes())
        yield Attempt("grant defaults", q(GRANT_DEFAULTS), "any", self.prefixes())
        for table in ALL_TABLES:
            for grant in GRANTS:
                yield Attempt("grant", fmt(grant, t=sql.Identifier(table)), "any", self.prefixes())
        for table in ALL_TABLES:
            for template in per_table:
                yield Attempt(
                    "ddl table", fmt(template, t=sql.Identifier(table)), "refused", self.prefixes()
                )
        for name in (self.b_names[0], self.b_names[-1]):
            role = sql.Identifier(name)
            yield Attempt("set role", fmt("SET ROLE {}", role), "refused")
            yield Attempt("set session", fmt("SET SESSION AUTHORIZATION {}", role), "refused")
            yield Attempt("grant role", fmt("GRANT {} TO {}", role, me), "refused")
            yield Attempt("alter role", fmt("ALTER ROLE {} PASSWORD 'x'", role), "refused")
            yield Attempt("rename self", fmt("ALTER ROLE {} RENAME TO {}", me, role), "refused")
            yield Attempt(
                "set_config role",
                fmt("SELECT set_config('role', {}, false)", lit(name)),
                "refused",
            )

    def identity(self) -> Iterator[Attempt]:
        for _ in range(20):
            yield Attempt(
                "is_member(B)",
                fmt("SELECT chat.is_member({})", lit(self.b_team)),
                "false",
                self.prefixes(),
            )
            yield Attempt(
                "current_member", q("SELECT chat.current_member()"), "me", self.prefixes()
            )

    def locks(self) -> Iterator[Attempt]:
        for table in ("team_clock", *SYNCED):
            yield Attempt(
                f"lock {table} rows of B",
                fmt(
                    "SELECT * FROM chat.{} WHERE team_id = {} FOR UPDATE NOWAIT",
                    sql.Identifier(table),
                    lit(self.b_team),
                ),
                "untouched",
                self.prefixes(),
            )


def run(connection: psycopg.Connection[Any], attempt: Attempt) -> Outcome:
    """One attempt in its own transaction on an autocommit connection; the session reset after."""
    rows: list[tuple[Any, ...]] = []
    rowcount = -1
    copied = b""
    state: str | None = None
    try:
        connection.execute("BEGIN")
        for prefix in attempt.prefixes:
            connection.execute(prefix)
        with connection.cursor() as cursor:
            if attempt.copy:
                with cursor.copy(attempt.main) as copy:
                    copied = b"".join(bytes(chunk) for chunk in copy)
            else:
                cursor.execute(attempt.main)
                rowcount = cursor.rowcount
                if cursor.description is not None:
                    rows = cursor.fetchall()
        connection.execute("COMMIT")
    except psycopg.Error as error:
        state = error.sqlstate or type(error).__name__
        connection.execute("ROLLBACK")
    connection.execute("DISCARD ALL")
    return Outcome(attempt, state, rows, rowcount, copied)


def breaches(outcome: Outcome, markers: list[str], attacker: str) -> list[str]:
    """What about this outcome an attacker should never get (empty: nothing)."""
    found = []
    text = repr(outcome.rows) + outcome.copied.decode(errors="replace")
    leaked = [marker for marker in markers if marker in text]
    if leaked:
        found.append(f"returned B's data ({', '.join(leaked)})")
    expect = outcome.attempt.expect
    if expect == "refused" and not outcome.refused:
        found.append("succeeded, should have been refused")
    if expect == "untouched" and not outcome.failed and outcome.rowcount > 0:
        found.append(f"wrote or locked {outcome.rowcount} row(s)")
    if expect == "zero" and any(r and r[0] not in (0, None, False) for r in outcome.rows):
        found.append(f"counted B's rows: {outcome.rows}")
    if expect == "false" and not outcome.failed and outcome.rows != [(False,)]:
        found.append(f"is_member(B) gave {outcome.rows} ({outcome.sqlstate})")
    if expect == "me" and not outcome.failed and outcome.rows != [(attacker,)]:
        found.append(f"current_member() gave {outcome.rows} ({outcome.sqlstate})")
    return found
