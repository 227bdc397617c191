"""How far an answer has got, as the core tells every front-end: its request on its way to the
provider, taken and waiting for the model's first words, then words arriving. Against a real
OpenAI-compatible server on 127.0.0.1 that holds its reply."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest

from chatdesk.core.chat.events import AnswerStageChanged, AnswerTextAppended, Event
from chatdesk.core.kinds import AnswerStage, Status
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.service import ChatService
from tests.conftest import ServiceFactory
from tests.core.conftest import MODEL, WAIT
from tests.core.sse_server import FakeOpenAI, Reply, chunk, error_reply, text_reply

pytestmark = pytest.mark.asyncio


class Heard:
    """The events of one service, and a way to wait for one."""

    def __init__(self, service: ChatService) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Event()
        service.events.subscribe(self._take)

    def _take(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    def stages(self) -> list[tuple[AnswerStage, str, str]]:
        return [
            (e.stage, e.provider, e.model) for e in self.events if isinstance(e, AnswerStageChanged)
        ]

    async def until(self, stage: AnswerStage) -> None:
        while stage not in [s for s, _, _ in self.stages()]:
            self._changed.clear()
            await self._changed.wait()


async def _send(service: ChatService) -> uuid.UUID:
    thread = await service.create_thread(provider="openai", model=MODEL)
    return (await service.send(thread.id, "hi")).answer.id


async def _held(event: threading.Event) -> bool:
    return await asyncio.to_thread(event.wait, WAIT)


async def test_an_answer_is_connecting_until_the_server_answers_then_waits_then_writes(
    server: FakeOpenAI, provider: OpenAICompatibleProvider, make_service: ServiceFactory
) -> None:
    # The server takes the request and opens the stream, but the model's words are slow.
    server.queue(Reply(events=[chunk("Hello"), chunk(finish="stop")], hold_after=0))
    service = make_service(openai=provider)
    heard = Heard(service)
    answer_id = await _send(service)
    await heard.until(AnswerStage.WAITING)
    assert await _held(server.holding)
    assert heard.stages() == [
        (AnswerStage.CONNECTING, "openai", MODEL),
        (AnswerStage.WAITING, "openai", MODEL),
    ]
    assert not [e for e in heard.events if isinstance(e, AnswerTextAppended)]
    server.release.set()
    answer = await service.wait_for_answer(answer_id)
    assert answer.content == "Hello"
    assert [s for s, _, _ in heard.stages()] == [
        AnswerStage.CONNECTING,
        AnswerStage.WAITING,
        AnswerStage.WRITING,
    ]
    writing = heard.events.index(
        next(
            e
            for e in heard.events
            if isinstance(e, AnswerStageChanged) and e.stage is AnswerStage.WRITING
        )
    )
    first_text = heard.events.index(
        next(e for e in heard.events if isinstance(e, AnswerTextAppended))
    )
    assert writing < first_text  # "writing" is said by the time its words show


async def test_an_answer_stays_connecting_while_the_server_has_not_answered(
    server: FakeOpenAI, provider: OpenAICompatibleProvider, make_service: ServiceFactory
) -> None:
    server.queue(Reply(events=[chunk("Late"), chunk(finish="stop")], hold_first_byte=True))
    service = make_service(openai=provider)
    heard = Heard(service)
    answer_id = await _send(service)
    await heard.until(AnswerStage.CONNECTING)
    assert await _held(server.holding)  # the request reached it; nothing came back
    assert heard.stages() == [(AnswerStage.CONNECTING, "openai", MODEL)]
    server.release.set()
    answer = await service.wait_for_answer(answer_id)
    assert answer.status is Status.COMPLETE
    assert [s for s, _, _ in heard.stages()] == [
        AnswerStage.CONNECTING,
        AnswerStage.WAITING,
        AnswerStage.WRITING,
    ]


async def test_a_retry_connects_again(
    server: FakeOpenAI, provider: OpenAICompatibleProvider, make_service: ServiceFactory
) -> None:
    server.queue(error_reply(503, "Overloaded", retry_after="0.05"), text_reply("Fine"))
    service = make_service(openai=provider)
    heard = Heard(service)
    answer = await service.wait_for_answer(await _send(service))
    assert answer.content == "Fine"
    assert [s for s, _, _ in heard.stages()] == [
        AnswerStage.CONNECTING,  # refused before it was taken: never waiting
        AnswerStage.CONNECTING,
        AnswerStage.WAITING,
        AnswerStage.WRITING,
    ]
