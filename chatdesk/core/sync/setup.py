"""From the `[sync]` settings to a connection: the libpq connection string, and the password
kept in the OS keyring, bound to the server it was given for."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chatdesk.core.config import SyncSettings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.secrets import KeyStore

if TYPE_CHECKING:
    from chatdesk.core.sync.remote import Remote

_LOCAL = ("localhost", "127.0.0.1", "::1")


def configured(settings: SyncSettings) -> bool:
    return bool(settings.host.strip() and settings.user.strip())


def origin(settings: SyncSettings) -> str:
    return f"postgresql://{settings.host.strip()}:{settings.port}"


def key_name(settings: SyncSettings) -> str:
    return f"team-sync:{settings.user.strip()}"


def conninfo(settings: SyncSettings) -> str:
    """The libpq connection string (without the password)."""
    from psycopg.conninfo import make_conninfo

    host = settings.host.strip()
    if (
        settings.sslmode in ("prefer", "disable")
        and host not in _LOCAL
        and not host.startswith("/")
    ):
        raise ChatdeskError(
            tr(
                "sync.sslmode {sslmode} would send your password and chats to "
                "{host} unencrypted or unverified; use 'verify-full' for any "
                "server not on this machine.",
                sslmode=repr(settings.sslmode),
                host=host,
            )
        )
    values: dict[str, str | int] = {
        "host": host,
        "port": settings.port,
        "dbname": settings.database,
        "user": settings.user.strip(),
        "sslmode": settings.sslmode,
    }
    if settings.sslrootcert:
        values["sslrootcert"] = settings.sslrootcert
    return make_conninfo("", **values)


def save_password(keys: KeyStore, settings: SyncSettings, password: str) -> None:
    keys.set(key_name(settings), origin(settings), password)


def connector(settings: SyncSettings, keys: KeyStore) -> Callable[[], Remote] | None:
    """What the engine calls to connect; None when no server is set up."""
    if not configured(settings):
        return None

    def connect() -> Remote:
        from chatdesk.core.sync.remote import Remote

        # Without a password in the keyring, libpq's own sources apply (PGPASSWORD, ~/.pgpass,
        # a client certificate); the server says if none of them works.
        password = keys.get(key_name(settings), origin(settings)) if keys.available else None
        return Remote.open(conninfo(settings), password)

    return connect
