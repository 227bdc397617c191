"""Clients of the local API for benchmarks/api.py, in a process of their own so their work is
neither on the loop being measured nor counted as the API's:
`python -m benchmarks.api_clients URL KEY MODEL COUNT [first]`.

Streams COUNT chat completions at once through `/v1/chat/completions`, reads every chunk, and
prints one JSON line: how many finished and how many chunks came. It prints `ready` once
loaded and starts when it reads a line, so that its own start (its imports) is not measured
as the API's load. Each stream is read off its socket whole, as the first token's client
reads it: an HTTP library's line reader costs this process, on the same two cores as the
window, several times what the API spends on a stream.

With `first`: COUNT completions one after another on one kept-alive connection, each read
whole off the socket, and prints the milliseconds from sending each to its first chunk with
text.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import time

PROMPT = "Explain how a hash table works, with a small Python example"


async def _one(host: str, port: int, request: bytes) -> int:
    """One streamed completion on a connection of its own, read whole: its `data:` chunks
    (its chunked body ends with an empty chunk after `[DONE]`)."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    writer.write(request)
    seen = bytearray()
    while not seen.endswith(b"\r\n0\r\n\r\n"):
        received = await reader.read(1 << 16)
        assert received, "the server closed the connection"
        seen += received
    writer.close()
    head, _, body = bytes(seen).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), head
    return body.count(b"data: {")


def _request(url: str, key: str, model: str) -> tuple[str, int, bytes]:
    host, _, port = url.removeprefix("http://").partition(":")
    body = json.dumps(
        {"model": model, "stream": True, "messages": [{"role": "user", "content": PROMPT}]}
    ).encode()
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    return host, int(port), head + body


def _firsts(url: str, key: str, model: str, count: int) -> None:
    """COUNT completions one after another on one kept-alive connection, timed from sending
    each to the first chunk with text. Read off the socket itself, so that the figure is the
    server's: an HTTP library's own reading costs ~5 ms a request here (httpx2's line reader),
    more than the budget measured."""
    host, port, request = _request(url, key, model)
    with socket.create_connection((host, port)) as connection:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _first(connection, request)  # warm: the connection and the route
        times = [_first(connection, request) for _ in range(count)]
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
    host, port, request = _request(url, key, model)
    chunks = await asyncio.gather(*(_one(host, port, request) for _ in range(count)))
    print(json.dumps({"finished": len(chunks), "chunks": sum(chunks)}))


if __name__ == "__main__":
    given = (sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
    if sys.argv[5:] == ["first"]:
        _firsts(*given)
    else:
        print("ready", flush=True)
        sys.stdin.readline()
        asyncio.run(_main(*given))
