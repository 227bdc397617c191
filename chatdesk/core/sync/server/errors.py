"""What can go wrong when administering a team server, each with what to do about it."""

from __future__ import annotations

from chatdesk.core.errors import ChatdeskError, InvalidRequest


class ServerError(ChatdeskError):
    """A team server could not be used as asked."""


class ServerUnreachable(ServerError):
    """No connection: wrong host or port, the server is down, or a firewall is in the way."""


class ServerLoginFailed(ServerError):
    """The server refused the user name or password (or pg_hba.conf has no entry for us)."""


class ServerTLSError(ServerError):
    """TLS was required and could not be set up or verified."""


class NotServerAdmin(ServerError):
    """The connected role may not administer chatdesk on this server."""


class SchemaMissing(ServerError):
    """The database has no chatdesk schema yet (`chatdesk server init` was not run)."""


class SchemaTooNew(ServerError):
    """The database's chatdesk schema is newer than this chatdesk."""


class LockedOut(ServerError):
    """Init could not take its locks in time: another session holds them (named)."""


class SchemaConflict(ServerError):
    """Something not made by chatdesk is in the way (a schema or role with our names)."""


class BadServerRequest(InvalidRequest):
    """An unknown team or member, a name that cannot be used, or a missing argument."""
