"""The composer's Web switch ("+" ▸ Web, and a chip while on), with real widgets offscreen over
a started core on a real SQLite file: it shows and changes whether the chat shown may search
the web (its tool servers name `web`), agrees with the Tools menu, follows the chat switched
to, goes with a new chat; and with no network it says so before the message is sent. Searches
and pages are served by a `FakeWeb` on 127.0.0.1, as a SearXNG and its results."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from chatdesk.core.assistants.model import AssistantFields
from chatdesk.core.kinds import Status
from chatdesk.core.tools.model import BUILT_IN, WEB
from chatdesk.ui.main_window import MainWindow
from tests.core.web.lookups import Lookups
from tests.core.web.pages import article
from tests.core.web.web_server import FakeWeb, searxng_answer
from tests.ui.composer_parts import chips, choose, entry, open_plus
from tests.ui.test_window import send

NO_NETWORK = "No network: the web can't be searched now."


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    server = FakeWeb().start()
    yield server
    server.close()


def _offered(window: MainWindow) -> bool:
    """ "+" offers Web (the chat's tool servers are known)."""
    return window.composer.plus_menu.web.isVisible()


def _on(window: MainWindow) -> bool:
    """Web is on: ticked in "+", and a chip in the row says so (off: neither)."""
    on = window.composer.plus_menu.web.isChecked()
    assert on == ("web" in chips(window.composer))
    return on


def _tools(window: MainWindow) -> str:
    """What the Tools chip says ("": no tool server is on)."""
    chip = chips(window.composer).get("tools")
    return chip.label.accessibleName() if chip is not None else ""


def _notice(window: MainWindow) -> QLabel:
    found = window.composer.findChild(QLabel, "webNotice")
    assert found is not None
    return found


def _press(qtbot: QtBot, window: MainWindow) -> None:
    """ "+" ▸ Web, with the keyboard."""
    choose(qtbot, window.composer, "Web")


def test_the_switch_shows_and_changes_the_chats_servers_and_agrees_with_tools(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    service = core.service
    plain = finish(service.create_thread(title="Plain"))
    finish(service.set_thread_tools(plain.id, [BUILT_IN]))
    webbed = finish(service.create_thread(title="With the web"))
    finish(service.set_thread_tools(webbed.id, [WEB]))
    window: MainWindow = open_window(core)
    window.models.web.resolver = Lookups("html.duckduckgo.com")
    tools = window.composer.plus_menu.tools

    window.show_thread(plain.id)
    qtbot.waitUntil(lambda: _tools(window) == "Tools · 1")
    assert _offered(window)
    assert not _on(window)
    web = entry(open_plus(qtbot, window.composer), "Web")
    assert web.toolTip() == "Web: let the model search the web and read pages"
    assert [a.text() for a in tools.actions()] == ["chatdesk: search your chats"]
    _press(qtbot, window)
    qtbot.waitUntil(lambda: finish(service.thread_tools(plain.id)) == [BUILT_IN, WEB])
    assert _on(window)
    web_chip = chips(window.composer)["web"]
    assert web_chip.toolTip() == "Web: let the model search the web and read pages"
    assert _tools(window) == "Tools · 1"  # the web is the switch's, not a tick of the menu

    window.show_thread(webbed.id)
    qtbot.waitUntil(lambda: _tools(window) == "")
    assert _on(window)
    tools.actions()[0].trigger()  # search the chats too: the web stays on
    qtbot.waitUntil(lambda: finish(service.thread_tools(webbed.id)) == [BUILT_IN, WEB])
    _press(qtbot, window)
    qtbot.waitUntil(lambda: finish(service.thread_tools(webbed.id)) == [BUILT_IN])
    # the switch redraws on the service's event for the change, which may come after the write
    qtbot.waitUntil(lambda: not _on(window))

    window.show_thread(plain.id)
    qtbot.waitUntil(lambda: _on(window))  # as it was left
    qtbot.waitUntil(lambda: not window.models.web.checking)
    assert not _notice(window).isVisible()  # the engine's name resolved


def test_a_new_chat_sent_with_web_on_searches_reads_and_cites_the_pages(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, web: FakeWeb
) -> None:
    stories = {n: article().replace("Footbridge approved", f"Footbridge story {n}") for n in (1, 2)}
    urls = [web.page(f"/news/{n}", page) for n, page in stories.items()]
    hits = [(f"Footbridge story {n}", url, f"Snippet {n}") for n, url in enumerate(urls, 1)]
    web.json("/searx/search", searxng_answer(hits))
    core = make_core(
        CHATDESK_WEB_ENGINE="searxng",
        CHATDESK_WEB_SEARXNG_URL=f"{web.origin}/searx",
        CHATDESK_WEB_ALLOW_PRIVATE=web.allow,
    )
    window: MainWindow = open_window(core)
    qtbot.waitUntil(lambda: _offered(window))
    assert not _on(window)  # a new chat outside a project starts without the web
    _press(qtbot, window)
    assert _on(window)

    send(qtbot, window, "footbridge over the Lenne")
    qtbot.waitUntil(lambda: window.current_thread_id is not None)
    thread_id = window.current_thread_id
    assert finish(core.service.thread_tools(thread_id)) == [WEB]
    page = finish(core.service.list_messages(thread_id))
    answer = finish(core.service.wait_for_answer(page.messages[-1].id))
    assert answer.status is Status.COMPLETE
    # Both pages read are its sources (their numbers follow the order the reads ended in).
    assert sorted(s.url for s in answer.sources) == urls
    assert [s.number for s in answer.sources] == [1, 2]
    assert "[1]" in answer.content
    searched, *read = [path.partition("?")[0] for path in web.paths()]
    assert (searched, sorted(read)) == ("/searx/search", ["/news/1", "/news/2"])
    assert _on(window)  # the chat made keeps the web on
    qtbot.waitUntil(lambda: not window.models.web.checking)
    assert not _notice(window).isVisible()  # 127.0.0.1 needs no look-up


def test_with_no_network_the_switch_says_so_before_sending_and_the_message_still_goes(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window: MainWindow = open_window(core)
    offline = Lookups()
    window.models.web.resolver = offline
    notice = _notice(window)
    qtbot.waitUntil(lambda: _offered(window))
    assert not notice.isVisible()
    _press(qtbot, window)
    qtbot.waitUntil(notice.isVisible)  # before anything is sent
    assert notice.text() == NO_NETWORK
    assert notice.accessibleName() == NO_NETWORK
    assert set(offline.asked) == {"html.duckduckgo.com"}

    _press(qtbot, window)  # off: nothing to say
    assert not notice.isVisible()
    online = Lookups("html.duckduckgo.com")
    window.models.web.resolver = online
    _press(qtbot, window)
    qtbot.waitUntil(lambda: bool(online.asked) and not window.models.web.checking)
    assert set(online.asked) == {"html.duckduckgo.com"}
    assert not notice.isVisible()

    window.models.web.resolver = offline
    offline.asked.clear()
    # The engine at an address that cannot resolve: the search fails at once, as offline.
    settings = window.settings.current
    web = replace(settings.web, engine="searxng", searxng_url="http://searx.invalid:8888")
    window.settings.apply(replace(settings, web=web))
    qtbot.waitUntil(notice.isVisible)
    assert notice.text() == (
        "SearXNG at searx.invalid cannot be found: the web can't be searched now."
    )
    send(qtbot, window, "what happened in Lenne today?")
    qtbot.waitUntil(lambda: window.current_thread_id is not None)
    page = finish(core.service.list_messages(window.current_thread_id))
    answer = finish(core.service.wait_for_answer(page.messages[-1].id))
    assert answer.content.startswith("I could not search the web:")
    [search] = answer.tool_calls
    assert search.is_error
    assert "searx.invalid" in (search.result or "")
    assert "searx.invalid" in offline.asked  # asked again as the message went


def test_a_new_chat_in_a_project_with_the_web_starts_with_the_switch_on(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    project = finish(core.service.create_project("News", tools=[WEB]))
    window: MainWindow = open_window(core)
    window.models.web.resolver = Lookups("html.duckduckgo.com")
    qtbot.waitUntil(lambda: _offered(window))
    assert not _on(window)
    window.new_chat(project.id)
    qtbot.waitUntil(lambda: _on(window))  # the project's servers, read from the store
    window.new_chat(None)
    qtbot.waitUntil(lambda: not _on(window))  # outside the project: none
    window.new_chat(project.id)
    qtbot.waitUntil(lambda: _on(window))
    _press(qtbot, window)  # this new chat goes without the web
    assert window.models.tools.new_chat_tools == set()
    send(qtbot, window, "hello")
    qtbot.waitUntil(lambda: window.current_thread_id is not None)
    assert finish(core.service.thread_tools(window.current_thread_id)) == []


def test_a_new_chat_with_an_assistant_that_names_the_web_starts_with_the_switch_on(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    finish(core.service.assistants.create(AssistantFields(name="Reporter", tools=(WEB,))))
    window: MainWindow = open_window(core)
    window.models.web.resolver = Lookups("html.duckduckgo.com")
    qtbot.waitUntil(lambda: _offered(window))
    assert not _on(window)
    assistants = window.composer.plus_menu.assistants
    qtbot.waitUntil(lambda: "Reporter" in dict(assistants.entries()).values())
    choose(qtbot, window.composer, "Assistant", "Reporter")
    qtbot.waitUntil(lambda: _on(window))  # its servers, before anything is sent
    choose(qtbot, window.composer, "Assistant", "No assistant")  # none
    qtbot.waitUntil(lambda: not _on(window))
