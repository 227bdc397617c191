"""The Ctrl+K quick switcher: type, move with the arrows, Enter opens, Escape closes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.ui.runner import Runner
from chatdesk.ui.sidebar import QuickSwitcher
from chatdesk.ui.sidebar.switcher import DETAIL_ROLE
from tests.ui.test_sidebar import NOW, Seed, seed

KEY = Qt.Key


@pytest.fixture
def open_switcher(make_core: Any, qtbot: QtBot, finish: Any) -> Iterator[Any]:
    opened: list[tuple[QuickSwitcher, Runner]] = []

    def open_(core: Core) -> QuickSwitcher:
        runner = Runner()
        switcher = QuickSwitcher(core.service, runner, now=lambda: NOW)
        qtbot.addWidget(switcher)
        switcher.open()
        opened.append((switcher, runner))
        return switcher

    yield open_
    for _, runner in opened:
        finish(runner.aclose())


def rows(switcher: QuickSwitcher) -> list[tuple[str, str]]:
    model = switcher.results_model
    return [
        (model.index(row).data(), model.index(row).data(DETAIL_ROLE))
        for row in range(model.rowCount())
    ]


def test_opens_with_the_most_recent_chats_and_their_projects(
    make_core: Any, open_switcher: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    work = finish(core.service.create_project("Work"))
    seed(
        core,
        finish,
        Seed("standup notes", NOW - timedelta(hours=3), work.id),
        Seed("just asked", NOW - timedelta(seconds=20)),
        Seed("last week", NOW - timedelta(days=3)),
        Seed("put away", NOW, archived=True),
    )
    switcher = open_switcher(core)

    qtbot.waitUntil(lambda: len(rows(switcher)) == 3)
    assert rows(switcher) == [
        ("just asked", "just now"),
        ("standup notes", "Work · 3 h"),
        ("last week", "3 days"),
    ]
    assert switcher.results.currentIndex().row() == 0
    assert switcher.query.hasFocus()


def test_typing_searches_every_chat_and_enter_opens_it(
    make_core: Any, open_switcher: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    many = [Seed(f"chat {n}", NOW - timedelta(minutes=n)) for n in range(200)]
    *_, budget = seed(core, finish, *many, Seed("Quarterly BUDGET", NOW - timedelta(days=400)))
    switcher = open_switcher(core)
    qtbot.waitUntil(lambda: len(rows(switcher)) == 50)  # the first screenful of recent ones

    qtbot.keyClicks(switcher.query, "budget")
    qtbot.waitUntil(lambda: [title for title, _ in rows(switcher)] == ["Quarterly BUDGET"])
    with qtbot.waitSignal(switcher.thread_chosen) as chosen:
        qtbot.keyClick(switcher.query, KEY.Key_Return)
    assert chosen.args == [budget]
    assert not switcher.isVisible()


def test_arrows_pick_and_enter_typed_at_once_waits_for_the_search(
    make_core: Any, open_switcher: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    seed(core, finish, Seed("alpha one", NOW), Seed("alpha two", NOW - timedelta(hours=1)))
    [other] = seed(core, finish, Seed("beta", NOW - timedelta(hours=2)))
    switcher = open_switcher(core)
    qtbot.waitUntil(lambda: len(rows(switcher)) == 3)

    qtbot.keyClick(switcher.query, KEY.Key_Down)
    qtbot.keyClick(switcher.query, KEY.Key_Down)
    assert switcher.results.currentIndex().data() == "beta"
    qtbot.keyClick(switcher.query, KEY.Key_Up)
    assert switcher.results.currentIndex().data() == "alpha two"

    with qtbot.waitSignal(switcher.thread_chosen) as chosen:
        qtbot.keyClicks(switcher.query, "bet")
        qtbot.keyClick(switcher.query, KEY.Key_Return)  # before the search has even begun
    assert chosen.args == [other]


def test_no_match_says_so_and_escape_closes_without_choosing(
    make_core: Any, open_switcher: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    seed(core, finish, Seed("something"))
    switcher = open_switcher(core)
    qtbot.waitUntil(lambda: len(rows(switcher)) == 1)

    qtbot.keyClicks(switcher.query, "nothing like it")
    qtbot.waitUntil(lambda: rows(switcher) == [])
    assert switcher.empty.isVisible()
    assert switcher.empty.text() == "No chats match “nothing like it”."
    with qtbot.assertNotEmitted(switcher.thread_chosen):
        qtbot.keyClick(switcher.query, KEY.Key_Return)
        qtbot.keyClick(switcher.query, KEY.Key_Escape)
    assert not switcher.isVisible()


def test_reopening_starts_afresh(
    make_core: Any, open_switcher: Any, qtbot: QtBot, finish: Any, qtmodeltester: Any
) -> None:
    core = make_core()
    seed(core, finish, Seed("first"), Seed("second", NOW - timedelta(hours=1)))
    switcher = open_switcher(core)
    qtbot.waitUntil(lambda: len(rows(switcher)) == 2)
    qtmodeltester.check(switcher.results_model)
    qtbot.keyClicks(switcher.query, "sec")
    qtbot.waitUntil(lambda: len(rows(switcher)) == 1)
    switcher.reject()

    switcher.open()
    assert switcher.query.text() == ""
    qtbot.waitUntil(lambda: len(rows(switcher)) == 2)
