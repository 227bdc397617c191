"""team sync: a write on A visible on B (p95 < 1 s), push of 10,000 messages (≤ 15× bare psycopg).

Runs its own throwaway PostgreSQL (tests/sync/pg.py: initdb + pg_ctl from the installed server
binaries, skipped when there are none) with chatdesk's server schema, one team and two members.
Clients are real: their own SQLite file, chat service and sync engine, over TCP with a password.

(a) Latency: both engines' worker threads run (`engine.start()`, LISTEN/NOTIFY wakes B). A sends a
message; the clock runs from `send` returning (the user row committed on A) until that row is in
B's database (polled every millisecond). Baseline: bare psycopg, one connection inserting a row
into a plain table and sending NOTIFY, another LISTENing and selecting it.

(b) A thread of 10,000 messages is shared; push = from `share` until A's outbox is empty
(blocking rounds); pull = a fresh client's first round until all 10,000 are in its database.
Baseline: bare psycopg `executemany` of the same 10,000 server rows into a plain table in one
transaction, and a plain `SELECT` of them back.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import func, insert, select

from benchmarks.common import (
    INFO,
    MESSAGES,
    Target,
    chain,
    ratio_target,
    report,
    report_latency,
)
from chatdesk.core.assembly import assemble
from chatdesk.core.config import ChatSettings, MockSettings, Settings
from chatdesk.core.paths import Paths
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.store import open_store
from chatdesk.core.store.blobs import BlobStore
from chatdesk.core.store.models import Message, SyncOp, Thread
from chatdesk.core.sync.base import any_shared
from chatdesk.core.sync.engine import SyncEngine
from chatdesk.core.sync.remote import Remote
from chatdesk.core.sync.server.admin import ServerAdmin

LATENCY = Target("p95 < 1 s", 1000.0)
BULK = Target("< 5 s", 5000.0)
PUSH = ratio_target(15.0, "bare psycopg")  # docs/design.md §11; guarded in .ci/run
WAIT_S = 30.0


def run(workdir: Path, quick: bool) -> None:
    try:
        from tests.sync.pg import PgServer, find_bin_dir
    except ImportError:
        print("      (skipped: run from a source checkout, tests/sync/pg.py starts PostgreSQL)")
        return
    bin_dir = find_bin_dir()
    if bin_dir is None:
        print("      (skipped: PostgreSQL's server binaries are not installed)")
        return
    server = PgServer(bin_dir)
    try:
        server.create()
        server.start()
        server.execute('CREATE DATABASE "bench"')
        admin_dsn = server.admin_dsn("bench")
        admin = ServerAdmin(admin_dsn)
        admin.init()
        team = admin.add_team("bench")
        dsns = {}
        for name in ("alice", "bob"):
            password = secrets.token_urlsafe(16)
            admin.add_member(str(team.id), name, password=password, role="member")
            dsns[name] = server.member_dsn("bench", name, password)
        _latency(workdir, dsns, team.id, admin_dsn, 20 if quick else 50)
        _bulk(workdir, dsns, team.id, admin_dsn, 2_000 if quick else 10_000)
    finally:
        server.destroy()


class _Client:
    def __init__(self, home: Path, dsn: str) -> None:
        settings = Settings(
            mock=MockSettings(tokens_per_second=0),
            chat=ChatSettings(auto_titles=False, summary_threshold=0.0),
        )
        paths = Paths(home / "data", home / "config", home / "log", home / "cache")
        self.loop = asyncio.new_event_loop()
        self.store = open_store(paths, settings)
        self.service = assemble(
            self.store, Providers({"mock": MockProvider(settings.mock)}), settings
        )
        self.engine = SyncEngine(
            self.store,
            lambda: Remote.open(dsn, None),
            blobs=BlobStore.beside(self.store.path),
            shared=any_shared(self.store),
            poll_seconds=60,
        )

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(work)

    def has(self, message_id: uuid.UUID) -> bool:
        return self.store.read_now(lambda s: s.get(Message, message_id) is not None)

    def count(self, thread_id: uuid.UUID) -> int:
        query = select(func.count()).select_from(Message).where(Message.thread_id == thread_id)
        return int(self.store.read_now(lambda s: s.scalar(query)))

    def pending(self) -> int:
        query = select(func.count()).select_from(SyncOp).where(SyncOp.state == "pending")
        return int(self.store.read_now(lambda s: s.scalar(query)))

    def close(self) -> None:
        self.engine.stop()
        self.run(self.service.aclose())
        self.store.close()
        self.loop.close()


def _until(condition: Any, what: str) -> float:
    """Poll `condition` every millisecond; the moment it held (perf_counter)."""
    deadline = time.perf_counter() + WAIT_S
    while not condition():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.001)
    return time.perf_counter()


def _latency(
    workdir: Path, dsns: dict[str, str], team_id: uuid.UUID, admin_dsn: str, writes: int
) -> None:
    alice = _Client(workdir / "alice", dsns["alice"])
    bob = _Client(workdir / "bob", dsns["bob"])
    try:
        thread = alice.run(alice.service.create_thread(title="latency"))
        alice.engine.round()
        alice.engine.share(thread.id, team_id)
        alice.engine.round()
        bob.engine.round()
        alice.engine.start()
        bob.engine.start()
        _until(lambda: bob.engine.status.state == "up to date", "bob's worker")
        samples = []
        for number in range(writes):
            turn = alice.run(alice.service.send(thread.id, f"ping {number}"))
            committed = time.perf_counter()
            assert turn.user_message is not None
            user_id = turn.user_message.id
            seen = _until(lambda: bob.has(user_id), "the message on bob")  # noqa: B023
            samples.append((seen - committed) * 1000)
            answer = alice.run(alice.service.wait_for_answer(turn.answer.id))
            _until(lambda: bob.has(answer.id), "the answer on bob")  # noqa: B023
    finally:
        alice.close()
        bob.close()
    bare = _bare_latency(admin_dsn, writes)
    print(f"      ({writes} messages sent on A, both sync workers running, NOTIFY on)")
    report_latency("write on A → row on B", samples, bare, LATENCY, bare="bare psycopg")


def _bare_latency(dsn: str, writes: int) -> list[float]:
    with psycopg.connect(dsn, autocommit=True) as setup:
        setup.execute("CREATE TABLE bench_ping (id uuid PRIMARY KEY, content text)")
    samples = []
    with (
        psycopg.connect(dsn, autocommit=True) as writer,
        psycopg.connect(dsn, autocommit=True) as reader,
    ):
        reader.execute("LISTEN bench")
        for number in range(writes):
            row_id = uuid.uuid4()
            got: list[float] = []

            def listen(row_id: uuid.UUID = row_id, got: list[float] = got) -> None:
                for _ in reader.notifies(timeout=WAIT_S, stop_after=1):
                    break
                reader.execute("SELECT content FROM bench_ping WHERE id = %s", (row_id,))
                got.append(time.perf_counter())

            waiting = threading.Thread(target=listen)
            waiting.start()
            time.sleep(0.005)  # the listener is in notifies() before the write (not timed)
            with writer.transaction():
                writer.execute("INSERT INTO bench_ping VALUES (%s, %s)", (row_id, f"ping {number}"))
                writer.execute("NOTIFY bench")
            committed = time.perf_counter()
            waiting.join()
            samples.append((got[0] - committed) * 1000)
    return samples


def _bulk(
    workdir: Path, dsns: dict[str, str], team_id: uuid.UUID, admin_dsn: str, count: int
) -> None:
    alice = _Client(workdir / "alice-bulk", dsns["alice"])
    carol = _Client(workdir / "bob-fresh", dsns["bob"])
    try:
        thread = alice.run(alice.service.create_thread(title="bulk"))
        rows = [row for batch in chain(thread.id, count) for row in batch]
        alice.store.write_now(lambda s: s.execute(insert(MESSAGES), rows))
        leaf = rows[-1]["id"]
        alice.store.write_now(
            lambda s: s.execute(
                Thread.__table__.update()
                .where(Thread.id == thread.id)
                .values(active_leaf_id=leaf, message_count=count)
            )
        )
        alice.engine.round()  # learns the team (not timed)
        start = time.perf_counter()
        alice.engine.share(thread.id, team_id)
        while alice.pending():
            alice.engine.round()
        push_ms = (time.perf_counter() - start) * 1000

        start = time.perf_counter()
        carol.engine.round()
        pull_ms = (time.perf_counter() - start) * 1000
        if carol.count(thread.id) != count:
            raise RuntimeError(f"the fresh client has {carol.count(thread.id)} of {count}")
    finally:
        alice.close()
        carol.close()
    bare_push, bare_pull = _bare_bulk(admin_dsn, team_id)
    print(f"      ({count:,} messages: one share, then rounds until the outbox is empty)")
    # one bare push, so no spread to measure: the guard gives it no noise (a miss fails)
    report(f"push {count:,} messages", push_ms, bare_push, "ms", PUSH, bare="bare psycopg")
    report(
        f"pull {count:,} messages (fresh client)",
        pull_ms,
        bare_pull,
        "ms",
        BULK,
        bare="bare psycopg",
    )
    report(
        "push rate",
        count / push_ms * 1000,
        count / bare_push * 1000,
        "rows/s",
        INFO,
        bare="bare psycopg",
    )


def _bare_bulk(dsn: str, team_id: uuid.UUID) -> tuple[float, float]:
    """The same rows (as the server holds them) into a plain table, and back out."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        found = connection.execute("SELECT * FROM chat.messages WHERE team_id = %s", (team_id,))
        names = [column.name for column in found.description or ()]
        rows = found.fetchall()
        columns = ", ".join(names)
        connection.execute(
            f"CREATE TABLE bench_messages AS SELECT {columns} FROM chat.messages WITH NO DATA"
        )
        values = ", ".join(["%s"] * len(names))
        from psycopg.types.json import Jsonb

        at = names.index("parts")
        rows = [(*r[:at], Jsonb(r[at]), *r[at + 1 :]) for r in rows]
        start = time.perf_counter()
        with connection.transaction(), connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO bench_messages ({columns}) VALUES ({values})", rows)
        push_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        connection.execute(f"SELECT {columns} FROM bench_messages").fetchall()
        pull_ms = (time.perf_counter() - start) * 1000
    return push_ms, pull_ms
