"""The secret values of the MCP servers (a stdio server's `env`, an HTTP server's `headers`),
in the OS keyring, never in the tools file, a log or an export. Each is stored under
`mcp/<server>/<name>` and bound, like an API key, to where it is sent: an HTTP server's origin;
for a stdio server, which runs on this machine, `http://localhost`. Without a keyring the values
are kept in memory for this session only, and the user is told so."""

from __future__ import annotations

import contextlib

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.logs import register_secret
from chatdesk.core.secrets import KeyStore, SessionKeys, origin_of
from chatdesk.core.tools.servers import ServerConfig, Transport

_LOCAL = "http://localhost"


class ServerSecrets:
    def __init__(self, keys: KeyStore | SessionKeys) -> None:
        self._keys = keys
        self.keys = keys  # the store the servers' sign-ins are kept in too
        self._session = SessionKeys()

    def keep(self, config: ServerConfig) -> list[str]:
        """Store the values `config` carries; notes for the user when they cannot be kept."""
        notes = []
        origin = _origin(config)
        for name, value in config.secrets.items():
            register_secret(value)
            try:
                self._keys.set(_key(config, name), origin, value)
            except ChatdeskError:
                self._session.set(_key(config, name), origin, value)
                notes.append(
                    tr(
                        "{server}: {name} is kept for this session only (no keyring); enter "
                        "it again after a restart",
                        server=config.name,
                        name=name,
                    )
                )
        return notes

    def values(self, config: ServerConfig) -> dict[str, str]:
        """What the server is started or called with: each named value found."""
        origin, found = _origin(config), {}
        for name in (*config.env_names, *config.header_names):
            key = _key(config, name)
            value = self._session.get(key, origin)
            if value is None:
                try:
                    value = self._keys.get(key, origin)
                except ChatdeskError:
                    value = None
            if value is not None:
                found[name] = value
        return found

    def forget(self, config: ServerConfig) -> None:
        for name in (*config.env_names, *config.header_names):
            self._session.delete(_key(config, name))
            with contextlib.suppress(ChatdeskError):
                self._keys.delete(_key(config, name))


def _key(config: ServerConfig, name: str) -> str:
    return f"mcp/{config.name}/{name}"


def _origin(config: ServerConfig) -> str:
    return _LOCAL if config.transport is Transport.STDIO else origin_of(config.url)
