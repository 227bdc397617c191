"""`chatdesk tools list` says where a remote server's sign-in stands, and `tools logout` what
became of the tokens, run in this process (so the suite's in-memory keyring holds what they
keep) against a remote server that needs sign-in and its authorization server
(tests/core/oauth_server.py)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from chatdesk.cli.main import main
from tests.core.oauth_server import Browser, Remote, remote_server


@pytest.fixture
def remote(monkeypatch: pytest.MonkeyPatch) -> Iterator[Remote]:
    monkeypatch.setattr("webbrowser.open", Browser())
    with remote_server() as served:
        claims = base64.urlsafe_b64encode(json.dumps({"email": "ada@example.org"}).encode())
        served.authority.id_token = f"e30.{claims.decode().rstrip('=')}.sig"
        yield served


def _listed(capsys: pytest.CaptureFixture[str]) -> tuple[str, dict[str, Any]]:
    """The line `tools list` prints for the server, and its object in `tools list --json`."""
    capsys.readouterr()
    assert main(["tools", "list"]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("remote")]
    assert main(["tools", "list", "--json"]) == 0
    [server] = json.loads(capsys.readouterr().out)["servers"]
    return line, server


def test_tools_list_says_who_is_signed_in_or_that_a_sign_in_is_needed(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tools", "add", "remote", "--url", remote.url]) == 0
    line, server = _listed(capsys)
    assert line == f"remote  http  {remote.url}"  # it has not asked yet
    assert "signin" not in server

    assert main(["tools", "test", "remote"]) != 0  # refused: it asks for a sign-in
    line, server = _listed(capsys)
    assert line == f"remote  http  {remote.url}  Needs sign-in"
    assert (server["signin"], server["signed_in_as"]) == ("needed", "")

    assert main(["tools", "login", "remote"]) == 0
    line, server = _listed(capsys)
    assert line == f"remote  http  {remote.url}  Signed in as ada@example.org"
    assert (server["signin"], server["signed_in_as"]) == ("signed-in", "ada@example.org")
    assert "signin_line" not in server
    tokens = [*remote.authority.access, *remote.authority.refresh]
    assert not any(token in line + json.dumps(server) for token in tokens)

    assert main(["tools", "logout", "remote"]) == 0
    assert capsys.readouterr().err == "Signed out of remote\n"  # revoked there, forgotten here
    assert remote.authority.refresh == {}
    line, server = _listed(capsys)
    assert line == f"remote  http  {remote.url}"
    assert "signin" not in server


def test_tools_logout_says_when_the_tokens_could_not_be_revoked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("webbrowser.open", Browser())
    with remote_server(revocation=False) as remote:
        assert main(["tools", "add", "remote", "--url", remote.url]) == 0
        assert main(["tools", "login", "remote"]) == 0
        capsys.readouterr()

        assert main(["tools", "logout", "remote"]) == 0

    assert capsys.readouterr().err == (
        "Signed out of remote on this computer only: its authorization server offers no way "
        "to revoke a sign-in\n"
    )
