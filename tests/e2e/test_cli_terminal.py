"""A model's answer, or a server's message, reaches a terminal as text: `chatdesk ask` run
as a real process on a real pseudo-terminal, against a real OpenAI-compatible server whose
answer holds a terminal's control sequences (the clipboard written by OSC 52, the screen
cleared, the window's title set, a line printed over with a carriage return). On a terminal
they are dropped and the words kept; into a pipe, the answer is written exactly."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.cli.terminal import BOLD, ERASE_LINE, PLAIN, shown
from tests.core.sse_server import FakeOpenAI, error_reply, text_reply
from tests.e2e.cli import chatdesk, on_a_terminal

HOSTILE = (
    "Sure.\x1b]52;c;cm0gLXJmIH4=\x07",  # OSC 52: the clipboard set to "rm -rf ~"
    " Step one\x1b[2J\x1b[H",  # the screen cleared, the cursor sent home
    "\x1b]0;pwned\x07 done\r\nlast",  # the window's title; a carriage return
    " line\rHIDDEN\x08\x08\x9b31m red\n",  # printed over; backspaces; C1's CSI
)
WORDS = ("Sure.", "Step one", "done", "last line", "HIDDEN", "red")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX's")


@pytest.fixture
def server(chatdesk_home: Path) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("m",)).start()
    added = chatdesk("providers", "add", "home", "--preset", "ollama", "--base-url", fake.url)
    assert added.returncode == 0, added.stderr
    yield fake
    fake.close()


def test_an_answers_control_sequences_never_reach_the_terminal(server: FakeOpenAI) -> None:
    server.queue(text_reply(*HOSTILE))

    code, screen = on_a_terminal("ask", "hello", "--provider", "home", "--model", "m")

    assert code == 0, screen
    text = screen.decode()
    for control in ("\x1b", "\x07", "\x08", "\x9b"):
        assert control not in text
    assert "\r" not in text.replace("\r\n", "")  # the terminal's own line ends only
    flat = " ".join(text.split())
    for words in WORDS:
        assert words in flat


def test_into_a_pipe_the_answer_is_written_exactly(server: FakeOpenAI) -> None:
    server.queue(text_reply(*HOSTILE))

    result = chatdesk("ask", "hello", "--provider", "home", "--model", "m")

    assert result.returncode == 0, result.stderr
    assert "".join(HOSTILE) in result.stdout


def test_a_servers_error_message_reaches_the_terminal_as_text(server: FakeOpenAI) -> None:
    server.queue(error_reply(400, "bad\x1b]0;pwned\x07 request\x1b[2J"))

    code, screen = on_a_terminal("ask", "hello", "--provider", "home", "--model", "m")

    assert code != 0
    text = screen.decode()
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "bad]0;pwned request[2J" in text  # the words, as plain characters


def test_chatdesks_own_sequences_pass_and_nothing_else() -> None:
    assert shown(f"a {BOLD}hit{PLAIN} b") == f"a {BOLD}hit{PLAIN} b"
    assert shown("tab\tand\nline") == "tab\tand\nline"
    assert shown(f"x{ERASE_LINE}y\rz") == "x[Kyz"  # stdout: neither is chatdesk's there
    assert shown("\x1b[31mred\x1b[0m") == "[31mred" + PLAIN
