"""Local changes to shared rows become outbox ops in the same SQLite transaction (decision 0018).

The store runs `Recorder.before_commit` at the end of every write. It looks at the threads,
messages and summaries the transaction touched, keeps those of team threads, and for each group
of fields whose value changed stamps a new HLC and queues one op: the whole row with every
group's HLC, plus which groups this op changed. Personal threads cost one indexed lookup.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from chatdesk.core.store import changes
from chatdesk.core.store.models import Message, Summary, SyncOp, Thread
from chatdesk.core.sync import rows as wire
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
            self._record(session, entity, touched[entity], teams)
        for entity, entity_id, _thread in sorted(found.deleted, key=_deleted_order):
            if entity_id in teams:
                self.record_tombstone(session, entity, entity_id, teams[entity_id])

    def _record(
        self, session: Session, entity: str, ids: list[uuid.UUID], teams: dict[uuid.UUID, Any]
    ) -> None:
        current = wire.READERS[entity](session, ids)
        clocks = wire.Clocks(session, entity, current)
        ordered = sorted(current.items(), key=lambda item: (item[1].get("depth", 0), item[0]))
        ops = []
        for entity_id, row in ordered:
            known = clocks.of(entity_id)
            stamp = None
            changed = []
            for group in wire.GROUPS[entity]:
                value = wire.digest(row, entity, group)
                field = known.get(group)
                if field is None or field.digest != value:
                    stamp = stamp or self.clock.now()
                    clocks.set(entity_id, group, stamp, value)
                    changed.append(group)
            if not changed:
                continue
            team_id = teams[entity_id]
            row["team_id"] = str(team_id)
            for group in wire.GROUPS[entity]:
                row[wire.hlc_column(group)] = clocks.hlc(entity_id, group)
            ops.append(self._op(team_id, entity, entity_id, row, changed))
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
        row = {"team_id": str(team_id), "id": str(entity_id), "deleted": True,
               "deleted_hlc": stamp}  # fmt: skip
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
        self._queue(session, [self._op(team_id, entity, entity_id, row, changed, tombstone)])

    def _op(
        self,
        team_id: uuid.UUID,
        entity: str,
        entity_id: uuid.UUID,
        row: dict[str, Any],
        changed: list[str],
        tombstone: bool = False,
    ) -> dict[str, Any]:
        return {
            "node_id": self.clock.node,
            "team_id": team_id,
            "entity": entity,
            "entity_id": entity_id,
            "row": row,
            "changed": {"groups": changed, "tombstone": tombstone},
            "state": "pending",
            "attempts": 0,
            "created_at": datetime.now(UTC),
        }

    def _queue(self, session: Session, ops: list[dict[str, Any]]) -> None:
        """Into the outbox in this order (one statement: the sequence numbers follow it)."""
        if ops:
            session.execute(insert(cast(Table, SyncOp.__table__)), ops)
            self._on_queued()


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
