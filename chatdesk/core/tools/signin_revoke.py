"""Signing out of a remote MCP server: its tokens revoked at the authorization server that
issued them (RFC 7009), when that server says where (`revocation_endpoint` in the metadata
kept at sign-in), then forgotten here. The refresh token goes first (revoking it may end the
access token too), then the access token. A server that offers no revocation, or refuses it,
or cannot be reached, does not keep the tokens here: they are forgotten all the same, and the
user is told they may still be valid there. A token goes only to the revocation endpoint of
the server that issued it, in the request's body, and is never logged."""

from __future__ import annotations

import base64
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from chatdesk.core.i18n import tr
from chatdesk.core.tools.signout import SignedOut

if TYPE_CHECKING:
    from mcp.shared.auth import OAuthClientInformationFull

log = logging.getLogger("chatdesk.tools")
TIMEOUT = 15.0  # seconds the authorization server has to answer


async def revoke(
    server: str, record: dict[str, Any], client: OAuthClientInformationFull | None
) -> SignedOut:
    """Revoke the tokens of a server's sign-in `record` with the `client` they were issued to."""
    tokens = record.get("tokens") or {}
    given = [
        (hint, tokens[hint])
        for hint in ("refresh_token", "access_token")
        if isinstance(tokens.get(hint), str)
    ]
    if not given:
        return SignedOut(server)
    found = (record.get("metadata") or {}).get("authorization_server") or {}
    endpoint = found.get("revocation_endpoint")
    if not isinstance(endpoint, str) or urlsplit(endpoint).scheme not in ("http", "https"):
        return SignedOut(
            server, unrevoked=tr("its authorization server offers no way to revoke a sign-in")
        )
    if client is None:
        return SignedOut(server, unrevoked=tr("the client it signed in with is not known"))
    import httpx2

    try:
        async with httpx2.AsyncClient(timeout=TIMEOUT) as http:
            for hint, token in given:
                data, headers = _authenticated(client, {"token": token, "token_type_hint": hint})
                answer = await http.post(endpoint, data=data, headers=headers)
                if answer.status_code != 200:
                    log.info("%s did not revoke a token: HTTP %s", server, answer.status_code)
                    why = tr(
                        "its authorization server refused (HTTP {status})",
                        status=answer.status_code,
                    )
                    return SignedOut(server, unrevoked=why)
    except httpx2.HTTPError as error:
        log.info("%s could not be asked to revoke: %s", server, type(error).__name__)
        return SignedOut(server, unrevoked=tr("its authorization server could not be reached"))
    return SignedOut(server, revoked=True)


def _authenticated(
    client: OAuthClientInformationFull, data: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The request's form and headers, with the client's credentials as it authenticates to
    the token endpoint (RFC 7009 §2.1)."""
    data = {**data, "client_id": client.client_id or ""}
    secret, method = client.client_secret, client.token_endpoint_auth_method
    if secret and method == "client_secret_basic":
        pair = f"{quote(data['client_id'], safe='')}:{quote(secret, safe='')}"
        return data, {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
    # A public client sends an empty secret, which RFC 6749 §2.3.1 reads as none: the `mcp`
    # SDK's revocation endpoint refuses a request without the field.
    data["client_secret"] = secret or ""
    return data, {}
