"""The team server's schema: set it up or bring it to this chatdesk's revision, in one transaction.

`bootstrap` makes what the migrations need and cannot make as `chatdesk_owner`: the two group
roles (cluster-wide, so made only when missing and checked when found) and the empty schema.
Then Alembic runs the history in `migrations/` as `chatdesk_owner` (see its env.py). A failure
anywhere rolls all of it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from chatdesk.core.i18n import ntr, tr
from chatdesk.core.sync.server.errors import LockedOut, SchemaConflict, SchemaTooNew

if TYPE_CHECKING:
    from datetime import datetime

    import psycopg
    from alembic.config import Config
    from psycopg.rows import TupleRow
    from sqlalchemy import Connection

SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"
OWNER = "chatdesk_owner"
MEMBER = "chatdesk_member"

_ROLES = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'chatdesk_owner') THEN
        CREATE ROLE chatdesk_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'chatdesk_member') THEN
        CREATE ROLE chatdesk_member NOLOGIN;
    END IF;
END
$$;
"""

# A group role found with our name must be what we would have made: a role that can log in,
# bypass RLS or administer others would turn every member (or the owner) into more than that.
_UNSAFE_GROUP_ROLES = """
SELECT rolname FROM pg_roles
WHERE rolname IN ('chatdesk_owner', 'chatdesk_member')
  AND (rolcanlogin OR rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication)
UNION
SELECT 'chatdesk_member' WHERE pg_has_role('chatdesk_member', 'chatdesk_owner', 'MEMBER')
"""

_SCHEMA_OWNER = "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'chat'"

LOCK_WAIT = "10s"

# Built-in functions every login may call by default, which chatdesk never needs and a member
# (or a login in no team) could use against the administrator: advisory locks (init takes one),
# large objects (an object a role owns keeps the role from being dropped, and fills the disk).
# Taken from PUBLIC in chatdesk's database only; superusers are not bound by them.
_HELD_BACK = (
    "pg_advisory_lock(bigint)",
    "pg_advisory_lock(integer, integer)",
    "pg_advisory_lock_shared(bigint)",
    "pg_advisory_lock_shared(integer, integer)",
    "pg_try_advisory_lock(bigint)",
    "pg_try_advisory_lock(integer, integer)",
    "pg_try_advisory_lock_shared(bigint)",
    "pg_try_advisory_lock_shared(integer, integer)",
    "pg_advisory_xact_lock(bigint)",
    "pg_advisory_xact_lock(integer, integer)",
    "pg_advisory_xact_lock_shared(bigint)",
    "pg_advisory_xact_lock_shared(integer, integer)",
    "pg_try_advisory_xact_lock(bigint)",
    "pg_try_advisory_xact_lock(integer, integer)",
    "pg_try_advisory_xact_lock_shared(bigint)",
    "pg_try_advisory_xact_lock_shared(integer, integer)",
    "lo_create(oid)",
    "lo_creat(integer)",
    "lo_from_bytea(oid, bytea)",
    "lo_import(text)",
    "lo_import(text, oid)",
)
_NOT_FOR_EVERYONE = "REVOKE EXECUTE ON FUNCTION {} FROM PUBLIC".format(
    ", ".join(f"pg_catalog.{function}" for function in _HELD_BACK)
)

# Sessions that hold a lock on chatdesk's objects (or any advisory lock), for the message of an
# init that could not take its locks in time.
_BLOCKERS = """
SELECT DISTINCT a.pid, a.usename, a.state, a.xact_start
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.granted AND a.pid <> pg_backend_pid()
  AND (l.locktype = 'advisory'
       OR l.relation IN (SELECT c.oid FROM pg_class c JOIN pg_namespace n
                         ON n.oid = c.relnamespace WHERE n.nspname = 'chat'))
ORDER BY a.xact_start
"""


@dataclass(frozen=True)
class Revisions:
    before: str | None
    after: str


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise SchemaConflict(f"the server migration history has {len(heads)} heads; expected 1")
    return heads[0]


def stored_revision(connection: psycopg.Connection[TupleRow]) -> str | None:
    """The revision recorded in `chat.alembic_version` (None: chatdesk was never set up here)."""
    row = connection.execute("SELECT to_regclass('chat.alembic_version') IS NOT NULL").fetchone()
    if row is None or not row[0]:
        return None
    found = connection.execute("SELECT version_num FROM chat.alembic_version").fetchone()
    return str(found[0]) if found else None


def has_files(connection: psycopg.Connection[TupleRow]) -> bool:
    """Whether the server's schema has team files (revision 0003 on)."""
    return connection.execute("SELECT to_regclass('chat.files')").fetchone() != (None,)


def check_known(revision: str | None) -> None:
    """Refuse a schema written by a newer chatdesk: upgrading chatdesk is the way forward."""
    from alembic.script import ScriptDirectory

    if revision is None:
        return
    script = ScriptDirectory.from_config(alembic_config())
    try:
        known = script.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for unknown ids
        known = False
    if not known:
        raise SchemaTooNew(
            tr(
                "the server's chatdesk schema is at revision {revision}, which "
                "this chatdesk does not know: it was set up by a newer chatdesk. "
                "Administer it with that version.",
                revision=revision,
            )
        )


def bootstrap(connection: Connection) -> None:
    """Roles and the empty schema; refuses look-alikes that chatdesk did not make."""
    from sqlalchemy import text

    # Every lock init takes (this one, then the migrations' table locks) waits at most
    # LOCK_WAIT: a member's session holding one makes init fail naming it, never wait forever.
    connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
    connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('chatdesk server init'))"))
    connection.execute(text(_ROLES))
    connection.execute(text(_NOT_FOR_EVERYONE))
    unsafe = sorted({str(row[0]) for row in connection.execute(text(_UNSAFE_GROUP_ROLES))})
    if unsafe:
        raise SchemaConflict(
            ntr(
                "the role {roles} already exists with more rights than chatdesk gives it "
                "(login, superuser, BYPASSRLS, CREATEROLE, CREATEDB, REPLICATION, or the member "
                "role inside the owner role). Fix or drop it, then run init again.",
                "the roles {roles} already exist with more rights than chatdesk gives them "
                "(login, superuser, BYPASSRLS, CREATEROLE, CREATEDB, REPLICATION, or the member "
                "role inside the owner role). Fix or drop them, then run init again.",
                len(unsafe),
                roles=", ".join(unsafe),
            )
        )
    owner = connection.execute(text(_SCHEMA_OWNER)).scalar()
    if owner is None:
        connection.execute(text("CREATE SCHEMA chat AUTHORIZATION chatdesk_owner"))
    elif owner != OWNER:
        raise SchemaConflict(
            tr(
                "this database already has a schema 'chat' owned by {owner}, not "
                "made by chatdesk. Set chatdesk up in a database of its own.",
                owner=owner,
            )
        )
    # PostgreSQL < 15 lets everyone create objects in `public`; members must not, and in a
    # database of chatdesk's own nobody else needs to (15 and later already default to this).
    if connection.execute(text("SELECT to_regnamespace('public')")).scalar() is not None:
        connection.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
    # Nor temporary tables: a member needs none, and a login in no team may make nothing.
    # Administrators' purges use them.
    connection.execute(
        text(
            "DO $$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC; "
            "GRANT TEMPORARY ON DATABASE %I TO chatdesk_owner', current_database(), "
            "current_database()); END $$"
        )
    )


def upgrade(dsn: str, target: str = "head") -> Revisions:
    """Create or upgrade the schema behind `dsn` (an administrator's) to this chatdesk's head
    (or to `target`, an older revision, which only tests of the upgrade path ask for)."""
    from alembic import command
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    from chatdesk.core.sync.server.connection import connect

    engine = create_engine(
        "postgresql+psycopg://", creator=lambda: connect(dsn), poolclass=NullPool
    )
    try:
        with engine.begin() as connection:
            raw = cast("psycopg.Connection[TupleRow]", connection.connection.driver_connection)
            before = stored_revision(raw)
            check_known(before)
            bootstrap(connection)
            if before is not None and before != head_revision():
                _hold_members(connection)
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, target)
            after = stored_revision(raw)
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            raise LockedOut(_who_holds(dsn)) from error
        raise
    finally:
        engine.dispose()
    return Revisions(before=before, after=after or head_revision())


def _hold_members(connection: Connection) -> None:
    """Before an existing schema changes: clients wait, then read the new protocol range.

    Every client reads `sync_meta` when it connects; locking it makes a client that connects
    now wait until the upgrade commits and then learn whether it may still sync. The member
    sessions already open are ended (their transactions roll back; nothing they pushed
    half-way counts), so no client goes on with statements meant for the old schema."""
    from sqlalchemy import text

    connection.execute(text("LOCK TABLE chat.sync_meta IN ACCESS EXCLUSIVE MODE"))
    connection.execute(
        text(
            "SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a "
            "WHERE a.pid <> pg_backend_pid() AND a.datname = current_database() "
            "AND pg_has_role(a.usesysid, 'chatdesk_member', 'MEMBER') "
            "AND NOT pg_has_role(a.usesysid, 'chatdesk_owner', 'MEMBER')"
        )
    )


_LOCK_NOT_AVAILABLE = "55P03"


def _who_holds(dsn: str) -> str:
    from chatdesk.core.sync.server.connection import connect

    connection = connect(dsn)
    try:
        rows = connection.execute(_BLOCKERS).fetchall()
    finally:
        connection.close()
    holders = [_holder(pid, user, state, started) for pid, user, state, started in rows] or [
        tr("a session that has ended since")
    ]
    members = sorted({str(row[1]) for row in rows})
    ending = " ".join(f"`chatdesk server end-sessions {name}`" for name in members)
    if members:
        return tr(
            "init waited {wait} for locks held by {holders}, and changed nothing. "
            "End those sessions ({ending}, or pg_terminate_backend(pid)) and run init again.",
            wait=LOCK_WAIT,
            holders="; ".join(holders),
            ending=ending,
        )
    return tr(
        "init waited {wait} for locks held by {holders}, and changed nothing. Run init again.",
        wait=LOCK_WAIT,
        holders="; ".join(holders),
    )


def _holder(pid: object, user: object, state: object, started: datetime | None) -> str:
    """A session holding a lock, for `_who_holds`."""
    state = state or tr("connected")
    if started:
        return tr(
            "{user} (pid {pid}, {state}, in a transaction since {since})",
            user=user,
            pid=pid,
            state=state,
            since=f"{started:%Y-%m-%d %H:%M:%S %Z}",
        )
    return tr("{user} (pid {pid}, {state})", user=user, pid=pid, state=state)
