"""What a tool server or a web page says reaches a terminal as text: `chatdesk tools read`,
`chatdesk tools prompt` and `chatdesk web read` run as real processes on a real
pseudo-terminal, against the test MCP server (tests/core/mcp_hostile_server.py) and a real HTTP
server on 127.0.0.1, whose text and refusals hold a terminal's control sequences (a window's
title, the screen cleared, an OSC 8 link, C1 controls). On a terminal none of them arrives,
the words do; into a pipe, the text is written exactly."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.mcp_hostile_server import HOSTILE
from tests.core.web.web_server import FakeWeb
from tests.e2e.cli import chatdesk, on_a_terminal

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX's"),
    pytest.mark.slow("chatdesk processes, each starting the server it reads from"),
]

SERVER = Path(__file__).parents[1] / "core" / "mcp_hostile_server.py"
CONTROLS = ("\x1b", "\x07", "\x9b", "\x9c", "\x9d")
WORDS = ("Plain start", "pwned title", "cleared", "a link", "C1 red", "end")


@pytest.fixture
def notes(chatdesk_home: Path) -> None:
    added = chatdesk("tools", "add", "notes", "--", sys.executable, "-I", str(SERVER))
    assert added.returncode == 0, added.stderr


def _as_text(screen: bytes) -> str:
    text = screen.decode()
    for control in CONTROLS:
        assert control not in text
    flat = " ".join(text.split())
    for words in WORDS:
        assert words in flat
    return text


def test_a_resources_sequences_never_reach_the_terminal_and_a_pipe_gets_them(notes: None) -> None:
    code, screen = on_a_terminal("tools", "read", "notes", "hostile://text")
    assert code == 0, screen
    _as_text(screen)

    piped = chatdesk("tools", "read", "notes", "hostile://text")
    assert (piped.returncode, piped.stdout) == (0, HOSTILE)


def test_a_prompts_sequences_never_reach_the_terminal_and_a_pipe_gets_them(notes: None) -> None:
    code, screen = on_a_terminal("tools", "prompt", "notes", "hostile")
    assert code == 0, screen
    _as_text(screen)

    piped = chatdesk("tools", "prompt", "notes", "hostile")
    assert (piped.returncode, piped.stdout) == (0, f"user: {HOSTILE}\n")


def test_a_servers_refusal_reaches_the_terminal_as_text(notes: None) -> None:
    code, screen = on_a_terminal("tools", "prompt", "notes", "hostile_refusal")
    assert code == 1
    assert "the server said: Plain start" in _as_text(screen)

    piped = chatdesk("tools", "prompt", "notes", "hostile_refusal")
    assert piped.returncode == 1
    assert HOSTILE.strip() in piped.stderr  # a pipe is given the server's words exactly


def test_a_resources_refusal_reaches_the_terminal_as_text(notes: None) -> None:
    code, screen = on_a_terminal("tools", "read", "notes", "hostile://refused")
    assert code == 1
    shown = _as_text(screen)
    assert "hostile://refused: the server said: Plain start" in shown
    assert "Traceback" not in shown  # a refusal is no bug

    piped = chatdesk("tools", "read", "notes", "hostile://refused")
    assert piped.returncode == 1
    assert HOSTILE.strip() in piped.stderr


BUG = f"""
from chatdesk.cli.terminal import guarded
with guarded():
    raise RuntimeError({HOSTILE!r})
"""


def test_a_bugs_report_quoting_a_server_reaches_the_terminal_as_text() -> None:
    code, screen = on_a_terminal(python=BUG)  # the command line's guard, as it runs a command
    assert code == 1
    assert "Traceback" in _as_text(screen)


@pytest.fixture
def web(chatdesk_home: Path) -> Iterator[FakeWeb]:
    server = FakeWeb().start()
    yield server
    server.close()


def test_a_pages_sequences_never_reach_the_terminal_and_a_pipe_gets_them(web: FakeWeb) -> None:
    body = ("Notes from the council\n\n" + HOSTILE).encode()
    url = web.route("/notes.txt", body=body, headers={"Content-Type": "text/plain; charset=utf-8"})
    env = {"CHATDESK_WEB_ALLOW_PRIVATE": web.allow}

    code, screen = on_a_terminal("web", "read", url, env=env)
    assert code == 0, screen
    _as_text(screen)

    piped = chatdesk("web", "read", url, env=env)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.endswith("\n\nNotes from the council\n\n" + HOSTILE.strip() + "\n")
