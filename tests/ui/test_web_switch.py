"""The composer's Web switch, with real widgets offscreen over a started core on a real SQLite
file: it shows and changes whether the chat shown may search the web (its tool servers name
`web`), agrees with the Tools menu, follows the chat switched to, goes with a new chat; and
with no network it says so before the message is sent. Searches and pages are served by a
`FakeWeb` on 127.0.0.1, as a SearXNG and its results."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QToolButton
from pytestqt.qtbot import QtBot

from chatdesk.core.assistants.model import AssistantFields
from chatdesk.core.kinds import Status
from chatdesk.core.tools.model import BUILT_IN, WEB
from chatdesk.ui.main_window import MainWindow
from tests.core.web.lookups import Lookups
from tests.core.web.pages import article
from tests.core.web.web_server import FakeWeb, searxng_answer
from tests.ui.test_window import send

NO_NETWORK = "No network: the web can't be searched now."


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    server = FakeWeb().start()
    yield server
    server.close()


def _switch(window: MainWindow) -> QToolButton:
    found = window.composer.findChild(QToolButton, "webSwitch")
    assert found is not None
    return found


def _tools(window: MainWindow) -> QToolButton:
    found = window.composer.findChild(QToolButton, "toolsButton")
    assert found is not None
    return found


def _notice(window: MainWindow) -> QLabel:
    found = window.composer.findChild(QLabel, "webNotice")
    assert found is not None
    return found


def _press(qtbot: QtBot, button: QToolButton) -> None:
    button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(button, Qt.Key.Key_Space)


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
    switch, tools = _switch(window), _tools(window)

    window.show_thread(plain.id)
    qtbot.waitUntil(lambda: tools.text() == "Tools · 1")
    assert switch.isVisible()
    assert not switch.isChecked()
    assert switch.accessibleName() == "Web"
    assert switch.toolTip() == "Web: let the model search the web and read pages"
    assert [a.text() for a in tools.menu().actions()] == ["chatdesk: search your chats"]
    _press(qtbot, switch)
    qtbot.waitUntil(lambda: finish(service.thread_tools(plain.id)) == [BUILT_IN, WEB])
    assert switch.isChecked()
    assert tools.text() == "Tools · 1"  # the web is the switch's, not a tick of the menu

    window.show_thread(webbed.id)
    qtbot.waitUntil(lambda: tools.text() == "Tools")
    assert switch.isChecked()
    assert switch.accessibleDescription() == "On: the model may search the web and read pages"
    tools.menu().actions()[0].trigger()  # search the chats too: the web stays on
    qtbot.waitUntil(lambda: finish(service.thread_tools(webbed.id)) == [BUILT_IN, WEB])
    _press(qtbot, switch)
    qtbot.waitUntil(lambda: finish(service.thread_tools(webbed.id)) == [BUILT_IN])
    # the switch redraws on the service's event for the change, which may come after the write
    qtbot.waitUntil(lambda: switch.accessibleDescription() == "Off")
    assert not switch.isChecked()

    window.show_thread(plain.id)
    qtbot.waitUntil(switch.isChecked)  # as it was left
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
    switch = _switch(window)
    qtbot.waitUntil(switch.isVisible)
    assert not switch.isChecked()  # a new chat outside a project starts without the web
    _press(qtbot, switch)
    assert switch.isChecked()

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
    assert switch.isChecked()  # the chat made keeps the web on
    qtbot.waitUntil(lambda: not window.models.web.checking)
    assert not _notice(window).isVisible()  # 127.0.0.1 needs no look-up


def test_with_no_network_the_switch_says_so_before_sending_and_the_message_still_goes(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    window: MainWindow = open_window(core)
    offline = Lookups()
    window.models.web.resolver = offline
    switch, notice = _switch(window), _notice(window)
    qtbot.waitUntil(switch.isVisible)
    assert not notice.isVisible()
    _press(qtbot, switch)
    qtbot.waitUntil(notice.isVisible)  # before anything is sent
    assert notice.text() == NO_NETWORK
    assert notice.accessibleName() == NO_NETWORK
    assert set(offline.asked) == {"html.duckduckgo.com"}

    _press(qtbot, switch)  # off: nothing to say
    assert not notice.isVisible()
    online = Lookups("html.duckduckgo.com")
    window.models.web.resolver = online
    _press(qtbot, switch)
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
    switch = _switch(window)
    qtbot.waitUntil(switch.isVisible)
    assert not switch.isChecked()
    window.new_chat(project.id)
    qtbot.waitUntil(switch.isChecked)  # the project's servers, read from the store
    window.new_chat(None)
    qtbot.waitUntil(lambda: not switch.isChecked())  # outside the project: none
    window.new_chat(project.id)
    qtbot.waitUntil(switch.isChecked)
    _press(qtbot, switch)  # this new chat goes without the web
    assert window.models.tools.new_chat_tools == set()
    send(qtbot, window, "hello")
    qtbot.waitUntil(lambda: window.current_thread_id is not None)
    assert finish(core.service.thread_tools(window.current_thread_id)) == []


def test_a_new_chat_with_an_assistant_that_names_the_web_starts_with_the_switch_on(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    reader = finish(core.service.assistants.create(AssistantFields(name="Reporter", tools=(WEB,))))
    window: MainWindow = open_window(core)
    window.models.web.resolver = Lookups("html.duckduckgo.com")
    switch = _switch(window)
    qtbot.waitUntil(switch.isVisible)
    assert not switch.isChecked()
    window.composer.assistant_changed.emit(reader.id.hex)  # as picking it from the pill does
    qtbot.waitUntil(switch.isChecked)  # its servers, before anything is sent
    window.composer.assistant_changed.emit("")  # no assistant: none
    qtbot.waitUntil(lambda: not switch.isChecked())
