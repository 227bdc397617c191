"""What the sync engine and the server connection share, light enough to load at start-up
(the connection itself, psycopg and the merge code load only when they are needed)."""

from __future__ import annotations

import asyncio
import enum
import functools
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.views import SyncNoteView, SyncState

if TYPE_CHECKING:
    from chatdesk.core.chat.events import Event, EventBus
    from chatdesk.core.store.models import SyncNote
    from chatdesk.core.store.store import Store

log = logging.getLogger("chatdesk.sync")

Row = dict[str, Any]


class SyncUnavailable(ChatdeskError):
    """The server cannot be reached or dropped the connection; changes wait in the outbox."""


class SyncRefused(ChatdeskError):
    """The server refuses this client (login, protocol version): retrying will not help."""


class SyncShutOut(SyncRefused):
    """The server no longer lets this login in: it was taken out of every team (or disabled
    by an administrator). For this client that is being out of every team."""


@dataclass(frozen=True)
class Team:
    id: uuid.UUID
    name: str
    role: str


@dataclass(frozen=True)
class PendingOp:
    """An op of the outbox as SQLite stores it: a push sends most rows as they were queued
    (`row_json`), so their ids and rows are converted only when something reads them."""

    op_seq: int
    node_id: str
    team_hex: str
    entity: str
    entity_hex: str
    row_json: str  # the row, as JSON text
    groups: tuple[str, ...]
    tombstone: bool

    @functools.cached_property
    def team_id(self) -> uuid.UUID:
        return uuid.UUID(hex=self.team_hex)

    @functools.cached_property
    def entity_id(self) -> uuid.UUID:
        return uuid.UUID(hex=self.entity_hex)

    @functools.cached_property
    def row(self) -> Row:
        found: Row = json.loads(self.row_json)
        return found


def is_transient(error: Exception) -> bool:
    """A failure of the connection or the server (retry later), not of one op's content."""
    import psycopg

    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        return True
    state = getattr(error, "sqlstate", None) or ""
    return state[:2] in ("08", "53", "57", "58", "40", "XX")


def first_line(error: BaseException) -> str:
    """What went wrong, in one line for the status and the log (the server's are long)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def note_view(note: SyncNote) -> SyncNoteView:
    return SyncNoteView(
        note.id,
        note.thread_id,
        note.entity,
        note.field,
        note.lost_value,
        note.kept_value,
        note.kept_by,
        note.created_at,
    )


class OpState(enum.StrEnum):
    """Where an op of the outbox stands (`sync_outbox.state`); a pushed op is deleted."""

    PENDING = "pending"  # waits to be pushed
    REJECTED = "rejected"  # the server refused it, or its team was left: kept to be shown


@dataclass(frozen=True)
class SyncStatus:
    state: SyncState
    detail: str
    pending: int  # ops waiting to be pushed
    rejected: int  # ops the server refused (kept, shown)
    last_sync: datetime | None


def any_shared(store: Store) -> bool:
    """Whether any thread here is shared with a team."""
    from sqlalchemy import select

    from chatdesk.core.store.models import Thread

    query = select(Thread.id).where(Thread.team_id.is_not(None)).limit(1)
    return store.read_now(lambda s: s.scalar(query)) is not None


class LoopPublisher:
    """Hands events from the sync worker's thread to the event bus on the asyncio loop."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._loop: asyncio.AbstractEventLoop | None = None

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def __call__(self, event: Event) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # nobody is listening yet (or any more)
        try:
            loop.call_soon_threadsafe(self._bus.publish, event)
        except RuntimeError:  # the loop closed meanwhile
            log.debug("sync event dropped: the loop is closed")
