"""Administering a team server: the schema, teams, people, the room for files, and old
tombstones.

`ServerAdmin(dsn)` connects as an administrator: a superuser (required for `init`, which makes
roles), or for the rest a role granted `chatdesk_owner` that has CREATEROLE (and, on
PostgreSQL 16 and later, ADMIN OPTION on `chatdesk_member`). Each call is one transaction.

Passwords never travel in clear: a new member's password is turned into a SCRAM verifier on
this machine (libpq's PQencryptPasswordConn) before it is sent, so it cannot land in the
server's statement log (`roles.py`). A generated password is returned once and kept nowhere.
What the status shows is read by `status.py`; tombstones are purged by `purge.py`.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from chatdesk.core.i18n import tr
from chatdesk.core.sync.server import schema
from chatdesk.core.sync.server.connection import connect
from chatdesk.core.sync.server.errors import (
    BadServerRequest,
    NotServerAdmin,
    SchemaMissing,
    ServerError,
    ServerUnreachable,
)
from chatdesk.core.sync.server.purge import PurgeReport, hlc_before, purge_team
from chatdesk.core.sync.server.roles import (
    GENERATED_PASSWORD_BYTES,
    MEMBER_ROLES,
    MemberRole,
    allow_login,
    bound_idle_members,
    check_member_name,
    create_member_role,
    drop_login,
    end_sessions,
    existing_role,
    require_admin,
    require_superuser,
    set_password,
    shut_out,
)
from chatdesk.core.sync.server.status import ServerStatus, read_clients, read_problems, read_teams
from chatdesk.core.sync.server.teams import Team, all_teams, announce, find_team

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow

    Connection = psycopg.Connection[TupleRow]


@dataclass(frozen=True)
class AddedMember:
    team: Team
    member: str
    role: MemberRole
    created_role: bool  # a new login role was made (else an existing one joined the team)
    password: str | None  # the generated password, shown once; None when given or unchanged


@dataclass(frozen=True)
class RemovedMember:
    removed: bool  # they were in the team (else nothing changed)
    # What became of their login, now in no team: "kept" (still in another team),
    # "shut out" (may not log in, sessions ended, role kept) or "dropped".
    login: str


@dataclass(frozen=True)
class InitReport:
    before: str | None
    after: str
    problems: tuple[str, ...]


class ServerAdmin:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn

    # -- schema ------------------------------------------------------------------------------

    def init(self) -> InitReport:
        """Create the schema, or upgrade it to this chatdesk's revision (idempotent)."""
        from sqlalchemy.exc import DBAPIError

        with self._transaction() as connection:
            require_superuser(connection)
        try:
            revisions = schema.upgrade(self._dsn)
        except DBAPIError as error:
            raise _refusal(error.orig or error) from error
        with self._transaction() as connection:
            bound_idle_members(connection)
            problems = read_problems(connection)
        return InitReport(revisions.before, revisions.after, problems)

    # -- teams and people --------------------------------------------------------------------

    def add_team(self, name: str) -> Team:
        name = name.strip()
        if not name:
            raise BadServerRequest(tr("a team needs a name"))
        with self._admin() as connection:
            if connection.execute("SELECT 1 FROM chat.teams WHERE name = %s", (name,)).fetchone():
                raise BadServerRequest(tr("there is already a team named {name}", name=repr(name)))
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
        check_member_name(member)
        if role not in MEMBER_ROLES:
            raise BadServerRequest(
                tr("a member's role is one of {roles}", roles=", ".join(MEMBER_ROLES))
            )
        if password is not None and not password:
            raise BadServerRequest(tr("an empty password cannot be used"))
        with self._admin() as connection:
            found = find_team(connection, team)
            existing = existing_role(connection, member)
            generated = None
            if existing is None:
                generated = password is None
                secret = password or secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
                create_member_role(connection, member, secret)
            else:
                allow_login(connection, member)  # a member removed from every team before
                if password is not None:
                    set_password(connection, member, password)
            connection.execute(
                "INSERT INTO chat.team_members (team_id, member, role) VALUES (%s, %s, %s) "
                "ON CONFLICT (team_id, member) DO UPDATE SET role = EXCLUDED.role",
                (found.id, member, role),
            )
            announce(connection, found)
        return AddedMember(
            team=found,
            member=member,
            role=role,
            created_role=existing is None,
            password=secret if generated else None,
        )

    def set_files_quota(self, team: str, size: int) -> Team:
        """How many bytes of attachment files `team` may keep on the server. Files already
        there stay when the quota falls below them; new ones are refused until it fits."""
        if size < 0:
            raise BadServerRequest(tr("a quota is zero bytes or more"))
        with self._admin() as connection:
            if not schema.has_files(connection):
                raise BadServerRequest(
                    tr("this server's schema predates team files: run `chatdesk server init` first")
                )
            found = find_team(connection, team)
            connection.execute(
                "UPDATE chat.teams SET files_quota_bytes = %s WHERE id = %s", (size, found.id)
            )
        return found

    def remove_member(self, team: str, member: str, *, drop_role: bool = False) -> RemovedMember:
        """Take `member` out of `team` (their pushed rows stay, with them as the author). A
        member now in no team is shut out: their login may not log in any more and their open
        sessions end; the role stays (it names the author of what they wrote) unless
        `drop_role`, which drops it with everything it owns. Adding them again lets them in."""
        with self._admin() as connection:
            found = find_team(connection, team)
            removed = connection.execute(
                "DELETE FROM chat.team_members WHERE team_id = %s AND member = %s",
                (found.id, member),
            ).rowcount
            announce(connection, found)
            login = "kept"
            still = connection.execute(
                "SELECT 1 FROM chat.team_members WHERE member = %s LIMIT 1", (member,)
            ).fetchone()
            # Someone who was not in the team is left as they are (another application's
            # login, say), unless their role is to be dropped as asked.
            if still is None and (removed or drop_role) and existing_role(connection, member):
                if drop_role:
                    drop_login(connection, member)
                    login = "dropped"
                else:
                    shut_out(connection, member)
                    login = "shut out"
        return RemovedMember(removed=removed > 0, login=login)

    def end_sessions(self, member: str) -> int:
        """End every open session of a chatdesk member (one that holds a transaction open or
        a lock, say); they may log in again. How many were ended."""
        with self._admin() as connection:
            if existing_role(connection, member) is None:
                raise BadServerRequest(
                    tr("there is no chatdesk member named {member}", member=repr(member))
                )
            return end_sessions(connection, member)

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
                teams=read_teams(connection),
                clients=read_clients(connection),
                problems=read_problems(connection),
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
            raise BadServerRequest(tr("say which tombstones: older than some days, or a version"))
        cutoff = hlc_before(older_than) if older_than is not None else None
        with self._admin() as connection:
            chosen = [find_team(connection, team)] if team else all_teams(connection)
            return [purge_team(connection, t, cutoff, below_version) for t in chosen]

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
            require_admin(connection)
            revision = schema.stored_revision(connection)
            if revision is None:
                raise SchemaMissing(
                    tr(
                        "this database has no chatdesk schema yet: run `chatdesk server "
                        "init` first, as a superuser, against the database chatdesk should "
                        "use"
                    )
                )
            schema.check_known(revision)
            yield connection


def _refusal(error: BaseException) -> ServerError:
    """A server-side failure in the middle of a command, as an error that says what to do."""
    import psycopg

    reason = " ".join(str(error).split())
    if isinstance(error, psycopg.errors.InsufficientPrivilege):
        return NotServerAdmin(
            tr(
                "the server refused: {reason}. Connect as a superuser, or as a "
                "role granted chatdesk_owner with CREATEROLE (on PostgreSQL 16 and "
                "later also with ADMIN OPTION on chatdesk_member). Nothing was "
                "changed.",
                reason=reason,
            )
        )
    if isinstance(error, psycopg.OperationalError):
        return ServerUnreachable(
            tr(
                "the connection to the server failed: {reason}. The command's "
                "transaction was rolled back unless it had already committed; "
                "check with `chatdesk server status`.",
                reason=reason,
            )
        )
    return ServerError(tr("the server refused: {reason}. Nothing was changed.", reason=reason))
