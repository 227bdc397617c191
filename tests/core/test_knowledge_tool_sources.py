"""Passages the model finds with `search_knowledge` become the answer's sources, numbered
after those sent with the question, over a real SQLite file, real notes indexed by the reading
child and a real OpenAI-compatible server on 127.0.0.1 that asks for the tool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatdesk.core.chat.events import Event, SourcesFound
from chatdesk.core.kinds import Status
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.service import ChatService
from chatdesk.core.tools.model import Policy
from chatdesk.core.views import ThreadView
from tests.conftest import ServiceFactory
from tests.core.sse_server import FakeOpenAI, Reply, chunk, text_reply
from tests.core.test_knowledge import indexed, write_notes
from tests.core.test_tools import MODEL, _call_chunks, openai, server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes


async def test_passages_found_by_the_tool_are_numbered_kept_and_cited(
    make_service: ServiceFactory,
    server: FakeOpenAI,  # noqa: F811
    openai: OpenAICompatibleProvider,  # noqa: F811
    tmp_path: Path,
) -> None:
    service, thread = await _chat_with_notes(make_service, openai, tmp_path)
    found: list[SourcesFound] = []

    def keep(event: Event) -> None:
        if isinstance(event, SourcesFound):
            found.append(event)

    service.events.subscribe(keep)
    tyres = ("c1", "search_knowledge", json.dumps({"query": "tyre pressure", "limit": 1}))
    boiler = ("c2", "search_knowledge", json.dumps({"query": "reset the boiler", "limit": 1}))
    server.queue(
        Reply(events=[chunk("Looking. "), *_call_chunks(tyres, boiler)]),
        text_reply("Hold the red button [1]; the tyres take 2.4 bar [", "N]."),
    )
    turn = await service.send(thread.id, "How do I reset the boiler?")
    answer = await service.wait_for_answer(turn.answer.id)

    assert answer.status is Status.COMPLETE
    up_front = [s for s in answer.sources if not s.call_id]
    assert [s.name for s in up_front][:1] == ["manual.pdf"]  # [1], sent with the question
    [tyre] = [s for s in answer.sources if s.call_id]
    assert (tyre.name, tyre.call_id) == ("cars.md", "c1")
    assert tyre.number == len(up_front) + 1  # after those it had
    assert [s.number for s in answer.sources] == list(range(1, len(answer.sources) + 1))

    results = {m["tool_call_id"]: m for m in server.requests[-1].body["messages"][-2:]}
    [shown_tyre] = json.loads(results["c1"]["content"])["passages"]
    assert (shown_tyre["source"], shown_tyre["document"]) == (tyre.number, "cars.md")
    [shown_boiler] = json.loads(results["c2"]["content"])["passages"]
    assert shown_boiler["document"] == "manual.pdf"
    assert shown_boiler["source"] == 1  # already a source: it keeps its number, not a copy

    assert found[-1].sources == answer.sources  # the window shows them as they are found
    page = await service.list_messages(thread.id)
    assert page.messages[-1].sources == answer.sources  # kept with the answer


async def test_continued_the_answer_keeps_its_numbers_and_sends_found_passages_once(
    make_service: ServiceFactory,
    server: FakeOpenAI,  # noqa: F811
    openai: OpenAICompatibleProvider,  # noqa: F811
    tmp_path: Path,
) -> None:
    service, thread = await _chat_with_notes(make_service, openai, tmp_path)
    tyres = ("c1", "search_knowledge", json.dumps({"query": "tyre pressure", "limit": 1}))
    server.queue(
        Reply(events=[chunk("Looking. "), *_call_chunks(tyres)]),
        Reply(events=[chunk("The tyres take ")], drop_after=1),  # the connection breaks
        text_reply("2.4 bar [3]."),
    )
    turn = await service.send(thread.id, "How do I reset the boiler?")
    broken = await service.wait_for_answer(turn.answer.id)
    assert broken.status is not Status.COMPLETE
    sources = broken.sources

    again = await service.continue_answer(broken.id)
    answer = await service.wait_for_answer(again.answer.id)

    assert answer.status is Status.COMPLETE
    assert answer.sources == sources  # the same sources under the same numbers, none added
    sent = server.requests[-1].body["messages"]
    up_front = "\n".join(m["content"] for m in sent if m["role"] == "system")
    assert "manual.pdf" in up_front
    assert "2.4 bar" not in up_front  # the tool's passage goes with its call, not twice
    [tyre] = [s for s in sources if s.call_id]
    [earlier] = [m["content"] for m in sent if m["role"] == "assistant"]
    assert f'"source": {tyre.number}, "document": "cars.md"' in earlier  # its call, as noted


async def _chat_with_notes(
    make_service: ServiceFactory, provider: OpenAICompatibleProvider, tmp_path: Path
) -> tuple[ChatService, ThreadView]:
    """A chat on the server's model with chatdesk's tools allowed and a base of notes linked
    to it, so its answers get passages up front and may search for more."""
    service = make_service(openai=provider)
    service.tools.policies.set("chatdesk", Policy.ALLOW)
    base = await indexed(service, write_notes(tmp_path / "notes"))
    thread = await service.create_thread(provider="openai", model=MODEL)
    await service.set_thread_tools(thread.id, ["chatdesk"])
    await service.knowledge.link("thread_id", thread.id, [base.id])
    return service, thread
