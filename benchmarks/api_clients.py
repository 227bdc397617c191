"""Clients of the local API for benchmarks/api.py, in a process of their own so their work is
neither on the loop being measured nor counted as the API's:
`python -m benchmarks.api_clients URL KEY MODEL COUNT [first]`.

Streams COUNT chat completions at once through `/v1/chat/completions`, reads every chunk, and
prints one JSON line: how many finished and how many chunks came. With `first`: COUNT
completions one after another on one kept-alive connection, each read whole off the socket,
and prints the milliseconds from sending each to its first chunk with text.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import time

import httpx2 as httpx

PROMPT = "Explain how a hash table works, with a small Python example"


async def _one(client: httpx.AsyncClient, model: str) -> int:
    body = {"model": model, "stream": True, "messages": [{"role": "user", "content": PROMPT}]}
    chunks = 0
    async with client.stream("POST", "/v1/chat/completions", json=body) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                chunks += 1
    return chunks


def _firsts(url: str, key: str, model: str, count: int) -> None:
    """COUNT completions one after another on one kept-alive connection, timed from sending
    each to the first chunk with text. Read off the socket itself, so that the figure is the
    server's: an HTTP library's own reading costs ~5 ms a request here (httpx2's line reader),
    more than the budget measured."""
    host, _, port = url.removeprefix("http://").partition(":")
    body = json.dumps(
        {"model": model, "stream": True, "messages": [{"role": "user", "content": PROMPT}]}
    ).encode()
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port))) as connection:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _first(connection, head + body)  # warm: the connection and the route
        times = [_first(connection, head + body) for _ in range(count)]
    print(json.dumps(times))


def _first(connection: socket.socket, request: bytes) -> float:
    """Milliseconds to the first text of one streamed completion, read whole (its chunked
    body ends with an empty chunk after `[DONE]`)."""
    started, first, seen = time.perf_counter(), None, b""
    connection.sendall(request)
    while not (b"[DONE]" in seen and seen.endswith(b"\r\n0\r\n\r\n")):
        received = connection.recv(1 << 16)
        assert received, "the server closed the connection"
        seen += received
        if first is None and seen.count(b'"content":"') > seen.count(b'"content":""'):
            first = (time.perf_counter() - started) * 1000
    assert first is not None, "no text came"
    return first


async def _main(url: str, key: str, model: str, count: int) -> None:
    limits = httpx.Limits(max_connections=count)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=limits, timeout=120
    ) as client:
        chunks = await asyncio.gather(*(_one(client, model) for _ in range(count)))
    print(json.dumps({"finished": len(chunks), "chunks": sum(chunks)}))


if __name__ == "__main__":
    given = (sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
    if sys.argv[5:] == ["first"]:
        _firsts(*given)
    else:
        asyncio.run(_main(*given))
