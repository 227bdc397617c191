"""a research run behind the shown window: loop stall p99 < 16 ms (issue: the web).

In one process (benchmarks/window.py): a real core and a shown `MainWindow`. A research run
(`service.research.send`, the offline mock as the model at full speed) plans three searches,
runs them, reads the best pages they find (eight, two of each search and of one more for what
they leave open, of 30 found, quick: 10; ~60 KB articles from a SearXNG-shaped server on
127.0.0.1 in a process of its own, allowed by `[web] allow_private`) through the guarded fetch
and the reading child's trafilatura, then writes its report. Each
search, read and source is stored and announced as the window takes them (cards, sources). A
precise 5 ms QTimer records how late each tick comes meanwhile: p99 and max.

Target: p99 < 16 ms (a frame, docs/design.md §3). Baseline, same run: the same meter while the
window idles for as long as the run took.
"""

from __future__ import annotations

import asyncio
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from benchmarks.common import environment, running_core, serve_until_closed, server_process
from benchmarks.window import run_qt, shown_window, stalls_during, until
from chatdesk.core.kinds import Status
from chatdesk.core.service import ChatService
from chatdesk.core.views import MessageView

PARAGRAPH = (
    "<p>The council met on Tuesday about the footbridge over the river, its cost, its "
    "timetable and what the neighbours said at the meeting in the town hall. {n}</p>"
)


def run(workdir: Path, quick: bool) -> None:
    pages = 10 if quick else 30
    with server_process("benchmarks.research_stall", str(pages)) as port:
        web = {
            "CHATDESK_WEB_ENGINE": "searxng",
            "CHATDESK_WEB_SEARXNG_URL": f"http://127.0.0.1:{port}",
            "CHATDESK_WEB_ALLOW_PRIVATE": f"127.0.0.1:{port}",
            "CHATDESK_WEB_RESULTS": str(pages),
            "CHATDESK_WEB_RESEARCH_PAGES": str(pages),
        }
        with environment(**web):
            run_qt(lambda: _measure(workdir, pages))


async def _measure(workdir: Path, pages: int) -> None:
    async with running_core(workdir / "home") as core:
        service = core.service
        async with shown_window(core) as window:
            await until(lambda: not window.sidebar.model.loading)
            await asyncio.sleep(0.5)  # the window settles: its first paints are not counted
            answer, stalls = await stalls_during(_research(service))
    assert answer.status is Status.COMPLETE, answer.error_detail
    read = len(answer.sources)
    assert read, answer.content
    print(
        f"      ({len(answer.tool_calls)} searches and reads, {read} pages read, the report "
        f"written in {stalls.seconds:.1f} s behind the window; {stalls.ticks()})"
    )
    stalls.report("loop stall during a research run")


async def _research(service: ChatService) -> MessageView:
    turn = await service.research.send(None, "the footbridge over the river")
    return await service.wait_for_answer(turn.answer.id)


class _Web(BaseHTTPRequestHandler):
    """A SearXNG search that finds every page at /search, each page at /page/N."""

    pages = 0

    def do_GET(self) -> None:
        address = urlsplit(self.path)
        if address.path == "/search":
            query = parse_qs(address.query).get("q", [""])[0]
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            results = [
                {"title": f"Page {n} on {query}", "url": f"{base}/page/{n}", "content": "…"}
                for n in range(self.pages)
            ]
            body = json.dumps({"query": query, "results": results}).encode()
            kind = "application/json"
        else:
            n = address.path.rsplit("/", 1)[-1]
            paragraphs = "".join(PARAGRAPH.format(n=f"{n}.{p}") for p in range(300))
            body = (
                f"<html><head><title>Page {n}</title></head><body><main><article>"
                f"<h1>Page {n}</h1>{paragraphs}</article></main></body></html>"
            ).encode()
            kind = "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


def _serve(pages: int) -> None:
    _Web.pages = pages
    serve_until_closed(ThreadingHTTPServer(("127.0.0.1", 0), _Web))


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
