"""A tool server's question during `chatdesk ask --tools`: without a terminal it is declined
and said so (the real command, with the test server over stdio); with one, it is asked on the
terminal value by value (the terminal's asker, its input typed in)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from chatdesk.cli.questions import TerminalAsker
from chatdesk.core.tools.questions import Action, Field, Kind, Question
from tests.e2e.cli import chatdesk

SERVER = Path(__file__).parents[1] / "core" / "mcp_server.py"
COMMAND = (sys.executable, "-I", str(SERVER), "stdio")


def test_without_a_terminal_a_servers_question_is_declined(chatdesk_home: Path) -> None:
    assert chatdesk("tools", "add", "calc", "--", *COMMAND).returncode == 0
    result = chatdesk(
        "ask", "use the ask_form tool", "--tools", "calc", "--approve", "allow", "--json"
    )
    assert result.returncode == 0, result.stderr
    [call] = json.loads(result.stdout)["tool_calls"]
    assert call["result"] == "decline"  # what the server was told
    assert "calc asked a question and there is no terminal to ask: declined" in result.stderr


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Lines the person types, read by `input` in order; stdin is a terminal."""
    lines: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _prompt="": lines.pop(0))
    return lines


FIELDS = (
    Field("name", Kind.TEXT, title="Your name", required=True, minimum=2),
    Field("guests", Kind.WHOLE, default=2, maximum=8),
    Field("seat", Kind.CHOICE, options=("w", "a"), option_titles=("window", "aisle")),
    Field("veg", Kind.YES_NO),
)


def test_on_a_terminal_each_value_is_asked_and_checked_as_typed(
    typed: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    typed += ["A", "Ada", "12", "", "aisle", "y", ""]
    question = Question("calc", "Book a table", FIELDS)
    answer = asyncio.run(TerminalAsker().ask(question))
    assert answer.action is Action.ACCEPT
    assert dict(answer.values) == {"name": "Ada", "guests": 2, "seat": "a", "veg": True}
    said = capsys.readouterr().err
    assert "calc asks:\nBook a table" in said
    assert "at least 2 characters" in said
    assert "at most 8" in said


def test_on_a_terminal_a_url_opens_only_when_the_person_says_so(
    typed: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    opened: list[str] = []

    def open_(url: str) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr("webbrowser.open", open_)
    url = "https://pay.example.com/checkout?order=7"
    typed += ["", "o"]
    question = Question("calc", "Pay", url=url)
    assert asyncio.run(TerminalAsker().ask(question)).action is Action.CANCEL
    assert opened == []
    assert asyncio.run(TerminalAsker().ask(question)).action is Action.ACCEPT
    assert opened == [url]
    assert f"visit pay.example.com:\n  {url}" in capsys.readouterr().err
