"""What the composer relies on: attachments, drafts, starting a thread with a message,
continuing a stopped answer, the context estimate and the provider state."""

from __future__ import annotations

import dataclasses

import pytest

from chatdesk.configuration import Configuration
from chatdesk.core.chat.events import (
    AnswerContinued,
    Event,
    ProviderStateChanged,
    ThreadCreated,
)
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.providers.base import ChatRequest, ErrorKind, ProviderError
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.service import ChatService
from chatdesk.core.store.models import Status
from chatdesk.core.views import AttachmentInput, DraftView
from tests.conftest import ServiceFactory
from tests.core.providers import ScriptedProvider

pytestmark = pytest.mark.asyncio


async def test_attachments_are_stored_shown_and_sent_to_the_model(
    make_service: ServiceFactory,
) -> None:
    provider = ScriptedProvider(["ok"])
    service = make_service(scripted=provider)
    thread = await service.create_thread(provider="scripted")
    notes = AttachmentInput("notes.txt", "line one\nline two")
    turn = await service.send(thread.id, "Summarise this", attachments=[notes])
    await service.wait_for_answer(turn.answer.id)
    assert turn.user_message is not None
    [shown] = turn.user_message.attachments
    assert (shown.name, shown.size) == ("notes.txt", len(notes.text))
    page = await service.list_messages(thread.id)
    assert page.messages[0].attachments == turn.user_message.attachments
    assert await service.attachment_text(shown.id) == notes.text
    sent = provider.requests[0].messages[-1].content
    assert sent.startswith("Summarise this")
    assert '<attachment name="notes.txt">\nline one\nline two\n</attachment>' in sent


async def test_a_message_may_be_only_an_attachment_but_not_nothing(service: ChatService) -> None:
    thread = await service.create_thread()
    paste = AttachmentInput("Pasted text", "x" * 70_000, kind="paste")
    turn = await service.send(thread.id, "  ", attachments=[paste])
    assert turn.user_message is not None
    assert turn.user_message.content == ""
    assert (await service.get_thread(thread.id)).title == "Pasted text"
    with pytest.raises(InvalidRequest):
        await service.send(thread.id, "   ")


async def test_send_new_makes_the_thread_with_the_message_and_refusal_leaves_none(
    service: ChatService,
) -> None:
    events: list[Event] = []
    service.events.subscribe(events.append)
    with pytest.raises(InvalidRequest):
        await service.send_new("")
    assert (await service.list_threads()).threads == ()
    turn = await service.send_new("Hello there")
    await service.wait_for_answer(turn.answer.id)
    [thread] = (await service.list_threads()).threads
    assert thread.id == turn.answer.thread_id
    assert thread.title == "Hello there"
    assert thread.message_count == 2
    assert isinstance(events[0], ThreadCreated)


async def test_drafts_survive_and_sending_clears_them(service: ChatService) -> None:
    thread = await service.create_thread()
    draft = DraftView("half a thought", (AttachmentInput("a.txt", "text"),))
    await service.save_draft(thread.id, draft)
    await service.save_draft(None, DraftView("new chat words"))
    assert await service.load_draft(thread.id) == draft
    assert (await service.load_draft(None)).text == "new chat words"
    turn = await service.send(thread.id, "half a thought, finished")
    await service.wait_for_answer(turn.answer.id)
    assert (await service.load_draft(thread.id)).empty
    await service.save_draft(None, DraftView(""))
    assert (await service.load_draft(None)).empty


async def test_continue_appends_to_the_stopped_answer(make_service: ServiceFactory) -> None:
    provider = ScriptedProvider(["Hello", " wor", "ld"], hold_after=2)
    service = make_service(scripted=provider)
    events: list[Event] = []
    service.events.subscribe(events.append)
    thread = await service.create_thread(provider="scripted")
    turn = await service.send(thread.id, "hi")
    await provider.held.wait()
    stopped = await service.stop(turn.answer.id)
    assert (stopped.status, stopped.content) == (Status.INTERRUPTED, "Hello wor")
    provider.tokens, provider.hold_after = ["ld", "!"], None
    again = await service.continue_answer(stopped.id)
    assert again.answer.id == stopped.id
    assert again.user_message is None
    final = await service.wait_for_answer(stopped.id)
    assert (final.status, final.content) == (Status.COMPLETE, "Hello world!")
    assert any(isinstance(e, AnswerContinued) for e in events)
    request = provider.requests[-1].messages
    assert [m.role for m in request[-2:]] == ["assistant", "user"]
    assert request[-2].content == "Hello wor"
    with pytest.raises(InvalidRequest):
        await service.continue_answer(final.id)  # complete: nothing to continue


async def test_context_usage_grows_with_the_thread(service: ChatService) -> None:
    thread = await service.create_thread()
    empty = await service.context_usage(thread.id)
    turn = await service.send(thread.id, "word " * 400)
    await service.wait_for_answer(turn.answer.id)
    used = await service.context_usage(thread.id)
    assert used.estimated
    assert used.budget_tokens > 0
    assert used.used_tokens > empty.used_tokens + 400
    assert 0 < used.fraction < 1


async def test_provider_state_follows_the_outcome(
    make_service: ServiceFactory, config: Configuration
) -> None:
    faulty = MockProvider(dataclasses.replace(config.settings.mock, fault="rate_limit:0"))
    service = make_service(mock=faulty, scripted=ScriptedProvider(["ok"]))
    events: list[Event] = []
    service.events.subscribe(events.append)
    thread = await service.create_thread()
    await service.wait_for_answer((await service.send(thread.id, "hi")).answer.id)
    states = [e for e in events if isinstance(e, ProviderStateChanged)]
    assert [(s.provider, s.state) for s in states] == [("mock", "rate_limited")]
    other = await service.create_thread(provider="scripted")
    await service.wait_for_answer((await service.send(other.id, "hi")).answer.id)
    last = [e for e in events if isinstance(e, ProviderStateChanged)][-1]
    assert (last.provider, last.state) == ("scripted", "ready")


async def test_a_conversation_too_long_for_the_model_leaves_the_provider_state_alone(
    make_service: ServiceFactory,
) -> None:
    def refuse(request: ChatRequest) -> None:
        raise ProviderError(ErrorKind.CONVERSATION_TOO_LONG, "The conversation is too long.")

    service = make_service(scripted=ScriptedProvider(["ok"], on_request=refuse))
    events: list[Event] = []
    service.events.subscribe(events.append)
    thread = await service.create_thread(provider="scripted")
    answer = await service.wait_for_answer((await service.send(thread.id, "hi")).answer.id)
    assert answer.error_type == "conversation_too_long"
    assert answer.status is Status.ERROR
    # The thread is too long, not the provider unwell: its status stays as it was.
    assert [e for e in events if isinstance(e, ProviderStateChanged)] == []
