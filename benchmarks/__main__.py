"""Run the benchmarks: `python -m benchmarks [--quick] [--only NAME ...]`.

Each line: ok / MISS / info, what was measured, the value, its target (docs/design.md §11), the same
measurement on bare sqlite3 in the same run, and the ratio chatdesk ÷ bare (cost; >1 is slower).
The exit code is 0 even when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy

from benchmarks import (
    common,
    context,
    insert,
    memory,
    opening,
    page,
    render,
    search,
    send,
    startup,
    streaming,
    sync,
    tables,
    tokens,
    transfer,
)

BENCHMARKS: dict[str, Callable[[Path, bool], None]] = {
    "send": send.run,
    "page": page.run,
    "insert": insert.run,
    "render": render.run,
    "tables": tables.run,
    "startup": startup.run,
    "open": opening.run,
    "stream": streaming.run,
    "memory": memory.run,
    "tokens": tokens.run,
    "context": context.run,
    "transfer": transfer.run,
    "search": search.run,
    "sync": sync.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    args = parser.parse_args(argv)
    names = args.only or list(BENCHMARKS)
    workdir = Path(tempfile.mkdtemp(prefix="chatdesk-bench-"))
    print(
        f"chatdesk benchmarks ({'quick' if args.quick else 'full'}): Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, SQLAlchemy "
        f"{sqlalchemy.__version__}, {os.cpu_count()} CPUs, {_load()}, files in {workdir}"
    )
    try:
        for name in names:
            started = time.perf_counter()
            print(f"\n== {name}: {_summary(BENCHMARKS[name])}")
            BENCHMARKS[name](workdir / name, args.quick)
            print(f"      ({name} took {time.perf_counter() - started:.0f} s)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    counts = common.verdicts
    print(f"\n{counts['ok']} ok, {counts['MISS']} MISS, {counts['info']} informational; {_load()}")
    return 0


def _load() -> str:
    """The machine's load: other work on it skews the tails (p95, max) more than p50."""
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _summary(run: Callable[[Path, bool], None]) -> str:
    doc = sys.modules[run.__module__].__doc__ or ""
    return doc.split("\n")[0]


if __name__ == "__main__":
    sys.exit(main())
