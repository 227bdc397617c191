"""Token usage and cost, per answer, per thread and per provider and month."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from chatdesk.core.providers.base import ChatMessage
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.service import ChatService
from chatdesk.core.tokens import TokenCounter
from tests.conftest import ServiceFactory
from tests.core.sse_server import FakeOpenAI, Reply, chunk, usage_chunk

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes

PRICED = ProviderProfile(
    "priced",
    "http://127.0.0.1:1/v1",
    default_model="small-model",
    input_price_per_million=2.0,
    output_price_per_million=8.0,
    cached_input_price_per_million=0.5,
)


@pytest_asyncio.fixture
async def priced(server: FakeOpenAI, make_service: ServiceFactory) -> AsyncIterator[ChatService]:
    profile = dataclasses.replace(PRICED, base_url=server.url)
    free = ProviderProfile("free", server.url, default_model="small-model")
    providers = [OpenAICompatibleProvider(profile), OpenAICompatibleProvider(free)]
    yield make_service(priced=providers[0], free=providers[1])
    for provider in providers:
        await provider.aclose()


def _answer(prompt: int, completion: int, cached: int | None = None) -> Reply:
    usage = usage_chunk(prompt, completion, cached=cached)
    return Reply(events=[chunk("Hi"), chunk(finish="stop"), usage])


async def test_an_answer_stores_its_cost_at_the_profiles_prices(
    priced: ChatService, server: FakeOpenAI
) -> None:
    server.queue(_answer(1_000, 500, cached=400))
    thread = await priced.create_thread(provider="priced", model="small-model")
    turn = await priced.send(thread.id, "hello")
    answer = await priced.wait_for_answer(turn.answer.id)
    expected = (600 * 2.0 + 400 * 0.5 + 500 * 8.0) / 1_000_000
    assert answer.usage.cost_usd == pytest.approx(expected)
    assert not answer.usage.estimated


async def test_thread_usage_counts_every_branch(priced: ChatService, server: FakeOpenAI) -> None:
    server.queue(_answer(100, 10), _answer(120, 20))
    thread = await priced.create_thread(provider="priced", model="small-model")
    turn = await priced.send(thread.id, "hello")
    first = await priced.wait_for_answer(turn.answer.id)
    again = await priced.regenerate(first.id)  # a sibling: the first answer was paid for too
    await priced.wait_for_answer(again.answer.id)
    totals = await priced.thread_usage(thread.id)
    assert (totals.answers, totals.prompt_tokens, totals.completion_tokens) == (2, 220, 30)
    assert totals.cost_usd == pytest.approx((220 * 2.0 + 30 * 8.0) / 1_000_000)


async def test_usage_by_month_groups_providers_and_models(
    priced: ChatService, server: FakeOpenAI
) -> None:
    server.queue(_answer(100, 10), _answer(50, 5), _answer(70, 7))
    for provider in ("priced", "free", "priced"):
        thread = await priced.create_thread(provider=provider, model="small-model")
        turn = await priced.send(thread.id, "hi")
        await priced.wait_for_answer(turn.answer.id)
    rows = await priced.usage_by_month()
    assert [(r.provider, r.totals.answers, r.totals.prompt_tokens) for r in rows] == [
        ("free", 1, 50),
        ("priced", 2, 170),
    ]
    assert rows[0].totals.cost_usd is None  # no prices: no cost, rather than a made-up 0
    assert rows[1].totals.cost_usd == pytest.approx((170 * 2.0 + 17 * 8.0) / 1_000_000)
    month = rows[0].month
    assert len(month) == 7
    assert await priced.usage_by_month("1999-01") == []
    assert len(await priced.usage_by_month(month)) == 2


async def test_a_thread_without_answers_has_no_usage(priced: ChatService) -> None:
    thread = await priced.create_thread()
    totals = await priced.thread_usage(thread.id)
    assert totals.answers == 0
    assert totals.cost_usd is None


async def test_usage_is_counted_when_the_server_reports_none(
    priced: ChatService, server: FakeOpenAI
) -> None:
    server.queue(Reply(events=[chunk("Bonjour"), chunk(" à tous"), chunk(finish="stop")]))
    thread = await priced.create_thread(provider="priced", model="gpt-4o")
    turn = await priced.send(thread.id, "Say hello in French")
    answer = await priced.wait_for_answer(turn.answer.id)
    counter = TokenCounter()
    assert counter.load("gpt-4o")  # the encodings are reachable in the tests
    sent = (ChatMessage("user", "Say hello in French"),)
    assert answer.usage.estimated
    assert answer.usage.prompt_tokens == counter.count_messages("gpt-4o", sent).tokens
    assert answer.usage.completion_tokens == counter.count_text("gpt-4o", "Bonjour à tous").tokens
    assert answer.usage.cost_usd is not None
    counter.close()
    totals = await priced.thread_usage(thread.id)
    assert totals.estimated


async def test_an_answer_cut_off_before_usage_is_still_counted(
    priced: ChatService, server: FakeOpenAI
) -> None:
    server.queue(Reply(events=[chunk("Half an"), chunk(" answer")], drop_after=2))
    thread = await priced.create_thread(provider="priced", model="small-model")
    turn = await priced.send(thread.id, "hello")
    answer = await priced.wait_for_answer(turn.answer.id)
    assert answer.content == "Half an answer"
    assert answer.usage.estimated
    assert answer.usage.completion_tokens
    # Not an OpenAI model: estimated without loading an encoding (which stalls the GUI).
    assert not priced._counting.counter.ready("small-model")


async def test_a_cost_that_leaves_out_unpriced_answers_says_so(
    priced: ChatService, server: FakeOpenAI
) -> None:
    server.queue(_answer(100, 10), _answer(100, 10))
    thread = await priced.create_thread(provider="priced", model="small-model")
    turn = await priced.send(thread.id, "priced")
    await priced.wait_for_answer(turn.answer.id)
    await priced.set_thread_model(thread.id, provider="free", model="small-model")
    turn = await priced.send(thread.id, "free")
    await priced.wait_for_answer(turn.answer.id)
    totals = await priced.thread_usage(thread.id)
    assert (totals.answers, totals.priced_answers) == (2, 1)
    assert totals.partial_cost
