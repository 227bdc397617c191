"""The threads and messages this process wrote, each with the `updated_at` it gave them, so
that the watch of other processes' writes (chat/outside.py) can tell its own rows from theirs.

It is a write hook run first (before team sync's recorder takes the notes of `changes`): on
the writer's thread, before the commit, it reads the `updated_at` of every thread and message
the transaction touched. By the time another connection can see a row, its note is here; a row
whose `updated_at` differs was written again since, by someone else.
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime

from sqlalchemy import Uuid, bindparam, select
from sqlalchemy.orm import Session

from chatdesk.core.store import changes
from chatdesk.core.store.models import Message, Thread
from chatdesk.core.store.prepared import Prepared, connection_of

# Each transaction's rows are read eight at a time by a statement compiled once (a place not
# given is NULL, which matches nothing): a send touches a thread and two messages. The ORM's
# execution layer would cost more than the rest of the hook.
_PLACES = tuple(f"id{n}" for n in range(8))


def _stamps(model: type[Thread] | type[Message]) -> Prepared:
    places = [bindparam(name, type_=Uuid()) for name in _PLACES]
    return Prepared(select(model.id, model.updated_at).where(model.id.in_(places)))


_STAMPS = {"thread": _stamps(Thread), "message": _stamps(Message)}


class OwnWrites:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._written: dict[uuid.UUID, datetime] = {}

    def note(self, session: Session) -> None:
        """The write hook: remember what this transaction gives the rows it touched."""
        connection = connection_of(session)  # flushed: the ORM's changes are noted too
        found = changes.peek(session)
        if not found.touched:
            return
        ids: dict[str, list[uuid.UUID]] = {"thread": [], "message": []}
        for entity, entity_id in found.touched:
            if entity in ids:
                ids[entity].append(entity_id)
        stamps: dict[uuid.UUID, datetime] = {}
        for entity, wanted in ids.items():
            statement = _STAMPS[entity]
            for start in range(0, len(wanted), len(_PLACES)):
                given = zip(_PLACES, wanted[start : start + len(_PLACES)], strict=False)
                for row in statement.rows(connection, **dict(given)):
                    stamp = statement.converted(row)
                    stamps[stamp["id"]] = stamp["updated_at"]
        with self._lock:
            self._written.update(stamps)

    def wrote(self, row_id: uuid.UUID, updated_at: datetime) -> bool:
        """Whether this process wrote the row as it now stands."""
        with self._lock:
            return self._written.get(row_id) == updated_at

    def forget_before(self, moment: datetime) -> None:
        """Drop notes of rows last written before `moment` (the watch has read past them)."""
        with self._lock:
            self._written = {i: at for i, at in self._written.items() if at >= moment}
