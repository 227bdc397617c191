"""A running call's progress on the terminal during `chatdesk ask --tools`: `chatdesk` run in
this process (so its stderr can be a terminal) with the test MCP server's `count` tool
(tests/core/mcp_parts/asks.py) over stdio. On a terminal, one line of stderr, written over as
the server reports and wiped when the call ends; with no terminal, or with --json, nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from chatdesk.cli.main import main

SERVER = Path(__file__).parents[1] / "core" / "mcp_server.py"
COMMAND = [sys.executable, "-I", str(SERVER), "stdio"]
COUNT = ["ask", "use the count tool with steps=3 every=0.3", "--tools", "calc"]


@pytest.fixture
def calc(chatdesk_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tools", "add", "calc", "--", *COMMAND]) == 0
    capsys.readouterr()


def test_on_a_terminal_the_calls_progress_is_one_line_wiped_at_its_end(
    calc: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)

    assert main([*COUNT, "--approve", "allow"]) == 0

    out, err = capsys.readouterr()
    assert "counted 3" in out
    assert "\rcalc › count 33% step 1 of 3" in err
    shown = err.split("\r")
    progress = [part for part in shown if part.startswith("calc › count")]
    assert progress  # each written over the last, never a line of its own
    assert all("\n" not in part for part in progress)
    # The line is wiped: spaces over it, then back to its start, before what follows.
    last = progress[-1].rstrip()
    assert err.endswith("\r" + " " * len(last) + "\r" + err.rsplit("\r", 1)[1])


@pytest.mark.parametrize("more", [[], ["--json"]], ids=["no-terminal", "json"])
def test_without_a_terminal_or_with_json_no_progress_is_written(
    calc: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    more: list[str],
) -> None:
    if more:
        monkeypatch.setattr(sys.stderr, "isatty", lambda: True)

    assert main([*COUNT, "--approve", "allow", *more]) == 0

    out, err = capsys.readouterr()
    assert "counted 3" in out
    assert "›" not in err
    assert "\r" not in err
