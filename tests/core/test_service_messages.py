from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from chatdesk.configuration import Configuration
from chatdesk.core.chat.events import (
    AnswerRetrying,
    AnswerTextAppended,
    Event,
    MessageAdded,
    MessageFinished,
)
from chatdesk.core.config import ChatSettings, MockSettings
from chatdesk.core.errors import Busy, InvalidRequest
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.providers.mock_text import mock_answer
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.store.models import Role, Status
from tests.conftest import ServiceFactory
from tests.core.providers import ScriptedProvider, stored, user_rows

pytestmark = pytest.mark.asyncio


def _mock(config: Configuration, **changes: object) -> MockProvider:
    return MockProvider(dataclasses.replace(config.settings.mock, **changes))  # type: ignore[arg-type]


async def test_send_streams_a_complete_answer_with_bookkeeping(service: ChatService) -> None:
    events: list[Event] = []
    service.events.subscribe(events.append)
    thread = await service.create_thread()
    turn = await service.send(thread.id, "Explain tables")
    answer = await service.wait_for_answer(turn.answer.id)
    assert answer.status is Status.COMPLETE
    assert answer.content == mock_answer("Explain tables").text
    assert answer.usage.completion_tokens
    assert answer.usage.prompt_tokens
    assert answer.latency_ms is not None
    assert answer.first_token_ms is not None
    pieces = [e for e in events if isinstance(e, AnswerTextAppended)]
    assert "".join(e.text for e in pieces) == answer.content
    for piece in pieces:  # each piece says where it starts in the answer
        assert answer.content[piece.text_offset :].startswith(piece.text)
    added = [e.message.role for e in events if isinstance(e, MessageAdded)]
    assert added == [Role.USER, Role.ASSISTANT]
    assert isinstance(next(e for e in events if isinstance(e, MessageFinished)), MessageFinished)
    thread = await service.get_thread(thread.id)
    assert thread.message_count == 2
    assert thread.total_tokens == answer.usage.total
    assert thread.title == "Explain tables"
    assert thread.active_leaf_id == answer.id


async def test_user_message_is_committed_before_the_provider_is_called(
    make_service: ServiceFactory, store: Store
) -> None:
    seen_by_provider: list[list[str]] = []
    provider = ScriptedProvider(
        ["ok"], on_request=lambda _: seen_by_provider.append(user_rows(store.path))
    )
    service = make_service(scripted=provider)
    thread = await service.create_thread(provider="scripted")
    turn = await service.send(thread.id, "remember me")
    await service.wait_for_answer(turn.answer.id)
    assert seen_by_provider == [["remember me"]]


async def test_context_has_system_prompt_and_the_branch(make_service: ServiceFactory) -> None:
    provider = ScriptedProvider(["fine"])
    service = make_service(scripted=provider)
    thread = await service.create_thread(provider="scripted", system_prompt="Be kind.")
    for text in ("one", "two"):
        turn = await service.send(thread.id, text)
        await service.wait_for_answer(turn.answer.id)
    roles = [(m.role, m.content) for m in provider.requests[-1].messages]
    assert roles == [
        ("system", "Be kind."),
        ("user", "one"),
        ("assistant", "fine"),
        ("user", "two"),
    ]


async def test_stop_keeps_the_partial_as_interrupted(
    make_service: ServiceFactory, store: Store
) -> None:
    provider = ScriptedProvider(["Hello", " wor", "ld"], hold_after=2)
    service = make_service(scripted=provider)
    thread = await service.create_thread(provider="scripted")
    turn = await service.send(thread.id, "hi")
    await provider.held.wait()
    stopped = await service.stop(turn.answer.id)
    assert stopped.status is Status.INTERRUPTED
    assert stopped.content == "Hello wor"
    assert stored(store.path, turn.answer.id) == ("interrupted", "Hello wor")
    assert provider.closed_streams == 1  # the request was closed, not left running


async def test_partial_is_flushed_while_streaming(
    make_service: ServiceFactory, store: Store
) -> None:
    provider = ScriptedProvider(["Part", "ial", " rest"], hold_after=2)
    service = make_service(scripted=provider)
    thread = await service.create_thread(provider="scripted")
    turn = await service.send(thread.id, "hi")
    await provider.held.wait()
    deadline = asyncio.get_running_loop().time() + 2
    while stored(store.path, turn.answer.id) != ("streaming", "Partial"):
        assert asyncio.get_running_loop().time() < deadline, "partial never reached the disk"
        await asyncio.sleep(0.02)
    provider.gate.set()
    final = await service.wait_for_answer(turn.answer.id)
    assert final.content == "Partial rest"


async def test_provider_error_keeps_partial_and_stores_the_error(
    make_service: ServiceFactory, config: Configuration
) -> None:
    service = make_service(mock=_mock(config, fault="error_after:5"))
    thread = await service.create_thread()
    turn = await service.send(thread.id, "fail please")
    answer = await service.wait_for_answer(turn.answer.id)
    assert answer.status is Status.ERROR
    assert answer.error_type == "server"
    assert "injected fault" in (answer.error_detail or "")
    expected = mock_answer("fail please").text
    assert answer.content
    assert expected.startswith(answer.content)


async def test_stream_cut_off_without_finish_is_interrupted(
    make_service: ServiceFactory, config: Configuration
) -> None:
    service = make_service(mock=_mock(config, fault="cut_after:4"))
    thread = await service.create_thread()
    answer = await service.wait_for_answer((await service.send(thread.id, "x")).answer.id)
    assert answer.status is Status.INTERRUPTED
    assert answer.error_type == "cut_off"
    assert mock_answer("x").text.startswith(answer.content)


async def test_stalled_stream_ends_as_an_error(
    make_service: ServiceFactory, config: Configuration
) -> None:
    settings = dataclasses.replace(
        config.settings, chat=ChatSettings(stream_idle_timeout=0.2, max_retries=0)
    )
    service = make_service(settings, mock=_mock(config, fault="stall_after:3"))
    thread = await service.create_thread()
    answer = await service.wait_for_answer((await service.send(thread.id, "x")).answer.id)
    assert answer.status is Status.ERROR
    assert answer.error_type == "stalled"
    assert answer.content  # the three tokens that arrived are kept


async def test_rate_limit_is_retried_before_the_first_token_then_reported(
    make_service: ServiceFactory, config: Configuration
) -> None:
    provider = _mock(config, fault="rate_limit:0.01")
    service = make_service(mock=provider)
    retries: list[AnswerRetrying] = []
    service.events.subscribe(lambda e: retries.append(e) if isinstance(e, AnswerRetrying) else None)
    thread = await service.create_thread()
    answer = await service.wait_for_answer((await service.send(thread.id, "x")).answer.id)
    assert provider.request_count == 3  # first try + 2 retries
    assert [r.attempt for r in retries] == [1, 2]
    assert answer.status is Status.ERROR
    assert answer.error_type == "rate_limit"
    page = await service.list_messages(thread.id)
    assert [m.role for m in page.messages] == [Role.USER, Role.ASSISTANT]  # no duplicate rows


async def test_reasoning_is_stored_as_a_part(
    make_service: ServiceFactory, config: Configuration
) -> None:
    service = make_service(mock=_mock(config, reasoning=True))
    thread = await service.create_thread()
    answer = await service.wait_for_answer((await service.send(thread.id, "why")).answer.id)
    assert answer.reasoning == mock_answer("why").reasoning
    assert answer.usage.reasoning_tokens


async def test_bad_messages_are_refused_and_nothing_is_written(service: ChatService) -> None:
    thread = await service.create_thread()
    for text in ("", "   \n\t", "x" * 2_000_001, "nul\x00byte"):
        with pytest.raises(InvalidRequest):
            await service.send(thread.id, text)
    assert (await service.get_thread(thread.id)).message_count == 0


async def test_cannot_send_while_an_answer_streams(make_service: ServiceFactory) -> None:
    provider = ScriptedProvider(["a", "b"], hold_after=1)
    service = make_service(scripted=provider)
    thread = await service.create_thread(provider="scripted")
    await service.send(thread.id, "first")
    await provider.held.wait()
    with pytest.raises(Busy):
        await service.send(thread.id, "second")
    provider.gate.set()


async def test_same_prompt_same_answer() -> None:
    assert mock_answer("hello").text == mock_answer("hello").text
    assert mock_answer("show me code").text != mock_answer("show me code!").text
    text = mock_answer("show me everything").text
    assert "```" in text


async def test_mock_fault_spec_errors_are_clear() -> None:
    with pytest.raises(Exception, match="not understood"):
        MockProvider(MockSettings(fault="explode"))


async def test_the_mock_refuses_a_conversation_longer_than_its_fault_allows(
    make_service: ServiceFactory,
) -> None:
    service = make_service(mock=MockProvider(MockSettings(tokens_per_second=0, fault="too_long:2")))
    thread = await service.create_thread()
    first = await service.wait_for_answer((await service.send(thread.id, "one")).answer.id)
    assert first.status is Status.COMPLETE  # one message (the mock sends no system prompt)
    second = await service.wait_for_answer((await service.send(thread.id, "two")).answer.id)
    assert second.status is Status.ERROR
    assert second.error_type == "conversation_too_long"
    assert "more than 2 messages" in (second.error_detail or "")


async def test_unknown_provider_is_a_clear_error(service: ChatService) -> None:
    thread = await service.create_thread()
    with pytest.raises(Exception, match="no provider named 'nope'"):
        await service.send(thread.id, "x", provider="nope")
    assert (await service.get_thread(thread.id)).message_count == 0


async def test_close_interrupts_running_answers(make_service: ServiceFactory, store: Store) -> None:
    provider = ScriptedProvider(["a", "b"], hold_after=1)
    service = make_service(scripted=provider)
    thread = await service.create_thread(provider="scripted")
    turn = await service.send(thread.id, "hi")
    await provider.held.wait()
    await service.aclose()
    assert stored(Path(store.path), turn.answer.id) == ("interrupted", "a")
