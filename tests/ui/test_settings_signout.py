"""Sign out in Preferences ▸ Tools, against a remote server whose authorization server offers
no revocation (tests/core/oauth_server.py): the tokens are forgotten, and the row says they
were forgotten on this computer only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.core.tools.service import Tools
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.tools_page import ToolsPage
from tests.core.oauth_server import Browser, Remote, remote_server
from tests.keyrings import MemoryKeyring
from tests.ui.preference_pages import own_tools, select_row, tools_page
from tests.ui.test_preferences import LEFT

HANG = 60_000


@pytest.fixture
def remote() -> Iterator[Remote]:
    with remote_server(revocation=False) as served:
        yield served


@pytest.fixture
def tools(tmp_path: Path, finish: Any, remote: Remote) -> Iterator[Tools]:
    yield from own_tools(tmp_path, finish)


@pytest.fixture
def page(qtbot: QtBot, runner: Runner, tools: Tools) -> Iterator[ToolsPage]:
    yield from tools_page(qtbot, runner, tools)


def test_signing_out_where_tokens_cannot_be_revoked_says_so(
    page: ToolsPage,
    tools: Tools,
    remote: Remote,
    qtbot: QtBot,
    finish: Any,
    memory_keyring: MemoryKeyring,
) -> None:
    tools.signin._browser = Browser()
    finish(tools.add_server(ServerConfig("remote", Transport.HTTP, url=remote.url)))
    page.refresh()
    select_row(page.list, "remote")
    row = page.signin
    qtbot.waitUntil(lambda: row.button.isEnabled())
    qtbot.mouseClick(row.button, LEFT)
    qtbot.waitUntil(lambda: row.line.text() == "Signed in (127.0.0.1)", timeout=HANG)
    [token] = remote.authority.access

    qtbot.mouseClick(row.button, LEFT)

    qtbot.waitUntil(lambda: row.line.text() == "Not signed in" and row.problem.isVisible())
    assert row.problem.text() == (
        "Signed out of remote on this computer only: its authorization server offers no way "
        "to revoke a sign-in"
    )
    assert token not in str(memory_keyring.passwords)
    assert token not in row.problem.text()
