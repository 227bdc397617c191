"""Background summaries: made when the history passes the threshold, sent in place of the older
messages, undone by deleting them, and never in the way of the conversation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

import pytest

from chatdesk.configuration import Configuration
from chatdesk.core.chat.events import (
    Event,
    SummaryCreated,
    SummaryDeleted,
    SummaryFailed,
    SummaryStarted,
    SummaryUpdated,
)
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.prompts import SUMMARY_HEADING, SUMMARY_INSTRUCTIONS
from chatdesk.core.providers.base import ChatRequest, ErrorKind, ProviderError, StreamEvent
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.service import ChatService
from chatdesk.core.store.models import Status
from chatdesk.core.views import ContextBreakdown, ThreadView
from tests.conftest import ServiceFactory

pytestmark = pytest.mark.asyncio

E = TypeVar("E")
WINDOW = 2_048  # 1,024 for the request; summaries start past 768
THRESHOLD = 0.75 * 1_024


def is_summary(request: ChatRequest) -> bool:
    return request.messages[0].content == SUMMARY_INSTRUCTIONS


class Mock(MockProvider):
    """The offline mock, recording requests; the background ones it `watches` (summaries by
    default) can be held at a gate or made to fail."""

    def __init__(
        self, config: Configuration, watches: Callable[[ChatRequest], bool] = is_summary
    ) -> None:
        super().__init__(config.settings.mock)
        self.watches = watches
        self.requests: list[ChatRequest] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.asked = asyncio.Event()
        self.failures: list[ProviderError] = []

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        if self.watches(request):
            self.asked.set()
            if self.failures:
                raise self.failures.pop(0)
            await self.gate.wait()
        async for event in super().stream(request):
            yield event

    def answers(self) -> list[ChatRequest]:
        return [r for r in self.requests if not self.watches(r)]

    def watched(self) -> list[ChatRequest]:
        return [r for r in self.requests if self.watches(r)]


class Heard:
    """Every event the service announces, and a way to wait for one."""

    def __init__(self, service: ChatService) -> None:
        self.events: list[Event] = []
        self._arrived = asyncio.Event()
        service.events.subscribe(self._on)

    def _on(self, event: Event) -> None:
        self.events.append(event)
        self._arrived.set()

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    async def first(self, kind: type[E], where: Callable[[E], bool] = lambda _: True) -> E:
        async with asyncio.timeout(20):  # a safety net; the wait ends on the event
            while not (found := [e for e in self.of(kind) if where(e)]):
                self._arrived.clear()
                await self._arrived.wait()
        return found[0]


@pytest.fixture
def mock(config: Configuration) -> Mock:
    return Mock(config)


@pytest.fixture
def service(make_service: ServiceFactory, mock: Mock) -> ChatService:
    return make_service(mock=mock)


async def small_thread(service: ChatService) -> ThreadView:
    thread = await service.create_thread()
    return await service.set_thread_context_window(thread.id, WINDOW)


async def ask(service: ChatService, thread: ThreadView, text: str) -> None:
    turn = await service.send(thread.id, text)
    answer = await service.wait_for_answer(turn.answer.id)
    assert answer.status is Status.COMPLETE


async def parts(service: ChatService, thread: ThreadView) -> ContextBreakdown:
    usage = await service.context_usage(thread.id)
    assert usage.breakdown is not None
    return usage.breakdown


async def until_summarising(service: ChatService, mock: Mock, thread: ThreadView) -> int:
    """Ask questions until a summary is asked for; returns how many were asked."""
    for n in range(1, 20):
        await ask(service, thread, f"topic {n}?")
        if await _asked_or_settled(service, mock):
            return n
        assert (await parts(service, thread)).history <= THRESHOLD  # not yet due
    raise AssertionError("no summary was ever asked for")


async def _asked_or_settled(service: ChatService, mock: Mock) -> bool:
    """Wait until the background work is over or a summary is asked for (it may be held)."""
    asked = asyncio.ensure_future(mock.asked.wait())
    settled = asyncio.ensure_future(service.settle())
    await asyncio.wait({asked, settled}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
    for waiting in (asked, settled):
        waiting.cancel()
    return mock.asked.is_set()


async def summarised(service: ChatService, mock: Mock, thread: ThreadView) -> SummaryCreated:
    heard = Heard(service)
    await until_summarising(service, mock, thread)
    created = await heard.first(SummaryCreated)
    await service.settle()
    return created


async def test_a_summary_starts_past_the_threshold_and_replaces_older_messages(
    service: ChatService, mock: Mock
) -> None:
    heard = Heard(service)
    thread = await small_thread(service)
    mock.gate.clear()  # hold it, to look at the context it was made from
    await until_summarising(service, mock, thread)
    await heard.first(SummaryStarted)
    before = await parts(service, thread)
    assert before.history > THRESHOLD
    assert before.summary == 0
    mock.gate.set()
    created = (await heard.first(SummaryCreated)).summary
    await service.settle()
    after = await parts(service, thread)
    assert after.summary_id == created.id
    assert after.summary > 0
    assert after.history < before.history / 2
    assert created.content.startswith("- Asked about: topic 1?")
    await ask(service, thread, "and next?")
    sent = [m.content for m in mock.answers()[-1].messages]
    assert sent[0] == f"{SUMMARY_HEADING}\n\n{created.content}"
    assert "topic 1?" not in sent  # covered by the summary
    assert sent[-1] == "and next?"
    [listed] = await service.list_summaries(thread.id)
    assert listed.in_use
    assert listed.covers_through_message_id == created.covers_through_message_id


async def test_a_message_sent_while_summarising_is_answered_at_once_and_in_full(
    service: ChatService, mock: Mock
) -> None:
    heard = Heard(service)
    thread = await small_thread(service)
    mock.gate.clear()
    asked = await until_summarising(service, mock, thread)
    await ask(service, thread, "meanwhile?")  # the summary is still being written
    sent = [m.content for m in mock.answers()[-1].messages]
    assert sent[-1] == "meanwhile?"
    assert [c for c in sent if c.startswith("topic")] == [
        f"topic {n}?" for n in range(1, asked + 1)
    ]
    mock.gate.set()
    summary = (await heard.first(SummaryCreated)).summary
    await service.settle()
    page = await service.list_messages(thread.id)
    ids = [m.id for m in page.messages]
    assert ids.index(summary.covers_through_message_id) < ids.index(page.messages[-2].id)
    await ask(service, thread, "after?")
    sent = [m.content for m in mock.answers()[-1].messages]
    assert sent[-3:][0] == "meanwhile?"  # the question asked meanwhile is still sent as it was
    assert sent[-1] == "after?"


async def test_provider_errors_are_retried(service: ChatService, mock: Mock) -> None:
    heard = Heard(service)
    thread = await small_thread(service)
    mock.failures = [
        ProviderError(ErrorKind.RATE_LIMIT, "slow down", retry_after=0.01),
        ProviderError(ErrorKind.SERVER, "oops", retry_after=0.01),
    ]
    await until_summarising(service, mock, thread)
    await heard.first(SummaryCreated)
    assert len(mock.watched()) == 3
    assert not heard.of(SummaryFailed)


async def test_a_failed_summary_leaves_the_conversation_as_it_was(
    service: ChatService, mock: Mock
) -> None:
    heard = Heard(service)
    thread = await small_thread(service)
    mock.failures = [ProviderError(ErrorKind.AUTH, "The API key was refused.")]
    await until_summarising(service, mock, thread)
    failed = await heard.first(SummaryFailed)
    assert "API key" in failed.reason
    await service.settle()
    assert await service.list_summaries(thread.id) == []
    messages = (await service.list_messages(thread.id)).messages
    assert all(m.status is Status.COMPLETE for m in messages)
    await ask(service, thread, "still there?")  # the thread goes on; the next answer retries
    await heard.first(SummaryCreated)


async def test_deleting_a_summary_sends_the_originals_again_and_pauses_summaries(
    service: ChatService, mock: Mock
) -> None:
    thread = await small_thread(service)
    summary = (await summarised(service, mock, thread)).summary
    with_summary = await parts(service, thread)
    heard = Heard(service)
    await service.delete_summary(summary.id)
    assert heard.of(SummaryDeleted) == [SummaryDeleted(thread.id, summary.id)]
    assert (await service.get_thread(thread.id)).summaries_paused
    restored = await parts(service, thread)
    assert (restored.summary, restored.summary_id) == (0, None)
    assert restored.messages > with_summary.messages
    assert await service.list_summaries(thread.id) == []
    requested = len(mock.watched())
    await ask(service, thread, "and then?")
    await service.settle()
    sent = [m.content for m in mock.answers()[-1].messages]
    covered = await service.get_message(summary.covers_through_message_id)
    assert covered.content in sent  # the newest covered message is sent again
    assert not any(c.startswith(SUMMARY_HEADING) for c in sent)
    assert len(mock.watched()) == requested  # not summarised again behind the user's back
    again = await service.summarize_now(thread.id)
    assert again is not None
    assert not (await service.get_thread(thread.id)).summaries_paused


async def test_an_edited_summary_is_what_the_model_reads(service: ChatService, mock: Mock) -> None:
    thread = await small_thread(service)
    summary = (await summarised(service, mock, thread)).summary
    heard = Heard(service)
    edited = await service.edit_summary(summary.id, "  The user studies B-trees.  ")
    assert edited.content == "The user studies B-trees."
    assert edited.in_use
    assert edited.edited_at is not None
    assert heard.of(SummaryUpdated) == [SummaryUpdated(edited)]
    await ask(service, thread, "go on")
    sent = mock.answers()[-1].messages
    assert sent[0].content == f"{SUMMARY_HEADING}\n\nThe user studies B-trees."
    assert (await parts(service, thread)).summary == edited.token_count


async def test_summarize_now_summarises_all_but_the_last_exchange(
    service: ChatService, mock: Mock
) -> None:
    thread = await service.create_thread()
    await ask(service, thread, "first?")
    assert await service.summarize_now(thread.id) is None  # one exchange: nothing to summarise
    await ask(service, thread, "second?")
    summary = await service.summarize_now(thread.id)
    assert summary is not None
    assert summary.content == "- Asked about: first?"
    context = await parts(service, thread)
    assert (context.summary_id, context.messages) == (summary.id, 2)


async def test_stopping_a_summary_keeps_nothing(service: ChatService, mock: Mock) -> None:
    heard = Heard(service)
    thread = await small_thread(service)
    mock.gate.clear()
    await until_summarising(service, mock, thread)
    assert service.summarizing(thread.id)
    assert service.cancel_summary(thread.id)
    assert (await heard.first(SummaryFailed)).reason == "Stopped."
    await service.settle()
    assert await service.list_summaries(thread.id) == []


async def test_a_summary_on_another_branch_is_not_used(service: ChatService, mock: Mock) -> None:
    thread = await small_thread(service)
    await summarised(service, mock, thread)
    first = (await service.list_messages(thread.id, limit=1000)).messages[0]
    turn = await service.edit_message(first.id, "a fresh start")
    await service.wait_for_answer(turn.answer.id)
    await service.settle()
    [summary] = await service.list_summaries(thread.id)
    assert not summary.in_use
    assert (await parts(service, thread)).summary == 0


async def test_a_summary_cannot_be_emptied(service: ChatService, mock: Mock) -> None:
    thread = await small_thread(service)
    summary = (await summarised(service, mock, thread)).summary
    with pytest.raises(InvalidRequest, match="delete it"):
        await service.edit_summary(summary.id, "   ")
    [kept] = await service.list_summaries(thread.id)
    assert kept.content == summary.content
