"""What a client generated from the description meets at the edges of a path: a method the
path does not take, and a plain request for a thread's WebSocket. A real API on 127.0.0.1."""

from __future__ import annotations

import httpx2 as httpx
import pytest

from tests.api.conftest import Served

pytestmark = pytest.mark.asyncio


async def test_a_405_names_every_method_of_the_path(served: Served) -> None:
    thread = await served.core.service.create_thread()
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        refused = await client.put(f"/api/v1/threads/{thread.id}", json={})
        listed = await client.get(f"/api/v1/threads/{thread.id}")
    assert refused.status_code == 405
    assert refused.headers["Allow"].split(", ") == ["DELETE", "GET", "PATCH"]
    assert listed.status_code == 200


async def test_a_plain_get_of_a_threads_socket_says_to_upgrade(served: Served) -> None:
    thread = await served.core.service.create_thread()
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        plain = await client.get(f"/api/v1/threads/{thread.id}/ws")
        described = (await client.get("/openapi.json")).json()
    assert plain.status_code == 426
    assert plain.headers["Upgrade"] == "websocket"
    assert "ws://" in plain.json()["error"]["message"]
    assert "426" in described["paths"]["/api/v1/threads/{thread_id}/ws"]["get"]["responses"]
