"""An answer that read the web, in the window: the offline mock searches an engine served on
127.0.0.1 (SearXNG's JSON), reads two pages and cites them. Its sources are listed under it by
title and site, with their addresses and when they were read; its [1] opens the page in the
browser only once the user agreed to the real address; a row opens the text the model read,
without leaving chatdesk, whose Open page asks the same; the cards say what was searched for
(before any result) and read, the results readably, and a failure in its own words."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QDateTime, QLocale, QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QMessageBox, QToolTip, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.kinds import CallState
from chatdesk.core.tools.model import WEB
from chatdesk.ui.conversation.message import MessageWidget
from chatdesk.ui.conversation.page_viewer import PageViewer
from chatdesk.ui.conversation.tool_card import ToolCallCard
from chatdesk.ui.main_window import MainWindow
from tests.core.web.pages import ARTICLE_SENTENCE, article
from tests.core.web.web_server import FakeWeb, searxng_answer
from tests.ui.test_window import answer_done

QUESTION = "footbridge over the Lenne"


class _Opened(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


@pytest.fixture
def desktop() -> Iterator[_Opened]:
    """What would be handed to the desktop's browser, caught instead of opened."""
    opened = _Opened()
    for scheme in ("http", "https"):
        QDesktopServices.setUrlHandler(scheme, opened, "open")
    yield opened
    for scheme in ("http", "https"):
        QDesktopServices.unsetUrlHandler(scheme)


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    server = FakeWeb().start()
    yield server
    server.close()


def _engine(web: FakeWeb) -> dict[str, str]:
    """The settings, as the environment gives them, that search `web` as a SearXNG."""
    return {
        "CHATDESK_WEB_ENGINE": "searxng",
        "CHATDESK_WEB_SEARXNG_URL": f"{web.origin}/searx",
        "CHATDESK_WEB_ALLOW_PRIVATE": web.allow,
    }


def _serve(web: FakeWeb, count: int = 3) -> list[str]:
    """`count` articles and a search that finds them in that order; their addresses."""
    urls = []
    for n in range(1, count + 1):
        page = article().replace("Footbridge approved", f"Footbridge story {n}")
        urls.append(web.page(f"/news/{n}", page))
    hits = [(f"Footbridge story {n}", url, f"Snippet {n}") for n, url in enumerate(urls, 1)]
    web.json("/searx/search", searxng_answer(hits))
    return urls


def _asked(window: MainWindow, finish: Any, qtbot: QtBot) -> MessageWidget:
    """The question sent with Web on, its thread shown and its answer formatted."""
    service = window._service
    assert service is not None
    turn = finish(service.send_new(QUESTION, tools=[WEB]))
    window.show_thread(turn.answer.thread_id)
    qtbot.waitUntil(lambda: answer_done(window))
    answer = window.view.widgets[-1]
    qtbot.waitUntil(lambda: "chatdesk:cite/" in (answer.rendered.html if answer.rendered else ""))
    return answer


def _box(window: QWidget, qtbot: QtBot) -> QMessageBox:
    found: list[QMessageBox] = []

    def shown() -> bool:
        found[:] = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
        return len(found) == 1

    qtbot.waitUntil(shown)
    return found[0]


def _local(moment: str) -> str:
    """An ISO time in this machine's zone, as the window's language writes it, short."""
    read = QDateTime.fromString(moment, Qt.DateFormat.ISODate).toLocalTime()
    return QLocale().toString(read, QLocale.FormatType.ShortFormat)


def _cards(answer: MessageWidget) -> list[ToolCallCard]:
    assert answer.tool_calls is not None
    return [answer.tool_calls.cards[call.call_id] for call in answer.message.tool_calls]


def test_the_sources_name_the_pages_their_sites_addresses_and_when_read(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, web: FakeWeb
) -> None:
    urls = _serve(web)
    window = open_window(make_core(**_engine(web)))
    answer = _asked(window, finish, qtbot)
    block = answer.sources
    assert block is not None
    assert block.isVisible()
    # The two pages are read at once: each is numbered as its read ends.
    assert {s.url: s.title for s in answer.message.sources} == {
        urls[0]: "Footbridge story 1",
        urls[1]: "Footbridge story 2",
    }
    assert [row.text() for row in block.rows] == [
        f"[{n}] {s.title} — Lenne Courier" for n, s in enumerate(answer.message.sources, 1)
    ]
    first = answer.message.sources[0]
    facts = [label.text() for label in block.findChildren(QLabel, "sourceBase")]
    assert facts == [
        f"{s.url.split('://')[1]} · read {_local(s.read_at)}" for s in answer.message.sources
    ]
    assert block.rows[0].accessibleName() == f"Source 1: {first.title}, from Lenne Courier"
    assert block.rows[0].toolTip() == f"{first.title}\n{first.url}"
    assert block.open_buttons[2].accessibleName() == "Open page 2"

    qtbot.mouseClick(block.toggle, Qt.MouseButton.LeftButton)
    assert block.toggle.text() == "▸ Sources: Lenne Courier"  # the site, once


def test_a_citation_opens_the_page_only_after_the_user_agreed(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, web: FakeWeb, desktop: _Opened
) -> None:
    _serve(web)
    window = open_window(make_core(**_engine(web)))
    answer = _asked(window, finish, qtbot)
    urls = [source.url for source in answer.message.sources]
    second = answer.message.sources[1]

    answer.body.highlighted.emit(QUrl("chatdesk:cite/2"))  # the pointer over "[2]"
    qtbot.waitUntil(lambda: QToolTip.text() == f"{second.title}\n{second.url}")
    answer.body.highlighted.emit(QUrl(""))  # and off it
    qtbot.waitUntil(lambda: not QToolTip.isVisible())
    answer.body.anchorClicked.emit(QUrl("chatdesk:cite/2"))  # what a click on "[2]" does
    box = _box(window, qtbot)
    assert box.text() == f"Open this link in your browser?\n\nHost: 127.0.0.1\n\n{urls[1]}"
    box.done(QMessageBox.StandardButton.Cancel)
    assert desktop.urls == []
    assert window.actions_.passages.viewers == []  # the page, not a viewer

    answer.body.anchorClicked.emit(QUrl("chatdesk:cite/2"))
    _box(window, qtbot).done(QMessageBox.StandardButton.Open)
    qtbot.waitUntil(lambda: desktop.urls == [urls[1]])
    assert web.paths().count("/news/2") == 1  # opened in the browser, never fetched again

    block = answer.sources
    assert block is not None
    qtbot.mouseClick(block.open_buttons[1], Qt.MouseButton.LeftButton)  # the row's Open page
    _box(window, qtbot).done(QMessageBox.StandardButton.Open)
    qtbot.waitUntil(lambda: desktop.urls == [urls[1], urls[0]])


def test_a_row_shows_what_was_read_and_its_open_page_asks_first(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, web: FakeWeb, desktop: _Opened
) -> None:
    _serve(web)
    window = open_window(make_core(**_engine(web)))
    answer = _asked(window, finish, qtbot)
    block = answer.sources
    assert block is not None
    urls = [source.url for source in answer.message.sources]

    qtbot.mouseClick(block.rows[0], Qt.MouseButton.LeftButton)
    passages = window.actions_.passages
    qtbot.waitUntil(lambda: len(passages.viewers) == 1)
    viewer = passages.viewers[0]
    assert isinstance(viewer, PageViewer)
    source = answer.message.sources[0]
    assert viewer.text.toPlainText() == source.text
    assert ARTICLE_SENTENCE in viewer.text.toPlainText()
    assert "SCRIPT-SECRET" not in viewer.text.toPlainText()  # as the model read it
    assert viewer.heading.text() == source.title
    assert source.title.startswith("Footbridge story ")
    assert viewer.address.text() == urls[0]
    assert viewer.facts.text().startswith("Lenne Courier · read ")
    assert viewer.windowTitle() == f"[1] {source.title}"

    qtbot.mouseClick(viewer.open_button, Qt.MouseButton.LeftButton)
    box = _box(viewer, qtbot)  # over the viewer, where the user is looking
    assert urls[0] in box.text()
    box.done(QMessageBox.StandardButton.Cancel)
    assert desktop.urls == []
    qtbot.mouseClick(viewer.open_button, Qt.MouseButton.LeftButton)
    _box(viewer, qtbot).done(QMessageBox.StandardButton.Open)
    qtbot.waitUntil(lambda: desktop.urls == [urls[0]])
    viewer.close()


def test_the_cards_say_what_was_searched_for_and_read(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, web: FakeWeb
) -> None:
    urls = _serve(web)
    window = open_window(make_core(**_engine(web)))
    answer = _asked(window, finish, qtbot)
    search, *reads = _cards(answer)
    assert search.web is not None
    assert search.web.line.text() == f"Searched the web for “{QUESTION}”: 3 results"
    assert search.accessibleDescription() == search.web.line.text()  # a screen reader says it
    assert search.web.error.isHidden()
    number = {s.url: s.number for s in answer.message.sources}
    assert [card.web.line.text() for card in reads if card.web] == [
        f"Read “Footbridge story {n}” [{number[urls[n - 1]]}] · {urls[n - 1]}" for n in (1, 2)
    ]

    search._fold.setChecked(True)  # the results, as a person reads them
    assert search._result is not None
    shown = search._result.toPlainText()
    assert shown.startswith(f"1. Footbridge story 1\n   {urls[0]}\n   Snippet 1\n\n2. ")
    assert '"results"' not in shown
    assert not search._result.openLinks()  # plain text: no address in it is a link


def test_a_search_card_shows_the_query_while_the_engine_has_not_answered(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, web: FakeWeb
) -> None:
    web.route("/searx/search", hold=True)  # the engine answers nothing until chatdesk leaves
    core = make_core(**_engine(web))
    window = open_window(core)
    turn = finish(core.service.send_new(QUESTION, tools=[WEB]))
    window.show_thread(turn.answer.thread_id)
    qtbot.waitUntil(lambda: len(window.view.widgets) == 2)
    answer = window.view.widgets[-1]
    qtbot.waitUntil(
        lambda: (
            [c.state for c in answer.message.tool_calls] == [CallState.RUNNING]
            and answer.tool_calls is not None
            and bool(answer.tool_calls.cards)
        )
    )
    [card] = _cards(answer)
    assert card.web is not None
    assert card.web.line.text() == f"Searching the web for “{QUESTION}”…"
    assert card.call.result is None
    finish(core.service.stop(turn.answer.id))


def test_a_failed_search_says_why_on_its_card(
    make_core: Any, open_window: Any, qtbot: QtBot, finish: Any, web: FakeWeb
) -> None:
    web.json("/searx/search", {"error": "slow down"}, status=429, **{"Retry-After": "30"})
    window = open_window(make_core(**_engine(web)))
    service = window._service
    turn = finish(service.send_new(QUESTION, tools=[WEB]))
    window.show_thread(turn.answer.thread_id)
    qtbot.waitUntil(lambda: answer_done(window))
    [card] = _cards(window.view.widgets[-1])
    assert card.web is not None
    assert card.web.line.text() == f"Searched the web for “{QUESTION}”"
    assert card.web.error.isVisible()
    assert card.web.error.text() == (
        "SearXNG is limiting how often chatdesk may search; try again in 30 s."
    )
    assert card.call.state == CallState.FAILED


def test_another_tools_card_is_as_it_was(qtbot: QtBot) -> None:
    from chatdesk.core.views import ToolCallView

    arguments = json.dumps({"query": "x"})
    call = ToolCallView("c1", "notes", "web_search", "notes__web_search", arguments, "done")
    call = dataclasses.replace(call, result='{"results": []}')
    card = ToolCallCard(call)
    qtbot.addWidget(card)
    assert card.web is None  # a server of the user's that names a tool so is not the web
    card._fold.setChecked(True)
    assert card._result is not None
    assert card._result.toPlainText() == '{"results": []}'
