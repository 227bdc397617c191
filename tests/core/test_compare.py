"""Comparing models over a real SQLite file, the mock provider and real OpenAI-compatible
servers on 127.0.0.1: one message, answers from two to four models written in parallel as
siblings; a slow one does not hold up a fast one, a failing one fails alone, one can be
stopped alone, and a profile's request limit holds across the models compared; continuing
with one shows its branch and makes its model the chat's; a comparison that cannot be sent
writes nothing."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
import pytest_asyncio

from chatdesk.configuration import Configuration
from chatdesk.core.chat.caps import CapReached
from chatdesk.core.chat.events import AnswerTextAppended, AnswerWaiting, Event, MessageFinished
from chatdesk.core.config import CapsSettings
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.kinds import Status
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.providers.ratelimit import RateLimiter
from chatdesk.core.service import ChatService
from tests.conftest import ServiceFactory
from tests.core.sse_server import (
    FakeOpenAI,
    Recorded,
    Reply,
    chunk,
    error_reply,
    text_reply,
    usage_chunk,
)

pytestmark = pytest.mark.asyncio


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("remote-model",)).start()
    yield fake
    fake.close()


@pytest_asyncio.fixture
async def remote(server: FakeOpenAI) -> AsyncIterator[OpenAICompatibleProvider]:
    provider = OpenAICompatibleProvider(
        ProviderProfile(
            "remote",
            server.url,
            default_model="remote-model",
            input_price_per_million=500_000.0,
            output_price_per_million=500_000.0,
        )
    )
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
        Reply(
            events=[chunk("Half "), chunk("more"), chunk(finish="stop"), usage_chunk(7, 2)],
            hold_after=1,
        )
    )
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


# -- three providers at their own pace, one failing ----------------------------------------------

_PRICES = {"fast": 500_000.0, "slow": 250_000.0, "broken": 100_000.0}  # USD per million


@pytest_asyncio.fixture
async def three() -> AsyncIterator[dict[str, tuple[FakeOpenAI, OpenAICompatibleProvider]]]:
    """A server of its own for each of three profiles, so each answers at its own pace."""
    made: dict[str, tuple[FakeOpenAI, OpenAICompatibleProvider]] = {}
    try:
        for name, price in _PRICES.items():
            fake = FakeOpenAI((f"{name}-model",)).start()
            profile = ProviderProfile(
                name,
                fake.url,
                default_model=f"{name}-model",
                input_price_per_million=price,
                output_price_per_million=price,
            )
            made[name] = (fake, OpenAICompatibleProvider(profile))
        yield made
    finally:
        for fake, provider in made.values():
            await provider.aclose()
            fake.close()


def _broken_midway() -> list[Reply]:
    return [Reply(events=[chunk("Partial "), chunk("answer"), chunk(" lost")], drop_after=2)]


def _always_500(tries: int) -> list[Reply]:
    return [error_reply(500, "The GPU caught fire")] * tries  # the first try and every retry


# (what the broken server sends, given how many tries the service makes; the error's kind;
# what its message says; the text kept from it)
_FAILURES: dict[str, tuple[Callable[[int], list[Reply]], str, str, str]] = {
    "stream-cut-midway": (
        lambda tries: _broken_midway(),
        "cut_off",
        "broke in the middle of the answer",
        "Partial answer",
    ),
    "http-500": (
        _always_500,
        "server",
        "had a problem (HTTP 500). The server said: The GPU caught fire",
        "",
    ),
}


@pytest.mark.parametrize("failure", list(_FAILURES))
async def test_three_providers_answer_at_their_own_pace_and_one_failing_stops_no_other(
    three: dict[str, tuple[FakeOpenAI, OpenAICompatibleProvider]],
    make_service: ServiceFactory,
    config: Configuration,
    failure: str,
) -> None:
    (fast_server, fast), (slow_server, slow), (broken_server, broken) = three.values()
    replies, error_type, said, kept = _FAILURES[failure]
    tries = 1 + config.settings.chat.max_retries
    fast_server.queue(text_reply("Quick ", "answer."))  # 7 + 2 tokens
    slow_server.queue(
        Reply(
            events=[
                chunk("Slow "),
                chunk("but "),
                chunk("sure."),
                chunk(finish="stop"),
                usage_chunk(11, 3),
            ],
            hold_after=1,  # the first words, then nothing until the test lets it go on
        )
    )
    broken_server.queue(*replies(tries))
    service = make_service(slow=slow, broken=broken, fast=fast)
    slow_began = asyncio.Event()
    service.events.subscribe(
        lambda e: (
            slow_began.set() if isinstance(e, AnswerTextAppended) and e.text == "Slow " else None
        )
    )
    models = [("slow", "slow-model"), ("broken", "broken-model"), ("fast", "fast-model")]

    turn = await service.comparisons.send(None, "Which of you is quickest?", models)
    slow_id, broken_id, fast_id = turn.answer.id, turn.others[0].id, turn.others[1].id
    slow_done = asyncio.ensure_future(service.wait_for_answer(slow_id))
    async with asyncio.timeout(30):  # only a hang would take that long
        quick = await service.wait_for_answer(fast_id)
        failed = await service.wait_for_answer(broken_id)
        await slow_began.wait()
    # The slow one has begun and is still writing; the fast one did not wait for it, and the
    # failing one ended without ending it.
    assert not slow_done.done()
    slow_server.release.set()
    late = await asyncio.wait_for(slow_done, 30)

    assert (quick.status, quick.content) == (Status.COMPLETE, "Quick answer.")
    assert (quick.provider, quick.model) == ("fast", "fast-model")
    assert (quick.usage.prompt_tokens, quick.usage.completion_tokens) == (7, 2)
    assert not quick.usage.estimated
    assert quick.usage.cost_usd == pytest.approx(4.5)  # 9 tokens at $0.50
    assert (late.status, late.content) == (Status.COMPLETE, "Slow but sure.")
    assert (late.provider, late.model) == ("slow", "slow-model")
    assert (late.usage.prompt_tokens, late.usage.completion_tokens) == (11, 3)
    assert late.usage.cost_usd == pytest.approx(3.5)  # 14 tokens at $0.25
    assert (failed.status, failed.error_type) == (Status.ERROR, error_type)
    assert (failed.provider, failed.model) == ("broken", "broken-model")
    assert failed.error_detail is not None
    assert said in failed.error_detail
    assert broken_server.url.split("/")[2] in failed.error_detail  # it names the server
    assert failed.content == kept
    assert len(broken_server.requests) == (tries if failure == "http-500" else 1)
    # The slow one really ended last, and took longer than the fast one from its start.
    assert quick.completed_at is not None
    assert failed.completed_at is not None
    assert late.completed_at is not None
    assert late.completed_at > max(quick.completed_at, failed.completed_at)
    assert late.latency_ms is not None
    assert quick.latency_ms is not None
    assert late.latency_ms >= quick.latency_ms
    assert late.first_token_ms is not None  # its first words came before it was held
    assert late.first_token_ms <= late.latency_ms

    assert turn.user_message is not None
    assert {a.parent_id for a in (quick, late, failed)} == {turn.user_message.id}
    for server, model in ((fast_server, "fast-model"), (slow_server, "slow-model")):
        asked = server.requests[-1].body
        assert asked["model"] == model
        assert asked["messages"][-1]["content"] == "Which of you is quickest?"
    page = await service.list_messages(late.thread_id)
    assert [m.id for m in page.messages] == [turn.user_message.id, slow_id]  # the first shown
    assert (page.messages[-1].sibling_index, page.messages[-1].sibling_count) == (1, 3)
    for one in (slow_id, broken_id, fast_id):
        compared = await service.comparisons.answers_of(one)
        assert [(a.id, a.status) for a in compared] == [
            (slow_id, Status.COMPLETE),
            (broken_id, Status.ERROR),
            (fast_id, Status.COMPLETE),
        ]


class _StoppedClock:
    """The request limiter's clock, moved on only by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_two_compared_models_of_one_limited_profile_take_turns_and_others_go_on(
    make_service: ServiceFactory, config: Configuration
) -> None:
    # A profile's limit is requests per minute (there is no limit on concurrent requests).
    # Its window is a tenth of a second on a clock only the test moves, so the second request
    # keeps waiting, checking every tenth of a second, until the test lets time pass.
    clock, window = _StoppedClock(), 0.1
    fake = FakeOpenAI(("small-model", "big-model")).start()
    profile = ProviderProfile(
        "limited", fake.url, default_model="small-model", requests_per_minute=1
    )
    limiter = RateLimiter(profile.requests_per_minute, clock=clock, window=window)
    limited = OpenAICompatibleProvider(profile, limiter=limiter)
    try:
        mock = MockProvider(dataclasses.replace(config.settings.mock, tokens_per_second=0))
        service = make_service(limited=limited, mock=mock)
        fake.queue(text_reply("Small ", "one."), text_reply("Big ", "one."))
        heard: list[Event] = []
        service.events.subscribe(heard.append)
        waited = asyncio.Event()
        service.events.subscribe(lambda e: waited.set() if isinstance(e, AnswerWaiting) else None)
        models = [("limited", "small-model"), ("mock", "mock-1"), ("limited", "big-model")]

        turn = await service.comparisons.send(None, "Take turns", models)
        small_id, mock_id, big_id = turn.answer.id, turn.others[0].id, turn.others[1].id
        big_done = asyncio.ensure_future(service.wait_for_answer(big_id))
        async with asyncio.timeout(30):
            small = await service.wait_for_answer(small_id)
            other = await service.wait_for_answer(mock_id)
            await waited.wait()
        assert not big_done.done()  # waiting its turn, not failed
        assert [r.body["model"] for r in _chat_requests(fake)] == ["small-model"]
        clock.now += window  # the minute has passed
        big = await asyncio.wait_for(big_done, 30)

        assert [(a.status, a.content) for a in (small, big)] == [
            (Status.COMPLETE, "Small one."),
            (Status.COMPLETE, "Big one."),
        ]
        assert [(a.provider, a.model) for a in (small, other, big)] == models
        assert other.status is Status.COMPLETE
        assert [r.body["model"] for r in _chat_requests(fake)] == ["small-model", "big-model"]
        waits = [e for e in heard if isinstance(e, AnswerWaiting)]
        assert {w.message_id for w in waits} == {big_id}  # only the one over the limit waited
        assert "1 a minute" in waits[0].reason
        ended = [e.message.id for e in heard if isinstance(e, MessageFinished)]
        assert ended[-1] == big_id
        compared = await service.comparisons.answers_of(big_id)
        assert [a.id for a in compared] == [small_id, mock_id, big_id]
    finally:
        await limited.aclose()
        fake.close()


def _chat_requests(fake: FakeOpenAI) -> list[Recorded]:
    return [r for r in fake.requests if r.path.endswith("/chat/completions")]


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
    make_service: ServiceFactory,
    config: Configuration,
    remote: OpenAICompatibleProvider,
    server: FakeOpenAI,
) -> None:
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
    from chatdesk.core.views import ThreadFilter

    return ThreadFilter(archived=None)
