"""the web's guarded fetch against a server on 127.0.0.1 (chatdesk/core/web/fetch.py).

- **One page**: a 150 KB page read through `Fetcher.get` (the address checked, the connection
  pinned, a client per request, the body counted against the size limit), p50 of 200 (quick:
  40). Baseline, same run and server: a bare httpx2 client's `get` of the same page, as a
  plain program reads it. Target ≤ 1.5× bare: the guard's cost beside one connection's.
- **Ten in parallel**: ten pages the server answers after 100 ms each, read at once through
  one `Fetcher` (`asyncio.gather`), their wall time beside the slowest of the same ten read
  one by one (issue 46: ≤ 1.5×): reading a page holds no lock and blocks no other.
- **Loop stall**: how late a 5 ms tick of the event loop comes while 300 of those pages (quick:
  50) are read ten at a time through one `Fetcher`, p99. Baseline: the same pages read the
  same way by the bare httpx2 client. Target ≤ 1.5× bare (not guarded): the guard adds no
  blocking of its own to what reading pages over HTTP costs the loop (decoding the responses;
  the trust store is loaded off the loop).
The server runs in a process of its own, answers each request on a thread of its own and
closes each connection, so both sides connect for every page.
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks.common import percentile, ratio_target, report, serve_until_closed, server_process
from chatdesk.core.settings_outside import WebSettings
from chatdesk.core.web.fetch import Fetcher

PAGE = (b"<p>" + b"All work and no play makes a page. " * 40 + b"</p>\n") * 100  # ~150 KB
SLOW_MS = 100  # how long the server takes over each page of the parallel read
ONE = ratio_target(1.5, "bare httpx")
PARALLEL = ratio_target(1.5, "slowest one")
# Not guarded: a p99 of ticks moves much with what else the machine runs.
STALL = ratio_target(1.5, "bare httpx", guarded=False)
TICK = 0.005


def run(workdir: Path, quick: bool) -> None:
    asyncio.run(_measure(40 if quick else 200))
    asyncio.run(_stall(50 if quick else 300))


@asynccontextmanager
async def _readers() -> AsyncIterator[tuple[Fetcher, Any, str]]:
    """The guarded fetch and a bare client, both warm (the trust store, the imports), and the
    page server's address."""
    import httpx2

    with server_process("benchmarks.web_fetch") as port:
        settings = dataclasses.replace(WebSettings(), allow_private=f"127.0.0.1:{port}")
        fetcher = Fetcher(settings)
        origin = f"http://127.0.0.1:{port}"
        async with httpx2.AsyncClient(trust_env=False) as bare:
            await fetcher.get(f"{origin}/page")
            await bare.get(f"{origin}/page")
            yield fetcher, bare, origin


async def _measure(runs: int) -> None:
    async with _readers() as (fetcher, bare, origin):
        url = f"{origin}/page"
        guarded = [await _timed(fetcher.get(url)) for _ in range(runs)]
        plain = [await _timed(bare.get(url)) for _ in range(runs)]
        slow = [f"{origin}/slow/{n}" for n in range(10)]
        alone = [await _timed(fetcher.get(address)) for address in slow]
        start = time.perf_counter()
        pages = await asyncio.gather(*(fetcher.get(address) for address in slow))
        together = (time.perf_counter() - start) * 1000
    assert all(len(page.body) == len(PAGE) for page in pages)
    report(
        "a 150 KB page through the guard, p50",
        statistics.median(guarded),
        statistics.median(plain),
        "ms",
        ONE,
        bare="bare httpx",
    )
    report("ten slow pages at once, wall", together, max(alone), "ms", PARALLEL, bare="slowest one")


async def _stall(pages: int) -> None:
    async with _readers() as (fetcher, bare, origin):
        url = f"{origin}/page"
        late, seconds = await _reading(lambda: fetcher.get(url), pages)
        plain, _ = await _reading(lambda: bare.get(url), pages)
    print(
        f"      ({pages} pages in {seconds:.2f} s; {len(late)} ticks of {TICK * 1000:g} ms; "
        f"bare: {len(plain)} ticks)"
    )
    report(
        "loop stall while reading pages, p99",
        percentile(late, 99),
        percentile(plain, 99),
        "ms",
        STALL,
        bare="bare httpx",
    )


async def _reading(read: Callable[[], Awaitable[object]], pages: int) -> tuple[list[float], float]:
    """How late each tick came while `pages` were read ten at a time, and the seconds it took."""
    start = time.perf_counter()
    async with _ticking() as late:
        for _ in range(pages // 10):
            await asyncio.gather(*(read() for _ in range(10)))
    return late, time.perf_counter() - start


@asynccontextmanager
async def _ticking() -> AsyncIterator[list[float]]:
    """Milliseconds each tick of TICK came late, while the block runs."""
    late: list[float] = []
    running = True

    async def tick() -> None:
        while running:
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            late.append((time.perf_counter() - before - TICK) * 1000)

    ticker = asyncio.ensure_future(tick())
    try:
        yield late
    finally:
        running = False
        await ticker


async def _timed(request: Any) -> float:
    start = time.perf_counter()
    await request
    return (time.perf_counter() - start) * 1000


class _Pages(BaseHTTPRequestHandler):
    """The same page at every address; under /slow/ after SLOW_MS."""

    def do_GET(self) -> None:
        if self.path.startswith("/slow/"):
            threading.Event().wait(SLOW_MS / 1000)  # the server's own pace
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: Any) -> None:
        return None


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # ten connections at once never wait for a SYN to be sent again


def _serve() -> None:
    serve_until_closed(_Server(("127.0.0.1", 0), _Pages))


if __name__ == "__main__":
    _serve()
