"""MCP servers as tool sources, against a real server written with the `mcp` SDK
(`tests/core/mcp_server.py`), run as its own process over stdio and over Streamable HTTP on
127.0.0.1: one long-lived session, a minimal environment with the secrets from the keyring,
faults (a crash mid-call, a hang, a server that never answers its handshake, 10 MB on stderr,
a command that does not exist), a tool list that changes, and imports of `mcpServers` JSON."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from pathlib import Path

import pytest

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import tools_in
from chatdesk.core.chat import repository as repo
from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.store import Store
from chatdesk.core.store.models import PartKind, Status
from chatdesk.core.tools import mcp
from chatdesk.core.tools.mcp import ServerUnavailable
from chatdesk.core.tools.model import Policy
from chatdesk.core.tools.servers import ServerConfig, Transport, parse_servers_text
from chatdesk.core.tools.service import TOOLS_FILE, Tools
from chatdesk.core.trust.environment import child_environment
from tests.core import shell_keys
from tests.core.mcp_helpers import answer_with_server, service_with_tools, stdio
from tests.core.shell_keys import keys_in_the_shell  # noqa: F401
from tests.ports import free_port

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes
SECRET = "s3cret-token-4f9a"


async def _call(tools: Tools, server: str, name: str, **arguments: object) -> str:
    outcome = await tools.source(server).call(name, dict(arguments))
    assert not outcome.is_error, outcome.text
    return outcome.text


# -- stdio -----------------------------------------------------------------------------------


async def test_a_stdio_server_lists_its_tools_and_keeps_one_session(tools: Tools) -> None:
    await tools.add_server(stdio())
    listed = {tool.name: tool for tool in await tools.test_server("test")}
    assert {"echo", "add", "pid", "peek", "slow"} <= set(listed)
    assert listed["peek"].read_only
    assert not listed["echo"].read_only
    assert listed["add"].parameters["required"] == ["a", "b"]
    assert await _call(tools, "test", "echo", text="héllo") == "héllo"
    assert await _call(tools, "test", "add", a=2, b=3) == "5"
    first = await _call(tools, "test", "pid")
    assert await _call(tools, "test", "pid") == first  # not a process per call


async def test_a_stdio_server_gets_its_own_variables_and_none_of_chatdeskś(
    tools: Tools, monkeypatch: pytest.MonkeyPatch, config: Configuration
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-must-not-leak")
    monkeypatch.setenv("CHATDESK_SOMETHING", "private")
    notes = await tools.add_server(
        dataclasses.replace(stdio(), env_names=("TEST_TOKEN",), secrets={"TEST_TOKEN": SECRET})
    )
    assert notes == []  # kept in the keyring
    names = set((await _call(tools, "test", "peek")).split())
    assert "TEST_TOKEN" in names
    assert not {"OPENAI_API_KEY", "CHATDESK_SOMETHING", "CHATDESK_HOME"} & names
    saved = (config.paths.config_dir / TOOLS_FILE).read_text()
    assert SECRET not in saved
    assert json.loads(saved)["servers"]["test"]["env"] == ["TEST_TOKEN"]
    assert (config.paths.config_dir / TOOLS_FILE).stat().st_mode & 0o077 == 0


@shell_keys.linux_only
@pytest.mark.usefixtures("keys_in_the_shell")
async def test_a_stdio_server_gets_the_variables_it_was_given_and_none_of_the_users_keys(
    tools: Tools,
) -> None:
    await tools.add_server(
        dataclasses.replace(stdio(), env_names=("TEST_TOKEN",), secrets={"TEST_TOKEN": SECRET})
    )
    environment = shell_keys.environment_of(int(await _call(tools, "test", "pid")))
    shell_keys.assert_no_key_and_the_rest_kept(environment)
    assert environment["TEST_TOKEN"] == SECRET  # named for this server by the user


async def test_the_sdks_own_defaults_add_nothing_to_a_servers_environment() -> None:
    """The SDK lays a server's environment over variables of its own choosing, read from
    chatdesk's: each of them is one every child gets anyway, so it brings no other."""
    from mcp.client.stdio import DEFAULT_INHERITED_ENV_VARS

    for name in DEFAULT_INHERITED_ENV_VARS:
        assert name in child_environment({name: "value"}, sys.platform), name


async def test_a_server_that_dies_mid_call_fails_that_call_and_starts_again(
    tools: Tools, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mcp, "RESTART_BACKOFF", dataclasses.replace(mcp.RESTART_BACKOFF, first=0.0))
    await tools.add_server(stdio())
    before = await _call(tools, "test", "pid")
    crash = next(t for t in await tools.test_server("test") if t.name == "crash")
    # Told by the closed pipe: waiting out an hour-long limit would end in the suite's timeout.
    crashed = await tools.box.run(crash, {}, seconds=3600, max_chars=1000)
    assert crashed.is_error
    assert "did not answer within" not in crashed.text
    after = await _call(tools, "test", "pid")
    assert after != before  # a new process, started on the next use


async def test_a_call_past_its_time_is_given_up_and_the_session_goes_on(tools: Tools) -> None:
    await tools.add_server(stdio())
    slow = next(t for t in await tools.test_server("test") if t.name == "slow")
    # An hour-long tool: waiting for it rather than the limit would end in the suite's timeout.
    outcome = await tools.box.run(slow, {"seconds": 3600}, seconds=1, max_chars=1000)
    assert outcome.is_error
    assert "did not answer within 1 seconds" in outcome.text
    assert await _call(tools, "test", "echo", text="still here") == "still here"


async def test_a_server_that_never_answers_its_handshake_is_reported(
    tools: Tools, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mcp, "START_TIMEOUT", 1.0)
    await tools.add_server(stdio(mode="silent"))
    with pytest.raises(ServerUnavailable, match="did not finish starting within 1 s"):
        await tools.test_server("test")
    with pytest.raises(ServerUnavailable, match="trying again in"):
        await tools.test_server("test")  # not started again at once


async def test_a_command_that_does_not_exist_is_reported(tools: Tools) -> None:
    missing = ServerConfig(
        "gone", Transport.STDIO, command="chatdesk-no-such-command", command_approved=True
    )
    await tools.add_server(missing)
    with pytest.raises(ServerUnavailable, match=r"not found|No such file"):
        await tools.test_server("gone")


async def test_ten_megabytes_of_stderr_go_to_the_servers_log(tools: Tools) -> None:
    await tools.add_server(stdio())
    assert await _call(tools, "test", "noisy") == "written"
    assert await _call(tools, "test", "echo", text="after") == "after"
    log = tools.source("test").log_path
    assert log is not None
    assert log.stat().st_mode & 0o077 == 0
    assert b"not utf-8" in log.read_bytes()[:200_000]


async def test_a_changed_tool_list_is_listed_again(tools: Tools) -> None:
    await tools.add_server(stdio())
    assert "grown" not in {t.name for t in await tools.test_server("test")}
    assert await _call(tools, "test", "grow") == "grew"
    await asyncio.to_thread(tools.source("test").tools_changed.wait)  # told on the tools loop
    assert "grown" in {t.name for t in await tools.test_server("test")}
    assert await _call(tools, "test", "grown") == "grown up"


# -- Streamable HTTP -------------------------------------------------------------------------


async def test_a_streamable_http_server_is_called_with_its_headers(
    tools: Tools, http_server: str
) -> None:
    server = ServerConfig(
        "remote",
        Transport.HTTP,
        url=http_server,
        header_names=("X-Test",),
        secrets={"X-Test": SECRET},
    )
    await tools.add_server(server)
    assert "add" in {t.name for t in await tools.test_server("remote")}
    assert await _call(tools, "remote", "add", a=40, b=2) == "42"


async def test_an_address_that_speaks_only_the_older_sse_transport_is_reached_over_it(
    tools: Tools, sse_server: str
) -> None:
    # As many imported entries say it: a url and no type, which reads as Streamable HTTP.
    [server] = parse_servers_text(json.dumps({"mcpServers": {"old": {"url": sse_server}}})).servers
    assert server.transport is Transport.HTTP
    await tools.add_server(server)
    assert "add" in {t.name for t in await tools.test_server("old")}
    assert await _call(tools, "old", "add", a=40, b=2) == "42"
    assert await _call(tools, "old", "add", a=1, b=2) == "3"  # the same session, kept


async def test_an_address_that_answers_nothing_says_why(tools: Tools) -> None:
    url = f"http://127.0.0.1:{free_port()}/mcp"
    await tools.add_server(ServerConfig("gone", Transport.HTTP, url=url))
    with pytest.raises(ChatdeskError, match="nor over the older SSE transport"):
        await tools.test_server("gone")


# -- configuration ---------------------------------------------------------------------------


async def test_claude_desktop_cursor_and_vs_code_spellings_are_read() -> None:
    text = json.dumps(
        {
            "mcpServers": {
                "files": {"command": "npx", "args": ["-y", "@scope/files", "/tmp"]},
                "remote": {"type": "streamableHttp", "url": "https://example.com/mcp"},
                "old": {"transport": "sse", "url": "http://127.0.0.1:9/sse"},
                "vs": {"type": "http", "url": "http://127.0.0.1:9/mcp", "headers": {"A": "b"}},
                "bad": {"type": "carrier-pigeon", "url": "x"},
                "chatdesk": {"command": "x"},
            }
        }
    )
    read = parse_servers_text(text)
    found = {s.name: s for s in read.servers}
    assert found["files"].transport is Transport.STDIO
    assert found["files"].command_line == "npx -y @scope/files /tmp"
    assert not found["files"].command_approved  # an imported command asks before its start
    assert found["remote"].transport is Transport.HTTP
    assert found["old"].transport is Transport.SSE
    assert found["vs"].secrets == {"A": "b"}
    assert [p.split(":")[0] for p in read.problems] == ["bad", "chatdesk"]


async def test_an_imported_stdio_server_is_offered_only_once_allowed(tools: Tools) -> None:
    text = json.dumps({"mcpServers": {"test": {"command": sys.executable, "args": ["-V"]}}})
    read, _ = await tools.import_servers(text)
    assert [s.name for s in read.servers] == ["test"]
    assert not tools.startable("test")
    assert "test" not in tools.box.servers()
    with pytest.raises(Exception, match="has not been allowed yet"):
        await tools.test_server("test")
    tools.approve_command("test")
    assert "test" in tools.box.servers()


async def test_the_servers_and_policies_survive_a_restart(config: Configuration) -> None:
    first = tools_in(lambda: config.settings, config.paths.config_dir)
    await first.add_server(stdio())
    first.policies.set("test/echo", Policy.ALLOW)
    await first.aclose()
    again = tools_in(lambda: config.settings, config.paths.config_dir)
    try:
        assert [s.name for s in again.servers()] == ["test"]
        assert again.policies.rules() == {"test/echo": Policy.ALLOW}
        await again.remove_server("test")
        assert again.policies.rules() == {}
    finally:
        await again.aclose()


# -- a whole answer --------------------------------------------------------------------------


async def test_the_mock_model_calls_a_servers_tool_and_quotes_it(
    store: Store, config: Configuration, tmp_path: Path
) -> None:
    service = service_with_tools(store, config, tmp_path)
    _, answer = await answer_with_server(service, 'use the echo tool with text="hello from a tool"')
    assert answer.status is Status.COMPLETE
    assert "hello from a tool" in answer.content
    parts = await store.read(lambda s: repo.tool_parts(s, answer.id))
    assert [kind for kind, _, _ in parts] == [PartKind.TOOL_CALL, PartKind.TOOL_RESULT]
    assert parts[0][2]["name"] == "test__echo"
    assert parts[1][1] == "hello from a tool"


class _WindowLoopPolicy(asyncio.DefaultEventLoopPolicy):
    """Stands for the window's policy (qasync's), whose loops must not run on another thread."""

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        raise AssertionError("the tools thread asked the app's loop policy for its loop")


async def test_the_tools_thread_runs_a_plain_loop_whatever_the_apps_policy(
    tools: Tools, monkeypatch: pytest.MonkeyPatch
) -> None:
    await tools.add_server(stdio())
    monkeypatch.setattr(asyncio, "get_event_loop_policy", lambda: _WindowLoopPolicy())
    monkeypatch.setattr(asyncio, "new_event_loop", lambda: _WindowLoopPolicy().new_event_loop())
    assert await _call(tools, "test", "echo", text="plain") == "plain"


async def test_a_servers_own_time_limit_wins_over_the_setting(tools: Tools) -> None:
    await tools.add_server(dataclasses.replace(stdio(), timeout=5.0))
    assert tools.timeout_for("test") == 5.0
    assert tools.timeout_for("chatdesk") == Settings().tools.call_timeout
