"""cold start to an interactive window, 1,000 threads / 100,000 messages (< 1.0 s, < 2× bare).

A fresh Python process per run (`python -m benchmarks.probe chatdesk`) runs the real entry point,
`chatdesk.cli.main([])` (what the `chatdesk` command calls), offscreen, on a database seeded once
with 1,000 threads of 100 messages (quick: 200 of 100). Measured: from just before the parent
starts the process (`time.time()`) to the moment the window is interactive: shown, the
sidebar's first page of threads painted, then one more turn of the Qt and asyncio loops.
The window is then closed like a user would close it (not timed, but it must exit with 0).

Baseline, same run, same method, runs alternating: a process that imports PySide6 and shows an
empty QMainWindow (`python -m benchmarks.probe bare`) until its first paint and one more turn
of the loop. One warm-up run of each is not counted: the page cache is warm for both, so
"cold" means a new process, not a cold disk. Median of 5 runs (quick: 3).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from benchmarks.common import BATCH, Target, chain, insert_rows, report, running_core
from benchmarks.probe import PREFIX
from chatdesk.app import Core
from chatdesk.core.store.models import Thread

STARTUP = Target("< 1000 ms", 1000.0)
VERSUS_BARE = Target("< 2× bare", 2.0)
BARE = "bare window"
ROOT = Path(__file__).resolve().parent.parent
TIMES = ("main", "imported", "shown", "sidebar_rows", "painted", "interactive", "formatted", "done")
PHASES = (  # (mark, what it ends) for the breakdown line
    ("imported", "python + imports"),
    ("shown", "core + window built"),
    ("sidebar_rows", "sidebar page read"),
    ("painted", "painted"),
    ("interactive", "loops turned"),
)


def run(workdir: Path, quick: bool) -> None:
    threads, per_thread = (200, 100) if quick else (1_000, 100)
    home = workdir / "home"
    started = time.perf_counter()
    asyncio.run(seed_threads(home, threads, per_thread))
    print(
        f"      ({threads:,} threads × {per_thread} messages seeded in "
        f"{time.perf_counter() - started:.1f} s; a fresh process per run)"
    )
    runs = 3 if quick else 5
    chat: list[dict[str, Any]] = []
    bare: list[dict[str, Any]] = []
    for number in range(runs + 1):  # run 0 warms the page cache for both, not counted
        pair = [("chatdesk", chat), ("bare", bare)]
        for kind, samples in pair if number % 2 else reversed(pair):
            marks = probe(kind, home)
            if number:
                samples.append(marks)
    _report(chat, bare)


def _report(chat: list[dict[str, Any]], bare: list[dict[str, Any]]) -> None:
    chat_ms = statistics.median(m["interactive_ms"] for m in chat)
    bare_ms = statistics.median(m["interactive_ms"] for m in bare)
    phases, previous = [], "spawn"
    for mark, label in PHASES:
        step = statistics.median(m[f"{mark}_ms"] - m[f"{previous}_ms"] for m in chat)
        phases.append(f"{label} {step:.0f}")
        previous = mark
    print(f"      (chatdesk, median ms per step: {', '.join(phases)})")
    exits = statistics.median(m["done_ms"] - m["interactive_ms"] for m in chat)
    threads = chat[0]["sidebar_threads"]
    print(f"      (sidebar first page: {threads} threads; closing took {exits:.0f} ms more)")
    report("start → interactive window, median", chat_ms, bare_ms, "ms", STARTUP, bare=BARE)
    report("start-up ÷ bare window start-up", chat_ms / bare_ms, None, "×", VERSUS_BARE)


def probe(kind: str, home: Path, *arguments: str) -> dict[str, Any]:
    """Run `benchmarks.probe` in a new process; its marks in ms since just before it started."""
    environment = dict(
        os.environ,
        CHATDESK_HOME=str(home),
        CHATDESK_MOCK_TOKENS_PER_SECOND="0",
        QT_QPA_PLATFORM="offscreen",
    )
    command = [sys.executable, "-m", "benchmarks.probe", kind, *arguments]
    spawned = time.time()
    done = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=180
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(PREFIX)]
    if done.returncode or not lines:
        raise RuntimeError(f"{' '.join(command[1:])} failed ({done.returncode}):\n{done.stderr}")
    marks: dict[str, Any] = json.loads(lines[-1][len(PREFIX) :])
    if marks.get("timeout") or marks.get("exit_code"):
        raise RuntimeError(f"{kind} probe did not finish: {marks}\n{done.stderr}")
    marks["spawn_ms"] = 0.0
    for name in TIMES:
        if name in marks:
            marks[f"{name}_ms"] = (marks[name] - spawned) * 1000
    return marks


# -- seeding -------------------------------------------------------------------------------------


async def seed_threads(home: Path, threads: int, per_thread: int) -> list[uuid.UUID]:
    """`threads` threads of `per_thread` messages each, their last activity spread over the past
    two years (so the sidebar shows its date groups), newest first in the returned list."""
    async with running_core(home) as core:
        ids = []
        for number in range(threads):
            thread = await core.service.create_thread(title=f"Thread {number}: a question")
            ids.append(thread.id)
        batch: list[dict[str, Any]] = []
        leaves: dict[uuid.UUID, uuid.UUID] = {}
        for thread_id in ids:
            for rows in chain(thread_id, per_thread):
                batch.extend(rows)
                leaves[thread_id] = rows[-1]["id"]
            if len(batch) >= BATCH:
                insert_rows(core, batch)
                batch = []
        if batch:
            insert_rows(core, batch)
        _set_leaves(core, leaves, per_thread)
    return ids


def _set_leaves(core: Core, leaves: dict[uuid.UUID, uuid.UUID], count: int) -> None:
    now = datetime.now(UTC)

    def work(session: Any) -> None:
        for age, (thread_id, leaf) in enumerate(leaves.items()):
            active = now - timedelta(hours=17 * age)
            session.execute(
                update(Thread)
                .where(Thread.id == thread_id)
                .values(active_leaf_id=leaf, message_count=count, last_activity_at=active)
            )

    core.store.write_now(work)
