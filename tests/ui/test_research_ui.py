"""Research mode in the window, with real widgets offscreen over a started core on a real SQLite
file, the mock as the model and a SearXNG with its pages served by a `FakeWeb` on 127.0.0.1:
the composer's Research switch ("+" ▸ Research, a chip while on) sends a message to a research
run, the status bar follows its steps, Stop ends its searching and the report is written from
what was read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from chatdesk.core.chat.events import SourcesFound
from chatdesk.core.kinds import Status
from chatdesk.ui.main_window import MainWindow
from tests.core.web.pages import article
from tests.core.web.web_server import FakeWeb, searxng_answer
from tests.ui.composer_parts import chip_words, chips, choose, entry, open_plus, switch_off
from tests.ui.test_window import send


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    server = FakeWeb().start()
    yield server
    server.close()


def _core(make_core: Any, web: FakeWeb) -> Any:
    return make_core(
        CHATDESK_WEB_ENGINE="searxng",
        CHATDESK_WEB_SEARXNG_URL=f"{web.origin}/searx",
        CHATDESK_WEB_ALLOW_PRIVATE=web.allow,
    )


def _switched_on(qtbot: QtBot, window: MainWindow) -> None:
    """ "+" ▸ Research: it takes the web with it, and each shows as a chip."""
    composer = window.composer
    qtbot.waitUntil(lambda: composer.plus_menu.research.isVisible())
    research = entry(open_plus(qtbot, composer), "Research")
    assert not research.isChecked()
    assert research.toolTip().startswith("Research: answer with a report")
    choose(qtbot, composer, "Research")
    assert research.isChecked()
    assert composer.web.researching
    assert chip_words(composer) == ["Web", "Research"]
    assert chips(composer)["research"].off.accessibleName() == "Switch Research off"


def test_with_research_on_a_message_gets_a_report_citing_the_pages_read(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, web: FakeWeb
) -> None:
    urls = [web.page(f"/news/{n}", article()) for n in (1, 2)]
    web.json("/searx/search", searxng_answer([(f"Story {n}", u, "") for n, u in enumerate(urls)]))
    core = _core(make_core, web)
    window: MainWindow = open_window(core)
    status = window.findChild(QLabel, "providerStatus")
    assert status is not None
    said: list[str] = []
    core.service.events.subscribe(lambda _: said.append(status.text()))
    _switched_on(qtbot, window)

    send(qtbot, window, "footbridge over the Lenne")
    qtbot.waitUntil(lambda: window.current_thread_id is not None)
    page = finish(core.service.list_messages(window.current_thread_id))
    answer = finish(core.service.wait_for_answer(page.messages[-1].id))

    assert answer.status is Status.COMPLETE
    assert (answer.reasoning or "").startswith("**Research plan**")
    assert answer.content.startswith("## Summary")
    assert sorted(s.url for s in answer.sources) == urls
    assert any("Reading: " in text and "of 30 pages" in text for text in said)
    # The report in the conversation, as written or once formatted ("## " drawn as a heading).
    qtbot.waitUntil(lambda: "What the pages say" in window.view.widgets[-1].body.toPlainText())


def test_stop_ends_the_searching_and_the_report_is_written_from_what_was_read(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, web: FakeWeb
) -> None:
    quick, held = web.page("/news/1", article()), web.route("/news/2", hold=True)
    web.json("/searx/search", searxng_answer([("Quick", quick, ""), ("Held", held, "")]))
    core = _core(make_core, web)
    window: MainWindow = open_window(core)
    one_read: list[SourcesFound] = []
    core.service.events.subscribe(
        lambda e: one_read.append(e) if isinstance(e, SourcesFound) else None
    )
    _switched_on(qtbot, window)

    send(qtbot, window, "footbridge")
    qtbot.waitUntil(lambda: bool(one_read))  # one page read, the other held by its server
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Escape)  # Stop
    qtbot.waitUntil(lambda: window.current_thread_id is not None)
    page = finish(core.service.list_messages(window.current_thread_id))
    answer = finish(core.service.wait_for_answer(page.messages[-1].id))

    assert answer.status is Status.COMPLETE  # the report, from the page that was read
    assert [(s.number, s.url) for s in answer.sources] == [(1, quick)]
    assert answer.content.startswith("## Summary")
    assert "[1]" in answer.content


def test_research_and_compare_together_send_nothing_and_say_why(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, web: FakeWeb
) -> None:
    core = _core(make_core, web)
    window: MainWindow = open_window(core)
    _switched_on(qtbot, window)
    window.models.compare.tick("mock/mock-1", True)
    window.models.compare.tick("mock/mock-2", True)

    send(qtbot, window, "footbridge")
    qtbot.waitUntil(
        lambda: "Research and Compare are both on" in window.statusBar().currentMessage()
    )
    assert window.composer.editor.toPlainText() == "footbridge"  # kept
    assert finish(core.service.list_threads()).threads == ()
    assert web.paths() == []


def test_switching_web_off_switches_research_off_too(
    make_core: Any, open_window: Any, qtbot: QtBot, web: FakeWeb
) -> None:
    window: MainWindow = open_window(_core(make_core, web))
    _switched_on(qtbot, window)
    switch_off(qtbot, window.composer, "web")  # the Web chip's ✕

    qtbot.waitUntil(lambda: chip_words(window.composer) == [])
    assert not window.composer.plus_menu.research.isChecked()
    assert not window.composer.web.researching
