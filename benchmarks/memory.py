"""private memory with a 10,000-message thread open, at rest (target ≤ a bare window's + 75 MB).

A fresh process per run, the real entry point (`python -m benchmarks.probe chatdesk THREAD_ID`,
which runs `chatdesk.launch.main()`, offscreen) on a database holding one 10,000-message thread
among 20 small ones. Once the window is interactive it opens the thread as a click in the
sidebar does (`show_thread`), waits until every message widget holds its formatted text, lets
0.5 s pass, and reads the memory (psutil) of the process and of its children: the render
worker, which formats messages in its own process (docs/decisions/0004-rendering.md) and so
counts too. The budget is on private memory (USS: the pages only that process holds, its heap
and what it wrote), the resident set (RSS) shown beside it: the RSS also counts the pages of
the libraries a process maps, which the page cache decides — the same build read 55–70 MB for
the bare window and 72–78 MB over it from one run to the next, as its libraries were cached
or not (decision 0091). Two cases: the thread opened for the first time (the kept formatting in the
cache folder removed before the run: the render worker formats the page, formulas included),
and opened again after a restart (its formatting kept by the run before: nothing to format).

The budget is the window at rest with the thread open. Opened again, it is at rest as soon as
the page is shown. A first open is read twice: as formatted (the peak, shown as information:
the render child holds the math library for the page's formulas) and once the render child
has stopped: a minute after its last message in use (`MATH_IDLE_STOP`,
chatdesk/core/render/worker.py; decision 0024), 5 s here (`REST_AFTER`, benchmarks/probe.py),
since the window at rest is the same whenever the child stops.

Baseline, same run, runs alternating: the memory of a process showing an empty QMainWindow, read
the same way once it is interactive (`python -m benchmarks.probe bare memory`). Median of 3 runs
(quick: 1) of each.
"""

from __future__ import annotations

import asyncio
import statistics
import uuid
from pathlib import Path
from typing import Any, NamedTuple

from benchmarks.common import (
    INFO,
    Target,
    over_bare_target,
    report,
    report_unmeasured,
    running_core,
    spread,
)
from benchmarks.probe import REST_WAIT
from benchmarks.startup import ProbeFailed, probe
from benchmarks.window import fill_thread
from chatdesk.core.render.kept import FILE_NAME

MB = 1024 * 1024
ALLOWANCE_MB = 75
BARE = "bare window"


def run(workdir: Path, quick: bool) -> None:
    home = workdir / "home"
    thread_id = str(asyncio.run(_seed(home)))
    first: list[dict[str, Any]] = []
    again: list[dict[str, Any]] = []
    bare: list[dict[str, Any]] = []
    failed: dict[str, str] = {}  # why a case's run read nothing: "bare", "first", "again"
    for number in range(1 if quick else 3):
        bare_run = ("bare", bare, "bare", ("memory",), "rss")
        chat_runs = [
            # read at rest too, when the render child stops before the probe's deadline
            ("first", first, "chatdesk", (thread_id, "rest"), "rss"),
            ("again", again, "chatdesk", (thread_id,), "rss"),
        ]
        for case, samples, kind, arguments, reads in (
            [*chat_runs, bare_run] if number % 2 else [bare_run, *chat_runs]
        ):
            if samples is first:
                _forget_formatting(home)
            try:
                samples.append(probe(kind, home, *arguments, reads=reads))
            except ProbeFailed as failure:
                reason = str(failure).splitlines()[0]
                print(f"      (a run not measured: {reason})")
                failed[case] = reason
    target = over_bare_target(ALLOWANCE_MB, "MB")  # docs/design.md §11
    if not bare:
        for name, budget in (
            ("first open, formatted", INFO),
            ("opened again", target),
            ("first open, at rest", target),
        ):
            report_unmeasured(f"{name}, private", f"no bare window: {failed['bare']}", budget)
        return
    bare_mb = Bare(_median(bare, "uss"), _median(bare, "rss"))
    # the guard's noise: how far the bare window's private memory moves over its runs (one: none)
    noise = spread([_total(m, "uss") for m in bare], 50)
    # A first open is at its peak here (the render child still holds the math library): its
    # budget is read at rest, below.
    for label, case, cases, title, budget in (
        ("first open", "first", first, "first open, formatted", INFO),
        ("opened again", "again", again, "opened again", target),
    ):
        if not cases:
            report_unmeasured(f"{title}, all", failed[case], budget)
            continue
        one = cases[0]
        children = ", ".join(f"{name} {rss / MB:.0f} MB" for name, rss in one["children"].items())
        before = one["before_open"]
        print(
            f"      ({label}: {one['widgets']} message widgets formatted; children' RSS: "
            f"{children or 'none'}; before the thread was opened, private: window process "
            f"{before['uss'] / MB:.0f} MB, children {before['children_uss'] / MB:.0f} MB)"
        )
        _report(title, cases, bare_mb, budget, noise)
    rested = [m for m in first if "at_rest" in m]
    if not rested:
        stuck = next((m["not_at_rest"] for m in first if "not_at_rest" in m), None)
        why = failed.get("first") or (
            f"the render child had not stopped {REST_WAIT:.0f} s after formatting: {stuck}"
            if stuck
            else "the render child had not stopped by the probe's deadline"
        )
        report_unmeasured("first open, at rest, private", why, target)
        return
    waited = statistics.median(m["rest"] - m["formatted"] for m in rested)
    print(f"      (first open, at rest: the render child stopped {waited:.0f} s after formatting)")
    _report("first open, at rest", [m["at_rest"] for m in rested], bare_mb, target, noise)


class Bare(NamedTuple):
    """The bare window's medians, in MB."""

    private: float
    resident: float


def _total(sample: dict[str, Any], kind: str) -> float:
    """The process's and its children's memory together: `kind` "uss" or "rss"."""
    return float(sample[kind] + sample[f"children_{kind}"])


def _median(samples: list[dict[str, Any]], kind: str) -> float:
    return statistics.median(_total(m, kind) for m in samples) / MB


def _report(
    name: str, samples: list[dict[str, Any]], bare: Bare, target: Target, noise: float
) -> None:
    """Private memory of the window process and its children together (against `target`), then
    the resident set of each as information."""
    report(
        f"{name}, private",
        _median(samples, "uss"),
        bare.private,
        "MB",
        target,
        bare=BARE,
        noise=noise,
    )
    report(f"{name}, resident", _median(samples, "rss"), bare.resident, "MB", INFO, bare=BARE)
    window_mb = statistics.median(m["rss"] for m in samples) / MB
    children_mb = statistics.median(m["children_rss"] for m in samples) / MB
    report(f"{name}, resident, window process", window_mb, None, "MB", INFO)
    report(f"{name}, resident, its children", children_mb, None, "MB", INFO)


def _forget_formatting(home: Path) -> None:
    """The formatting the last run kept (chatdesk/core/render/kept.py), as on a first open."""
    for kept in (home / "cache").glob(f"{FILE_NAME}*"):
        kept.unlink()


async def _seed(home: Path) -> uuid.UUID:
    async with running_core(home) as core:
        for number in range(20):
            await fill_thread(core, 20, f"small thread {number}")
        return await fill_thread(core, 10_000, "10,000 messages")
