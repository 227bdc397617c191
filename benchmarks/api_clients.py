"""Clients of the local API for benchmarks/api.py, in a process of their own so their work is
neither on the loop being measured nor counted as the API's:
`python -m benchmarks.api_clients URL KEY MODEL COUNT [first]`.

Streams COUNT chat completions at once through `/v1/chat/completions`, reads every chunk, and
prints one JSON line: how many finished and how many chunks came. With `first`: COUNT
completions one after another on one kept-alive connection, each read whole, and prints the
milliseconds from sending each to its first chunk with text.
"""

from __future__ import annotations

import asyncio
import json
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


async def _first(client: httpx.AsyncClient, model: str) -> float:
    body = {"model": model, "stream": True, "messages": [{"role": "user", "content": PROMPT}]}
    started, first = time.perf_counter(), None
    async with client.stream("POST", "/v1/chat/completions", json=body) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if first is None and '"content":"' in line and '"content":""' not in line:
                first = (time.perf_counter() - started) * 1000
    assert first is not None, "no text came"
    return first


async def _firsts(url: str, key: str, model: str, count: int) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as client:
        await _first(client, model)  # warm: the connection and the route
        times = [await _first(client, model) for _ in range(count)]
    print(json.dumps(times))


async def _main(url: str, key: str, model: str, count: int) -> None:
    limits = httpx.Limits(max_connections=count)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=limits, timeout=120
    ) as client:
        chunks = await asyncio.gather(*(_one(client, model) for _ in range(count)))
    print(json.dumps({"finished": len(chunks), "chunks": sum(chunks)}))


if __name__ == "__main__":
    mode = _firsts if sys.argv[5:] == ["first"] else _main
    asyncio.run(mode(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
