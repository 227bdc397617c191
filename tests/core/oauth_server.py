"""A remote MCP server that needs sign-in, with its own authorization server, for the tests:
both on one port of 127.0.0.1, served in this process on a thread, written with the `mcp`
SDK's server-side pieces (`mcp/server/auth/`). The authorization server approves every
request at once, as a user would who clicks Allow, unless the test says the user refuses;
its tokens last as long as the test says; it can register clients (RFC 7591) or take only
the one pre-registered. Every request it receives is noted with its Authorization header,
so a test can see where a token was sent. A "browser" follows the authorization address
with an HTTP client, as a real one would."""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx2
import uvicorn
from mcp.server import MCPServer
from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    RefreshToken,
)
from mcp.server.auth.settings import AuthSettings, ClientRegistrationOptions, RevocationOptions
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken
from pydantic import AnyUrl

SCOPE = "tools"
PRE_ID, PRE_SECRET = "chatdesk-pre", "pre-registered-secret-7c1d"


class _AnyLoopbackPort(OAuthClientInformationFull):
    """A pre-registered native client: any port of 127.0.0.1 is its redirect (RFC 8252 §7.3)."""

    def validate_redirect_uri(self, redirect_uri: AnyUrl | None) -> AnyUrl:
        if redirect_uri is None or redirect_uri.host != "127.0.0.1":
            return super().validate_redirect_uri(redirect_uri)
        return redirect_uri


class IdToken(OAuthToken):
    id_token: str | None = None


@dataclass
class Authority:
    """The authorization server's state, which a test reads and changes."""

    lifetime: int = 3600  # seconds an access token lasts
    refuse: bool = False  # the user says no
    id_token: str | None = None
    clients: dict[str, OAuthClientInformationFull] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    access: dict[str, AccessToken] = field(default_factory=dict)
    refresh: dict[str, RefreshToken] = field(default_factory=dict)
    registered: int = 0
    authorized: int = 0
    refreshed: int = 0
    revoked: int = 0  # tokens revoked at the revocation endpoint

    def revoke_all(self) -> None:
        self.access.clear()
        self.refresh.clear()

    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        return self.clients.get(client_id)

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        self.registered += 1
        self.clients[client_info.client_id or ""] = client_info

    async def authorize(
        self, client: OAuthClientInformationFull, params: AuthorizationParams
    ) -> str:
        self.authorized += 1
        base = str(params.redirect_uri)
        if self.refuse:
            return f"{base}?{urlencode({'error': 'access_denied', 'state': params.state})}"
        code = secrets.token_urlsafe(24)
        self.codes[code] = AuthorizationCode(
            code=code,
            scopes=params.scopes or [SCOPE],
            expires_at=time.time() + 300,
            client_id=client.client_id or "",
            code_challenge=params.code_challenge,
            redirect_uri=params.redirect_uri,
            redirect_uri_provided_explicitly=params.redirect_uri_provided_explicitly,
            resource=params.resource,
        )
        return f"{base}?{urlencode({'code': code, 'state': params.state})}"

    async def load_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: str
    ) -> AuthorizationCode | None:
        return self.codes.get(authorization_code)

    async def exchange_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: AuthorizationCode
    ) -> OAuthToken:
        del self.codes[authorization_code.code]
        return self._issue(client, authorization_code.scopes, authorization_code.resource)

    async def load_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: str
    ) -> RefreshToken | None:
        return self.refresh.get(refresh_token)

    async def exchange_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: RefreshToken, scopes: list[str]
    ) -> OAuthToken:
        self.refreshed += 1
        del self.refresh[refresh_token.token]
        return self._issue(client, scopes or refresh_token.scopes, refresh_token.resource)

    async def load_access_token(self, token: str) -> AccessToken | None:
        found = self.access.get(token)
        if found is None or (found.expires_at is not None and found.expires_at < time.time()):
            return None
        return found

    async def revoke_token(self, token: AccessToken | RefreshToken) -> None:
        """RFC 7009 at the revocation endpoint: that one token ends."""
        self.revoked += 1
        self.access.pop(token.token, None)
        self.refresh.pop(token.token, None)

    def _issue(
        self, client: OAuthClientInformationFull, scopes: list[str], resource: str | None
    ) -> OAuthToken:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        expires = int(time.time()) + self.lifetime
        client_id = client.client_id or ""
        self.access[access] = AccessToken(
            token=access, client_id=client_id, scopes=scopes, expires_at=expires, resource=resource
        )
        self.refresh[refresh] = RefreshToken(
            token=refresh, client_id=client_id, scopes=scopes, resource=resource
        )
        return IdToken(
            access_token=access,
            expires_in=self.lifetime,
            scope=" ".join(scopes),
            refresh_token=refresh,
            id_token=self.id_token,
        )


@dataclass
class Remote:
    url: str  # the MCP endpoint
    authority: Authority
    seen: list[tuple[str, str]]  # (path, Authorization header) of every request


@contextmanager
def remote_server(
    *, registration: bool = True, sse: bool = False, revocation: bool = True
) -> Iterator[Remote]:
    """The server (Streamable HTTP at /mcp, or with `sse` the older transport at /sse),
    listening until the block ends; without `revocation`, it offers no revocation endpoint."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(64)
    base = f"http://127.0.0.1:{listening.getsockname()[1]}"
    authority = Authority()
    authority.clients[PRE_ID] = _AnyLoopbackPort(
        client_id=PRE_ID,
        client_secret=PRE_SECRET,
        redirect_uris=[AnyUrl("http://127.0.0.1/callback")],
        token_endpoint_auth_method="client_secret_post",
        scope=SCOPE,
    )
    server = MCPServer(
        "signin-test",
        auth_server_provider=authority,
        auth=AuthSettings(
            issuer_url=base,  # type: ignore[arg-type]
            resource_server_url=f"{base}/{'sse' if sse else 'mcp'}",  # type: ignore[arg-type]
            validate_token_resource=True,
            required_scopes=[SCOPE],
            client_registration_options=ClientRegistrationOptions(
                enabled=registration, valid_scopes=[SCOPE], default_scopes=[SCOPE]
            ),
            revocation_options=RevocationOptions(enabled=revocation),
        ),
    )

    @server.tool()
    def add(a: int, b: int) -> str:
        """Add two whole numbers."""
        return str(a + b)

    seen: list[tuple[str, str]] = []
    app = _noting(server.sse_app() if sse else server.streamable_http_app(), seen)
    served = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=_serve, args=(served, listening), daemon=True)
    thread.start()
    try:
        yield Remote(f"{base}/{'sse' if sse else 'mcp'}", authority, seen)
    finally:
        served.should_exit = True
        thread.join(30)
        listening.close()


def _serve(served: uvicorn.Server, listening: socket.socket) -> None:
    """On a loop of its own (a plain one, whatever policy the test's process set)."""
    with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as running:
        running.run(served.serve([listening]))


def _noting(app: Any, seen: list[tuple[str, str]]) -> Any:
    async def noted(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            seen.append((scope["path"], headers.get(b"authorization", b"").decode()))
        await app(scope, receive, send)

    return noted


class Browser:
    """Follows an authorization address as a browser would: the authorization server's answer
    (a redirect) leads back to the loopback address, or with `port` to another port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port
        self.opened: list[str] = []
        self.answers: list[int] = []

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        threading.Thread(target=self._follow, args=(url,), daemon=True).start()
        return True

    def _follow(self, url: str) -> None:
        with httpx2.Client(timeout=30) as http:
            answer = http.get(url)
            location = answer.headers.get("location")
            if answer.status_code not in (302, 303, 307) or not location:
                self.answers.append(answer.status_code)
                return
            if self.port is not None:
                parts = urlsplit(location)
                location = urlunsplit(parts._replace(netloc=f"127.0.0.1:{self.port}"))
            try:
                self.answers.append(http.get(location).status_code)
            except httpx2.HTTPError:
                self.answers.append(0)


def browser_that(follow: Callable[[str], None]) -> Callable[[str], bool]:
    def opened(url: str) -> bool:
        threading.Thread(target=follow, args=(url,), daemon=True).start()
        return True

    return opened
