"""Reading a 10 MB MCP resource: chatdesk's path against the SDK's bare `read_resource` on the
same server.

A stdio MCP server written with the SDK (tests/core/mcp_server.py with
tests/core/mcp_parts/resources.py) gives a resource of N kilobytes. Measured in one run, turn
about, each way on a warm session of its own to the same server:

- a 10 MB text resource read into an attachment (`service.tools.resources.attach`: the hop to
  the tools thread, the read, the bound, the reading child, hashing and storing the bytes)
  against a bare `mcp.Client.read_resource` of the same URI (target: at most 1.3×);
- the same resource read by chatdesk up to its bytes (`resources.read`: the hop, the read, the
  bound) against the same bare read (shown, so the attachment's own share is seen);
- the attachment against chatdesk's own read up to the text (shown: what the reading child,
  hashing and storing add to the read);
- a 10 MB blob (base64 on the wire) read up to its bytes, the decoding included, against the
  bare read of the same URI, which leaves it base64 (shown).

chatdesk reads a stdio server's output with its own line reader
(chatdesk/core/tools/stdio_lines.py); the bare client has the SDK's, whose cost grows with the
square of a message's length, and most of the bare read's time is spent there.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from benchmarks.common import INFO, Target, report, running_core
from chatdesk.core.tools.servers import ServerConfig, Transport

SERVER = Path(__file__).parents[1] / "tests" / "core" / "mcp_server.py"
ARGS = ("-I", str(SERVER), "stdio")
ATTACHED = Target("≤ 1.3× bare", ratio=1.3)
Work = Callable[[], Awaitable[None]]


def run(workdir: Path, quick: bool) -> None:
    asyncio.run(_measure(workdir, 3 if quick else 10))


async def _measure(workdir: Path, runs: int) -> None:
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    text, blob = "text://10240", "blob://10240"  # 10 MB each
    async with running_core(workdir / "home") as core:
        resources = core.service.tools.resources
        config = ServerConfig(
            "bench", Transport.STDIO, command=sys.executable, args=ARGS, command_approved=True
        )
        await core.service.tools.add_server(config)
        parameters = StdioServerParameters(command=sys.executable, args=list(ARGS))
        async with Client(parameters) as client:

            async def bare(uri: str) -> None:
                await client.read_resource(uri, cache_mode="bypass")

            async def attach() -> None:
                [made] = await resources.attach("bench", text)
                assert made.size == 10 * 1024 * 1024, made.size

            async def read(uri: str) -> None:
                [content] = await resources.read("bench", uri)
                assert content.size == 10 * 1024 * 1024, content.size

            for uri in (text, blob):  # both sessions warm, the server's answers made once
                await bare(uri)
                await read(uri)
            await attach()
            attached, bare_text = await _turns(attach, lambda: bare(text), runs)
            read_text, bare_text2 = await _turns(lambda: read(text), lambda: bare(text), runs)
            read_blob, bare_blob = await _turns(lambda: read(blob), lambda: bare(blob), runs)
    print(f"      ({runs} reads each way, turn about, on two sessions to one stdio server)")
    report("10 MB text resource → attachment", attached, bare_text, "ms", ATTACHED, bare="bare")
    report("10 MB text resource, read to text", read_text, bare_text2, "ms", INFO, bare="bare")
    report("  the attachment ÷ chatdesk's read", attached, read_text, "ms", INFO, bare="read")
    report("10 MB blob resource, read to bytes", read_blob, bare_blob, "ms", INFO, bare="bare")


async def _turns(chatdesk: Work, bare: Work, runs: int) -> tuple[float, float]:
    """Medians (ms) of `chatdesk()` and `bare()`, called turn about."""
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        for work, kept in ((chatdesk, mine), (bare, theirs)):
            start = time.perf_counter()
            await work()
            kept.append((time.perf_counter() - start) * 1000)
    return statistics.median(mine), statistics.median(theirs)
