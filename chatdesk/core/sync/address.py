"""A team server's address as one line: `host`, `host:port`, or a PostgreSQL URL such as
`postgresql://alice@team.example.org:5432/chatdesk?sslmode=verify-full`, read into the fields
of `[sync]` (and written back from them). Only what the line says is filled in; the rest keeps
what the caller has."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlsplit

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr

SCHEMES = ("postgresql", "postgres")
TLS_MODES = ("verify-full", "verify-ca", "require", "prefer", "disable")
DEFAULT_PORT = 5432


@dataclass(frozen=True)
class TeamAddress:
    host: str
    port: int | None = None
    database: str | None = None
    user: str | None = None
    password: str | None = None
    sslmode: str | None = None
    sslrootcert: str | None = None


def parse_address(text: str) -> TeamAddress:
    """The fields `text` names; InvalidRequest says what is wrong with it."""
    line = text.strip()
    if not line:
        raise InvalidRequest(tr("Enter the team's address."))
    if "://" not in line:
        line = f"postgresql://{line}"
    parts = urlsplit(line)
    if parts.scheme not in SCHEMES:
        raise InvalidRequest(
            tr("A team's address starts with postgresql:// (not {scheme}://).", scheme=parts.scheme)
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65_535:
        raise InvalidRequest(tr("The port in the address is not a number from 1 to 65535."))
    if not parts.hostname:
        raise InvalidRequest(tr("The address names no server."))
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    sslmode = query.get("sslmode")
    if sslmode is not None and sslmode not in TLS_MODES:
        raise InvalidRequest(tr("The address asks for an unknown TLS mode: {mode}.", mode=sslmode))
    database = unquote(parts.path.lstrip("/")) or None
    return TeamAddress(
        host=parts.hostname,
        port=port,
        database=database,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sslmode=sslmode,
        sslrootcert=query.get("sslrootcert"),
    )


def address_of(host: str, port: int, database: str, user: str) -> str:
    """The one line that names these fields (empty without a host); TLS stays in its own field."""
    if not host:
        return ""
    where = f"[{host}]" if ":" in host else host
    login = f"{quote(user, safe='')}@" if user else ""
    return f"postgresql://{login}{where}:{port}/{quote(database, safe='')}"
