"""Team sync carries no memory: sharing a chat whose answer was given memories queues, for the
push, message rows without the memories it was given and a thread row without its memory
switch (the outbox in the real SQLite file, as the engine sends it; tests/sync/ sends it to a
real PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.store.blobs import BlobStore
from chatdesk.core.store.models import SyncOp, SyncTeam
from chatdesk.core.sync.base import any_shared
from chatdesk.core.sync.engine import SyncEngine
from chatdesk.core.sync.rows import GROUPS

pytestmark = pytest.mark.asyncio


async def test_a_shared_answer_is_pushed_without_its_memories(
    service: ChatService, store: Store
) -> None:
    assert service.memory is not None
    cat = await service.memory.add("My cat is called Turing")
    turn = await service.send_new("What is my cat called?")
    answer = await service.wait_for_answer(turn.answer.id)
    assert answer.memories == (cat.id,)
    await service.memory.switch_chat(answer.thread_id, False)
    team_id = uuid.uuid4()
    now = datetime.now(UTC)
    store.write_now(lambda s: s.add(SyncTeam(id=team_id, name="red", role="member", seen_at=now)))

    engine = SyncEngine(store, None, blobs=BlobStore.beside(store.path), shared=any_shared(store))
    engine.share(answer.thread_id, team_id)

    queued = store.read_now(
        lambda s: [(op.entity, op.entity_id, op.row) for op in s.query(SyncOp).all()]
    )
    rows = {entity_id: (entity, row) for entity, entity_id, row in queued}
    entity, pushed = rows[answer.id]
    assert entity == "message"
    assert pushed["content"] == answer.content  # the answer itself goes
    assert "memories" not in pushed
    assert "memory_off" not in rows[answer.thread_id][1]
    assert "memor" not in json.dumps(sorted(pushed)) + json.dumps(sorted(rows[answer.thread_id][1]))
    fields = {name for entity in GROUPS.values() for group in entity.values() for name in group}
    assert not {"memories", "memory_off"} & fields
