"""What the watch of other processes' writes costs a running core (chatdesk/core/chat/outside.py,
decision 0041), on a database of 5,000 threads (quick: 500) and 100,000 messages (quick:
10,000).

(a) One turn of `OutsideWatch.poll` when nothing changed: `PRAGMA data_version` on the watch's
own connection, on a reader thread, awaited from the loop; 2,000 turns (quick: 300), p50 and
p95. Baseline: the bare `PRAGMA data_version` on a sqlite3 connection, called in place.

(b) A turn after this process wrote (a thread renamed: data_version moves, the threads and
messages changed since are read, and all of them left out as this process's own), 200 turns
(quick: 50), informational. Baseline: the same rename's rows read by bare sqlite3
(`SELECT … FROM threads WHERE updated_at > ?`).

(c) What noting this process's own writes costs them: `service.send` until durable, 100 times
(quick: 20) with the watch begun and 100 without, in turns of 10 (each first in half of
them), p50, informational.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert

from benchmarks.common import (
    INFO,
    Target,
    chain,
    insert_rows,
    raw_connect,
    report_latency,
    set_leaf,
)
from benchmarks.common import running_core as core_in
from chatdesk.core.chat.outside import OutsideWatch
from chatdesk.core.ids import new_id
from chatdesk.core.store.models import Thread

IDLE = Target("p50 < 1 ms", 1.0)  # a turn every 0.5 s: under 0.2 % of one core
THREADS = cast(Table, Thread.__table__)


def run(workdir: Path, quick: bool) -> None:
    asyncio.run(_measure(workdir, quick))


async def _measure(workdir: Path, quick: bool) -> None:
    threads, messages = (500, 10_000) if quick else (5_000, 100_000)
    idle_turns, written_turns = (300, 50) if quick else (2_000, 200)
    async with core_in(workdir / "home") as core:
        first = _seed(core, threads, messages)
        talk = await core.service.create_thread(title="sends")
        watch = OutsideWatch(core.insides.store, core.service.events)
        unwatched, watched = [], []
        for turn in range(2 if quick else 10):  # in turns, each first in half of them
            if turn % 2:
                unwatched += await _sends(core, talk.id, 10)
            await watch.begin()
            watched += await _sends(core, talk.id, 10)
            await watch.aclose()
            if not turn % 2:
                unwatched += await _sends(core, talk.id, 10)
        await watch.begin()
        raw = raw_connect(core.insides.store.path)
        idle, bare = [], []
        for _ in range(idle_turns):
            start = time.perf_counter()
            await watch.poll()
            idle.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            raw.execute("PRAGMA data_version").fetchone()
            bare.append((time.perf_counter() - start) * 1000)
        written, read, told_again = [], [], 0
        for number in range(written_turns):
            await core.service.rename_thread(first, f"Renamed {number}")
            start = time.perf_counter()
            told_again += await watch.poll()
            written.append((time.perf_counter() - start) * 1000)
            since = (datetime.now(UTC) - timedelta(seconds=10)).replace(tzinfo=None)
            start = time.perf_counter()
            raw.execute("SELECT * FROM threads WHERE updated_at > ?", (str(since),)).fetchall()
            read.append((time.perf_counter() - start) * 1000)
        raw.close()
        await watch.aclose()
    print(
        f"      ({threads:,} threads, {messages:,} messages; own writes told again: {told_again})"
    )
    levels = (("p50", 50.0), ("p95", 95.0))
    report_latency("watch turn, nothing changed", idle, bare, IDLE, levels=levels[:1])
    report_latency("watch turn, nothing changed", idle, bare, INFO, levels=levels[1:])
    report_latency("watch turn after an own write", written, read, INFO, levels=levels)
    # What noting this process's own writes adds to each of them (one indexed SELECT).
    name, bare_send = "send, the watch begun", "send, no watch"
    report_latency(name, watched, unwatched, INFO, bare=bare_send, levels=levels[:1])


async def _sends(core: Any, thread_id: Any, count: int) -> list[float]:
    """`service.send` until durable, `count` times, the mock answering between (not timed)."""
    times = []
    for number in range(count):
        start = time.perf_counter()
        turn = await core.service.send(thread_id, f"Question {number}")
        times.append((time.perf_counter() - start) * 1000)
        await core.service.wait_for_answer(turn.answer.id)
    return times


def _seed(core: Any, threads: int, messages: int) -> Any:
    """`threads` threads, the first holding `messages` messages; the first's id."""
    now = datetime.now(UTC) - timedelta(days=1)  # before the watch starts: none is new
    rows = [
        {
            "id": new_id(),
            "title": f"Thread {number}",
            "message_count": 0,
            "last_activity_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for number in range(threads)
    ]
    core.insides.store.write_now(lambda session: session.execute(insert(THREADS), rows))
    first = rows[0]["id"]
    last = None
    for batch in chain(first, messages):
        insert_rows(core, batch)
        last = batch[-1]["id"]
    if last is not None:
        set_leaf(core, first, last, messages)
    return first
