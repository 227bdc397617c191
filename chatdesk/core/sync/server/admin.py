"""Administering a team server: the schema, teams, people, and old tombstones.

`ServerAdmin(dsn)` connects as an administrator: a superuser (required for `init`, which makes
roles), or for the rest a role granted `chatdesk_owner` that has CREATEROLE (and, on
PostgreSQL 16 and later, ADMIN OPTION on `chatdesk_member`). Each call is one transaction.

Passwords never travel in clear: a new member's password is turned into a SCRAM verifier on
this machine (libpq's PQencryptPasswordConn) before it is sent, so it cannot land in the
server's statement log. A generated password is returned once and kept nowhere.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, LiteralString

from chatdesk.core.sync.server import schema
from chatdesk.core.sync.server.connection import connect
from chatdesk.core.sync.server.errors import (
    BadServerRequest,
    NotServerAdmin,
    SchemaMissing,
    ServerError,
    ServerUnreachable,
)

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow

    Connection = psycopg.Connection[TupleRow]

MemberRole = Literal["member", "admin"]
MEMBER_ROLES: tuple[MemberRole, ...] = ("member", "admin")
# Lower case only: what people type in psql then means the same role without quotes.
_ROLE_NAME = re.compile(r"[a-z][a-z0-9_.@-]{0,62}")
_RESERVED_PREFIXES = ("pg_", "chatdesk_")
GENERATED_PASSWORD_BYTES = 24  # 32 characters of URL-safe base64
# A member's client never idles inside a transaction for long; one that does (a laptop lid
# closed mid-push) would otherwise hold the team's clock row and stall everyone's pushes.
MEMBER_IDLE_IN_TRANSACTION = "5min"


@dataclass(frozen=True)
class Team:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class AddedMember:
    team: Team
    member: str
    role: MemberRole
    created_role: bool  # a new login role was made (else an existing one joined the team)
    password: str | None  # the generated password, shown once; None when given or unchanged


@dataclass(frozen=True)
class MemberStatus:
    name: str
    role: str
    added_at: datetime


@dataclass(frozen=True)
class TeamStatus:
    id: uuid.UUID
    name: str
    version: int
    purged_below: int
    members: tuple[MemberStatus, ...]


@dataclass(frozen=True)
class ClientStatus:
    node_id: uuid.UUID
    member: str
    last_op_seq: int
    protocol: int | None
    first_seen: datetime | None
    last_seen: datetime | None


@dataclass(frozen=True)
class ServerStatus:
    server_version: str
    database: str
    revision: str | None
    head: str
    protocols: tuple[int, int]
    teams: tuple[TeamStatus, ...]
    clients: tuple[ClientStatus, ...]
    problems: tuple[str, ...]


@dataclass(frozen=True)
class InitReport:
    before: str | None
    after: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class PurgeReport:
    team: Team
    threads: int
    messages: int
    summaries: int
    revisions: int
    purged_below: int


class ServerAdmin:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn

    # -- schema ------------------------------------------------------------------------------

    def init(self) -> InitReport:
        """Create the schema, or upgrade it to this chatdesk's revision (idempotent)."""
        from sqlalchemy.exc import DBAPIError

        with self._transaction() as connection:
            _require_superuser(connection)
        try:
            revisions = schema.upgrade(self._dsn)
        except DBAPIError as error:
            raise _refusal(error.orig or error) from error
        with self._transaction() as connection:
            problems = _problems(connection)
        return InitReport(revisions.before, revisions.after, problems)

    # -- teams and people --------------------------------------------------------------------

    def add_team(self, name: str) -> Team:
        name = name.strip()
        if not name:
            raise BadServerRequest("a team needs a name")
        with self._admin() as connection:
            if connection.execute("SELECT 1 FROM chat.teams WHERE name = %s", (name,)).fetchone():
                raise BadServerRequest(f"there is already a team named {name!r}")
            team = Team(uuid.uuid4(), name)
            connection.execute(
                "INSERT INTO chat.teams (id, name) VALUES (%s, %s)", (team.id, team.name)
            )
            connection.execute("INSERT INTO chat.team_clock (team_id) VALUES (%s)", (team.id,))
        return team

    def add_member(
        self,
        team: str,
        member: str,
        *,
        password: str | None = None,
        role: MemberRole = "member",
    ) -> AddedMember:
        """Put `member` in `team`, making their login role if it does not exist yet.

        A new role gets `password`, or a generated one that is returned. An existing chatdesk
        member keeps their password unless one is given.
        """
        _check_member_name(member)
        if role not in MEMBER_ROLES:
            raise BadServerRequest(f"a member's role is one of {', '.join(MEMBER_ROLES)}")
        if password is not None and not password:
            raise BadServerRequest("an empty password cannot be used")
        with self._admin() as connection:
            found = _team(connection, team)
            existing = _existing_role(connection, member)
            generated = None
            if existing is None:
                generated = password is None
                secret = password or secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
                _create_member_role(connection, member, secret)
            elif password is not None:
                _set_password(connection, member, password)
            connection.execute(
                "INSERT INTO chat.team_members (team_id, member, role) VALUES (%s, %s, %s) "
                "ON CONFLICT (team_id, member) DO UPDATE SET role = EXCLUDED.role",
                (found.id, member, role),
            )
            _announce(connection, found)
        return AddedMember(
            team=found,
            member=member,
            role=role,
            created_role=existing is None,
            password=secret if generated else None,
        )

    def remove_member(self, team: str, member: str, *, drop_role: bool = False) -> bool:
        """Take `member` out of `team` (their pushed rows stay). With `drop_role`, a role that
        is in no team any more is dropped and its open sessions ended. False: was not in it."""
        from psycopg import sql

        with self._admin() as connection:
            found = _team(connection, team)
            removed = connection.execute(
                "DELETE FROM chat.team_members WHERE team_id = %s AND member = %s",
                (found.id, member),
            ).rowcount
            _announce(connection, found)
            if drop_role and _existing_role(connection, member) is not None:
                still = connection.execute(
                    "SELECT 1 FROM chat.team_members WHERE member = %s LIMIT 1", (member,)
                ).fetchone()
                if still is None:
                    connection.execute(
                        sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(member))
                    )
                    connection.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                        (member,),
                    )
                    connection.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(member)))
        return removed > 0

    # -- looking -----------------------------------------------------------------------------

    def status(self) -> ServerStatus:
        with self._admin() as connection:
            revision = schema.stored_revision(connection)
            version = connection.execute("SHOW server_version").fetchone()
            database = connection.execute("SELECT current_database()").fetchone()
            meta = connection.execute(
                "SELECT min_protocol, max_protocol FROM chat.sync_meta WHERE id = 1"
            ).fetchone()
            return ServerStatus(
                server_version=str(version[0]) if version else "?",
                database=str(database[0]) if database else "?",
                revision=revision,
                head=schema.head_revision(),
                protocols=(int(meta[0]), int(meta[1])) if meta else (0, 0),
                teams=_teams(connection),
                clients=_clients(connection),
                problems=_problems(connection),
            )

    # -- tombstones --------------------------------------------------------------------------

    def purge_tombstones(
        self,
        *,
        older_than: timedelta | None = None,
        below_version: int | None = None,
        team: str | None = None,
    ) -> list[PurgeReport]:
        """Delete deleted threads, messages and summaries for good, with what hangs off them.

        A tombstone goes when it was deleted longer ago than `older_than` (by its deleted HLC)
        and/or its server version is below `below_version`. A deleted thread takes its
        messages and summaries; a deleted message takes its replies (the whole branch) and the
        summaries that cover it; revisions of everything purged go too. The team's
        `purged_below` then rises above every purged tombstone's version, so a client whose
        cursor is older syncs the team again from scratch instead of missing the deletes.
        """
        if older_than is None and below_version is None:
            raise BadServerRequest("say which tombstones: older than some days, or a version")
        cutoff = _hlc_before(older_than) if older_than is not None else None
        with self._admin() as connection:
            teams = [_team(connection, team)] if team else _all_teams(connection)
            return [_purge(connection, t, cutoff, below_version) for t in teams]

    # -- plumbing ----------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        import psycopg

        connection = connect(self._dsn)
        try:
            with connection.transaction():
                yield connection
        except psycopg.Error as error:
            raise _refusal(error) from error
        finally:
            connection.close()

    @contextmanager
    def _admin(self) -> Iterator[Connection]:
        """A transaction as an administrator, on a database that has the current schema."""
        with self._transaction() as connection:
            _require_admin(connection)
            revision = schema.stored_revision(connection)
            if revision is None:
                raise SchemaMissing(
                    "this database has no chatdesk schema yet: run `chatdesk server init` "
                    "first, as a superuser, against the database chatdesk should use"
                )
            schema.check_known(revision)
            yield connection


def _refusal(error: BaseException) -> ServerError:
    """A server-side failure in the middle of a command, as an error that says what to do."""
    import psycopg

    reason = " ".join(str(error).split())
    if isinstance(error, psycopg.errors.InsufficientPrivilege):
        return NotServerAdmin(
            f"the server refused: {reason}. Connect as a superuser, or as a role granted "
            "chatdesk_owner with CREATEROLE (on PostgreSQL 16 and later also with ADMIN OPTION "
            "on chatdesk_member). Nothing was changed."
        )
    if isinstance(error, psycopg.OperationalError):
        return ServerUnreachable(
            f"the connection to the server failed: {reason}. The command's transaction was "
            "rolled back unless it had already committed; check with `chatdesk server status`."
        )
    return ServerError(f"the server refused: {reason}. Nothing was changed.")


# -- checks --------------------------------------------------------------------------------


def _require_superuser(connection: Connection) -> None:
    row = connection.execute(
        "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    if not (row and row[0]):
        raise NotServerAdmin(
            "`chatdesk server init` creates roles and a schema: connect as a superuser "
            "(for example user=postgres) to run it. The other commands work for a role "
            "granted chatdesk_owner with CREATEROLE."
        )


def _require_admin(connection: Connection) -> None:
    row = connection.execute(
        "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    superuser, createrole = (bool(row[0]), bool(row[1])) if row else (False, False)
    owner = connection.execute(
        "SELECT pg_has_role(current_user, oid, 'USAGE') FROM pg_roles "
        "WHERE rolname = 'chatdesk_owner'"
    ).fetchone()
    if superuser or (owner and owner[0] and createrole):
        return
    raise NotServerAdmin(
        "this role may not administer chatdesk: connect as a superuser, or as a role "
        "granted chatdesk_owner that has CREATEROLE. Members' own logins never can."
    )


def _check_member_name(name: str) -> None:
    if not _ROLE_NAME.fullmatch(name) or name.startswith(_RESERVED_PREFIXES):
        raise BadServerRequest(
            f"{name!r} cannot be a member's name: use 1-63 lower-case letters, digits and "
            "_ . @ -, starting with a letter, and not starting with pg_ or chatdesk_"
        )


def _existing_role(connection: Connection, name: str) -> str | None:
    """None when no such role; the name when it is a plain chatdesk member; else refuses."""
    row = connection.execute(
        "SELECT rolsuper OR rolbypassrls OR rolcreaterole OR rolreplication, "
        "       pg_has_role(oid, 'chatdesk_member', 'MEMBER'), "
        "       pg_has_role(oid, 'chatdesk_owner', 'MEMBER') "
        "FROM pg_roles WHERE rolname = %s",
        (name,),
    ).fetchone()
    if row is None:
        return None
    powerful, member, owner = (bool(value) for value in row)
    if powerful or owner:
        raise BadServerRequest(
            f"the role {name!r} exists and has rights that bypass or administer row-level "
            "security (superuser, BYPASSRLS, CREATEROLE, REPLICATION or chatdesk_owner): a "
            "member must be a plain login. Choose another name."
        )
    if not member:
        raise BadServerRequest(
            f"the role {name!r} exists but is not a chatdesk member (someone else's login?). "
            f"Choose another name, or make it one first: GRANT chatdesk_member TO {name}."
        )
    return name


def _create_member_role(connection: Connection, name: str, password: str) -> None:
    from psycopg import sql

    connection.execute(
        sql.SQL(
            "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION "
            "NOBYPASSRLS PASSWORD {} IN ROLE chatdesk_member"
        ).format(sql.Identifier(name), sql.Literal(_verifier(connection, name, password)))
    )
    connection.execute(
        sql.SQL("ALTER ROLE {} SET idle_in_transaction_session_timeout = {}").format(
            sql.Identifier(name), sql.Literal(MEMBER_IDLE_IN_TRANSACTION)
        )
    )


def _set_password(connection: Connection, name: str, password: str) -> None:
    from psycopg import sql

    connection.execute(
        sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(name), sql.Literal(_verifier(connection, name, password))
        )
    )


def _verifier(connection: Connection, name: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of a password: what the server stores, never the password."""
    encrypted = connection.pgconn.encrypt_password(
        password.encode(), name.encode(), b"scram-sha-256"
    )
    return encrypted.decode()


def _team(connection: Connection, given: str) -> Team:
    """A team by name, or by id."""
    row = connection.execute(
        "SELECT id, name FROM chat.teams WHERE name = %s OR id::text = lower(%s)",
        (given, given),
    ).fetchone()
    if row is None:
        raise BadServerRequest(f"there is no team named {given!r} (see `chatdesk server status`)")
    return Team(uuid.UUID(str(row[0])), str(row[1]))


def _all_teams(connection: Connection) -> list[Team]:
    rows = connection.execute("SELECT id, name FROM chat.teams ORDER BY name").fetchall()
    return [Team(uuid.UUID(str(row[0])), str(row[1])) for row in rows]


def _announce(connection: Connection, team: Team) -> None:
    """Wake the team's clients (membership changed) without moving its version."""
    connection.execute(
        "UPDATE chat.team_clock SET version = version WHERE team_id = %s", (team.id,)
    )


def _teams(connection: Connection) -> tuple[TeamStatus, ...]:
    teams = connection.execute(
        "SELECT t.id, t.name, c.version, c.purged_below FROM chat.teams t "
        "JOIN chat.team_clock c ON c.team_id = t.id ORDER BY t.name"
    ).fetchall()
    members = connection.execute(
        "SELECT team_id, member, role, added_at FROM chat.team_members ORDER BY member"
    ).fetchall()
    return tuple(
        TeamStatus(
            id=uuid.UUID(str(team_id)),
            name=str(name),
            version=int(version),
            purged_below=int(purged),
            members=tuple(
                MemberStatus(str(m[1]), str(m[2]), m[3]) for m in members if m[0] == team_id
            ),
        )
        for team_id, name, version, purged in teams
    )


def _clients(connection: Connection) -> tuple[ClientStatus, ...]:
    rows = connection.execute(
        "SELECT node_id, member, last_op_seq, protocol, first_seen, last_seen "
        "FROM chat.sync_clients ORDER BY last_seen DESC NULLS LAST"
    ).fetchall()
    return tuple(
        ClientStatus(
            node_id=uuid.UUID(str(row[0])),
            member=str(row[1]),
            last_op_seq=int(row[2]),
            protocol=None if row[3] is None else int(row[3]),
            first_seen=row[4],
            last_seen=row[5],
        )
        for row in rows
    )


_PROBLEMS = """
WITH RECURSIVE inside (oid) AS (
    SELECT member FROM pg_auth_members WHERE roleid = 'chatdesk_member'::regrole
    UNION
    SELECT m.member FROM pg_auth_members m JOIN inside i ON m.roleid = i.oid
)
SELECT format('members can create objects in schema %I', nspname)
FROM pg_namespace
WHERE has_schema_privilege('chatdesk_member', oid, 'CREATE')
UNION ALL
SELECT 'members can create schemas in this database'
WHERE has_database_privilege('chatdesk_member', current_database(), 'CREATE')
UNION ALL
SELECT format('%I is in chatdesk_member but can bypass row-level security '
              '(superuser, BYPASSRLS or chatdesk_owner)', r.rolname)
FROM pg_roles r JOIN inside USING (oid)
WHERE r.rolsuper OR r.rolbypassrls OR pg_has_role(r.oid, 'chatdesk_owner', 'MEMBER')
UNION ALL
SELECT format('table chat.%I does not force row-level security', relname)
FROM pg_class
WHERE relnamespace = 'chat'::regnamespace AND relkind IN ('r', 'p')
  AND NOT (relrowsecurity AND relforcerowsecurity)
UNION ALL
SELECT 'a role chatdesk_gateway exists: it may act as any member it names'
WHERE EXISTS (SELECT FROM pg_roles WHERE rolname = 'chatdesk_gateway')
UNION ALL
SELECT DISTINCT format('the membership of %I names no login: a login made with that name '
                       'would join its teams (use remove-member)', member)
FROM chat.team_members m
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = m.member)
"""


def _problems(connection: Connection) -> tuple[str, ...]:
    """What would let a member do more than the contract allows, found in the catalogs."""
    return tuple(str(row[0]) for row in connection.execute(_PROBLEMS).fetchall())


# -- purging -------------------------------------------------------------------------------


def _hlc_before(age: timedelta) -> str:
    """The time part of an HLC written `age` ago: tombstones with a smaller one are older."""
    moment = datetime.now().astimezone() - age
    return f"{int(moment.timestamp() * 1000):013d}"


# A tombstone old enough to go: by its deleted HLC's time, and/or by its server version.
_CHOSEN = (
    "deleted AND (%(cutoff)s::text IS NULL OR left(deleted_hlc, 13) < %(cutoff)s::text) "
    "AND (%(below)s::bigint IS NULL OR server_version < %(below)s::bigint)"
)
_PURGE: tuple[LiteralString, ...] = (
    "CREATE TEMP TABLE purge_threads ON COMMIT DROP AS "
    "SELECT id, server_version FROM chat.threads WHERE team_id = %(team)s AND " + _CHOSEN,
    "CREATE TEMP TABLE purge_roots ON COMMIT DROP AS "
    "SELECT id, server_version FROM chat.messages WHERE team_id = %(team)s AND " + _CHOSEN,
    """
    CREATE TEMP TABLE purge_messages ON COMMIT DROP AS
    WITH RECURSIVE doomed (id) AS (
        SELECT id FROM purge_roots
        UNION
        SELECT id FROM chat.messages
        WHERE team_id = %(team)s AND thread_id IN (SELECT id FROM purge_threads)
        UNION
        SELECT m.id FROM chat.messages m JOIN doomed d ON m.parent_id = d.id
        WHERE m.team_id = %(team)s
    )
    SELECT id FROM doomed
    """,
    "CREATE TEMP TABLE purge_summaries ON COMMIT DROP AS "
    "SELECT id, server_version, " + _CHOSEN + " AS root FROM chat.summaries "
    "WHERE team_id = %(team)s AND ((" + _CHOSEN + ") "
    "OR thread_id IN (SELECT id FROM purge_threads) "
    "OR covers_through_message_id IN (SELECT id FROM purge_messages))",
    """
    DELETE FROM chat.revisions
    WHERE team_id = %(team)s AND (
        (entity = 'thread' AND entity_id IN (SELECT id FROM purge_threads))
        OR (entity = 'message' AND entity_id IN (SELECT id FROM purge_messages))
        OR (entity = 'summary' AND entity_id IN (SELECT id FROM purge_summaries)))
    """,
    "DELETE FROM chat.summaries WHERE team_id = %(team)s "
    "AND id IN (SELECT id FROM purge_summaries)",
    # Replies and their parents go in one statement: the self-reference is checked at its end.
    "DELETE FROM chat.messages WHERE team_id = %(team)s AND id IN (SELECT id FROM purge_messages)",
    "DELETE FROM chat.threads WHERE team_id = %(team)s AND id IN (SELECT id FROM purge_threads)",
)
_HORIZON = """
UPDATE chat.team_clock
SET purged_below = greatest(purged_below, coalesce((
    SELECT max(server_version) + 1 FROM (
        SELECT server_version FROM purge_threads
        UNION ALL SELECT server_version FROM purge_roots
        UNION ALL SELECT server_version FROM purge_summaries WHERE root) AS roots), 0))
WHERE team_id = %(team)s
RETURNING purged_below
"""


def _purge(
    connection: Connection, team: Team, cutoff: str | None, below: int | None
) -> PurgeReport:
    params = {"team": team.id, "cutoff": cutoff, "below": below}
    counts = [connection.execute(statement, params).rowcount for statement in _PURGE]
    row = connection.execute(_HORIZON, params).fetchone()
    return PurgeReport(
        team=team,
        revisions=counts[4],
        summaries=counts[5],
        messages=counts[6],
        threads=counts[7],
        purged_below=int(row[0]) if row else 0,
    )
