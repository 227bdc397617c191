"""A stream held up while a tool server starts stays alive for a client that gives up after 5 s
without a byte (httpx's default read timeout, and the OpenAI SDK's when a client sets it so):
the API's own defaults, a real MCP server over stdio that takes longer than that to start
(tests/core/mcp_server.py, `slow`), a real httpx client and the real `openai` SDK."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx2 as httpx
import openai
import pytest
import pytest_asyncio

from chatdesk.api.keep_alive import COMMENT
from chatdesk.core.tools.model import Policy
from tests.api.conftest import Served, serving
from tests.core.mcp_helpers import stdio

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.slow("a silence longer than a client's 5 s read timeout, then a Python process"),
]

READ_TIMEOUT = 5.0  # seconds without a byte before the client gives up
STARTS_IN = READ_TIMEOUT + 1.5  # the tool server's start: a silence longer than that


@pytest_asyncio.fixture
async def served(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Served]:
    """The API with its defaults; the mock writes its answer at once once it is asked."""
    monkeypatch.setenv("CHATDESK_MOCK_TOKENS_PER_SECOND", "0")
    async with serving() as running:
        yield running


async def _thread_with_a_slow_server(served: Served) -> str:
    service = served.core.service
    server = stdio("slow", "slow")
    await service.tools.add_server(dataclasses.replace(server, args=(*server.args, str(STARTS_IN))))
    service.tools.policies.set("slow", Policy.ALLOW)
    thread = await service.create_thread()
    await service.set_thread_tools(thread.id, ["slow"])
    return str(thread.id)


async def test_a_stream_waiting_for_a_tool_server_keeps_a_short_timeout_client(
    served: Served,
) -> None:
    thread = await _thread_with_a_slow_server(served)
    lines: list[str] = []
    waits = httpx.Timeout(READ_TIMEOUT)
    async with (
        httpx.AsyncClient(base_url=served.url, headers=served.headers, timeout=waits) as client,
        client.stream(
            "POST", f"/api/v1/threads/{thread}/messages", json={"content": "Hello"}
        ) as reply,
    ):
        lines = [line async for line in reply.aiter_lines()]
    assert lines.count(COMMENT.decode().strip()) >= 2
    assert "event: stream_end" in lines
    assert '"status": "complete"' in lines[-2]


async def test_the_sdk_reads_a_kept_completion_through_a_tool_servers_start(
    served: Served,
) -> None:
    thread = await _thread_with_a_slow_server(served)
    client = openai.AsyncOpenAI(
        base_url=served.url + "/v1", api_key=served.key, timeout=READ_TIMEOUT, max_retries=0
    )
    try:
        stream = await client.chat.completions.create(
            model="mock/mock-1",
            messages=[{"role": "user", "content": "Hello"}],
            stream=True,
            extra_headers={"X-Chatdesk-Thread": thread},
        )
        chunks = [chunk async for chunk in stream]
    finally:
        await client.close()
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text
    assert chunks[-1].choices[0].finish_reason == "stop"
