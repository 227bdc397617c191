"""Shared pieces: timing, result lines, a running chatdesk core and bare sqlite3 baselines."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Table, insert, update

from benchmarks.guard import Checked, describe_noise, suspect
from benchmarks.guard import percentile as percentile  # where the benchmarks import it from
from benchmarks.guard import spread as spread
from chatdesk.app import Core, build_core
from chatdesk.configuration import configure
from chatdesk.core.ids import new_id
from chatdesk.core.providers.mock_text import mock_showcase
from chatdesk.core.store.models import Message, Role, Status, Thread

T = TypeVar("T")

BATCH = 10_000
MESSAGES = cast(Table, Message.__table__)

# The pragmas chatdesk sets on every connection (chatdesk/core/store/engine.py).
PRAGMAS = (
    "PRAGMA busy_timeout = 5000",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
)

# Columns a benchmark message fills; the others stay NULL in both databases.
COLUMNS = (
    "id",
    "thread_id",
    "parent_id",
    "active_child_id",
    "depth",
    "role",
    "status",
    "content",
    "provider",
    "model",
    "created_at",
    "completed_at",
    "updated_at",
)
_PLACES = ", ".join("?" * len(COLUMNS))
RAW_INSERT = f"INSERT INTO messages ({', '.join(COLUMNS)}) VALUES ({_PLACES})"

# Assistant rows carry the mock provider's answers (~0.8 kB of markdown each).
_ANSWERS = tuple(mock_showcase(f"question {n}") for n in range(64))

verdicts: Counter[str] = Counter()


# -- result lines --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    text: str
    limit: float | None = None  # the value must stay below it; None: informational
    # The cost ratio to the bare baseline must stay at or below it: the verdict then ignores
    # the absolute value, which moves with the machine (it stays on the line as information).
    ratio: float | None = None
    # The value may exceed the bare baseline by at most this much (memory: "bare + 75 MB").
    over_bare: float | None = None
    # Whether `--check` (the guard in .ci/run) fails on it; False for a budget chatdesk does
    # not meet yet (docs/decisions/0024-headroom.md), which the guard would always fail.
    guarded: bool = True

    @property
    def against_bare(self) -> bool:
        """A budget the guard checks against the bare baseline (a ratio, or an allowance)."""
        return self.guarded and (self.ratio is not None or self.over_bare is not None)


INFO = Target("informational")


def ratio_target(limit: float, bare: str = "bare", *, guarded: bool = True) -> Target:
    """A budget as a multiple of the bare baseline measured in the same run."""
    return Target(f"≤ {limit:g}× {bare}", ratio=limit, guarded=guarded)


def over_bare_target(allowance: float, unit: str) -> Target:
    """A budget as the bare baseline measured in the same run plus `allowance`."""
    return Target(f"≤ bare + {allowance:g} {unit}", over_bare=allowance)


checked: list[Checked] = []
unmeasured: list[str] = []  # guarded budgets whose figure a run could not read
current = [""]  # the benchmark running now, for `checked`
# Whether this is the guard's run (`--check`): a benchmark may then leave out what only informs,
# so the guard keeps every budget in less time.
guarding = [False]


def report(
    name: str,
    value: float,
    raw: float | None,
    unit: str,
    target: Target,
    *,
    bare: str = "raw sqlite3",
    noise: float = 0.0,
) -> None:
    """One line: verdict, measured value, target, bare baseline value, ratio (cost vs bare).

    `bare` names the baseline (the window benchmarks compare with a bare PySide6 window).
    `noise`: how far `raw` could have moved by chance in this run, as a share of it (`spread`
    of the bare samples it was read from; 0 for a single bare measurement), for the guard."""
    outcome = _outcome(name, value, raw, unit, target, noise)
    if outcome is not None:
        verdict = "ok" if outcome.value <= outcome.limit else "MISS"
        if target.guarded:
            checked.append(outcome)
    elif target.limit is None:
        verdict = "info"
    else:
        verdict = "ok" if value < target.limit else "MISS"
    verdicts[verdict] += 1
    ratio = "" if raw is None or unit == "×" else f"ratio {_cost_ratio(value, raw, unit):6.1f}×"
    baseline = "" if raw is None else f"{bare} {_fmt(raw, unit):>14}"
    value_text = _fmt(value, unit)
    line = f"{verdict:<4}  {name:<38} {value_text:>14}  target {target.text:<15} {baseline}"
    print(f"{line}  {ratio}")
    if verdict == "MISS" and outcome is not None and target.guarded:
        shown = describe_noise(outcome.noise, outcome.limit, outcome.unit)
        allowance = f"{outcome.allowed:.2f}{outcome.unit}"
        beyond = "beyond it" if suspect(outcome) else "within it"
        print(f"      (guard: the bare baseline's {shown}; allowed ≤ {allowance}: {beyond})")


def _outcome(
    name: str, value: float, raw: float | None, unit: str, target: Target, noise: float
) -> Checked | None:
    """A budget against the bare baseline, in the guard's terms; None for any other line."""
    if raw is None:
        return None
    if target.ratio is not None:
        cost = value if unit == "×" else _cost_ratio(value, raw, unit)
        return Checked(current[0], name, cost, target.ratio, noise=noise)
    if target.over_bare is not None:
        # the bare figure's spread in its own units, as a share of the allowance
        share = noise * raw / target.over_bare
        return Checked(current[0], name, value - raw, target.over_bare, f" {unit}", share)
    return None


def report_unmeasured(name: str, reason: str, target: Target) -> None:
    """The line of a figure a run could not read; a guarded budget fails the guard."""
    budget = (target.limit, target.ratio, target.over_bare) != (None, None, None)
    verdict = "MISS" if budget else "info"
    verdicts[verdict] += 1
    if budget and target.guarded:
        unmeasured.append(f"{current[0]}: {name}: not measured ({reason})")
    print(f"{verdict:<4}  {name:<38} {'not measured':>14}  target {target.text:<15} ({reason})")


def _cost_ratio(value: float, raw: float, unit: str) -> float:
    """chatdesk's cost as a multiple of bare sqlite3's (>1: slower than bare)."""
    if unit == "rows/s":
        return raw / value
    return value / raw if raw else float("inf")


def _fmt(value: float, unit: str) -> str:
    if unit == "rows/s":
        return f"{value:,.0f} rows/s"
    if unit == "×":
        return f"{value:.2f}×"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "%":
        return f"{value:.0f} %"
    if unit == "":
        return f"{value:g}"
    return f"{value:.3f} ms" if value < 10 else f"{value:.1f} ms"


LEVELS = (("p50", 50.0), ("p95", 95.0), ("max", 100.0))


def report_latency(
    name: str,
    chat: list[float],
    raw: list[float],
    target: Target,
    *,
    bare: str = "raw sqlite3",
    levels: tuple[tuple[str, float], ...] = LEVELS,
) -> None:
    """p50 / p95 / max lines (or `levels`) for two lists of milliseconds."""
    for label, q in levels:
        value, baseline = percentile(chat, q), percentile(raw, q)
        noise = spread(raw, q) if target.against_bare else 0.0
        report(f"{name}, {label}", value, baseline, "ms", target, bare=bare, noise=noise)


async def timed(awaitable: Awaitable[T]) -> tuple[float, T]:
    """(milliseconds, result) of awaiting `awaitable`."""
    start = time.perf_counter()
    result = await awaitable
    return (time.perf_counter() - start) * 1000, result


# -- chatdesk ------------------------------------------------------------------------------------


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


@contextlib.contextmanager
def server_process(module: str, *arguments: str) -> Iterator[int]:
    """A benchmark's server in a process of its own (`python -m module arguments`, which calls
    `serve_until_closed`), so that its threads take nothing from the loop measured; yields its
    port, the first line it prints, and it ends when its stdin closes."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, *arguments],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdin is not None
    try:
        yield int(process.stdout.readline())
    finally:
        process.stdin.close()
        process.wait(timeout=60)


def serve_until_closed(server: ThreadingHTTPServer) -> None:
    """Serve on threads, print the port for `server_process`, and stop once stdin closes."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # until the benchmark closes it
    server.shutdown()
    server.server_close()
    thread.join()


@contextlib.asynccontextmanager
async def running_core(home: Path, tokens_per_second: float = 0) -> AsyncIterator[Core]:
    """A real core built by the composition root, its data in `home`, the mock at full speed
    (or paced at `tokens_per_second`)."""
    pace = f"{tokens_per_second:g}"
    with environment(CHATDESK_HOME=str(home), CHATDESK_MOCK_TOKENS_PER_SECOND=pace):
        core = build_core(configure())
        await core.start()
        try:
            yield core
        finally:
            await core.aclose()


def chain(thread_id: uuid.UUID, count: int, batch: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    """`count` messages in batches: a linear chain, user and assistant in turn, all complete."""
    parent: uuid.UUID | None = None
    row_id = new_id()
    start = datetime.now(UTC) - timedelta(seconds=count)
    for first in range(0, count, batch):
        rows = []
        for depth in range(first, min(first + batch, count)):
            at = start + timedelta(seconds=depth)
            user = depth % 2 == 0
            child = new_id() if depth + 1 < count else None
            rows.append(
                {
                    "id": row_id,
                    "thread_id": thread_id,
                    "parent_id": parent,
                    "active_child_id": child,
                    "depth": depth,
                    "role": Role.USER if user else Role.ASSISTANT,
                    "status": Status.COMPLETE,
                    "content": f"Question {depth}: what next?" if user else _answer(depth),
                    "provider": None if user else "mock",
                    "model": None if user else "mock-1",
                    "created_at": at,
                    "completed_at": at,
                    "updated_at": at,
                }
            )
            parent, row_id = row_id, child  # type: ignore[assignment]
        yield rows


def _answer(depth: int) -> str:
    return _ANSWERS[depth // 2 % len(_ANSWERS)]


def insert_rows(core: Core, rows: list[dict[str, Any]]) -> None:
    """One write transaction of SQLAlchemy Core executemany (the bulk-import path)."""
    core.insides.store.write_now(lambda session: session.execute(insert(MESSAGES), rows))


def set_leaf(core: Core, thread_id: uuid.UUID, leaf: uuid.UUID, count: int) -> None:
    core.insides.store.write_now(
        lambda session: session.execute(
            update(Thread)
            .where(Thread.id == thread_id)
            .values(active_leaf_id=leaf, message_count=count)
        )
    )


# -- bare sqlite3 --------------------------------------------------------------------------------


def raw_connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in PRAGMAS:
        connection.execute(pragma)
    return connection


def raw_clone(source: Path, target: Path, *, copy: tuple[str, ...] = ()) -> sqlite3.Connection:
    """A bare file with chatdesk's tables, indexes, full-text index and triggers (read from
    `source`) and the rows of the tables in `copy`, opened with chatdesk's pragmas. SQLite's
    own tables (sqlite_sequence, made with an AUTOINCREMENT table) are left to SQLite."""
    with contextlib.closing(sqlite3.connect(source)) as origin:
        schema = origin.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
            "AND name != 'alembic_version' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' "
            "ORDER BY rowid"
        ).fetchall()
    # A virtual table makes its own tables (FTS5: name_data, name_idx ...); they are not copied.
    virtual = [name for _, name, sql in schema if sql.startswith("CREATE VIRTUAL TABLE")]
    connection = raw_connect(target)
    connection.execute("BEGIN IMMEDIATE")
    for kind, name, statement in schema:
        if kind != "table" or not any(name.startswith(f"{owner}_") for owner in virtual):
            connection.execute(statement)
    connection.execute("COMMIT")
    connection.execute("ATTACH DATABASE ? AS origin", (str(source),))
    for table in copy:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(f"INSERT INTO main.{table} SELECT * FROM origin.{table}")
        connection.execute("COMMIT")
    connection.execute("DETACH DATABASE origin")
    return connection


def as_raw(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The rows as chatdesk stores them (hex ids, naive UTC text timestamps), for executemany."""
    return [
        (
            row["id"].hex,
            row["thread_id"].hex,
            row["parent_id"].hex if row["parent_id"] else None,
            row["active_child_id"].hex if row["active_child_id"] else None,
            row["depth"],
            row["role"].value,
            row["status"].value,
            row["content"],
            row["provider"],
            row["model"],
            _stamp(row["created_at"]),
            _stamp(row["completed_at"]),
            _stamp(row["updated_at"]),
        )
        for row in rows
    ]


def _stamp(value: datetime) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"


def timed_call(work: Callable[[], T]) -> tuple[float, T]:
    """(milliseconds, result) of one call."""
    start = time.perf_counter()
    result = work()
    return (time.perf_counter() - start) * 1000, result


def median_ms(work: Callable[[], object], runs: int) -> float:
    return statistics.median(timed_call(work)[0] for _ in range(runs))
