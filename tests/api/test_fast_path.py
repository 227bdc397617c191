"""`POST /v1/chat/completions` is answered past FastAPI's routing (`chatdesk/api/fast_path.py`),
yet exactly as its route answers: the same request sent the way that reaches the route (with
the API's own page as its `Origin`, which a browser sends and the fast path leaves to FastAPI)
gets the same answer. Refusals too: without the key, over the rate, too large, not valid. A
real API over real sockets, a plain HTTP client reading the raw bytes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2 as httpx
import pytest

from chatdesk.core.config import ApiSettings
from chatdesk.core.providers.mock_text import mock_answer
from tests.api.conftest import KEY, Served, serving

pytestmark = pytest.mark.asyncio

PATH = "/v1/chat/completions"
ASKED = [{"role": "user", "content": "Hi"}]


async def _both(
    served: Served, client: httpx.AsyncClient, given: dict[str, str], **sent: Any
) -> tuple[httpx.Response, httpx.Response]:
    """The same request answered by the fast path and by the route."""
    own = {"Origin": served.url}  # a page the API serves itself: allowed, and left to FastAPI
    headers = given | sent.pop("headers", {})
    fast = await client.post(PATH, headers=headers, **sent)
    routed = await client.post(PATH, headers=headers | own, **sent)
    return fast, routed


def _same(fast: httpx.Response, routed: httpx.Response) -> None:
    assert fast.status_code == routed.status_code
    assert fast.json() == routed.json()
    for name in ("content-type", "www-authenticate", "retry-after"):
        assert fast.headers.get(name) == routed.headers.get(name), name


async def test_refusals_are_the_routes_own(served: Served) -> None:
    body = {"model": "mock/mock-1", "messages": ASKED}
    async with httpx.AsyncClient(base_url=served.url) as client:
        for headers, status in (
            ({}, 401),
            ({"Authorization": "Bearer cdk-guess"}, 403),
            ({"x-api-key": "cdk-guess"}, 403),
        ):
            fast, routed = await _both(served, client, headers, json=body)
            assert fast.status_code == status
            _same(fast, routed)
        assert fast.json()["error"]["type"] == "permission_error"


async def test_invalid_requests_are_told_what_is_wrong_as_by_the_route(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        for sent in (
            {"json": {"model": "mock/mock-1"}},  # no messages
            {"json": {"model": "mock/mock-1", "messages": []}},
            {"json": {"model": "mock/mock-1", "messages": ASKED, "temperature": 9}},
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
        ):
            fast, routed = await _both(served, client, {}, **sent)
            assert fast.status_code == 422, fast.text
            _same(fast, routed)
        unknown = {"model": "nowhere/x", "messages": ASKED}
        fast, routed = await _both(served, client, {}, json=unknown)
    assert fast.status_code == 404
    _same(fast, routed)


async def test_a_whole_answer_is_the_routes_own(served: Served) -> None:
    body = {"model": "mock/mock-2", "messages": ASKED}
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        fast, routed = await _both(served, client, {}, json=body)
    assert fast.status_code == routed.status_code == 200
    answers = [r.json() for r in (fast, routed)]
    for answer in answers:
        del answer["id"], answer["created"]
    assert answers[0] == answers[1]
    assert answers[0]["choices"][0]["message"]["content"] == mock_answer("Hi", "mock-2").text


async def test_a_streamed_answer_is_the_routes_own_on_the_wire(served: Served) -> None:
    body = {
        "model": "mock/mock-1",
        "stream": True,
        "stream_options": {"include_usage": True},
        "messages": ASKED,
    }
    own = {"Origin": served.url}
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        fast = await _lines(client, body, {})
        routed = await _lines(client, body, own)
    assert fast == routed
    assert fast[-1] == "data: [DONE]"
    text = "".join(
        c["choices"][0]["delta"].get("content", "")
        for c in (json.loads(line.removeprefix("data: ")) for line in fast[:-1])
        if c["choices"]
    )
    assert text == mock_answer("Hi", "mock-1").text


async def _lines(
    client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str]
) -> list[str]:
    """The stream's lines, each chunk's id and time left out (each stream has its own)."""
    lines = []
    async with client.stream("POST", PATH, json=body, headers=headers) as reply:
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/event-stream")
        assert reply.headers["cache-control"] == "no-cache"
        async for line in reply.aiter_lines():
            if line.startswith("data: {"):
                chunk = json.loads(line.removeprefix("data: "))
                del chunk["id"], chunk["created"]
                line = "data: " + json.dumps(chunk)
            if line:
                lines.append(line)
    return lines


async def test_the_rate_limit_counts_a_completion_once() -> None:
    body = {"model": "mock/mock-1", "messages": ASKED}
    async with (
        serving(ApiSettings(rate_limit=3)) as running,
        httpx.AsyncClient(base_url=running.url, headers={"x-api-key": KEY}) as client,
    ):
        answered = [await client.post(PATH, json=body) for _ in range(3)]
        over = await client.post(PATH, json=body)
    assert [r.status_code for r in answered] == [200, 200, 200]
    assert over.status_code == 429
    assert int(over.headers["retry-after"]) >= 1
    assert over.json()["error"]["type"] == "rate_limit_error"


async def test_a_body_over_the_limit_is_413_however_it_is_sent(served: Served) -> None:
    limit = served.server.options.max_body_bytes
    padding = "x" * (limit + 1)
    whole = json.dumps({"model": "mock/mock-1", "messages": ASKED, "user": padding}).encode()

    async def in_pieces() -> AsyncIterator[bytes]:  # chunked: no length said before
        for start in range(0, len(whole), 1 << 16):
            yield whole[start : start + (1 << 16)]

    headers = served.headers | {"content-type": "application/json"}
    async with httpx.AsyncClient(base_url=served.url, headers=headers) as client:
        declared = await client.post(PATH, content=whole)
        streamed = await client.post(PATH, content=in_pieces())
    assert declared.status_code == 413
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "body_too_large"
