"""MCP tool calls: chatdesk's path against the SDK's bare session on the same server.

A stdio MCP server written with the SDK (tests/core/mcp_server.py) answers `add`. Measured in
one run, turn about:

- a warm call through chatdesk (`Toolbox.run`: the hop to the tools thread, the time and size
  bounds, the result as text) against a bare `mcp.Client.call_tool` on a session of its own to
  the same server (target: at most 1.2× plus 2 ms);
- the same call made the way some clients do it, starting the server for every call (shown);
- the first call to a cold server: start, handshake, list, call (shown);
- ten servers configured but unused: building the tools (reading the file, no server started)
  against none configured; nothing may start until a server is used.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.common import INFO, Target, percentile, report, spread
from chatdesk.core.assembly import tools_in
from chatdesk.core.config import Settings
from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.core.tools.service import Tools

SERVER = Path(__file__).parents[1] / "tests" / "core" / "mcp_server.py"
ARGS = ("-I", str(SERVER), "stdio")
# chatdesk ÷ (1.2 × bare + 2 ms): a ratio to a baseline of the same run, so the guard checks it
WARM = Target("≤ 1 (budget)", ratio=1.0)
UNUSED = Target("nothing started", limit=0.5)


def run(workdir: Path, quick: bool) -> None:
    asyncio.run(_measure(workdir, 30 if quick else 200, 3 if quick else 10))


async def _measure(workdir: Path, calls: int, spawned: int) -> None:
    chat, bare = await _warm(workdir / "warm", calls)
    p50, bare50 = percentile(chat, 50), percentile(bare, 50)
    print(f"      ({calls} calls of `add` each way, turn about, on two sessions to one server)")
    report("warm call, p50", p50, bare50, "ms", INFO, bare="bare mcp.Client")
    report("warm call, p95", percentile(chat, 95), percentile(bare, 95), "ms", INFO, bare="bare")
    budget = 1.2 * bare50 + 2.0
    # the guard's noise: the bare p50's spread, as a share of the budget it is part of
    noise = spread(bare, 50) * 1.2 * bare50 / budget
    name = "warm call ÷ (1.2× bare + 2 ms), p50"
    report(name, p50 / budget, 1.0, "×", WARM, bare="budget", noise=noise)
    per_call = await _spawned_each_time(spawned)
    report(
        "a server started per call", statistics.median(per_call), p50, "ms", INFO, bare="chatdesk"
    )
    cold = await _cold(workdir / "cold")
    report("first call to a cold server", cold, bare50, "ms", INFO, bare="a warm bare call")
    ten, none, started = await _unused(workdir / "unused")
    report("ten servers configured, unused: build", ten, none, "ms", INFO, bare="none configured")
    report("ten servers unused: threads or processes started", started, None, "", UNUSED)


def _config(name: str = "bench") -> ServerConfig:
    return ServerConfig(
        name, Transport.STDIO, command=sys.executable, args=ARGS, command_approved=True
    )


def _tools(folder: Path) -> Tools:
    settings = Settings()
    return tools_in(lambda: settings, folder, log_dir=folder / "logs")


async def _warm(folder: Path, calls: int) -> tuple[list[float], list[float]]:
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    tools = _tools(folder)
    await tools.add_server(_config())
    try:
        add = next(t for t in await tools.test_server("bench") if t.name == "add")
        parameters = StdioServerParameters(command=sys.executable, args=list(ARGS))
        async with Client(parameters) as client:
            await client.call_tool("add", {"a": 1, "b": 2})  # both sessions warm
            await tools.box.run(add, {"a": 1, "b": 2}, seconds=30, max_chars=100_000)
            chat, bare = [], []
            for number in range(calls):
                arguments = {"a": number, "b": 2}
                start = time.perf_counter()
                outcome = await tools.box.run(add, arguments, seconds=30, max_chars=100_000)
                chat.append((time.perf_counter() - start) * 1000)
                assert outcome.text == str(number + 2), outcome.text
                start = time.perf_counter()
                await client.call_tool("add", arguments)
                bare.append((time.perf_counter() - start) * 1000)
    finally:
        await tools.aclose()
    return chat, bare


async def _spawned_each_time(count: int) -> list[float]:
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    parameters = StdioServerParameters(command=sys.executable, args=list(ARGS))
    times = []
    for number in range(count):
        start = time.perf_counter()
        async with Client(parameters) as client:
            await client.call_tool("add", {"a": number, "b": 2})
        times.append((time.perf_counter() - start) * 1000)
    return times


async def _cold(folder: Path) -> float:
    tools = _tools(folder)
    await tools.add_server(_config())
    try:
        start = time.perf_counter()
        add = next(t for t in await tools.test_server("bench") if t.name == "add")
        await tools.box.run(add, {"a": 1, "b": 2}, seconds=30, max_chars=100_000)
        return (time.perf_counter() - start) * 1000
    finally:
        await tools.aclose()


async def _unused(folder: Path) -> tuple[float, float, float]:
    """(ms to build the tools with ten servers, ms with none, threads started meanwhile)."""
    made = _tools(folder)
    for number in range(10):
        await made.add_server(_config(f"server{number}"))
    await made.aclose()
    threads = threading.active_count()
    ten = statistics.median(_timed(lambda: _tools(folder)) for _ in range(20))
    empty = folder / "none"
    none = statistics.median(_timed(lambda: _tools(empty)) for _ in range(20))
    tools = _tools(folder)
    started = threading.active_count() - threads + (1 if tools.loop.started else 0)
    return ten, none, float(started)


def _timed(work: Any) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000
