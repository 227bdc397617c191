"""Local changes to shared rows become outbox ops in the same SQLite transaction (decision 0018).

The store runs `Recorder.before_commit` at the end of every write. It looks at the threads,
messages and summaries the transaction touched, keeps those of team threads, and for each group
of fields whose value changed stamps a new HLC and queues one op: the whole row with every
group's HLC, plus which groups this op changed. Personal threads cost one indexed lookup.
Sharing a thread queues everything in it at once (`record_thread`), through the same steps.

Ops go into the outbox as SQLite stores them (ids as hex, the row as JSON text) through a
statement compiled once: a shared thread of 10,000 messages is 10,000 ops in one transaction.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from chatdesk.core.store import changes
from chatdesk.core.store.models import Message, Summary, SyncOp, Thread
from chatdesk.core.store.prepared import Prepared
from chatdesk.core.sync import rows as wire
from chatdesk.core.sync.base import OpState
from chatdesk.core.sync.hlc import Clock

log = logging.getLogger("chatdesk.sync")

APPLYING = "chatdesk.sync.applying"  # session.info flag: pulled changes, not the user's


class Recorder:
    def __init__(self, clock: Clock, *, shared: bool, on_queued: Callable[[], None]) -> None:
        self.clock = clock
        self.shared = shared  # whether any thread is shared (until then, nothing to look up)
        self._on_queued = on_queued

    def before_commit(self, session: Session) -> None:
        if not self.shared:
            changes.take(session)
            return
        session.flush()
        found = changes.take(session)
        if session.info.get(APPLYING) or not found:
            return
        teams = _teams_of(session, found)
        if not teams:
            return
        touched: defaultdict[str, list[uuid.UUID]] = defaultdict(list)
        for entity, entity_id in found.touched:
            if entity_id in teams:
                touched[entity].append(entity_id)
        for entity in sorted(touched, key=wire.ORDER.__getitem__):
            of_team = {entity_id.hex: teams[entity_id] for entity_id in touched[entity]}
            current = wire.READERS[entity](session, list(of_team))
            self._record(session, entity, current, wire.Clocks(session, entity, current), of_team)
        for entity, entity_id, _thread in sorted(found.deleted, key=_deleted_order):
            if entity_id in teams:
                self.record_tombstone(session, entity, entity_id, teams[entity_id])

    def record_thread(self, session: Session, thread_id: uuid.UUID, team_id: uuid.UUID) -> None:
        """Queue a thread just moved into `team_id` with everything in it: the thread, then
        its final messages parents first, then its summaries (the order the server needs)."""
        thread = thread_id.hex
        current = wire.thread_rows(session, [thread])
        clocks = wire.Clocks(session, "thread", current)
        self._record(session, "thread", current, clocks, dict.fromkeys(current, team_id))
        for entity, read in wire.IN_THREAD.items():
            current = read(session, thread)
            clocks = wire.Clocks.in_thread(session, entity, thread)
            self._record(session, entity, current, clocks, dict.fromkeys(current, team_id))

    def _record(
        self,
        session: Session,
        entity: str,
        current: dict[wire.Hex, wire.Row],
        clocks: wire.Clocks,
        teams: Mapping[wire.Hex, uuid.UUID],
    ) -> None:
        """Stamp and queue the rows in `current` whose groups changed since their clocks."""
        columns = [(group, wire.hlc_column(group)) for group in wire.GROUPS[entity]]
        ordered = sorted(current.items(), key=lambda item: (item[1].get("depth", 0), item[0]))
        team_ids: dict[uuid.UUID, tuple[str, wire.Hex]] = {}  # as the row and the outbox write it
        ops = []
        for entity_id, row in ordered:
            known = clocks.of(entity_id)
            stamp = None
            changed = []
            for group, column in columns:
                value = wire.digest(row, entity, group)
                field = known.get(group)
                if field is None or field.digest != value:
                    stamp = stamp or self.clock.now()
                    clocks.set(entity_id, group, stamp, value)
                    changed.append(group)
                    row[column] = stamp
                else:
                    row[column] = field.hlc
            if not changed:
                continue
            team_id = teams[entity_id]
            if team_id not in team_ids:
                team_ids[team_id] = (str(team_id), team_id.hex)
            row["team_id"], team = team_ids[team_id]
            ops.append(self._op(team, entity, entity_id, row, changed))
        clocks.save()
        self._queue(session, ops)

    def record_tombstone(
        self, session: Session, entity: str, entity_id: uuid.UUID, team_id: uuid.UUID
    ) -> None:
        """Queue "deleted" for a row removed here; its other clocks go, the tombstone stays so
        that an older copy pulled later cannot bring it back."""
        stamp = self.clock.now()
        clocks = wire.Clocks(session, entity, [entity_id])
        clocks.forget(entity_id, keep="deleted")
        clocks.set(entity_id, "deleted", stamp, wire.digest({"deleted": True}, entity, "deleted"))
        clocks.save()
        row = {"team_id": str(team_id), "id": str(entity_id), "deleted": True, "deleted_hlc": stamp}
        self.queue(session, team_id, entity, entity_id, row, ["deleted"], tombstone=True)

    def queue(
        self,
        session: Session,
        team_id: uuid.UUID,
        entity: str,
        entity_id: uuid.UUID,
        row: dict[str, Any],
        changed: list[str],
        *,
        tombstone: bool = False,
    ) -> None:
        op = self._op(team_id.hex, entity, entity_id.hex, row, changed, tombstone)
        self._queue(session, [op])

    def _op(
        self,
        team_id: wire.Hex,
        entity: str,
        entity_id: wire.Hex,
        row: dict[str, Any],
        changed: list[str],
        tombstone: bool = False,
    ) -> dict[str, Any]:
        """An outbox row as SQLite stores it."""
        return {
            "node_id": self.clock.node,
            "team_id": team_id,
            "entity": entity,
            "entity_id": entity_id,
            "row": _json(row),
            "changed": _changed(tuple(changed), tombstone),
            "state": OpState.PENDING,
            "attempts": 0,
        }

    def _queue(self, session: Session, ops: list[dict[str, Any]]) -> None:
        """Into the outbox in this order (one statement: the sequence numbers follow it)."""
        if ops:
            session.flush()
            created = {"created_at": datetime.now(UTC)}
            _QUEUE.run_many(session.connection(), [op | created for op in ops])
            self._on_queued()


_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@functools.cache  # a few values: the groups of a new row, of an edit, of a tombstone
def _changed(groups: tuple[str, ...], tombstone: bool) -> str:
    return _json({"groups": list(groups), "tombstone": tombstone})


_OUTBOX = cast(Table, SyncOp.__table__)
_AS_STORED = ("team_id", "entity_id", "row", "changed")  # given as SQLite stores them
_QUEUE = Prepared(
    insert(_OUTBOX).values(
        {
            column.name: bindparam(
                column.name, type_=wire.AS_TEXT if column.name in _AS_STORED else column.type
            )
            for column in _OUTBOX.c
            if column.name not in ("op_seq", "last_error")
        }
    )
)


def _deleted_order(item: tuple[str, uuid.UUID, uuid.UUID]) -> tuple[int, str]:
    return (-wire.ORDER[item[0]], str(item[1]))


def _teams_of(session: Session, found: changes.Changes) -> dict[uuid.UUID, uuid.UUID]:
    """entity id → team id, for the touched rows that belong to team threads."""
    by_entity: defaultdict[str, set[uuid.UUID]] = defaultdict(set)
    for entity, entity_id in found.touched:
        by_entity[entity].add(entity_id)
    result: dict[uuid.UUID, uuid.UUID] = {}
    threads = {thread for _, _, thread in found.deleted} | by_entity["thread"]
    if threads:
        query = select(Thread.id, Thread.team_id).where(
            Thread.id.in_(threads), Thread.team_id.is_not(None)
        )
        thread_teams = {row.id: row.team_id for row in session.execute(query)}
        result.update(thread_teams)
        for _entity, entity_id, thread_id in found.deleted:
            if thread_id in thread_teams:
                result[entity_id] = thread_teams[thread_id]
    for model, entity in ((Message, "message"), (Summary, "summary")):
        if by_entity[entity]:
            query = (
                select(model.id, Thread.team_id)
                .join(Thread, Thread.id == model.thread_id)
                .where(model.id.in_(by_entity[entity]), Thread.team_id.is_not(None))
            )
            result.update({row.id: row.team_id for row in session.execute(query)})
    return result
