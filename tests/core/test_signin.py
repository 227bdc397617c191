"""Signing in to a remote MCP server, against a real one that needs it and its authorization
server run in the test on 127.0.0.1 (`tests/core/oauth_server.py`, the SDK's server-side
pieces): dynamic registration, a pre-registered client, refresh, a revoked token, a user who
refuses, an answer brought to the wrong port or with the wrong state; the tokens kept in the
keyring (the suite's in-memory one) and nowhere else, and sent only to the server."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
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
from chatdesk.core.tools.signin import SignInFailed, SignInState
from chatdesk.core.tools.signin_redirect import LoopbackRedirect
from tests.core.oauth_server import PRE_ID, PRE_SECRET, Browser, Remote, remote_server
from tests.keyrings import MemoryKeyring

pytestmark = pytest.mark.asyncio


@pytest.fixture
def remote() -> Iterator[Remote]:
    with remote_server() as served:
        yield served


@pytest_asyncio.fixture
async def tools(config: Configuration, tmp_path: Path, remote: Remote) -> AsyncIterator[Tools]:
    # Closed before the remote server stops (which would wait for its open streams).
    made = tools_in(lambda: config.settings, config.paths.config_dir, log_dir=tmp_path / "logs")
    yield made
    await made.aclose()


async def _added(tools: Tools, remote: Remote, browser: Browser, **more: str) -> None:
    await tools.add_server(ServerConfig("remote", Transport.HTTP, url=remote.url, **more))
    tools.signin._browser = browser  # the "browser" the user would have


async def _signed_in(tools: Tools, remote: Remote) -> Browser:
    """`remote` added and signed in to through a browser, which is returned."""
    browser = Browser()
    await _added(tools, remote, browser)
    await tools.signin.login("remote")
    return browser


async def _add(tools: Tools) -> str:
    outcome = await tools.source("remote").call("add", {"a": 40, "b": 2})
    assert not outcome.is_error, outcome.text
    return outcome.text


def _tokens(remote: Remote) -> list[str]:
    return [*remote.authority.access, *remote.authority.refresh]


async def test_signing_in_registers_chatdesk_opens_the_browser_once_and_calls_go_through(
    tools: Tools, remote: Remote, memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    browser = Browser()
    await _added(tools, remote, browser)
    shown: list[str] = []

    status = await tools.signin.login("remote", shown.append)

    assert status.state is SignInState.SIGNED_IN
    assert status.line == "Signed in (127.0.0.1)"
    assert shown == browser.opened
    assert len(shown) == 1
    assert "code_challenge_method=S256" in shown[0]
    assert "resource=" in shown[0]
    assert remote.authority.registered == 1
    assert browser.answers == [200]
    assert await _add(tools) == "42"
    # The tokens: in the keyring, nowhere in the tools file or the logs, and sent only to the
    # MCP endpoint itself (never to the authorization server's pages, nor to the browser).
    kept = str(memory_keyring.passwords)
    tokens = _tokens(remote)
    assert tokens
    assert all(token in kept for token in remote.authority.access)
    tools_file = (tools._file or Path()).read_text() if tools._file else ""
    for token in tokens:
        assert token not in tools_file
        assert token not in caplog.text
        assert token not in shown[0]
    bearing = {path for path, authorization in remote.seen if authorization.startswith("Bearer")}
    assert bearing == {"/mcp"}


async def test_a_server_that_needs_sign_in_fails_clearly_and_opens_no_browser(
    tools: Tools, remote: Remote
) -> None:
    browser = Browser()
    await _added(tools, remote, browser)

    with pytest.raises(ServerUnavailable) as failed:
        await _add(tools)

    assert "chatdesk tools login remote" in str(failed.value)
    assert "Preferences ▸ Tools" in str(failed.value)
    assert browser.opened == []
    assert remote.authority.authorized == 0
    assert remote.authority.registered == 0  # nothing is done at the server until asked
    assert tools.signin.status("remote").state is SignInState.NEEDED


async def test_a_pre_registered_client_signs_in_with_its_id_and_secret(
    tools: Tools, remote: Remote, memory_keyring: MemoryKeyring
) -> None:
    browser = Browser()
    await _added(tools, remote, browser, client_id=PRE_ID)
    await tools.signin.keep_client_secret("remote", PRE_SECRET)

    await tools.signin.login("remote")

    assert remote.authority.registered == 0
    assert {token.client_id for token in remote.authority.access.values()} == {PRE_ID}
    assert await _add(tools) == "42"
    assert PRE_SECRET not in (tools._file.read_text() if tools._file else "")
    assert '"clientId": "chatdesk-pre"' in (tools._file.read_text() if tools._file else "")


async def test_a_server_of_the_older_sse_transport_is_signed_in_to_as_well(
    config: Configuration,
) -> None:
    with remote_server(sse=True) as older:
        tools = tools_in(lambda: config.settings, config.paths.config_dir)
        try:
            config_sse = ServerConfig("remote", Transport.SSE, url=older.url)
            await tools.add_server(config_sse)
            tools.signin._browser = Browser()
            with pytest.raises(ServerUnavailable, match="chatdesk tools login remote"):
                await _add(tools)
            await tools.signin.login("remote")
            assert await _add(tools) == "42"
        finally:
            await tools.aclose()
    bearing = {path for path, authorization in older.seen if authorization.startswith("Bearer")}
    assert bearing <= {"/sse", "/messages/"}


async def test_a_server_that_registers_no_one_asks_for_a_client_id(
    config: Configuration, tmp_path: Path
) -> None:
    with remote_server(registration=False) as closed:
        tools = tools_in(lambda: config.settings, config.paths.config_dir)
        try:
            await _added(tools, closed, Browser())
            with pytest.raises(SignInFailed, match="client ID"):
                await tools.signin.login("remote")
        finally:
            await tools.aclose()
    assert closed.authority.authorized == 0


async def test_a_token_about_to_expire_is_refreshed_without_asking(
    tools: Tools, remote: Remote
) -> None:
    browser = await _signed_in(tools, remote)
    # As after a restart, 59 minutes later: the kept token ends within the minute.
    config = tools.server("remote")
    tools.signin.keys.update(config, expires_at=time.time() + 30)
    await tools.signin._renew("remote")

    assert await _add(tools) == "42"

    assert remote.authority.refreshed == 1
    assert len(browser.opened) == 1


async def test_a_revoked_token_is_asked_for_again_and_the_call_says_so(
    tools: Tools, remote: Remote
) -> None:
    browser = await _signed_in(tools, remote)
    assert await _add(tools) == "42"
    remote.authority.revoke_all()  # while its session is open

    with pytest.raises(ServerUnavailable) as failed:
        await _add(tools)

    assert "chatdesk tools login remote" in str(failed.value)
    assert tools.signin.status("remote").state is SignInState.NEEDED
    assert len(browser.opened) == 1  # never opened again by itself
    await tools.signin.login("remote")
    assert await _add(tools) == "42"


async def test_a_user_who_refuses_is_told_and_nothing_is_kept(tools: Tools, remote: Remote) -> None:
    remote.authority.refuse = True
    await _added(tools, remote, Browser())

    with pytest.raises(SignInFailed, match="refused"):
        await tools.signin.login("remote")

    assert tools.signin.status("remote").state is not SignInState.SIGNED_IN


async def test_an_answer_brought_to_another_port_is_never_taken(
    tools: Tools, remote: Remote
) -> None:
    elsewhere = LoopbackRedirect()  # someone else's listener on another port
    port = await elsewhere.open()
    await _added(tools, remote, Browser(port=port))

    with pytest.raises(SignInFailed, match="No answer"):
        await tools.signin.login("remote", within=2.0)

    await elsewhere.close()
    assert tools.signin.status("remote").state is not SignInState.SIGNED_IN


async def test_the_loopback_listener_refuses_a_wrong_state_and_takes_the_right_one() -> None:
    redirect = LoopbackRedirect()
    await redirect.open()
    redirect.expect("right-state")
    answer = asyncio.ensure_future(redirect.answer(60))
    async with httpx2.AsyncClient() as http:
        wrong = await http.get(redirect.uri, params={"code": "c", "state": "wrong"})
        none = await http.get(redirect.uri, params={"code": "c"})
        elsewhere = await http.get(f"http://127.0.0.1:{redirect.port}/other?state=right-state")
        right = await http.get(redirect.uri, params={"code": "c0de", "state": "right-state"})
    assert (wrong.status_code, none.status_code, elsewhere.status_code) == (400, 400, 400)
    assert right.status_code == 200
    assert (await answer).code == "c0de"
    async with httpx2.AsyncClient() as http:  # closed after its one answer
        with pytest.raises(httpx2.ConnectError):
            await http.get(redirect.uri, params={"code": "c", "state": "right-state"})


async def test_signing_out_forgets_the_tokens(
    tools: Tools, remote: Remote, memory_keyring: MemoryKeyring
) -> None:
    await _added(tools, remote, Browser())
    await tools.signin.login("remote")
    tokens = list(remote.authority.access)

    await tools.signin.logout("remote")

    kept = str(memory_keyring.passwords)
    assert not any(token in kept for token in tokens)
    with pytest.raises(ServerUnavailable):
        await _add(tools)


async def test_who_signed_in_is_read_from_the_id_token(tools: Tools, remote: Remote) -> None:
    claims = base64.urlsafe_b64encode(json.dumps({"email": "ada@example.org"}).encode())
    remote.authority.id_token = f"e30.{claims.decode().rstrip('=')}.sig"
    await _added(tools, remote, Browser())

    status = await tools.signin.login("remote")

    assert status.line == "Signed in as ada@example.org"
