"""The Usage tab: tokens and cost per month, provider and model, from real answers of a priced
profile on a real OpenAI-compatible server and of the mock provider."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.chat.usage import UsageRow, UsageTotals
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.ui.settings.notices import Tone
from chatdesk.ui.settings.usage_model import UsageTableModel, cost_text, lines_for, month_label
from chatdesk.ui.settings.usage_view import ALL_MONTHS, UsagePage, UsageQuery
from tests.core.sse_server import FakeOpenAI, Reply, chunk, usage_chunk
from tests.ui.test_settings_providers import (  # noqa: F401 (fixtures)
    OpenPreferences,
    open_preferences,
    said,
)

OpenPage = Callable[[UsageQuery | None], UsagePage]


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("small-model",)).start()
    yield fake
    fake.close()


@pytest.fixture
def open_page(open_preferences: OpenPreferences) -> OpenPage:  # noqa: F811
    # The page asks for usage when it is first shown.
    return lambda usage: open_preferences("Usage", usage=usage).usage


def _answer(core: Core, finish: Any, provider: str, model: str) -> None:
    async def ask() -> None:
        thread = await core.service.create_thread(provider=provider, model=model)
        turn = await core.service.send(thread.id, "hello")
        await core.service.wait_for_answer(turn.answer.id)

    finish(ask())


@pytest.fixture
def priced_core(make_core: Any, server: FakeOpenAI, finish: Any) -> Core:
    core: Core = make_core()
    profile = ProviderProfile(
        "priced",
        server.url,
        default_model="small-model",
        input_price_per_million=2.0,
        output_price_per_million=8.0,
    )
    finish(core.profiles.save(profile))
    return core


def table(page: UsagePage) -> list[list[str]]:
    model = page.model
    return [
        [str(model.index(row, column).data()) for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def test_usage_shows_each_month_with_its_total_and_unknown_costs_as_a_dash(
    qtbot: QtBot,
    qtmodeltester: Any,
    priced_core: Core,
    server: FakeOpenAI,
    finish: Any,
    open_page: OpenPage,
) -> None:
    server.queue(Reply(events=[chunk("Hi"), chunk(finish="stop"), usage_chunk(1_000, 500)]))
    _answer(priced_core, finish, "priced", "small-model")
    _answer(priced_core, finish, "mock", "mock-1")
    [month] = {row.month for row in finish(priced_core.service.usage_by_month())}
    mock_tokens = finish(priced_core.service.usage_by_month())[0].totals

    page = open_page(priced_core.service.usage_by_month)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    qtmodeltester.check(page.model)
    total_in = 1_000 + mock_tokens.prompt_tokens
    total_out = 500 + mock_tokens.completion_tokens
    assert table(page) == [
        [month_label(month), "2", f"{total_in:,}", "0", f"{total_out:,}", "0", "≥ $0.0060"],
        [
            "    mock · mock-1",
            "1",
            f"{mock_tokens.prompt_tokens:,}",
            "0",
            f"{mock_tokens.completion_tokens:,}",
            "0",
            "—",
        ],
        ["    priced · small-model", "1", "1,000", "0", "500", "0", "$0.0060"],
    ]
    assert page.model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert "No price" in page.model.index(1, 6).data(Qt.ItemDataRole.ToolTipRole)
    assert [page.month.itemText(i) for i in range(page.month.count())] == [
        ALL_MONTHS,
        month_label(month),
    ]

    page.month.setFocus()
    qtbot.keyClick(page.month, Qt.Key.Key_Down)  # one month: asked for that month only
    assert page.month.currentData() == month
    qtbot.waitUntil(lambda: not page.refresh.isEnabled())
    qtbot.waitUntil(page.refresh.isEnabled)
    assert len(table(page)) == 3
    assert page.month.count() == 2  # the months on offer stay


def test_estimated_counts_are_marked(
    qtbot: QtBot, priced_core: Core, server: FakeOpenAI, finish: Any, open_page: OpenPage
) -> None:
    server.queue(Reply(events=[chunk("Bonjour"), chunk(finish="stop")]))  # no usage sent
    _answer(priced_core, finish, "priced", "small-model")
    page = open_page(priced_core.service.usage_by_month)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    month_row, priced_row = table(page)
    assert priced_row[2].startswith("≈ ")
    assert priced_row[4].startswith("≈ ")
    assert priced_row[6].startswith("≈ ")  # "≈ $0.000004": a few tokens cost next to nothing
    assert "$" in priced_row[6]
    assert month_row[6] == priced_row[6]
    assert "Counted by chatdesk" in page.model.index(1, 6).data(Qt.ItemDataRole.ToolTipRole)


def test_refresh_shows_answers_given_meanwhile(
    qtbot: QtBot, make_core: Any, finish: Any, open_page: OpenPage
) -> None:
    core: Core = make_core()
    page = open_page(core.service.usage_by_month)
    qtbot.waitUntil(lambda: said(page.status) == (Tone.INFO, "No answers in this period yet."))
    assert page.model.rowCount() == 0
    _answer(core, finish, "mock", "mock-1")
    qtbot.mouseClick(page.refresh, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert said(page.status)[0] is None
    assert table(page)[0][6] == "—"


def test_without_a_query_the_page_says_so(open_page: OpenPage) -> None:
    page = open_page(None)
    assert said(page.status) == (Tone.INFO, "Usage cannot be shown in this session.")
    assert not page.refresh.isEnabled()


# -- the table's lines ---------------------------------------------------------------------------


def _row(month: str, provider: str, cost: float | None, estimated: bool = False) -> UsageRow:
    return UsageRow(month, provider, "m", UsageTotals(1, 10, 5, 2, 1, cost, estimated))


def test_months_are_totalled_in_the_order_given(qtmodeltester: Any) -> None:
    rows = [
        _row("2026-11", "a", 0.5),
        _row("2026-11", "b", 0.25, estimated=True),
        _row("2026-10", "a", None),
    ]
    lines = lines_for(rows)
    assert [(line.label, line.is_month) for line in lines] == [
        ("November 2026", True),
        ("a · m", False),
        ("b · m", False),
        ("October 2026", True),
        ("a · m", False),
    ]
    november, october = lines[0], lines[3]
    assert (november.answers, november.prompt_tokens, november.cost_usd) == (2, 20, 0.75)
    assert cost_text(november) == "≈ $0.750"  # one of them was estimated
    assert cost_text(october) == "—"  # no price: never a made-up $0
    model = UsageTableModel()
    model.show_rows(rows)
    qtmodeltester.check(model)
    model.show_rows([])
    qtmodeltester.check(model)


def test_a_month_where_only_some_answers_had_prices_says_at_least() -> None:
    [month, *_] = lines_for([_row("2026-11", "a", 0.01), _row("2026-11", "b", None)])
    assert month.partial_cost
    assert cost_text(month) == "≥ $0.010"


def test_an_unreadable_month_still_shows() -> None:
    assert month_label("unknown") == "Unknown month"
