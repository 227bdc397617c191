"""Drafts: the unsent text (and attachments) of each thread, so a switch or a restart loses no
word. The key is the thread id, or NEW_CHAT for a chat that has no thread yet."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from chatdesk.core.store.models import Draft
from chatdesk.core.store.prepared import Prepared, connection_of
from chatdesk.core.views import AttachmentInput, DraftView

NEW_CHAT = "new"


def key(thread_id: uuid.UUID | None) -> str:
    return NEW_CHAT if thread_id is None else thread_id.hex


def save(session: Session, now: datetime, thread_id: uuid.UUID | None, draft: DraftView) -> None:
    if draft.empty:  # compiled once, on the driver: every send removes its thread's draft
        _DELETE.run(connection_of(session), key=key(thread_id))
        return
    data = {"attachments": [vars(a) for a in draft.attachments]}
    values = {"key": key(thread_id), "text": draft.text, "data": data, "updated_at": now}
    statement = insert(Draft).values(**values)
    session.execute(statement.on_conflict_do_update(index_elements=["key"], set_=values))


_TABLE = cast(Table, Draft.__table__)
_DELETE = Prepared(delete(_TABLE).where(_TABLE.c.key == bindparam("key")))


def load(session: Session, thread_id: uuid.UUID | None) -> DraftView:
    row = session.get(Draft, key(thread_id))
    if row is None:
        return DraftView("")
    items = (row.data or {}).get("attachments", [])
    known = {field.name for field in dataclasses.fields(AttachmentInput)}
    return DraftView(
        row.text,
        tuple(AttachmentInput(**{k: v for k, v in item.items() if k in known}) for item in items),
    )
