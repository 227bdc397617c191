"""Signing out of a remote MCP server revokes its tokens at the authorization server that
issued them (RFC 7009), against the test's remote server and its authorization server
(`tests/core/oauth_server.py`): after it, the old refresh token is refused there; a server
that offers no revocation still has its tokens forgotten here, and the user is told."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx2
import pytest
import pytest_asyncio

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import tools_in
from chatdesk.core.tools.mcp import ServerUnavailable
from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.core.tools.service import Tools
from chatdesk.core.tools.signin import SignInState
from tests.core.oauth_server import PRE_ID, PRE_SECRET, Browser, Remote, remote_server
from tests.keyrings import MemoryKeyring

pytestmark = pytest.mark.asyncio


@pytest.fixture(params=[True, False], ids=["revocation", "no-revocation"])
def remote(request: pytest.FixtureRequest) -> Iterator[Remote]:
    with remote_server(revocation=request.param) as served:
        yield served


@pytest_asyncio.fixture
async def tools(config: Configuration, tmp_path: Path, remote: Remote) -> AsyncIterator[Tools]:
    made = tools_in(lambda: config.settings, config.paths.config_dir, log_dir=tmp_path / "logs")
    yield made
    await made.aclose()


async def _signed_in(tools: Tools, remote: Remote, client_id: str = "") -> tuple[str, str, str]:
    """Sign in; the refresh token, the access token and the client they were issued to."""
    config = ServerConfig("remote", Transport.HTTP, url=remote.url, client_id=client_id)
    await tools.add_server(config)
    if client_id:
        await tools.signin.keep_client_secret("remote", PRE_SECRET)
    tools.signin._browser = Browser()
    await tools.signin.login("remote")
    [refresh] = remote.authority.refresh.values()
    [access] = remote.authority.access
    return refresh.token, access, refresh.client_id


async def _refreshed_with(remote: Remote, refresh: str, client_id: str, **more: str) -> int:
    """The status the token endpoint answers a refresh with this token."""
    token_endpoint = remote.url.rsplit("/", 1)[0] + "/token"
    form = {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": client_id}
    async with httpx2.AsyncClient() as http:
        return (await http.post(token_endpoint, data=form | more)).status_code


def _revokes(remote: Remote) -> bool:
    return any(path == "/revoke" for path, _ in remote.seen)


async def test_signing_out_revokes_the_tokens_where_the_server_offers_it_and_forgets_them(
    tools: Tools,
    remote: Remote,
    memory_keyring: MemoryKeyring,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    refresh, access, client_id = await _signed_in(tools, remote)
    offered = _offers_revocation(remote)

    signed_out = await tools.signin.logout("remote")

    kept = str(memory_keyring.passwords)
    assert refresh not in kept
    assert access not in kept
    assert tools.signin.status("remote").state is not SignInState.SIGNED_IN
    assert refresh not in caplog.text
    assert access not in caplog.text
    with pytest.raises(ServerUnavailable, match="chatdesk tools login remote"):
        await tools.source("remote").call("add", {"a": 1, "b": 2})
    if offered:
        assert signed_out.revoked
        assert signed_out.line == "Signed out of remote"
        assert remote.authority.revoked == 2  # the refresh token, then the access token
        assert remote.authority.refresh == {}
        assert remote.authority.access == {}
        assert await _refreshed_with(remote, refresh, client_id) == 400  # refused there
    else:
        assert not signed_out.revoked
        assert signed_out.line == (
            "Signed out of remote on this computer only: its authorization server offers no "
            "way to revoke a sign-in"
        )
        assert not _revokes(remote)
        assert refresh in remote.authority.refresh  # still valid there, as the user is told


def _offers_revocation(remote: Remote) -> bool:
    metadata = remote.url.rsplit("/", 1)[0] + "/.well-known/oauth-authorization-server"
    with httpx2.Client() as http:
        return "revocation_endpoint" in http.get(metadata).json()


async def test_a_pre_registered_client_revokes_with_its_secret(config: Configuration) -> None:
    with remote_server() as remote:
        tools = tools_in(lambda: config.settings, config.paths.config_dir)
        try:
            refresh, _, client_id = await _signed_in(tools, remote, client_id=PRE_ID)
            signed_out = await tools.signin.logout("remote")
        finally:
            await tools.aclose()
        assert client_id == PRE_ID
        assert signed_out.revoked
        assert refresh not in remote.authority.refresh
        refused = await _refreshed_with(remote, refresh, PRE_ID, client_secret=PRE_SECRET)
        assert refused == 400


async def test_signing_out_when_not_signed_in_revokes_nothing(tools: Tools, remote: Remote) -> None:
    await tools.add_server(ServerConfig("remote", Transport.HTTP, url=remote.url))

    signed_out = await tools.signin.logout("remote")

    assert (signed_out.revoked, signed_out.unrevoked) == (False, "")
    assert signed_out.line == "Signed out of remote"
    assert remote.authority.revoked == 0
