"""An answer whose chat has tool servers on that cannot be used names each above its words, with
the way to its fix, and is still written: a remote server that needs a sign-in
(tests/core/oauth_server.py), a command that exits at once, a server that refuses its handshake
and one switched off. "Sign in…" opens Preferences ▸ Tools at the server and signs in there."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.ui.conversation.left_out import LeftOutNotice
from chatdesk.ui.main_window import MainWindow
from tests.core.mcp_helpers import stdio
from tests.core.oauth_server import Browser, Remote, remote_server
from tests.e2e.test_cli_tools_left_out import EXITS, REFUSES
from tests.ui.test_preferences import LEFT
from tests.ui.test_window import answer_done, send
from tests.ui.tool_windows import window_on

HANG = 120_000  # ms a step may take before the test is taken to hang; never reached
SERVERS = ["secure", "gone", "shut", "off"]


@pytest.fixture
def remote() -> Iterator[Remote]:
    with remote_server() as served:
        yield served


def _command(name: str, command: tuple[str, ...]) -> ServerConfig:
    return ServerConfig(
        name, Transport.STDIO, command=command[0], args=command[1:], command_approved=True
    )


def _answered(make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, url: str) -> MainWindow:
    """A window whose chat has the four servers on, once its answer to a question ended."""
    core = make_core()
    tools = core.service.tools
    finish(tools.add_server(ServerConfig("secure", Transport.HTTP, url=url)))
    finish(tools.add_server(_command("gone", EXITS)))
    finish(tools.add_server(_command("shut", (sys.executable, "-I", "-c", REFUSES))))
    finish(tools.add_server(replace(stdio("off"), enabled=False)))
    thread = finish(core.service.create_thread(title="Left out"))
    finish(core.service.set_thread_tools(thread.id, SERVERS))
    tools.signin._browser = Browser()
    window = window_on(open_window, qtbot, core, thread.id)
    send(qtbot, window, "use the whoami tool")
    qtbot.waitUntil(lambda: answer_done(window), timeout=HANG)
    return window


def _notice(window: MainWindow) -> LeftOutNotice:
    notice = window.view.widgets[-1].findChild(LeftOutNotice)
    assert notice is not None
    return notice


@pytest.mark.slow("three tool servers that fail are started, and closed, in turn")
def test_each_server_left_out_is_named_with_its_fix_and_sign_in_signs_in(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, remote: Remote
) -> None:
    window = _answered(make_core, open_window, qtbot, finish, remote.url)

    notice = _notice(window)
    assert notice.isVisible()
    lines = {line.text().split(" ")[0]: line for line in notice.lines}
    assert set(lines) == set(SERVERS)
    said = {name: line.text() for name, line in lines.items()}
    assert said["secure"] == "secure needs you to sign in: its tools were left out"
    assert said["off"] == "off is switched off: its tools were left out"
    assert (
        said["gone"] == "gone could not be used (it closed the connection): its tools were left out"
    )
    assert "this client is not welcome here" in said["shut"]  # the server's own words
    buttons = {b.accessibleName().split(" ")[-1]: b for b in notice.buttons}
    assert buttons["secure"].text() == "Sign in…"
    assert all(buttons[name].text() == "Tool settings…" for name in ("gone", "shut", "off"))
    answer = window.view.widgets[-1]
    assert "use the whoami tool" in answer.body.toPlainText()  # the question was answered
    assert answer.message.status.value == "complete"

    qtbot.mouseClick(buttons["secure"], LEFT)

    dialog = window.settings.dialog
    assert dialog is not None
    assert dialog.tabs.currentWidget() is dialog.tools
    assert dialog.tools.current_name() == "secure"
    row = dialog.tools.signin
    qtbot.waitUntil(lambda: row.line.text() == "Signed in (127.0.0.1)", timeout=HANG)

    qtbot.mouseClick(buttons["off"], LEFT)
    assert dialog.tools.current_name() == "off"
    assert dialog.tools.switch_button.text().replace("&", "") == "Switch on"
    assert notice.isVisible()  # still said on the answer, after the events that followed


def test_a_server_no_longer_set_up_is_removed_from_the_chat_by_its_button(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    service = core.service
    finish(service.tools.add_server(_command("gone", EXITS)))
    thread = finish(service.create_thread(title="A server removed"))
    finish(service.set_thread_tools(thread.id, ["gone"]))
    finish(service.tools.remove_server("gone"))  # the chat still has it on
    window = window_on(open_window, qtbot, core, thread.id)
    send(qtbot, window, "hello")
    qtbot.waitUntil(lambda: answer_done(window), timeout=HANG)
    notice = _notice(window)
    [line] = notice.lines
    assert line.text() == "gone is not a tool server set up here: its tools were left out"
    [button] = notice.buttons
    assert button.text() == "Remove from this chat"

    qtbot.mouseClick(button, LEFT)

    qtbot.waitUntil(lambda: finish(service.thread_tools(thread.id)) == [])
    said = "gone was removed from this chat's tools"
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == said)
    window.models.tools.toggle("chatdesk", True)  # the composer's Tools menu, ticked
    qtbot.waitUntil(lambda: finish(service.thread_tools(thread.id)) == ["chatdesk"])
