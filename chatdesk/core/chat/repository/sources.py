"""An answer's sources in the store: the passages of knowledge bases its request carried or a
tool found, and the web pages it read, one message part each (`PartKind.SOURCE`: the passage's
or the page's text, and where it is in `data`), numbered as the model was asked to cite them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.chat.repository.cuts import cut_view, whole_number
from chatdesk.core.chat.repository.tools import add_parts
from chatdesk.core.kinds import Role
from chatdesk.core.store.models import MessagePart, PartKind
from chatdesk.core.views import CitedSource, DocumentCut, MessageView


def add_sources(
    session: Session, message_id: uuid.UUID, sources: Sequence[tuple[str, dict[str, Any]]]
) -> tuple[CitedSource, ...]:
    """Store `sources` (each a passage's text and its `citing.part_data`) with the answer."""
    add_parts(session, message_id, [(PartKind.SOURCE, text, data) for text, data in sources])
    return tuple(source_view(text, data) for text, data in sources)


def with_sources(session: Session, views: list[MessageView]) -> list[MessageView]:
    """The views with their sources and the records of their question's documents cut to
    fit filled in (one query for the answers of a page: the page is read on every scroll)."""
    answers = [v.id for v in views if v.role is Role.ASSISTANT]
    if not answers:
        return views
    rows = session.execute(
        select(MessagePart.message_id, MessagePart.kind, MessagePart.text, MessagePart.data)
        .where(
            MessagePart.message_id.in_(answers),
            MessagePart.kind.in_((PartKind.SOURCE, PartKind.CUT)),
        )
        .order_by(MessagePart.message_id, MessagePart.position)
    )
    found: dict[uuid.UUID, list[CitedSource]] = defaultdict(list)
    cut: dict[uuid.UUID, list[DocumentCut]] = defaultdict(list)
    for message_id, kind, text, data in rows:
        stored = data if isinstance(data, dict) else {}
        if kind == PartKind.CUT:
            cut[message_id].append(cut_view(stored))
        else:
            found[message_id].append(source_view(text or "", stored))
    return [
        replace(v, sources=tuple(found.get(v.id, ())), cuts=tuple(cut.get(v.id, ())))
        if v.id in found or v.id in cut
        else v
        for v in views
    ]


def sources_of(
    session: Session, message_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[CitedSource, ...]]:
    rows = session.execute(
        select(MessagePart.message_id, MessagePart.text, MessagePart.data)
        .where(MessagePart.message_id.in_(message_ids), MessagePart.kind == PartKind.SOURCE)
        .order_by(MessagePart.message_id, MessagePart.position)
    )
    found: dict[uuid.UUID, list[CitedSource]] = defaultdict(list)
    for message_id, text, data in rows:
        found[message_id].append(source_view(text or "", data if isinstance(data, dict) else {}))
    return {message_id: tuple(sources) for message_id, sources in found.items()}


def source_view(text: str, data: dict[str, Any]) -> CitedSource:
    """A stored source as a view (data from another chatdesk, an import, is taken as text)."""
    try:
        document_id: uuid.UUID | None = uuid.UUID(str(data.get("document_id")))
    except ValueError:
        document_id = None
    return CitedSource(
        number=whole_number(data.get("number")),
        base=str(data.get("base") or ""),
        document_id=document_id,
        path=str(data.get("path") or ""),
        location=str(data.get("location") or ""),
        text=text,
        start=whole_number(data.get("start")),
        end=whole_number(data.get("end")),
        call_id=str(data.get("call_id") or ""),
        url=_web_address(data.get("url")),
        title=str(data.get("title") or ""),
        read_at=str(data.get("read_at") or ""),
    )


def _web_address(value: object) -> str:
    """A page's address as stored, kept only when it is http(s): the data may come from an
    import or a teammate, and the window opens it when a citation is clicked."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""
