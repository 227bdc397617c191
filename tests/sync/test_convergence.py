"""Model-based convergence: 2–5 clients, each a real SQLite file and sync engine, against one real
PostgreSQL, doing random edits while faults are injected (decision 0018).

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
5. summaries: every client holds the server's summaries of its team threads (id, thread,
   covered message, content) that are not deleted and whose covered message is visible; each
   holds the newest content written to it; a deleted one never comes back;
plus: personal threads never leave their machine, and a local change always stamps an HLC above
the one it replaces (a change made after seeing another wins).

Stopping sharing: the thread becomes personal on the client that stopped (a snapshot of that copy,
taken after each of that client's own actions, must never change through sync) and deleted for
the team (a write of `deleted` like any other; a restore by someone else revives it for the team
only).

Membership: a member taken out of the team loses the team's threads at its next round and its
unsent ops are refused. In half the examples every member is in a second team too, which members
leave and rejoin: one out of the team but in the second keeps syncing and forgets the first team
alone; one out of both is shut out (its login may not log in and its sessions end). Those are
the only refused ops allowed: ops queued between the last op pushed before the removal and the
member's return. Their writes may or may not be on the server
(an op whose acknowledgement was lost did get there): the model treats them as optional; every
other write must be there. After its return the member resyncs from scratch and converges.

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
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from chatdesk.core.config import ChatSettings, MockSettings, Settings
from chatdesk.core.store.models import Message, Role, Summary, SyncField, SyncOp, Thread
from chatdesk.core.sync.base import SyncRefused, SyncShutOut, SyncUnavailable
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
    private: bool = False  # posted in a copy whose sharing was stopped: never the team's


@dataclass(frozen=True)
class Delete:
    who: int
    hlc: str | None  # the tombstone's clock (None: deleted while personal, nothing to send)


@dataclass
class ModelThread:
    id: uuid.UUID
    owner: int
    shared: bool = False
    unshared_on: set[int] = field(default_factory=set)  # clients that stopped sharing it
    writes: dict[str, list[Write]] = field(default_factory=lambda: {g: [] for g in THREAD_GROUPS})


@dataclass
class ModelSummary:
    id: uuid.UUID
    thread_id: uuid.UUID
    covers: uuid.UUID
    private: bool = False
    writes: list[Write] = field(default_factory=list)  # content; none until it is the team's
    deletes: list[Delete] = field(default_factory=list)


# An op the server refused, by what it wrote: (entity, id, group, hlc).
Refused = set[tuple[str, uuid.UUID, str, str]]


def check_field(
    got: tuple[Any, str], writes: list[Write], refused: Refused, key: tuple[str, uuid.UUID, str]
) -> None:
    """The server's (value, HLC) of one field is one of the writes made to it, and none of the
    writes whose op was not refused is newer (a refused op may still have landed: its
    acknowledgement was lost; without refusals this is "the newest write, with its HLC")."""
    kept = [w for w in writes if (*key, w.hlc) not in refused]
    best = max(kept, key=lambda w: w.hlc) if kept else None
    where = f"{key[0]} {key[1]}: {key[2]} is {got[0]!r} at {got[1]}"
    assert got in {(w.value, w.hlc) for w in writes}, f"{where}, not a write (writes: {writes})"
    assert best is None or got[1] >= best.hlc, (
        f"{where}, but the newest write kept was {best} (all writes: {writes})"
    )


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


SummaryState = dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID, str]]  # thread, covered, content


def local_summaries(client: Client, thread_ids: set[uuid.UUID]) -> SummaryState:
    query = select(Summary).where(Summary.thread_id.in_(list(thread_ids)))
    return client.store.read_now(
        lambda s: {
            r.id: (r.thread_id, r.covers_through_message_id, r.content) for r in s.scalars(query)
        }
    )


def server_summaries(
    db: SyncDatabase, team_id: uuid.UUID, visible: MessageState
) -> tuple[SummaryState, dict[uuid.UUID, str]]:
    """The team's summaries that are not deleted and cover a visible message, and their
    content clocks."""
    with db.connect_admin() as admin:
        rows = admin.execute(
            "SELECT id, thread_id, covers_through_message_id, content, content_hlc, deleted "
            "FROM chat.summaries WHERE team_id = %s",
            (team_id,),
        ).fetchall()
    kept = [r for r in rows if not r[5] and r[2] in visible]
    return {r[0]: (r[1], r[2], r[3]) for r in kept}, {r[0]: r[4] for r in kept}


def copy_state(client: Client, thread_id: uuid.UUID) -> Any:
    """Everything of one personal copy: the thread, its messages and its summaries."""
    threads, messages = local_state(client, None)
    return (
        threads.get(thread_id),
        {m: v for m, v in messages.items() if v[0] == thread_id},
        local_summaries(client, {thread_id}),
    )


def field_hlc(
    client: Client, entity_id: uuid.UUID, group: str, entity: str = "thread"
) -> str | None:
    query = select(SyncField.hlc).where(
        SyncField.entity == entity, SyncField.entity_id == entity_id, SyncField.field == group
    )
    return client.store.read_now(lambda s: s.scalar(query))


def last_seq(client: Client) -> int:
    """The outbox's last sequence number ever given (AUTOINCREMENT keeps it)."""
    query = text("SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'")
    return client.store.read_now(lambda s: s.scalar(query)) or 0


def first_pending(client: Client) -> int | None:
    query = select(SyncOp.op_seq).where(SyncOp.state == "pending").order_by(SyncOp.op_seq)
    return client.store.read_now(lambda s: s.scalar(query.limit(1)))


def refused_ops(client: Client) -> tuple[list[int], Refused, set[tuple[str, uuid.UUID]]]:
    """The client's refused ops: their numbers, what they wrote, and the rows they created."""

    def read(session: Session) -> tuple[list[int], Refused, set[tuple[str, uuid.UUID]]]:
        ops = session.scalars(select(SyncOp).where(SyncOp.state == "rejected"))
        seqs, wrote, created = [], set(), set()
        for op in ops:
            seqs.append(op.op_seq)
            for group in op.changed.get("groups", []):
                wrote.add((op.entity, op.entity_id, group, op.row.get(f"{group}_hlc") or ""))
                if group == "created":
                    created.add((op.entity, op.entity_id))
        return seqs, wrote, created

    return client.store.read_now(read)


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
        self.other: Team | None = None  # a second team every member is in, or none
        self.threads: dict[uuid.UUID, ModelThread] = {}
        self.posted: dict[uuid.UUID, Posted] = {}
        self.deleted_messages: dict[uuid.UUID, list[Delete]] = {}
        self.summaries: dict[uuid.UUID, ModelSummary] = {}
        self.copies: dict[tuple[int, uuid.UUID], Any] = {}  # (client, thread) → its copy
        self.removed: set[int] = set()  # clients whose member is out of the team now
        self.outside_other: set[int] = set()  # clients whose member left the second team
        self.exposed: dict[int, list[tuple[int, float]]] = {}  # op_seq windows that may be refused
        self.names = itertools.count(1)
        self.restarts = 0
        self.broken = False  # a step failed: tear-down only cleans up

    # -- set-up and tear-down -------------------------------------------------------------------

    @initialize(count=st.integers(2, 5), threads=st.integers(1, 3), other=st.booleans())
    @step
    def start(self, count: int, threads: int, other: bool) -> None:
        """`count` clients in a fresh team, and `threads` shared threads everyone has (the
        first with two exchanges); with `other`, everyone is in a second team too, so a member
        taken out of the first is not shut out but forgets that team alone."""
        shorts = [f"e{self.number}c{i}" for i in range(count)]
        self.team = self.db.team(f"team{self.number}", shorts)
        self.other = self.db.team(f"other{self.number}", shorts) if other else None
        home = self.homes(f"conv{self.number}")
        for i, short in enumerate(shorts):
            client = Client(home / str(i), self.team.members[short], settings=quiet_settings())
            self.clients.append(client)
            client.engine.round()  # learns its team, so that sharing works offline too
        for i in range(threads):
            self.create_thread(i, share=True, prompt=i % 2 == 1)
        first = self.clients[0]
        for _ in range(2):  # two exchanges: something to summarise from the start
            thread_id = self.local_threads(first)[0]
            self.post(first, first.run(first.service.send(thread_id, f"m{next(self.names)}")))
        for client in self.clients + self.clients[:1]:
            client.engine.round()

    def round(self, client: Client, *, faults: bool = True) -> bool:
        """One round of `client`; whether it went through. A member out of the team is shut
        out (in no team, its login may not log in): its round is refused, and it forgets the
        team. With `faults`, a transport failure is allowed (the test's own doing)."""
        try:
            return offline(client.engine.round) if faults else bool(client.engine.round())
        except SyncShutOut:
            i = self.clients.index(client)
            assert i in self.removed, "shut out while in the team"
            assert self.other is None or i in self.outside_other, "shut out in the other team"
            return False

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
        private = self.private(client, answer.thread_id)
        for message in (turn.user_message, answer):
            if message is not None:
                self.posted[message.id] = Posted(
                    message.thread_id,
                    message.parent_id,
                    message.role.value,
                    message.content,
                    private,
                )

    def private(self, client: Client, thread_id: uuid.UUID) -> bool:
        """Whether this client stopped sharing the thread (its copy is its own now)."""
        return self.clients.index(client) in self.threads[thread_id].unshared_on

    def record_summary(self, client: Client, summary_id: uuid.UUID, before: str | None) -> None:
        """A summary's content just written on `client`: note it with its HLC (team threads)."""
        model = self.summaries[summary_id]
        if not self.is_team(client, model.thread_id):
            return
        after = field_hlc(client, summary_id, "content", "summary")
        assert after is not None, f"no clock for the content of summary {summary_id}"
        if after == before:
            return
        assert before is None or after > before, (
            f"an edit of summary {summary_id} took HLC {after}, not above {before}"
        )
        who = self.clients.index(client)
        model.writes.append(Write(after, self.summary_content(client, summary_id), who))

    def summary_content(self, client: Client, summary_id: uuid.UUID) -> str:
        return client.store.read_now(
            lambda s: s.scalar(select(Summary.content).where(Summary.id == summary_id))
        )

    def acted(self, client: Client) -> None:
        """After a user action: the copies this client stopped sharing are as it left them."""
        i = self.clients.index(client)
        for mine, thread_id in list(self.copies):
            if mine == i:
                self.copies[(i, thread_id)] = copy_state(client, thread_id)

    def in_team(self, client: Client) -> bool:
        """Whether the client still knows its team (as of its last round)."""
        assert self.team is not None
        return any(t.id == self.team.id for t in client.engine.teams())

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
        if share and self.in_team(client):
            self._share(client, thread.id)

    @rule(who=st.integers(0, 4), which=st.integers(0, 50))
    @step
    def share(self, who: int, which: int) -> None:
        client = self.client(who)
        candidates = [
            t
            for t in self.local_threads(client, deleted=None, team=False)
            if not self.private(client, t)  # sharing a copy again: not modelled
        ]
        thread_id = self.pick(candidates, which)
        if thread_id is not None and self.in_team(client):
            self._share(client, thread_id)

    def _share(self, client: Client, thread_id: uuid.UUID) -> None:
        assert self.team is not None
        client.engine.share(thread_id, self.team.id)
        model = self.threads[thread_id]
        model.shared = True
        title, prompt, deleted = local_state(client, self.team.id)[0][thread_id]
        for group, value in zip(THREAD_GROUPS, (title, prompt, deleted), strict=True):
            self.record(client, thread_id, group, value, None)
        for summary_id in local_summaries(client, {thread_id}):
            self.record_summary(client, summary_id, None)

    @rule(who=st.integers(0, 4), which=st.integers(0, 50))
    @step
    def post_message(self, who: int, which: int) -> None:
        client = self.client(who)
        thread_id = self.pick(self.local_threads(client), which)
        if thread_id is None:
            return
        turn = client.run(client.service.send(thread_id, f"m{next(self.names)}"))
        self.post(client, turn)
        self.acted(client)

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
        self.acted(client)

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
        if not self.private(client, thread_id):
            hlc = field_hlc(client, target, "deleted", "message")
            self.deleted_messages.setdefault(target, []).append(
                Delete(self.clients.index(client), hlc)
            )
        self.acted(client)

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
        self.acted(client)

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
        self.acted(client)

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
        self.acted(client)

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
        self.acted(client)

    # -- summaries, stopping sharing, membership ---------------------------------------------

    @rule(who=st.integers(0, 4), which=st.integers(0, 50))
    @step
    def summarize(self, who: int, which: int) -> None:
        """Summarise a thread with at least two exchanges (the mock answers at once; a run may
        store more than one summary)."""
        client = self.client(who)
        candidates = [
            t for t in self.local_threads(client) if len(self._messages(client, t, Role.USER)) >= 2
        ]
        thread_id = self.pick(candidates, which)
        if thread_id is None:
            return
        before = set(local_summaries(client, {thread_id}))
        client.run(client.service.summarize_now(thread_id))
        made = local_summaries(client, {thread_id})
        for summary_id in set(made) - before:
            _, covers, _ = made[summary_id]
            self.summaries[summary_id] = ModelSummary(
                summary_id, thread_id, covers, self.private(client, thread_id)
            )
            self.record_summary(client, summary_id, None)
        self.acted(client)

    def _summary(self, client: Client, which: int, index: int) -> uuid.UUID | None:
        thread_id = self.pick(self.local_threads(client, deleted=None), which)
        if thread_id is None:
            return None
        return self.pick(sorted(local_summaries(client, {thread_id})), index)

    @rule(who=st.integers(0, 4), which=st.integers(0, 50), index=st.integers(0, 9))
    @step
    def edit_summary(self, who: int, which: int, index: int) -> None:
        client = self.client(who)
        summary_id = self._summary(client, which, index)
        if summary_id is None:
            return
        before = field_hlc(client, summary_id, "content", "summary")
        client.run(client.service.edit_summary(summary_id, f"s{next(self.names)}"))
        self.record_summary(client, summary_id, before)
        self.acted(client)

    @rule(who=st.integers(0, 4), which=st.integers(0, 50), index=st.integers(0, 9))
    @step
    def delete_summary(self, who: int, which: int, index: int) -> None:
        client = self.client(who)
        summary_id = self._summary(client, which, index)
        if summary_id is None:
            return
        model = self.summaries[summary_id]
        client.run(client.service.delete_summary(summary_id))
        if not self.private(client, model.thread_id):
            hlc = field_hlc(client, summary_id, "deleted", "summary")
            model.deletes.append(Delete(self.clients.index(client), hlc))
        self.acted(client)

    @rule(who=st.integers(0, 4), which=st.integers(0, 50))
    @step
    def unshare(self, who: int, which: int) -> None:
        """Stop sharing: personal here from now on, deleted for the team."""
        client = self.client(who)
        thread_id = self.pick(self.local_threads(client, deleted=None, team=True), which)
        if thread_id is None:
            return
        client.engine.unshare(thread_id)
        query = (
            select(SyncOp.row)
            .where(SyncOp.entity == "thread", SyncOp.entity_id == thread_id)
            .order_by(SyncOp.op_seq.desc())
            .limit(1)
        )
        row = client.store.read_now(lambda s: s.scalar(query))
        assert row is not None, "stopping sharing queued nothing"
        assert row["deleted"], "stopping sharing queued no delete"
        i = self.clients.index(client)
        model = self.threads[thread_id]
        model.writes["deleted"].append(Write(row["deleted_hlc"], True, i))
        model.unshared_on.add(i)
        self.copies[(i, thread_id)] = copy_state(client, thread_id)

    @precondition(lambda self: len(self.removed) < len(self.clients) - 1)
    @rule(who=st.integers(0, 4))
    @step
    def remove_member(self, who: int) -> None:
        """Take a member out of the team: what it has not pushed yet may be refused from now
        until it is back."""
        assert self.team is not None
        client = self.client(who)
        i = self.clients.index(client)
        if i in self.removed:
            return
        self.db.admin.remove_member(str(self.team.id), client.member.name)
        self.removed.add(i)
        start = first_pending(client) or last_seq(client) + 1
        self.exposed.setdefault(i, []).append((start, float("inf")))

    @precondition(lambda self: bool(self.removed))
    @rule(who=st.integers(0, 4))
    @step
    def add_member_back(self, who: int) -> None:
        assert self.team is not None
        i = sorted(self.removed)[who % len(self.removed)]
        client = self.clients[i]
        self.db.admin.add_member(str(self.team.id), client.member.name)
        self.removed.discard(i)
        start, _ = self.exposed[i][-1]
        self.exposed[i][-1] = (start, last_seq(client))

    @precondition(lambda self: self.other is not None)
    @rule(who=st.integers(0, 4))
    @step
    def switch_other_team(self, who: int) -> None:
        """Take a member out of the second team, or put it back: out of both, it is shut out;
        in the second alone, it forgets the first team but keeps syncing."""
        assert self.other is not None
        client = self.client(who)
        i = self.clients.index(client)
        if i in self.outside_other:
            self.db.admin.add_member(str(self.other.id), client.member.name)
            self.outside_other.discard(i)
        else:
            self.db.admin.remove_member(str(self.other.id), client.member.name)
            self.outside_other.add(i)

    # -- sync steps ------------------------------------------------------------------------------

    @rule(who=st.integers(0, 4))
    @step
    def sync_round(self, who: int) -> None:
        client = self.client(who)
        self.round(client)

    @rule(who=st.integers(0, 4), step=st.sampled_from(["push", "pull"]))
    @step
    def sync_half(self, who: int, step: str) -> None:
        """Only push, or only pull (a round does both)."""
        client = self.client(who)
        engine = client.engine

        def work() -> None:
            remote = engine.remote()
            if step == "push":
                while engine.push_once(remote):
                    pass
            else:
                for team in engine.teams():
                    engine.pull_team(remote, team.id)

        try:
            went = offline(work)
        except SyncRefused:
            # Out of the team: shut out, or pulling a team one was taken out of (a round would
            # have learnt it first).
            assert self.clients.index(client) in self.removed
            went = False
        if not went:
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
        self.round(client)

    @rule(who=st.integers(0, 4), mid_push=st.booleans())
    @step
    def crash(self, who: int, mid_push: bool) -> None:
        client = self.client(who)
        if mid_push:  # the server commits the push, the client dies before hearing back
            client.link.lose_next_ack = True
            self.round(client)
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
                self.round(client)
            if all(outbox(c)[0] == 0 for c in self.clients):
                break
        else:
            stuck = {i: outbox(c)[0] for i, c in enumerate(self.clients)}
            raise AssertionError(f"outboxes not drained after 10 rounds each: {stuck}")
        for client in self.clients:
            self.round(client, faults=False)
        before = self.snapshot()
        for client in self.clients:
            self.round(client, faults=False)
        after = self.snapshot()
        assert after == before, "a further round after quiescence still changed something"

    def snapshot(self) -> list[Any]:
        assert self.team is not None
        taken: list[Any] = []
        for client in self.clients:
            threads, messages = local_state(client, self.team.id)
            taken.append((threads, messages, local_summaries(client, set(threads))))
        taken.append(server_state(self.db, self.team.id))
        taken.append([outbox(c) for c in self.clients])
        taken.append([copy_state(self.clients[i], t) for i, t in sorted(self.copies)])
        return taken

    def check(self) -> None:
        assert self.team is not None
        server_threads, server_messages, clocks = server_state(self.db, self.team.id)

        # refused ops: only a member taken out of the team, only what it had not pushed yet
        refused: Refused = set()
        created: set[tuple[str, uuid.UUID]] = set()
        for i, client in enumerate(self.clients):
            pending, _ = outbox(client)
            assert pending == 0, f"client {i}: {pending} ops still pending after quiescence"
            seqs, wrote, made = refused_ops(client)
            shown = client.engine.rejected()
            assert sorted(seqs) == [seq for seq, _, _ in shown]
            assert all(why for _, _, why in shown), f"client {i}: a refusal without a reason"
            windows = self.exposed.get(i, [])
            outside = [s for s in seqs if not any(lo <= s <= hi for lo, hi in windows)]
            assert not outside, (
                f"client {i}: the server refused ops (lost writes) {outside} "
                f"(membership windows {windows}): {shown}"
            )
            refused |= wrote
            created |= made

        # 1. convergence: every client in the team holds exactly the server's team state, but
        # for the threads it stopped sharing; one out of the team holds nothing of it
        server_summary, summary_clocks = server_summaries(self.db, self.team.id, server_messages)
        for i, client in enumerate(self.clients):
            threads, messages = local_state(client, self.team.id)
            if i in self.removed:
                assert not threads, f"client {i} is out of the team and holds its threads"
                assert not self.in_team(client), f"client {i} is out of the team, still lists it"
                continue
            mine = {t for t in server_threads if i not in self.threads[t].unshared_on}
            theirs = {t: v for t, v in server_threads.items() if t in mine}
            assert threads == theirs, (
                f"client {i}'s team threads differ from the server's:\n"
                f"  client: {threads}\n  server: {theirs}"
            )
            visible = {m: v for m, v in server_messages.items() if v[0] in mine}
            missing = set(visible) - set(messages)
            extra = set(messages) - set(visible)
            assert messages == visible, (
                f"client {i}'s team messages differ from the server's: missing "
                f"{[visible[m] for m in missing]}, extra {[messages[m] for m in extra]}, "
                f"different {_differing(messages, visible)}"
            )
            summaries = local_summaries(client, set(threads))
            expected_here = {s: v for s, v in server_summary.items() if v[0] in mine}
            assert summaries == expected_here, (
                f"client {i}'s summaries differ from the server's:\n"
                f"  client: {summaries}\n  server: {expected_here}"
            )

        # 2 + 4. every shared field holds its newest write; deletes and restores included
        shared = {t.id: t for t in self.threads.values() if t.shared}
        kept = {
            t
            for t, model in shared.items()
            if any(
                ("thread", t, group, w.hlc) not in refused
                for group in THREAD_GROUPS
                for w in model.writes[group]
            )
        }
        assert kept <= set(server_threads) <= set(shared), (
            f"server threads {sorted(map(str, server_threads))} are not the shared ones "
            f"{sorted(map(str, shared))} (of which these must be there: {sorted(map(str, kept))})"
        )
        for thread_id in server_threads:
            model = shared[thread_id]
            values = dict(zip(THREAD_GROUPS, server_threads[thread_id], strict=True))
            for group in THREAD_GROUPS:
                got = (values[group], clocks[thread_id][group])
                check_field(got, model.writes[group], refused, ("thread", thread_id, group))

        # 2 + 4. messages: everything posted in a shared thread and not deleted (itself or an
        # ancestor) is there; nothing else is. A refused create or delete may have landed or not.
        def sure(deletes: list[Delete], entity: str, entity_id: uuid.UUID) -> bool | None:
            """Deleted for sure (True), perhaps (None: every delete refused), or not (False)."""
            if not deletes:
                return False
            if any(d.hlc is None or (entity, entity_id, "deleted", d.hlc) not in refused
                   for d in deletes):  # fmt: skip
                return True
            return None

        def fate(message_id: uuid.UUID | None) -> bool | None:
            """Alive for sure (True), dead (False), or either (None)."""
            result: bool | None = True
            while message_id is not None:
                deleted = sure(self.deleted_messages.get(message_id, []), "message", message_id)
                if deleted:
                    return False
                if deleted is None or ("message", message_id) in created:
                    result = None
                message_id = self.posted[message_id].parent_id
            return result

        fates = {
            mid: fate(mid)
            for mid, p in self.posted.items()
            if p.thread_id in shared and not p.private
        }
        expected = {
            mid: (p.thread_id, p.parent_id, p.content)
            for mid, p in self.posted.items()
            if fates.get(mid) is True and p.thread_id in server_threads
        }
        lost = set(expected) - set(server_messages)
        assert not lost, f"lost messages: {[expected[m] for m in lost]}"
        back = {m for m in set(server_messages) - set(expected) if fates.get(m) is not None}
        assert not back, (
            f"messages that should not be there (deleted?): {[server_messages[m] for m in back]}"
        )
        for mid, found in server_messages.items():
            p = self.posted[mid]
            assert found == (p.thread_id, p.parent_id, p.content), (
                f"message {mid} is {found} on the server, posted as {p}"
            )

        # 5. summaries: those of team threads, not deleted, covering a visible message, with
        # their newest content; a deleted one never comes back
        for summary_id, (thread_id, covers, _) in server_summary.items():
            model = self.summaries.get(summary_id)
            assert model is not None, f"summary {summary_id} on the server was never made"
            assert model.writes, f"summary {summary_id} on the server was never the team's"
            assert not model.private, f"summary {summary_id} was made in a copy, not shared"
            assert (model.thread_id, model.covers) == (thread_id, covers)
            assert sure(model.deletes, "summary", summary_id) is not True, (
                f"summary {summary_id} was deleted ({model.deletes}) and came back"
            )
            got = (server_summary[summary_id][2], summary_clocks[summary_id])
            check_field(got, model.writes, refused, ("summary", summary_id, "content"))
        for summary_id, model in self.summaries.items():
            required = (
                model.writes
                and not model.private
                and model.thread_id in server_threads
                and ("summary", summary_id) not in created
                and sure(model.deletes, "summary", summary_id) is False
                and model.covers in expected
            )
            assert not required or summary_id in server_summary, (
                f"lost summary {summary_id} of thread {model.thread_id}: {model}"
            )

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

        # personal threads stay on their machine; a copy whose sharing stopped takes nothing
        # from the team any more
        for i, client in enumerate(self.clients):
            personal, _ = local_state(client, None)
            mine = {
                t.id
                for t in self.threads.values()
                if (not t.shared and t.owner == i) or i in t.unshared_on
            }
            assert set(personal) == mine, f"client {i}'s personal threads changed"
        for (i, thread_id), copy in self.copies.items():
            now = copy_state(self.clients[i], thread_id)
            assert now == copy, (
                f"client {i}'s own copy of thread {thread_id} changed through sync:\n"
                f"  was: {copy}\n  now: {now}"
            )
            others = {t.id for t in self.threads.values() if not t.shared and t.owner != i}
            assert not others & set(local_state(client, self.team.id)[0]), (
                f"client {i} holds another's personal thread"
            )


# Its runs of many steps with up to five clients against a real PostgreSQL take minutes, more on
# a busy machine (over the suite's 300 s bound once, at a load of three per core): the bound
# here is only against a hang.
@pytest.mark.timeout(1_800)
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
