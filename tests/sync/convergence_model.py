"""The reference model of the convergence test (test_convergence.py) and how it reads state: a
client's SQLite file, and the server as the superuser sees it."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from chatdesk.core.config import ChatSettings, MockSettings, Settings
from chatdesk.core.store.models import (
    Message,
    MessagePart,
    PartKind,
    Summary,
    SyncField,
    SyncOp,
    Thread,
)
from chatdesk.core.sync.base import SyncUnavailable
from tests.sync.client import Client
from tests.sync.conftest import SyncDatabase

HOUR_MS = 3_600_000
THREAD_GROUPS = ("title", "system_prompt", "deleted")


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
    team_id: uuid.UUID | None = None  # the team it was shared with (None: personal)
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
# The kinds of parts only protocol 4 reads (a source, a cut), and each message's parts of them.
NEWER_KINDS = (PartKind.SOURCE, PartKind.CUT)
Parts = dict[uuid.UUID, frozenset[uuid.UUID]]  # message id → the ids of those parts


@dataclass(frozen=True)
class PartsWrite:
    """A write of a message's content by a chatdesk of protocol 4, with the parts of newer
    kinds it held then."""

    hlc: str
    parts: frozenset[uuid.UUID]
    who: int


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
    with db.looking() as admin:
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
    with db.looking() as admin:
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


def refused_ops(
    client: Client,
) -> tuple[list[tuple[int, uuid.UUID]], Refused, set[tuple[str, uuid.UUID]]]:
    """The client's refused ops: their numbers and teams, what they wrote, and the rows they
    created."""

    def read(
        session: Session,
    ) -> tuple[list[tuple[int, uuid.UUID]], Refused, set[tuple[str, uuid.UUID]]]:
        ops = session.scalars(select(SyncOp).where(SyncOp.state == "rejected"))
        seqs, wrote, created = [], set(), set()
        for op in ops:
            seqs.append((op.op_seq, op.team_id))
            for group in op.changed.get("groups", []):
                wrote.add((op.entity, op.entity_id, group, op.row.get(f"{group}_hlc") or ""))
                if group == "created":
                    created.add((op.entity, op.entity_id))
        return seqs, wrote, created

    return client.store.read_now(read)


def local_parts(client: Client, message_ids: set[uuid.UUID]) -> Parts:
    """The ids of the parts of newer kinds of each of these messages, as stored here."""
    query = select(MessagePart.message_id, MessagePart.id).where(
        MessagePart.message_id.in_(list(message_ids)), MessagePart.kind.in_(NEWER_KINDS)
    )
    rows = client.store.read_now(lambda s: s.execute(query).all())
    found: dict[uuid.UUID, set[uuid.UUID]] = {m: set() for m in message_ids}
    for message_id, part_id in rows:
        found[message_id].add(part_id)
    return {m: frozenset(ids) for m, ids in found.items()}


def server_parts(db: SyncDatabase, message_ids: set[uuid.UUID]) -> Parts:
    """The same, on the server (read as the superuser)."""
    kinds = [kind.value for kind in NEWER_KINDS]
    with db.looking() as admin:
        rows = admin.execute(
            "SELECT m.id, (p ->> 'id')::uuid FROM chat.messages m "
            "CROSS JOIN LATERAL jsonb_array_elements(m.parts) AS p "
            "WHERE m.id = ANY(%s) AND p ->> 'kind' = ANY(%s)",
            (list(message_ids), kinds),
        ).fetchall()
    found: dict[uuid.UUID, set[uuid.UUID]] = {m: set() for m in message_ids}
    for message_id, part_id in rows:
        found[message_id].add(part_id)
    return {m: frozenset(ids) for m, ids in found.items()}


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


def differing(mine: MessageState, theirs: MessageState) -> list[Any]:
    return [(mine[m], theirs[m]) for m in set(mine) & set(theirs) if mine[m] != theirs[m]]


def step(work: Callable[..., None]) -> Callable[..., None]:
    """A rule that marks the machine broken when it fails, so that tear-down does not check
    (and mask the failure with a confusing second one)."""

    @functools.wraps(work)
    def run(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            work(self, *args, **kwargs)
        except BaseException:
            self.broken = True
            raise

    return run
