"""latency of `ChatService.send` until the user row is durable (≤ 3.5× a raw durable commit).

`send` returns once the user row and the pending answer row are committed (synchronous=FULL)
in one transaction; between sends the mock answers in full (not timed).

Baseline: a bare sqlite3 connection, same pragmas, same schema, timing
`BEGIN IMMEDIATE; INSERT one message; COMMIT`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from pathlib import Path

from benchmarks.common import (
    INFO,
    RAW_INSERT,
    as_raw,
    chain,
    ratio_target,
    raw_clone,
    report_latency,
)
from benchmarks.common import running_core as core_in

TARGET = ratio_target(3.5)  # a raw durable commit (docs/design.md §11)


def run(workdir: Path, quick: bool) -> None:
    asyncio.run(_measure(workdir, 30 if quick else 200))


async def _measure(workdir: Path, sends: int) -> None:
    async with core_in(workdir / "home") as core:
        service = core.service
        thread = await service.create_thread(title="send benchmark")
        raw = raw_clone(core.insides.store.path, workdir / "bare.db", copy=("threads",))
        bare = _BareSender(raw, thread.id, sends)
        chat_ms, raw_ms = [], []
        for number in range(sends):
            start = time.perf_counter()
            turn = await service.send(thread.id, f"Question {number}: how fast is a send?")
            chat_ms.append((time.perf_counter() - start) * 1000)
            await service.wait_for_answer(turn.answer.id)  # not timed
            raw_ms.append(bare.send())
        raw.close()
    print(f"      ({sends} sends into one thread, the mock answering in full between them)")
    name = "send → user row durable"
    report_latency(name, chat_ms, raw_ms, TARGET, levels=(("p50", 50.0), ("p95", 95.0)))
    report_latency(name, chat_ms, raw_ms, INFO, levels=(("max", 100.0),))


class _BareSender:
    """One durable single-row insert per call, chained like a conversation."""

    def __init__(self, connection: sqlite3.Connection, thread_id: uuid.UUID, count: int) -> None:
        self._connection = connection
        self._rows = iter(as_raw(next(chain(thread_id, count))))

    def send(self) -> float:
        row = next(self._rows)
        start = time.perf_counter()
        self._connection.execute("BEGIN IMMEDIATE")
        self._connection.execute(RAW_INSERT, row)
        self._connection.execute("COMMIT")
        return (time.perf_counter() - start) * 1000
