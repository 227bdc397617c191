"""Client-side request limits per provider profile."""

from __future__ import annotations

import asyncio
import time

import pytest

from chatdesk.core.chat.events import AnswerWaiting, Event
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.providers.ratelimit import RateLimiter
from chatdesk.core.store.models import Status
from tests.conftest import ServiceFactory
from tests.core.sse_server import FakeOpenAI


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_counts_requests_in_the_last_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, clock=clock)
    for _ in range(3):
        assert limiter.wait_time() == 0
        limiter.record()
        clock.now += 10
    assert limiter.wait_time() == pytest.approx(30.0)  # the first one leaves the window at 60 s
    clock.now += 30
    assert limiter.wait_time() == 0


def test_lowering_the_limit_applies_at_once() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock)
    for _ in range(5):
        limiter.record()
        clock.now += 1
    limiter.per_minute = 2
    assert limiter.wait_time() == pytest.approx(58.0)  # 4 of the 5 must leave first
    limiter.per_minute = 0
    assert limiter.wait_time() == 0


def test_a_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        RateLimiter(-1)


@pytest.mark.asyncio
async def test_answers_over_the_limit_wait_their_turn_and_say_why(
    server: FakeOpenAI, make_service: ServiceFactory
) -> None:
    window = 1.0
    profile = ProviderProfile("local", server.url, default_model="small-model")
    provider = OpenAICompatibleProvider(profile, limiter=RateLimiter(2, window=window))
    # The first request imports the SDK (~0.5 s); that must not eat into the window.
    await provider.list_models()  # not a chat request: the limit does not count it
    service = make_service(local=provider)
    heard: list[Event] = []
    service.events.subscribe(heard.append)
    started = time.monotonic()
    answers = []
    for text in ("one", "two", "three"):  # a burst across three threads
        thread = await service.create_thread(provider="local", model="small-model")
        turn = await service.send(thread.id, text)
        answers.append(service.wait_for_answer(turn.answer.id))
    finished = await asyncio.gather(*answers)
    assert [answer.status for answer in finished] == [Status.COMPLETE] * 3
    waits = [event for event in heard if isinstance(event, AnswerWaiting)]
    assert [wait.message_id for wait in waits] == [finished[2].id]
    assert "2 a minute" in waits[0].reason
    assert len(server.requests) == 4  # the model list and three answers
    assert time.monotonic() - started >= window  # the third could not start earlier
    await provider.aclose()
