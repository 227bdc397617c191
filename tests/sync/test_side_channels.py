"""The planner side channel: nothing a member observes differs between another team's real text
and made-up text.

On revision 0001 a member queried the tables under row-level security; their LEAKPROOF condition
(`starts_with`, `=`) ran before the policy, and each of team B's rows it matched cost one
membership check, visible in the statistics counters and in EXPLAIN ANALYZE. The probe below
reads a character of B's text that way on 0001, and must see exactly the same on the current
schema for B's real prefix and for a control prefix. Everything runs as A's member.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import psycopg
import pytest

from tests.sync.conftest import Member, SyncDatabase
from tests.sync.world import FAR, SECRET_B, ZERO, World, connect, insert, make_world, row

SECRET = f"{SECRET_B} content"  # the start of every message text of B's
CONTROL = "XXXXXXXX content"  # the same length, in no row

# Statistics of chatdesk's tables that a member's own transaction moved.
COUNTERS = (
    "SELECT relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_tup_ins, n_tup_upd "
    "FROM pg_stat_xact_user_tables WHERE schemaname = 'chat' ORDER BY relname"
)
VOLATILE = re.compile(r"(time[=:] ?[0-9.]+(\.\.[0-9.]+)?)|(Time: [0-9.]+ ms)")


def _queries(team: Any, prefix: str) -> dict[str, str]:
    """The probe's forms, over the tables directly (revision 0001) and through the function
    a client reads with, all with the attacker's condition on the text."""
    cond = f"starts_with(content, '{prefix}')"
    pull = f"chat.pull_messages('{team}', 0, {FAR}, -1, '{ZERO}', '-', 10000)"
    return {
        "table": f"SELECT count(*) FROM chat.messages WHERE {cond}",
        "table, team": f"SELECT id FROM chat.messages WHERE team_id = '{team}' AND {cond}",
        "md5": f"SELECT 1 FROM chat.messages WHERE md5(content) = md5('{prefix}')",
        "function": f"SELECT count(*) FROM {pull} WHERE {cond}",
    }


def _observe(connection: psycopg.Connection[Any], query: str, *, generic: bool = False) -> Any:
    """Everything a member sees of one query: its answer or error, the statistics counters it
    moved, and EXPLAIN (ANALYZE, BUFFERS) without timings; with enable_seqscan off, as the
    client runs, and optionally as a generic prepared plan."""
    seen: list[Any] = []
    connection.execute("BEGIN")
    try:
        connection.execute("SET LOCAL enable_seqscan = off")
        if generic:
            connection.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        before = connection.execute(COUNTERS).fetchall()
        try:
            seen.append(connection.execute(query.encode()).fetchall())
        except psycopg.Error as error:
            seen.append(error.sqlstate)
            connection.execute("ROLLBACK")
            connection.execute("BEGIN")
        seen.append(_moved(before, connection.execute(COUNTERS).fetchall()))
        try:
            plan = connection.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {query}".encode())
            seen.append([VOLATILE.sub("", str(r[0])) for r in plan.fetchall()])
        except psycopg.Error as error:
            seen.append(error.sqlstate)
    finally:
        connection.execute("ROLLBACK")
    return seen


def _moved(before: list[Any], after: list[Any]) -> list[Any]:
    old = {r[0]: r[1:] for r in before}
    return [
        (r[0], tuple(b - a for a, b in zip(old.get(r[0], (0,) * 6), r[1:], strict=True)))
        for r in after
    ]


def _probe(member: Member, team: Any, *, generic: bool = False) -> dict[str, tuple[Any, Any]]:
    """(real prefix, control prefix) observations per form of the probe."""
    with connect(member) as connection:
        real = {
            name: _observe(connection, q, generic=generic)
            for name, q in _queries(team, SECRET).items()
        }
        control = {
            name: _observe(connection, q, generic=generic)
            for name, q in _queries(team, CONTROL).items()
        }
    return {name: (real[name], control[name]) for name in real}


@pytest.fixture
def world(sync_db: SyncDatabase) -> World:
    return make_world(sync_db)


@pytest.mark.parametrize("generic", [False, True])
def test_a_member_learns_nothing_of_another_teams_text_through_the_planner(
    world: World, generic: bool
) -> None:
    for form, (real, control) in _probe(world.alice, world.b.team.id, generic=generic).items():
        assert real == control, form


def test_the_probe_sees_the_attackers_own_team(world: World) -> None:
    """Not blind: the same probe tells A's own text from made-up text, through the function."""
    text = "team-A content"
    with connect(world.alice) as connection:
        queries = _queries(world.a.team.id, text)
        mine = _observe(connection, queries["function"])
        other = _observe(connection, _queries(world.a.team.id, CONTROL)["function"])
    assert mine != other


def test_on_revision_0001_the_probe_read_another_teams_text(old_db: SyncDatabase) -> None:
    """The channel this closes: on the schema before it, the same probe told B's real text from
    made-up text by the membership checks it cost (so the test above could fail)."""
    a, b = old_db.team("A", ["alice"]), old_db.team("B", ["bob"])
    with b.members["bob"].connect() as connection:
        thread = uuid.uuid4()
        connection.execute(insert("threads", row("threads", b.id, thread, text=SECRET_B)))
        for _ in range(20):
            connection.execute(
                insert("messages", row("messages", b.id, thread=thread, text=SECRET_B))
            )
    with old_db.connect_admin() as connection:
        connection.execute("ANALYZE")
    differs = [
        form
        for form, (real, control) in _probe(a.members["alice"], b.id).items()
        if real != control
    ]
    assert "table" in differs
