"""The local API refuses what a web page or another program without the key sends it."""

from __future__ import annotations

import asyncio
import logging

import httpx2 as httpx
import pytest

from chatdesk.core.config import ApiSettings
from tests.api.conftest import KEY, Served, serving


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


@pytest.mark.asyncio
async def test_over_the_rate_limit_is_429_with_when_to_try_again() -> None:
    async with (
        serving(ApiSettings(rate_limit=3)) as running,
        httpx.AsyncClient(base_url=running.url) as client,
    ):
        headers = {"x-api-key": KEY}
        statuses = [(await client.get("/api/v1/health", headers=headers)) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert int(statuses[-1].headers["retry-after"]) >= 1
    assert statuses[-1].json()["error"]["type"] == "rate_limit_error"


@pytest.mark.asyncio
async def test_a_browser_gives_the_key_as_its_basic_password(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url) as client:
        asked = await client.get("/docs")
        shown = await client.get("/docs", auth=("anyone", served.key))
        schema = await client.get("/openapi.json", auth=("anyone", served.key))
    assert asked.status_code == 401
    assert asked.headers["www-authenticate"].startswith("Basic")
    assert shown.status_code == 200
    assert "/api/v1/health" in shown.text
    assert "/api/v1/health" in schema.json()["paths"]


@pytest.mark.asyncio
async def test_an_allowed_origin_may_call_it_from_a_browser() -> None:
    async with (
        serving(ApiSettings(allowed_origins="http://localhost:3000")) as running,
        httpx.AsyncClient(base_url=running.url) as client,
    ):
        preflight = await client.options(
            "/api/v1/health",
            headers={
                "Origin": "http://localhost:3000",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        allowed = await client.get(
            "/api/v1/health",
            headers={"Origin": "http://localhost:3000", "Authorization": f"Bearer {KEY}"},
        )
        other = await client.get(
            "/api/v1/health",
            headers={"Origin": "http://localhost:3001", "Authorization": f"Bearer {KEY}"},
        )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert other.status_code == 403


@pytest.mark.asyncio
async def test_a_rotated_key_takes_effect_at_once() -> None:
    from chatdesk.api.options import ApiOptions
    from chatdesk.api.server import ApiServer
    from chatdesk.app import build_core
    from chatdesk.configuration import configure
    from chatdesk.core.api_keys import ApiKeys
    from chatdesk.core.config import ApiSettings
    from chatdesk.core.secrets import KeyStore

    keys = ApiKeys(KeyStore(), environ={})
    first = keys.ensure()
    core = build_core(configure())
    await core.start()
    server = ApiServer(core, ApiOptions.of(ApiSettings(), port=0), keys.current)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.address) as client:
            before = await client.get("/api/v1/health", headers={"x-api-key": first})
            second = keys.rotate()
            old = await client.get("/api/v1/health", headers={"x-api-key": first})
            new = await client.get("/api/v1/health", headers={"x-api-key": second})
    finally:
        await server.stop()
        await core.aclose()
    assert second != first
    assert (before.status_code, old.status_code, new.status_code) == (200, 403, 200)


class _Lines(logging.Handler):
    """The API's log lines, and an event set once a line starting with `awaited` is written."""

    def __init__(self, awaited: str) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.awaited, self.seen = awaited, asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        self.lines.append(line)
        if line.startswith(self.awaited):
            self._loop.call_soon_threadsafe(self.seen.set)


@pytest.mark.asyncio
async def test_each_request_and_socket_is_logged_without_its_text_or_key(served: Served) -> None:
    from tests.api.sockets import joined

    secret_words = "my landlord's phone number is 555-0199"
    thread = await served.core.service.create_thread(title="Logged")
    logger = logging.getLogger("chatdesk.api")
    noted = _Lines(awaited=f"WS /api/v1/threads/{thread.id}/ws 101 ")
    logger.addHandler(noted)
    level, logger.level = logger.level, logging.INFO
    try:
        async with httpx.AsyncClient(base_url=served.url) as client:
            asked = {
                "model": "mock/mock-1",
                "messages": [{"role": "user", "content": secret_words}],
            }
            reply = await client.post(
                "/v1/chat/completions?note=private", headers=served.headers, json=asked
            )
        assert reply.status_code == 200
        async with joined(served, thread.id):
            pass
        async with asyncio.timeout(60):  # the server notes the socket once it has closed it
            await noted.seen.wait()
    finally:
        logger.removeHandler(noted)
        logger.level = level
    assert any(line.startswith("POST /v1/chat/completions 200 ") for line in noted.lines)
    everything = "\n".join(noted.lines)
    assert served.key not in everything
    assert "555-0199" not in everything
    assert "private" not in everything  # not the query string either
