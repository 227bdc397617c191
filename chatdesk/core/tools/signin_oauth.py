"""The `mcp` SDK's OAuth client (`OAuthClientProvider`, an httpx auth) as chatdesk uses it.

The SDK does the protocol: protected-resource metadata (from the 401's `WWW-Authenticate`, or
the well-known paths), authorization-server metadata (RFC 8414 or OpenID), dynamic client
registration, the authorization request with PKCE (S256), `state` and the `resource`
parameter, the code exchange, refresh, and the check of the issuer. chatdesk adds, here: a
token is refreshed a minute before it expires (half way through a shorter life), also after
a restart (the SDK keeps the expiry in memory only, and refreshes once it has passed); the
metadata found at sign-in is kept, so that a refresh after a restart goes to the token
endpoint of the authorization server that issued the token; and the OpenID `id_token` a
token response may carry is kept, to say who signed in. Imported only when a remote server
is used."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

import httpx2
from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientMetadata,
    OAuthMetadata,
    ProtectedResourceMetadata,
)

from chatdesk.core.tools.servers import ServerConfig
from chatdesk.core.tools.signin_store import KeyringTokens, early

CLIENT_NAME = "chatdesk"


class ChatdeskOAuth(OAuthClientProvider):
    def __init__(
        self,
        config: ServerConfig,
        storage: KeyringTokens,
        redirect: str,
        redirect_handler: Callable[[str], Awaitable[None]],
        callback_handler: Callable[[], Awaitable[AuthorizationCodeResult]],
    ) -> None:
        metadata = OAuthClientMetadata(
            redirect_uris=[redirect],  # type: ignore[list-item]
            client_name=CLIENT_NAME,
            grant_types=["authorization_code", "refresh_token"],
            token_endpoint_auth_method="none",
        )
        super().__init__(config.url, metadata, storage, redirect_handler, callback_handler)
        self._tokens = storage

    @property
    def issuer(self) -> str:
        """The authorization server that signed the user in, as far as it is known."""
        metadata = self.context.oauth_metadata
        return str(metadata.issuer) if metadata is not None else self.context.auth_server_url or ""

    def discovered(self) -> dict[str, Any]:
        """What the sign-in found of the servers' metadata, to be kept with the tokens."""
        context, found = self.context, {}
        if context.oauth_metadata is not None:
            found["authorization_server"] = context.oauth_metadata.model_dump(mode="json")
        if context.protected_resource_metadata is not None:
            found["resource"] = context.protected_resource_metadata.model_dump(mode="json")
        return found

    async def _initialize(self) -> None:
        await super()._initialize()
        self.context.token_expiry_time = await self._tokens.expires_at()
        # The metadata found at sign-in: a refresh after a restart goes to the token endpoint
        # of the authorization server that issued the token (the SDK would otherwise guess
        # `/token` on the MCP server's own origin) and carries the `resource` parameter.
        found = await self._tokens.discovered()
        if found.get("authorization_server") and self.context.oauth_metadata is None:
            metadata = OAuthMetadata.model_validate(found["authorization_server"])
            self.context.oauth_metadata = metadata
            self.context.auth_server_url = str(metadata.issuer)
        if found.get("resource") and self.context.protected_resource_metadata is None:
            resource = ProtectedResourceMetadata.model_validate(found["resource"])
            self.context.protected_resource_metadata = resource

    async def _handle_token_response(self, response: httpx2.Response) -> None:
        if response.status_code in {200, 201}:
            self._tokens.id_token = _id_token(await response.aread())
        await super()._handle_token_response(response)
        self._early()

    async def _handle_refresh_response(self, response: httpx2.Response) -> bool:
        refreshed = await super()._handle_refresh_response(response)
        self._early()
        return refreshed

    def _early(self) -> None:
        tokens = self.context.current_tokens
        if self.context.token_expiry_time is not None and tokens and tokens.expires_in:
            self.context.token_expiry_time -= early(int(tokens.expires_in))


class SessionOAuth(ChatdeskOAuth):
    """A running session's auth: the kept tokens, refreshed as they near their end, and
    nothing more. When the server refuses the request (a 401, or a 403 asking for more
    scope), `refused` is awaited and raises: no discovery, no registration, no browser —
    signing in is the user's to start (`SignIn.login`)."""

    def __init__(
        self,
        config: ServerConfig,
        storage: KeyringTokens,
        refused: Callable[[], Awaitable[None]],
    ) -> None:
        async def never(url: str) -> None:  # pragma: no cover - the flow stops before it
            await refused()

        async def no_code() -> AuthorizationCodeResult:  # pragma: no cover - likewise
            await refused()
            raise AssertionError("unreachable")

        super().__init__(config, storage, _NOWHERE, never, no_code)
        self._refused = refused

    async def _auth_flow(
        self, request: httpx2.Request
    ) -> AsyncGenerator[httpx2.Request, httpx2.Response]:
        flow = super()._auth_flow(request)
        try:
            outgoing = await flow.__anext__()
            while True:
                response = yield outgoing
                if outgoing is request and _refusal(response):
                    await self._refused()
                outgoing = await flow.asend(response)
        except StopAsyncIteration:
            return
        finally:
            await flow.aclose()


_NOWHERE = "http://127.0.0.1/callback"  # a session never redirects anywhere


def _refusal(response: httpx2.Response) -> bool:
    if response.status_code == 401:
        return True
    challenge = response.headers.get("www-authenticate", "")
    return response.status_code == 403 and "insufficient_scope" in challenge


def _id_token(body: bytes) -> str | None:
    try:
        found = json.loads(body).get("id_token")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None
