"""Signing in to remote MCP servers (OAuth 2.1 as MCP specifies; decision 0053), reached as
`service.tools.signin`.

`login` is the one place a browser is opened: at the user's word (Preferences ▸ Tools, `chatdesk
tools login`). It listens on a loopback port, opens the authorization address with Python's
`webbrowser` (so `BROWSER` is honoured) and hands the same address to the caller to show, for a
machine with no browser, then waits for the one answer. A server's session uses `auth_for`:
the kept tokens, refreshed before they expire; when the server refuses them, or has none to
take, the session fails with `NeedsSignIn` and the server is marked as needing sign-in —
never a browser opened during a chat. The tokens go only to the server's own address (its
session's HTTP client) and, to be refreshed, to the token endpoint of the authorization
server that issued them; they are never logged, shown or written anywhere but the keyring.
Who signed in is read from the OpenID `id_token`, when the server gave one, for display only."""

from __future__ import annotations

import asyncio
import base64
import enum
import json
import logging
import webbrowser
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.tools.mcp import ServerUnavailable
from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.core.tools.signin_redirect import PATH, LoopbackRedirect, SignInFailed
from chatdesk.core.tools.signin_store import KeyringTokens, SignInKeys

if TYPE_CHECKING:
    import httpx2
    from mcp.shared.auth import AuthorizationCodeResult

    from chatdesk.core.secrets import KeyStore, SessionKeys
    from chatdesk.core.tools.signout import SignedOut

__all__ = [
    "NeedsSignIn",
    "SignIn",
    "SignInFailed",
    "SignInState",
    "SignInStatus",
]

log = logging.getLogger("chatdesk.tools")
LOGIN_TIMEOUT = 300.0  # seconds the browser has to come back
MAX_NAME = 120  # characters of a user's name shown


class NeedsSignIn(ServerUnavailable):
    """The server asks for a sign-in the user has not given (or it was refused)."""


class SignInState(enum.StrEnum):
    NONE = "none"  # not a remote server, or one that never asked
    SIGNED_IN = "signed-in"
    NEEDED = "needed"  # it asked, and holds no token it takes


@dataclass(frozen=True)
class SignInStatus:
    server: str
    state: SignInState
    who: str = ""  # the user's name or address, from the id_token; untrusted plain text
    authority: str = ""  # the authorization server's host

    @property
    def line(self) -> str:
        """What the server's row says."""
        if self.state is SignInState.SIGNED_IN:
            if self.who:
                return tr("Signed in as {who}", who=self.who)
            if self.authority:
                return tr("Signed in ({host})", host=self.authority)
            return tr("Signed in")
        if self.state is SignInState.NEEDED:
            return tr("Needs sign-in")
        return tr("Not signed in")


class SignIn:
    def __init__(
        self,
        server: Callable[[str], ServerConfig],
        keys: KeyStore | SessionKeys,
        renew: Callable[[str], Awaitable[None]],
        *,
        browser: Callable[[str], object] | None = None,
    ) -> None:
        self._server = server
        self.keys = SignInKeys(keys)
        self._renew = renew  # starts the server's session afresh, with the tokens kept now
        self._browser = browser or _open_browser
        self._needed: set[str] = set()  # servers that asked for a sign-in they did not get

    def status(self, name: str) -> SignInStatus:
        """Where the server's sign-in stands (reads the keyring: call it off the GUI thread)."""
        config = self._server(name)
        if config.transport is Transport.STDIO:
            return SignInStatus(name, SignInState.NONE)
        record = self.keys.read(config)
        if record.get("tokens"):
            who, host = _who(record.get("id_token")), urlsplit(record.get("issuer", "")).hostname
            return SignInStatus(name, SignInState.SIGNED_IN, who, host or "")
        # A server that refused its tokens keeps a record without them (`auth_for`).
        refused = name in self._needed or ("tokens" in record and not record["tokens"])
        state = SignInState.NEEDED if refused else SignInState.NONE
        return SignInStatus(name, state)

    async def described(self, name: str) -> SignInStatus:
        """`status`, read off the caller's thread (the keyring may be slow)."""
        return await asyncio.to_thread(self.status, name)

    def needed(self, server: str) -> str:
        """Why `server` refused this session: it needs a sign-in ("": it did not say so)."""
        return _how_to_sign_in(server) if server in self._needed else ""

    def auth_for(self, config: ServerConfig) -> httpx2.Auth:
        """The auth of a running session: kept tokens, never a browser (NeedsSignIn instead)."""
        from chatdesk.core.tools.signin_oauth import SessionOAuth

        async def refused() -> None:
            await asyncio.to_thread(self.keys.update, config, tokens=None, expires_at=None)
            self._needed.add(config.name)
            log.info("%s asks for a sign-in", config.name)
            raise NeedsSignIn(_how_to_sign_in(config.name))

        storage = KeyringTokens(self.keys, config, f"http://127.0.0.1{PATH}")
        return SessionOAuth(config, storage, refused)

    async def login(
        self,
        name: str,
        shown: Callable[[str], None] | None = None,
        *,
        within: float = LOGIN_TIMEOUT,
    ) -> SignInStatus:
        """Sign in through the browser; `shown` is given the address opened. SignInFailed
        says why it did not end signed in."""
        config = self._server(name)
        if config.transport is Transport.STDIO:
            raise InvalidRequest(
                tr("{server} runs on this computer: it has no sign-in", server=name)
            )
        record = await asyncio.to_thread(self.keys.read, config)
        redirect = LoopbackRedirect()
        port = await redirect.open(_registered_port(record) or 0)
        kept = {"client": record.get("client")} if port == _registered_port(record) else {}
        await asyncio.to_thread(self.keys.write, config, kept)  # a sign-in starts afresh
        try:
            issuer, found = await self._authorize(config, redirect, shown, within)
        finally:
            await redirect.close()
        record = await asyncio.to_thread(self.keys.update, config, issuer=issuer, metadata=found)
        if not record.get("tokens"):
            raise SignInFailed(
                tr("{server} did not ask for a sign-in: it is used as it is", server=name)
            )
        self._needed.discard(name)
        await self._renew(name)
        return await self.described(name)

    async def keep_client_secret(self, name: str, secret: str) -> None:
        """The secret of the server's pre-registered client, into the keyring."""
        await asyncio.to_thread(self.keys.keep_client_secret, self._server(name), secret)

    async def logout(self, name: str) -> SignedOut:
        """Revoke the server's tokens where it offers that, and forget them all the same (a
        pre-registered client stays set up); `SignedOut` says whether they were revoked."""
        from chatdesk.core.tools.signin_revoke import revoke

        config = self._server(name)
        record = await asyncio.to_thread(self.keys.read, config)
        client = await KeyringTokens(self.keys, config, f"http://127.0.0.1{PATH}").get_client_info()
        done = await revoke(name, record, client)
        await asyncio.to_thread(self.keys.forget, config)
        self._needed.discard(name)
        await self._renew(name)
        return done

    async def _authorize(
        self,
        config: ServerConfig,
        redirect: LoopbackRedirect,
        shown: Callable[[str], None] | None,
        within: float,
    ) -> tuple[str, dict[str, Any]]:
        """Sign in by the SDK's flow, through the browser and back to `redirect`; the issuer
        that signed the user in, and the metadata found."""
        from chatdesk.core.tools.signin_oauth import ChatdeskOAuth

        storage = KeyringTokens(self.keys, config, redirect.uri)

        async def open_browser(url: str) -> None:
            state = parse_qs(urlsplit(url).query).get("state", [""])[0]
            redirect.expect(state)
            if shown is not None:
                shown(url)
            await asyncio.to_thread(self._browser, url)

        async def came_back() -> AuthorizationCodeResult:
            from mcp.shared.auth import AuthorizationCodeResult

            answer = await redirect.answer(within)
            return AuthorizationCodeResult(code=answer.code, state=answer.state, iss=answer.iss)

        oauth = ChatdeskOAuth(config, storage, redirect.uri, open_browser, came_back)
        await _ask_without_token(config, oauth)
        return oauth.issuer, oauth.discovered()


async def _ask_without_token(config: ServerConfig, oauth: httpx2.Auth) -> None:
    """Ask the server once without a token, so that its 401 starts the SDK's flow (`oauth`);
    SignInFailed says why that flow did not end signed in."""
    import httpx2
    from mcp.client.auth import OAuthRegistrationError

    try:
        # Streamed, and left unread: an SSE address answers a stream that never ends.
        sse = config.transport is Transport.SSE
        async with (
            httpx2.AsyncClient(auth=oauth, timeout=30.0) as http,
            http.stream(
                "GET" if sse else "POST",
                config.url,
                headers=_HEADERS,
                json=None if sse else _PING,
            ),
        ):
            pass
    except (SignInFailed, asyncio.CancelledError):
        raise
    except OAuthRegistrationError:
        raise SignInFailed(
            tr(
                "{server} does not let chatdesk register itself: give the client ID its "
                "provider gave you (the server's form, or tools add --client-id)",
                server=config.name,
            )
        ) from None
    except Exception as error:
        raise SignInFailed(
            tr("Signing in to {server} failed: {reason}", server=config.name, reason=error)
        ) from None


_PING = {"jsonrpc": "2.0", "id": 0, "method": "ping"}
_HEADERS = {
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2025-06-18",
}


def _how_to_sign_in(server: str) -> str:
    return tr(
        "sign-in needed: sign in from Preferences ▸ Tools, or run chatdesk tools login {server}",
        server=server,
    )


def _open_browser(url: str) -> None:
    """The system browser, as Python's `webbrowser` finds it (`BROWSER` first)."""
    webbrowser.open(url)


def _registered_port(record: dict[str, Any]) -> int | None:
    """The loopback port chatdesk's registered client was given, to listen on it again (an
    authorization server may take only the exact address it registered)."""
    client = record.get("client") or {}
    for uri in client.get("redirect_uris") or ():
        parts = urlsplit(str(uri))
        if parts.hostname == "127.0.0.1" and parts.port:
            return parts.port
    return None


def _who(id_token: object) -> str:
    """The name in an OpenID `id_token`'s claims, read for display only (not verified: it
    decides nothing); "" when there is none."""
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        return ""
    payload = id_token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return ""
    if not isinstance(claims, dict):
        return ""
    for claim in ("email", "preferred_username", "name"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return "".join(c for c in value.strip() if c.isprintable())[:MAX_NAME]
    return ""
