"""Pulled rows into the local database: per-group last-writer-wins, parents before children.

Runs on the store's writer inside one transaction per page, flagged so the recorder does not
send the changes back. What changed is collected in `Applied` for the events the window hears.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from chatdesk.core.chat import repository as repo
from chatdesk.core.store.models import (
    Attachment,
    Message,
    MessagePart,
    PartKind,
    Role,
    Status,
    Summary,
    SyncNote,
    SyncOp,
    Thread,
)
from chatdesk.core.store.records import ATTACHMENTS, MESSAGES, PARTS, from_json
from chatdesk.core.sync import rows as wire
from chatdesk.core.sync.base import OpState
from chatdesk.core.sync.hlc import NEVER, Clock

Row = dict[str, Any]

log = logging.getLogger("chatdesk.sync")
_KNOWN_KINDS = frozenset(kind.value for kind in PartKind)


@dataclass
class Applied:
    threads_created: set[uuid.UUID] = field(default_factory=set)
    threads_changed: set[uuid.UUID] = field(default_factory=set)
    threads_deleted: set[uuid.UUID] = field(default_factory=set)
    threads_restored: set[uuid.UUID] = field(default_factory=set)
    messages_added: list[uuid.UUID] = field(default_factory=list)
    messages_changed: list[uuid.UUID] = field(default_factory=list)
    messages_deleted: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    summaries_added: list[uuid.UUID] = field(default_factory=list)
    summaries_updated: list[uuid.UUID] = field(default_factory=list)
    summaries_deleted: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)
    notes: list[uuid.UUID] = field(default_factory=list)


class Applier:
    def __init__(self, session: Session, team_id: uuid.UUID, clock: Clock, now: datetime) -> None:
        self.session = session
        self.team_id = team_id
        self.clock = clock
        self.now = now
        self.applied = Applied()

    def rows(self, entity: str, rows: list[Row]) -> None:
        ids = [uuid.UUID(r["id"]) for r in rows]
        clocks = wire.Clocks(self.session, entity, ids)
        for row in rows:
            for group in wire.GROUPS[entity]:
                self.clock.observe(row.get(wire.hlc_column(group)) or NEVER)
        if entity == "message":
            self._messages(rows, ids, clocks)
        else:
            apply = self.thread if entity == "thread" else self.summary
            for entity_id, row in zip(ids, rows, strict=True):
                apply(entity_id, row, clocks)
                self.session.flush()
        clocks.save()

    # -- threads ---------------------------------------------------------------------------------

    def thread(self, thread_id: uuid.UUID, row: Row, clocks: wire.Clocks) -> None:
        local = self.session.get(Thread, thread_id)
        if local is not None and local.team_id != self.team_id:
            return  # this thread is personal here (stopped sharing): the team's copy stays there
        if local is None:
            created = _time(row["created_at"])
            local = Thread(
                id=thread_id,
                team_id=self.team_id,
                title=row["title"],
                title_set_by_user=True,
                system_prompt=row["system_prompt"],
                deleted_at=self.now if row["deleted"] else None,
                last_activity_at=created,
                created_at=created,
                updated_at=self.now,
            )
            self.session.add(local)
            for group in wire.GROUPS["thread"]:
                self._take(clocks, thread_id, row, group)
            if not row["deleted"]:
                self.applied.threads_created.add(thread_id)
            return
        for group in wire.GROUPS["thread"]:
            if not self._newer(clocks, thread_id, row, group):
                continue
            if group == "title":
                local.title = row["title"]
                local.title_set_by_user = True
            elif group == "system_prompt":
                local.system_prompt = row["system_prompt"]
            elif row["deleted"] and local.deleted_at is None:
                local.deleted_at = self.now
                self.applied.threads_deleted.add(thread_id)
            elif not row["deleted"] and local.deleted_at is not None:
                local.deleted_at = None
                self.applied.threads_restored.add(thread_id)
            local.updated_at = self.now
            self.applied.threads_changed.add(thread_id)

    # -- messages --------------------------------------------------------------------------------

    def _messages(self, rows: list[Row], ids: list[uuid.UUID], clocks: wire.Clocks) -> None:
        """New messages in bulk (a backfill is thousands of them); the few that exist here
        already, one by one."""
        here = set(self.session.scalars(select(Message.id).where(Message.id.in_(ids))))
        fresh = Fresh(self)
        for message_id, row in zip(ids, rows, strict=True):
            if message_id in here:
                self._known_message(message_id, row, clocks)
            else:
                fresh.add(message_id, row, clocks)
        fresh.write()

    def _known_message(self, message_id: uuid.UUID, row: Row, clocks: wire.Clocks) -> None:
        if all(
            (row.get(wire.hlc_column(group)) or NEVER) <= clocks.hlc(message_id, group)
            for group in ("content", "deleted")
        ):
            return  # nothing newer (our own rows coming back, mostly)
        local = self.session.get(Message, message_id)
        if local is None:
            return  # removed with an ancestor earlier in this page
        thread = self.session.get(Thread, local.thread_id)
        assert thread is not None
        if thread.team_id != self.team_id:
            return  # the thread is personal here (stopped sharing): the team's copy stays there
        if self._newer(clocks, message_id, row, "deleted") and row["deleted"]:
            ids = repo.delete_branch(self.session, thread, local, self.now)
            self.applied.messages_deleted.setdefault(thread.id, []).extend(ids)
        elif self._newer(clocks, message_id, row, "content"):
            local.status = Status(row["status"])
            local.content = row["content"]
            local.completed_at = _maybe_time(row["completed_at"])
            local.prompt_tokens = row["prompt_tokens"]
            local.completion_tokens = row["completion_tokens"]
            local.token_count = None
            local.token_encoding = None
            local.updated_at = self.now
            self.session.execute(delete(MessagePart).where(MessagePart.message_id == message_id))
            parts, attachments = _parts(message_id, row["parts"])
            _insert_parts(self.session, parts, attachments)
            local.tool_time_ms = _tool_time(parts)
            self.applied.messages_changed.append(message_id)
        self.session.flush()

    # -- summaries -------------------------------------------------------------------------------

    def summary(self, summary_id: uuid.UUID, row: Row, clocks: wire.Clocks) -> None:
        local = self.session.get(Summary, summary_id)
        thread_id = uuid.UUID(row["thread_id"])
        if local is None:
            if row["deleted"] or _tombstoned(clocks, summary_id):
                self._newer(clocks, summary_id, row, "deleted")
                return
            thread = self.session.get(Thread, thread_id)
            covered = self.session.get(Message, uuid.UUID(row["covers_through_message_id"]))
            if thread is None or thread.team_id != self.team_id or covered is None:
                return
            self.session.add(
                Summary(
                    id=summary_id,
                    thread_id=thread_id,
                    covers_through_message_id=covered.id,
                    content=row["content"],
                    token_count=row["token_count"],
                    model=row["model"],
                    created_at=_time(row["created_at"]),
                )
            )
            for group in wire.GROUPS["summary"]:
                self._take(clocks, summary_id, row, group)
            self.applied.summaries_added.append(summary_id)
            return
        thread = self.session.get(Thread, local.thread_id)
        if thread is None or thread.team_id != self.team_id:
            return  # personal here (stopped sharing)
        if self._newer(clocks, summary_id, row, "deleted") and row["deleted"]:
            self.session.delete(local)
            self.applied.summaries_deleted.append((thread_id, summary_id))
        elif self._newer(clocks, summary_id, row, "content"):
            local.content = row["content"]
            local.token_count = row["token_count"]
            local.edited_at = self.now
            self.applied.summaries_updated.append(summary_id)

    # -- clocks ----------------------------------------------------------------------------------

    def _newer(self, clocks: wire.Clocks, entity_id: uuid.UUID, row: Row, group: str) -> bool:
        """Whether the pulled value of `group` beats the local one; if so its clock is taken
        (and a local edit still waiting to be pushed is noted as lost)."""
        theirs = row.get(wire.hlc_column(group)) or NEVER
        if theirs <= clocks.hlc(entity_id, group):
            return False
        self._note_lost(clocks.entity, entity_id, row, group)
        self._take(clocks, entity_id, row, group)
        return True

    def _take(self, clocks: wire.Clocks, entity_id: uuid.UUID, row: Row, group: str) -> None:
        hlc = row.get(wire.hlc_column(group)) or NEVER
        if hlc:
            clocks.set(entity_id, group, hlc, wire.digest(row, clocks.entity, group))

    def _note_lost(self, entity: str, entity_id: uuid.UUID, row: Row, group: str) -> None:
        if entity == "message" or group in ("deleted", "created"):
            return  # messages are only ever added; deletes and restores are not edits
        pending = self.session.scalars(
            select(SyncOp)
            .where(
                SyncOp.entity == entity,
                SyncOp.entity_id == entity_id,
                SyncOp.state == OpState.PENDING,
            )
            .order_by(SyncOp.op_seq.desc())
        )
        for op in pending:
            if group in op.changed.get("groups", []) and op.row.get(wire.hlc_column(group)):
                note = lost_note(entity, entity_id, op.row, row, group, None, self.now)
                self.session.add(note)
                self.session.flush()
                self.applied.notes.append(note.id)
                return


class Fresh:
    """Messages new here, from one page: checked against what is here and what the page
    brings, then written with a handful of statements."""

    def __init__(self, applier: Applier) -> None:
        self.applier = applier
        self.session = applier.session
        self.messages: list[Row] = []
        self.parts: list[Row] = []
        self.attachments: dict[uuid.UUID, Row] = {}
        self.threads: dict[uuid.UUID, Thread | None] = {}
        self.parents: dict[uuid.UUID, _Parent] = {}  # parent id → what we know of it
        self.leaves: dict[uuid.UUID, uuid.UUID | None] = {}  # thread → leaf as it moves

    def add(self, message_id: uuid.UUID, row: Row, clocks: wire.Clocks) -> None:
        if row["deleted"] or _tombstoned(clocks, message_id):
            self.applier._newer(clocks, message_id, row, "deleted")
            return
        thread = self._thread(uuid.UUID(row["thread_id"]))
        if thread is None:
            return
        parent_id = uuid.UUID(row["parent_id"]) if row["parent_id"] else None
        if parent_id is not None and self._parent(parent_id, thread.id) is None:
            return  # below a message deleted here (or not of this thread): hidden with it
        created = _time(row["created_at"])
        record = {
            "id": message_id,
            "thread_id": thread.id,
            "parent_id": parent_id,
            "depth": row["depth"],
            "active_child_id": None,
            "role": Role(row["role"]),
            "status": Status(row["status"]),
            "content": row["content"],
            "provider": row["provider"],
            "model": row["model"],
            "prompt_tokens": row["prompt_tokens"],
            "completion_tokens": row["completion_tokens"],
            "author": row.get("author"),
            "agent": row.get("agent"),
            "created_at": created,
            "completed_at": _maybe_time(row["completed_at"]),
            "updated_at": self.applier.now,
            "usage_estimated": False,
        }
        self.messages.append(record)
        self.parents[message_id] = _Parent(record, None, thread_id=thread.id)
        if parent_id is not None:
            parent = self.parents[parent_id]
            if parent.active_child_id is None:
                parent.choose(message_id)
        parts, attachments = _parts(message_id, row["parts"])
        record["tool_time_ms"] = _tool_time(parts)  # the window loads the calls of those set
        self.parts += parts
        self.attachments.update(attachments)
        thread.message_count += 1
        thread.last_activity_at = max(thread.last_activity_at, created)
        if self.leaves.setdefault(thread.id, thread.active_leaf_id) == parent_id:
            self.leaves[thread.id] = message_id  # the conversation goes on: follow it
        for group in wire.GROUPS["message"]:
            self.applier._take(clocks, message_id, row, group)
        self.applier.applied.messages_added.append(message_id)

    def write(self) -> None:
        if self.messages:
            self.session.execute(insert(M), self.messages)
        _insert_parts(self.session, self.parts, self.attachments)
        moved = [p for p in self.parents.values() if p.stored is not None and p.chosen]
        if moved:
            self.session.execute(
                update(M)
                .where(M.c.id == bindparam("parent"))
                .values(active_child_id=bindparam("child")),
                [{"parent": p.stored, "child": p.active_child_id} for p in moved],
            )
        for thread_id, leaf in self.leaves.items():
            thread = self.threads[thread_id]
            if thread is not None and leaf != thread.active_leaf_id:
                thread.active_leaf_id = leaf
        self.session.flush()

    def _thread(self, thread_id: uuid.UUID) -> Thread | None:
        if thread_id not in self.threads:
            thread = self.session.get(Thread, thread_id)
            self.threads[thread_id] = (
                thread if thread and thread.team_id == self.applier.team_id else None
            )
        return self.threads[thread_id]

    def _parent(self, parent_id: uuid.UUID, thread_id: uuid.UUID) -> _Parent | None:
        if parent_id not in self.parents:
            found = self.session.execute(
                select(M.c.active_child_id).where(M.c.id == parent_id, M.c.thread_id == thread_id)
            ).first()
            if found is None:
                return None
            self.parents[parent_id] = _Parent(None, found.active_child_id, stored=parent_id)
        parent = self.parents[parent_id]
        return parent if parent.thread_id in (None, thread_id) else None


class _Parent:
    """A message that may get children in this page: a new one (its insert record) or one
    already stored (updated at the end when it gets its first child)."""

    def __init__(
        self,
        record: Row | None,
        active_child_id: uuid.UUID | None,
        stored: uuid.UUID | None = None,
        thread_id: uuid.UUID | None = None,  # known for new ones; stored ones were checked
    ) -> None:
        self.record = record
        self.stored = stored
        self.thread_id = thread_id
        self._active = active_child_id
        self.chosen = False

    @property
    def active_child_id(self) -> uuid.UUID | None:
        return self._active

    def choose(self, child: uuid.UUID) -> None:
        self._active = child
        self.chosen = True
        if self.record is not None:
            self.record["active_child_id"] = child


M = MESSAGES


def _tombstoned(clocks: wire.Clocks, entity_id: uuid.UUID) -> bool:
    found = clocks.of(entity_id).get("deleted")
    return found is not None and found.digest == _DELETED


def _parts(message_id: uuid.UUID, records: list[Row]) -> tuple[list[Row], dict[uuid.UUID, Row]]:
    parts: list[Row] = []
    attachments: dict[uuid.UUID, Row] = {}
    for record in records:
        kind = record.get("kind")
        if not isinstance(kind, str) or kind not in _KNOWN_KINDS:
            # Written by a newer chatdesk: the rest of the message is still good to show.
            log.info("left out a part of kind %r of message %s: unknown here", kind, message_id)
            continue
        attachment = record.get("attachment")
        if attachment is not None:
            values = from_json(ATTACHMENTS, attachment)
            attachments[values["id"]] = values
        values = from_json(PARTS, {k: v for k, v in record.items() if k != "attachment"})
        values["message_id"] = message_id
        parts.append(values)
    return parts, attachments


def _tool_time(parts: list[Row]) -> int | None:
    """The time an answer spent in tools, from its calls (None: it made none). Not a synced
    field: what the calls recorded says it."""
    return repo.tool_time([p.get("data") for p in parts if p["kind"] == PartKind.TOOL_CALL])


def _insert_parts(session: Session, parts: list[Row], attachments: dict[uuid.UUID, Row]) -> None:
    if attachments:
        stored = set(
            session.scalars(select(Attachment.id).where(Attachment.id.in_(list(attachments))))
        )
        new = [row for key, row in attachments.items() if key not in stored]
        if new:
            session.execute(insert(ATTACHMENTS), new)
    if parts:
        session.execute(insert(PARTS), parts)


_DELETED = wire.digest({"deleted": True}, "thread", "deleted")


def lost_note(
    entity: str,
    entity_id: uuid.UUID,
    lost: Row,
    kept: Row,
    group: str,
    kept_by: str | None,
    now: datetime,
) -> SyncNote:
    """A note for the user: their edit of `group` lost to a newer one (both stay on the server)."""
    thread_id = entity_id
    if entity != "thread":
        thread_id = uuid.UUID(kept.get("thread_id") or lost["thread_id"])
    shown = wire.GROUPS[entity][group][0]
    return SyncNote(
        thread_id=thread_id,
        entity=entity,
        entity_id=entity_id,
        field=group,
        lost_value=_shown(lost.get(shown)),
        kept_value=_shown(kept.get(shown)),
        kept_by=kept_by,
        created_at=now,
    )


def _shown(value: Any) -> str | None:
    return None if value is None else str(value)


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _maybe_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
