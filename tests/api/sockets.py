"""Talking to a thread's WebSocket in tests: a real `websockets` client over a real socket."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from tests.api.conftest import Served
from tests.core.providers import ScriptedProvider


def socket_url(served: Served, thread_id: uuid.UUID | str) -> str:
    return f"ws://127.0.0.1:{served.port}/api/v1/threads/{thread_id}/ws"


@asynccontextmanager
async def joined(
    served: Served, thread_id: uuid.UUID, headers: dict[str, str] | None = None
) -> AsyncIterator[ClientConnection]:
    """A client on the thread, its key in the upgrade's headers, past its READY frame."""
    async with connect(
        socket_url(served, thread_id), additional_headers=headers or served.headers
    ) as socket:
        ready = await receive(socket)
        assert ready["type"] == "READY", ready
        yield socket


async def send(socket: ClientConnection, kind: str, **fields: Any) -> None:
    await socket.send(json.dumps({"type": kind, **fields}))


async def receive(socket: ClientConnection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await socket.recv())
    return frame


async def until(socket: ClientConnection, kind: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The next frame of `kind`, and the frames that came before it."""
    before: list[dict[str, Any]] = []
    while (frame := await receive(socket))["type"] != kind:
        before.append(frame)
    return frame, before


async def answer_text(socket: ClientConnection, answer_id: str) -> tuple[str, dict[str, Any]]:
    """The answer's text as its chunks brought it, and its STREAM_END frame."""
    pieces: list[str] = []
    while (frame := await receive(socket))["type"] != "STREAM_END":
        if frame["type"] == "STREAM_CHUNK" and frame["message_id"] == answer_id:
            pieces.append(frame["delta"])
    assert frame["message_id"] == answer_id
    return "".join(pieces), frame


def held_provider(served: Served, tokens: list[str], hold_after: int) -> ScriptedProvider:
    """The core's "mock" provider replaced by one that holds each answer after `hold_after`
    tokens until its gate is set: an answer that is surely still being written."""
    provider = ScriptedProvider(tokens, hold_after=hold_after)
    provider.name = "mock"
    served.core.insides.providers.put(provider)
    return provider
