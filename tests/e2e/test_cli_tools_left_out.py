"""`chatdesk ask --tools …` naming servers that cannot be used: each is said on stderr with what
to run, and the question is still answered without them. Real `chatdesk` processes, a remote
server that needs a sign-in (tests/core/oauth_server.py), a command that exits at once, a
server that refuses its handshake, and one switched off in the tools file."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.cli.main import main
from tests.core.oauth_server import Browser, Remote, remote_server
from tests.e2e.cli import chatdesk, chatdesk_json

EXITS = (sys.executable, "-I", "-c", "raise SystemExit(3)")
# Answers every request with an error, the handshake's first.
REFUSES = (
    "import json, sys\n"
    "for line in sys.stdin:\n"
    "    asked = json.loads(line)\n"
    "    if 'id' in asked:\n"
    "        error = {'code': -32600, 'message': 'this client is not welcome here'}\n"
    "        said = {'jsonrpc': '2.0', 'id': asked['id'], 'error': error}\n"
    "        print(json.dumps(said), flush=True)\n"
)


@pytest.fixture
def remote() -> Iterator[Remote]:
    with remote_server() as served:
        yield served


@pytest.mark.slow("a chatdesk process starts three servers that fail, each closed in turn")
def test_each_server_that_cannot_be_used_is_said_with_its_fix_and_the_answer_goes_on(
    chatdesk_home: Path, remote: Remote
) -> None:
    assert chatdesk("tools", "add", "secure", "--url", remote.url).returncode == 0
    assert chatdesk("tools", "add", "gone", "--", *EXITS).returncode == 0
    refusing = (sys.executable, "-I", "-c", REFUSES)
    assert chatdesk("tools", "add", "shut", "--", *refusing).returncode == 0
    assert chatdesk("tools", "add", "off", "--", *EXITS).returncode == 0
    tools_file = chatdesk_home / "config" / "tools.json"
    kept = json.loads(tools_file.read_text())
    kept["servers"]["off"]["enabled"] = False
    tools_file.write_text(json.dumps(kept))

    asked = chatdesk("ask", "use the whoami tool", "--tools", "secure,gone,shut,off")

    assert asked.returncode == 0, asked.stderr
    lines = asked.stderr.splitlines()
    said = lines.index("chatdesk: warning: secure needs you to sign in: its tools were left out")
    assert lines[said + 1] == "  sign in with: chatdesk tools login secure"
    said = lines.index("chatdesk: warning: off is switched off: its tools were left out")
    assert lines[said + 1] == "  switch it on in the window: Preferences ▸ Tools"
    [gone] = [n for n, line in enumerate(lines) if line.startswith("chatdesk: warning: gone ")]
    assert lines[gone].endswith(
        "gone could not be used (it closed the connection): its tools were left out"
    )
    assert lines[gone + 1] == "  try it with: chatdesk tools test gone"
    [shut] = [n for n, line in enumerate(lines) if line.startswith("chatdesk: warning: shut ")]
    assert "this client is not welcome here" in lines[shut]  # the server's own words
    assert lines[shut + 1] == "  try it with: chatdesk tools test shut"
    assert "use the whoami tool" in asked.stdout  # the offline demo answered the question
    [thread] = chatdesk_json("threads", "list")
    shown = chatdesk_json("threads", "show", thread["id"])
    assert shown["messages"][0]["content"] == "use the whoami tool"
    assert shown["messages"][-1]["status"] == "complete"


def test_after_logout_the_signed_out_server_is_said_with_how_to_sign_in(
    remote: Remote, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In this process, so the suite's in-memory keyring holds the sign-in it then forgets."""
    monkeypatch.setattr("webbrowser.open", Browser())
    assert main(["tools", "add", "secure", "--url", remote.url]) == 0
    assert main(["tools", "login", "secure"]) == 0
    capsys.readouterr()
    asked = ["ask", "use the add tool with a=2 b=40", "--tools", "secure", "--approve", "allow"]
    assert main(asked) == 0
    out, err = capsys.readouterr()
    assert "42" in out  # signed in: its tool ran
    assert "left out" not in err
    assert main(["tools", "logout", "secure"]) == 0
    capsys.readouterr()

    assert main(asked) == 0

    out, err = capsys.readouterr()
    assert err.splitlines()[:2] == [
        "chatdesk: warning: secure needs you to sign in: its tools were left out",
        "  sign in with: chatdesk tools login secure",
    ]
    assert "use the add tool" in out  # answered, without its tools
    assert "42" not in out
