"""resident memory with a 10,000-message thread open (target ≤ a bare window's + 120 MB).

A fresh process per run, the real entry point (`python -m benchmarks.probe chatdesk THREAD_ID`,
which runs `chatdesk.cli.main([])`, offscreen) on a database holding one 10,000-message thread
among 20 small ones. Once the window is interactive it opens the thread as a click in the
sidebar does (`show_thread`), waits until every message widget holds its formatted text, lets
0.5 s pass, and reads the resident set size (psutil) of the process and of its children: the
render worker, which formats messages in its own process (docs/decisions/0004-rendering.md)
and so counts too.

Baseline, same run, runs alternating: the RSS of a process showing an empty QMainWindow, read
the same way once it is interactive (`python -m benchmarks.probe bare memory`). Median of 3 runs
(quick: 1).
"""

from __future__ import annotations

import asyncio
import statistics
import uuid
from pathlib import Path
from typing import Any

from benchmarks.common import INFO, Target, report, running_core
from benchmarks.startup import probe
from benchmarks.window import fill_thread

MB = 1024 * 1024
ALLOWANCE_MB = 120
BARE = "bare window"


def run(workdir: Path, quick: bool) -> None:
    home = workdir / "home"
    thread_id = asyncio.run(_seed(home))
    chat: list[dict[str, Any]] = []
    bare: list[dict[str, Any]] = []
    for number in range(1 if quick else 3):
        pair = [(chat, ("chatdesk", str(thread_id))), (bare, ("bare", "memory"))]
        for samples, (kind, argument) in pair if number % 2 else reversed(pair):
            samples.append(probe(kind, home, argument))
    first = chat[0]
    children = ", ".join(f"{name} {rss / MB:.0f} MB" for name, rss in first["children"].items())
    before = first["before_open"]
    print(
        f"      (first run: {first['widgets']} message widgets formatted; children: {children}; "
        f"before the thread was opened: window process {before['rss'] / MB:.0f} MB, "
        f"children {before['children_rss'] / MB:.0f} MB)"
    )
    bare_mb = statistics.median(m["rss"] + m["children_rss"] for m in bare) / MB
    total_mb = statistics.median(m["rss"] + m["children_rss"] for m in chat) / MB
    window_mb = statistics.median(m["rss"] for m in chat) / MB
    worker_mb = statistics.median(m["children_rss"] for m in chat) / MB
    target = Target(f"< bare + {ALLOWANCE_MB} MB", bare_mb + ALLOWANCE_MB)
    report("RSS 10,000-message thread open, all", total_mb, bare_mb, "MB", target, bare=BARE)
    report("RSS of the window process alone", window_mb, bare_mb, "MB", INFO, bare=BARE)
    report("RSS of its children (render worker …)", worker_mb, None, "MB", INFO)


async def _seed(home: Path) -> uuid.UUID:
    async with running_core(home) as core:
        for number in range(20):
            await fill_thread(core, 20, f"small thread {number}")
        return await fill_thread(core, 10_000, "10,000 messages")
