"""Members' login roles on a team server: which names may be one, making a member's role with
its password sent only as a SCRAM verifier, and the checks that the connected role may
administer chatdesk at all."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from chatdesk.core.i18n import tr
from chatdesk.core.sync.server.errors import BadServerRequest, NotServerAdmin

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


def require_superuser(connection: Connection) -> None:
    row = connection.execute(
        "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    if not (row and row[0]):
        raise NotServerAdmin(
            tr(
                "`chatdesk server init` creates roles and a schema: connect as a "
                "superuser (for example user=postgres) to run it. The other "
                "commands work for a role granted chatdesk_owner with CREATEROLE."
            )
        )


def require_admin(connection: Connection) -> None:
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
        tr(
            "this role may not administer chatdesk: connect as a superuser, or "
            "as a role granted chatdesk_owner that has CREATEROLE. Members' "
            "own logins never can."
        )
    )


def check_member_name(name: str) -> None:
    if not _ROLE_NAME.fullmatch(name) or name.startswith(_RESERVED_PREFIXES):
        raise BadServerRequest(
            tr(
                "{name} cannot be a member's name: use 1-63 lower-case letters, "
                "digits and _ . @ -, starting with a letter, and not starting with "
                "pg_ or chatdesk_",
                name=repr(name),
            )
        )


def existing_role(connection: Connection, name: str) -> str | None:
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
            tr(
                "the role {name} exists and has rights that bypass or administer "
                "row-level security (superuser, BYPASSRLS, CREATEROLE, REPLICATION "
                "or chatdesk_owner): a member must be a plain login. Choose "
                "another name.",
                name=repr(name),
            )
        )
    if not member:
        raise BadServerRequest(
            tr(
                "the role {name} exists but is not a chatdesk member (someone "
                "else's login?). Choose another name, or make it one first: GRANT "
                "chatdesk_member TO {role}.",
                name=repr(name),
                role=name,
            )
        )
    return name


def create_member_role(connection: Connection, name: str, password: str) -> None:
    from psycopg import sql

    connection.execute(
        sql.SQL(
            "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION "
            "NOBYPASSRLS PASSWORD {} IN ROLE chatdesk_member"
        ).format(sql.Identifier(name), sql.Literal(verifier(connection, name, password)))
    )
    connection.execute(
        sql.SQL("ALTER ROLE {} SET idle_in_transaction_session_timeout = {}").format(
            sql.Identifier(name), sql.Literal(MEMBER_IDLE_IN_TRANSACTION)
        )
    )


def bound_idle_members(connection: Connection) -> int:
    """Give every member login that lacks it the idle-in-transaction bound (members made before
    chatdesk set it at creation); how many were changed."""
    from psycopg import sql

    rows = connection.execute(
        "SELECT r.rolname FROM pg_roles r "
        "JOIN pg_auth_members m ON m.member = r.oid AND m.roleid = 'chatdesk_member'::regrole "
        "WHERE NOT EXISTS (SELECT 1 FROM pg_db_role_setting s, unnest(s.setconfig) c "
        "                  WHERE s.setrole = r.oid AND s.setdatabase = 0 "
        "                  AND starts_with(c, 'idle_in_transaction_session_timeout='))"
    ).fetchall()
    for (name,) in rows:
        connection.execute(
            sql.SQL("ALTER ROLE {} SET idle_in_transaction_session_timeout = {}").format(
                sql.Identifier(name), sql.Literal(MEMBER_IDLE_IN_TRANSACTION)
            )
        )
    return len(rows)


def set_password(connection: Connection, name: str, password: str) -> None:
    from psycopg import sql

    connection.execute(
        sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(name), sql.Literal(verifier(connection, name, password))
        )
    )


def verifier(connection: Connection, name: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of a password: what the server stores, never the password."""
    encrypted = connection.pgconn.encrypt_password(
        password.encode(), name.encode(), b"scram-sha-256"
    )
    return encrypted.decode()


def allow_login(connection: Connection, name: str) -> None:
    """A member put (back) in a team may log in again, with the password they had."""
    from psycopg import sql

    connection.execute(sql.SQL("ALTER ROLE {} LOGIN").format(sql.Identifier(name)))


def shut_out(connection: Connection, name: str) -> None:
    """A member who may not log in any more: the role stays, NOLOGIN, and its open sessions
    end now (NOLOGIN alone leaves them running)."""
    from psycopg import sql

    connection.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(name)))
    end_sessions(connection, name)


def end_sessions(connection: Connection, name: str) -> int:
    """End every session of the member `name`; how many there were."""
    rows = connection.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s "
        "AND pid <> pg_backend_pid()",
        (name,),
    ).fetchall()
    return len(rows)


def drop_login(connection: Connection, name: str) -> None:
    """Drop a member's login role: shut out, then everything the role owns in this database
    dropped (a large object it made would keep the role from going), then the role."""
    from psycopg import sql

    shut_out(connection, name)
    connection.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
    connection.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
