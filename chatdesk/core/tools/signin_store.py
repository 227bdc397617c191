"""What signing in to a remote MCP server leaves behind, kept in the OS keyring and nowhere
else: the tokens, when they expire, the client the authorization server registered for
chatdesk, and who signed in. One record per server under `mcp/<server>/oauth`, bound like an
API key to the server's origin, and holding the server's whole address: a record made for
another address is not used (the server was moved or replaced: sign in again). A
pre-registered client's secret is kept beside it, under `mcp/<server>/oauth-client-secret`.
Without a keyring they are kept in memory for this session only.

`KeyringTokens` is the SDK's `TokenStorage` over one server's record."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import TYPE_CHECKING, Any

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.logs import register_secret
from chatdesk.core.secrets import KeyStore, SessionKeys, origin_of
from chatdesk.core.tools.servers import ServerConfig

if TYPE_CHECKING:
    from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

# A token is refreshed this long before the time it was said to expire (or half way through
# its life, when that is shorter), so a request is never sent with one that runs out on the way.
EARLY = 60.0


def early(expires_in: float) -> float:
    """How long before its end a token that lasts `expires_in` seconds is refreshed."""
    return min(EARLY, expires_in / 2)


_SECRET_FIELDS = ("access_token", "refresh_token", "id_token")


class SignInKeys:
    """The sign-in records of every server, in the keyring (or this session's memory)."""

    def __init__(self, keys: KeyStore | SessionKeys) -> None:
        self._keys = keys
        self._session = SessionKeys()
        self.session_only = False  # a record could only be kept in memory (no keyring)

    def read(self, config: ServerConfig) -> dict[str, Any]:
        """The server's record; empty when there is none or it was made for another address."""
        raw = self._get(_key(config), config)
        try:
            record = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return {}
        if not isinstance(record, dict) or record.get("url") != config.url:
            return {}
        _register(record)
        return record

    def write(self, config: ServerConfig, record: dict[str, Any]) -> None:
        record = {**record, "url": config.url}
        _register(record)
        text = json.dumps(record)
        try:
            self._keys.set(_key(config), origin_of(config.url), text)
        except ChatdeskError:
            self._session.set(_key(config), origin_of(config.url), text)
            self.session_only = True

    def update(self, config: ServerConfig, **values: Any) -> dict[str, Any]:
        record = self.read(config) | values
        self.write(config, record)
        return record

    def forget(self, config: ServerConfig) -> None:
        """Forget the tokens and the registered client (a pre-registered client's secret
        stays: it is part of the server's settings)."""
        self._delete(_key(config))

    def client_secret(self, config: ServerConfig) -> str | None:
        secret = self._get(_secret_key(config), config)
        if secret:
            register_secret(secret)
        return secret or None

    def keep_client_secret(self, config: ServerConfig, secret: str) -> None:
        register_secret(secret)
        try:
            self._keys.set(_secret_key(config), origin_of(config.url), secret)
        except ChatdeskError:
            self._session.set(_secret_key(config), origin_of(config.url), secret)

    def forget_all(self, config: ServerConfig) -> None:
        """The server is removed: nothing of its sign-in stays."""
        if not config.url:
            return
        self._delete(_key(config))
        self._delete(_secret_key(config))

    def _get(self, key: str, config: ServerConfig) -> str | None:
        origin = origin_of(config.url)
        value = self._session.get(key, origin)
        if value is None:
            try:
                value = self._keys.get(key, origin)
            except ChatdeskError:
                value = None
        return value

    def _delete(self, key: str) -> None:
        self._session.delete(key)
        with contextlib.suppress(ChatdeskError):
            self._keys.delete(key)


class KeyringTokens:
    """The SDK's `TokenStorage` for one server: its tokens and registered client, in the
    keyring. A pre-registered client (the server's `client_id`, its secret in the keyring) is
    given in place of a registered one."""

    def __init__(self, keys: SignInKeys, config: ServerConfig, redirect: str) -> None:
        self._keys = keys
        self._config = config
        self._redirect = redirect
        self.id_token: str | None = None  # the one the last token response carried

    async def get_tokens(self) -> OAuthToken | None:
        from mcp.shared.auth import OAuthToken

        record = await asyncio.to_thread(self._keys.read, self._config)
        tokens = record.get("tokens")
        return OAuthToken.model_validate(tokens) if isinstance(tokens, dict) else None

    async def set_tokens(self, tokens: OAuthToken) -> None:
        kept = tokens.model_dump(mode="json", exclude_none=True)
        expires = time.time() + int(tokens.expires_in) if tokens.expires_in else None
        values: dict[str, Any] = {"tokens": kept, "expires_at": expires}
        if self.id_token is not None:
            values["id_token"], self.id_token = self.id_token, None
        await asyncio.to_thread(self._keys.update, self._config, **values)

    async def expires_at(self) -> float | None:
        """When the kept access token is to be refreshed (None: it is not known to expire)."""
        record = await asyncio.to_thread(self._keys.read, self._config)
        expires, lasts = record.get("expires_at"), (record.get("tokens") or {}).get("expires_in")
        if not isinstance(expires, int | float):
            return None
        return float(expires) - early(lasts if isinstance(lasts, int | float) else EARLY * 2)

    async def discovered(self) -> dict[str, Any]:
        """The servers' metadata the sign-in found (`ChatdeskOAuth.discovered`)."""
        record = await asyncio.to_thread(self._keys.read, self._config)
        found = record.get("metadata")
        return found if isinstance(found, dict) else {}

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        from mcp.shared.auth import OAuthClientInformationFull

        config = self._config
        if config.client_id:
            secret = await asyncio.to_thread(self._keys.client_secret, config)
            return OAuthClientInformationFull(
                client_id=config.client_id,
                client_secret=secret,
                redirect_uris=[self._redirect],  # type: ignore[list-item]
                token_endpoint_auth_method="client_secret_post" if secret else "none",
            )
        record = await asyncio.to_thread(self._keys.read, config)
        client = record.get("client")
        return OAuthClientInformationFull.model_validate(client) if client else None

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        if self._config.client_id:
            return  # pre-registered: nothing to keep
        client = client_info.model_dump(mode="json", exclude_none=True)
        if client_info.client_secret:
            register_secret(client_info.client_secret)
        await asyncio.to_thread(self._keys.update, self._config, client=client)


def _register(record: dict[str, Any]) -> None:
    """Every secret a record holds is kept out of the logs from the moment it is known."""
    tokens = record.get("tokens") or {}
    for value in (*(tokens.get(name) for name in _SECRET_FIELDS), record.get("id_token")):
        if isinstance(value, str):
            register_secret(value)
    client = record.get("client")
    if isinstance(client, dict) and isinstance(client.get("client_secret"), str):
        register_secret(client["client_secret"])


def _key(config: ServerConfig) -> str:
    return f"mcp/{config.name}/oauth"


def _secret_key(config: ServerConfig) -> str:
    return f"mcp/{config.name}/oauth-client-secret"
