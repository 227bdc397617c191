"""`chatdesk tools test` and `chatdesk ask --tools` with the test MCP server's tools that have
titles, hints and structured results (tests/core/mcp_parts/results.py), as a user runs them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.e2e.cli import chatdesk, chatdesk_json

SERVER = Path(__file__).parents[1] / "core" / "mcp_server.py"
COMMAND = (sys.executable, "-I", str(SERVER), "stdio")


@pytest.mark.slow("chatdesk processes asking through a real MCP server, then reading what was kept")
def test_titles_show_after_the_server_with_the_real_name_and_results_keep_their_data(
    chatdesk_home: Path,
) -> None:
    assert chatdesk("tools", "add", "calc", "--", *COMMAND).returncode == 0
    tested = chatdesk("tools", "test", "calc")
    assert tested.returncode == 0, tested.stderr
    lines = {line.split()[0]: line for line in tested.stdout.splitlines() if line.strip()}
    assert lines["forecast"].startswith("forecast  [calc › Weather forecast]")
    assert "(may delete or change things)" in lines["wipe"]
    assert "(read-only)" in lines["lookup"]
    listed = {tool["name"]: tool for tool in chatdesk_json("tools", "test", "calc")}
    assert listed["wipe"]["destructive"]
    assert listed["forecast"]["title"] == "Weather forecast"

    asked = chatdesk(
        "ask", "use the miscount tool", "--tools", "calc", "--approve", "allow", "--json"
    )
    assert asked.returncode == 0, asked.stderr
    [call] = json.loads(asked.stdout)["tool_calls"]
    assert json.loads(call["structured"]) == {"items": "many"}
    assert "integer" in call["mismatch"]
