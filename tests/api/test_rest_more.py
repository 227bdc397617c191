"""chatdesk's own API beyond threads and messages, over a real socket: search, summaries,
assistants, usage, and the OpenAPI schema that describes every /api/v1 route."""

from __future__ import annotations

import httpx2 as httpx
import pytest

from tests.api.conftest import Served

pytestmark = pytest.mark.asyncio


async def test_search_finds_a_message_sent_through_the_api(served: Served) -> None:
    thread = await served.core.service.create_thread(title="Kitchen")
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        sent = await client.post(
            f"/api/v1/threads/{thread.id}/messages",
            json={"content": "How long do I proof sourdough overnight?", "stream": False},
        )
        found = (await client.get("/api/v1/search", params={"q": "sourdough"})).json()
        titled = (await client.get("/api/v1/search", params={"q": "kitchen"})).json()
        nothing = (await client.get("/api/v1/search", params={"q": "zeppelin"})).json()
        empty = await client.get("/api/v1/search", params={"q": ""})
    question = sent.json()["user_message"]
    hits = [h for h in found["messages"] if h["message_id"] == question["id"]]
    assert len(hits) == 1
    hit = hits[0]
    assert (hit["thread_id"], hit["role"]) == (str(thread.id), "user")
    start, end = hit["snippet"]["highlights"][0]
    assert hit["snippet"]["text"][start:end].lower() == "sourdough"
    assert [t["thread_id"] for t in titled["threads"]] == [str(thread.id)]
    assert (nothing["messages"], nothing["threads"]) == ([], [])
    assert empty.status_code == 422


async def test_summarize_now_makes_a_summary_that_is_listed(served: Served) -> None:
    service = served.core.service
    thread = await service.create_thread()
    url = f"/api/v1/threads/{thread.id}/summaries"
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        too_early = (await client.post(url)).json()
        for question in ("What is a B-tree?", "And a LSM tree?", "Which is faster to write?"):
            turn = await service.send(thread.id, question)
            await service.wait_for_answer(turn.answer.id)
        made = (await client.post(url)).json()["summary"]
        listed = (await client.get(url)).json()
    assert too_early == {"summary": None}
    assert made is not None
    assert made["content"]
    assert [s["id"] for s in listed] == [made["id"]]
    assert listed[0]["in_use"] is True
    kept = await service.list_summaries(thread.id)
    assert [str(s.id) for s in kept] == [made["id"]]


async def test_assistants_are_listed_as_the_window_has_them(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        listed = (await client.get("/api/v1/assistants")).json()
    kept = await served.core.service.assistants.list()
    assert [a["name"] for a in listed] == [a.name for a in kept]
    assert [a["id"] for a in listed] == [str(a.id) for a in kept]
    assert "Tutor" in [a["name"] for a in listed]


async def test_usage_counts_the_api_answers_by_month_and_by_thread(served: Served) -> None:
    thread = await served.core.service.create_thread()
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        before = (await client.get("/api/v1/usage")).json()
        answer = (
            await client.post(
                f"/api/v1/threads/{thread.id}/messages",
                json={"content": "Count my tokens", "stream": False, "model": "mock-2"},
            )
        ).json()["answer"]
        months = (await client.get("/api/v1/usage")).json()
        one_thread = (await client.get(f"/api/v1/threads/{thread.id}/usage")).json()
        bad_month = await client.get("/api/v1/usage", params={"month": "November"})
    assert before == []
    [row] = [r for r in months if r["model"] == "mock-2"]
    assert row["provider"] == "mock"
    assert row["month"] == answer["created_at"][:7]
    assert row["totals"]["completion_tokens"] == answer["usage"]["completion_tokens"] > 0
    assert one_thread["answers"] == 1
    assert one_thread["completion_tokens"] == answer["usage"]["completion_tokens"]
    assert bad_month.status_code == 422


async def test_the_openapi_schema_describes_every_route_and_its_bodies(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        schema = (await client.get("/openapi.json")).json()
        docs = (await client.get("/docs")).text
    paths = schema["paths"]
    expected = {
        "/api/v1/threads": {"get", "post"},
        "/api/v1/threads/{thread_id}": {"get", "patch", "delete"},
        "/api/v1/threads/{thread_id}/restore": {"post"},
        "/api/v1/threads/{thread_id}/messages": {"get", "post"},
        "/api/v1/threads/{thread_id}/messages/{message_id}": {"get", "patch", "delete"},
        "/api/v1/threads/{thread_id}/messages/{message_id}/regenerate": {"post"},
        "/api/v1/threads/{thread_id}/messages/{message_id}/stop": {"post"},
        "/api/v1/threads/{thread_id}/messages/{message_id}/versions": {"get"},
        "/api/v1/threads/{thread_id}/summaries": {"get", "post"},
        "/api/v1/threads/{thread_id}/usage": {"get"},
        "/api/v1/search": {"get"},
        "/api/v1/assistants": {"get"},
        "/api/v1/projects": {"get"},
        "/api/v1/usage": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    bodies = schema["components"]["schemas"]
    assert {"ThreadIn", "ThreadPatch", "SendIn", "EditIn", "ThreadOut", "MessageOut"} <= set(bodies)
    sent_fields = {"content", "provider", "model", "tools", "stream"}
    assert sent_fields <= set(bodies["SendIn"]["properties"])
    send = paths["/api/v1/threads/{thread_id}/messages"]["post"]
    assert set(send["responses"]["200"]["content"]) == {"application/json", "text/event-stream"}
    assert "/api/v1/threads/{thread_id}/messages/{message_id}/regenerate" in docs
    socket = paths["/api/v1/threads/{thread_id}/ws"]["get"]  # the upgrade, and every frame
    assert "101" in socket["responses"]
    sent = {one["$ref"].rsplit("/", 1)[1] for one in bodies["ClientFrame"]["oneOf"]}
    assert {"SendMessage", "EditMessage", "DeleteMessage", "Regenerate", "Ping"} <= sent
    told = {one["$ref"].rsplit("/", 1)[1] for one in bodies["ServerFrame"]["anyOf"]}
    assert {"StreamChunk", "MessageCreated", "Heartbeat"} <= told
    assert "/api/v1/threads/{thread_id}/ws" in docs
