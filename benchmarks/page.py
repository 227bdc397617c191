"""the newest 50 messages of a long thread via `ChatService.list_messages` (≤ 5× raw sqlite3).

The newest 50 of the active branch of a 100,000- and a 10,000-message thread (it should be flat
in thread length), and the worst `after=` cursor (from the very first message), which walks
down the branch along active-child pointers.

Baseline: the same rows copied into a bare file that has chatdesk's schema plus an index on
(thread_id, depth), read with `... WHERE thread_id = ? ORDER BY depth DESC LIMIT 50`.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import time
import uuid
from pathlib import Path

from benchmarks.common import (
    INFO,
    Target,
    chain,
    insert_rows,
    percentile,
    ratio_target,
    raw_clone,
    report,
    report_latency,
    set_leaf,
    spread,
    timed,
)
from benchmarks.common import running_core as core_in
from benchmarks.page_views import compare as compare_views
from chatdesk.app import Core

TARGET = ratio_target(5.0)  # raw sqlite3 (docs/design.md §11)
FLAT = Target("< 1.5× (flat)", 1.5)
NEWEST = "SELECT * FROM messages WHERE thread_id = ? ORDER BY depth DESC LIMIT 50"
AFTER = "SELECT * FROM messages WHERE thread_id = ? AND depth > ? ORDER BY depth LIMIT 50"


def run(workdir: Path, quick: bool) -> None:
    sizes = (10_000, 1_000) if quick else (100_000, 10_000)
    asyncio.run(_measure(workdir, sizes, 50 if quick else 200))


# A run again (the guard's, after a budget missed by more than its noise) reads a copy of the
# first run's home: filling the threads is most of a run (about 15 s of 25 at full size), and
# what is measured is reading them.
Threads = dict[int, tuple[uuid.UUID, uuid.UUID]]  # size → (thread id, its first message's id)
_filled: dict[tuple[int, int], tuple[Path, Threads]] = {}


async def _measure(workdir: Path, sizes: tuple[int, int], runs: int) -> None:
    home = workdir / "home"
    kept = _filled.get(sizes)
    copied = kept is not None and kept[0].is_dir()
    if kept is not None and copied:
        shutil.copytree(kept[0], home)
    async with core_in(home) as core:
        if kept is not None and copied:
            threads = kept[1]
        else:
            threads = {size: await _fill(core, size) for size in sizes}
            _filled[sizes] = (home, threads)
        raw = raw_clone(core.insides.store.path, workdir / "bare.db", copy=("threads", "messages"))
        raw.execute("CREATE INDEX bare_thread_depth ON messages (thread_id, depth)")
        p50 = {}
        for size, (thread_id, _) in threads.items():
            chat, bare = await _newest(core, raw, thread_id, runs)
            name = f"newest 50 of {size:,}"
            report_latency(name, chat, bare, TARGET, levels=(("p50", 50.0), ("p95", 95.0)))
            report_latency(name, chat, bare, INFO, levels=(("max", 100.0),))
            p50[size] = percentile(chat, 50), percentile(bare, 50)
        big, small = sizes
        compare_views(core, threads[small][0], p50[small][0], rounds=runs * 10)
        flat = p50[big][0] / p50[small][0], p50[big][1] / p50[small][1]
        report(f"flatness, p50 {big:,} ÷ p50 {small:,}", *flat, "×", FLAT)
        for size, (thread_id, first_id) in threads.items():
            chat, bare = await _after_first(core, raw, thread_id, first_id, max(5, runs // 4))
            for label, q in (("p50", 50.0), ("max", 100.0)):
                name = f"after=first of {size:,}, {label}"
                budget = TARGET if label == "p50" else INFO
                noise = spread(bare, q) if budget.against_bare else 0.0
                report(name, percentile(chat, q), percentile(bare, q), "ms", budget, noise=noise)
        raw.close()


async def _fill(core: Core, size: int) -> tuple[uuid.UUID, uuid.UUID]:
    """A thread of `size` messages in one linear branch; returns its id and the first id."""
    thread = await core.service.create_thread(title=f"{size:,} messages")
    first: uuid.UUID | None = None
    for rows in chain(thread.id, size):
        insert_rows(core, rows)
        first = first or rows[0]["id"]
        last = rows[-1]["id"]
    set_leaf(core, thread.id, last, size)
    assert first is not None
    return thread.id, first


async def _newest(
    core: Core, raw: sqlite3.Connection, thread_id: uuid.UUID, runs: int
) -> tuple[list[float], list[float]]:
    chat, bare = [], []
    for _ in range(runs):
        elapsed, page = await timed(core.service.list_messages(thread_id, limit=50))
        assert len(page.messages) == 50
        assert not page.has_more_after
        chat.append(elapsed)
        bare.append(_bare(raw, NEWEST, (thread_id.hex,)))
    return chat, bare


async def _after_first(
    core: Core, raw: sqlite3.Connection, thread_id: uuid.UUID, first_id: uuid.UUID, runs: int
) -> tuple[list[float], list[float]]:
    chat, bare = [], []
    for _ in range(runs):
        elapsed, page = await timed(core.service.list_messages(thread_id, after=first_id))
        assert len(page.messages) == 50
        assert page.messages[0].depth == 1
        chat.append(elapsed)
        bare.append(_bare(raw, AFTER, (thread_id.hex, 0)))
    return chat, bare


def _bare(raw: sqlite3.Connection, query: str, parameters: tuple[object, ...]) -> float:
    start = time.perf_counter()
    rows = raw.execute(query, parameters).fetchall()
    elapsed = (time.perf_counter() - start) * 1000
    assert len(rows) == 50
    return elapsed
