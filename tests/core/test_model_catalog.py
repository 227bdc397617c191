"""What a model picker is told of the models: the ones used last, and what is known of each."""

from __future__ import annotations

import pytest

from chatdesk.core.service import ChatService

pytestmark = pytest.mark.asyncio


async def test_recent_models_are_those_of_the_latest_answers_newest_first(
    service: ChatService,
) -> None:
    assert await service.models.recent() == []
    thread = await service.create_thread()
    for model in ("mock-2", "mock-3", "mock-2"):
        turn = await service.send(thread.id, "hi", provider="mock", model=model)
        await service.wait_for_answer(turn.answer.id)
    assert await service.models.recent() == [("mock", "mock-2"), ("mock", "mock-3")]
    assert await service.models.recent(1) == [("mock", "mock-2")]


async def test_recent_models_leave_out_those_used_only_in_chats_in_the_trash(
    service: ChatService,
) -> None:
    kept = await service.create_thread()
    turn = await service.send(kept.id, "hi", provider="mock", model="mock-1")
    await service.wait_for_answer(turn.answer.id)
    thrown = await service.create_thread()
    for model in ("mock-3", "mock-2"):
        turn = await service.send(thrown.id, "hi", provider="mock", model=model)
        await service.wait_for_answer(turn.answer.id)
    assert await service.models.recent() == [
        ("mock", "mock-2"),
        ("mock", "mock-3"),
        ("mock", "mock-1"),
    ]
    await service.delete_thread(thrown.id)
    assert await service.models.recent() == [("mock", "mock-1")]
    await service.restore_thread(thrown.id)  # back from the trash: its models are recent again
    assert await service.models.recent() == [
        ("mock", "mock-2"),
        ("mock", "mock-3"),
        ("mock", "mock-1"),
    ]


async def test_facts_say_which_models_take_images_and_their_context_window(
    service: ChatService,
) -> None:
    mock = service.models.facts("mock", "mock-1")
    assert mock.images
    assert mock.context_window == 8_192
    assert not service.models.facts("nowhere", "gpt-3.5-turbo").images
    assert service.models.facts("nowhere", "gpt-4o").images
    assert service.models.facts("nowhere", "gpt-4o").context_window == 128_000
