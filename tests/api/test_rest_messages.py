"""chatdesk's own API, /api/v1/threads/{id}/messages, over a real socket: a message sent and
its answer streamed as server-sent events, edits and regenerations as versions, an answer
stopped, the branch read a page at a time."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx2 as httpx
import pytest
import pytest_asyncio

from chatdesk.core.kinds import Status
from chatdesk.core.service import ChatService
from chatdesk.core.tools.model import Policy
from chatdesk.core.views import MessageView
from tests.api.conftest import Served, serving

pytestmark = pytest.mark.asyncio

Event = tuple[str, dict[str, Any]]


async def read_events(reply: httpx.Response) -> AsyncIterator[Event]:
    """The server-sent events of a streamed reply, as (event name, data)."""
    name, data = "", ""
    async for line in reply.aiter_lines():
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")
        elif line == "" and name:
            yield name, json.loads(data)
            name, data = "", ""


async def until(events: AsyncIterator[Event], wanted: str) -> dict[str, Any]:
    """The data of the next event named `wanted` (those before it passed over)."""
    async for name, data in events:
        if name == wanted:
            return data
    raise AssertionError(f"the stream ended with no {wanted} event")


async def streamed(client: httpx.AsyncClient, method: str, url: str, **body: Any) -> list[Event]:
    async with client.stream(method, url, json=body) as reply:
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/event-stream")
        return [event async for event in read_events(reply)]


async def asked(service: ChatService, thread_id: uuid.UUID, text: str) -> MessageView:
    """Ask in the thread through the core, as the window does; the question, once answered."""
    turn = await service.send(thread_id, text)
    await service.wait_for_answer(turn.answer.id)
    assert turn.user_message is not None
    return turn.user_message


@pytest_asyncio.fixture
async def slow(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Served]:
    """An API over a mock that writes 20 tokens a second: an answer (70 to 100 tokens) is still
    being written for seconds after the client acts on its first words."""
    monkeypatch.setenv("CHATDESK_MOCK_TOKENS_PER_SECOND", "20")
    async with serving() as served:
        yield served


async def test_a_sent_message_streams_its_answer_as_events_in_order(served: Served) -> None:
    thread = await served.core.service.create_thread()
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        events = await streamed(
            client, "POST", f"/api/v1/threads/{thread.id}/messages", content="Why is the sky blue?"
        )
    names = [name for name, _ in events]
    assert names[:2] == ["message_created", "stream_start"]
    assert set(names[2:-1]) == {"stream_chunk"}
    assert names[-1] == "stream_end"
    question, start, end = events[0][1]["message"], events[1][1], events[-1][1]
    assert (question["role"], question["content"]) == ("user", "Why is the sky blue?")
    assert start["message"]["status"] in ("pending", "streaming")
    assert end["status"] == "complete"
    assert end["usage"]["completion_tokens"] > 0
    chunks = [data for name, data in events if name == "stream_chunk"]
    streamed_text = "".join(chunk["delta"] for chunk in chunks)
    assert chunks[0]["offset"] == 0
    kept = await served.core.service.get_message(uuid.UUID(start["message_id"]))
    assert kept.status is Status.COMPLETE
    assert streamed_text == kept.content == end["message"]["content"]
    assert kept.parent_id == uuid.UUID(question["id"])


async def test_stream_false_answers_with_the_ended_turn_as_json(served: Served) -> None:
    thread = await served.core.service.create_thread()
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        reply = await client.post(
            f"/api/v1/threads/{thread.id}/messages",
            json={"content": "Name a prime.", "stream": False, "model": "mock-3"},
        )
    body = reply.json()
    assert reply.status_code == 200
    assert body["user_message"]["content"] == "Name a prime."
    assert (body["answer"]["status"], body["answer"]["model"]) == ("complete", "mock-3")
    kept = await served.core.service.get_message(uuid.UUID(body["answer"]["id"]))
    assert kept.content == body["answer"]["content"] != ""


async def test_a_client_that_goes_away_does_not_stop_the_answer(slow: Served) -> None:
    thread = await slow.core.service.create_thread()
    async with httpx.AsyncClient(base_url=slow.url, headers=slow.headers) as client:
        url = f"/api/v1/threads/{thread.id}/messages"
        async with client.stream("POST", url, json={"content": "Hello"}) as reply:
            first = await until(read_events(reply), "stream_chunk")
        # the client has left after the first words
        kept = await slow.core.service.wait_for_answer(uuid.UUID(first["message_id"]))
        read = await client.get(f"{url}/{first['message_id']}")  # it comes back for the answer
    assert kept.status is Status.COMPLETE
    assert len(kept.content) > len(first["delta"])
    assert (read.json()["status"], read.json()["content"]) == ("complete", kept.content)


async def test_stop_ends_an_answer_mid_way_and_keeps_what_arrived(slow: Served) -> None:
    thread = await slow.core.service.create_thread()
    async with httpx.AsyncClient(base_url=slow.url, headers=slow.headers) as client:
        url = f"/api/v1/threads/{thread.id}/messages"
        async with client.stream("POST", url, json={"content": "Tell me a story"}) as reply:
            events = read_events(reply)
            answer_id = (await until(events, "stream_chunk"))["message_id"]
            stopped = await client.post(f"{url}/{answer_id}/stop")
            rest = [event async for event in events]
        async with client.stream("POST", url, json={"content": "and then?"}) as after:
            free = after.status_code
    assert stopped.status_code == 200
    assert stopped.json()["status"] == "interrupted"
    name, end = rest[-1]
    assert (name, end["status"]) == ("stream_end", "interrupted")
    kept = await slow.core.service.get_message(uuid.UUID(answer_id))
    assert kept.status is Status.INTERRUPTED
    assert kept.content == end["message"]["content"] == stopped.json()["content"]
    assert free == 200  # a stopped answer leaves the thread free


async def test_a_second_message_while_one_is_answered_is_409(slow: Served) -> None:
    thread = await slow.core.service.create_thread()
    async with httpx.AsyncClient(base_url=slow.url, headers=slow.headers) as client:
        url = f"/api/v1/threads/{thread.id}/messages"
        async with client.stream("POST", url, json={"content": "Tell me a story"}) as reply:
            answer_id = (await until(read_events(reply), "stream_start"))["message_id"]
            second = await client.post(url, json={"content": "Are you there?"})
            edited = await client.patch(f"{url}/{answer_id}", json={"content": "x"})
            await client.post(f"{url}/{answer_id}/stop")
    assert second.status_code == 409
    assert second.json()["error"]["type"] == "conflict_error"
    assert edited.status_code == 409


async def test_an_edit_is_version_2_answered_and_the_first_stays(served: Served) -> None:
    service = served.core.service
    thread = await service.create_thread()
    question = await asked(service, thread.id, "What is 2 + 2?")
    url = f"/api/v1/threads/{thread.id}/messages"
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        events = await streamed(client, "PATCH", f"{url}/{question.id}", content="What is 3 + 3?")
        edit = events[0][1]["message"]
        versions = (await client.get(f"{url}/{edit['id']}/versions")).json()
        shown = (await client.get(url)).json()["messages"]
    assert (edit["content"], edit["version"], edit["versions"]) == ("What is 3 + 3?", 2, 2)
    assert events[-1][0] == "stream_end"
    assert [v["content"] for v in versions] == ["What is 2 + 2?", "What is 3 + 3?"]
    assert [v["version"] for v in versions] == [1, 2]
    assert shown[0]["content"] == "What is 3 + 3?"
    assert shown[1]["id"] == events[1][1]["message_id"]


async def test_regenerate_writes_another_answer_beside_the_first(served: Served) -> None:
    service = served.core.service
    thread = await service.create_thread()
    turn = await service.send(thread.id, "Pick a colour")
    first = await service.wait_for_answer(turn.answer.id)
    url = f"/api/v1/threads/{thread.id}/messages/{first.id}"
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        events = await streamed(client, "POST", f"{url}/regenerate")
        as_json = await client.post(f"{url}/regenerate", json={"stream": False})
        versions = (await client.get(f"{url}/versions")).json()
    assert events[0][0] == "stream_start"  # no new question
    second = await service.get_message(uuid.UUID(events[0][1]["message_id"]))
    assert second.parent_id == first.parent_id
    assert second.id != first.id
    assert as_json.json()["user_message"] is None
    assert [v["id"] for v in versions] == [
        str(first.id),
        str(second.id),
        as_json.json()["answer"]["id"],
    ]
    assert versions[-1]["versions"] == 3


async def test_the_branch_pages_with_before_or_after_but_not_both(served: Served) -> None:
    service = served.core.service
    thread = await service.create_thread()
    for n in range(3):
        await asked(service, thread.id, f"question {n}")
    url = f"/api/v1/threads/{thread.id}/messages"
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        newest = (await client.get(url, params={"limit": 2})).json()
        oldest_id = newest["messages"][0]["id"]
        earlier = (await client.get(url, params={"limit": 10, "before": oldest_id})).json()
        later = (await client.get(url, params={"after": earlier["messages"][0]["id"]})).json()
        both = await client.get(url, params={"before": oldest_id, "after": oldest_id})
        around = (await client.get(url, params={"around": oldest_id, "limit": 3})).json()
    assert [m["role"] for m in newest["messages"]] == ["user", "assistant"]
    assert newest["messages"][0]["content"] == "question 2"
    assert (newest["has_more_before"], newest["has_more_after"]) == (True, False)
    assert [m["content"] for m in earlier["messages"] if m["role"] == "user"] == [
        "question 0",
        "question 1",
    ]
    assert earlier["has_more_before"] is False
    assert len(later["messages"]) == 5
    assert oldest_id in [m["id"] for m in around["messages"]]
    assert len(around["messages"]) == 3
    assert both.status_code == 400
    message = both.json()["error"]["message"]
    assert "not both" in message
    assert "one direction" in message


async def test_a_deleted_message_takes_its_answer_with_it(served: Served) -> None:
    service = served.core.service
    thread = await service.create_thread()
    question = await asked(service, thread.id, "Forget this")
    url = f"/api/v1/threads/{thread.id}/messages"
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        deleted = await client.delete(f"{url}/{question.id}")
        left = (await client.get(url)).json()["messages"]
        again = await client.delete(f"{url}/{question.id}")
    assert deleted.status_code == 204
    assert left == []
    assert again.status_code == 404


async def test_a_message_of_another_thread_is_not_found_here(served: Served) -> None:
    service = served.core.service
    mine, other = await service.create_thread(), await service.create_thread()
    turn = await service.send(other.id, "elsewhere")
    await service.wait_for_answer(turn.answer.id)
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        reply = await client.get(f"/api/v1/threads/{mine.id}/messages/{turn.answer.id}/versions")
        stop = await client.post(f"/api/v1/threads/{mine.id}/messages/{turn.answer.id}/stop")
    assert (reply.status_code, stop.status_code) == (404, 404)


async def test_an_answer_that_fails_ends_its_stream_with_the_error_and_the_part_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHATDESK_MOCK_FAULT", "error_after:5")
    async with serving() as failing:
        thread = await failing.core.service.create_thread()
        async with httpx.AsyncClient(base_url=failing.url, headers=failing.headers) as client:
            events = await streamed(
                client, "POST", f"/api/v1/threads/{thread.id}/messages", content="Hello"
            )
        name, end = events[-1]
        kept = await failing.core.service.get_message(uuid.UUID(end["message_id"]))
    streamed_text = "".join(data["delta"] for name, data in events if name == "stream_chunk")
    assert (name, end["status"]) == ("stream_end", "error")
    assert end["message"]["error_type"] == "server"
    assert "failed after 5 tokens" in end["message"]["error_detail"]
    assert kept.status is Status.ERROR
    assert streamed_text == kept.content != ""


async def test_a_tool_call_of_the_answer_is_told_as_it_runs(served: Served) -> None:
    service = served.core.service
    await asked(service, (await service.create_thread()).id, "How does a hash table work?")
    service.tools.policies.set("chatdesk", Policy.ALLOW)
    thread = await service.create_thread()
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        events = await streamed(
            client,
            "POST",
            f"/api/v1/threads/{thread.id}/messages",
            content="Please use the search_chats tool with query=hash",
            tools=["chatdesk"],
        )
    calls = [data["call"] for name, data in events if name == "tool_call"]
    assert {c["tool"] for c in calls} == {"search_chats"}
    assert calls[-1]["state"] == "done"
    assert "hash" in (calls[-1]["result"] or "")
    assert events[-1][0] == "stream_end"
    assert events[-1][1]["status"] == "complete"
    assert await service.thread_tools(thread.id) == ["chatdesk"]
