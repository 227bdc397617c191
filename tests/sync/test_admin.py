"""Administering a team server: init, teams, people, status, purging, and the CLI over them."""

from __future__ import annotations

import io
import json
import socket
import threading
import uuid
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql

from chatdesk.cli.main import main
from chatdesk.core.sync.base import SyncRefused
from chatdesk.core.sync.remote import Remote
from chatdesk.core.sync.server import schema, status
from chatdesk.core.sync.server.admin import ServerAdmin
from chatdesk.core.sync.server.connection import connect, effective_dsn
from chatdesk.core.sync.server.errors import (
    BadServerRequest,
    LockedOut,
    NotServerAdmin,
    SchemaConflict,
    SchemaMissing,
    ServerLoginFailed,
    ServerTLSError,
    ServerUnreachable,
)
from tests.ports import free_port
from tests.sync.conftest import SyncDatabase
from tests.sync.pg import PgServer
from tests.sync.world import bury, hlc, insert, pull, put, row


def _scalar(dsn: str, query: str, *params: Any) -> Any:
    with psycopg.connect(dsn, autocommit=True) as connection:
        found = connection.execute(query.encode(), params).fetchone()
    return found[0] if found else None


# -- init ------------------------------------------------------------------------------------------


def test_init_creates_the_schema_once_and_then_has_nothing_to_do(empty_db: str) -> None:
    admin = ServerAdmin(empty_db)
    first = admin.init()
    second = admin.init()
    assert (first.before, first.after, first.problems) == (None, schema.head_revision(), ())
    assert (second.before, second.after) == (first.after, first.after)
    assert admin.status().revision == schema.head_revision()


def test_init_bounds_idle_transactions_of_members_made_without_the_bound(
    sync_db: SyncDatabase,
) -> None:
    alice = sync_db.team("red", ["alice"]).members["alice"]
    with sync_db.connect_admin() as admin:  # as a member made by an older chatdesk
        admin.execute(
            sql.SQL("ALTER ROLE {} RESET idle_in_transaction_session_timeout").format(
                sql.Identifier(alice.name)
            )
        )
    with alice.connect() as connection:
        assert connection.execute("SHOW idle_in_transaction_session_timeout").fetchone() == ("0",)
    sync_db.admin.init()
    with alice.connect() as connection:
        bound = connection.execute("SHOW idle_in_transaction_session_timeout").fetchone()
    assert bound == ("5min",)


def test_the_server_history_has_one_head() -> None:
    assert schema.head_revision() == "0007"


def test_init_on_postgresql_14_defaults_takes_create_on_public_away(empty_db: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as connection:
        connection.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")  # PostgreSQL < 15
    report = ServerAdmin(empty_db).init()
    creatable = _scalar(
        empty_db, "SELECT has_schema_privilege('chatdesk_member', 'public', 'CREATE')"
    )
    assert report.problems == ()
    assert creatable is False


def test_init_works_in_a_database_without_a_public_schema(empty_db: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public")
    assert ServerAdmin(empty_db).init().problems == ()


def test_status_names_what_would_let_members_do_more(sync_db: SyncDatabase) -> None:
    with sync_db.connect_admin() as connection:
        connection.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
        connection.execute("ALTER TABLE chat.threads NO FORCE ROW LEVEL SECURITY")
    problems = sync_db.admin.status().problems
    assert problems == (
        "members can create objects in schema public",
        "table chat.threads does not force row-level security",
    )


def test_status_names_memberships_left_behind_by_a_dropped_login(sync_db: SyncDatabase) -> None:
    alice = sync_db.team("red", ["alice"]).members["alice"]
    sync_db.server.execute(f'DROP ROLE "{alice.name}"')  # by hand, not with remove-member
    assert sync_db.admin.status().problems == (
        f"the membership of {alice.name} names no login: a login made with that name would "
        "join its teams (use remove-member)",
    )


def test_init_is_for_superusers_only(sync_db: SyncDatabase) -> None:
    member = sync_db.team("red", ["alice"]).members["alice"]
    with pytest.raises(NotServerAdmin, match="superuser"):
        ServerAdmin(member.dsn).init()
    with pytest.raises(NotServerAdmin, match="chatdesk_owner"):
        ServerAdmin(member.dsn).add_team("mine")


def test_init_refuses_a_schema_named_chat_that_is_not_chatdeskss(empty_db: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as connection:
        connection.execute("CREATE SCHEMA chat")
    with pytest.raises(SchemaConflict, match="owned by postgres"):
        ServerAdmin(empty_db).init()


def test_commands_before_init_say_to_run_init(empty_db: str) -> None:
    with pytest.raises(SchemaMissing, match="chatdesk server init"):
        ServerAdmin(empty_db).status()


def test_a_schema_from_a_newer_chatdesk_is_refused(sync_db: SyncDatabase) -> None:
    with sync_db.connect_admin() as connection:
        connection.execute("UPDATE chat.alembic_version SET version_num = '9999'")
    with pytest.raises(Exception, match="newer chatdesk"):
        sync_db.admin.status()
    with pytest.raises(Exception, match="newer chatdesk"):
        sync_db.admin.init()


# -- people ----------------------------------------------------------------------------------------


def test_a_generated_password_logs_in_and_is_returned_once(sync_db: SyncDatabase) -> None:
    red = sync_db.admin.add_team("red")
    blue = sync_db.admin.add_team("blue")
    name = sync_db.login_name("dana")
    added = sync_db.admin.add_member("red", name)
    again = sync_db.admin.add_member(str(blue.id), name, role="admin")
    assert added.created_role
    assert len(added.password or "") >= 30
    assert not again.created_role
    assert again.password is None
    dsn = sync_db.server.member_dsn(sync_db.name, name, added.password or "")
    teams = _scalar(dsn, "SELECT array_agg(name ORDER BY name) FROM chat.my_teams()")
    assert teams == ["blue", "red"]
    roles = _scalar(dsn, "SELECT array_agg(role ORDER BY id = %s) FROM chat.my_teams()", red.id)
    assert roles == ["admin", "member"]


def test_a_given_password_resets_an_existing_login(sync_db: SyncDatabase) -> None:
    red = sync_db.team("red", ["alice"])
    alice = red.members["alice"]
    sync_db.admin.add_member("red", alice.name, password="a new one, long enough")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(alice.dsn).close()
    new = sync_db.server.member_dsn(sync_db.name, alice.name, "a new one, long enough")
    assert _scalar(new, "SELECT chat.current_member()") == alice.name


@pytest.mark.parametrize(
    "name", ["Alice", "pg_alice", "chatdesk_gateway", "chatdesk_owner", "9lives", "a b", ""]
)
def test_names_that_cannot_be_members_are_refused(sync_db: SyncDatabase, name: str) -> None:
    sync_db.admin.add_team("red")
    with pytest.raises(BadServerRequest, match="cannot be a member"):
        sync_db.admin.add_member("red", name)


def test_existing_logins_that_are_not_plain_members_are_refused(sync_db: SyncDatabase) -> None:
    sync_db.admin.add_team("red")
    other = sync_db.login_name("app")
    sync_db.server.execute(f"CREATE ROLE {other} LOGIN")
    with pytest.raises(BadServerRequest, match="bypass or administer"):
        sync_db.admin.add_member("red", "postgres")
    with pytest.raises(BadServerRequest, match="not a chatdesk member"):
        sync_db.admin.add_member("red", other)


def test_the_password_never_reaches_the_server_log(sync_db: SyncDatabase) -> None:
    sync_db.server.execute(f"ALTER DATABASE \"{sync_db.name}\" SET log_statement = 'all'")
    secret = f"never-logged-{uuid.uuid4().hex}"
    sync_db.admin.add_team("red")
    name = sync_db.login_name("erin")
    sync_db.admin.add_member("red", name, password=secret)
    logged = sync_db.server.log_file.read_text()
    assert f'CREATE ROLE "{name}"' in logged  # the statement was logged …
    assert "SCRAM-SHA-256$4096:" in logged  # … with the verifier,
    assert secret not in logged  # not the password


def test_a_removed_member_sees_nothing_at_once(sync_db: SyncDatabase) -> None:
    red = sync_db.team("red", ["alice", "bob"])
    alice = red.members["alice"]
    sync_db.admin.add_team("blue")
    sync_db.admin.add_member("blue", alice.name)
    with alice.connect() as connection:
        put(connection, "threads", row("threads", red.id))
        assert len(pull(connection, "threads", red.id)) == 1
        assert sync_db.admin.remove_member("red", alice.name).removed
        teams = connection.execute("SELECT name FROM chat.my_teams()").fetchall()
        refused = []
        for attempt in (
            lambda: pull(connection, "threads", red.id),
            lambda: put(connection, "threads", row("threads", red.id)),
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as error:
                attempt()
            refused.append(error.value.sqlstate)
    assert teams == [("blue",)]
    assert refused == ["42501", "42501"]
    assert sync_db.admin.remove_member("red", alice.name).removed is False


def test_a_member_taken_out_of_their_last_team_cannot_log_in_and_their_sessions_end(
    sync_db: SyncDatabase,
) -> None:
    red = sync_db.team("red", ["alice"])
    alice = red.members["alice"]
    sync_db.admin.add_team("blue")
    sync_db.admin.add_member("blue", alice.name)
    connection = alice.connect()
    try:
        assert sync_db.admin.remove_member("red", alice.name).login == "kept"  # still in blue
        assert connection.execute("SELECT name FROM chat.my_teams()").fetchall() == [("blue",)]
        done = sync_db.admin.remove_member("blue", alice.name)
        assert (done.removed, done.login) == (True, "shut out")
        with pytest.raises(psycopg.OperationalError):
            connection.execute("SELECT 1")
    finally:
        connection.close()
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        alice.connect().close()
    # the role stays: it names the author of what they pushed
    assert _scalar(sync_db.admin_dsn, "SELECT 1 FROM pg_roles WHERE rolname = %s", alice.name)
    sync_db.admin.add_member("red", alice.name)  # back, with the same password
    with alice.connect() as again:
        assert again.execute("SELECT name FROM chat.my_teams()").fetchall() == [("red",)]


def test_removing_someone_who_was_not_in_the_team_changes_nothing_of_their_login(
    sync_db: SyncDatabase,
) -> None:
    sync_db.admin.add_team("red")
    done = sync_db.admin.remove_member("red", "postgres")  # a superuser, in no team
    assert (done.removed, done.login) == (False, "kept")
    assert (
        _scalar(
            sync_db.admin_dsn, "SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", "postgres"
        )
        is True
    )


def test_the_cli_says_a_removed_member_can_no_longer_log_in(
    sync_db: SyncDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    red = sync_db.team("red", ["alice"])
    alice = red.members["alice"]
    code, text, _ = _cli(capsys, "remove-member", "red", alice.name, "--dsn", sync_db.admin_dsn)
    assert code == 0
    assert text.splitlines() == [
        f"{alice.name} is no longer in team red",
        f"{alice.name} is in no team now: their login may no longer log in and their sessions "
        "were ended (adding them to a team lets them in again)",
    ]
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        alice.connect().close()


def test_dropping_the_login_of_someone_in_no_team_ends_their_sessions(
    sync_db: SyncDatabase,
) -> None:
    red = sync_db.team("red", ["alice"])
    alice = red.members["alice"]
    connection = alice.connect()
    try:
        sync_db.admin.remove_member("red", alice.name, drop_role=True)
        with pytest.raises(psycopg.OperationalError):
            connection.execute("SELECT 1")
    finally:
        connection.close()
    assert (
        _scalar(sync_db.admin_dsn, "SELECT count(*) FROM pg_roles WHERE rolname = %s", alice.name)
        == 0
    )


def test_an_administrator_can_let_a_disabled_login_in_again_by_adding_it(
    sync_db: SyncDatabase,
) -> None:
    red = sync_db.team("red", ["alice"])
    alice = red.members["alice"]
    with sync_db.connect_admin() as admin:
        admin.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(alice.name)))
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        alice.connect().close()
    sync_db.admin.add_member("red", alice.name)  # the same password works again
    with alice.connect() as connection:
        assert connection.execute("SELECT count(*) FROM chat.my_teams()").fetchone() == (1,)


def test_dropping_a_role_drops_what_it_owns_first(sync_db: SyncDatabase) -> None:
    red = sync_db.team("red", ["alice"])
    alice = red.members["alice"]
    with sync_db.connect_admin() as admin:  # members cannot make one (see the next test)
        made = admin.execute("SELECT lo_create(0)").fetchone()
        assert made is not None
        admin.execute(
            sql.SQL("ALTER LARGE OBJECT {} OWNER TO {}").format(
                sql.Literal(made[0]), sql.Identifier(alice.name)
            )
        )
    sync_db.admin.remove_member("red", alice.name, drop_role=True)
    assert not _scalar(sync_db.admin_dsn, "SELECT 1 FROM pg_roles WHERE rolname = %s", alice.name)
    assert not _scalar(
        sync_db.admin_dsn, "SELECT 1 FROM pg_largeobject_metadata WHERE oid = %s", made[0]
    )


@pytest.mark.parametrize(
    "call",
    [
        "pg_advisory_lock(hashtext('chatdesk server init'))",
        "pg_try_advisory_xact_lock(1, 2)",
        "lo_create(0)",
        "lo_from_bytea(0, 'x')",
    ],
)
def test_members_cannot_take_advisory_locks_or_make_large_objects(
    sync_db: SyncDatabase, call: str
) -> None:
    red = sync_db.team("red", ["alice"])
    with (
        red.members["alice"].connect() as connection,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        connection.execute(f"SELECT {call}".encode())


def test_init_held_up_by_a_session_names_it_and_changes_nothing(
    sync_db: SyncDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema, "LOCK_WAIT", "1s")
    with sync_db.connect_admin() as holder:  # an old server's member could have held this
        holder.execute("SELECT pg_advisory_lock(hashtext('chatdesk server init'))")
        pid = holder.info.backend_pid
        with pytest.raises(LockedOut) as refused:
            sync_db.admin.init()
    said = str(refused.value)
    assert f"pid {pid}" in said
    assert "changed nothing" in said
    assert "run init again" in said
    assert sync_db.admin.init().after == schema.head_revision()  # once it is gone, init works


def test_status_names_a_member_session_that_holds_a_transaction_open(
    sync_db: SyncDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    red = sync_db.team("red", ["alice", "bob"])
    alice = red.members["alice"]
    with alice.connect(autocommit=False) as idle:
        idle.execute("SET idle_in_transaction_session_timeout = 0")  # a member may set it
        idle.execute("LISTEN chatdesk")  # pins the notification queue while it stays open
        idle.execute("SELECT count(*) FROM chat.my_teams()")
        pid = idle.info.backend_pid
        assert _held_open(sync_db) == []  # just opened: under the minute
        monkeypatch.setattr(status, "LONG_TRANSACTION", "0 seconds")
        [said] = _held_open(sync_db)
        assert f"{alice.name}'s session (pid {pid}) has held a transaction open since" in said
        assert f"`chatdesk server end-sessions {alice.name}`" in said
        assert sync_db.admin.end_sessions(alice.name) == 1
        with pytest.raises(psycopg.OperationalError):
            idle.execute("SELECT 1")
    assert _held_open(sync_db) == []
    with alice.connect() as again:  # ended, not shut out
        assert again.execute("SELECT 1").fetchone() == (1,)


def _held_open(sync_db: SyncDatabase) -> list[str]:
    return [p for p in sync_db.admin.status().problems if "held a transaction open" in p]


def test_membership_changes_wake_the_teams_clients(sync_db: SyncDatabase) -> None:
    red = sync_db.team("red", ["alice"])
    with red.members["alice"].connect() as listener:
        listener.execute("LISTEN chatdesk")
        sync_db.add_member(red, "bob")
        heard = [n.payload for n in listener.notifies(timeout=2, stop_after=1)]
        version = listener.execute(
            "SELECT version FROM chat.team_version(%s)", (red.id,)
        ).fetchone()
    assert heard == [str(red.id)]
    assert version == (0,)  # woken, not moved


@pytest.fixture
def operator(sync_db: SyncDatabase) -> str:
    """A non-superuser administrator: granted chatdesk_owner, with CREATEROLE."""
    name = sync_db.login_name("ops")
    server = sync_db.server
    server.execute(f"CREATE ROLE {name} LOGIN CREATEROLE PASSWORD 'ops password'")
    server.execute(f"GRANT chatdesk_owner TO {name}")
    return server.member_dsn(sync_db.name, name, "ops password")


def test_a_role_granted_chatdesk_owner_administers_all_but_init(
    sync_db: SyncDatabase, operator: str
) -> None:
    admin = ServerAdmin(operator)
    admin.add_team("red")
    name = sync_db.login_name("finn")
    added = admin.add_member("red", name)
    status = admin.status()
    with pytest.raises(NotServerAdmin, match="superuser"):
        admin.init()
    assert added.password
    assert [(t.name, [m.name for m in t.members]) for t in status.teams] == [("red", [name])]
    assert admin.purge_tombstones(below_version=1)[0].purged_below == 0


# -- purging tombstones ----------------------------------------------------------------------------


def test_purging_removes_tombstones_with_what_hangs_off_them(sync_db: SyncDatabase) -> None:
    red = sync_db.team("red", ["alice"])
    old = hlc(1_600_000_000_000)  # 2020
    ids: dict[str, uuid.UUID] = {}
    with red.members["alice"].connect() as connection:

        def add(table: str, key: str, **values: Any) -> None:
            ids[key] = uuid.uuid4()
            made = row(table, red.id, ids[key], stamp=old, **values)
            put(connection, table, made)

        add("threads", "gone thread")
        add("messages", "in gone thread", thread=ids["gone thread"])
        add(
            "summaries",
            "summary in gone thread",
            thread=ids["gone thread"],
            message=ids["in gone thread"],
        )
        put(connection, "revisions", row("revisions", red.id, ids["gone thread"]))
        add("threads", "kept thread")
        add("messages", "root", thread=ids["kept thread"])
        add("messages", "gone message", thread=ids["kept thread"], parent=ids["root"], depth=1)
        add(
            "messages",
            "reply to gone",
            thread=ids["kept thread"],
            parent=ids["gone message"],
            depth=2,
        )
        add("messages", "kept reply", thread=ids["kept thread"], parent=ids["root"], depth=1)
        add("summaries", "covers gone", thread=ids["kept thread"], message=ids["gone message"])
        add("summaries", "covers root", thread=ids["kept thread"], message=ids["root"])
        add("threads", "recently gone")
        for key in ("gone thread", "gone message", "recently gone"):
            table = "threads" if "thread" in key or "recently" in key else "messages"
            stamp = hlc() if key == "recently gone" else hlc(1_600_000_001_000)
            bury(connection, table, red.id, ids[key], stamp)
        versions = {
            found["id"]: found["server_version"]
            for table in ("threads", "messages")
            for found in pull(connection, table, red.id)
        }
    reports = sync_db.admin.purge_tombstones(older_than=timedelta(days=30))

    with sync_db.connect_admin() as connection:
        left = {
            table: {r[0] for r in connection.execute(f"SELECT id FROM chat.{table}".encode())}
            for table in ("threads", "messages", "summaries")
        }
        revisions = connection.execute("SELECT count(*) FROM chat.revisions").fetchone()
        purged_below = connection.execute("SELECT purged_below FROM chat.team_clock").fetchone()
    name = {v: k for k, v in ids.items()}
    assert {t: sorted(name[i] for i in found) for t, found in left.items()} == {
        "threads": ["kept thread", "recently gone"],
        "messages": ["kept reply", "root"],
        "summaries": ["covers root"],
    }
    assert revisions == (0,)
    horizon = max(versions[ids["gone thread"]], versions[ids["gone message"]]) + 1
    assert purged_below == (horizon,)
    assert [(r.threads, r.messages, r.summaries, r.revisions) for r in reports] == [(1, 3, 2, 1)]


def test_purging_below_a_version_never_lowers_the_horizon(sync_db: SyncDatabase) -> None:
    red = sync_db.team("red", ["alice"])
    with red.members["alice"].connect() as connection:
        thread = row("threads", red.id)
        put(connection, "threads", thread)
        bury(connection, "threads", red.id, thread["id"], hlc())
    first = sync_db.admin.purge_tombstones(below_version=100, team="red")
    again = sync_db.admin.purge_tombstones(below_version=1, team=str(red.id))
    assert [(r.threads, r.purged_below) for r in first] == [(1, 3)]
    assert [(r.threads, r.purged_below) for r in again] == [(0, 3)]


def test_purging_needs_a_limit(sync_db: SyncDatabase) -> None:
    with pytest.raises(BadServerRequest):
        sync_db.admin.purge_tombstones()


# -- connecting ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dsn", "sslmode"),
    [
        ("host=db.example.com dbname=chatdesk", "verify-full"),
        ("postgresql://admin@db.example.com/chatdesk", "verify-full"),
        ("host=10.0.0.5,db.example.com", "verify-full"),
        ("host=db.example.com sslmode=require", "require"),
        ("host=db.example.com hostaddr=127.0.0.1", "verify-full"),
        ("host=localhost hostaddr=10.1.2.3", "verify-full"),
        ("host=localhost hostaddr=127.0.0.1", None),
        ("host=localhost", None),
        ("host=127.0.0.1 port=5433", None),
        ("host=/var/run/postgresql", None),
        ("dbname=chatdesk", None),
    ],
)
def test_remote_servers_get_verify_full_unless_told_otherwise(
    dsn: str, sslmode: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("PGSSLMODE", "PGHOST", "PGHOSTADDR", "PGCONNECT_TIMEOUT"):
        monkeypatch.delenv(variable, raising=False)
    parts = psycopg.conninfo.conninfo_to_dict(effective_dsn(dsn))
    assert parts.get("sslmode") == sslmode
    assert parts.get("connect_timeout") == "10"


def test_pgsslmode_in_the_environment_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGSSLMODE", "require")
    assert "sslmode" not in psycopg.conninfo.conninfo_to_dict(effective_dsn("host=db.example.com"))


def test_connection_failures_are_typed(pg_server: PgServer, sync_db: SyncDatabase) -> None:
    with pytest.raises(ServerUnreachable, match="Check the host and port"):
        connect(f"host=127.0.0.1 port={free_port()} dbname=x user=x connect_timeout=3")
    with pytest.raises(ServerLoginFailed, match="password"):
        connect(pg_server.member_dsn(sync_db.name, "postgres", "wrong"))


# -- the command line ----------------------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(["server", *argv])
    out, err = capsys.readouterr()
    return code, json.loads(out) if "--json" in argv and out else out, err


def test_the_cli_sets_up_a_server_from_scratch(
    empty_db: str,
    pg_server: PgServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHATDESK_SERVER_DSN", empty_db)
    code, made, _ = _cli(capsys, "init", "--json")
    assert (code, made) == (0, {"before": None, "after": "0007", "problems": []})
    code, team, _ = _cli(capsys, "add-team", "red", "--json")
    name = f"gwen_{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr("sys.stdin", io.StringIO("a password from stdin\n"))
    try:
        code, added, _ = _cli(capsys, "add-member", "red", name, "--password-stdin", "--json")
        assert (code, added["member"], added["password"]) == (0, name, None)
        dbname = psycopg.conninfo.conninfo_to_dict(empty_db)["dbname"]
        dsn = pg_server.member_dsn(str(dbname), name, "a password from stdin")
        assert _scalar(dsn, "SELECT name FROM chat.my_teams()") == "red"
        code, text, _ = _cli(capsys, "status")
        assert code == 0
        assert f"team red ({team['id']})" in text
        assert f"  {name} (member)" in text
        code, purged, _ = _cli(capsys, "purge", "--older-than", "90", "--json")
        assert purged == {
            "teams": [
                {
                    "team": "red",
                    "threads": 0,
                    "messages": 0,
                    "summaries": 0,
                    "revisions": 0,
                    "files": 0,
                    "file_bytes": 0,
                    "purged_below": 0,
                }
            ]
        }
        code, removed, _ = _cli(capsys, "remove-member", "red", name, "--drop-role", "--json")
        assert removed == {"removed": True, "member": name, "team": "red", "login": "dropped"}
    finally:
        pg_server.execute(f'DROP ROLE IF EXISTS "{name}"')


def test_the_cli_prints_a_generated_password_once(
    sync_db: SyncDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    sync_db.admin.add_team("red")
    name = sync_db.login_name("hana")
    code, text, _ = _cli(capsys, "add-member", "red", name, "--dsn", sync_db.admin_dsn)
    lines = text.splitlines()
    assert code == 0
    assert lines[1] == f"password for {name}, shown once and kept nowhere:"
    dsn = sync_db.server.member_dsn(sync_db.name, name, lines[2])
    assert _scalar(dsn, "SELECT chat.current_member()") == name


def test_the_cli_says_what_to_do(sync_db: SyncDatabase, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(capsys, "status")
    assert (code, "--dsn" in err, "CHATDESK_SERVER_DSN" in err) == (2, True, True)
    code, _, err = _cli(capsys, "status", "--dsn", f"host=127.0.0.1 port={free_port()}")
    assert (code, "cannot connect" in err) == (1, True)
    code, _, err = _cli(capsys, "add-member", "nosuch", "ivan", "--dsn", sync_db.admin_dsn)
    assert (code, "no team named 'nosuch'" in err) == (2, True)
    with sync_db.connect_admin() as connection:
        connection.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
    code, _, err = _cli(capsys, "status", "--dsn", sync_db.admin_dsn)
    assert (code, "warning: members can create objects in schema public" in err) == (1, True)


def test_a_server_without_tls_is_refused_when_tls_is_required() -> None:
    """A stand-in server that answers PostgreSQL's SSLRequest with 'N' (ssl = off)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def answer() -> None:
            client, _ = listener.accept()
            with client:
                client.recv(8)  # the SSLRequest
                client.sendall(b"N")

        thread = threading.Thread(target=answer)
        thread.start()
        with pytest.raises(ServerTLSError, match="sslrootcert") as raised:
            connect(f"host=db.example.com hostaddr=127.0.0.1 port={port} user=x dbname=x")
        thread.join()
    assert "does not support SSL" in str(raised.value)


# -- TLS against the test server's own CA ----------------------------------------------------------


@pytest.fixture
def tls(pg_server: PgServer) -> tuple[str, str]:
    if pg_server.tls_root is None or pg_server.other_root is None:
        pytest.skip("openssl is not installed: the test server has no TLS certificate")
    return str(pg_server.tls_root), str(pg_server.other_root)


def test_verify_full_accepts_the_pinned_root_and_the_right_host_name(
    sync_db: SyncDatabase, tls: tuple[str, str]
) -> None:
    root, _ = tls
    dsn = (
        f"host=localhost port={sync_db.server.port} dbname={sync_db.name} user=postgres "
        f"sslmode=verify-full sslrootcert={root}"
    )
    # postgres may not log in over TCP at all: getting as far as the password proves TLS held
    with pytest.raises(ServerLoginFailed):
        connect(dsn)
    member = sync_db.team("red", ["alice"]).members["alice"]
    secured = psycopg.conninfo.make_conninfo(
        member.dsn, host="localhost", sslmode="verify-full", sslrootcert=root
    )
    with connect(secured) as connection:
        used = connection.execute(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
        ).fetchone()
    assert used == (True,)


def test_verify_full_refuses_another_root_or_another_host_name(
    sync_db: SyncDatabase, tls: tuple[str, str]
) -> None:
    root, other = tls
    member = sync_db.team("red", ["alice"]).members["alice"]
    wrong_root = psycopg.conninfo.make_conninfo(
        member.dsn, host="localhost", sslmode="verify-full", sslrootcert=other
    )
    wrong_host = psycopg.conninfo.make_conninfo(
        member.dsn, host="127.0.0.1", sslmode="verify-full", sslrootcert=root
    )
    with pytest.raises(ServerTLSError, match="certificate verify failed"):
        connect(wrong_root)
    with pytest.raises(ServerTLSError, match="does not match host name"):
        connect(wrong_host)


# -- upgrading a server ----------------------------------------------------------------------------


def test_an_existing_server_upgrades_keeping_every_row(old_db: SyncDatabase) -> None:
    red = old_db.team("red", ["alice"])
    alice = red.members["alice"]
    thread, node = row("threads", red.id), uuid.uuid4()
    with alice.connect() as connection:  # members wrote the tables directly before 0002
        connection.execute(insert("threads", thread))
        connection.execute(
            "INSERT INTO chat.sync_clients (node_id, member, last_op_seq) "
            "VALUES (%s, chat.current_member(), 5)",
            (node,),
        )
    with pytest.raises(SyncRefused, match="its administrator brings it up to date"):
        Remote.open(alice.dsn, None)  # this chatdesk, against the old server
    idle = alice.connect()
    try:
        old_db.admin.init()
        with pytest.raises(psycopg.OperationalError):  # ended by the upgrade
            idle.execute("SELECT 1")
    finally:
        idle.close()
    with alice.connect() as connection:
        assert [r["id"] for r in pull(connection, "threads", red.id)] == [thread["id"]]
        assert connection.execute("SELECT chat.claim_node(%s, 2)", (node,)).fetchone() == (5,)
    Remote.open(alice.dsn, None).close()


def test_a_chatdesk_older_than_the_server_is_told_to_update(sync_db: SyncDatabase) -> None:
    alice = sync_db.team("red", ["alice"]).members["alice"]
    with pytest.raises(SyncRefused, match="Update chatdesk to sync again"):
        Remote.open(alice.dsn, None, protocol=1)  # a chatdesk of protocol 1
