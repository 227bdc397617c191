"""The local API refuses what a web page or another program without the key sends it."""

from __future__ import annotations

import httpx2 as httpx
import pytest

from tests.api.conftest import Served


@pytest.mark.asyncio
async def test_a_request_with_the_key_is_answered(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url) as client:
        reply = await client.get("/api/v1/health", headers=served.headers)
    assert reply.status_code == 200
    assert reply.json()["status"] == "ok"


@pytest.mark.asyncio
async def test_no_key_is_401_and_a_wrong_key_is_403(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url) as client:
        missing = await client.get("/api/v1/health")
        wrong = await client.get("/api/v1/health", headers={"x-api-key": "cdk-guess"})
    assert missing.status_code == 401
    assert missing.json()["error"]["type"] == "authentication_error"
    assert wrong.status_code == 403


@pytest.mark.asyncio
async def test_a_rebinding_host_gets_nothing(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url) as client:
        foreign = await client.get(
            "/api/v1/health", headers=served.headers | {"Host": f"evil.example:{served.port}"}
        )
        other_port = await client.get(
            "/api/v1/health", headers=served.headers | {"Host": "127.0.0.1:80"}
        )
        named = await client.get(
            "/api/v1/health", headers=served.headers | {"Host": f"localhost:{served.port}"}
        )
    assert foreign.status_code == 421
    assert other_port.status_code == 421
    assert named.status_code == 200


@pytest.mark.asyncio
async def test_a_page_on_another_origin_gets_nothing(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url) as client:
        reply = await client.get(
            "/api/v1/health", headers=served.headers | {"Origin": "https://evil.example"}
        )
    assert reply.status_code == 403
    assert "origin" in reply.json()["error"]["message"].lower()


@pytest.mark.asyncio
async def test_an_oversized_body_is_413_before_it_is_read(served: Served) -> None:
    limit = served.server.options.max_body_bytes
    async with httpx.AsyncClient(base_url=served.url) as client:
        reply = await client.post(
            "/api/v1/health", headers=served.headers, content=b"x" * (limit + 1)
        )
    assert reply.status_code == 413
