"""the local API: its first streamed token, many clients beside the window, its start.

- **First token** through `POST /v1/chat/completions` (`stream: true`, over a real socket on
  127.0.0.1, one kept-alive connection, from a client in a process of its own that reads the
  socket itself: an HTTP library's reading would add its own ~5 ms, more than the budget):
  from sending the request to the first chunk with text. Baseline, same run: the mock provider
  itself called in-process, from the request to its first text. The API's overhead (p50 of each,
  subtracted) must stay ≤ 3 ms. Shown beside it: the same client reading a bare Starlette app
  under uvicorn that streams at once, the floor under any HTTP API on this machine.
- **50 clients streaming at once** (quick: 20) from a process of their own, the API served by
  the shown window's own event loop, the mock paced at 500 tokens/s: the loop's stall p99 while
  they stream < 16 ms (a frame, docs/design.md §3), over 5 rounds of the 50 streams (a round
  lasts about a second: ~200 ticks, whose p99 alone would be its worst tick or two, a single
  preemption by the system on a busy machine). The meter starts once that process has
  loaded (its imports are not the API's work), and it reads each stream off its socket (an
  HTTP library's reading would take the window's cores from it several times over). Baseline:
  the same meter with the window idle for as long after each round.
- **Start**: `ApiServer.start()` in a fresh interpreter once its modules are loaded: < 100 ms.
  The load itself (FastAPI and Pydantic: a few hundred ms) happens when the API is switched on,
  off the GUI thread, and is shown beside it. Baseline: the same for a bare Starlette app under
  uvicorn.
Start-up and memory with the API off are the `startup` and `memory` benchmarks' (the window
imports nothing of the API while it is off; tests/ui/test_startup.py holds that).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

from benchmarks.common import INFO, Target, over_bare_target, percentile, report, running_core
from benchmarks.window import TICK_MS, StallMeter, run_qt, shown_window, until
from chatdesk.api.options import ApiOptions
from chatdesk.api.server import ApiServer, _bind, _Server
from chatdesk.app import Core
from chatdesk.core.config import ApiSettings
from chatdesk.core.providers.base import ChatMessage, ChatRequest, TextDelta

KEY = "cdk-benchmark"
PROMPT = "Explain how a hash table works, with a small Python example"
FIRST_TOKEN = over_bare_target(3.0, "ms")
P99 = Target("< 16 ms", 16.0)
ROUNDS = 5  # of the many clients' streams, their ticks pooled
START = Target("< 100 ms", 100.0)
IDLE = "idle window"
ROOT = Path(__file__).resolve().parents[1]


def run(workdir: Path, quick: bool) -> None:
    asyncio.run(_first_token(workdir / "first", 30 if quick else 200))
    run_qt(lambda: _many_clients(workdir / "many", 20 if quick else 50))
    _start(5 if quick else 11)


async def _first_token(home: Path, runs: int) -> None:
    async with running_core(home) as core:
        server = ApiServer(core, ApiOptions.of(ApiSettings(rate_limit=0), port=0), lambda: KEY)
        await server.start()
        try:
            bare = [await _provider_first(core) for _ in range(runs)]
            api: list[float] = json.loads(
                await _clients(server.address, _model(core), runs, "first")
            )
        finally:
            await server.stop()
    floor = await _bare_http_first(runs)
    report(
        "first token through the API, p50",
        statistics.median(api),
        statistics.median(bare),
        "ms",
        FIRST_TOKEN,
        bare="provider in-process",
    )
    report(
        "first token through the API, p95",
        percentile(api, 95),
        percentile(bare, 95),
        "ms",
        INFO,
        bare="provider in-process",
    )
    report(
        "first token, beside bare HTTP streaming, p50",
        statistics.median(api),
        statistics.median(floor),
        "ms",
        INFO,
        bare="bare uvicorn SSE",
    )


async def _bare_http_first(runs: int) -> list[float]:
    """The floor under any HTTP API here: a bare Starlette app under uvicorn that streams
    chunks of the same shape at once (no key, no core, no model), read by the same client."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import StreamingResponse
    from starlette.routing import Route

    async def chunks() -> AsyncIterator[bytes]:
        yield b'data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n'
        for _ in range(270):  # about the mock's answer
            yield b'data: {"choices":[{"delta":{"content":"token"}}]}\n\n'
        yield b"data: [DONE]\n\n"

    async def completions(request: Request) -> StreamingResponse:
        await request.body()
        return StreamingResponse(chunks(), media_type="text/event-stream")

    app = Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])
    listening = _bind("127.0.0.1", 0)  # as the API binds: TCP_NODELAY on what it accepts
    config = uvicorn.Config(app, log_config=None, lifespan="off", http="h11")
    server = _Server(config, own_signals=False)  # uvicorn's own, with an event once it serves
    serving = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        await server.ready.wait()
        port = listening.getsockname()[1]
        times: list[float] = json.loads(
            await _clients(f"http://127.0.0.1:{port}", "bare", runs, "first")
        )
    finally:
        server.should_exit = True
        await serving
        listening.close()
    return times


def _model(core: Core) -> str:
    provider, model = core.service.known_models()[0]
    return f"{provider}/{model}"


async def _provider_first(core: Core) -> float:
    provider, model = core.service.known_models()[0]
    request = ChatRequest(model=model, messages=(ChatMessage("user", PROMPT),))
    started = time.perf_counter()
    stream = core.insides.providers.get(provider).stream(request)
    try:
        async for event in stream:
            if isinstance(event, TextDelta) and event.text:
                return (time.perf_counter() - started) * 1000
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    raise AssertionError("the mock gave no text")


async def _many_clients(home: Path, count: int) -> None:
    async with running_core(home, tokens_per_second=500) as core, shown_window(core) as window:
        await until(lambda: not window.sidebar.model.loading)
        await asyncio.sleep(0.5)  # the window settles: its first paints are not counted
        options = ApiOptions.of(ApiSettings(rate_limit=0), port=0)
        server = ApiServer(core, options, lambda: KEY)
        await asyncio.to_thread(server.warm)  # off the loop, as the window does
        await server.start()
        stalls, quiet, chunks, seconds = [], [], 0, 0.0
        try:
            for _ in range(ROUNDS):  # a round is a second: its p99 alone is its worst tick or two
                clients = await _loaded_clients(server.address, _model(core), count)
                meter = StallMeter()
                meter.start()
                started = time.perf_counter()
                outcome = json.loads(await _run(clients))
                took = time.perf_counter() - started
                stalls += meter.stop()
                assert outcome["finished"] == count, outcome
                chunks, seconds = chunks + outcome["chunks"], seconds + took
                idle = StallMeter()  # the same window idle for as long, turn about
                idle.start()
                await asyncio.sleep(took)
                quiet += idle.stop()
        finally:
            await server.stop()
    print(
        f"      ({count} clients, {ROUNDS} rounds, {chunks} chunks in {seconds:.1f} s; "
        f"{len(stalls)} ticks of {TICK_MS} ms; idle: {len(quiet)} ticks)"
    )
    report(
        f"loop stall, {count} clients streaming, p99",
        percentile(stalls, 99),
        percentile(quiet, 99),
        "ms",
        P99,
        bare=IDLE,
    )
    report(
        f"loop stall, {count} clients streaming, max",
        max(stalls),
        max(quiet),
        "ms",
        INFO,
        bare=IDLE,
    )


async def _loaded_clients(url: str, model: str, count: int) -> asyncio.subprocess.Process:
    """The clients' process once it has loaded (its start is not the API's work); it starts
    its streams when `_run` tells it to."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.api_clients",
        url,
        KEY,
        model,
        str(count),
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    assert await process.stdout.readline() == b"ready\n"
    return process


async def _run(process: asyncio.subprocess.Process) -> str:
    out, _ = await process.communicate(b"go\n")
    assert process.returncode == 0, out
    return out.decode()


async def _clients(url: str, model: str, count: int, *mode: str) -> str:
    """What benchmarks/api_clients.py printed, run in a process of its own."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.api_clients",
        url,
        KEY,
        model,
        str(count),
        *mode,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0, out
    return out.decode()


_STARTS = {
    "chatdesk": """
import asyncio, time
started = time.perf_counter()
from chatdesk.api.options import ApiOptions
from chatdesk.api.server import ApiServer, load
from chatdesk.core.config import ApiSettings
load()
server = ApiServer(None, ApiOptions.of(ApiSettings(), port=0), lambda: "k")
server.warm()
imported = time.perf_counter()
async def main():
    await server.start()
    print((imported - started) * 1000, (time.perf_counter() - imported) * 1000)
    await server.stop()
asyncio.run(main())
""",
    "bare": """
import asyncio, time
started = time.perf_counter()
import uvicorn
import uvicorn.lifespan.off, uvicorn.protocols.http.h11_impl
from starlette.applications import Starlette
imported = time.perf_counter()
async def main():
    config = uvicorn.Config(Starlette(), port=0, log_config=None, lifespan="off", http="h11")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.001)
    print((imported - started) * 1000, (time.perf_counter() - imported) * 1000)
    server.should_exit = True
    await task
asyncio.run(main())
""",
}


def _start(runs: int) -> None:
    samples = {name: [_timed_start(code) for _ in range(runs)] for name, code in _STARTS.items()}
    imports = {name: statistics.median(s[0] for s in runs_) for name, runs_ in samples.items()}
    starts = {name: statistics.median(s[1] for s in runs_) for name, runs_ in samples.items()}
    report(
        "API start once loaded",
        starts["chatdesk"],
        starts["bare"],
        "ms",
        START,
        bare="bare uvicorn",
    )
    report(
        "API load (its imports, off the GUI thread)",
        imports["chatdesk"],
        imports["bare"],
        "ms",
        INFO,
        bare="bare uvicorn",
    )


def _timed_start(code: str) -> tuple[float, float]:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded, started = done.stdout.strip().splitlines()[-1].split()
    return float(loaded), float(started)
