"""Pulled rows into the local database: per-group last-writer-wins, parents before children.

Runs on the store's writer inside one transaction per page, flagged so the recorder does not
send the changes back. What changed is collected in `Applied` for the events the window hears.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.chat import repository as repo
from chatdesk.core.store.models import (
    Attachment,
    Message,
    MessagePart,
    Role,
    Status,
    Summary,
    SyncField,
    SyncNote,
    SyncOp,
    Thread,
)
from chatdesk.core.store.records import ATTACHMENTS, PARTS, from_json
from chatdesk.core.sync import rows as wire
from chatdesk.core.sync.hlc import NEVER, Clock

Row = dict[str, Any]


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

    def merge(self, other: Applied) -> None:
        self.threads_created |= other.threads_created
        self.threads_changed |= other.threads_changed
        self.threads_deleted |= other.threads_deleted
        self.threads_restored |= other.threads_restored
        self.messages_added += other.messages_added
        self.messages_changed += other.messages_changed
        for thread_id, ids in other.messages_deleted.items():
            self.messages_deleted.setdefault(thread_id, []).extend(ids)
        self.summaries_added += other.summaries_added
        self.summaries_updated += other.summaries_updated
        self.summaries_deleted += other.summaries_deleted
        self.notes += other.notes


class Applier:
    def __init__(self, session: Session, team_id: uuid.UUID, clock: Clock, now: datetime) -> None:
        self.session = session
        self.team_id = team_id
        self.clock = clock
        self.now = now
        self.applied = Applied()

    def rows(self, entity: str, rows: list[Row]) -> None:
        apply = {"thread": self.thread, "message": self.message, "summary": self.summary}[entity]
        known = wire.clocks(self.session, entity, [uuid.UUID(r["id"]) for r in rows])
        for row in rows:
            for group in wire.GROUPS[entity]:
                self.clock.observe(row.get(wire.hlc_column(group)) or NEVER)
            entity_id = uuid.UUID(row["id"])
            apply(entity_id, row, known.setdefault(entity_id, {}))
            self.session.flush()

    # -- threads ---------------------------------------------------------------------------------

    def thread(self, thread_id: uuid.UUID, row: Row, known: dict[str, SyncField]) -> None:
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
                self._take(known, "thread", thread_id, row, group)
            if not row["deleted"]:
                self.applied.threads_created.add(thread_id)
            return
        for group in wire.GROUPS["thread"]:
            if not self._newer(known, "thread", thread_id, row, group):
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

    def message(self, message_id: uuid.UUID, row: Row, known: dict[str, SyncField]) -> None:
        local = self.session.get(Message, message_id)
        if local is None:
            self._new_message(message_id, row, known)
            return
        if self._newer(known, "message", message_id, row, "deleted") and row["deleted"]:
            thread = self.session.get(Thread, local.thread_id)
            assert thread is not None
            ids = repo.delete_branch(self.session, thread, local, self.now)
            self.applied.messages_deleted.setdefault(thread.id, []).extend(ids)
            return
        if self._newer(known, "message", message_id, row, "content"):
            local.status = Status(row["status"])
            local.content = row["content"]
            local.completed_at = _maybe_time(row["completed_at"])
            local.prompt_tokens = row["prompt_tokens"]
            local.completion_tokens = row["completion_tokens"]
            local.token_count = None
            local.token_encoding = None
            local.updated_at = self.now
            self.session.query(MessagePart).filter(MessagePart.message_id == message_id).delete()
            self._parts(message_id, row["parts"])
            self.applied.messages_changed.append(message_id)

    def _new_message(self, message_id: uuid.UUID, row: Row, known: dict[str, SyncField]) -> None:
        tombstone = known.get("deleted")
        if row["deleted"] or (tombstone is not None and tombstone.digest == _DELETED):
            self._newer(known, "message", message_id, row, "deleted")
            return
        thread = self.session.get(Thread, uuid.UUID(row["thread_id"]))
        if thread is None or thread.team_id != self.team_id:
            return
        parent = None
        if row["parent_id"] is not None:
            parent = self.session.get(Message, uuid.UUID(row["parent_id"]))
            if parent is None:
                return  # below a message deleted here: hidden with it
        created = _time(row["created_at"])
        self.session.add(
            Message(
                id=message_id,
                thread_id=thread.id,
                parent_id=parent.id if parent else None,
                depth=row["depth"],
                role=Role(row["role"]),
                status=Status(row["status"]),
                content=row["content"],
                provider=row["provider"],
                model=row["model"],
                prompt_tokens=row["prompt_tokens"],
                completion_tokens=row["completion_tokens"],
                author=row.get("author"),
                created_at=created,
                completed_at=_maybe_time(row["completed_at"]),
                updated_at=self.now,
            )
        )
        self.session.flush()
        self._parts(message_id, row["parts"])
        thread.message_count += 1
        thread.last_activity_at = max(thread.last_activity_at, created)
        if parent is not None and parent.active_child_id is None:
            parent.active_child_id = message_id
        if thread.active_leaf_id == (parent.id if parent else None):
            repo.set_active_leaf(self.session, thread, message_id)  # follow the conversation
        for group in wire.GROUPS["message"]:
            self._take(known, "message", message_id, row, group)
        self.applied.messages_added.append(message_id)

    def _parts(self, message_id: uuid.UUID, parts: list[Row]) -> None:
        for record in parts:
            attachment = record.get("attachment")
            if attachment is not None:
                values = from_json(ATTACHMENTS, attachment)
                if self.session.get(Attachment, values["id"]) is None:
                    self.session.add(Attachment(**values))
            values = from_json(PARTS, {k: v for k, v in record.items() if k != "attachment"})
            values["message_id"] = message_id
            self.session.add(MessagePart(**values))
        self.session.flush()

    # -- summaries -------------------------------------------------------------------------------

    def summary(self, summary_id: uuid.UUID, row: Row, known: dict[str, SyncField]) -> None:
        local = self.session.get(Summary, summary_id)
        thread_id = uuid.UUID(row["thread_id"])
        if local is None:
            tombstone = known.get("deleted")
            if row["deleted"] or (tombstone is not None and tombstone.digest == _DELETED):
                self._newer(known, "summary", summary_id, row, "deleted")
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
                self._take(known, "summary", summary_id, row, group)
            self.applied.summaries_added.append(summary_id)
            return
        if self._newer(known, "summary", summary_id, row, "deleted") and row["deleted"]:
            self.session.delete(local)
            self.applied.summaries_deleted.append((thread_id, summary_id))
        elif self._newer(known, "summary", summary_id, row, "content"):
            local.content = row["content"]
            local.token_count = row["token_count"]
            local.edited_at = self.now
            self.applied.summaries_updated.append(summary_id)

    # -- clocks ----------------------------------------------------------------------------------

    def _newer(
        self, known: dict[str, SyncField], entity: str, entity_id: uuid.UUID, row: Row, group: str
    ) -> bool:
        """Whether the pulled value of `group` beats the local one; if so its clock is taken
        (and a local edit still waiting to be pushed is noted as lost)."""
        theirs = row.get(wire.hlc_column(group)) or NEVER
        mine = known.get(group)
        if theirs <= (mine.hlc if mine else NEVER):
            return False
        self._note_lost(entity, entity_id, row, group, theirs)
        self._take(known, entity, entity_id, row, group)
        return True

    def _take(
        self, known: dict[str, SyncField], entity: str, entity_id: uuid.UUID, row: Row, group: str
    ) -> None:
        hlc = row.get(wire.hlc_column(group)) or NEVER
        if hlc:
            digest = wire.digest(row, entity, group)
            wire.set_clock(self.session, known, entity, entity_id, group, hlc, digest)

    def _note_lost(
        self, entity: str, entity_id: uuid.UUID, row: Row, group: str, theirs: str
    ) -> None:
        if entity == "message" or group in ("deleted", "created"):
            return  # messages are only ever added; deletes and restores are not edits
        pending = self.session.scalars(
            select(SyncOp)
            .where(
                SyncOp.entity == entity,
                SyncOp.entity_id == entity_id,
                SyncOp.state == "pending",
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
