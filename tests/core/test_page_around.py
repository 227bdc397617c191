"""A page around a message: where a search hit opens its thread, on the hit's branch."""

from __future__ import annotations

import uuid

import pytest

from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.service import ChatService

pytestmark = pytest.mark.asyncio


async def _thread(service: ChatService, exchanges: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    thread = await service.create_thread()
    for n in range(exchanges):
        turn = await service.send(thread.id, f"question {n}")
        await service.wait_for_answer(turn.answer.id)
    page = await service.list_messages(thread.id, limit=1000)
    return thread.id, [m.id for m in page.messages]


async def test_the_page_holds_the_message_half_a_page_before_it_and_the_rest_after(
    service: ChatService,
) -> None:
    thread_id, ids = await _thread(service, 20)  # 40 messages

    page = await service.list_messages(thread_id, around=ids[20], limit=10)

    assert [m.id for m in page.messages] == ids[15:25]
    assert page.has_more_before
    assert page.has_more_after


async def test_near_either_end_the_page_fills_from_the_other_side(service: ChatService) -> None:
    thread_id, ids = await _thread(service, 10)

    first = await service.list_messages(thread_id, around=ids[1], limit=8)
    last = await service.list_messages(thread_id, around=ids[-2], limit=8)

    assert [m.id for m in first.messages] == ids[:8]
    assert not first.has_more_before
    assert first.has_more_after
    assert [m.id for m in last.messages] == ids[-6:]  # half a page back, and the end
    assert last.has_more_before
    assert not last.has_more_after


async def test_after_switching_to_an_old_branch_the_page_follows_that_branch(
    service: ChatService,
) -> None:
    thread_id, ids = await _thread(service, 6)
    old_answer = ids[3]
    again = await service.regenerate(old_answer)  # a newer sibling becomes the active branch
    await service.wait_for_answer(again.answer.id)

    await service.switch_branch(old_answer)
    page = await service.list_messages(thread_id, around=old_answer, limit=6)

    assert [m.id for m in page.messages] == ids[:6]  # the old branch, not the regenerated one
    assert page.has_more_after


async def test_a_message_of_another_thread_or_two_cursors_are_refused(
    service: ChatService,
) -> None:
    thread_id, ids = await _thread(service, 2)
    other, _ = await _thread(service, 1)

    with pytest.raises(NotFound):
        await service.list_messages(other, around=ids[0])
    with pytest.raises(InvalidRequest):
        await service.list_messages(thread_id, around=ids[1], before=ids[2])
