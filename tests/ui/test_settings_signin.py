"""Signing in to a remote tool server from Preferences ▸ Tools, through its widgets, against a
server that needs sign-in and its authorization server run in the test
(tests/core/oauth_server.py): the form's client ID and secret, the "Sign in…" button that
opens the (test's) browser and waits, "Signed in …" with Sign out, and a Cancel while waiting."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.core.tools.service import TOOLS_FILE, Tools
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.tools_page import ToolsPage
from tests.core.oauth_server import PRE_ID, PRE_SECRET, Browser, Remote, remote_server
from tests.keyrings import MemoryKeyring
from tests.ui.preference_pages import own_tools, select_row, tools_page
from tests.ui.shown import wait_exposed
from tests.ui.test_preferences import LEFT

HANG = 60_000


@pytest.fixture
def remote() -> Iterator[Remote]:
    with remote_server() as served:
        yield served


@pytest.fixture
def tools(tmp_path: Path, finish: Any, remote: Remote) -> Iterator[Tools]:
    yield from own_tools(tmp_path, finish)


@pytest.fixture
def page(qtbot: QtBot, runner: Runner, tools: Tools) -> Iterator[ToolsPage]:
    yield from tools_page(qtbot, runner, tools)


def test_a_pre_registered_client_is_typed_in_the_form_and_signed_in_from_its_row(
    page: ToolsPage,
    tools: Tools,
    remote: Remote,
    qtbot: QtBot,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
) -> None:
    browser = Browser()
    tools.signin._browser = browser
    qtbot.mouseClick(page.add_button, LEFT)
    form = page.server_form
    assert form is not None
    wait_exposed(qtbot, form)
    assert not form.client_id.isEnabled()  # a command has no sign-in
    qtbot.keyClicks(form.name, "remote")
    form.kind.setCurrentIndex(form.kind.findData("http"))
    qtbot.keyClicks(form.url, remote.url)
    qtbot.keyClicks(form.client_id, PRE_ID)
    qtbot.keyClicks(form.client_secret, PRE_SECRET)
    qtbot.mouseClick(form.save, LEFT)
    qtbot.waitUntil(lambda: "Saved remote." in page.status.text())
    saved = (tmp_path / "config" / TOOLS_FILE).read_text()
    assert json.loads(saved)["servers"]["remote"]["clientId"] == PRE_ID
    assert PRE_SECRET not in saved
    qtbot.waitUntil(lambda: PRE_SECRET in str(memory_keyring.passwords))

    select_row(page.list, "remote")
    row = page.signin
    qtbot.waitUntil(lambda: row.button.isEnabled() and row.line.text() == "Not signed in")
    assert row.isVisible()
    qtbot.mouseClick(row.button, LEFT)
    qtbot.waitUntil(lambda: row.line.text() == "Signed in (127.0.0.1)", timeout=HANG)

    assert row.button.text() == "Sign &out"
    assert len(browser.opened) == 1
    assert {t.client_id for t in remote.authority.access.values()} == {PRE_ID}
    [token] = remote.authority.access
    assert token not in row.line.text() + row.address_text.text()
    qtbot.mouseClick(row.button, LEFT)
    qtbot.waitUntil(lambda: row.line.text() == "Not signed in")
    assert token not in str(memory_keyring.passwords)


def test_waiting_for_the_browser_shows_the_address_and_cancel_gives_up(
    page: ToolsPage, tools: Tools, remote: Remote, qtbot: QtBot, finish: Any
) -> None:
    opened = threading.Event()
    tools.signin._browser = lambda url: opened.set()  # a browser the user never finishes in
    finish(tools.add_server(ServerConfig("remote", Transport.HTTP, url=remote.url)))
    page.refresh()
    select_row(page.list, "remote")
    row = page.signin
    qtbot.waitUntil(lambda: row.button.isEnabled())

    qtbot.mouseClick(row.button, LEFT)
    qtbot.waitUntil(lambda: row.address.isVisible(), timeout=HANG)
    assert row.address_label.text() == "If no browser opened, go to:"
    assert "/authorize?" in row.address_text.text()
    assert row.address_text.isReadOnly()
    assert row.button.text() == "Cancel"
    qtbot.mouseClick(row.button, LEFT)

    qtbot.waitUntil(lambda: row.line.text() == "Not signed in" and row.button.isEnabled())
    assert not row.address.isVisible()
    assert row.button.text() == "Si&gn in…"
