from __future__ import annotations

import sqlite3
import uuid

import pytest

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.store.models import Role, Status

pytestmark = pytest.mark.asyncio


async def _exchange(service: ChatService, thread_id: uuid.UUID, text: str) -> uuid.UUID:
    turn = await service.send(thread_id, text)
    await service.wait_for_answer(turn.answer.id)
    return turn.answer.id


async def _branch(service: ChatService, thread_id: uuid.UUID) -> list[str]:
    page = await service.list_messages(thread_id, limit=1000)
    return [m.content if m.role is Role.USER else "A" for m in page.messages]


async def test_regenerate_adds_a_sibling_and_keeps_the_old_answer(service: ChatService) -> None:
    thread = await service.create_thread()
    first = await _exchange(service, thread.id, "q1")
    turn = await service.regenerate(first)
    second = await service.wait_for_answer(turn.answer.id)
    assert turn.user_message is None
    assert second.parent_id == (await service.get_message(first)).parent_id
    assert (second.sibling_index, second.sibling_count) == (2, 2)
    assert await service.sibling_ids(first) == [first, second.id]
    thread = await service.get_thread(thread.id)
    assert thread.active_leaf_id == second.id
    assert thread.message_count == 3


async def test_edit_makes_a_new_branch_and_switching_back_restores_it(
    service: ChatService,
) -> None:
    thread = await service.create_thread()
    await _exchange(service, thread.id, "q1")
    await _exchange(service, thread.id, "q2")
    await _exchange(service, thread.id, "q3")
    page = await service.list_messages(thread.id)
    q2 = page.messages[2]
    turn = await service.edit_message(q2.id, "q2 edited")
    await service.wait_for_answer(turn.answer.id)
    assert await _branch(service, thread.id) == ["q1", "A", "q2 edited", "A"]
    assert turn.user_message is not None
    assert (turn.user_message.sibling_index, turn.user_message.sibling_count) == (2, 2)
    await service.switch_branch(q2.id)
    assert await _branch(service, thread.id) == ["q1", "A", "q2", "A", "q3", "A"]
    with pytest.raises(InvalidRequest):
        await service.edit_message(page.messages[1].id, "assistants cannot be edited")


async def test_editing_the_first_message_makes_a_second_root(service: ChatService) -> None:
    thread = await service.create_thread()
    await _exchange(service, thread.id, "hello")
    first = (await service.list_messages(thread.id)).messages[0]
    turn = await service.edit_message(first.id, "hi")
    await service.wait_for_answer(turn.answer.id)
    page = await service.list_messages(thread.id)
    assert page.messages[0].content == "hi"
    assert (page.messages[0].sibling_index, page.messages[0].sibling_count) == (2, 2)


async def test_delete_removes_the_subtree_and_moves_to_a_sibling(
    service: ChatService, store: Store
) -> None:
    thread = await service.create_thread()
    a1 = await _exchange(service, thread.id, "q1")
    regenerated = await service.regenerate(a1)
    await service.wait_for_answer(regenerated.answer.id)
    await _exchange(service, thread.id, "q2")  # continues below the regenerated answer
    await service.delete_message(regenerated.answer.id)
    thread = await service.get_thread(thread.id)
    assert thread.active_leaf_id == a1
    assert thread.message_count == 2
    assert await _branch(service, thread.id) == ["q1", "A"]
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("SELECT count(*) FROM messages").fetchone() == (2,)
    first = (await service.list_messages(thread.id)).messages[0]
    await service.delete_message(first.id)
    thread = await service.get_thread(thread.id)
    assert thread.active_leaf_id is None
    assert thread.message_count == 0


async def test_pages_walk_the_branch_both_ways(service: ChatService) -> None:
    thread = await service.create_thread()
    for i in range(6):
        await _exchange(service, thread.id, f"q{i}")
    newest = await service.list_messages(thread.id, limit=5)
    assert [m.depth for m in newest.messages] == [7, 8, 9, 10, 11]
    assert newest.has_more_before
    assert not newest.has_more_after
    older = await service.list_messages(thread.id, before=newest.messages[0].id, limit=5)
    assert [m.depth for m in older.messages] == [2, 3, 4, 5, 6]
    oldest = await service.list_messages(thread.id, before=older.messages[0].id, limit=5)
    assert [m.depth for m in oldest.messages] == [0, 1]
    assert not oldest.has_more_before
    assert oldest.has_more_after
    later = await service.list_messages(thread.id, after=oldest.messages[-1].id, limit=3)
    assert [m.depth for m in later.messages] == [2, 3, 4]
    assert later.has_more_after
    end = await service.list_messages(thread.id, after=newest.messages[-1].id)
    assert end.messages == ()
    assert not end.has_more_after
    with pytest.raises(InvalidRequest, match="not both"):
        await service.list_messages(
            thread.id, before=newest.messages[0].id, after=oldest.messages[0].id
        )


async def test_recovery_marks_dead_answers_interrupted_and_spares_live_ones(
    service: ChatService, store: Store
) -> None:
    thread = await service.create_thread()
    await _exchange(service, thread.id, "q")
    answer = (await service.list_messages(thread.id)).messages[-1]
    with sqlite3.connect(store.path) as connection:
        connection.execute(
            "UPDATE messages SET status = 'streaming', content = 'half', stream_owner = 'dead1'"
            " WHERE id = ?",
            (answer.id.hex,),
        )
    assert await service.recover_interrupted() == 1
    recovered = await service.get_message(answer.id)
    assert recovered.status is Status.INTERRUPTED
    assert recovered.content == "half"
    with sqlite3.connect(store.path) as connection:
        connection.execute(
            "UPDATE messages SET status = 'streaming', stream_owner = ? WHERE id = ?",
            (store.instance.id, answer.id.hex),
        )
    assert await service.recover_interrupted() == 0  # this process is alive: left alone
