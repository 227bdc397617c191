"""The composer's Tools menu ("+" ▸ Tools) follows the tool servers while the window is open: a
server added, switched off or removed (as Preferences ▸ Tools does, through `service.tools`) is
in the menu, or gone from it, without showing another chat first."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from chatdesk.core.tools.servers import ServerConfig, Transport

SEARCH = "chatdesk: search your chats"


def test_servers_added_switched_off_and_removed_show_in_the_tools_menu_at_once(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window = open_window(core)
    tools = window.composer.plus_menu.tools  # the "+" menu's Tools ▸
    qtbot.waitUntil(lambda: tools.menuAction().isVisible())

    def entries() -> list[str]:
        return [action.text() for action in tools.actions()]

    assert entries() == [SEARCH]
    remote = ServerConfig("remote", Transport.HTTP, url="http://127.0.0.1:9/mcp")
    finish(core.service.tools.add_server(remote))
    qtbot.waitUntil(lambda: entries() == [SEARCH, "remote"])
    finish(core.service.tools.set_enabled("remote", False))
    qtbot.waitUntil(lambda: entries() == [SEARCH])
    finish(core.service.tools.set_enabled("remote", True))
    qtbot.waitUntil(lambda: entries() == [SEARCH, "remote"])
    finish(core.service.tools.remove_server("remote"))
    qtbot.waitUntil(lambda: entries() == [SEARCH])
