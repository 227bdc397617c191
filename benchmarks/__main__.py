"""Run the benchmarks: `python -m benchmarks [--quick] [--check] [--only NAME ...]`.

Each line: ok / MISS / info, what was measured, the value, its target (docs/design.md §11), the same
measurement on bare sqlite3 in the same run, and the ratio chatdesk ÷ bare (cost; >1 is slower).
The exit code is 0 even when a target is missed, unless `--check` (the guard `.ci/run` runs):
then a budget given against the bare baseline (a ratio to it, or an allowance over it) that is
missed by more than the noise of that baseline measured in the same run (benchmarks/guard.py)
is measured again (its whole benchmark, twice more), and the median of the three runs' values
against the budget widened by the median of their noise decides; the exit code is 1 when it
still misses.
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
    api,
    attachments,
    common,
    comparing,
    context,
    formulas,
    guard,
    handover,
    insert,
    knowledge,
    knowledge_query,
    knowledge_stall,
    mcp_progress,
    mcp_prompts,
    mcp_resources,
    memories,
    memory,
    opening,
    outside,
    page,
    quick,
    render,
    research_stall,
    search,
    send,
    shortcut,
    sockets,
    speak,
    startup,
    stopping,
    streaming,
    sync,
    tables,
    tokens,
    tool_cards,
    tools,
    transcribe,
    transfer,
    web_fetch,
    web_text,
)

BENCHMARKS: dict[str, Callable[[Path, bool], None]] = {
    "send": send.run,
    "page": page.run,
    "insert": insert.run,
    "render": render.run,
    "tables": tables.run,
    "formulas": formulas.run,
    "startup": startup.run,
    "open": opening.run,
    "stream": streaming.run,
    "memory": memory.run,
    "tokens": tokens.run,
    "context": context.run,
    "transfer": transfer.run,
    "search": search.run,
    "sync": sync.run,
    "tools": tools.run,
    "mcp_resources": mcp_resources.run,
    "tool-cards": tool_cards.run,
    "compare": comparing.run,
    "attachments": attachments.run,
    "knowledge_index": knowledge.run,
    "knowledge_query": knowledge_query.run,
    "knowledge_stall": knowledge_stall.run,
    "memories": memories.run,
    "mcp_prompts": mcp_prompts.run,
    "api": api.run,
    "sockets": sockets.run,
    "handover": handover.run,
    "outside": outside.run,
    "web_fetch": web_fetch.run,
    "web_text": web_text.run,
    "research_stall": research_stall.run,
    "mcp_progress": mcp_progress.run,
    "stop": stopping.run,
    "quick": quick.run,
    "transcribe": transcribe.run,
    "shortcut": shortcut.run,
    "speak": speak.run,
}
GUARD_RUNS = 3  # a miss past the margin is measured this many times in all; the median decides


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
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when a budget against the bare baseline is missed by more than the "
        f"baseline's noise in the same run (the median of {GUARD_RUNS} runs of that benchmark)",
    )
    args = parser.parse_args(argv)
    names = args.only or list(BENCHMARKS)
    common.guarding[0] = args.check
    workdir = Path(tempfile.mkdtemp(prefix="chatdesk-bench-"))
    print(
        f"chatdesk benchmarks ({'quick' if args.quick else 'full'}): Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, SQLAlchemy "
        f"{sqlalchemy.__version__}, {os.cpu_count()} CPUs, {_load()}, files in {workdir}"
    )
    try:
        for name in names:
            _run(name, workdir / name, args.quick)
        failed = [*_guard(workdir, args.quick), *common.unmeasured] if args.check else []
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    counts = common.verdicts
    print(f"\n{counts['ok']} ok, {counts['MISS']} MISS, {counts['info']} informational; {_load()}")
    if failed:
        missed = "missed by more than their run's noise, or not measured"
        print(f"\nGUARD: {len(failed)} budget(s) {missed}:")
        for line in failed:
            print(f"  {line}")
        return 1
    return 0


def _run(name: str, workdir: Path, quick: bool) -> None:
    started = time.perf_counter()
    common.current[0] = name
    print(f"\n== {name}: {_summary(BENCHMARKS[name])}")
    shutil.rmtree(workdir, ignore_errors=True)
    BENCHMARKS[name](workdir, quick)
    print(f"      ({name} took {time.perf_counter() - started:.0f} s)")


def _guard(workdir: Path, quick: bool) -> list[str]:
    """The budgets missed by more than their run's noise, decided over GUARD_RUNS runs."""
    first = list(common.checked)
    _print_guard(first)
    suspects = sorted({c.benchmark for c in first if guard.suspect(c)})
    for name in suspects:
        for again in range(2, GUARD_RUNS + 1):
            print(f"\n(guard: {name} missed a budget by more than its noise; run {again})")
            _run(name, workdir / f"{name}-{again}", quick)
    failed = []
    for key in dict.fromkeys((c.benchmark, c.name) for c in first if c.benchmark in suspects):
        runs = [c for c in common.checked if (c.benchmark, c.name) == key]
        summary = f"{key[0]}: {key[1]}: {_decided(runs)}"
        failed_now = guard.decide(runs).failed
        print(f"(guard: {summary}: {'fails' if failed_now else 'passes'})")
        if failed_now:
            failed.append(summary)
    return failed


def _decided(runs: list[guard.Checked]) -> str:
    """The figures of a decision: each run's value and noise, their medians, the allowance."""
    decision, unit = guard.decide(runs), runs[0].unit
    each = [f"{c.value:.2f}{unit} ({guard.describe_noise(c.noise, c.limit, unit)})" for c in runs]
    noise = guard.describe_noise(decision.noise, decision.limit, unit)
    return (
        f"median {decision.value:.2f}{unit} of {', '.join(each)}; budget {decision.limit:g}{unit}, "
        f"median {noise}: allowed ≤ {decision.allowed:.2f}{unit}"
    )


def _print_guard(first: list[guard.Checked]) -> None:
    """Each budget against the bare baseline as the guard reads it: value, noise, allowance."""
    print("\nguard: each budget against the bare baseline, with its bare baseline's noise")
    for c in first:
        verdict = "suspect" if guard.suspect(c) else "ok" if c.value <= c.limit else "in noise"
        noise = guard.describe_noise(c.noise, c.limit, c.unit)
        print(
            f"{verdict:<8}  {c.benchmark}: {c.name:<38} {c.value:8.2f}{c.unit}  budget "
            f"{c.limit:g}{c.unit}, {noise}: allowed ≤ {c.allowed:.2f}{c.unit}"
        )


def _load() -> str:
    """The machine's load: other work on it skews the tails (p95, max) more than p50."""
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _summary(run: Callable[[Path, bool], None]) -> str:
    doc = sys.modules[run.__module__].__doc__ or ""
    return doc.split("\n")[0]


if __name__ == "__main__":
    sys.exit(main())
