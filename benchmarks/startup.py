"""cold start to an interactive window, 1,000 threads / 100,000 messages (≤ 1.6× a bare window
with a text box).

A fresh Python process per run (`python -m benchmarks.probe chatdesk`) runs the real entry point,
`chatdesk.launch.main()` with no arguments (what the `chatdesk` command runs), offscreen, on a
database seeded once with 1,000 threads of 100 messages (quick: 200 of 100). Timed from just
before the parent starts the process (`time.time()`) to:

- interactive: the window is shown and has painted, one more turn of Qt's event loop has run,
  and then a key press sent to the focused widget landed in the composer. The sidebar may still show
  its placeholder: the core (asyncio, SQLAlchemy, the database) opens on a worker thread behind
  the window (docs/decisions/0009-start-up.md). This is the line the budget applies to.
- sidebar painted ("content ready"): the core is attached, the sidebar's first page of threads
  is read and its tree has painted it. Held to the same < 1.0 s, so a slow core cannot hide
  behind an early first paint.
- between the two, the window must stay usable: once per frame a zero-timer is posted, and the
  longest it waited to run, over all runs, is held to a frame (< 16 ms, docs/design.md §3).

The window is then closed like a user would close it (not timed, but it must exit with 0).

Baseline, same run, same method, runs alternating: a process that imports PySide6 and shows a
QMainWindow holding a focused QPlainTextEdit (`python -m benchmarks.probe typing`) until it has
painted, the loop has turned once more and the same key press has landed in the text box: the
least a window needs to be typed into. An empty QMainWindow (`python -m benchmarks.probe bare`,
painted and one more turn) runs beside them: start → interactive against it as information,
and it stays the baseline of the first threads painted (decision 0099). One warm-up run of each
is not counted: the page cache is warm for all, and the modules' bytecode is compiled (into the
run's own cache, PYTHONPYCACHEPREFIX) as an installed chatdesk's is, so "cold" means a new
process, not a cold disk or a first run after an upgrade. Median of 5 runs (quick: 3).
"""

from __future__ import annotations

import asyncio
import json
import math
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

from benchmarks.common import (
    BATCH,
    INFO,
    Target,
    chain,
    guarding,
    insert_rows,
    percentile,
    ratio_target,
    report,
    running_core,
    spread,
)
from benchmarks.probe import PREFIX, TIMEOUT_MS, WITHOUT
from chatdesk.app import Core
from chatdesk.core.store.models import Thread

# docs/design.md §11
STARTUP = ratio_target(1.6, "bare + text box")
CONTENT = ratio_target(3.0, "bare window")
# docs/design.md §3: nothing blocks the GUI thread longer than a frame
FRAME = Target("< 16 ms", 16.0)
BARE = "bare window"
TYPING = "bare + text box"
ROOT = Path(__file__).resolve().parent.parent
TIMES = (
    "main",
    "imported",
    "shown",
    "painted",
    "turned",
    "interactive",
    "attached",
    "sidebar_rows",
    "sidebar_painted",
    "kept_painted",
    "formatted",
    "done",
)
TRICKS = {  # benchmarks/probe.py WITHOUT: start-up without each, and its line's label
    "gc-pause": "gc on",
    "gil-handover": "5 ms GIL",
}
PHASES = (  # (mark, what it ends) for the breakdown line
    ("imported", "python + window imports"),
    ("shown", "settings + window built"),
    ("painted", "first paint"),
    ("turned", "loop turned"),
    ("interactive", "key typed"),
    ("attached", "core opened behind it + attached"),
    ("sidebar_rows", "sidebar page read"),
    ("sidebar_painted", "sidebar painted"),
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
    # The guard decides on five turns even when quick: the median of three moves with one slow
    # bare window (~200 ms, ±15 % on a busy machine), and a miss costs two runs more
    runs = 3 if quick and not guarding[0] else 5
    chat: list[dict[str, Any]] = []
    bare: list[dict[str, Any]] = []
    typing: list[dict[str, Any]] = []
    # What each trick buys only informs: the guard leaves it out (half of each turn's processes)
    tricks = () if guarding[0] else TRICKS
    without: dict[str, list[dict[str, Any]]] = {trick: [] for trick in tricks}
    for number in range(runs + 1):  # run 0 warms the page cache for both, not counted
        turn = [("chatdesk", "", chat), ("typing", "", typing), ("bare", "", bare)]
        turn += [("chatdesk", trick, samples) for trick, samples in without.items()]
        for kind, trick, samples in turn if number % 2 else reversed(turn):
            marks = probe(kind, home, bytecode=workdir / "bytecode", without=trick)
            if number:
                samples.append(marks)
    _report(chat, typing, bare)
    if without:
        _report_tricks(chat, without)


def _report_tricks(chat: list[dict[str, Any]], without: dict[str, list[dict[str, Any]]]) -> None:
    """What each of start-up's tricks buys: the same start without it, in turns with the rest."""
    for trick, label in TRICKS.items():
        samples = without[trick]
        for mark in ("interactive_ms", "sidebar_painted_ms"):
            value = statistics.median(m[mark] for m in chat)
            other = statistics.median(m[mark] for m in samples)
            name = f"{mark.removesuffix('_ms')}, with ÷ {label}"
            report(name, value, other, "ms", INFO, bare="without")
        lags = percentile([lag for m in chat for lag in m["loop_lag_ms"]] or [0.0], 99)
        other = percentile([lag for m in samples for lag in m["loop_lag_ms"]] or [0.0], 99)
        report(f"loop lag p99, with ÷ {label}", lags, other, "ms", INFO, bare="without")
    frozen = statistics.median(m["collect_frozen_ms"] for m in chat)
    unfrozen = statistics.median(m["collect_unfrozen_ms"] for m in chat)
    report("full gc pass once open, frozen ÷ not", frozen, unfrozen, "ms", INFO, bare="without")


def _report(
    chat: list[dict[str, Any]], typing: list[dict[str, Any]], bare: list[dict[str, Any]]
) -> None:
    chat_ms = statistics.median(m["interactive_ms"] for m in chat)
    typing_ms = statistics.median(m["interactive_ms"] for m in typing)
    bare_ms = statistics.median(m["interactive_ms"] for m in bare)
    phases, previous = [], "spawn"
    for mark, label in PHASES:
        step = statistics.median(m[f"{mark}_ms"] - m[f"{previous}_ms"] for m in chat)
        phases.append(f"{label} {step:.0f}")
        previous = mark
    print(f"      (chatdesk, median ms per step: {', '.join(phases)})")
    exits = statistics.median(m["done_ms"] - m["sidebar_painted_ms"] for m in chat)
    threads = chat[0]["sidebar_threads"]
    print(f"      (sidebar first page: {threads} threads; closing took {exits:.0f} ms more)")
    live_ms = statistics.median(m["sidebar_painted_ms"] for m in chat)
    # The threads the user sees first: the rows the last run kept (chatdesk/ui/sidebar/
    # snapshot.py; the uncounted warm-up run's exit kept them), or the live list without them.
    first = [min(m.get("kept_painted_ms", math.inf), m["sidebar_painted_ms"]) for m in chat]
    kept = sum("kept_painted_ms" in m for m in chat)
    print(f"      (the last run's rows were painted before the live list in {kept} of {len(chat)})")
    # the guard's noise: how far each baseline's median moves over its own runs
    noises = {}
    for label, samples in ((TYPING, typing), (BARE, bare)):
        runs = [m["interactive_ms"] for m in samples]
        print(f"      ({label} interactive, each run: {', '.join(f'{r:.0f}' for r in runs)} ms)")
        noises[label] = spread(runs, 50)
    name = "start → interactive window, median"
    report(name, chat_ms, typing_ms, "ms", STARTUP, bare=TYPING, noise=noises[TYPING])
    report(f"{name}, ÷ an empty window", chat_ms, bare_ms, "ms", INFO, bare=BARE)
    name = "start → first threads painted, median"
    report(name, statistics.median(first), bare_ms, "ms", CONTENT, bare=BARE, noise=noises[BARE])
    report("start → live thread list painted, median", live_ms, bare_ms, "ms", INFO, bare=BARE)
    # docs/design.md §11: stalls under a frame at p99; the worst one stays as information
    lags = [lag for m in chat for lag in m["loop_lag_ms"]] or [0.0]
    report("Qt loop lag while the core opens, p99", percentile(lags, 99), None, "ms", FRAME)
    report(f"Qt loop lag while the core opens, max of {len(lags)}", max(lags), None, "ms", INFO)


class ProbeFailed(RuntimeError):
    """The probe process failed, or ended before it read what it was run for."""


def probe(
    kind: str,
    home: Path,
    *arguments: str,
    bytecode: Path | None = None,
    reads: str | None = None,
    without: str = "",
) -> dict[str, Any]:
    """Run `benchmarks.probe` in a new process; its marks in ms since just before it started.

    `bytecode`: a directory for compiled modules, written by the first run and read by the
    next ones, as an installed chatdesk has them (pip and PyInstaller ship .pyc files), even
    where the developer's shell sets PYTHONDONTWRITEBYTECODE. Without it, the environment's
    own setting holds.

    `reads`: the mark the run is for (a memory figure): once the probe has it, a tail that did
    not end in time (the window closing on a loaded machine) is noted, not a failure."""
    environment = dict(
        os.environ,
        CHATDESK_HOME=str(home),
        CHATDESK_MOCK_TOKENS_PER_SECOND="0",
        # a user who chose the offline demo: the window opens on the conversation it measures,
        # not on Connect a model
        CHATDESK_UI_OFFLINE_DEMO="true",
        QT_QPA_PLATFORM="offscreen",
    )
    environment[WITHOUT] = without
    if bytecode is not None:
        environment["PYTHONPYCACHEPREFIX"] = str(bytecode)
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable, "-m", "benchmarks.probe", kind, *arguments]
    spawned = time.time()
    try:  # past the probe's own deadline: a process that will not end at all
        done = subprocess.run(
            command,
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_MS / 1000 + 120,
        )
    except subprocess.TimeoutExpired as stuck:
        raise ProbeFailed(f"{kind} probe did not end in {stuck.timeout:.0f} s") from None
    lines = [line for line in done.stdout.splitlines() if line.startswith(PREFIX)]
    if done.returncode or not lines:
        raise ProbeFailed(f"{' '.join(command[1:])} failed ({done.returncode}):\n{done.stderr}")
    marks: dict[str, Any] = json.loads(lines[-1][len(PREFIX) :])
    if marks.get("timeout") or marks.get("exit_code"):
        ending = "did not finish in time" if marks.get("timeout") else "exited with an error"
        if marks.get("stuck"):
            print(f"      ({kind} probe {ending}: {marks['stuck']})")
        if reads is None or reads not in marks:
            reached = ", ".join(name for name in marks if name in TIMES or name == "rss")
            raise ProbeFailed(f"{kind} probe {ending} before {reads or 'the end'} ({reached})")
        print(f"      ({kind} probe {ending} after it read {reads}: the figure is kept)")
    if kind in ("chatdesk", "typing") and not marks.get("typed"):
        raise RuntimeError(f"the {kind} window did not take a key once painted: {marks}")
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

    core.insides.store.write_now(work)
