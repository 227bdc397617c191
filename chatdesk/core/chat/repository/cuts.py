"""An answer's record of the question's documents it was sent only in part: one message part
each (`PartKind.CUT`, no text), whose `data` says which attachment, how much of it went
(`unit`, `sent`, `total`), and how the question was cut (`fraction` of each document's
characters kept; `tokens`, the question's count so cut, by `encoding`) so that the gauge and
later requests count and send the question as the answer was given it."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.chat.repository.tools import add_parts
from chatdesk.core.store.models import MessagePart, PartKind
from chatdesk.core.views import DocumentCut


def record_cuts(session: Session, message_id: uuid.UUID, cuts: Sequence[dict[str, Any]]) -> None:
    """Record `cuts` on the answer. A Continue cuts anew: a document's record is updated in
    place (its part keeps its id, so a team server takes the new record for the old one), and
    one not cut this time keeps its record, true of the answer's earlier text. Nothing is
    deleted: a team server keeps parts of a kind a writer's protocol does not list
    (`sync/server` migration 0007), so a deletion would not reach it."""
    had = {
        str((part.data or {}).get("attachment_id")): part
        for part in session.scalars(
            select(MessagePart).where(
                MessagePart.message_id == message_id, MessagePart.kind == PartKind.CUT
            )
        )
    }
    new = []
    for data in cuts:
        part = had.get(str(data.get("attachment_id")))
        if part is None:
            new.append((PartKind.CUT, None, dict(data)))
        else:
            part.data = dict(data)
    add_parts(session, message_id, new)


def cut_records(
    session: Session, message_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """The answers' cut records as stored (those of no answer are left out)."""
    rows = session.execute(
        select(MessagePart.message_id, MessagePart.data)
        .where(MessagePart.message_id.in_(message_ids), MessagePart.kind == PartKind.CUT)
        .order_by(MessagePart.message_id, MessagePart.position)
    )
    found: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for message_id, data in rows:
        found[message_id].append(data if isinstance(data, dict) else {})
    return dict(found)


def cut_view(data: dict[str, Any]) -> DocumentCut:
    """A stored record as the user reads it (data from another chatdesk is taken as text)."""
    try:
        attachment_id: uuid.UUID | None = uuid.UUID(str(data.get("attachment_id")))
    except ValueError:
        attachment_id = None
    return DocumentCut(
        attachment_id=attachment_id,
        name=str(data.get("name") or ""),
        unit=str(data.get("unit") or ""),
        sent=whole_number(data.get("sent")),
        total=whole_number(data.get("total")),
    )


def whole_number(value: object) -> int:
    """A stored number, or 0 for what is none (a record of another chatdesk's)."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0
