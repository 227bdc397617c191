"""Random edits, regenerations, branch switches and deletes: paging down a branch must always
give the same messages as paging up from its leaf, and branch positions must be right."""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest

from chatdesk.core.chat.repository import pages
from chatdesk.core.service import ChatService
from chatdesk.core.store.models import Role
from chatdesk.core.views import MessageView

pytestmark = pytest.mark.asyncio


async def _up(service: ChatService, thread_id: uuid.UUID) -> list[MessageView]:
    page = await service.list_messages(thread_id, limit=3)
    shown = list(page.messages)
    while page.has_more_before:
        page = await service.list_messages(thread_id, before=shown[0].id, limit=3)
        shown[:0] = page.messages
    return shown


async def _down(service: ChatService, thread_id: uuid.UUID, first: uuid.UUID) -> list[uuid.UUID]:
    shown = [first]
    while True:
        page = await service.list_messages(thread_id, after=shown[-1], limit=2)
        shown.extend(m.id for m in page.messages)
        if not page.has_more_after:
            return shown


async def _random_step(service: ChatService, rng: random.Random, path: list[MessageView]) -> None:
    thread_id = path[0].thread_id if path else None
    choice = rng.choice(["send", "send", "regenerate", "edit", "switch", "delete"])
    target = rng.choice(path) if path else None
    if choice == "send" or target is None:
        assert thread_id is not None
        turn = await service.send(thread_id, f"message {rng.random()}")
    elif choice == "regenerate":
        turn = await service.regenerate(target.id)
    elif choice == "edit" and target.role is Role.USER:
        turn = await service.edit_message(target.id, f"edited {rng.random()}")
    elif choice == "switch":
        siblings = await service.sibling_ids(target.id)
        await service.switch_branch(rng.choice(siblings))
        return
    elif choice == "delete" and len(path) > 2:
        await service.delete_message(target.id)
        return
    else:
        return
    await service.wait_for_answer(turn.answer.id)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_paging_down_matches_paging_up(service: ChatService, seed: int) -> None:
    rng = random.Random(seed)
    thread = await service.create_thread()
    turn = await service.send(thread.id, "start")
    await service.wait_for_answer(turn.answer.id)
    for _ in range(40):
        path = await _up(service, thread.id)
        if not path:
            turn = await service.send(thread.id, "again")
            await service.wait_for_answer(turn.answer.id)
            continue
        await _random_step(service, rng, path)
        path = await _up(service, thread.id)
        leaf = (await service.get_thread(thread.id)).active_leaf_id
        if not path:
            assert leaf is None
            continue
        assert path[-1].id == leaf
        assert [m.depth for m in path] == list(range(len(path)))
        assert await _down(service, thread.id, path[0].id) == [m.id for m in path]
        for message in path:
            siblings = await service.sibling_ids(message.id)
            assert message.sibling_count == len(siblings)
            assert siblings[message.sibling_index - 1] == message.id


@pytest.mark.parametrize("seed", [4, 5])
async def test_a_page_read_as_a_range_of_depths_is_the_walks_page(
    service: ChatService, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where a stretch of the branch does not fork, a page is read as a range of depths: every
    page (newest, before, after, around each message, several sizes) must be the one the walk
    along the pointers gives, forks and switched branches included."""
    taken = {True: 0, False: 0}
    linked = pages._linked

    def counted(*args: Any, **kwargs: Any) -> list[Any] | None:
        found = linked(*args, **kwargs)
        taken[found is not None] += 1
        return found

    def walked_only(*args: Any, **kwargs: Any) -> None:
        return None

    async def both(**asked: Any) -> None:
        monkeypatch.setattr(pages, "_linked", counted)
        by_range = await service.list_messages(thread.id, **asked)
        monkeypatch.setattr(pages, "_linked", walked_only)
        assert by_range == await service.list_messages(thread.id, **asked), asked

    rng = random.Random(seed)
    thread = await service.create_thread()
    for n in range(6):
        turn = await service.send(thread.id, f"start {n}")
        await service.wait_for_answer(turn.answer.id)
    for _ in range(12):
        path = await _up(service, thread.id)
        await _random_step(service, rng, path)
        path = await _up(service, thread.id)
        for limit in (1, 2, 5, 50):
            await both(limit=limit)
            for message in path:
                await both(before=message.id, limit=limit)
                await both(after=message.id, limit=limit)
                await both(around=message.id, limit=limit)
    assert taken[True] > 0  # some pages were read as ranges of depths,
    assert taken[False] > 0  # some had to be walked, and every one agreed
