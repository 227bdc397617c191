"""`chatdesk tools …` and `chatdesk ask --tools` as a user runs them, with a real MCP server
(tests/core/mcp_server.py) started over stdio by the real `chatdesk` command. There is no
terminal here: a call that needs asking is refused, and an imported command never starts."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.cli import chatdesk, chatdesk_json, rows

HANG = 120.0  # seconds a step may take before the test is taken to hang; never reached

SERVER = Path(__file__).parents[1] / "core" / "mcp_server.py"
COMMAND = (sys.executable, "-I", str(SERVER), "stdio")


def _database(home: Path) -> Path:
    return home / "data" / "chatdesk.db"


@pytest.mark.slow("each command a chatdesk process starting the MCP server it calls")
def test_a_server_added_by_command_is_listed_tested_and_used(chatdesk_home: Path) -> None:
    added = chatdesk("tools", "add", "calc", "--env", "TEST_TOKEN=abc", "--", *COMMAND)
    assert added.returncode == 0, added.stderr
    [server] = chatdesk_json("tools", "list")["servers"]
    assert server["name"] == "calc"
    assert server["env"] == ["TEST_TOKEN"]
    assert "abc" not in (chatdesk_home / "config" / "tools.json").read_text()
    tested = chatdesk_json("tools", "test", "calc")
    assert {"echo", "add", "peek"} <= {tool["name"] for tool in tested}

    answer = chatdesk_json_ask(
        "use the add tool with a=2 b=40", "--tools", "calc", "--approve", "allow"
    )
    assert answer["status"] == "complete"
    assert "42" in answer["content"]
    calls = rows(
        _database(chatdesk_home),
        "SELECT json_extract(data, '$.state'), json_extract(data, '$.approval') "
        "FROM message_parts WHERE kind = 'tool_call'",
    )
    assert calls == [("done", "approved")]
    [call] = answer["tool_calls"]  # type: ignore[misc]
    assert (call["server"], call["tool"], call["state"], call["result"]) == (
        "calc",
        "add",
        "done",
        "42",
    )
    shown = chatdesk_json("threads", "show", str(answer["thread_id"]))
    assert shown["messages"][-1]["tool_calls"] == [call]  # the same call, as stored


def chatdesk_json_ask(*args: str) -> dict[str, object]:
    result = chatdesk("ask", *args, "--json")
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_without_a_terminal_a_call_that_needs_asking_is_refused(chatdesk_home: Path) -> None:
    assert chatdesk("tools", "add", "calc", "--", *COMMAND).returncode == 0
    result = chatdesk("ask", "use the add tool with a=1 b=1", "--tools", "calc", "--json")
    assert result.returncode == 0, result.stderr
    assert "no terminal to ask" in result.stderr
    [(state, approval)] = rows(
        _database(chatdesk_home),
        "SELECT json_extract(data, '$.state'), json_extract(data, '$.approval') "
        "FROM message_parts WHERE kind = 'tool_call'",
    )
    assert (state, approval) == ("not_run", "refused")


def test_an_imported_command_does_not_start_until_allowed(
    chatdesk_home: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "claude_desktop_config.json"
    marker = tmp_path / "started"
    script = f"open({str(marker)!r}, 'w').close()"
    entry = {"command": sys.executable, "args": ["-I", "-c", script]}
    exported.write_text(json.dumps({"mcpServers": {"stranger": entry}}))
    imported = chatdesk("tools", "import", str(exported))
    assert imported.returncode == 0, imported.stderr
    assert "imported stranger" in imported.stdout
    tested = chatdesk("tools", "test", "stranger")
    assert tested.returncode == 1
    assert "has not been allowed yet" in tested.stderr
    assert sys.executable in tested.stderr  # the exact command line is shown
    asked = chatdesk("ask", "hello", "--tools", "stranger")
    assert asked.returncode == 1
    assert not marker.exists()


def test_policies_are_set_per_server_and_per_tool(chatdesk_home: Path) -> None:
    assert chatdesk("tools", "add", "calc", "--", *COMMAND).returncode == 0
    assert chatdesk("tools", "policy", "calc", "deny").returncode == 0
    assert chatdesk("tools", "policy", "calc/echo", "allow").returncode == 0
    assert chatdesk_json("tools", "list")["policies"] == {"calc": "deny", "calc/echo": "allow"}
    unknown = chatdesk("tools", "policy", "nope", "allow")
    assert unknown.returncode != 0
    assert "no tool server named 'nope'" in unknown.stderr
    assert chatdesk("tools", "remove", "calc").returncode == 0
    assert chatdesk_json("tools", "list") == {
        "builtin": ["chatdesk"],
        "servers": [],
        "policies": {},
    }


def test_killed_during_a_call_the_call_is_kept_not_finished_and_never_run_again(
    chatdesk_home: Path,
) -> None:
    """SIGKILL while a tool call runs: the next start marks it not finished, runs nothing."""
    database = _database(chatdesk_home)
    assert chatdesk("tools", "add", "calc", "--", *COMMAND).returncode == 0
    listening = socket.create_server(("127.0.0.1", 0))
    listening.settimeout(HANG)  # the tool tells it when its call has started
    ask = f"use the slow tool with seconds=600 notify={listening.getsockname()[1]}"
    process = subprocess.Popen(
        [sys.executable, "-m", "chatdesk", "ask", ask, "--tools", "calc", "--approve", "allow"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    running = "SELECT count(*) FROM message_parts WHERE json_extract(data, '$.state') = 'running'"
    try:
        with listening, listening.accept()[0] as told:
            assert told.recv(16) == b"started"
        assert rows(database, running) == [(1,)]  # marked running before it started
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    shown = chatdesk("threads", "list", "--json")  # a new chatdesk starts and recovers
    assert shown.returncode == 0, shown.stderr
    states = rows(
        database,
        "SELECT kind, json_extract(data, '$.state') FROM message_parts "
        "WHERE kind IN ('tool_call', 'tool_result')",
    )
    assert states == [("tool_call", "not_finished")]
    [(status,)] = rows(database, "SELECT status FROM messages WHERE role = 'assistant'")
    assert status == "interrupted"


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="a Windows Ctrl+C (CTRL_C_EVENT) goes to the whole console, this test's process too",
)
@pytest.mark.slow("two chatdesk processes, the second starting the MCP server it calls")
def test_ctrl_c_during_a_call_stops_it_there_and_keeps_it_marked_stopped(
    chatdesk_home: Path,
) -> None:
    """Ctrl+C while a call reports progress: the server is told to cancel it, the command
    exits 130, and the saved answer and its call say the user stopped them."""
    database = _database(chatdesk_home)
    assert chatdesk("tools", "add", "calc", "--", *COMMAND).returncode == 0
    listening = socket.create_server(("127.0.0.1", 0))
    listening.settimeout(HANG)  # the tool says when its call has started, and when cancelled
    port = listening.getsockname()[1]
    ask = f"use the count tool with steps=100000 every=0.01 started={port} tell={port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "chatdesk", "ask", ask, "--tools", "calc", "--approve", "allow"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        with listening:
            with listening.accept()[0] as told:
                assert told.recv(16) == b"started"
            process.send_signal(signal.SIGINT)  # as Ctrl+C in a terminal
            with listening.accept()[0] as told:
                assert told.recv(16) == b"cancelled"
        _, err = process.communicate(timeout=HANG)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert "answer interrupted: Stopped during a tool call." in err.decode()
    [(status, detail)] = rows(
        database, "SELECT status, error_detail FROM messages WHERE role = 'assistant'"
    )
    assert (status, detail) == ("interrupted", "Stopped during a tool call.")
    states = rows(
        database,
        "SELECT json_extract(data, '$.state'), json_extract(data, '$.stopped_by_user') "
        "FROM message_parts WHERE kind = 'tool_call'",
    )
    assert states == [("not_finished", 1)]


@pytest.mark.slow("seven commands, each a chatdesk process that starts the MCP server it asks")
def test_a_servers_prompts_are_listed_and_got(chatdesk_home: Path) -> None:
    assert chatdesk("tools", "add", "calc", "--", *COMMAND).returncode == 0
    listed = {p["name"]: p for p in chatdesk_json("tools", "prompts", "calc")}
    assert listed["greeting"]["title"] == "Say hello"
    assert [(a["name"], a["required"]) for a in listed["review"]["arguments"]] == [
        ("language", True),
        ("focus", False),
    ]
    shown = chatdesk("tools", "prompts", "calc")
    assert "review  (Review code)" in shown.stdout
    assert "language  (required)" in shown.stdout

    got = chatdesk("tools", "prompt", "calc", "review", "--arg", "language=go")
    assert got.returncode == 0, got.stderr
    assert got.stdout.splitlines() == [
        "user: Review this go code.",
        "assistant: Paste the code below.",
    ]
    full = chatdesk_json("tools", "prompt", "calc", "picture_and_notes")
    kinds = [(m["kind"], m["mime"], m["uri"]) for m in full["messages"]]
    assert kinds == [
        ("text", "", ""),
        ("image", "image/png", ""),
        ("resource", "text/plain", "file:///notes.txt"),
    ]
    assert full["messages"][2]["text"] == "n1\nn2"

    missing = chatdesk("tools", "prompt", "calc", "review")
    assert missing.returncode != 0
    assert "needs a value for language" in missing.stderr
    unknown = chatdesk("tools", "prompt", "calc", "nope")
    assert unknown.returncode != 0
    assert "no prompt named 'nope'" in unknown.stderr
