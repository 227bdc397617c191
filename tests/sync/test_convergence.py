"""Model-based convergence: 2–5 clients, each a real SQLite file and sync engine, against one real
PostgreSQL, doing random edits while faults are injected (research/sync.md §3, L1).

The reference model records every change a user made to a team thread together with the HLC the
client actually stamped it with (read back from the client's `sync_fields` right after the
change), every message posted and every message deleted. After `quiesce` (heal everything, then
rounds until every outbox is empty and one more full round changes nothing):

1. every client's team state (threads: title, system prompt, deleted; messages: id, thread,
   parent, content) is the server's, read as the superuser;
2. no lost write: every field on the server holds the write with the highest HLC of all the
   writes made to it, with that HLC; every message posted and not deleted (itself or an
   ancestor) is everywhere; no op was refused;
3. no duplicates: each posted text appears once per client and once on the server;
4. no resurrection: a thread is deleted exactly when its newest (highest HLC) delete/restore
   was a delete; a deleted message never comes back;
plus: personal threads never leave their machine, and a local change always stamps an HLC above
the one it replaces (a change made after seeing another wins).

Each example gets a fresh team and fresh member roles, so examples do not see each other's data.
"""

from __future__ import annotations

import functools
import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.config import ChatSettings, MockSettings, Settings
from chatdesk.core.store.models import Message, Role, SyncField, SyncOp, Thread
from chatdesk.core.sync.base import SyncUnavailable
from tests.sync.client import Client
from tests.sync.conftest import SyncDatabase, Team

HOUR_MS = 3_600_000
THREAD_GROUPS = ("title", "system_prompt", "deleted")
MAX_RESTARTS = 2  # a server restart costs ~0.5 s; two per example is plenty of crashes

SETTINGS = settings(
    max_examples=int(os.environ.get("CHATDESK_SYNC_EXAMPLES", "30")),
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
_examples = itertools.count(1)


def quiet_settings() -> Settings:
    """No background titles or summaries: every change in a run is one the machine made."""
    return Settings(
        mock=MockSettings(tokens_per_second=0),
        chat=ChatSettings(auto_titles=False, summary_threshold=0.0),
    )


# -- the reference model -------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    hlc: str
    value: Any
    who: int  # the client that made it


@dataclass(frozen=True)
class Posted:
    thread_id: uuid.UUID
    parent_id: uuid.UUID | None
    role: str
    content: str


@dataclass
class ModelThread:
    id: uuid.UUID
    owner: int
    shared: bool = False
    writes: dict[str, list[Write]] = field(default_factory=lambda: {g: [] for g in THREAD_GROUPS})

    def winner(self, group: str) -> Write:
        return max(self.writes[group], key=lambda w: w.hlc)


# -- reading state -------------------------------------------------------------------------------

ThreadState = dict[uuid.UUID, tuple[str, str | None, bool]]
MessageState = dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID | None, str]]


def local_state(client: Client, team_id: uuid.UUID | None) -> tuple[ThreadState, MessageState]:
    """Threads of the team (or the personal ones, for None) and all their messages, every
    branch, as stored on this client."""

    def read(session: Session) -> tuple[ThreadState, MessageState]:
        query = select(Thread).where(
            Thread.team_id.is_(None) if team_id is None else Thread.team_id == team_id
        )
        threads = {
            t.id: (t.title, t.system_prompt, t.deleted_at is not None)
            for t in session.scalars(query)
        }
        messages: MessageState = {}
        if threads:
            found = session.scalars(select(Message).where(Message.thread_id.in_(list(threads))))
            messages = {m.id: (m.thread_id, m.parent_id, m.content) for m in found}
        return threads, messages

    return client.store.read_now(read)


def server_state(db: SyncDatabase, team_id: uuid.UUID) -> tuple[ThreadState, MessageState, dict]:
    """The team's threads, its visible messages (not deleted, nor below a deleted one) and
    each thread's field clocks, read as the superuser."""
    with db.connect_admin() as admin:
        rows = admin.execute(
            "SELECT id, title, system_prompt, deleted, title_hlc, system_prompt_hlc, deleted_hlc "
            "FROM chat.threads WHERE team_id = %s",
            (team_id,),
        ).fetchall()
        found = admin.execute(
            "SELECT id, thread_id, parent_id, content, deleted FROM chat.messages "
            "WHERE team_id = %s",
            (team_id,),
        ).fetchall()
    threads = {r[0]: (r[1], r[2], r[3]) for r in rows}
    clocks = {r[0]: {"title": r[4], "system_prompt": r[5], "deleted": r[6]} for r in rows}
    every = {r[0]: r for r in found}

    def visible(message_id: uuid.UUID | None) -> bool:
        while message_id is not None:
            row = every.get(message_id)
            if row is None or row[4]:
                return False
            message_id = row[2]
        return True

    messages = {r[0]: (r[1], r[2], r[3]) for r in found if visible(r[0])}
    return threads, messages, clocks


def field_hlc(client: Client, entity_id: uuid.UUID, group: str) -> str | None:
    query = select(SyncField.hlc).where(
        SyncField.entity == "thread", SyncField.entity_id == entity_id, SyncField.field == group
    )
    return client.store.read_now(lambda s: s.scalar(query))


def outbox(client: Client) -> tuple[int, list[tuple[int, str | None]]]:
    """(pending ops, refused ops with their reason)."""

    def read(session: Session) -> tuple[int, list[tuple[int, str | None]]]:
        states = list(session.execute(select(SyncOp.op_seq, SyncOp.state, SyncOp.last_error)))
        pending = sum(1 for _, state, _ in states if state == "pending")
        return pending, [(seq, why) for seq, state, why in states if state == "rejected"]

    return client.store.read_now(read)


def offline(work: Callable[[], object]) -> bool:
    """Run a sync step; whether it went through (a transport failure is the test's fault)."""
    try:
        work()
    except SyncUnavailable:
        return False
    except (psycopg.OperationalError, psycopg.InterfaceError):
        return False
    return True


def _differing(mine: MessageState, theirs: MessageState) -> list[Any]:
    return [(mine[m], theirs[m]) for m in set(mine) & set(theirs) if mine[m] != theirs[m]]


def step(work: Callable[..., None]) -> Callable[..., None]:
    """A rule that marks the machine broken when it fails, so that tear-down does not check
    (and mask the failure with a confusing second one)."""

    @functools.wraps(work)
    def run(self: SyncMachine, *args: Any, **kwargs: Any) -> None:
        try:
            work(self, *args, **kwargs)
        except BaseException:
            self.broken = True
            raise

    return run


# -- the machine ---------------------------------------------------------------------------------


class SyncMachine(RuleBasedStateMachine):
    def __init__(self, db: SyncDatabase, homes: Callable[[str], Path]) -> None:
        super().__init__()
        self.db = db
        self.homes = homes
        self.number = next(_examples)
        self.clients: list[Client] = []
        self.team: Team | None = None
        self.threads: dict[uuid.UUID, ModelThread] = {}
        self.posted: dict[uuid.UUID, Posted] = {}
        self.deleted_messages: set[uuid.UUID] = set()
        self.names = itertools.count(1)
        self.restarts = 0
        self.broken = False  # a step failed: tear-down only cleans up

    # -- set-up and tear-down -------------------------------------------------------------------

    @initialize(count=st.integers(2, 5), threads=st.integers(1, 3))
    @step
    def start(self, count: int, threads: int) -> None:
        """`count` clients in a fresh team, and `threads` shared threads everyone has."""
        shorts = [f"e{self.number}c{i}" for i in range(count)]
        self.team = self.db.team(f"team{self.number}", shorts)
        home = self.homes(f"conv{self.number}")
        for i, short in enumerate(shorts):
            client = Client(home / str(i), self.team.members[short], settings=quiet_settings())
            self.clients.append(client)
            client.engine.round()  # learns its team, so that sharing works offline too
        for i in range(threads):
            self.create_thread(i, share=True, prompt=i % 2 == 1)
        for client in self.clients + self.clients[:1]:
            client.engine.round()

    def teardown(self) -> None:
        try:
            if self.clients and not self.broken:
                self.quiesce()
                self.check()
        finally:
            for client in self.clients:
                client.close()

    # -- helpers ---------------------------------------------------------------------------------

    def client(self, index: int) -> Client:
        return self.clients[index % len(self.clients)]

    def local_threads(
        self, client: Client, *, deleted: bool | None = False, team: bool | None = None
    ) -> list[uuid.UUID]:
        query = select(Thread.id).order_by(Thread.created_at, Thread.id)
        if deleted is not None:
            query = query.where(
                Thread.deleted_at.is_not(None) if deleted else Thread.deleted_at.is_(None)
            )
        if team is not None:
            query = query.where(Thread.team_id.is_not(None) if team else Thread.team_id.is_(None))
        return list(client.store.read_now(lambda s: list(s.scalars(query))))

    def pick(self, items: list[Any], index: int) -> Any:
        return items[index % len(items)] if items else None

    def is_team(self, client: Client, thread_id: uuid.UUID) -> bool:
        query = select(Thread.team_id).where(Thread.id == thread_id)
        return client.store.read_now(lambda s: s.scalar(query)) is not None

    def record(
        self, client: Client, thread_id: uuid.UUID, group: str, value: Any, before: str | None
    ) -> None:
        """A change to a thread field just made on `client`: note it with the HLC it got."""
        if not self.is_team(client, thread_id):
            return  # personal: stays on this machine, nothing to converge
        after = field_hlc(client, thread_id, group)
        assert after is not None, f"no clock for {group} of thread {thread_id} after a change"
        if after == before:
            return  # no change (same value as before): no op, nothing to record
        assert before is None or after > before, (
            f"a change of {group} took HLC {after}, not above the {before} it replaces"
        )
        who = self.clients.index(client)
        self.threads[thread_id].writes[group].append(Write(after, value, who))

    def post(self, client: Client, turn: Any) -> None:
        answer = client.run(client.service.wait_for_answer(turn.answer.id))
        client.run(client.service.settle())
        for message in (turn.user_message, answer):
            if message is not None:
                self.posted[message.id] = Posted(
                    message.thread_id, message.parent_id, message.role.value, message.content
                )

    # -- user actions ----------------------------------------------------------------------------

    @rule(who=st.integers(0, 4), share=st.booleans(), prompt=st.booleans())
    @step
    def create_thread(self, who: int, share: bool, prompt: bool) -> None:
        client = self.client(who)
        name = f"t{next(self.names)}"
        thread = client.run(
            client.service.create_thread(title=name, system_prompt=f"p-{name}" if prompt else None)
        )
        self.threads[thread.id] = ModelThread(thread.id, self.clients.index(client))
        if share:
            self._share(client, thread.id)

    @rule(who=st.integers(0, 4), which=st.integers(0, 50))
    @step
    def share(self, who: int, which: int) -> None:
        client = self.client(who)
        thread_id = self.pick(self.local_threads(client, deleted=None, team=False), which)
        if thread_id is not None:
            self._share(client, thread_id)

    def _share(self, client: Client, thread_id: uuid.UUID) -> None:
        assert self.team is not None
        client.engine.share(thread_id, self.team.id)
        model = self.threads[thread_id]
        model.shared = True
        title, prompt, deleted = local_state(client, self.team.id)[0][thread_id]
        for group, value in zip(THREAD_GROUPS, (title, prompt, deleted), strict=True):
            self.record(client, thread_id, group, value, None)

    @rule(who=st.integers(0, 4), which=st.integers(0, 50))
    @step
    def post_message(self, who: int, which: int) -> None:
        client = self.client(who)
        thread_id = self.pick(self.local_threads(client), which)
        if thread_id is None:
            return
        turn = client.run(client.service.send(thread_id, f"m{next(self.names)}"))
        self.post(client, turn)

    @rule(who=st.integers(0, 4), which=st.integers(0, 50), message=st.integers(0, 50))
    @step
    def regenerate(self, who: int, which: int, message: int) -> None:
        client = self.client(who)
        thread_id = self.pick(self.local_threads(client), which)
        if thread_id is None:
            return
        answers = self._messages(client, thread_id, Role.ASSISTANT)
        target = self.pick(answers, message)
        if target is None:
            return
        self.post(client, client.run(client.service.regenerate(target)))

    @rule(who=st.integers(0, 4), which=st.integers(0, 50), message=st.integers(0, 50))
    @step
    def delete_message(self, who: int, which: int, message: int) -> None:
        client = self.client(who)
        thread_id = self.pick(self.local_threads(client), which)
        if thread_id is None:
            return
        target = self.pick(self._messages(client, thread_id, None), message)
        if target is None:
            return
        client.run(client.service.delete_message(target))
        self.deleted_messages.add(target)

    def _messages(self, client: Client, thread_id: uuid.UUID, role: Role | None) -> list[uuid.UUID]:
        query = select(Message.id).where(Message.thread_id == thread_id)
        if role is not None:
            query = query.where(Message.role == role)
        query = query.order_by(Message.created_at, Message.id)
        return list(client.store.read_now(lambda s: list(s.scalars(query))))

    @rule(who=st.integers(0, 4), which=st.integers(0, 50))
    @step
    def rename(self, who: int, which: int) -> None:
        client = self.client(who)
        thread_id = self.pick(self.local_threads(client), which)
        if thread_id is None:
            return
        title = f"r{next(self.names)}"
        before = field_hlc(client, thread_id, "title")
        client.run(client.service.rename_thread(thread_id, title))
        self.record(client, thread_id, "title", title, before)

    @rule(who=st.integers(0, 4), which=st.integers(0, 50), clear=st.booleans())
    @step
    def set_system_prompt(self, who: int, which: int, clear: bool) -> None:
        client = self.client(who)
        thread_id = self.pick(self.local_threads(client), which)
        if thread_id is None:
            return
        prompt = None if clear else f"p{next(self.names)}"
        before = field_hlc(client, thread_id, "system_prompt")
        client.run(client.service.set_thread_system_prompt(thread_id, prompt))
        self.record(client, thread_id, "system_prompt", prompt, before)

    @rule(who=st.integers(0, 4), which=st.integers(0, 50))
    @step
    def delete_thread(self, who: int, which: int) -> None:
        client = self.client(who)
        thread_id = self.pick(self.local_threads(client), which)
        if thread_id is None:
            return
        before = field_hlc(client, thread_id, "deleted")
        client.run(client.service.delete_thread(thread_id))
        self.record(client, thread_id, "deleted", True, before)

    @rule(who=st.integers(0, 4), which=st.integers(0, 50))
    @step
    def restore_thread(self, who: int, which: int) -> None:
        client = self.client(who)
        thread_id = self.pick(self.local_threads(client, deleted=True), which)
        if thread_id is None:
            return
        before = field_hlc(client, thread_id, "deleted")
        client.run(client.service.restore_thread(thread_id))
        self.record(client, thread_id, "deleted", False, before)

    # -- sync steps ------------------------------------------------------------------------------

    @rule(who=st.integers(0, 4))
    @step
    def sync_round(self, who: int) -> None:
        client = self.client(who)
        offline(client.engine.round)

    @rule(who=st.integers(0, 4), step=st.sampled_from(["push", "pull"]))
    @step
    def sync_half(self, who: int, step: str) -> None:
        """Only push, or only pull (a round does both)."""
        engine = self.client(who).engine

        def work() -> None:
            remote = engine._remote or engine._open()
            if step == "push":
                while engine.push_once(remote):
                    pass
            else:
                for team in engine.teams():
                    engine.pull_team(remote, team.id)

        if not offline(work):
            engine._drop_connection()

    # -- faults ----------------------------------------------------------------------------------

    @rule(who=st.integers(0, 4), cut=st.booleans())
    @step
    def partition(self, who: int, cut: bool) -> None:
        """Cut a client off the network (its open connection goes too), or heal it."""
        client = self.client(who)
        client.link.cut = cut
        if cut:
            client.engine._drop_connection()

    @rule(who=st.integers(0, 4))
    @step
    def lose_ack(self, who: int) -> None:
        client = self.client(who)
        client.link.lose_next_ack = True
        offline(client.engine.round)

    @rule(who=st.integers(0, 4), mid_push=st.booleans())
    @step
    def crash(self, who: int, mid_push: bool) -> None:
        client = self.client(who)
        if mid_push:  # the server commits the push, the client dies before hearing back
            client.link.lose_next_ack = True
            offline(client.engine.round)
        client.crash()

    @precondition(lambda self: self.restarts < MAX_RESTARTS)
    @rule()
    @step
    def restart_server(self) -> None:
        self.restarts += 1
        # The test cluster runs with synchronous_commit = off (tests/sync/pg.py), so an
        # immediate restart could lose commits it already acknowledged, which no durable
        # server does. A checkpoint first makes every acknowledged commit durable; the restart
        # is then the crash of a durable server (open connections die, in-flight work aborts).
        with self.db.connect_admin() as admin:
            admin.execute("CHECKPOINT")
        self.db.server.restart()

    @rule(who=st.integers(0, 4), hours=st.sampled_from([-1, 0, 1]))
    @step
    def skew_clock(self, who: int, hours: int) -> None:
        self.client(who).skew_ms = hours * HOUR_MS

    @rule()
    @step
    def converge(self) -> None:
        self.quiesce()
        self.check()

    # -- the oracle ------------------------------------------------------------------------------

    def quiesce(self) -> None:
        """Heal everything; rounds until every outbox is empty; then everyone pulls once more,
        and one further round of everyone must change nothing."""
        self.db.server.ensure_running()
        for client in self.clients:
            client.link.cut = False
            client.link.lose_next_ack = False
        for _ in range(10):
            for client in self.clients:
                offline(client.engine.round)
            if all(outbox(c)[0] == 0 for c in self.clients):
                break
        else:
            stuck = {i: outbox(c)[0] for i, c in enumerate(self.clients)}
            raise AssertionError(f"outboxes not drained after 10 rounds each: {stuck}")
        for client in self.clients:
            client.engine.round()
        before = self.snapshot()
        for client in self.clients:
            client.engine.round()
        after = self.snapshot()
        assert after == before, "a further round after quiescence still changed something"

    def snapshot(self) -> list[Any]:
        assert self.team is not None
        taken: list[Any] = [local_state(c, self.team.id) for c in self.clients]
        taken.append(server_state(self.db, self.team.id))
        taken.append([outbox(c) for c in self.clients])
        return taken

    def check(self) -> None:
        assert self.team is not None
        server_threads, server_messages, clocks = server_state(self.db, self.team.id)

        for i, client in enumerate(self.clients):
            pending, refused = outbox(client)
            assert pending == 0, f"client {i}: {pending} ops still pending after quiescence"
            assert not refused, f"client {i}: the server refused ops (lost writes): {refused}"

        # 1. convergence: every client holds exactly the server's team state
        for i, client in enumerate(self.clients):
            threads, messages = local_state(client, self.team.id)
            assert threads == server_threads, (
                f"client {i}'s team threads differ from the server's:\n"
                f"  client: {threads}\n  server: {server_threads}"
            )
            missing = set(server_messages) - set(messages)
            extra = set(messages) - set(server_messages)
            assert messages == server_messages, (
                f"client {i}'s team messages differ from the server's: missing "
                f"{[server_messages[m] for m in missing]}, extra {[messages[m] for m in extra]}, "
                f"different {_differing(messages, server_messages)}"
            )

        # 2 + 4. every shared field holds its newest write; deletes and restores included
        shared = {t.id: t for t in self.threads.values() if t.shared}
        assert set(server_threads) == set(shared), (
            f"server threads {sorted(map(str, server_threads))} are not the shared ones "
            f"{sorted(map(str, shared))}"
        )
        for thread_id, model in shared.items():
            values = dict(zip(THREAD_GROUPS, server_threads[thread_id], strict=True))
            for group in THREAD_GROUPS:
                winner = model.winner(group)
                got = (values[group], clocks[thread_id][group])
                assert got == (winner.value, winner.hlc), (
                    f"thread {thread_id}: {group} is {got[0]!r} at {got[1]}, but the newest "
                    f"write was {winner.value!r} at {winner.hlc} by client {winner.who} "
                    f"(all writes: {model.writes[group]})"
                )

        # 2 + 4. messages: everything posted in a shared thread and not deleted (itself or an
        # ancestor) is there; nothing else is
        def alive(message_id: uuid.UUID | None) -> bool:
            while message_id is not None:
                if message_id in self.deleted_messages:
                    return False
                message_id = self.posted[message_id].parent_id
            return True

        expected = {
            mid: (p.thread_id, p.parent_id, p.content)
            for mid, p in self.posted.items()
            if p.thread_id in shared and alive(mid)
        }
        lost = set(expected) - set(server_messages)
        assert not lost, f"lost messages: {[expected[m] for m in lost]}"
        back = set(server_messages) - set(expected)
        assert not back, (
            f"messages that should not be there (deleted?): {[server_messages[m] for m in back]}"
        )
        assert server_messages == expected, "message contents or parents differ from the model"

        # 3. no duplicates: each text a user posted appears once
        questions = [p.content for p in self.posted.values() if p.role == "user"]
        assert len(questions) == len(set(questions))
        for where, messages in [("server", server_messages)] + [
            (f"client {i}", local_state(c, self.team.id)[1]) for i, c in enumerate(self.clients)
        ]:
            texts = [content for _, _, content in messages.values() if content in set(questions)]
            assert len(texts) == len(set(texts)), (
                f"{where} holds duplicate messages: {sorted(texts)}"
            )

        # personal threads stay on their machine
        for i, client in enumerate(self.clients):
            personal, _ = local_state(client, None)
            mine = {t.id for t in self.threads.values() if not t.shared and t.owner == i}
            assert set(personal) == mine, f"client {i}'s personal threads changed"
            others = {t.id for t in self.threads.values() if not t.shared and t.owner != i}
            assert not others & set(local_state(client, self.team.id)[0]), (
                f"client {i} holds another's personal thread"
            )


def test_clients_converge_under_faults(
    sync_db: SyncDatabase, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run_state_machine_as_test(
        lambda: SyncMachine(sync_db, lambda name: tmp_path_factory.mktemp(name)),
        settings=SETTINGS,
    )


@pytest.fixture
def machine(sync_db: SyncDatabase, tmp_path: Path) -> Iterator[SyncMachine]:
    """One machine for a hand-written (regression) run of the steps; checked at the end."""
    made = SyncMachine(sync_db, lambda name: tmp_path / name)
    yield made
    made.teardown()
