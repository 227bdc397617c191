"""What `chatdesk server status` shows: the server, its teams and members, the clients that
synced, and anything in the catalogs that would let a member do more than the contract allows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from chatdesk.core.sync.server import schema

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow

    Connection = psycopg.Connection[TupleRow]


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
    files_bytes: int = 0  # the team's attachment files on the server
    files_quota: int | None = None  # what they may take (None: the schema predates files)


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


def read_teams(connection: Connection) -> tuple[TeamStatus, ...]:
    teams = connection.execute(
        "SELECT t.id, t.name, c.version, c.purged_below FROM chat.teams t "
        "JOIN chat.team_clock c ON c.team_id = t.id ORDER BY t.name"
    ).fetchall()
    members = connection.execute(
        "SELECT team_id, member, role, added_at FROM chat.team_members ORDER BY member"
    ).fetchall()
    files: dict[object, tuple[int, int]] = {}
    if schema.has_files(connection):
        rows = connection.execute(
            "SELECT t.id, coalesce(sum(f.size), 0), t.files_quota_bytes FROM chat.teams t "
            "LEFT JOIN chat.files f ON f.team_id = t.id GROUP BY t.id"
        ).fetchall()
        files = {row[0]: (int(row[1]), int(row[2])) for row in rows}
    return tuple(
        TeamStatus(
            id=uuid.UUID(str(team_id)),
            name=str(name),
            version=int(version),
            purged_below=int(purged),
            members=tuple(
                MemberStatus(str(m[1]), str(m[2]), m[3]) for m in members if m[0] == team_id
            ),
            files_bytes=files.get(team_id, (0, 0))[0],
            files_quota=files[team_id][1] if team_id in files else None,
        )
        for team_id, name, version, purged in teams
    )


def read_clients(connection: Connection) -> tuple[ClientStatus, ...]:
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
SELECT format('members can create objects in schema %%I', nspname)
FROM pg_namespace
WHERE has_schema_privilege('chatdesk_member', oid, 'CREATE')
UNION ALL
SELECT 'members can create schemas in this database'
WHERE has_database_privilege('chatdesk_member', current_database(), 'CREATE')
UNION ALL
SELECT 'members can create temporary tables in this database: run `chatdesk server init` again'
WHERE has_database_privilege('chatdesk_member', current_database(), 'TEMPORARY')
UNION ALL
SELECT format('%%I is in chatdesk_member but can bypass row-level security '
              '(superuser, BYPASSRLS or chatdesk_owner)', r.rolname)
FROM pg_roles r JOIN inside USING (oid)
WHERE r.rolsuper OR r.rolbypassrls OR pg_has_role(r.oid, 'chatdesk_owner', 'MEMBER')
UNION ALL
SELECT format('table chat.%%I does not force row-level security', relname)
FROM pg_class
WHERE relnamespace = 'chat'::regnamespace AND relkind IN ('r', 'p')
  AND NOT (relrowsecurity AND relforcerowsecurity)
UNION ALL
SELECT 'a role chatdesk_gateway exists: it may act as any member it names'
WHERE EXISTS (SELECT FROM pg_roles WHERE rolname = 'chatdesk_gateway')
UNION ALL
SELECT DISTINCT format('the membership of %%I names no login: a login made with that name '
                       'would join its teams (use remove-member)', member)
FROM chat.team_members m
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = m.member)
UNION ALL
SELECT format('the public may still call %%s: run `chatdesk server init` again',
              p.oid::regprocedure)
FROM pg_proc p
WHERE p.oid IN ('pg_catalog.pg_advisory_lock(bigint)'::regprocedure,
                'pg_catalog.lo_create(oid)'::regprocedure)
  AND has_function_privilege('public', p.oid, 'EXECUTE')
UNION ALL
SELECT format('%%I''s session (pid %%s) has held a transaction open since %%s, which stalls '
              'team sync and the administrator''s commands: `chatdesk server end-sessions %%s` '
              'ends it', a.usename, a.pid, date_trunc('second', a.xact_start), a.usename)
FROM pg_stat_activity a
WHERE a.xact_start < now() - %(long)s::interval AND a.pid <> pg_backend_pid()
  AND pg_has_role(a.usesysid, 'chatdesk_member', 'MEMBER')
  AND NOT pg_has_role(a.usesysid, 'chatdesk_owner', 'MEMBER')
"""


LONG_TRANSACTION = "1 minute"  # a member's transaction open longer than this is shown


def read_problems(connection: Connection) -> tuple[str, ...]:
    """What would let a member do more than the contract allows, found in the catalogs, and
    member sessions that hold a transaction open for long."""
    rows = connection.execute(_PROBLEMS, {"long": LONG_TRANSACTION}).fetchall()
    return tuple(str(row[0]) for row in rows)
