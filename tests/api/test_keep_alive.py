"""Through a long silence in an answer, a stream sends a comment now and then, so no proxy or
client takes it for a dead connection; every reader skips it. A real API over real sockets,
the offline mock writing slowly (a silence between words longer than the keep-alive's), the
real `openai` SDK and a plain HTTP client reading the raw lines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx2 as httpx
import openai
import pytest
import pytest_asyncio

from chatdesk.api.keep_alive import COMMENT, kept_alive
from chatdesk.core.providers.mock_text import mock_answer
from tests.api.conftest import Served, serving

pytestmark = pytest.mark.asyncio

QUESTION = "Tell me about rivers"


@pytest_asyncio.fixture
async def slow(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Served]:
    """An API whose mock writes 4 tokens a second, kept alive every 20 ms."""
    monkeypatch.setenv("CHATDESK_MOCK_TOKENS_PER_SECOND", "4")
    async with serving() as served:
        served.server.app.state.keep_alive_seconds = 0.02
        yield served


@pytest_asyncio.fixture
async def brisk(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Served]:
    """For a whole answer: 40 tokens a second, kept alive every 5 ms (comments between all
    its words, in a few seconds rather than the twenty a slow writer takes)."""
    monkeypatch.setenv("CHATDESK_MOCK_TOKENS_PER_SECOND", "40")
    async with serving() as served:
        served.server.app.state.keep_alive_seconds = 0.005
        yield served


async def _raw_lines(served: Served, path: str, body: dict[str, object]) -> list[str]:
    """The stream's lines up to its third word, as they came."""
    lines: list[str] = []
    async with (
        httpx.AsyncClient(base_url=served.url, headers=served.headers) as client,
        client.stream("POST", path, json=body) as reply,
    ):
        assert reply.status_code == 200
        async for line in reply.aiter_lines():
            lines.append(line)
            if sum('"content"' in seen or '"delta"' in seen for seen in lines) >= 3:
                break
    return lines


async def test_the_openai_stream_is_kept_alive_between_slow_words(slow: Served) -> None:
    body = {"model": "mock/mock-1", "messages": [{"role": "user", "content": QUESTION}]}
    lines = await _raw_lines(slow, "/v1/chat/completions", body | {"stream": True})

    assert COMMENT.decode().strip() in lines
    first_word = next(n for n, line in enumerate(lines) if line.startswith("data: "))
    assert any(line.startswith(":") for line in lines[first_word:])  # between words too


async def test_the_sdk_reads_a_kept_alive_stream_whole(brisk: Served) -> None:
    client = openai.AsyncOpenAI(base_url=brisk.url + "/v1", api_key=brisk.key, max_retries=0)
    try:
        stream = await client.chat.completions.create(
            model="mock/mock-2",
            messages=[{"role": "user", "content": "Hi"}],
            stream=True,
        )
        text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    finally:
        await client.close()
    assert text == mock_answer("Hi", "mock-2").text


async def test_chatdesks_own_stream_is_kept_alive_too(slow: Served) -> None:
    thread = await slow.core.service.create_thread()
    path = f"/api/v1/threads/{thread.id}/messages"
    lines = await _raw_lines(slow, path, {"content": QUESTION})

    assert COMMENT.decode().strip() in lines
    assert "event: stream_start" in lines


async def test_a_silent_source_gets_comments_and_its_failure_still_comes() -> None:
    async def source() -> AsyncIterator[bytes]:
        yield b"data: 1\n\n"
        await asyncio.sleep(0.2)
        raise RuntimeError("the model's server went away")

    got: list[bytes] = []

    async def read() -> None:
        async for chunk in kept_alive(source(), every=0.01):
            got.append(chunk)

    with pytest.raises(RuntimeError, match="went away"):
        await read()
    assert got[0] == b"data: 1\n\n"
    assert set(got[1:]) == {COMMENT}


async def test_a_reader_that_leaves_closes_the_source() -> None:
    closed = asyncio.Event()

    async def source() -> AsyncIterator[bytes]:
        try:
            while True:
                yield b"data: x\n\n"
                await asyncio.sleep(0.01)
        finally:
            closed.set()

    stream = kept_alive(source(), every=1.0)
    assert await anext(stream) == b"data: x\n\n"
    await stream.aclose()  # what the server does when its client goes away
    assert closed.is_set()
