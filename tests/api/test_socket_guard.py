"""A thread's WebSocket admits only a client with the key, and keeps to its limits."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from chatdesk.api.hub import hub_of
from chatdesk.core.config import ApiSettings
from tests.api.conftest import Served, serving
from tests.api.sockets import joined, receive, send, socket_url


async def closed_with(url: str, headers: dict[str, str], first: str | None = None) -> int:
    """The close code the server ends the connection with (after `first`, if given)."""
    async with connect(url, additional_headers=headers) as socket:
        if first is not None:
            await socket.send(first)
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


@pytest.mark.asyncio
async def test_the_key_may_come_as_the_first_frame(served: Served) -> None:
    thread = await served.core.service.create_thread()
    async with connect(socket_url(served, thread.id)) as socket:
        await send(socket, "AUTH", key=served.key)
        ready = await receive(socket)
        await send(socket, "PING", request_id="p")
        pong = await receive(socket)
    assert ready["type"] == "READY"
    assert ready["thread_id"] == str(thread.id)
    assert pong == {"type": "PONG", "request_id": "p"}


@pytest.mark.asyncio
async def test_no_key_a_late_key_and_a_wrong_key_are_closed_with_their_codes(
    served: Served,
) -> None:
    thread = await served.core.service.create_thread()
    url = socket_url(served, thread.id)
    wrong = json.dumps({"type": "AUTH", "key": "cdk-guess"})
    not_auth = json.dumps({"type": "PING"})
    assert await closed_with(url, {"x-api-key": "cdk-guess"}) == 4403
    assert await closed_with(url, {}, first=wrong) == 4403
    assert await closed_with(url, {}, first=not_auth) == 4401
    hub_of(served.server.app).auth_timeout = 0.01
    assert await closed_with(url, {}) == 4401  # nothing sent: the key came too late


@pytest.mark.asyncio
async def test_the_key_is_never_taken_from_the_url(served: Served) -> None:
    thread = await served.core.service.create_thread()
    hub_of(served.server.app).auth_timeout = 0.01
    url = f"{socket_url(served, thread.id)}?key={served.key}&api_key={served.key}"
    assert await closed_with(url, {}) == 4401


@pytest.mark.asyncio
async def test_an_unknown_thread_is_closed_with_4404(served: Served) -> None:
    assert await closed_with(socket_url(served, uuid.uuid4()), served.headers) == 4404
    assert await closed_with(socket_url(served, "not-a-thread"), served.headers) == 4404


@pytest.mark.asyncio
async def test_a_page_on_another_origin_cannot_open_the_socket(served: Served) -> None:
    thread = await served.core.service.create_thread()
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            socket_url(served, thread.id),
            additional_headers=served.headers,
            origin=Origin("https://evil.example"),
        ):
            pass
    assert refused.value.response.status_code == 403


@pytest.mark.asyncio
async def test_a_malformed_frame_gets_an_error_and_the_connection_stays_open(
    served: Served,
) -> None:
    thread = await served.core.service.create_thread()
    async with joined(served, thread.id) as socket:
        replies = []
        for frame in (
            "not json",
            json.dumps({"type": "DANCE", "request_id": "d"}),
            json.dumps({"type": "SEND_MESSAGE", "request_id": "m"}),
            json.dumps({"type": "EDIT_MESSAGE", "message_id": "x", "content": "y"}),
            json.dumps(["SEND_MESSAGE"]),
        ):
            await socket.send(frame)
            replies.append(await receive(socket))
        await socket.send(b"\x00binary")
        replies.append(await receive(socket))
        await send(socket, "PING")
        pong = await receive(socket)
    assert [r["type"] for r in replies] == ["ERROR"] * 6
    assert {r["code"] for r in replies} == {"invalid_frame"}
    assert [r["request_id"] for r in replies[:3]] == [None, "d", "m"]
    assert "JSON" in replies[0]["message"]
    assert "DANCE" in replies[1]["message"]
    assert "content" in replies[2]["message"]
    assert "message_id" in replies[3]["message"]
    assert pong["type"] == "PONG"


@pytest_asyncio.fixture
async def limited() -> AsyncIterator[Served]:
    """An API allowing 3 requests a minute and 10 KB a frame; its rate clock stands still."""
    async with serving(ApiSettings(rate_limit=3, max_body_mb=0.01)) as served:
        served.server.app.state.gate.limit.clock = lambda: 0.0
        yield served


@pytest.mark.asyncio
async def test_a_page_on_an_allowed_origin_opens_the_socket_with_its_first_frame() -> None:
    page = "http://localhost:3000"
    async with serving(ApiSettings(allowed_origins=page)) as served:
        thread = await served.core.service.create_thread()
        async with connect(socket_url(served, thread.id), origin=Origin(page)) as socket:
            await send(socket, "AUTH", key=served.key)
            ready = await receive(socket)
        with pytest.raises(InvalidStatus) as refused:
            async with connect(
                socket_url(served, thread.id),
                origin=Origin("http://localhost:3001"),
            ):
                pass
    assert ready["type"] == "READY"
    assert refused.value.response.status_code == 403


@pytest.mark.asyncio
async def test_frames_over_the_rate_limit_get_an_error_and_the_connection_stays(
    limited: Served,
) -> None:
    thread = await limited.core.service.create_thread()
    async with joined(limited, thread.id) as socket:  # the upgrade takes one of the three
        replies = []
        for number in range(4):
            await send(socket, "STOP", message_id=str(uuid.uuid4()), request_id=str(number))
            replies.append(await receive(socket))
    codes = [r["code"] for r in replies]
    assert codes == ["NotFound", "NotFound", "rate_limited", "rate_limited"]
    assert replies[2]["request_id"] == "2"
    assert replies[2]["retry_after"] > 0


@pytest.mark.asyncio
async def test_an_oversized_frame_closes_the_connection_with_1009(limited: Served) -> None:
    thread = await limited.core.service.create_thread()
    limit = limited.server.options.max_body_bytes
    async with joined(limited, thread.id) as socket:
        await send(socket, "SEND_MESSAGE", content="x" * (limit + 1))
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009
    assert (await limited.core.service.list_messages(thread.id)).messages == ()


@pytest.mark.asyncio
async def test_an_idle_socket_gets_heartbeats(served: Served) -> None:
    hub_of(served.server.app).heartbeat = 0.01
    thread = await served.core.service.create_thread()
    async with joined(served, thread.id) as socket:
        beats = [await receive(socket), await receive(socket)]
    assert beats == [{"type": "HEARTBEAT"}] * 2


@pytest.mark.asyncio
async def test_upgrades_over_the_rate_limit_are_closed_with_4429(limited: Served) -> None:
    thread = await limited.core.service.create_thread()
    url = socket_url(limited, thread.id)
    for _ in range(3):
        async with joined(limited, thread.id):
            pass
    assert await closed_with(url, limited.headers) == 4429


@pytest.mark.asyncio
async def test_a_client_too_far_behind_its_thread_is_closed_and_the_answer_goes_on(
    served: Served,
) -> None:
    hub_of(served.server.app).outbox_frames = 1
    service = served.core.service
    thread = await service.create_thread()
    async with joined(served, thread.id) as socket:
        # The question and its answer's start are said at once: two frames for an outbox of one.
        turn = await service.send(thread.id, "a question")
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1013
    finished = await service.wait_for_answer(turn.answer.id)
    assert finished.status == "complete"


@pytest.mark.asyncio
async def test_stopping_the_api_closes_its_sockets_at_once(served: Served) -> None:
    thread = await served.core.service.create_thread()
    async with joined(served, thread.id) as socket:
        await served.server.stop()
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1012  # "service restart": a client may come back later
