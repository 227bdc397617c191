"""No member can read or change another team's data, even with psql and their own password.

Every attack runs as a member's own login over TCP with its password, never as the owner or a
superuser; the superuser only looks (B's rows before and after). Team A (alice, adam) attacks
team B (bob, bea); eve is a chatdesk member in no team at all.
"""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from psycopg import sql

from tests.sync.attacks import FAR_FUTURE, Attacks, Outcome, breaches, run
from tests.sync.conftest import Member, SyncDatabase
from tests.sync.test_schema import CONTRACT_PRIVILEGES, member_privileges
from tests.sync.world import World, bury, connect, hlc, insert, make_world, pull, put, row

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MIN_ATTEMPTS = 1_000
EXPECTED_REFUSALS = {
    "42501",  # insufficient privilege, not a member (the trigger), a policy's check
    "22023",  # an HLC too far ahead (the trigger)
    "23503",  # a foreign key into one's own team that is not there
    "0A000",  # COPY FROM into a table with row-level security; calling a trigger function
    "42704",  # an object that does not exist (an extension not installed)
    "42P10",  # ON CONFLICT (node_id): client keys are per member, no such unique key
}


@pytest.fixture
def world(sync_db: SyncDatabase) -> World:
    return make_world(sync_db)


def _attack(world: World, attacker: Member, seed: int) -> tuple[list[Outcome], list[str]]:
    """Run every generated attempt; B's rows are compared every 100 attempts and at the end."""
    attempts = Attacks(world, attacker.name, seed).all()
    markers = world.b_markers()
    before = world.snapshot_b()
    outcomes: list[Outcome] = []
    problems: list[str] = []
    with connect(attacker) as connection:
        for number, attempt in enumerate(attempts, 1):
            outcome = run(connection, attempt)
            outcomes.append(outcome)
            for breach in breaches(outcome, markers, attacker.name):
                problems.append(f"{attempt.text(connection)!r}: {breach}")
            checkpoint = number % 100 == 0 or number == len(attempts)
            if checkpoint and world.snapshot_b() != before:
                recent = [o.attempt.text(connection) for o in outcomes[-100:] if not o.failed]
                problems.append(f"B's rows changed within attempts up to {number}: {recent}")
                before = world.snapshot_b()
    return outcomes, problems


def test_a_member_of_another_team_gets_nothing_of_b_in_a_thousand_attempts(world: World) -> None:
    outcomes, problems = _attack(world, world.alice, seed=20261205)
    assert len(outcomes) >= MIN_ATTEMPTS
    assert not problems, "\n".join(problems[:60])
    assert member_privileges(world.alice) == CONTRACT_PRIVILEGES  # the GRANTs did nothing
    # The attacks were real, not all stopped by some unrelated error: reads of the attacker's own
    # team through the server's functions returned rows, some writes into A (with B's ids) went
    # through, and the refusals came from the server's checks.
    returned = sum(1 for o in outcomes if any(r and r[0] not in (0, None) for r in o.rows))
    own_writes = sum(1 for o in outcomes if o.attempt.expect == "own" and not o.failed)
    states = Counter(o.sqlstate for o in outcomes if o.failed)
    assert returned > 10
    assert own_writes > 5
    assert states["42501"] > 1000  # no privilege on the tables / not a member of the team
    assert set(states) <= EXPECTED_REFUSALS, states


def test_a_member_of_no_team_gets_nothing_either(world: World) -> None:
    eve = world.db.add_member(world.db.team("E", []), "eve")
    world.db.admin.remove_member("E", eve.name)  # which also takes her login away
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        connect(eve).close()
    with world.db.connect_admin() as admin:  # let in again by hand, still in no team
        admin.execute(sql.SQL("ALTER ROLE {} LOGIN").format(sql.Identifier(eve.name)))
    with (
        connect(eve) as connection,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="in no team"),
    ):
        connection.execute("SELECT chat.claim_node(gen_random_uuid(), 2)")
    outcomes, problems = _attack(world, eve, seed=7)
    assert len(outcomes) >= MIN_ATTEMPTS
    assert not problems, "\n".join(problems[:60])
    assert member_privileges(eve) == CONTRACT_PRIVILEGES


def test_the_detector_sees_b_when_b_reads_its_own_rows(world: World) -> None:
    """The same attempts as B's own member: B's data must be found (else the test is blind)."""
    attempts = [a for a in Attacks(world, world.bob.name, seed=1).reads() if not a.prefixes]
    with connect(world.bob) as connection:
        outcomes = [run(connection, attempt) for attempt in attempts[:200]]
    flagged = [o for o in outcomes if breaches(o, world.b_markers(), world.bob.name)]
    assert len(flagged) > 10


def test_the_snapshot_sees_a_change_by_b(world: World) -> None:
    before = world.snapshot_b()
    with connect(world.bob) as connection:
        changed = row("threads", world.b.team.id, world.b.threads[0], text="changed")
        put(connection, "threads", changed)
    assert world.snapshot_b() != before


# -- the rules one by one ------------------------------------------------------------------------


def _error(connection: psycopg.Connection[Any], statement: Any, params: Any = None) -> str | None:
    try:
        connection.execute(statement, params)
    except psycopg.Error as error:
        return error.sqlstate
    return None


def _put_error(
    connection: psycopg.Connection[Any], table: str, values: dict[str, Any]
) -> str | None:
    try:
        put(connection, table, values)
    except psycopg.Error as error:
        return error.sqlstate
    return None


def test_writing_into_a_team_one_is_not_in_is_refused(world: World) -> None:
    before = world.snapshot_b()
    with connect(world.alice) as connection:
        new = row("threads", world.b.team.id, text="attack")
        assert _error(connection, insert("threads", new)) == "42501"
        for values in (new, row("threads", world.b.team.id, world.b.threads[0], text="attack")):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not a member"):
                put(connection, "threads", values)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not a member"):
            bury(connection, "threads", world.b.team.id, world.b.threads[0], hlc())
        joined = "INSERT INTO chat.team_members (team_id, member) VALUES (%s, current_user)"
        assert _error(connection, joined, (world.b.team.id,)) == "42501"
    assert world.snapshot_b() == before


def test_b_ids_reused_in_ones_own_team_make_ones_own_rows(world: World) -> None:
    """Composite keys: an id that exists in B is a new row of A, and B's row is untouched."""
    before = world.snapshot_b()
    stolen = world.b.threads[0]
    with connect(world.alice) as connection:
        put(connection, "threads", row("threads", world.a.team.id, stolen, text="mine"))
        rows = [
            (r["team_id"], r["title"])
            for r in pull(connection, "threads", world.a.team.id)
            if r["id"] == stolen
        ]
    assert rows == [(world.a.team.id, "mine title")]
    assert world.snapshot_b() == before


def test_updates_aimed_at_b_change_nothing(world: World) -> None:
    before = world.snapshot_b()
    with connect(world.alice) as connection:
        owned = "UPDATE chat.threads SET title = 'owned', title_hlc = %s WHERE team_id = %s"
        assert _error(connection, owned, (FAR_FUTURE, world.b.team.id)) == "42501"
        moved = "UPDATE chat.threads SET team_id = %s WHERE id = %s"
        assert _error(connection, moved, (world.a.team.id, world.b.threads[0])) == "42501"
    assert world.snapshot_b() == before


def test_the_trigger_stamps_author_and_version_whatever_the_client_sends(world: World) -> None:
    with connect(world.alice) as connection:
        values = row("threads", world.a.team.id, author=world.bob.name, text="forged")
        values["server_version"] = 10**12
        put(connection, "threads", values)
        [stamped] = [
            (r["created_by"], r["server_version"])
            for r in pull(connection, "threads", world.a.team.id)
            if r["id"] == values["id"]
        ]
        version = connection.execute(
            "SELECT version FROM chat.team_version(%s)", (world.a.team.id,)
        ).fetchone()
    assert stamped == (world.alice.name, version[0] if version else None)


def test_adam_editing_alices_thread_keeps_alice_as_its_author(world: World) -> None:
    adam = world.a.team.members["adam"]
    with connect(world.alice) as connection:
        values = row("threads", world.a.team.id, text="alice's")
        put(connection, "threads", values)
    with connect(adam) as connection:
        put(connection, "threads", {**values, "title": "edited", "title_hlc": hlc(counter=1)})
        [after] = [
            (r["created_by"], r["title"])
            for r in pull(connection, "threads", world.a.team.id)
            if r["id"] == values["id"]
        ]
    assert after == (world.alice.name, "edited")


def _hours_ahead(hours: int) -> str:
    return hlc(int(time.time() * 1000) + hours * 3600 * 1000)


# Made when the test runs, not when it is collected: a stamp 23 hours ahead must still be
# within the day when the test comes to it (and parallel workers collect the same names).
STAMPS: dict[str, Callable[[], str]] = {
    "now": hlc,
    "never written": lambda: "",
    "23 hours ahead": lambda: _hours_ahead(23),
    "25 hours ahead": lambda: _hours_ahead(25),
    "far future": lambda: FAR_FUTURE,
    "above every real HLC": lambda: "zzzz",
    "not an HLC": lambda: "9999999999999.000000.x",
    "upper case": lambda: hlc().upper(),
}


@pytest.mark.parametrize(
    ("case", "state"),
    [
        ("now", None),
        ("never written", None),
        ("23 hours ahead", None),
        ("25 hours ahead", "22023"),
        ("far future", "22023"),
        ("above every real HLC", "22023"),
        ("not an HLC", "22023"),
        ("upper case", "22023"),
    ],
)
def test_an_hlc_more_than_a_day_ahead_or_not_an_hlc_is_refused(
    world: World, case: str, state: str | None
) -> None:
    stamp = STAMPS[case]()
    with connect(world.alice) as connection:
        for table in ("threads", "messages", "summaries", "revisions"):
            values = row(
                table, world.a.team.id, thread=world.a.threads[0], message=world.a.messages[0]
            )
            for column in [c for c in values if c == "hlc" or c.endswith("_hlc")]:
                candidate = {**values, column: stamp}
                if table != "revisions":
                    candidate["id"] = uuid.uuid4()
                else:
                    candidate["entity_id"] = uuid.uuid4()
                assert _put_error(connection, table, candidate) == state, (table, column)
        # and on update
        [thread] = [
            r for r in pull(connection, "threads", world.a.team.id) if r["id"] == world.a.threads[0]
        ]
        changed = {**thread, "title": "new", "title_hlc": stamp}
        assert _put_error(connection, "threads", changed) == state


def test_a_key_never_changes_even_in_ones_own_team(world: World) -> None:
    with connect(world.alice) as connection:
        for statement in (
            "UPDATE chat.threads SET id = gen_random_uuid() WHERE id = %s",
            "UPDATE chat.messages SET thread_id = %s WHERE id = %s",
            "UPDATE chat.threads SET server_version = 0 WHERE id = %s",
        ):
            params: tuple[Any, ...] = (world.a.threads[0],)
            if "thread_id" in statement:
                params = (world.a.threads[1], world.a.messages[0])
            assert _error(connection, statement.encode(), params) == "42501", statement


def test_forged_session_settings_do_not_change_who_one_is(world: World) -> None:
    bob = world.bob.name
    with connect(world.alice) as connection:
        connection.execute("SELECT set_config('chatdesk.member', %s, false)", (bob,))
        connection.execute("SET ROLE chatdesk_member")
        me = connection.execute("SELECT chat.current_member()").fetchone()
        visible = connection.execute(
            "SELECT count(*) FROM chat.my_teams() WHERE id = %s", (world.b.team.id,)
        ).fetchone()
        member = connection.execute("SELECT chat.is_member(%s)", (world.b.team.id,)).fetchone()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not a member"):
            pull(connection, "threads", world.b.team.id)
        connection.execute("RESET ROLE")
        for statement in (
            sql.SQL("SET ROLE {}").format(sql.Identifier(bob)),
            sql.SQL("SET ROLE chatdesk_owner"),
            sql.SQL("SET SESSION AUTHORIZATION {}").format(sql.Identifier(bob)),
        ):
            assert _error(connection, statement) == "42501"
    assert me == (world.alice.name,)
    assert visible == (0,)
    assert member == (False,)


def test_settings_given_when_connecting_do_not_help_either(world: World) -> None:
    bob = world.bob.name
    forged = psycopg.conninfo.make_conninfo(
        world.alice.dsn, options=f"-c chatdesk.member={bob} -c search_path=pg_temp,chat"
    )
    with psycopg.connect(forged, autocommit=True) as connection:
        seen = connection.execute(
            "SELECT count(*) FROM chat.my_teams() WHERE id = %s", (world.b.team.id,)
        ).fetchone()
        me = connection.execute("SELECT chat.current_member()").fetchone()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not a member"):
            pull(connection, "threads", world.b.team.id)
    assert (seen, me) == ((0,), (world.alice.name,))
    for option in ("-c role=chatdesk_owner", f"-c session_authorization={bob}"):
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            psycopg.connect(psycopg.conninfo.make_conninfo(world.alice.dsn, options=option))


def test_others_memberships_clocks_and_clients_are_invisible(world: World) -> None:
    with connect(world.alice) as connection:
        refused = [
            _error(connection, f"SELECT * FROM chat.{table}".encode())
            for table in ("team_members", "team_clock", "teams", "sync_clients")
        ]
        teams = connection.execute("SELECT id, role FROM chat.my_teams()").fetchall()
        clock = connection.execute(
            "SELECT count(*) FROM chat.team_version(%s)", (world.b.team.id,)
        ).fetchone()
    assert refused == ["42501"] * 4
    assert teams == [(world.a.team.id, "member")]
    assert clock == (0,)


def test_notify_payloads_are_team_ids_only(world: World) -> None:
    """Everyone may LISTEN, so everyone hears which team changed: the payload is only that."""
    with connect(world.alice) as listener:
        listener.execute("LISTEN chatdesk")
        with connect(world.bob) as connection:
            values = row("threads", world.b.team.id, text="SECRET-B")
            put(connection, "threads", values)
            renamed = {**values, "title": "SECRET-B again", "title_hlc": hlc(counter=1)}
            put(connection, "threads", renamed)
        heard = [n.payload for n in listener.notifies(timeout=2, stop_after=2)]
    assert heard == [str(world.b.team.id)] * 2
    assert all(UUID.fullmatch(payload) for payload in heard)


# -- what members of one team share ---------------------------------------------------------------


def test_members_of_one_team_read_and_write_each_others_rows(world: World) -> None:
    adam = world.a.team.members["adam"]
    with connect(world.alice) as alice, connect(adam) as adams:
        alice.execute("LISTEN chatdesk")
        theirs = len(pull(alice, "messages", world.a.team.id))
        values = row("threads", world.a.team.id, text="shared")
        put(alice, "threads", values)
        heard_own = [n.payload for n in alice.notifies(timeout=2, stop_after=1)]
        adams.execute("LISTEN chatdesk")
        assert _title(adams, world, values["id"]) == "shared title"
        put(adams, "threads", {**values, "title": "renamed by adam", "title_hlc": hlc(counter=1)})
        heard = [n.payload for n in alice.notifies(timeout=2, stop_after=1)]
        assert _title(alice, world, values["id"]) == "renamed by adam"
        heard_by_adam = [n.payload for n in adams.notifies(timeout=2, stop_after=1)]
    assert theirs == len(world.a.messages)
    assert heard_own == heard == heard_by_adam == [str(world.a.team.id)]


def _title(connection: psycopg.Connection[Any], world: World, thread: uuid.UUID) -> str:
    [title] = [
        r["title"] for r in pull(connection, "threads", world.a.team.id) if r["id"] == thread
    ]
    return str(title)
