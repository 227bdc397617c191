"""One-off completions (`service.completions`): a caller's whole conversation streamed from a
real OpenAI-compatible server on 127.0.0.1 whose answers cost money, kept in no chat, its cost
counted by the spending caps and the usage by month; refused at a reached cap before anything
is sent; retried before its first token; its provider request closed when the caller leaves."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from chatdesk.configuration import Configuration
from chatdesk.core.chat.caps import CapReached
from chatdesk.core.chat.completions import CompletionRequest
from chatdesk.core.chat.events import ThreadDeleted
from chatdesk.core.chat.turns import ImagesNotTaken
from chatdesk.core.config import CapsSettings
from chatdesk.core.providers.base import (
    ChatMessage,
    ErrorKind,
    Finished,
    ImagePart,
    ProviderError,
    StreamEvent,
    TextDelta,
)
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.search.search import Search
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.views import ThreadFilter
from tests.conftest import ServiceFactory
from tests.core.sse_server import FakeOpenAI, Reply, chunk, error_reply, text_reply, usage_chunk

pytestmark = pytest.mark.asyncio
MODEL = "priced-model"
PRICE = 500_000.0  # $0.50 a token: 7 prompt tokens + 2 answer tokens = $4.50
ANSWER_COST = 4.5


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI((MODEL,)).start()
    yield fake
    fake.close()


@pytest_asyncio.fixture
async def priced(server: FakeOpenAI) -> AsyncIterator[OpenAICompatibleProvider]:
    profile = ProviderProfile(
        "paid",
        server.url,
        default_model=MODEL,
        input_price_per_million=PRICE,
        output_price_per_million=PRICE,
        monthly_cap_usd=8.0,
    )
    provider = OpenAICompatibleProvider(profile)
    yield provider
    await provider.aclose()


def _service(
    make_service: ServiceFactory, config: Configuration, priced: OpenAICompatibleProvider
) -> ChatService:
    settings = dataclasses.replace(config.settings, caps=CapsSettings(monthly_usd=100.0))
    return make_service(settings, paid=priced)


def _asking(text: str = "How are you?") -> CompletionRequest:
    return CompletionRequest("paid", MODEL, (ChatMessage("user", text),))


async def _all(events: AsyncIterator[StreamEvent]) -> list[StreamEvent]:
    return [event async for event in events]


def _text(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


async def test_a_completion_streams_the_answer_keeps_no_chat_and_counts_its_cost(
    make_service: ServiceFactory,
    config: Configuration,
    server: FakeOpenAI,
    priced: OpenAICompatibleProvider,
) -> None:
    service = _service(make_service, config, priced)
    server.queue(text_reply("Fine ", "thanks."))

    events = await _all(service.completions.complete(_asking()))

    assert _text(events) == "Fine thanks."
    assert any(isinstance(e, Finished) for e in events)
    assert server.requests[0].body["messages"] == [{"role": "user", "content": "How are you?"}]
    assert (await service.list_threads()).threads == ()
    [row] = await service.usage_by_month()
    assert (row.provider, row.model, row.totals.answers) == ("paid", MODEL, 1)
    assert (row.totals.prompt_tokens, row.totals.completion_tokens) == (7, 2)
    assert row.totals.cost_usd == pytest.approx(ANSWER_COST)
    overview = await service.spending.overview()
    assert [(s.name, s.spent) for s in overview] == [
        ("this month, all providers", pytest.approx(ANSWER_COST)),
        ("this month on paid", pytest.approx(ANSWER_COST)),
    ]


async def test_a_completion_and_a_chats_answer_add_up_in_the_usage_by_month(
    make_service: ServiceFactory,
    config: Configuration,
    server: FakeOpenAI,
    priced: OpenAICompatibleProvider,
) -> None:
    service = _service(make_service, config, priced)
    server.queue(text_reply("Fine ", "thanks."), text_reply("Fine ", "thanks."))
    await _all(service.completions.complete(_asking()))
    turn = await service.send_new("How are you?", provider="paid", model=MODEL)
    await service.wait_for_answer(turn.answer.id)

    [row] = await service.usage_by_month()
    assert row.totals.answers == 2
    assert row.totals.cost_usd == pytest.approx(2 * ANSWER_COST)


async def test_a_providers_reached_cap_refuses_a_completion_before_anything_is_sent(
    make_service: ServiceFactory,
    config: Configuration,
    server: FakeOpenAI,
    priced: OpenAICompatibleProvider,
) -> None:
    service = _service(make_service, config, priced)
    server.queue(text_reply("Fine ", "thanks."), text_reply("Fine ", "thanks."))
    await _all(service.completions.complete(_asking()))  # $4.50 of the provider's $8.00
    await _all(service.completions.complete(_asking()))  # $9.00: crossed it, and completed
    asked = len(server.requests)

    with pytest.raises(CapReached, match=r"\$9\.00 of \$8\.00 \(112%\) this month on paid"):
        await _all(service.completions.complete(_asking()))
    assert len(server.requests) == asked
    # A chat's turn to the same provider is refused by what the completions spent.
    with pytest.raises(CapReached):
        await service.send_new("And here?", provider="paid", model=MODEL)


async def test_a_failure_before_the_first_token_is_retried(
    make_service: ServiceFactory,
    config: Configuration,
    server: FakeOpenAI,
    priced: OpenAICompatibleProvider,
) -> None:
    service = _service(make_service, config, priced)
    server.queue(error_reply(503, "busy", **{"Retry-After": "0"}), text_reply("Fine ", "thanks."))

    events = await _all(service.completions.complete(_asking()))

    assert _text(events) == "Fine thanks."
    assert len(server.requests) == 2


async def test_a_failure_after_the_first_token_is_not_retried_and_counts_what_was_written(
    make_service: ServiceFactory,
    config: Configuration,
    server: FakeOpenAI,
    priced: OpenAICompatibleProvider,
) -> None:
    service = _service(make_service, config, priced)
    server.queue(Reply(events=[chunk("Fine "), chunk("thanks")], drop_after=1))
    seen: list[StreamEvent] = []

    async def read() -> None:
        async for event in service.completions.complete(_asking()):
            seen.append(event)

    with pytest.raises(ProviderError):
        await read()

    assert _text(seen) == "Fine "
    assert len(server.requests) == 1
    [row] = await service.usage_by_month()
    assert row.totals.completion_tokens > 0  # estimated: the server reported none


async def test_leaving_a_completion_closes_the_providers_request_at_once(
    make_service: ServiceFactory,
    config: Configuration,
    server: FakeOpenAI,
    priced: OpenAICompatibleProvider,
) -> None:
    service = _service(make_service, config, priced)
    reply = [chunk("Fine "), chunk("thanks."), chunk(finish="stop"), usage_chunk(7, 2)]
    server.queue(Reply(events=reply, hold_after=1))
    stream = service.completions.complete(_asking())
    first = await anext(stream)
    while not isinstance(first, TextDelta):
        first = await anext(stream)

    await stream.aclose()

    await asyncio.to_thread(server.disconnected.wait)
    assert first.text == "Fine "


async def test_an_unknown_provider_and_images_to_a_model_that_takes_none_are_refused(
    make_service: ServiceFactory,
    config: Configuration,
    server: FakeOpenAI,
    priced: OpenAICompatibleProvider,
) -> None:
    service = _service(make_service, config, priced)
    with pytest.raises(ProviderError) as unknown:
        await _all(service.completions.complete(CompletionRequest("nowhere", MODEL, ())))
    assert unknown.value.kind is ErrorKind.NOT_FOUND
    image = ImagePart("image/png", "0" * 64, 1, 1, b"\x89PNG")
    with pytest.raises(ImagesNotTaken, match="priced-model on paid does not take images"):
        await _all(
            service.completions.complete(
                CompletionRequest("paid", MODEL, (ChatMessage("user", "see", images=(image,)),))
            )
        )
    assert server.requests == []


async def test_a_chat_made_through_the_api_says_so(service: ChatService) -> None:
    turn = await service.send_new("Hello", origin="api")
    await service.wait_for_answer(turn.answer.id)
    here = await service.send_new("Hello again")
    await service.wait_for_answer(here.answer.id)

    page = await service.list_threads()
    assert {t.id: t.origin for t in page.threads} == {
        turn.answer.thread_id: "api",
        here.answer.thread_id: None,
    }


async def test_forgetting_a_chat_removes_it_for_good_and_keeps_its_cost(
    make_service: ServiceFactory,
    config: Configuration,
    server: FakeOpenAI,
    priced: OpenAICompatibleProvider,
    store: Store,
) -> None:
    service = _service(make_service, config, priced)
    server.queue(text_reply("Fine ", "thanks."))
    turn = await service.send_new("Where are the rivers?", provider="paid", model=MODEL)
    await service.wait_for_answer(turn.answer.id)
    deleted: list[object] = []
    service.events.subscribe(lambda e: deleted.append(e) if isinstance(e, ThreadDeleted) else None)

    await service.completions.forget(turn.answer.thread_id)

    assert (await service.list_threads()).threads == ()
    assert (await service.list_threads(ThreadFilter(deleted=True))).threads == ()
    assert deleted == [ThreadDeleted(turn.answer.thread_id)]
    found = await Search(store).search("rivers")
    assert (found.threads, found.messages) == ((), ())
    [row] = await service.usage_by_month()
    assert row.totals.cost_usd == pytest.approx(ANSWER_COST)
    overview = await service.spending.overview()
    assert overview[0].spent == pytest.approx(ANSWER_COST)  # once: moved, not copied
