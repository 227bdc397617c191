"""Spending caps over a real SQLite file and a real OpenAI-compatible server on 127.0.0.1
whose answers cost money (the profile's prices × the usage the server reports): a cap reached
refuses the next request before anything is written, unless allowed this once; a cap near is
said when an answer ends; background titles do not overrun a cap."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from chatdesk.configuration import Configuration
from chatdesk.core.chat.caps import CapReached
from chatdesk.core.chat.events import CapNear, Event
from chatdesk.core.config import CapsSettings, Settings
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.service import ChatService
from chatdesk.core.views import ThreadFilter
from tests.conftest import ServiceFactory
from tests.core.sse_server import FakeOpenAI, Reply, chunk, text_reply, usage_chunk

pytestmark = pytest.mark.asyncio
MODEL = "priced-model"
# $0.50 a token both ways: the server reports 7 prompt tokens and one per piece of the reply,
# so an answer of two pieces costs (7 + 2) × $0.50 = $4.50.
PRICE = 500_000.0
ANSWER_COST = 4.5


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI((MODEL,)).start()
    yield fake
    fake.close()


@pytest_asyncio.fixture
async def priced(server: FakeOpenAI) -> AsyncIterator[OpenAICompatibleProvider]:
    provider = OpenAICompatibleProvider(_profile(server))
    yield provider
    await provider.aclose()


def _profile(server: FakeOpenAI, **more: float) -> ProviderProfile:
    return ProviderProfile(
        "paid",
        server.url,
        default_model=MODEL,
        input_price_per_million=PRICE,
        output_price_per_million=PRICE,
        **more,  # type: ignore[arg-type]
    )


def _capped(config: Configuration, **caps: float) -> Settings:
    return dataclasses.replace(config.settings, caps=CapsSettings(**caps))


async def _ask(service: ChatService, server: FakeOpenAI, thread_id: object, **more: bool) -> None:
    server.queue(text_reply("Fine ", "thanks."))
    turn = await service.send(thread_id, "How are you?", **more)  # type: ignore[arg-type]
    answer = await service.wait_for_answer(turn.answer.id)
    assert answer.usage.cost_usd == pytest.approx(ANSWER_COST)


async def test_a_reached_monthly_cap_refuses_the_next_request_before_anything_is_written(
    make_service: ServiceFactory,
    config: Configuration,
    server: FakeOpenAI,
    priced: OpenAICompatibleProvider,
) -> None:
    service = make_service(_capped(config, monthly_usd=5.0), paid=priced)
    thread = await service.create_thread(provider="paid", model=MODEL)
    await _ask(service, server, thread.id)  # $4.50 of $5.00
    await _ask(service, server, thread.id)  # $9.00: this one crossed it, and completed
    asked = len(server.requests)
    before = await service.list_messages(thread.id)

    with pytest.raises(CapReached) as refused:
        await service.send(thread.id, "And now?")
    said = str(refused.value)
    assert said.startswith(
        "The spending cap is reached: $9.00 of $5.00 (180%) this month, all providers. "
        "Nothing was sent."
    )
    assert "chatdesk caps set" in said
    assert "Send anyway" in said
    assert len(server.requests) == asked
    assert await service.list_messages(thread.id) == before  # no row, no answer
    with pytest.raises(CapReached):
        await service.send_new("In a new chat?", provider="paid", model=MODEL)

    await _ask(service, server, thread.id, over_cap=True)  # allowed this once
    overview = await service.spending.overview()
    assert [(s.name, s.spent, s.reached) for s in overview] == [
        ("this month, all providers", pytest.approx(13.5), True)
    ]


async def test_a_providers_cap_and_a_chats_cap_refuse_only_their_own_requests(
    make_service: ServiceFactory, config: Configuration, server: FakeOpenAI
) -> None:
    provider = OpenAICompatibleProvider(_profile(server, monthly_cap_usd=8.0))
    try:
        free = MockProvider(config.settings.mock)
        service = make_service(_capped(config, thread_usd=4.0), paid=provider, mock=free)
        first = await service.create_thread(provider="paid", model=MODEL)
        await _ask(service, server, first.id)  # $4.50: this chat's cap of $4.00 is reached
        with pytest.raises(CapReached, match=r"\$4\.50 of \$4\.00 \(112%\) in this chat"):
            await service.send(first.id, "More?")
        second = await service.create_thread(provider="paid", model=MODEL)
        await _ask(service, server, second.id)  # another chat goes on: $9.00 on paid
        with pytest.raises(CapReached, match=r"\$9\.00 of \$8\.00 \(112%\) this month on paid"):
            await service.send(second.id, "More?")
        mock = await service.create_thread(provider="mock", model="mock-1")
        turn = await service.send(mock.id, "And the free one?")  # no cap on it
        assert (await service.wait_for_answer(turn.answer.id)).status.value == "complete"
    finally:
        await provider.aclose()


async def test_an_answer_near_a_cap_says_so(
    make_service: ServiceFactory,
    config: Configuration,
    server: FakeOpenAI,
    priced: OpenAICompatibleProvider,
) -> None:
    service = make_service(_capped(config, monthly_usd=10.0, warn_at=0.8), paid=priced)
    heard: list[Event] = []
    service.events.subscribe(heard.append)
    thread = await service.create_thread(provider="paid", model=MODEL)
    await _ask(service, server, thread.id)  # 45 %: nothing said
    assert not [e for e in heard if isinstance(e, CapNear)]
    await _ask(service, server, thread.id)  # 90 %
    [near] = [e for e in heard if isinstance(e, CapNear)]
    assert near.said == "Spending cap near: $9.00 of $10.00 (90%) this month, all providers."


async def test_a_title_is_not_asked_for_past_a_cap(
    make_service: ServiceFactory,
    config: Configuration,
    server: FakeOpenAI,
    priced: OpenAICompatibleProvider,
) -> None:
    service = make_service(_capped(config, monthly_usd=4.0), paid=priced)
    server.queue(text_reply("Fine ", "thanks."))
    question = "Could you explain how a B-tree keeps itself balanced when keys are inserted?"
    turn = await service.send_new(question, provider="paid", model=MODEL)
    await service.wait_for_answer(turn.answer.id)  # $4.50: the cap is reached
    await service.settle()
    assert len(server.requests) == 1  # the answer's; no request for a title
    title = (await service.get_thread(turn.answer.thread_id)).title
    assert title == question[:59].rstrip() + "…"  # the provisional one stays


async def test_requests_sent_together_stop_at_a_cap_as_if_sent_one_after_another(
    make_service: ServiceFactory,
    config: Configuration,
    server: FakeOpenAI,
    priced: OpenAICompatibleProvider,
) -> None:
    free = MockProvider(dataclasses.replace(config.settings.mock, tokens_per_second=0))
    service = make_service(_capped(config, monthly_usd=10.0), paid=priced, mock=free)
    first = await service.create_thread(provider="paid", model=MODEL)
    await _ask(service, server, first.id)  # $4.50 of $10.00: this model's answers cost $4.50
    for _ in range(3):  # answers that stay in the writing until the test lets them end
        server.queue(
            Reply(
                events=[chunk("Fine "), chunk("thanks."), chunk(finish="stop"), usage_chunk(7, 2)],
                hold_after=1,
            )
        )
    chats = [await service.create_thread(provider="paid", model=MODEL) for _ in range(3)]
    local = await service.create_thread(provider="mock", model="mock-1")
    asked = len(server.requests)

    sent = await asyncio.gather(
        *(service.send(chat.id, "Now?") for chat in chats),
        service.send(local.id, "And the free one?"),
        return_exceptions=True,
    )

    # One after another: $9.00 after the second, so the third is refused; the free one goes.
    refused = [r for r in sent if isinstance(r, BaseException)]
    assert [type(r) for r in refused] == [CapReached]
    assert str(refused[0]).startswith(
        "The spending cap is reached: $4.50 of $10.00 (45%) this month, all providers, with "
        "about $9.00 more expected of answers being written. Nothing was sent."
    )
    turns = [r for r in sent if not isinstance(r, BaseException)]
    assert len(turns) == 3
    [left_out] = [c for c, r in zip(chats, sent, strict=False) if isinstance(r, CapReached)]
    assert (await service.list_messages(left_out.id)).messages == ()
    server.release.set()
    answers = [await service.wait_for_answer(t.answer.id) for t in turns]
    assert [a.status.value for a in answers] == ["complete"] * 3
    assert len(server.requests) == asked + 2
    [overall] = await service.spending.overview()
    assert overall.spent == pytest.approx(13.5)  # what the same sends made in turn would cost


async def test_a_comparison_counts_its_own_answers_against_a_cap(
    make_service: ServiceFactory,
    config: Configuration,
    server: FakeOpenAI,
    priced: OpenAICompatibleProvider,
) -> None:
    elsewhere = FakeOpenAI(("other-model",)).start()
    other = OpenAICompatibleProvider(
        ProviderProfile(
            "other",
            elsewhere.url,
            default_model="other-model",
            input_price_per_million=PRICE,
            output_price_per_million=PRICE,
        )
    )
    try:
        service = make_service(_capped(config, monthly_usd=13.0), paid=priced, other=other)
        for name, fake in (("paid", server), ("other", elsewhere)):
            await _ask(service, fake, (await service.create_thread(provider=name)).id)
        chats = await service.list_threads(ThreadFilter(), limit=10, cursor=None)

        # $9.00 spent: either answer alone fits under $13.00, both together would not.
        with pytest.raises(CapReached) as refused:
            await service.comparisons.send(
                None, "Both?", [("paid", MODEL), ("other", "other-model")]
            )

        assert "$9.00 of $13.00 (69%) this month, all providers, with about $4.50 more" in str(
            refused.value
        )
        assert await service.list_threads(ThreadFilter(), limit=10, cursor=None) == chats
        assert (len(server.requests), len(elsewhere.requests)) == (1, 1)
        elsewhere.queue(text_reply("Fine ", "thanks."))
        turn = await service.send_new("Just one", provider="other")  # one alone still fits
        assert (await service.wait_for_answer(turn.answer.id)).usage.cost_usd == ANSWER_COST
    finally:
        await other.aclose()
        elsewhere.close()
