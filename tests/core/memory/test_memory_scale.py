"""Memories at scale and on the wire: 10,000 kept memories (written in one transaction, the
full-text index kept by its triggers), the right ones found for a question and a deleted one
gone from the very next answer; and the request a real OpenAI-compatible server receives
(tests/core/sse_server.py, which records it) holds the memories that matter to the question in
its system message and no other, none with memory off, none in a temporary chat."""

from __future__ import annotations

import dataclasses
import random
import uuid
from typing import Any, cast

import pytest
from sqlalchemy import Table, insert

from chatdesk.configuration import Configuration
from chatdesk.core.clock import SystemClock
from chatdesk.core.memory.service import Memories
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.store.models import Memory
from tests.conftest import ServiceFactory
from tests.core.sse_server import FakeOpenAI

pytestmark = pytest.mark.asyncio

MANY = 10_000
MEMORIES = cast(Table, Memory.__table__)
NEEDLE = "My sister Zelda lives in Reykjavik and teaches glaciology"
CAT = "My cat is called Turing"
DENTIST = "I see the dentist on Friday mornings"

_WHO = ("My brother", "My manager", "A colleague", "My neighbour", "My daughter", "My friend")
_DOES = (
    "prefers {x} in the morning",
    "works on {x} projects",
    "is allergic to {x}",
    "asked me to review {x} next week",
    "collects old {x}",
    "wants answers about {x} kept short",
)
_THINGS = (
    "coffee",
    "Python",
    "peanuts",
    "invoices",
    "maps",
    "Kubernetes",
    "stamps",
    "tax forms",
    "sourdough",
    "chess",
    "bicycles",
    "Haskell",
    "watercolours",
    "spreadsheets",
    "violins",
)


def sentences(count: int, seed: int = 3) -> list[str]:
    """`count` realistic, varied memories (each different: a running number ends it)."""
    rng = random.Random(seed)
    return [
        f"{rng.choice(_WHO)} {rng.choice(_DOES).format(x=rng.choice(_THINGS))} (note {n})"
        for n in range(count)
    ]


def memory_of(service: ChatService) -> Memories:
    assert service.memory is not None
    return service.memory


def keep_many(store: Store, texts: list[str], assistant_id: uuid.UUID | None = None) -> None:
    """Every memory in one write transaction; one in ten for `assistant_id`'s chats only."""
    now = SystemClock().now()
    rows = [
        {
            "text": text,
            "origin": "import",
            "created_at": now,
            "updated_at": now,
            "assistant_id": assistant_id if n % 10 == 0 else None,
        }
        for n, text in enumerate(texts)
    ]
    store.write_now(lambda session: session.execute(insert(MEMORIES), rows))


async def ask(service: ChatService, text: str, **more: Any) -> Any:
    turn = await service.send_new(text, **more)
    return await service.wait_for_answer(turn.answer.id)


async def test_ten_thousand_memories_the_right_ones_found_and_a_deleted_one_gone(
    service: ChatService, store: Store
) -> None:
    memory = memory_of(service)
    tutor = await service.assistants.find("Tutor")
    keep_many(store, sentences(MANY), tutor.id)
    needle = await memory.add(NEEDLE)
    for_tutor = await memory.add("Explain glaciology with diagrams", assistant_id=tutor.id)
    assert (await memory.stats()).count == MANY + 2

    answer = await ask(service, "Where does my sister Zelda live?")
    assert answer.memories[0] == needle.id  # the one that matters, first
    assert for_tutor.id not in answer.memories  # another assistant's
    tutored = await ask(service, "What does Zelda teach? glaciology", assistant_id=tutor.id)
    assert {needle.id, for_tutor.id} <= set(tutored.memories)
    peanuts = await ask(service, "Who is allergic to peanuts?")
    given = await memory.some(peanuts.memories)
    assert given
    assert [m.text for m in given if "peanuts" not in m.text] == []  # its rarest word
    assert len(given) < 50  # found, not every memory handed over
    assert all(m.assistant_id is None for m in given)

    await memory.remove(needle.id)
    again = await ask(service, "Where does my sister Zelda live?")
    assert needle.id not in again.memories
    assert "Reykjavik" not in again.content


async def _sent(server: FakeOpenAI) -> tuple[str, str]:
    """The system message of the last request the server received, and the whole request."""
    body = server.requests[-1].body
    system = [m["content"] for m in body["messages"] if m["role"] == "system"]
    return "\n".join(str(s) for s in system), str(body)


async def test_the_request_sent_holds_the_relevant_memories_only(
    make_service: ServiceFactory, server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    service = make_service(openai=provider)
    memory = memory_of(service)
    cat = await memory.add(CAT)
    await memory.add(DENTIST)
    metric = await memory.add("I prefer metric units", always=True)

    answer = await ask(service, "What is my cat called?", provider="openai")

    system, whole = await _sent(server)
    assert CAT in system
    assert "I prefer metric units" in system  # an "always" one goes with every question
    assert "dentist" not in whole
    assert set(answer.memories) == {cat.id, metric.id}


async def test_no_memory_is_sent_with_memory_off(
    make_service: ServiceFactory,
    server: FakeOpenAI,
    provider: OpenAICompatibleProvider,
    config: Configuration,
) -> None:
    service = make_service(openai=provider)
    await memory_of(service).add(CAT)
    first = await ask(service, "What is my cat called?", provider="openai")
    assert CAT in (await _sent(server))[0]  # the chat is given it while on

    await memory_of(service).switch_chat(first.thread_id, False)
    turn = await service.send(first.thread_id, "And what is my cat called?")
    later = await service.wait_for_answer(turn.answer.id)
    assert "Turing" not in (await _sent(server))[1]
    assert later.memories == ()

    off = dataclasses.replace(config.settings.memory, enabled=False)
    service.update_settings(dataclasses.replace(config.settings, memory=off))
    nowhere = await ask(service, "What is my cat called?", provider="openai")
    assert "Turing" not in (await _sent(server))[1]
    assert nowhere.memories == ()


async def test_no_memory_is_sent_from_a_temporary_chat(
    service: ChatService,
    store: Store,
    server: FakeOpenAI,
    provider: OpenAICompatibleProvider,
    config: Configuration,
) -> None:
    from chatdesk.core.temporary import open_temporary

    await memory_of(service).add(CAT, always=True)
    providers = Providers({"openai": provider})
    temporary = await open_temporary(config.paths, providers, config.settings, store)
    try:
        answer = await ask(temporary.service, "What is my cat called?", provider="openai")
    finally:
        await temporary.aclose()
    assert server.requests  # it was asked
    assert "Turing" not in (await _sent(server))[1]
    assert answer.memories == ()
