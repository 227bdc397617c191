"""`chatdesk tools login|logout SERVER` and `tools add … --client-id`, run in this process
(so the suite's in-memory keyring holds what they keep), against a remote server that needs
sign-in and its authorization server (tests/core/oauth_server.py). The "browser" is a
`webbrowser.open` put in place by the test that follows the address with an HTTP client."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.cli.main import main
from tests.core.oauth_server import PRE_ID, PRE_SECRET, Browser, Remote, remote_server
from tests.keyrings import MemoryKeyring


@pytest.fixture
def remote() -> Iterator[Remote]:
    with remote_server() as served:
        yield served


def test_login_prints_the_address_it_opens_and_logout_forgets_the_tokens(
    remote: Remote,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    browser = Browser()
    monkeypatch.setattr("webbrowser.open", browser)
    assert main(["tools", "add", "remote", "--url", remote.url]) == 0
    capsys.readouterr()

    assert main(["tools", "login", "remote"]) == 0

    out, err = capsys.readouterr()
    assert out.splitlines() == [*browser.opened, "Signed in (127.0.0.1)"]
    assert "If it does not open, go to:" in err
    [token] = remote.authority.access
    assert token in str(memory_keyring.passwords)
    assert token not in out + err

    assert main(["tools", "logout", "remote"]) == 0
    assert token not in str(memory_keyring.passwords)


def test_a_pre_registered_client_is_added_with_its_secret_from_stdin(
    remote: Remote,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    chatdesk_home: Path,
) -> None:
    monkeypatch.setattr("webbrowser.open", Browser())
    monkeypatch.setattr("sys.stdin", io.StringIO(PRE_SECRET + "\n"))
    added = ["tools", "add", "remote", "--url", remote.url, "--client-id", PRE_ID]
    assert main([*added, "--client-secret-stdin"]) == 0

    tools_file = (chatdesk_home / "config" / "tools.json").read_text()
    assert json.loads(tools_file)["servers"]["remote"]["clientId"] == PRE_ID
    assert PRE_SECRET not in tools_file
    assert PRE_SECRET in str(memory_keyring.passwords)
    assert main(["tools", "login", "remote"]) == 0
    assert remote.authority.registered == 0
    assert {t.client_id for t in remote.authority.access.values()} == {PRE_ID}


def test_a_call_to_a_server_that_needs_sign_in_says_how(
    remote: Remote, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    browser = Browser()
    monkeypatch.setattr("webbrowser.open", browser)
    assert main(["tools", "add", "remote", "--url", remote.url]) == 0

    assert main(["tools", "test", "remote"]) != 0

    assert "chatdesk tools login remote" in capsys.readouterr().err
    assert browser.opened == []
