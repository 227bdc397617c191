"""a thread's WebSocket: how soon its clients read what the core announces.

- **Chunk to client**: from the core announcing an answer's first text (`AnswerTextAppended`,
  timed by a subscriber registered before the socket's) to a client on the thread, over a real
  socket on 127.0.0.1 and in this process, having read its `STREAM_CHUNK`: what the socket
  adds to what the window is given. Target: p50 < 3 ms, the allowance the API's first token
  has over the provider's. Beside it, the same hop for the question's `MESSAGE_CREATED`, which
  carries the whole stored message (informational).
- **Fan-out**: the same with 50 clients on the thread (quick: 10), until the last of them has
  read the chunk (informational: one subscription serves them all, each with its own outbox).
Each measurement sends in a new thread, so a thread's growing history weighs on none of them.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from benchmarks.common import INFO, Target, percentile, report, running_core
from chatdesk.api.options import ApiOptions
from chatdesk.api.server import ApiServer
from chatdesk.app import Core
from chatdesk.core.chat.events import AnswerTextAppended, Event, MessageAdded
from chatdesk.core.config import ApiSettings

KEY = "cdk-benchmark"
PROMPT = "Explain how a hash table works, with a small Python example"
P50 = Target("< 3 ms", 3.0)


def run(workdir: Path, quick: bool) -> None:
    asyncio.run(_measure(workdir / "sockets", 30 if quick else 200, 10 if quick else 50))


async def _measure(home: Path, runs: int, clients: int) -> None:
    async with running_core(home) as core:
        options = ApiOptions.of(ApiSettings(rate_limit=0), port=0)
        server = ApiServer(core, options, lambda: KEY)
        await server.start()
        try:
            await _hop(core, server.address, 1)  # warm: what answering and the route load
            one = [await _hop(core, server.address, 1) for _ in range(runs)]
            many = [await _hop(core, server.address, clients) for _ in range(max(5, runs // 4))]
        finally:
            await server.stop()
    chunk, created = [c for c, _ in one], [m for _, m in one]
    report("chunk, event to socket client, p50", statistics.median(chunk), None, "ms", P50)
    report("chunk, event to socket client, p95", percentile(chunk, 95), None, "ms", INFO)
    report("message created, event to client, p50", statistics.median(created), None, "ms", INFO)
    report(
        f"chunk, event to {clients} clients, p50",
        statistics.median([c for c, _ in many]),
        statistics.median(chunk),
        "ms",
        INFO,
        bare="1 client",
    )


async def _hop(core: Core, address: str, count: int) -> tuple[float, float]:
    """Milliseconds from the first text's event to the last client's chunk, and from the
    question's event to the last client's MESSAGE_CREATED."""
    thread = await core.service.create_thread()
    said: dict[str, float] = {}

    def heard(event: Event) -> None:
        if isinstance(event, MessageAdded) and "created" not in said:
            said["created"] = time.perf_counter()
        elif isinstance(event, AnswerTextAppended) and event.text and "chunk" not in said:
            said["chunk"] = time.perf_counter()

    unsubscribe = core.service.events.subscribe(heard)  # before the hub's: it is told first
    try:
        async with _joined(address, thread.id, count) as sockets:
            await core.service.send(thread.id, PROMPT)
            read = await asyncio.gather(*(_reads(socket) for socket in sockets))
    finally:
        unsubscribe()
    created = max(r[0] for r in read) - said["created"]
    chunk = max(r[1] for r in read) - said["chunk"]
    return chunk * 1000, created * 1000


async def _reads(socket: ClientConnection) -> tuple[float, float]:
    """When this client read the question and the answer's first chunk (then its end)."""
    await _until(socket, b'"MESSAGE_CREATED"')
    created = time.perf_counter()
    await _until(socket, b'"STREAM_CHUNK"')
    chunk = time.perf_counter()
    await _until(socket, b'"STREAM_END"')
    return created, chunk


@asynccontextmanager
async def _joined(
    address: str, thread_id: uuid.UUID, count: int
) -> AsyncIterator[list[ClientConnection]]:
    url = f"{address.replace('http', 'ws', 1)}/api/v1/threads/{thread_id}/ws"
    async with AsyncExitStack() as stack:
        sockets = [
            await stack.enter_async_context(connect(url, additional_headers={"x-api-key": KEY}))
            for _ in range(count)
        ]
        for socket in sockets:
            await _until(socket, b'"READY"')
        yield sockets


async def _until(socket: ClientConnection, kind: bytes) -> None:
    while kind not in await socket.recv(decode=False):
        pass
