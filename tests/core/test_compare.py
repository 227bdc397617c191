"""Comparing models over a real SQLite file, the mock provider and a real OpenAI-compatible
server on 127.0.0.1: one message, answers from two to four models written in parallel as
siblings; one can be stopped alone; continuing with one shows its branch and makes its model
the chat's; a comparison that cannot be sent writes nothing."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from chatdesk.app import Configuration
from chatdesk.core.chat.caps import CapReached
from chatdesk.core.chat.events import AnswerTextAppended
from chatdesk.core.chat.kinds import Status
from chatdesk.core.chat.service import ChatService
from chatdesk.core.config import CapsSettings
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from tests.conftest import ServiceFactory
from tests.core.sse_server import FakeOpenAI, Reply, chunk, text_reply, usage_chunk

pytestmark = pytest.mark.asyncio


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("remote-model",)).start()
    yield fake
    fake.close()


@pytest_asyncio.fixture
async def remote(server: FakeOpenAI) -> AsyncIterator[OpenAICompatibleProvider]:
    provider = OpenAICompatibleProvider(
        ProviderProfile("remote", server.url, default_model="remote-model",
                        input_price_per_million=500_000.0,
                        output_price_per_million=500_000.0)
    )  # fmt: skip
    yield provider
    await provider.aclose()


@pytest_asyncio.fixture
async def both(
    make_service: ServiceFactory, config: Configuration, remote: OpenAICompatibleProvider
) -> ChatService:
    fast = dataclasses.replace(config.settings.mock, tokens_per_second=0)
    return make_service(remote=remote, mock=MockProvider(fast))


async def test_one_message_is_answered_by_each_model_side_by_side(
    both: ChatService, server: FakeOpenAI
) -> None:
    server.queue(text_reply("From ", "the remote."))
    models = [("remote", "remote-model"), ("mock", "mock-1"), ("mock", "mock-2")]
    turn = await both.comparisons.send(None, "Which is best?", models)

    first = await both.wait_for_answer(turn.answer.id)
    others = [await both.wait_for_answer(a.id) for a in turn.others]
    answers = [first, *others]
    assert [(a.provider, a.model) for a in answers] == models
    assert all(a.status is Status.COMPLETE for a in answers)
    assert first.content == "From the remote."
    assert turn.user_message is not None
    assert {a.parent_id for a in answers} == {turn.user_message.id}
    assert server.requests[-1].body["model"] == "remote-model"
    assert first.usage.cost_usd == pytest.approx(4.5)  # (7 + 2) tokens at $0.50 each

    page = await both.list_messages(first.thread_id)
    assert [m.id for m in page.messages] == [turn.user_message.id, first.id]  # the first shown
    assert (page.messages[-1].sibling_index, page.messages[-1].sibling_count) == (1, 3)
    compared = await both.comparisons.answers_of(others[1].id)
    assert [a.id for a in compared] == [a.id for a in answers]

    thread = await both.comparisons.continue_with(others[1].id)
    assert (thread.provider, thread.model) == ("mock", "mock-2")
    page = await both.list_messages(first.thread_id)
    assert page.messages[-1].id == others[1].id
    nxt = await both.send(first.thread_id, "Go on")
    assert (nxt.answer.provider, nxt.answer.model) == ("mock", "mock-2")
    assert nxt.answer.parent_id is not None
    await both.wait_for_answer(nxt.answer.id)
    # A later regeneration is not part of the comparison.
    again = await both.regenerate(others[0].id)
    await both.wait_for_answer(again.answer.id)
    assert len(await both.comparisons.answers_of(first.id)) == 3
    assert [a.id for a in await both.comparisons.answers_of(again.answer.id)] == [again.answer.id]


async def test_stopping_one_answer_of_a_comparison_leaves_the_others_writing(
    both: ChatService, server: FakeOpenAI
) -> None:
    server.queue(
        Reply(events=[chunk("Half "), chunk("more"), chunk(finish="stop"), usage_chunk(7, 2)],
              hold_after=1)
    )  # fmt: skip
    arrived = asyncio.Event()
    both.events.subscribe(
        lambda e: arrived.set() if isinstance(e, AnswerTextAppended) and e.text == "Half " else None
    )
    models = [("remote", "remote-model"), ("mock", "mock-1")]
    turn = await both.comparisons.send(None, "Race", models)
    await asyncio.wait_for(arrived.wait(), 10)  # the remote answer is half written, and held

    stopped = await both.stop(turn.answer.id)
    finished = await both.wait_for_answer(turn.others[0].id)

    assert stopped.status is Status.INTERRUPTED
    assert stopped.content == "Half "
    assert finished.status is Status.COMPLETE
    assert finished.content


@pytest.mark.parametrize(
    ("models", "said"),
    [
        ([("mock", "mock-1")], "2 to 4 different models; 1 were given"),
        ([("mock", "mock-1"), ("mock", "mock-1")], "1 were given"),
        ([("mock", f"mock-{n}") for n in range(1, 6)], "5 were given"),
    ],
)
async def test_a_comparison_of_too_few_or_too_many_models_is_refused(
    service: ChatService, models: list[tuple[str, str]], said: str
) -> None:
    with pytest.raises(InvalidRequest, match=said):
        await service.comparisons.send(None, "hello", models)
    page = await service.list_threads(_all(), limit=10, cursor=None)
    assert page.threads == ()


async def test_a_comparison_past_a_reached_cap_writes_nothing(
    make_service: ServiceFactory, config: Configuration, remote: OpenAICompatibleProvider,
    server: FakeOpenAI,
) -> None:  # fmt: skip
    capped = dataclasses.replace(config.settings, caps=CapsSettings(monthly_usd=4.0))
    service = make_service(capped, remote=remote, mock=MockProvider(config.settings.mock))
    server.queue(text_reply("Costly ", "answer."))
    spent = await service.send_new("spend", provider="remote")
    await service.wait_for_answer(spent.answer.id)  # $4.50 of $4.00
    thread_id = spent.answer.thread_id
    before = await service.list_messages(thread_id)

    with pytest.raises(CapReached):
        await service.comparisons.send(
            thread_id, "again", [("mock", "mock-1"), ("remote", "remote-model")]
        )
    assert await service.list_messages(thread_id) == before


def _all() -> object:
    from chatdesk.core.chat.views import ThreadFilter

    return ThreadFilter(archived=None)
