"""Research mode over a SearXNG-compatible engine and pages served on 127.0.0.1, a real SQLite
file and the offline mock as the model: the plan, each search and page read as the answer's
steps, the pages as its sources, a report citing them; stopped by the user or a limit, it
writes the report from what it had read."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from typing import Any

import pytest

from chatdesk.core.chat.events import Event, ResearchProgressed, SourcesFound
from chatdesk.core.config import CapsSettings
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.kinds import Status
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.service import ChatService
from chatdesk.core.views import ResearchLimits
from tests.conftest import ServiceFactory
from tests.core.sse_server import FakeOpenAI, text_reply
from tests.core.web.pages import article
from tests.core.web.test_web_tools import _serve_results, _settings
from tests.core.web.web_server import FakeWeb, searxng_answer

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes


def _collect(service: ChatService) -> list[Event]:
    seen: list[Event] = []
    service.events.subscribe(seen.append)
    return seen


async def test_a_research_run_plans_searches_reads_and_writes_a_cited_report(
    make_service: ServiceFactory, config: Any, web: FakeWeb
) -> None:
    urls = _serve_results(web)
    service = make_service(_settings(config.settings, web))
    seen = _collect(service)

    turn = await service.research.send(None, "footbridge over the Lenne")
    answer = await service.wait_for_answer(turn.answer.id)

    assert answer.status is Status.COMPLETE
    plan, report = answer.reasoning or "", answer.content
    assert plan.startswith("**Research plan**")  # the answer's reasoning; the report its text
    assert "1. footbridge over the Lenne\n" in plan
    assert "3. footbridge over the Lenne explained" in plan
    assert "1. footbridge over the Lenne open questions" in plan  # the second round's
    assert report.startswith("## Summary")
    searches = [c for c in answer.tool_calls if c.tool == "web_search"]
    reads = [c for c in answer.tool_calls if c.tool == "read_page"]
    assert len(searches) == 4  # the plan's three, then one for what the pages left open
    assert [r.state for r in reads] == ["done"] * 3  # each page once, though every search found it
    assert sorted(s.url for s in answer.sources) == sorted(urls)
    assert all(f"[{n}]" in report for n in (1, 2, 3))
    progress = [e for e in seen if isinstance(e, ResearchProgressed)]
    assert progress[0].step == "Planning the searches"
    assert (progress[-1].step, progress[-1].pages, progress[-1].stopped) == (
        "Writing the report",
        3,
        False,
    )


async def test_stopping_a_research_run_writes_the_report_from_the_pages_read(
    make_service: ServiceFactory, config: Any, web: FakeWeb
) -> None:
    fast, never = web.page("/news/1", article()), web.route("/news/2", hold=True)
    hits = [("Quick", fast, "s"), ("Hanging", never, "s")]
    web.json("/searx/search", searxng_answer(hits))
    service = make_service(_settings(config.settings, web))
    read_one = asyncio.Event()
    service.events.subscribe(
        lambda e: read_one.set() if isinstance(e, SourcesFound) and e.sources else None
    )
    seen = _collect(service)

    turn = await service.research.send(None, "footbridge")
    await read_one.wait()  # one page read; the other never answers
    await service.stop(turn.answer.id)
    answer = await service.wait_for_answer(turn.answer.id)

    assert answer.status is Status.COMPLETE
    assert [(s.number, s.url) for s in answer.sources] == [(1, fast)]
    held = next(c for c in answer.tool_calls if '"url"' in c.arguments and "news/2" in c.arguments)
    assert held.state == "not_finished"
    assert held.stopped_by_user  # the card says the user stopped it, not chatdesk
    assert held.state_text == "Stopped by you before it ended"
    assert answer.content.startswith("## Summary")
    assert "[1]" in answer.content
    last = [e for e in seen if isinstance(e, ResearchProgressed)][-1]
    assert last.stopped
    assert last.pages == 1


async def test_a_run_out_of_time_writes_its_report_and_says_what_failed(
    make_service: ServiceFactory, config: Any, web: FakeWeb
) -> None:
    web.route("/searx/search", hold=True)  # the engine never answers
    service = make_service(_settings(config.settings, web))
    limits = ResearchLimits(minutes=0.01, pages=5, parallel=3)

    turn = await service.research.send(None, "footbridge", limits=limits)
    answer = await service.wait_for_answer(turn.answer.id)

    assert answer.status is Status.COMPLETE
    assert answer.sources == ()
    assert "No page could be read" in answer.content
    assert {c.state for c in answer.tool_calls} == {"not_finished"}
    assert not any(c.stopped_by_user for c in answer.tool_calls)  # the limit, not the user


async def test_the_page_limit_holds(
    make_service: ServiceFactory, config: Any, web: FakeWeb
) -> None:
    _serve_results(web)
    service = make_service(_settings(config.settings, web))
    limits = service.research.limits(pages=1)

    turn = await service.research.send(None, "footbridge", limits=limits)
    answer = await service.wait_for_answer(turn.answer.id)

    assert [c.tool for c in answer.tool_calls].count("read_page") == 1
    assert len(answer.sources) == 1


async def test_limits_out_of_bounds_are_refused_and_the_settings_fill_in_the_rest(
    make_service: ServiceFactory, config: Any, web: FakeWeb
) -> None:
    service = make_service(_settings(config.settings, web, research_pages=12))
    with pytest.raises(InvalidRequest, match=r"0\.5 to 60\.0 minutes"):
        service.research.limits(minutes=0)
    with pytest.raises(InvalidRequest, match="1 to 200 pages"):
        service.research.limits(pages=1_000)
    assert service.research.limits(minutes=2) == ResearchLimits(2, 12, 3)


async def test_a_step_says_what_the_run_has_used_and_what_it_cost_when_prices_are_known() -> None:
    step = ResearchProgressed(
        uuid.uuid4(), uuid.uuid4(), "Reading: https://example.org/a", 3, 30, 42.7, 300.0
    )
    assert step.said() == "Reading: https://example.org/a (3 of 30 pages, 0:42 of 5:00)"
    priced = dataclasses.replace(step, seconds=61.0, cost_usd=0.0042)
    assert priced.said() == "Reading: https://example.org/a (3 of 30 pages, 1:01 of 5:00, $0.0042)"


async def test_the_pages_are_counted_once_each(
    make_service: ServiceFactory, config: Any, web: FakeWeb
) -> None:
    _serve_results(web, count=6)
    service = make_service(_settings(config.settings, web))
    seen = _collect(service)

    turn = await service.research.send(None, "footbridge", limits=ResearchLimits(5, 4, 3))
    answer = await service.wait_for_answer(turn.answer.id)

    # The plan's three searches find the same six pages: their best three are read, then the
    # second round reads one more, up to the limit of four.
    assert len(answer.sources) == 4
    told = [e.pages for e in seen if isinstance(e, ResearchProgressed)]
    assert told == sorted(told)
    assert max(told) == 4


async def test_closing_chatdesk_mid_run_ends_it_whole_without_a_report(
    make_service: ServiceFactory, config: Any, web: FakeWeb
) -> None:
    web.route("/searx/search", hold=True)  # the searches never answer
    settings = _settings(config.settings, web)
    service = make_service(settings)
    searching = asyncio.Event()
    service.events.subscribe(
        lambda e: (
            searching.set() if isinstance(e, ResearchProgressed) and "Searching" in e.step else None
        )
    )
    turn = await service.research.send(None, "footbridge")
    await searching.wait()

    await service.aclose()  # returns once the answer is saved: no report was begun

    answer = await make_service(settings).get_message(turn.answer.id)
    assert answer.status is Status.INTERRUPTED
    assert answer.content == ""


@pytest.mark.parametrize("over_cap", [False, True], ids=["held to the cap", "let past it"])
async def test_a_cap_crossed_midway_stops_the_run_before_its_next_request_to_the_model(
    make_service: ServiceFactory, config: Any, web: FakeWeb, over_cap: bool
) -> None:
    """The plan's request crosses the monthly cap: the run asks the model nothing more (not
    what the pages leave open, not the report), and says which cap, unless let past it."""
    _serve_results(web)
    model = FakeOpenAI(("priced-model",)).start()
    # $0.50 a token both ways: 7 prompt tokens and one a piece, $4.50 a request, over $4.00.
    profile = ProviderProfile(
        "paid",
        model.url,
        default_model="priced-model",
        input_price_per_million=500_000.0,
        output_price_per_million=500_000.0,
    )
    paid = OpenAICompatibleProvider(profile)
    try:
        model.queue(text_reply("footbridge over the Lenne\n", "footbridge explained"))
        settings = _settings(config.settings, web)
        capped = dataclasses.replace(settings, caps=CapsSettings(monthly_usd=4.0))
        service = make_service(capped, paid=paid)
        turn = await service.research.send(
            None, "footbridge", provider="paid", model="priced-model", over_cap=over_cap
        )
        answer = await service.wait_for_answer(turn.answer.id)
    finally:
        await paid.aclose()
        model.close()

    assert (answer.reasoning or "").startswith("**Research plan**")  # what it did is kept
    assert answer.sources  # the pages its plan found were read: searching costs no model call
    if over_cap:
        assert answer.status is Status.COMPLETE
        assert len(model.requests) == 3  # the plan, what the pages leave open, the report
        return
    assert answer.status is Status.ERROR
    assert len(model.requests) == 1  # the plan's only
    assert answer.error_type == "cap_reached"
    assert (answer.error_detail or "").startswith(
        "The spending cap is reached: $4.50 of $4.00 (112%) this month, all providers. "
        "The research run stopped before its next request to the model."
    )
