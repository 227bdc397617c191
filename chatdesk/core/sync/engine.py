"""The sync engine: the public face of team sync, and the round that pushes the outbox and
pulls every team's changes.

`round()` is one full exchange (teams, push everything pending, pull every team) and is what the
worker (`worker.py`) runs whenever something happens: a local change was queued, the server sent
a notification (LISTEN, payload: a team id), the poll interval passed, or `sync_now` was asked.
A failure of the connection leaves everything queued and is retried with a growing pause;
the app works the same offline. The window hears about changes through the event bus, on the
asyncio loop. Sharing a thread is in `sharing.py`; what a left team or a resync removes here is
in `pruning.py`.

Rounds run one at a time. A worker that `stop` gave up waiting for (its round hangs on a slow
server) finishes that round without a say in the engine: it stops at the next step, and neither
the status nor the rounds counter hears from it again, so the worker that replaced it (or sync
turned off) is what the window sees.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, delete, func, select, type_coerce, update
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from chatdesk.core.chat.events import Event, SyncEditLost, SyncStateChanged
from chatdesk.core.errors import ChatdeskError, InvalidRequest
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.store.blobs import BlobStore
from chatdesk.core.store.models import (
    SyncField,
    SyncNote,
    SyncOp,
    SyncTeam,
)
from chatdesk.core.store.prepared import Prepared
from chatdesk.core.store.store import Store
from chatdesk.core.sync import pruning
from chatdesk.core.sync.base import (
    OpState,
    PendingOp,
    SyncRefused,
    SyncShutOut,
    SyncStatus,
    SyncUnavailable,
    Team,
    first_line,
    is_transient,
    note_view,
)
from chatdesk.core.sync.files import TeamFiles
from chatdesk.core.sync.hlc import Clock
from chatdesk.core.sync.record import APPLYING, Recorder
from chatdesk.core.sync.sharing import Sharing
from chatdesk.core.sync.worker import ServerLink, SyncWorker
from chatdesk.core.views import SyncNoteView, SyncState

if TYPE_CHECKING:  # the connection and the merge load when there is a server or a pull
    from chatdesk.core.sync.apply import Applied
    from chatdesk.core.sync.remote import Page, PushResult, Remote

log = logging.getLogger("chatdesk.sync")

BATCH = 500
Wanted = Callable[[], bool]  # whether the worker running a round is still the engine's


class SyncEngine:
    def __init__(
        self,
        store: Store,
        connect: Callable[[], Remote] | None,
        *,
        blobs: BlobStore,
        shared: bool,
        publish_event: Callable[[Event], None] | None = None,
        poll_seconds: float = 60.0,
        clock: Clock | None = None,
        stop_timeout: float = 15.0,
    ) -> None:
        """`shared`: whether a thread here is shared with a team (`base.any_shared`), read by
        the caller; the recorder looks for shared rows in each write only from then on."""
        self.store = store
        self.clock = clock or Clock()
        self._connect = connect
        self._publish = publish_event or (lambda _event: None)
        self._poll = poll_seconds
        self._round_lock = threading.Lock()  # one round at a time, whoever runs it
        self._round_done = threading.Condition()
        self._rounds = 0
        self._life = threading.RLock()  # start, stop and reconfigure, from any thread
        self._worker: SyncWorker | None = None
        self._link = ServerLink(connect) if connect is not None else None  # rounds run here
        self.stop_timeout = stop_timeout  # how long `stop` waits for a worker inside a round
        self._status_lock = threading.Lock()  # a stopped worker's last word never lands late
        self._status = SyncStatus(_idle(connect), "", 0, 0, None)
        # Teams whose threads this launch removed (membership ended): their rows written by
        # this launch are no longer here, so their next pull must not leave them out.
        self._forgotten: set[uuid.UUID] = set()
        self.recorder = Recorder(self.clock, shared=shared, on_queued=self.wake)
        store.add_write_hook(self.recorder.before_commit)
        self._sharing = Sharing(store, self.recorder, self.clock, self._publish, self.wake)
        self.files = TeamFiles(store, blobs)  # attachments' files, carried after the rows
        self._observe_stored_clocks()

    # -- state -----------------------------------------------------------------------------------

    @property
    def configured(self) -> bool:
        return self._connect is not None

    @property
    def status(self) -> SyncStatus:
        return self._status

    def outbox(self) -> tuple[int, int]:
        """(pending, rejected) ops in the outbox."""
        return self.store.read_now(_outbox_counts)

    def rejected(self) -> list[tuple[int, str, str]]:
        """Ops the server refused: (op_seq, what, why), oldest first."""
        query = (
            select(SyncOp.op_seq, SyncOp.entity, SyncOp.entity_id, SyncOp.last_error)
            .where(SyncOp.state == OpState.REJECTED)
            .order_by(SyncOp.op_seq)
        )
        rows = self.store.read_now(lambda s: s.execute(query).all())
        return [
            (seq, f"{entity} {entity_id}", error or "") for seq, entity, entity_id, error in rows
        ]

    def _observe_stored_clocks(self) -> None:
        newest = self.store.read_now(lambda s: s.scalar(select(func.max(SyncField.hlc))))
        if newest:
            self.clock.observe(newest)

    def _set_status(
        self, state: SyncState, detail: str = "", wanted: Wanted = lambda: True
    ) -> None:
        """Set and announce the state, unless it comes from a worker no longer `wanted`."""
        pending, rejected = self.outbox()
        with self._status_lock:  # `wanted` and the write at once: a stop lands before or after
            if not wanted():
                return
            last = datetime.now(UTC) if state is SyncState.UP_TO_DATE else self._status.last_sync
            status = SyncStatus(state, detail, pending, rejected, last)
            changed = (status.state, status.detail, status.pending, status.rejected) != (
                self._status.state,
                self._status.detail,
                self._status.pending,
                self._status.rejected,
            )
            self._status = status
            if changed:
                self._publish(SyncStateChanged(status.state, status.detail, pending, rejected))

    # -- sharing ---------------------------------------------------------------------------------

    def share(self, thread_id: uuid.UUID, team_id: uuid.UUID) -> None:
        """Move a personal thread, with everything in it, into a team (blocking; any thread)."""
        self._sharing.share(thread_id, team_id)

    def unshare(self, thread_id: uuid.UUID) -> None:
        """Take a thread out of its team: it stays here as a personal thread, and is deleted
        for the team."""
        self._sharing.unshare(thread_id)

    def notes(self, thread_id: uuid.UUID | None = None) -> list[SyncNoteView]:
        """Edits made here that lost to newer ones and were not dismissed yet."""
        query = select(SyncNote).where(SyncNote.dismissed.is_(False))
        if thread_id is not None:
            query = query.where(SyncNote.thread_id == thread_id)
        query = query.order_by(SyncNote.created_at)
        return self.store.read_now(lambda s: [note_view(n) for n in s.scalars(query)])

    def dismiss_notes(self, thread_id: uuid.UUID) -> None:
        self.store.write_blocking(
            lambda s: s.execute(
                update(SyncNote).where(SyncNote.thread_id == thread_id).values(dismissed=True)
            )
        )

    def teams(self) -> list[Team]:
        """The teams this user was in at the last sync."""
        query = select(SyncTeam.id, SyncTeam.name, SyncTeam.role).order_by(SyncTeam.name)
        return [Team(*row) for row in self.store.read_now(lambda s: s.execute(query).all())]

    # -- one exchange ----------------------------------------------------------------------------

    def round(self) -> SyncStatus:
        """Teams, then push everything pending, then pull every team (blocking)."""
        if self._link is None:
            self._set_status(SyncState.OFF, tr("no team server is set up"))
            return self._status
        return self._round(self._link, lambda: True)

    def _round(self, link: ServerLink, wanted: Wanted) -> SyncStatus:
        """One round over `link`; none once `wanted()` is false (a worker that was stopped),
        and one stopped meanwhile ends at its next step, unheard and uncounted."""
        with self._round_lock:
            if not wanted():
                return self._status
            try:
                return self._exchange(link, wanted)
            finally:
                if wanted():
                    with self._round_done:
                        self._rounds += 1
                        self._round_done.notify_all()

    def _exchange(self, link: ServerLink, wanted: Wanted) -> SyncStatus:
        self._set_status(SyncState.SYNCING, wanted=wanted)
        try:
            try:
                remote = link.open()
            except SyncShutOut:
                if wanted():  # out of every team: as if the server listed none
                    self._settle_teams([])
                raise
            if wanted():
                self._settle_teams(remote.teams())
            while wanted() and self.push_once(remote):
                pass
            for team in self.teams():
                if not wanted():
                    break
                self.files.push(remote, team.id)  # before the pull: the rows are the server's
                self.pull_team(remote, team.id)
                self.files.pull(remote, team.id)
        except SyncRefused as error:
            link.drop()
            self._set_status(SyncState.ERROR, str(error), wanted)
            raise
        except Exception as error:
            link.drop()
            reason = first_line(error)
            if isinstance(error, SyncUnavailable) or is_transient(error):
                self._set_status(SyncState.OFFLINE, reason, wanted)
                raise SyncUnavailable(reason) from error
            self._set_status(SyncState.ERROR, reason, wanted)
            if _is_database_error(error):
                raise SyncRefused(
                    tr("the team server refused a change: {reason}", reason=reason)
                ) from error
            raise
        refused = sum(self.files.over_quota.values())
        detail = (
            ntr(
                "{n} attachment file over the team's quota",
                "{n} attachment files over the team's quota",
                refused,
            )
            if refused
            else ""
        )
        self._set_status(SyncState.UP_TO_DATE, detail, wanted=wanted)
        return self._status

    def remote(self) -> Remote:
        """The connection rounds run on here, opened if needed (a push or a pull alone)."""
        if self._link is None:
            raise InvalidRequest(tr("no team server is set up"))
        return self._link.open()

    def _drop_connection(self) -> None:
        """Close the connection rounds run on here (a worker has its own)."""
        if self._link is not None:
            self._link.drop()

    def _settle_teams(self, teams: list[Team]) -> None:
        self._left(self.store.write_blocking(lambda s: pruning.update_teams(s, teams)))

    def _left(self, gone: Iterable[uuid.UUID]) -> None:
        """Teams whose threads just left this machine: pulled from scratch if they come back."""
        for team_id in gone:
            self._forgotten.add(team_id)
            log.info("no longer a member of team %s: its threads were removed here", team_id)

    def push_once(self, remote: Remote) -> bool:
        """Push up to one batch; whether there may be more."""
        ops = self.store.read_now(_pending_ops)
        if not ops:
            return False
        result = remote.push(ops)
        notes = self.store.write_blocking(lambda s: self._settle(s, ops, result))
        self._left(result.left)
        for note in notes:
            self._publish(SyncEditLost(note))
        return len(ops) == BATCH

    def _settle(self, session: Session, ops: list[PendingOp], result: PushResult) -> list[Any]:
        from chatdesk.core.sync.apply import lost_note

        if result.done:
            session.execute(delete(SyncOp).where(SyncOp.op_seq.in_(result.done)))
        for op_seq, reason in result.rejected.items():
            session.execute(
                update(SyncOp)
                .where(SyncOp.op_seq == op_seq)
                .values(state=OpState.REJECTED, last_error=reason, attempts=SyncOp.attempts + 1)
            )
        for team_id in result.left:  # as the next round would: the team leaves this machine
            pruning.leave_team(session, team_id)
        by_seq = {op.op_seq: op for op in ops}
        notes = []
        now = datetime.now(UTC)
        for lost in result.lost:
            op = by_seq[lost.op_seq]
            note = lost_note(
                op.entity, op.entity_id, op.row, lost.kept, lost.group, lost.kept_by, now
            )
            session.add(note)
            notes.append(note_view(note))
        session.info[APPLYING] = True
        return notes

    def pull_team(self, remote: Remote, team_id: uuid.UUID) -> None:
        from chatdesk.core.sync import publish

        query = select(SyncTeam.cursor).where(SyncTeam.id == team_id)
        cursor = self.store.read_now(lambda s: s.scalar(query))
        if cursor is None:
            return
        seen: dict[str, set[uuid.UUID]] = {}
        node = "" if team_id in self._forgotten else self.clock.node
        for page in remote.pull(team_id, cursor, node):

            def work(session: Session, page: Page = page) -> Applied:
                return self._apply(session, team_id, page, seen)

            publish.applied(self.store, self.store.write_blocking(work), self._publish)
        self._forgotten.discard(team_id)

    def _apply(
        self, session: Session, team_id: uuid.UUID, page: Page, seen: dict[str, set[uuid.UUID]]
    ) -> Applied:
        from chatdesk.core.sync.apply import Applier

        session.info[APPLYING] = True
        applier = Applier(session, team_id, self.clock, datetime.now(UTC))
        if page.rows:
            self.recorder.shared = True  # from now on, edits here may touch team threads
            applier.rows(page.entity, page.rows)
            if page.resync:
                seen.setdefault(page.entity, set()).update(uuid.UUID(r["id"]) for r in page.rows)
        if page.cursor is not None:
            if page.resync:
                pruning.drop_unseen(session, team_id, seen, applier)
            team = session.get(SyncTeam, team_id)
            if team is not None:
                team.cursor = page.cursor
        return applier.applied

    def reconfigure(self, connect: Callable[[], Remote] | None, poll_seconds: float) -> None:
        """Another server or login: stop the worker, then start a new one with the new
        connection (blocking; nothing queued is lost)."""
        with self._life:
            running = self._worker is not None
            self.stop()
            self._connect = connect
            self._link = ServerLink(connect) if connect is not None else None
            self._poll = poll_seconds
            self._set_status(_idle(connect), "")
            if running and connect is not None:
                self.start()

    # -- the worker thread -----------------------------------------------------------------------

    def wake(self) -> None:
        """Something is queued or asked for: the worker runs a round now (if one runs)."""
        worker = self._worker
        if worker is not None:
            worker.wake()

    def start(self) -> None:
        """Start a worker on a connection of its own, unless one runs or no server is set."""
        with self._life:
            if self._connect is None or self._worker is not None:
                return
            link = ServerLink(self._connect)
            self._worker = SyncWorker(self._round, link, self._poll, self.teams)
            self._worker.start()

    def stop(self) -> None:
        """Stop the worker. One held inside a slow round past `stop_timeout` ends at that
        round's next step without starting another, and a later `start` runs a new worker that
        shares nothing with it (rounds still run one at a time)."""
        with self._life:
            worker, self._worker = self._worker, None
            if worker is not None and not worker.stop(self.stop_timeout):
                log.warning(
                    "the team sync worker is still inside a round after %g s; "
                    "it stops at the round's next step",
                    self.stop_timeout,
                )
            self._drop_connection()

    def sync_now(self, timeout: float = 60.0) -> SyncStatus:
        """One exchange now, by the worker if it runs, else here (blocking); offline or
        refused shows in the status instead of raising."""
        if self._worker is not None:
            return self.wait_for_round(timeout)
        try:
            return self.round()
        except ChatdeskError:
            return self._status

    def wait_for_round(self, timeout: float) -> SyncStatus:
        """Ask for a round now and wait until one has finished (from any thread but the
        worker's; the CLI's `sync now`, tests)."""
        with self._round_done:
            target = self._rounds + 1
            self.wake()
            self._round_done.wait_for(lambda: self._rounds >= target, timeout)
        return self._status


def _idle(connect: Callable[[], Remote] | None) -> SyncState:
    """The state before any round: off without a server, else offline until one connects."""
    return SyncState.OFF if connect is None else SyncState.OFFLINE


def _is_database_error(error: BaseException) -> bool:
    import psycopg

    return isinstance(error, psycopg.Error)


def _outbox_counts(session: Session) -> tuple[int, int]:
    query = select(SyncOp.state, func.count()).group_by(SyncOp.state)
    rows: dict[str, int] = {state: count for state, count in session.execute(query)}
    return rows.get(OpState.PENDING, 0), rows.get(OpState.REJECTED, 0)


def _pending_ops(session: Session) -> list[PendingOp]:
    """The next batch (up to `BATCH` ops), as SQLite stores it: rows only read and mostly
    sent on as they are need no ORM objects, UUIDs or JSON decoding."""
    changes: dict[str, tuple[tuple[str, ...], bool]] = {}  # a few distinct values a batch
    ops = []
    for op_seq, node_id, team_id, entity, entity_id, row, changed in _PENDING.rows(
        session.connection()
    ):
        found = changes.get(changed)
        if found is None:
            decoded = json.loads(changed)
            found = changes[changed] = (
                tuple(decoded.get("groups", ())),
                bool(decoded.get("tombstone")),
            )
        ops.append(PendingOp(op_seq, node_id, team_id, entity, entity_id, row, *found))
    return ops


_OPS = cast(Table, SyncOp.__table__).c
_PENDING = Prepared(
    select(
        _OPS.op_seq,
        _OPS.node_id,
        type_coerce(_OPS.team_id, NullType()),
        _OPS.entity,
        type_coerce(_OPS.entity_id, NullType()),
        type_coerce(_OPS.row, NullType()),
        type_coerce(_OPS.changed, NullType()),
    )
    .where(_OPS.state == OpState.PENDING)
    .order_by(_OPS.op_seq)
    .limit(BATCH)
)
