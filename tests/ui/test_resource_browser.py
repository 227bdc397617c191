"""Attaching a tool server's resource from the window, by keyboard: the Attach button's menu,
the browser listing the test MCP server's resources and templates (tests/core/mcp_server.py over
stdio), its filter, a template's parameter, a server that cannot start saying why, and the chip
that says where the attachment came from, in the composer and in the message sent."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.ui.attachments.resource_browser import ResourceBrowser
from chatdesk.ui.main_window import MainWindow
from tests.core.mcp_helpers import stdio
from tests.ui.composer_parts import choose, close_menus, entries, entry, open_plus
from tests.ui.test_window import answer_done, send

LONG = 30_000  # ms: the server and the reading child start on first use


def _browsing(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, *more: ServerConfig
) -> tuple[MainWindow, ResourceBrowser]:
    """A window with the test server (as notes) and `more`, its resource browser open."""
    core = make_core()
    for server in (stdio("notes"), *more):
        finish(core.service.tools.add_server(server))
    window = open_window(core)
    return window, _open_browser(qtbot, window)


def _open_browser(qtbot: QtBot, window: MainWindow) -> ResourceBrowser:
    """ "+" ▸ Resource from a server…, with the keyboard."""
    menu = open_plus(qtbot, window.composer)
    assert entries(menu)[:2] == ["Attach files…", "Resource from a server…"]
    assert entry(menu, "Resource from a server…").toolTip() == (
        "Attach a resource a tool server offers"
    )
    close_menus(qtbot)
    choose(qtbot, window.composer, "Resource from a server…")
    qtbot.waitUntil(lambda: window.composer.findChild(ResourceBrowser) is not None)
    browser = window.composer.findChild(ResourceBrowser)
    assert browser is not None
    qtbot.waitUntil(lambda: browser.status.text() == "", timeout=LONG)  # every server answered
    return browser


def _rows(browser: ResourceBrowser) -> list[tuple[str, str, str]]:
    rows = []
    for index in range(browser.tree.topLevelItemCount()):
        server = browser.tree.topLevelItem(index)
        assert server is not None
        for number in range(server.childCount()):
            row = server.child(number)
            assert row is not None
            if not row.isHidden():
                rows.append((server.text(0), row.text(0), row.text(1)))
    return rows


def test_a_resource_is_chosen_by_keyboard_and_its_chip_says_where_it_came_from(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window, browser = _browsing(make_core, open_window, qtbot, finish)
    assert ("notes", "Shopping list", "note://shopping") in _rows(browser)
    assert ("notes", "A greeting", "greeting://{person}") in _rows(browser)
    assert browser.filter.hasFocus()
    qtbot.keyClicks(browser.filter, "shopping")
    assert _rows(browser) == [("notes", "Shopping list", "note://shopping")]
    qtbot.keyClick(browser.filter, Qt.Key.Key_Return)  # Attach
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == 1, timeout=LONG)
    [attached] = window.composer.attachments()
    assert attached.text.startswith("Remember the milk.")
    assert window.focusWidget() is window.composer._editor  # type the message next
    [chip] = window.composer._strip.chips
    assert "From the server notes: note://shopping" in chip.toolTip()

    send(qtbot, window, "What is on my list?")
    qtbot.waitUntil(lambda: answer_done(window), timeout=LONG)
    question = window.view.widgets[0]
    assert question.attachments is not None
    [button] = question.attachments.buttons
    assert "From the server notes: note://shopping" in button.toolTip()
    assert "note://shopping" in button.accessibleDescription()


def test_a_templates_parameter_is_asked_for_before_it_is_read(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window, browser = _browsing(make_core, open_window, qtbot, finish)
    qtbot.keyClicks(browser.filter, "greeting")
    assert browser.parameters.isVisible()
    qtbot.keyClick(browser.filter, Qt.Key.Key_Return)
    assert browser.status.text() == "Fill in person."
    assert browser.isVisible()
    field = browser._fields["person"]
    assert field.hasFocus()
    qtbot.keyClicks(field, "Ann")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == 1, timeout=LONG)
    [attached] = window.composer.attachments()
    assert attached.text == "Hello, Ann!"
    assert attached.origin_uri == "greeting://Ann"
    assert attached.name == "A greeting (Ann)"  # an address with no file name: what was chosen


def test_a_server_that_cannot_start_says_why_and_escape_closes(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    missing = ServerConfig(
        "broken", Transport.STDIO, command="no-such-command-4f1c", command_approved=True
    )
    window, browser = _browsing(make_core, open_window, qtbot, finish, missing)
    broken = browser.tree.topLevelItem(0)
    assert broken is not None
    assert broken.text(0) == "broken"
    assert broken.text(1).startswith("could not be asked: ")
    assert "no-such-command-4f1c" in broken.text(1)
    assert ("notes", "Shopping list", "note://shopping") in _rows(browser)
    qtbot.keyClick(browser.filter, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not browser.isVisible())
    assert window.composer.attachments() == []
    assert window.focusWidget() is window.composer._editor
    QApplication.processEvents()
