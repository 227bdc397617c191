"""bulk insert of 1,000,000 messages in rows/s (informational, no budget in docs/design.md §11).

The future import path: SQLAlchemy Core executemany into the messages table of a real chatdesk
database, 10,000 rows per `store.write_now` transaction, one thread per batch.

Baseline: bare sqlite3 `executemany` of the same rows (already in stored form) into the same
schema in another file, same pragmas, 10,000 rows per `BEGIN IMMEDIATE ... COMMIT`.
Only the database work is timed, not making the rows.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from benchmarks.common import BATCH, INFO, RAW_INSERT, as_raw, chain, insert_rows, raw_clone, report
from benchmarks.common import running_core as core_in


def run(workdir: Path, quick: bool) -> None:
    asyncio.run(_measure(workdir, 20_000 if quick else 1_000_000))


async def _measure(workdir: Path, total: int) -> None:
    async with core_in(workdir / "home") as core:
        threads = [
            (await core.service.create_thread(title=f"import {n}")).id
            for n in range(total // BATCH)
        ]
        raw = raw_clone(core.insides.store.path, workdir / "bare.db", copy=("threads",))
        chat_s = bare_s = 0.0
        for thread_id in threads:
            rows = next(chain(thread_id, BATCH))
            bare_rows = as_raw(rows)
            start = time.perf_counter()
            insert_rows(core, rows)
            middle = time.perf_counter()
            raw.execute("BEGIN IMMEDIATE")
            raw.executemany(RAW_INSERT, bare_rows)
            raw.execute("COMMIT")
            bare_s += time.perf_counter() - middle
            chat_s += middle - start
        raw.close()
    count = len(threads) * BATCH
    print(
        f"      ({count:,} messages in {len(threads)} threads: chatdesk {chat_s:.1f} s, "
        f"bare {bare_s:.1f} s)"
    )
    report(f"insert {count:,} messages", count / chat_s, count / bare_s, "rows/s", INFO)
