"""Connecting to a team server: TLS by default for remote hosts, errors that say what to do.

A DSN is anything libpq takes (`host=db.example.com dbname=chatdesk user=postgres` or a
`postgresql://` URL); PG* environment variables and ~/.pgpass apply as usual. When neither the
DSN nor PGSSLMODE names an sslmode, a remote host gets `sslmode=verify-full` (TLS, the
certificate checked against the root in `sslrootcert` or ~/.postgresql/root.crt, and the host
name checked against it). When every host and hostaddr is a local socket, localhost, 127.0.0.1
or ::1, libpq's default (`prefer`) stays: TLS on a loopback protects nothing an attacker on the
same machine could not read. A remote name behind a local address (a tunnel) is remote.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from chatdesk.core.i18n import tr
from chatdesk.core.sync.server.errors import (
    ServerError,
    ServerLoginFailed,
    ServerTLSError,
    ServerUnreachable,
)

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow

LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})
DEFAULT_CONNECT_TIMEOUT_S = 10

_TLS_WORDS = ("ssl", "certificate", "tls")
_LOGIN_WORDS = (
    "password authentication failed",
    "authentication failed",
    "does not exist",
    "no password supplied",
    "pg_hba.conf",
)


def is_local(host: str) -> bool:
    """Whether a libpq host names this machine (a socket directory, loopback, or nothing)."""
    return host in LOCAL_HOSTS or host.startswith(("/", "@"))


def effective_dsn(dsn: str) -> str:
    """The DSN with chatdesk's defaults: verify-full for remote hosts, a connect timeout."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        given = conninfo_to_dict(dsn)
    except Exception as error:  # psycopg raises ProgrammingError with libpq's reason
        raise ServerError(tr("the server address cannot be read: {error}", error=error)) from error
    extra: dict[str, str | int] = {}
    if "sslmode" not in given and "PGSSLMODE" not in os.environ:
        names = str(given.get("host") or os.environ.get("PGHOST", ""))
        addresses = str(given.get("hostaddr") or os.environ.get("PGHOSTADDR", ""))
        # Local only when every name and every address is: a name of another machine reached
        # through a local address (a tunnel, a proxy) still gets its certificate checked.
        if not all(is_local(h.strip()) for h in f"{names},{addresses}".split(",")):
            extra["sslmode"] = "verify-full"
    if "connect_timeout" not in given and "PGCONNECT_TIMEOUT" not in os.environ:
        extra["connect_timeout"] = DEFAULT_CONNECT_TIMEOUT_S
    return make_conninfo(dsn, **extra) if extra else dsn


def connect(dsn: str, *, autocommit: bool = False) -> psycopg.Connection[TupleRow]:
    """An open connection, or a typed error naming the likely cause and the fix."""
    import psycopg

    target = effective_dsn(dsn)
    try:
        return psycopg.connect(target, autocommit=autocommit, application_name="chatdesk-admin")
    except psycopg.OperationalError as error:
        raise connection_error(str(error), _where(target)) from error


def connection_error(reason: str, where: str) -> ServerError:
    """A libpq connection failure as the error a person can act on."""
    text = " ".join(reason.split())
    lowered = text.lower()
    if any(word in lowered for word in _TLS_WORDS) or "no encryption" in lowered:
        return ServerTLSError(
            tr(
                "cannot set up TLS with {where}: {text}. For a remote server "
                "chatdesk requires sslmode=verify-full: give the team's root "
                "certificate with sslrootcert=FILE (or put it in "
                "~/.postgresql/root.crt), and make sure the server's certificate "
                "names the host you connect to. Set sslmode in the DSN only if you "
                "know why.",
                where=where,
                text=text,
            )
        )
    if any(word in lowered for word in _LOGIN_WORDS):
        return ServerLoginFailed(
            tr(
                "{where} refused the login: {text}. Check the user name, the "
                "password (PGPASSWORD or ~/.pgpass), the database name, and that "
                "pg_hba.conf lets this user in.",
                where=where,
                text=text,
            )
        )
    return ServerUnreachable(
        tr(
            "cannot connect to {where}: {text}. Check the host and port, that "
            "PostgreSQL is running there and that no firewall is in the way.",
            where=where,
            text=text,
        )
    )


def _where(dsn: str) -> str:
    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(dsn)
    host = str(parts.get("host") or os.environ.get("PGHOST") or tr("the local socket"))
    port = str(parts.get("port") or os.environ.get("PGPORT") or "5432")
    return tr("the server at {host} port {port}", host=host, port=port)
